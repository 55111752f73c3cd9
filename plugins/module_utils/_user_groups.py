# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""A person's groups, from the person's side: who the person is, which groups they are in (one read), and the
writes that make those match the request. Backend-neutral; decisions are the planner's (``plan_user_groups``)."""

from __future__ import annotations

import re
from typing import Iterable

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import Backend, Membership
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    RefusedError,
    ResolutionError,
    UnknownGroupError,
    UnknownUserError,
    operation,
    summarise,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import GroupsPlan
from ansible_collections.orgsync.atlassian.plugins.module_utils._resolution import (
    raise_unresolved,
    resolve_each,
    with_deactivated_holders,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._writes import (
    ADD,
    REMOVE,
    ApplyResult,
    Write,
    apply_writes,
)

# The groups whose loss would lock an automation account out of administering the site (or the org): ``keep``
# protects them from ``exclusive`` unless the task names its own list.
ADMIN_GROUPS = (
    "site-admins",
    "org-admins",
    "administrators",
    "jira-admins",
    "jira-administrators",
    "jira-system-administrators",
    "confluence-admins",
    "confluence-administrators",
)
# Jira's and Confluence's group ids are UUIDs; a reference shaped like one is an id, anything else a name.
_GROUP_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_group_id(ref: str) -> bool:
    return bool(_GROUP_ID.match(ref))


def names_group(ref: str, group: Group) -> bool:
    """Whether a reference is this group, by the one rule every state follows: a UUID-shaped reference is an id
    (compared exactly, as the APIs do), anything else a name (case-insensitive). A group named like another's id is
    then never taken for it, whether the person joins or leaves. On Data Center a group's id is its name."""
    if is_group_id(ref):
        return ref == group.group_id
    return (group.name or group.group_id).casefold() == ref.casefold()


class UserGroupsService:
    #: The capabilities it asks of a backend (``AtlassianModule.service``).
    needs = (Membership,)

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def resolve_user(self, ref: str, *, removal_only: bool) -> User | None:
        """The one account ``ref`` names, or ``ResolutionError``. For a task that only removes, a deactivated
        account is looked for where the backend sees one, and a reference that names nobody gives ``None`` (they are
        in no group already)."""
        (outcome,) = resolve_each(self.backend, [ref])
        if removal_only:
            outcome = with_deactivated_holders(self.backend, ref, outcome)
        if removal_only and isinstance(outcome, UnknownUserError):
            return None
        (user,) = raise_unresolved([outcome], consequence=", so nothing was changed")
        return user

    def groups_of(self, user: User) -> list[Group]:
        with operation(f"reading the groups of {user.label}"):
            return self.backend.groups_of(user.account_id) or []

    def resolve_groups(
        self, refs: Iterable[str], current: list[Group], *, must_exist: bool
    ) -> tuple[list[Group], list[UnknownGroupError]]:
        """The groups the references name, and the errors of those that name no group.

        The person's own groups answer without a request; the others are looked up. To be joined (``must_exist``),
        each must exist; to be left, one that does not is reported (the task warns: a typo must not pass for "not
        in it"). A reference that names several groups fails either way.
        """
        refs = list(dict.fromkeys(r.strip() for r in refs))
        known = {ref: next((g for g in current if names_group(ref, g)), None) for ref in refs}
        missing = [ref for ref, group in known.items() if group is None]
        found = dict(zip(missing, self.backend.concurrently(self._look_up, missing), strict=True))
        problems = [
            (ref, o.message)
            for ref, o in found.items()
            if isinstance(o, ResolutionError) and (must_exist or not isinstance(o, UnknownGroupError))
        ]
        if problems:
            raise ResolutionError(
                f"{len(problems)} of {len(refs)} groups could not be found, so nothing was changed: "
                + summarise(problems)
            )
        groups = [known[ref] or found.get(ref) for ref in refs]
        unknown = [o for o in found.values() if isinstance(o, UnknownGroupError)]
        return [g for g in groups if isinstance(g, Group)], unknown

    def _look_up(self, ref: str) -> Group | ResolutionError:
        try:
            with operation(f"looking up group {ref}"):
                if is_group_id(ref):
                    return self.backend.find_group(group_id=ref)
                return self.backend.find_group(name=ref)
        except ResolutionError as exc:
            return exc

    def unknown_keep(self, refs: Iterable[str], current: list[Group]) -> list[tuple[str, UnknownGroupError]]:
        """The ``keep`` entries that name no group, each with the lookup's error: a typo there would otherwise protect
        nothing without a word (``keep: [site-admin]`` lets a leaver lose site-admins). Entries that name one of the
        person's groups cost nothing; the others one lookup each. Only "no such group" counts: ``keep`` only protects,
        so a stale entry warns rather than blocks a removal, and a name several groups have is not a typo."""
        missing = [ref for ref in dict.fromkeys(refs) if not any(names_group(ref, g) for g in current)]
        found = self.backend.concurrently(self._look_up, missing)
        return [(ref, o) for ref, o in zip(missing, found, strict=True) if isinstance(o, UnknownGroupError)]

    def check_can_change(self, plan: GroupsPlan) -> None:
        """Before any write (and in check mode): every group the plan changes must be one the API will change."""

        def check(group: Group) -> None:
            with operation(f"checking that {group.label} can be changed"):
                try:
                    self.backend.check_can_change(group)
                except RefusedError as exc:
                    # Offboarding with exclusive meets such groups most: say how to leave one alone.
                    exc.hint = f"{exc.hint}. To leave {group.label} as it is, list it in keep" if exc.hint else exc.hint
                    raise

        self.backend.concurrently(check, [*plan.adds, *plan.removes])

    def apply(self, user: User, plan: GroupsPlan) -> ApplyResult:
        """Send the writes, concurrently within the rate limits; one failing group does not stop the others."""
        writes = [Write(ADD, g, user, g) for g in plan.adds] + [Write(REMOVE, g, user, g) for g in plan.removes]
        return apply_writes(self.backend, NOUN, writes)


# How a person's view counts its writes in messages.
NOUN = "group changes"
