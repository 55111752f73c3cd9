# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Reading a group's membership and the requested users, then applying a plan, at the fewest requests.

It speaks the backend contract (``_backend.Backend``) only, and leaves decisions to the planner.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Iterator

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import Backend, MemberPage, Membership
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    LISTED_IN_FULL,
    NAMED_PER_CAUSE,
    ResolutionError,
    UnknownUserError,
    operation,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import pick_user_for_email, reference_key
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import Plan
from ansible_collections.orgsync.atlassian.plugins.module_utils._resolution import (
    email_index,
    known_member,
    raise_unresolved,
    resolve_each,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._writes import (
    ADD,
    REMOVE,
    ApplyResult,
    Write,
    apply_writes,
)

# How the current membership was learnt.
ALL_PAGES = "member_pages"
PER_USER = "user_groups"


@dataclass
class Snapshot:
    """What is true before any write: the members we know of, and who each requested reference is."""

    group: Group
    current: dict[str, User]
    complete: bool
    users: list[User]
    strategy: str
    # References that name no account at all (only tolerated for removals: "not a member" already holds), each with
    # whether it was looked up as an email.
    not_found: list[tuple[str, bool]] = field(default_factory=list)
    # What the backend calls a user's identifier (accountId; username on Data Center), for the warnings.
    id_name: str = "accountId"

    def not_found_warnings(self) -> list[str]:
        """What the task says about each reference in ``not_found``: what was checked, and why nothing is done. An
        email's warning does not say that nobody has it: Jira's search finds active accounts only, and a deactivated
        account that is not a member exists but is not looked for (that would read the site's every account)."""
        label = self.group.label
        if len(self.not_found) > LISTED_IN_FULL:
            # One warning, not thousands (an offboarding list of people long gone).
            named = ", ".join(ref for ref, _as_email in self.not_found[:NAMED_PER_CAUSE])
            return [
                f"{len(self.not_found)} references name no account, and no member of {label} shows them, so they are "
                f"not members of {label}: nothing to remove for them. The first {NAMED_PER_CAUSE}: {named}. A member "
                f"whose privacy settings hide their email can only be removed by {self.id_name}."
            ]
        warnings = []
        for ref, as_email in self.not_found:
            if as_email:
                warnings.append(
                    f"No member of {label} has the email '{ref}': no active account was found with it and no member "
                    f"of {label} shows it (deactivated members included), so there is nothing to remove. A member "
                    f"whose privacy settings hide their email can only be removed by {self.id_name}."
                )
            else:
                taken = f" ('{ref}' is taken as a {self.id_name}: this API shows no emails)" if "@" in ref else ""
                warnings.append(
                    f"No account has {self.id_name} '{ref}'{taken}, so it is not a member of {label}: nothing to "
                    "remove."
                )
        return warnings


def choose_strategy(
    *,
    total: int | None,
    first_page_size: int,
    distinct_users: int,
    need_complete: bool,
    page_size: int,
    unsearchable_emails: bool = False,
) -> str:
    """Read all member pages, or check each user's groups, whichever costs fewer requests.

    ``distinct_users`` counts the requested users whose membership the first page does not already tell. Reading
    the other pages costs one request each, and then no user needs a groups-of-user request (the pages tell who is a
    member; an accountId among them needs no lookup either, nor, where emails are unique to an account, an email one
    of them shows; on Jira Data Center an email is looked up whatever the strategy); checking per user costs a
    groups-of-user request (and a lookup) for each. So pages never cost more
    when there are no more of them than users, whoever turns out to be a member; beyond that, per user is chosen.
    Without a total (cursor listings) the pages cannot be counted. They are read, except when the first page already
    answered every user (nothing more is needed, whatever follows), or left one user unanswered and was full (more
    pages follow): checking that user costs at most one request more than reading one more page, and saves every
    page after it. No count is assumed either way. ``unsearchable_emails``: some
    of those users are emails that the backend cannot look up with one search, and the group's own listing is the
    cheapest place that may show them, so it is read.
    """
    if need_complete or unsearchable_emails:
        return ALL_PAGES
    if total is None:
        one_left_of_many = distinct_users == 1 and first_page_size >= page_size
        return PER_USER if distinct_users == 0 or one_left_of_many else ALL_PAGES
    # Pages hold as many as the first one did: Atlassian may lower the page size silently.
    page_size = first_page_size or page_size
    remaining_pages = math.ceil(max(total - first_page_size, 0) / page_size)
    return ALL_PAGES if remaining_pages <= distinct_users else PER_USER


class MembershipService:
    #: The capabilities it asks of a backend (``AtlassianModule.service``).
    needs = (Membership,)

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def caller_account_id(self) -> str:
        with operation("finding out which account the credentials belong to"):
            return self.backend.caller_account_id()

    def resolve_group(self, *, name: str | None, group_id: str | None) -> Group:
        with operation(f"looking up group {name or group_id}"):
            return self.backend.find_group(name=name, group_id=group_id)

    def open_group(self, *, name: str | None, group_id: str | None) -> tuple[Group, Iterator[MemberPage]]:
        """The group, and its member pages to pass to ``snapshot``.

        By name, the lookup comes first: it gives the groupId that every other request needs. By id, the lookup only
        serves the group's name in the result (the member pages do not carry it) and the clear "no group with id"
        message, so it runs alongside the first member page instead of before it: one request, no added wait.
        """
        if not group_id:
            group = self.resolve_group(name=name, group_id=None)
            return group, self.backend.iter_member_pages(group)
        pages = self.backend.iter_member_pages(Group(name=None, group_id=group_id))

        def first_page() -> MemberPage | None:
            with operation(f"reading the members of {group_id}"):
                return next(pages, None)

        # In this order, so that a missing group fails with the lookup's message rather than the page's bare 404.
        group, first = self.backend.concurrently(
            lambda step: step(), [lambda: self.resolve_group(name=None, group_id=group_id), first_page]
        )
        return group, itertools.chain([first] if first is not None else [], pages)

    def snapshot(
        self,
        group: Group,
        refs: list[str],
        *,
        need_complete: bool,
        pages: Iterator[MemberPage] | None = None,
        missing_ok: bool = False,
    ) -> Snapshot:
        """Resolve every reference and learn their membership before anything is written.

        ``pages`` are the group's member pages from ``open_group``; read here when not given.
        ``missing_ok`` (removals): a reference that names no account is reported in ``Snapshot.not_found`` instead
        of failing, since "not a member" already holds for it. Before concluding that, an email that the backend
        could not find is looked for in the whole member listing, which shows deactivated accounts (Jira's user
        search does not), and where it costs no more than a search among the deactivated accounts: offboarding
        usually deactivates a leaver first and removes their groups afterwards. Every account found so is a holder:
        two of them make the email ambiguous, and the task fails rather than pick one.
        Raises ``ResolutionError`` naming every reference that does not resolve to one account.
        """
        backend = self.backend
        pages = pages if pages is not None else backend.iter_member_pages(group)
        with operation(f"reading the members of {group.label}"):
            first = next(pages, None)
        members: dict[str, User] = {u.account_id: u for u in (first.users if first else ())}
        on_first_page = email_index(members)
        as_email = {ref: backend.takes_as_email(ref) for ref in refs}
        unanswered = [ref for ref in refs if known_member(ref, members, on_first_page, as_email=as_email[ref]) is None]
        strategy = choose_strategy(
            # Without a total the pages cannot be counted: the strategy reads them (cursor listings).
            total=first.total if first else 0,
            first_page_size=len(members),
            distinct_users=len(unanswered),
            need_complete=need_complete,
            page_size=backend.declares.member_page_size,
            unsearchable_emails=not backend.declares.email_search and any(as_email[ref] for ref in unanswered),
        )

        def read_other_pages() -> None:
            with operation(f"reading the members of {group.label}"):
                for page in pages:
                    members.update((u.account_id, u) for u in page.users)

        if strategy == ALL_PAGES:
            read_other_pages()
        # Members seen so far (all of them, or the first page): an accountId among them resolves without a lookup, and
        # so does an email one of them shows where emails are unique to an account; elsewhere the members that show
        # an email are holders of it beside the accounts its lookup finds.
        outcomes = resolve_each(backend, refs, members)
        unfound = [i for i, o in enumerate(outcomes) if isinstance(o, UnknownUserError)]
        unfound_emails = [i for i in unfound if as_email[refs[i]]] if missing_ok else []
        if unfound_emails and strategy == PER_USER:
            # Read once for every such reference; this costs only the pages the per-user strategy skipped.
            read_other_pages()
            strategy = ALL_PAGES
        by_email = email_index(members)
        for i in unfound_emails:
            # The lookup found no account with the email (else it would not be unknown): the holders are the members
            # that show it and, where that costs one search, the deactivated accounts with it. A deactivated account
            # that is not a member is known, not nobody: no warning about it.
            candidates = list(by_email.get(reference_key(refs[i]), []))
            if backend.declares.deactivated_email_search:
                with operation(f"looking up {refs[i]} among deactivated accounts"):
                    candidates += backend.find_deactivated_by_email(refs[i])
            try:
                outcomes[i] = pick_user_for_email(refs[i], candidates, outcomes[i])
            except ResolutionError as exc:
                exc.subject = refs[i].strip()
                outcomes[i] = exc
        not_found = [(refs[i], as_email[refs[i]]) for i in unfound if isinstance(outcomes[i], UnknownUserError)]
        resolved = raise_unresolved(
            outcomes, consequence=", so nothing was changed", tolerate=UnknownUserError if missing_ok else ()
        )
        if strategy == ALL_PAGES:
            return Snapshot(group, members, True, resolved, strategy, not_found, backend.user_id_name)
        # Per-user: membership of the requested users only; the first page already told us about some of them.
        unknown = [u for u in resolved if u.account_id not in members]

        def is_member(user: User) -> bool:
            with operation(f"reading the groups of {user.label}"):
                return any(backend.same_group(g, group) for g in backend.groups_of(user.account_id) or [])

        current = {u.account_id: u for u in resolved if u.account_id in members}
        current.update(
            {
                u.account_id: u
                for u, member in zip(unknown, backend.concurrently(is_member, unknown), strict=True)
                if member
            }
        )
        return Snapshot(group, current, False, resolved, strategy, not_found, backend.user_id_name)

    def check_can_change(self, group: Group, plan: Plan) -> None:
        """Before any write (and in check mode): a planned change to a group the API will not change is refused."""
        if plan.adds or plan.removes:
            with operation(f"checking that {group.label} can be changed"):
                self.backend.check_can_change(group)

    def apply(self, group: Group, plan: Plan) -> ApplyResult:
        """Send the writes; one failing user does not stop the others."""
        writes = [Write(ADD, group, u, u) for u in plan.adds] + [Write(REMOVE, group, u, u) for u in plan.removes]
        return apply_writes(self.backend, NOUN, writes)


# How a group's view counts its writes in messages.
NOUN = "membership changes"
