# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Pure planning of account states (``atlassian_user``): from an account's status before and the state wanted, the
one action to take, the status after, or the refusal with its remedy. No I/O, so every pair is tested exhaustively.

Statuses, as the module returns them (docs/joiners_leavers.md):

- ``active``: the account exists and may use the products;
- ``invited``: this task invited it (Cloud). The APIs have no such status: the Admin API shows an invitation as
  ``active`` (research notes §2), so a later run reads ``active``;
- ``suspended``: the organisation suspended its access in the directory (Admin API); it keeps its groups. Jira Cloud
  shows such an account inactive and cannot tell it from a deactivated one: it reads ``suspended`` there (the
  reversible, more common cause), and only the Admin API restores it;
- ``deactivated``: the account itself is deactivated (a managed account, by the user management API) or, on Data
  Center, the user is inactive: Data Center's one way of taking access away;
- ``missing``: no account has the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

PRESENT = "present"
# The account statuses (``_backends._base`` re-exports them for the capability's contract).
ACTIVE = "active"
INVITED = "invited"
SUSPENDED = "suspended"
DEACTIVATED = "deactivated"
MISSING = "missing"
# The states a task asks for: present, or suspended (named as the status it leaves on the Admin API).
STATES = (PRESENT, SUSPENDED)
STATUSES = (ACTIVE, INVITED, SUSPENDED, DEACTIVATED, MISSING)
# Statuses with access to the products (an invitation grants it once accepted).
WITH_ACCESS = (ACTIVE, INVITED)

# Actions.
NOTHING = "nothing"
CREATE = "create"  # invite (Cloud) or create (Data Center)
RESTORE = "restore"  # the Admin API's restore of a suspended account
SUSPEND = "suspend"  # the Admin API's suspend, or Data Center's deactivation
REACTIVATE = "reactivate"  # Data Center: make an inactive user active again
ACTIONS = (NOTHING, CREATE, RESTORE, SUSPEND, REACTIVATE)


@dataclass(frozen=True)
class AccountAbilities:
    """What a backend's API can do to an account, as the planner needs it (each backend declares one)."""

    #: The backend's name, as messages say it.
    backend: str
    #: Whether a missing account can be made: invited (Cloud) or created (Data Center).
    create: bool = False
    #: What a created account reads right after: ``invited`` (Cloud: until accepted) or ``active`` (Data Center).
    created_status: str = INVITED
    #: The status that taking access away leaves: ``suspended`` (Admin API) or ``deactivated`` (Data Center); None
    #: when the API cannot take access away (Jira Cloud).
    suspend_as: str | None = None
    #: Whether a suspended account can be restored (Admin API).
    restore: bool = False
    #: Whether a deactivated account can be made active again (Data Center).
    reactivate: bool = False
    #: The remedy when access cannot be taken away here (where to do it instead).
    suspend_remedy: str = ""
    #: The remedy when a suspended or deactivated account cannot be given access again here.
    restore_remedy: str = ""
    #: The remedy when a missing account cannot be made here.
    create_remedy: str = ""


@dataclass(frozen=True)
class AccountStep:
    """What to do for one account: ``action`` (ACTIONS) and the status it leaves, or ``refusal`` (a message naming
    the way to do it instead) with nothing to do."""

    action: str
    status_after: str
    refusal: str | None = None
    remedy: str | None = None

    @property
    def changed(self) -> bool:
        return self.action != NOTHING


def refusal_for(abilities: AccountAbilities, state: str) -> tuple[str, str] | None:
    """Why a whole task cannot be done on this backend whatever the accounts' statuses are, with the remedy, or
    None: checked before any request."""
    if state == SUSPENDED and abilities.suspend_as is None:
        return (
            f"backend {abilities.backend} cannot suspend or deactivate an account: its API has no such operation",
            abilities.suspend_remedy,
        )
    if state == PRESENT and not abilities.create and not abilities.restore and not abilities.reactivate:
        return (f"backend {abilities.backend} cannot create, invite or restore accounts", abilities.create_remedy)
    return None


def plan_account(abilities: AccountAbilities, status: str, state: str) -> AccountStep:
    """The step that takes an account from ``status`` to ``state`` on this backend."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    if state == PRESENT:
        return _to_present(abilities, status)
    return _to_suspended(abilities, status)


def _to_present(abilities: AccountAbilities, status: str) -> AccountStep:
    if status in WITH_ACCESS:
        return AccountStep(NOTHING, status)
    if status == MISSING:
        if abilities.create:
            return AccountStep(CREATE, abilities.created_status)
        return AccountStep(
            NOTHING, status, "no account exists and this backend cannot make one", abilities.create_remedy
        )
    if status == SUSPENDED and abilities.restore:
        return AccountStep(RESTORE, ACTIVE)
    if status == DEACTIVATED and abilities.reactivate:
        return AccountStep(REACTIVATE, ACTIVE)
    return AccountStep(
        NOTHING,
        status,
        f"the account is {status} and backend {abilities.backend} cannot restore it",
        abilities.restore_remedy,
    )


def _to_suspended(abilities: AccountAbilities, status: str) -> AccountStep:
    if status == MISSING:
        # Nobody to take access from: nothing to do (the module warns, since a typo looks the same).
        return AccountStep(NOTHING, MISSING)
    if status in (SUSPENDED, DEACTIVATED):
        # Without access already, whichever way (a deactivated account is never "suspended" over it).
        return AccountStep(NOTHING, status)
    if abilities.suspend_as is None:
        return AccountStep(
            NOTHING, status, f"backend {abilities.backend} cannot suspend accounts", abilities.suspend_remedy
        )
    return AccountStep(SUSPEND, abilities.suspend_as)
