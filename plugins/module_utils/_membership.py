# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Reading a group's membership and the requested users, then applying a plan, at the fewest requests.

Backend-neutral: it talks to a backend (``_jira_cloud.JiraCloudBackend`` today) and leaves decisions to the planner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError, ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    check_account,
    is_email,
    pick_user_for_email,
    reference_key,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._jira_cloud import CHANGED, MEMBER_PAGE_SIZE
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


@dataclass
class ApplyResult:
    added: list[User] = field(default_factory=list)
    removed: list[User] = field(default_factory=list)
    failures: list[tuple[str, User, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @classmethod
    def predicted(cls, plan: Plan) -> ApplyResult:
        """What a real run would report, for check mode: no request is sent."""
        return cls(added=list(plan.adds), removed=list(plan.removes))


def choose_strategy(*, total: int | None, first_page_size: int, distinct_users: int, need_complete: bool) -> str:
    """Read all member pages, or check each user's groups, whichever costs fewer requests.

    Reading pages costs one request per remaining page and also resolves members' visible emails for free;
    checking per user costs one ``user/groups`` request each (on top of the lookup both ways need for non-members).
    """
    if need_complete or total is None:
        return ALL_PAGES
    remaining_pages = math.ceil(max(total - first_page_size, 0) / MEMBER_PAGE_SIZE)
    return ALL_PAGES if remaining_pages <= distinct_users else PER_USER


class MembershipService:
    def __init__(self, backend) -> None:
        self.backend = backend
        self.client = backend.client

    def resolve_group(self, *, name: str | None, group_id: str | None) -> Group:
        return self.backend.find_group(name=name, group_id=group_id)

    def snapshot(self, group: Group, refs: list[str], *, need_complete: bool) -> Snapshot:
        """Resolve every reference and learn their membership before anything is written.

        Raises ``ResolutionError`` naming every reference that does not resolve to one person's account.
        """
        pages = self.backend.iter_member_pages(group)
        first = next(pages, None)
        members: dict[str, User] = {u.account_id: u for u in (first.users if first else ())}
        strategy = choose_strategy(
            total=first.total if first else 0,
            first_page_size=len(members),
            distinct_users=len(refs),
            need_complete=need_complete,
        )
        if strategy == ALL_PAGES:
            for page in pages:
                members.update((u.account_id, u) for u in page.users)
        # Members seen so far (all of them, or the first page) resolve without a lookup.
        resolved = self._resolve(refs, members)
        if strategy == ALL_PAGES:
            return Snapshot(group, members, True, resolved, strategy)
        # Per-user: membership of the requested users only; the first page already told us about some of them.
        unknown = [u for u in resolved if u.account_id not in members]
        group_ids = self.client.map_concurrently(lambda u: self.backend.user_group_ids(u.account_id), unknown)
        current = {u.account_id: u for u in resolved if u.account_id in members}
        current.update(
            {u.account_id: u for u, ids in zip(unknown, group_ids, strict=True) if ids and group.group_id in ids}
        )
        return Snapshot(group, current, False, resolved, strategy)

    def _resolve(self, refs: list[str], known_members: dict[str, User]) -> list[User]:
        """Each reference to one account: from the member pages when possible, else one lookup each."""
        by_email: dict[str, list[User]] = {}
        for member in known_members.values():
            if member.email:
                by_email.setdefault(member.email.lower(), []).append(member)

        def resolve_one(ref: str) -> User | str:
            try:
                if is_email(ref):
                    matches = by_email.get(reference_key(ref), [])
                    if len(matches) == 1 and matches[0].account_type == "atlassian":
                        return matches[0]
                    return pick_user_for_email(ref, self.backend.search_users(ref.strip()))
                account_id = ref.strip()
                if account_id in known_members:
                    return check_account(known_members[account_id], account_id)
                return check_account(self.backend.get_user(account_id), account_id)
            except ResolutionError as exc:
                return exc.message

        outcomes = self.client.map_concurrently(resolve_one, refs)
        problems = [o for o in outcomes if isinstance(o, str)]
        if problems:
            raise ResolutionError(
                f"{len(problems)} of {len(refs)} users could not be resolved, so nothing was changed: "
                + " | ".join(problems)
            )
        return [o for o in outcomes if isinstance(o, User)]

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

        result = ApplyResult()
        for (action, user), outcome in zip(operations, self.client.map_concurrently(run, operations), strict=True):
            if isinstance(outcome, AtlassianError):
                result.failures.append((action, user, outcome.message))
            elif outcome == CHANGED:
                (result.added if action == "add" else result.removed).append(user)
        return result
