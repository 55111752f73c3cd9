# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The account service (``atlassian_user``): read each account's status, plan with ``_account_planner``, refuse what
the backend cannot do before any write, then create, suspend or restore concurrently within the backend's limits,
and add the accounts to their groups (present only) with the backend's membership writes.

A backend has the capability when it declares ``account_abilities`` (``_account_planner.AccountAbilities``) and
implements ``find_accounts``, ``create_account``, ``suspend_account`` and ``restore_account``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    CREATE,
    MISSING,
    NOTHING,
    PRESENT,
    RESTORE,
    SUSPEND,
    AccountAbilities,
    AccountStep,
    plan_account,
    refusal_for,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    CHANGED,
    Account,
    Backend,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    ConfigurationError,
    RefusedError,
    operation,
    summarise,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import is_email
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import MembershipService
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import exactly_one

# The options each backend's API takes for a new account (the others are refused before any request).
BACKEND_OPTIONS = {
    "products": ("jira_cloud",),
    "notification_text": ("admin",),
    "roles": ("admin",),
}
DATACENTER_BACKENDS = ("jira_datacenter", "confluence_datacenter")
# Jira Cloud createUser's "Valid products".
JIRA_PRODUCTS = ("jira-software", "jira-core", "jira-servicedesk", "jira-product-discovery")
# What a mapping in users may hold.
MAPPING_KEYS = frozenset({"user", "username", "email", "display_name"})


@dataclass(frozen=True)
class Entry:
    """One account the task names: its reference, and what creating it needs where it is missing (the email; on Data
    Center a username, an email and a display name)."""

    ref: str
    email: str | None = None
    username: str | None = None
    display_name: str | None = None


@dataclass
class Outcome:
    """What happened (or, in check mode, would happen) to one account."""

    entry: Entry
    step: AccountStep
    status_before: str
    account: Account | None = None
    created: bool = False
    groups_added: list[Group] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and (self.step.changed or bool(self.groups_added))

    def as_result(self) -> dict:
        user = self.account.user if self.account is not None else None
        result: dict[str, Any] = {
            "user": self.entry.ref,
            "account_id": user.account_id if user is not None and user.username is None else None,
            "email": (user.email if user is not None else None) or self.entry.email,
            "display_name": (user.display_name if user is not None else None) or self.entry.display_name,
            "status_before": self.status_before,
            "status_after": self.step.status_after if self.error is None else self.status_before,
            "created": self.created,
            "groups_added": [g.label for g in self.groups_added],
        }
        if user is not None and user.username is not None:
            result["username"] = user.username
        elif self.entry.username:
            result["username"] = self.entry.username
        return result


def abilities_of(name: str, backend: Backend) -> AccountAbilities:
    abilities = getattr(backend, "account_abilities", None)
    if abilities is None:
        raise RefusedError(
            f"backend {name} does not manage accounts",
            hint="Use backend admin (invite, suspend, restore), jira_cloud (invite) or jira_datacenter (create, "
            "deactivate)",
        )
    return abilities


def check_request(name: str, abilities: AccountAbilities, state: str, entries: list[Entry], params: dict) -> None:
    """Everything that is refused before any request: what the backend cannot do, options it does not take, and
    references that could never name an account to create."""
    refused = refusal_for(abilities, state)
    if refused is not None:
        message, remedy = refused
        raise RefusedError(f"{message}; nothing was sent", hint=remedy)
    for option, backends in BACKEND_OPTIONS.items():
        if params.get(option) and name not in backends:
            raise ConfigurationError(
                f"{option} is an option of backend {' and '.join(backends)}, not of {name}",
                hint=f"Leave {option} out for backend {name}",
            )
    if state == PRESENT and name == "jira_cloud" and params.get("products") is None:
        raise ConfigurationError(
            "backend jira_cloud needs products to create accounts: Jira's createUser requires the field",
            hint="Set products to the products a new account may use (jira-software, jira-core, jira-servicedesk, "
            "jira-product-discovery), or to [] for an account without product access",
        )
    unknown = [p for p in params.get("products") or [] if p not in JIRA_PRODUCTS]
    if unknown:
        raise ConfigurationError(
            f"products {', '.join(unknown)} {'is not a product' if len(unknown) == 1 else 'are not products'} Jira's "
            "createUser takes",
            hint=f"Use {', '.join(JIRA_PRODUCTS)}, or [] for an account without product access",
        )
    if params.get("groups") and state != PRESENT:
        raise ConfigurationError(
            "groups is only for state=present (the groups new and existing accounts join)",
            hint="To take a leaver out of every group, run orgsync.atlassian.atlassian_user_groups with groups: [] "
            "and exclusive: true before suspending (playbooks/offboard.yml)",
        )


class AccountService:
    def __init__(self, name: str, backend: Backend) -> None:
        self.name = name
        self.backend = backend
        self.abilities = abilities_of(name, backend)

    # -- reading and planning ------------------------------------------------------------------------------------

    def read(self, entries: list[Entry]) -> dict[str, Account | None]:
        with operation(f"looking up {len(entries)} accounts"):
            return self.backend.find_accounts([e.ref for e in entries])

    def plan(self, entries: list[Entry], found: dict[str, Account | None], state: str) -> list[Outcome]:
        """Each account's step; raises ``RefusedError`` naming every account that cannot be taken to ``state`` here
        (nothing is written then)."""
        outcomes = []
        problems = []
        for entry in entries:
            account = found.get(entry.ref)
            before = account.status if account is not None else MISSING
            step = plan_account(self.abilities, before, state)
            if step.refusal is not None:
                problems.append((entry.ref, f"{entry.ref}: {step.refusal}. {step.remedy}".rstrip(". ")))
            elif step.action == CREATE:
                missing = self.creation_gap(entry)
                if missing:
                    problems.append((entry.ref, f"{entry.ref}: {missing}"))
            outcomes.append(Outcome(entry, step, before, account))
        if problems:
            raise RefusedError(
                f"{len(problems)} of {len(entries)} accounts cannot be made {state} with backend {self.name}, so "
                f"nothing was changed: {summarise(problems)}"
            )
        return outcomes

    def creation_gap(self, entry: Entry) -> str | None:
        """What a missing account's entry lacks to be created, or None."""
        email = entry.email or (entry.ref if is_email(entry.ref) else None)
        if self.name in DATACENTER_BACKENDS:
            lacking = [key for key, value in (("email", email), ("display_name", entry.display_name)) if not value]
            if not (entry.username or not is_email(entry.ref)):
                lacking.insert(0, "username")
            if lacking:
                return (
                    "no user has it, and creating one on Data Center needs a username, an email and a display name: "
                    f"give {', '.join(lacking)} (users: [{{user: <username>, email: ..., display_name: ...}}])"
                )
            return None
        if not email:
            return (
                f"no account has this {self.backend.user_id_name}, and an account can only be created from an email: "
                "give the person's email instead"
            )
        return None

    # -- groups ----------------------------------------------------------------------------------------------------

    def resolve_groups(self, names: list[str]) -> list[Group]:
        service = MembershipService(self.backend)
        return self.backend.concurrently(lambda name: service.resolve_group(name=name, group_id=None), names)

    def plan_groups(self, outcomes: list[Outcome], groups: list[Group]) -> None:
        """The groups each account must join: every one for an account to create; for the others, those it is not
        in yet (one read of its groups each, concurrently)."""
        if not groups:
            return
        existing = [o for o in outcomes if o.step.action != CREATE and o.account is not None]

        def groups_of(outcome: Outcome) -> list[Group]:
            with operation(f"reading the groups of {outcome.account.user.label}"):
                return self.backend.groups_of(outcome.account.user.account_id) or []

        for outcome, current in zip(existing, self.backend.concurrently(groups_of, existing), strict=True):
            outcome.groups_added = [g for g in groups if not any(self.backend.same_group(g, c) for c in current)]
        for outcome in outcomes:
            if outcome.step.action == CREATE:
                outcome.groups_added = list(groups)

    # -- writes ----------------------------------------------------------------------------------------------------

    def predict(self, outcomes: list[Outcome]) -> None:
        """Check mode: what ``apply`` would report, with nothing sent (a new account's id stays unknown)."""
        for outcome in outcomes:
            outcome.created = outcome.step.action == CREATE

    def apply(self, outcomes: list[Outcome], options: dict) -> None:
        """Each account's step, then its memberships, concurrently; one failing account does not stop the others
        (its ``error`` says why)."""
        joins_on_invite = getattr(self.backend, "invite_joins_groups", False)

        def run(outcome: Outcome) -> None:
            try:
                self._step(outcome, options, joins_on_invite)
            except AtlassianError as exc:
                outcome.error = exc.message
                return
            self._join(outcome, skip=joins_on_invite and outcome.created)

        self.backend.concurrently(run, outcomes)

    def _step(self, outcome: Outcome, options: dict, joins_on_invite: bool) -> None:
        action, entry = outcome.step.action, outcome.entry
        if action == NOTHING:
            return
        if action == CREATE:
            email = entry.email or entry.ref
            create_options = dict(options, username=entry.username or entry.ref, display_name=entry.display_name)
            if joins_on_invite:
                create_options["group_ids"] = [g.group_id for g in outcome.groups_added]
            with operation(f"creating the account of {email}"):
                outcome.account = self.backend.create_account(email, create_options)
            outcome.created = True
            return
        verb = {SUSPEND: "suspending", RESTORE: "restoring"}.get(action, "reactivating")
        with operation(f"{verb} {outcome.account.user.label}"):
            if action == SUSPEND:
                self.backend.suspend_account(outcome.account)
            else:
                self.backend.restore_account(outcome.account)

    def _join(self, outcome: Outcome, *, skip: bool) -> None:
        if skip or not outcome.groups_added:
            return
        user = outcome.account.user
        joined, failed = [], []
        for group in outcome.groups_added:
            try:
                with operation(f"adding {user.label} to {group.label}"):
                    if self.backend.add_member(group, user) == CHANGED:
                        joined.append(group)
            except AtlassianError as exc:
                failed.append((group.label, f"{group.label}: {exc.message}"))
        outcome.groups_added = joined
        if failed:
            outcome.error = (
                f"its account is {outcome.step.status_after}, but joining groups failed: {summarise(failed)}"
            )


def failure_message(outcomes: list[Outcome]) -> str | None:
    failed = [(o.entry.ref, f"{o.entry.ref}: {o.error}") for o in outcomes if o.error]
    if not failed:
        return None
    done = (
        "; the others were applied, and a re-run retries what is still missing" if len(failed) < len(outcomes) else ""
    )
    return f"{len(failed)} of {len(outcomes)} accounts failed{done}: {summarise(failed)}"


def statuses_diff(outcomes: list[Outcome]) -> dict:
    """``--diff``: each account's status before and after (new accounts appear as missing before)."""
    return {
        "before": {o.entry.ref: o.status_before for o in outcomes},
        "after": {o.entry.ref: (o.step.status_after if o.error is None else o.status_before) for o in outcomes},
    }


def entries_from(params: dict) -> list[Entry]:
    """The accounts ``user``/``users`` name (a string, or on Data Center a mapping with user, email and
    display_name); repeats of one reference count once. Raises ``ConfigurationError`` for a malformed entry."""
    exactly_one(params, "user", "users", "for example user: jane@acme.com, or users: a list of them")
    raw: list[Any] = [params["user"]] if params.get("user") else list(params.get("users") or [])
    entries: dict[str, Entry] = {}
    for i, item in enumerate(raw):
        if isinstance(item, str):
            entry = Entry(item.strip(), email=item.strip() if is_email(item) else None)
        elif (
            isinstance(item, dict)
            and set(item) <= MAPPING_KEYS
            and any(item.get(k) for k in ("user", "username", "email"))
        ):
            # user (or username, as a joiners list names it) is the reference; without one, the email is.
            user = str(item.get("user") or item.get("username") or item["email"]).strip()
            email = item.get("email") or (user if is_email(user) else None)
            username = item.get("username") or (None if is_email(user) else user)
            entry = Entry(user, email=email, username=username, display_name=item.get("display_name"))
        else:
            raise ConfigurationError(
                f"users[{i}] must be a string (an email, accountId or username) or a mapping with user (or username, "
                "or email) and, to create a Data Center user, email and display_name",
                hint="For example users: [nina@acme.com] or users: [{user: nina, email: nina@acme.com, display_name: "
                "Nina New}]",
            )
        if not entry.ref:
            raise ConfigurationError(f"users[{i}] is empty", hint="Give an email, an accountId or a username")
        entries.setdefault(entry.ref.lower(), entry)
    if not entries:
        raise ConfigurationError("user or users must name at least one account", hint="Set user or users")
    return list(entries.values())
