# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Many groups at once (``atlassian_groups``), planned without I/O: which groups are created, filled, emptied of
the unlisted, or deleted, and the one line a reviewer reads ("2 groups created, 14 people added, 3 removed, 1 group
deleted"). Each group's membership is ``plan_membership``'s decision, so every rule of one group (idempotence, the
caller and app accounts kept by exclusive, a person given twice) holds for each of many."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import (
    ABSENT,
    PRESENT,
    Plan,
    members_after,
    plan_membership,
)

# What happens to a group as a whole.
CREATE = "create"
DELETE = "delete"
KEEP = "keep"  # it exists and stays; its members may change
NOTHING = "none"  # absent and not there: nothing to do


@dataclass(frozen=True)
class GroupRequest:
    """One entry of ``groups``: the group, its people (references as written), and whether it exists."""

    name: str
    users: tuple[str, ...] = ()
    state: str = PRESENT

    @property
    def key(self) -> str:
        return group_key(self.name)


@dataclass(frozen=True)
class GroupChange:
    """What one group goes through. ``group`` is the existing group (``None`` when it is to be created, or absent
    and not there); ``current`` its members before (empty for a group to create); ``plan`` the membership writes
    (none for a deletion: the members go with the group); ``listed`` false for a group ``purge_prefix`` deletes."""

    name: str
    action: str
    group: Group | None = None
    current: Mapping[str, User] = field(default_factory=dict)
    plan: Plan = field(default_factory=lambda: Plan((), (), ()))
    listed: bool = True

    @property
    def changed(self) -> bool:
        return self.action in (CREATE, DELETE) or self.plan.changed


def group_key(name: str) -> str:
    """How group names compare: Atlassian's group names are case-insensitive (surrounding space is not part of one)."""
    return name.strip().casefold()


def under_prefix(name: str | None, prefix: str | None) -> bool:
    return bool(prefix) and group_key(name or "").startswith(group_key(prefix))


def check_requests(requests: Sequence[GroupRequest], purge_prefix: str | None) -> None:
    """The task's own contradictions, found before any request: a group listed twice (which entry would win?), an
    unnamed group, people listed for a group that is to be deleted, a prefix that owns nothing or everything."""
    seen: dict[str, str] = {}
    for index, request in enumerate(requests):
        if not request.name.strip():
            raise ConfigurationError(
                f"groups[{index}] has no name", hint="Give every entry of groups a name, for example name: team-data"
            )
        if request.state not in (PRESENT, ABSENT):
            raise ConfigurationError(
                f"groups[{index}] ({request.name}) has state '{request.state}'",
                hint="Set state to present or absent",
            )
        if request.key in seen:
            raise ConfigurationError(
                f"groups lists {request.name} twice (as '{seen[request.key]}' and as '{request.name}'; group names "
                "are case-insensitive)",
                hint="Merge the two entries into one",
            )
        seen[request.key] = request.name
        if request.state == ABSENT and request.users:
            raise ConfigurationError(
                f"groups[{index}] ({request.name}) has state absent and users: a group that is deleted has no members",
                hint="Remove users from the entry, or set state: present to keep the group with those people",
            )
    if purge_prefix is not None and not purge_prefix.strip():
        raise ConfigurationError(
            "purge_prefix is empty, which would own every group of the site and delete all that groups does not list",
            hint="Set purge_prefix to the prefix of the groups this file owns, for example team-, or leave it unset",
        )


def unlisted_under_prefix(
    existing: Iterable[Group], requests: Sequence[GroupRequest], prefix: str | None
) -> list[Group]:
    """The groups ``purge_prefix`` deletes: those whose names start with it and that ``groups`` does not list. Without
    a prefix, none: nothing unlisted is touched."""
    if not prefix:
        return []
    listed = {request.key for request in requests}
    found = {g.group_id: g for g in existing if under_prefix(g.name, prefix) and group_key(g.name or "") not in listed}
    return sorted(found.values(), key=lambda g: (group_key(g.name or ""), g.group_id))


def plan_group(
    request: GroupRequest,
    group: Group | None,
    current: Mapping[str, User],
    users: Iterable[User],
    *,
    exclusive: bool,
    caller_account_id: str | None = None,
) -> GroupChange:
    """One listed group: ``group`` is the existing one (or ``None``), ``current`` all its members, ``users`` the
    accounts its references resolved to."""
    if request.state == ABSENT:
        if group is None:
            return GroupChange(request.name, NOTHING)
        return GroupChange(group.name or request.name, DELETE, group, current)
    current = current if group is not None else {}
    plan = plan_membership(current, users, state=PRESENT, exclusive=exclusive, caller_account_id=caller_account_id)
    name = (group.name if group is not None else None) or request.name.strip()
    return GroupChange(name, KEEP if group is not None else CREATE, group, current, plan)


def purge(group: Group, current: Mapping[str, User]) -> GroupChange:
    """An unlisted group under the prefix: deleted."""
    return GroupChange(group.label, DELETE, group, current, listed=False)


@dataclass(frozen=True)
class Totals:
    created: int = 0
    deleted: int = 0
    added: int = 0
    removed: int = 0
    failed: int = 0

    def as_result(self) -> dict:
        return {
            "created": self.created,
            "deleted": self.deleted,
            "added": self.added,
            "removed": self.removed,
            "failed": self.failed,
        }

    def summary(self) -> str:
        """The line a CI job posts on a pull request: "2 groups created, 14 people added, 3 removed, 1 group
        deleted". Additions and removals count memberships: a person added to two groups counts twice."""

        def count(n: int, one: str, many: str) -> str:
            return f"{n} {one if n == 1 else many}"

        parts = []
        if self.created:
            parts.append(count(self.created, "group", "groups") + " created")
        if self.added:
            parts.append(count(self.added, "person", "people") + " added")
        if self.removed:
            parts.append(
                f"{self.removed} removed" if self.added else count(self.removed, "person", "people") + " removed"
            )
        if self.deleted:
            parts.append(count(self.deleted, "group", "groups") + " deleted")
        if self.failed:
            parts.append(count(self.failed, "group", "groups") + " failed")
        return ", ".join(parts) if parts else "no changes"


def group_diff(change: GroupChange, *, created: bool, deleted: bool, added, removed) -> dict:
    """Ansible's ``diff`` for one group: whether it exists and its members (labels, sorted), before and after.
    ``created``/``deleted``, ``added``/``removed``: what was done (in check mode, what would be)."""
    before = dict(change.current)
    exists_before = change.group is not None
    exists_after = (exists_before or created) and not deleted
    after = members_after(before, added, removed) if exists_after else {}

    def labels(members: Mapping[str, User]) -> list[str]:
        return sorted((u.label for u in members.values()), key=str.lower)

    return {
        "before_header": change.name,
        "after_header": change.name,
        "before": {"group": change.name, "exists": exists_before, "members": labels(before)},
        "after": {"group": change.name, "exists": exists_after, "members": labels(after)},
    }
