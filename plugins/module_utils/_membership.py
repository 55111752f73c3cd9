# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Reading a group's membership and the requested users, then applying a plan, at the fewest requests.

Backend-neutral: it talks to a backend (``_jira_cloud.JiraCloudBackend`` today) and leaves decisions to the planner.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Iterator

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import is_email
from ansible_collections.orgsync.atlassian.plugins.module_utils._jira_cloud import CHANGED, MEMBER_PAGE_SIZE, MemberPage
from ansible_collections.orgsync.atlassian.plugins.module_utils._lookup import (
    email_index,
    known_member,
    raise_unresolved,
    resolve_each,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import Plan

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
    # References that name no account at all (only tolerated for removals: "not a member" already holds).
    not_found: list[str] = field(default_factory=list)

    def not_found_warnings(self) -> list[str]:
        """What the task says about each reference in ``not_found``: what was checked, and why nothing is done."""
        label = self.group.name or self.group.group_id
        warnings = []
        for ref in self.not_found:
            if is_email(ref):
                warnings.append(
                    f"No active account has the email '{ref}' and no member of {label} shows it, so it is not a "
                    f"member of {label}: nothing to remove. A member whose privacy settings hide their email can only "
                    "be removed by accountId."
                )
            else:
                warnings.append(
                    f"No account has accountId '{ref}', so it is not a member of {label}: nothing to remove."
                )
        return warnings


@dataclass
class ApplyResult:
    added: list[User] = field(default_factory=list)
    removed: list[User] = field(default_factory=list)
    failures: list[tuple[str, User, str]] = field(default_factory=list)
    # Writes sent (or, in check mode, predicted), including those that found the change already made.
    attempted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def failure_details(self) -> list[dict]:
        return [dict(user.summary(), action=action, reason=reason) for action, user, reason in self.failures]

    def failure_message(self) -> str:
        """Which writes failed and why, and whether the others went through."""
        details = " | ".join(f"{action} {user.label}: {reason}" for action, user, reason in self.failures)
        if len(self.failures) < self.attempted:
            progress = "; the others were applied, and a re-run retries only what is still missing"
        else:
            progress = ", so nothing was changed; fix the cause given for each and re-run"
        return f"{len(self.failures)} of {self.attempted} membership changes failed{progress}: {details}"

    @classmethod
    def predicted(cls, plan: Plan) -> ApplyResult:
        """What a real run would report, for check mode: no request is sent."""
        return cls(added=list(plan.adds), removed=list(plan.removes), attempted=len(plan.adds) + len(plan.removes))


def choose_strategy(*, total: int | None, first_page_size: int, distinct_users: int, need_complete: bool) -> str:
    """Read all member pages, or check each user's groups, whichever costs fewer requests.

    ``distinct_users`` counts the requested users that the first page does not already answer. Reading the other
    pages costs one request each, and then only the users who are not members need a lookup (members resolve from
    the pages); checking per user costs a lookup and a ``user/groups`` request for each. So pages never cost more
    when there are no more of them than users, whoever turns out to be a member; beyond that, per user is chosen.
    """
    if need_complete or total is None:
        return ALL_PAGES
    # Pages hold as many as the first one did: Atlassian may lower maxResults silently.
    page_size = first_page_size or MEMBER_PAGE_SIZE
    remaining_pages = math.ceil(max(total - first_page_size, 0) / page_size)
    return ALL_PAGES if remaining_pages <= distinct_users else PER_USER


class MembershipService:
    def __init__(self, backend) -> None:
        self.backend = backend
        self.client = backend.client

    def resolve_group(self, *, name: str | None, group_id: str | None) -> Group:
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
        # In this order, so that a missing group fails with the lookup's message rather than the page's bare 404.
        group, first = self.client.map_concurrently(
            lambda step: step(), [lambda: self.resolve_group(name=None, group_id=group_id), lambda: next(pages, None)]
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
        of failing, since "not a member" already holds for it. Before concluding that, an email that user search
        could not find is looked for in the whole member listing, which (unlike the search) shows deactivated
        accounts: offboarding usually deactivates a leaver first and removes their groups afterwards.
        Raises ``ResolutionError`` naming every reference that does not resolve to one person's account.
        """
        pages = pages if pages is not None else self.backend.iter_member_pages(group)
        first = next(pages, None)
        members: dict[str, User] = {u.account_id: u for u in (first.users if first else ())}
        on_first_page = email_index(members)
        strategy = choose_strategy(
            total=first.total if first else 0,
            first_page_size=len(members),
            distinct_users=sum(1 for ref in refs if known_member(ref, members, on_first_page) is None),
            need_complete=need_complete,
        )

        def read_other_pages() -> None:
            for page in pages:
                members.update((u.account_id, u) for u in page.users)

        if strategy == ALL_PAGES:
            read_other_pages()
        # Members seen so far (all of them, or the first page) resolve without a lookup.
        outcomes = resolve_each(self.backend, refs, members)
        unfound = [i for i, o in enumerate(outcomes) if isinstance(o, UnknownUserError)]
        if missing_ok and strategy == PER_USER and any(is_email(refs[i]) for i in unfound):
            # Read once for every such reference; this costs only the pages the per-user strategy skipped.
            read_other_pages()
            strategy = ALL_PAGES
            by_email = email_index(members)
            for i in unfound:
                outcomes[i] = known_member(refs[i], members, by_email) or outcomes[i]
        not_found = [refs[i] for i in unfound if isinstance(outcomes[i], UnknownUserError)] if missing_ok else []
        resolved = raise_unresolved(
            outcomes, consequence=", so nothing was changed", tolerate=UnknownUserError if missing_ok else ()
        )
        if strategy == ALL_PAGES:
            return Snapshot(group, members, True, resolved, strategy, not_found)
        # Per-user: membership of the requested users only; the first page already told us about some of them.
        unknown = [u for u in resolved if u.account_id not in members]
        group_ids = self.client.map_concurrently(lambda u: self.backend.user_group_ids(u.account_id), unknown)
        current = {u.account_id: u for u in resolved if u.account_id in members}
        current.update(
            {u.account_id: u for u, ids in zip(unknown, group_ids, strict=True) if ids and group.group_id in ids}
        )
        return Snapshot(group, current, False, resolved, strategy, not_found)

    def apply(self, group: Group, plan: Plan) -> ApplyResult:
        """Send the writes; one failing user does not stop the others."""
        operations = [("add", u) for u in plan.adds] + [("remove", u) for u in plan.removes]

        def run(operation: tuple[str, User]) -> str | AtlassianError:
            action, user = operation
            try:
                if action == "add":
                    return self.backend.add_member(group, user)
                return self.backend.remove_member(group, user)
            except AtlassianError as exc:
                return exc

        result = ApplyResult(attempted=len(operations))
        for (action, user), outcome in zip(operations, self.client.map_concurrently(run, operations), strict=True):
            if isinstance(outcome, AtlassianError):
                result.failures.append((action, user, outcome.message))
            elif outcome == CHANGED:
                (result.added if action == "add" else result.removed).append(user)
        return result
