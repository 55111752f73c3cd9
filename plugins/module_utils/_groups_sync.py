# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Many groups in one task (``atlassian_groups``): every group found, read, resolved and written by one process,
concurrently within the one client's rate gate. It speaks the backend contract only; decisions are
``_groups_plan``'s, and it reuses the services of one group (``GroupService``'s creation, deletion and its guard for
groups that grant access; ``_resolution`` and ``_writes`` for people and memberships).

A group that fails (a lookup, a person that does not resolve, a refused deletion, a write) fails alone: the others
still converge, and the task reports which failed and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    Backend,
    GroupLifecycle,
    Membership,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError, operation, summarise
from ansible_collections.orgsync.atlassian.plugins.module_utils._groups import GroupService
from ansible_collections.orgsync.atlassian.plugins.module_utils._groups_plan import (
    CREATE,
    DELETE,
    GroupChange,
    GroupRequest,
    Totals,
    group_diff,
    group_key,
    plan_group,
    purge,
    under_prefix,
    unlisted_under_prefix,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import PRESENT
from ansible_collections.orgsync.atlassian.plugins.module_utils._resolution import raise_unresolved, resolve_each
from ansible_collections.orgsync.atlassian.plugins.module_utils._writes import (
    ADD,
    REMOVE,
    ApplyResult,
    Write,
    collect,
    send_writes,
)

T = TypeVar("T")
R = TypeVar("R")
NOUN = "membership changes"


@dataclass
class Outcome:
    """One group's story: its planned change (``None`` when it failed before it could be planned), what was done
    (in check mode, what would be), and why it failed, if it did."""

    name: str
    change: GroupChange | None = None
    group: Group | None = None
    created: bool = False
    deleted: bool = False
    writes: ApplyResult = field(default_factory=lambda: ApplyResult(NOUN))
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.created or self.deleted or self.writes.changed

    def fail(self, exc: AtlassianError | str) -> None:
        self.error = exc if isinstance(exc, str) else exc.message

    def as_result(self) -> dict:
        change = self.change
        result = {
            "name": self.name,
            "group_id": self.group.group_id if self.group is not None else None,
            "listed": change.listed if change is not None else True,
            "created": self.created,
            "deleted": self.deleted,
            "added": [u.as_result() for u in self.writes.added],
            "removed": [u.as_result() for u in self.writes.removed],
            "kept": [dict(u.as_result(), reason=reason) for u, reason in (change.plan.kept if change else ())],
            "changed": self.changed,
            "failed": self.error is not None,
        }
        if self.error is not None:
            result["msg"] = self.error
        return result

    def diff(self) -> dict | None:
        if self.change is None or not self.changed:
            return None
        return group_diff(
            self.change,
            created=self.created,
            deleted=self.deleted,
            added=self.writes.added,
            removed=self.writes.removed,
        )


@dataclass
class _Group:
    """What is known of one group while the task reads: the request (``None`` for a purged group), the existing
    group, its members, and the outcome being written."""

    outcome: Outcome
    request: GroupRequest | None
    group: Group | None = None
    members: dict[str, User] = field(default_factory=dict)


class GroupsSync:
    #: The capabilities it asks of a backend (``AtlassianModule.service``): a backend without group creation and
    #: deletion is refused before any request, naming the backends that have them.
    needs = (Membership, GroupLifecycle)

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.groups = GroupService(backend)

    def _each(self, func: Callable[[T], R], items: Iterable[T]) -> list[R | AtlassianError]:
        """``func`` over items, concurrently within the rate gate, an ``AtlassianError`` kept as that item's answer."""

        def run(item: T) -> R | AtlassianError:
            try:
                return func(item)
            except AtlassianError as exc:
                return exc

        return self.backend.concurrently(run, items)

    # -- reading ---------------------------------------------------------------------------------------------------

    def run(
        self,
        requests: Sequence[GroupRequest],
        *,
        exclusive: bool,
        purge_prefix: str | None,
        allow_access_group_deletion: bool,
        check_mode: bool,
        diff: bool = False,
    ) -> list[Outcome]:
        """Read everything, plan, check, and (unless ``check_mode``) write. The outcomes, listed groups first (in the
        order given), then the groups ``purge_prefix`` deletes."""
        entries = [_Group(Outcome(r.name.strip()), r) for r in requests]
        listed = self._find(entries, purge_prefix)
        entries += [_Group(Outcome(g.label), None, g) for g in unlisted_under_prefix(listed, requests, purge_prefix)]
        self._read_members(entries, diff=diff)
        users = self._resolve(entries)
        caller = None
        if exclusive and any(e.request is not None and e.request.state == PRESENT for e in entries):
            with operation("finding out which account the credentials belong to"):
                caller = self.backend.caller_account_id()
        self._plan(entries, users, exclusive=exclusive, caller=caller)
        self._check(entries, allow_access_group_deletion=allow_access_group_deletion)
        if check_mode:
            self._predict(entries)
        else:
            self._apply(entries)
        return [e.outcome for e in entries]

    def _find(self, entries: list[_Group], purge_prefix: str | None) -> list[Group]:
        """Which listed groups exist. With a prefix, its listing answers for the listed groups under it (it must be
        read anyway); every other group is looked up, concurrently. Returns the listing (empty without a prefix)."""
        listing: list[Group] = []
        if purge_prefix:
            with operation(f"listing the groups whose names start with {purge_prefix}"):
                listing = self.backend.groups_with_prefix(purge_prefix)
        by_key: dict[str, Group] = {group_key(g.name or ""): g for g in listing if under_prefix(g.name, purge_prefix)}
        to_find = [e for e in entries if not under_prefix(e.request.name, purge_prefix)]
        for entry in entries:
            if under_prefix(entry.request.name, purge_prefix):
                entry.group = by_key.get(entry.request.key)
        found = self._each(lambda e: self.groups.find(name=e.request.name.strip(), group_id=None), to_find)
        for entry, answer in zip(to_find, found, strict=True):
            if isinstance(answer, AtlassianError):
                entry.outcome.fail(answer)
            else:
                entry.group = answer
        return listing

    def _read_members(self, entries: list[_Group], *, diff: bool) -> None:
        """Every existing group's members, all pages, each page once: the first pages of all groups together, then
        the groups that have more, each reading its own pages (concurrently, where its backend can). A group to
        delete is read only for the diff (its members go with it)."""
        to_read = [
            e
            for e in entries
            if e.group is not None
            and e.outcome.error is None
            and (diff or (e.request is not None and e.request.state == PRESENT))
        ]

        def first(entry: _Group):
            pages = self.backend.iter_member_pages(entry.group)
            with operation(f"reading the members of {entry.group.label}"):
                page = next(pages, None)
            entry.members.update((u.account_id, u) for u in (page.users if page else ()))
            return pages if page is not None else None

        def rest(pair) -> None:
            entry, pages = pair
            with operation(f"reading the members of {entry.group.label}"):
                for page in pages:
                    entry.members.update((u.account_id, u) for u in page.users)

        firsts = self._each(first, to_read)
        more = []
        for entry, answer in zip(to_read, firsts, strict=True):
            if isinstance(answer, AtlassianError):
                entry.outcome.fail(answer)
            elif answer is not None:
                more.append((entry, answer))
        # A group's later pages are fetched together on a pool of their own where the paging style allows it, so
        # the groups that have more are read one after the other: never more requests in flight than a pool allows.
        # (Few groups span pages: 50 members a page on Jira, 100 to 200 elsewhere.)
        answers = []
        for pair in more:
            try:
                answers.append(rest(pair))
            except AtlassianError as exc:
                answers.append(exc)
        for (entry, _pages), answer in zip(more, answers, strict=True):
            if isinstance(answer, AtlassianError):
                entry.outcome.fail(answer)

    def _resolve(self, entries: list[_Group]) -> dict[str, User | AtlassianError]:
        """Every person the file names, once, whichever groups name them: the members read answer for their
        accountIds (and, where an email is one account's, for the emails they show); the others are looked up."""
        refs = list(
            dict.fromkeys(
                ref.strip()
                for e in entries
                if e.request is not None and e.outcome.error is None
                for ref in e.request.users
            )
        )
        known: dict[str, User] = {}
        for entry in entries:
            known.update(entry.members)
        return dict(zip(refs, resolve_each(self.backend, refs, known), strict=True))

    # -- planning --------------------------------------------------------------------------------------------------

    def _plan(self, entries: list[_Group], users: Mapping, *, exclusive: bool, caller: str | None) -> None:
        for entry in entries:
            outcome = entry.outcome
            if outcome.error is not None:
                continue
            if entry.request is None:
                outcome.change = purge(entry.group, entry.members)
                outcome.group = entry.group
                continue
            try:
                resolved = raise_unresolved(
                    [users[ref.strip()] for ref in entry.request.users],
                    consequence=f", so {outcome.name} was not changed",
                )
            except AtlassianError as exc:
                outcome.fail(exc)
                continue
            outcome.change = plan_group(
                entry.request, entry.group, entry.members, resolved, exclusive=exclusive, caller_account_id=caller
            )
            outcome.name = outcome.change.name
            outcome.group = entry.group

    def _check(self, entries: list[_Group], *, allow_access_group_deletion: bool) -> None:
        """Before any write, and in check mode too (both only read): a deletion of a group that grants access is
        refused unless allowed, and a group whose membership the API will not change (synced from an identity
        provider) is refused before its writes. Each refusal fails its group only."""
        planned = [e for e in entries if e.outcome.error is None and e.outcome.change is not None]
        deletions = [e for e in planned if e.outcome.change.action == DELETE] if not allow_access_group_deletion else []
        changes = [
            e for e in planned if e.outcome.change.action != DELETE and e.group and e.outcome.change.plan.changed
        ]

        def check(entry: _Group) -> None:
            if entry.outcome.change.action == DELETE:
                self.groups.refuse_access_group_deletion(entry.group)
            else:
                with operation(f"checking that {entry.group.label} can be changed"):
                    self.backend.check_can_change(entry.group)

        for entry, answer in zip(deletions + changes, self._each(check, deletions + changes), strict=True):
            if isinstance(answer, AtlassianError):
                entry.outcome.fail(answer)

    # -- writing ---------------------------------------------------------------------------------------------------

    def _predict(self, entries: list[_Group]) -> None:
        for entry in entries:
            outcome, change = entry.outcome, entry.outcome.change
            if outcome.error is not None or change is None:
                continue
            outcome.created, outcome.deleted = change.action == CREATE, change.action == DELETE
            outcome.writes = ApplyResult.predicted(NOUN, change.plan.adds, change.plan.removes)

    def _apply(self, entries: list[_Group]) -> None:
        """Groups created and deleted first (together), then every membership write of every group (together)."""
        ready = [e for e in entries if e.outcome.error is None and e.outcome.change is not None]
        lifecycle = [e for e in ready if e.outcome.change.action in (CREATE, DELETE)]

        def create_or_delete(entry: _Group) -> Group | None:
            if entry.outcome.change.action == CREATE:
                return self.groups.create(entry.outcome.name)
            self.groups.delete(entry.group)
            return None

        for entry, answer in zip(lifecycle, self._each(create_or_delete, lifecycle), strict=True):
            outcome = entry.outcome
            if isinstance(answer, AtlassianError):
                outcome.fail(answer)
            elif outcome.change.action == CREATE:
                outcome.created, outcome.group = True, answer
            else:
                outcome.deleted = True

        writing = [e for e in ready if e.outcome.error is None and e.outcome.change.action != DELETE]
        writes = {id(e): membership_writes(e.outcome.group, e.outcome.change) for e in writing}
        every = [w for e in writing for w in writes[id(e)]]
        answers = iter(send_writes(self.backend, every))
        for entry in writing:
            mine = writes[id(entry)]
            entry.outcome.writes = collect(NOUN, mine, [next(answers) for _w in mine])
            if entry.outcome.writes.failures:
                entry.outcome.fail(entry.outcome.writes.failure_message())


def membership_writes(group: Group, change: GroupChange) -> list[Write]:
    return [Write(ADD, group, u, u) for u in change.plan.adds] + [
        Write(REMOVE, group, u, u) for u in change.plan.removes
    ]


def totals(outcomes: Iterable[Outcome]) -> Totals:
    outcomes = list(outcomes)
    return Totals(
        created=sum(o.created for o in outcomes),
        deleted=sum(o.deleted for o in outcomes),
        added=sum(len(o.writes.added) for o in outcomes),
        removed=sum(len(o.writes.removed) for o in outcomes),
        failed=sum(o.error is not None for o in outcomes),
    )


def failure_message(outcomes: Sequence[Outcome]) -> str:
    """Which groups failed and why, and that the others converged: a re-run retries what is still missing."""
    failed = [(o.name, o.error) for o in outcomes if o.error is not None]
    progress = "the others converged" if len(failed) < len(outcomes) else "no group converged"
    return (
        f"{len(failed)} of {len(outcomes)} groups failed ({progress}; fix the cause given for each and re-run: it "
        "finishes the job): " + summarise(failed)
    )
