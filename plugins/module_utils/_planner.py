# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Pure membership planning, from both sides (a group's people, a person's groups): no I/O, so every rule can be
tested exhaustively without HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import APP_ACCOUNT_TYPE
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

PRESENT = "present"
ABSENT = "absent"
# Why exclusive kept something it would otherwise have removed (the ``reason`` of the modules' ``kept`` entries).
KEPT_CALLER = "calling account"
KEPT_APP = "app account"
KEPT_BY_KEEP = "keep"


@dataclass(frozen=True)
class Plan:
    adds: tuple[User, ...]
    removes: tuple[User, ...]
    unchanged: tuple[User, ...]
    # Members that exclusive mode would have removed but keeps, each with the reason (KEPT_CALLER, KEPT_APP).
    kept: tuple[tuple[User, str], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.adds or self.removes)

    @property
    def protected(self) -> tuple[User, ...]:
        """The calling account, when exclusive kept it."""
        return tuple(user for user, reason in self.kept if reason == KEPT_CALLER)


def unique_users(users: Iterable[User]) -> list[User]:
    """Drop repeats by accountId, keeping the first: a user given by email and by accountId counts once."""
    seen: set[str] = set()
    result = []
    for user in users:
        if user.account_id not in seen:
            seen.add(user.account_id)
            result.append(user)
    return result


def plan_membership(
    current: Mapping[str, User],
    desired: Iterable[User],
    *,
    state: str,
    exclusive: bool = False,
    caller_account_id: str | None = None,
    membership_complete: bool = True,
) -> Plan:
    """What to add and remove so the group matches the request.

    ``current`` maps accountId to member. It may hold only the desired users' memberships (``membership_complete``
    false) unless ``exclusive`` is set, because an exclusive sync must see every member, inactive ones included.
    ``exclusive`` keeps two kinds of member it does not list: the calling account (removing it would lock the
    automation out) and app accounts (removing an app from a product or add-on group breaks the app; list it by
    accountId to say it belongs).
    """
    if state not in (PRESENT, ABSENT):
        raise ValueError(f"unknown state {state!r}")
    if exclusive and state != PRESENT:
        raise ValueError("exclusive only applies to state=present")
    if exclusive and not membership_complete:
        raise ValueError("exclusive needs the complete current membership")
    wanted = unique_users(desired)
    in_group = [u for u in wanted if u.account_id in current]
    not_in_group = [u for u in wanted if u.account_id not in current]
    if state == ABSENT:
        return Plan(adds=(), removes=tuple(in_group), unchanged=tuple(not_in_group))
    removes: list[User] = []
    kept: list[tuple[User, str]] = []
    if exclusive:
        wanted_ids = {u.account_id for u in wanted}
        for member in sorted(current.values(), key=lambda u: (u.label.lower(), u.account_id)):
            if member.account_id in wanted_ids:
                continue
            if member.account_id == caller_account_id:
                kept.append((member, KEPT_CALLER))
            elif member.account_type == APP_ACCOUNT_TYPE:
                kept.append((member, KEPT_APP))
            else:
                removes.append(member)
    return Plan(adds=tuple(not_in_group), removes=tuple(removes), unchanged=tuple(in_group), kept=tuple(kept))


def members_after(current: Mapping[str, User], added: Iterable[User], removed: Iterable[User]) -> dict[str, User]:
    """The membership after these changes."""
    gone = {u.account_id for u in removed}
    after = {k: v for k, v in current.items() if k not in gone}
    after.update({u.account_id: u for u in added})
    return after


def membership_diff(
    group_label: str, current: Mapping[str, User], added: Iterable[User], removed: Iterable[User]
) -> dict:
    """Ansible's ``diff`` for a group: sorted member labels before and after."""

    def labels(members: Mapping[str, User]) -> list[str]:
        return sorted((u.label for u in members.values()), key=str.lower)

    return {
        "before": {"group": group_label, "members": labels(current)},
        "after": {"group": group_label, "members": labels(members_after(current, added, removed))},
    }


@dataclass(frozen=True)
class GroupsPlan:
    """A person's groups to join and to leave; ``kept``: groups exclusive would have left but ``keep`` protects."""

    adds: tuple[Group, ...]
    removes: tuple[Group, ...]
    unchanged: tuple[Group, ...]
    kept: tuple[Group, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.adds or self.removes)


def plan_user_groups(
    current: Iterable[Group],
    desired: Iterable[Group],
    *,
    state: str,
    exclusive: bool = False,
    keep: Callable[[Group], bool] = lambda group: False,
) -> GroupsPlan:
    """Which groups a person joins and leaves so that their groups match the request (groups compare by id).

    ``exclusive`` (with ``state=present``): leave every current group that is not desired, except those ``keep``
    protects. An empty ``desired`` with ``exclusive`` is "leave everything but the kept groups": a leaver's offboarding.
    """
    if state not in (PRESENT, ABSENT):
        raise ValueError(f"unknown state {state!r}")
    if exclusive and state != PRESENT:
        raise ValueError("exclusive only applies to state=present")
    current = list({g.group_id: g for g in current}.values())
    wanted = list({g.group_id: g for g in desired}.values())
    member_of = {g.group_id for g in current}
    wanted_ids = {g.group_id for g in wanted}
    if state == ABSENT:
        leave = [g for g in wanted if g.group_id in member_of]
        return GroupsPlan(adds=(), removes=tuple(leave), unchanged=tuple(g for g in wanted if g not in leave))
    join = [g for g in wanted if g.group_id not in member_of]
    stay = [g for g in wanted if g.group_id in member_of]
    others = sorted((g for g in current if g.group_id not in wanted_ids), key=lambda g: (g.label.lower(), g.group_id))
    removes = [g for g in others if exclusive and not keep(g)]
    kept = [g for g in others if exclusive and keep(g)]
    return GroupsPlan(adds=tuple(join), removes=tuple(removes), unchanged=tuple(stay), kept=tuple(kept))


def groups_diff(user_label: str, current: Iterable[Group], added: Iterable[Group], removed: Iterable[Group]) -> dict:
    """Ansible's ``diff`` for a person: their group names before and after."""
    before = {g.group_id: g for g in current}
    after = {k: v for k, v in before.items() if k not in {g.group_id for g in removed}}
    after.update({g.group_id: g for g in added})

    def labels(groups: Mapping[str, Group]) -> list[str]:
        return sorted((g.label for g in groups.values()), key=str.lower)

    return {
        "before": {"user": user_label, "groups": labels(before)},
        "after": {"user": user_label, "groups": labels(after)},
    }
