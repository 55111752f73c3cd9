# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Validation of the membership options, with messages that say what to change (Ansible's generic ones don't)."""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import check_references


@dataclass(frozen=True)
class MembershipRequest:
    group: str | None
    group_id: str | None
    users: list[str]
    state: str
    exclusive: bool


def given(value) -> bool:
    """Whether an option is set: a string that is blank is not."""
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def exactly_one(params: dict, first: str, second: str, example: str) -> None:
    given_ = [name for name in (first, second) if given(params.get(name))]
    if len(given_) == 2:
        raise ConfigurationError(f"Both {first} and {second} are set", hint=f"Set only one of them, {example}")
    if not given_:
        raise ConfigurationError(f"Neither {first} nor {second} is set", hint=f"Set one of them, {example}")


def group_selector(params: dict) -> tuple[str | None, str | None]:
    """The group's name or id, without surrounding whitespace: every backend looks the group up trimmed (Data Center
    servers trim names themselves, Cloud would not find "team-platform "), so that check mode and a real run agree."""
    exactly_one(params, "group", "group_id", "for example group: jira-software-users")
    return (params.get("group") or "").strip() or None, (params.get("group_id") or "").strip() or None


def membership_request(params: dict) -> MembershipRequest:
    group, group_id = group_selector(params)
    exactly_one(params, "user", "users", "for example user: jane@acme.com, or users: a list of them")
    exclusive = bool(params.get("exclusive"))
    state = params.get("state") or "present"
    if exclusive and state == "absent":
        raise ConfigurationError(
            "exclusive=true cannot be combined with state=absent",
            hint="Use state=present with exclusive=true to make the listed users the only members, or drop exclusive "
            "to remove the listed users",
        )
    if given(params.get("user")):
        users = check_references([params["user"]], "user")
    else:
        users = check_references(params["users"], "users")
    if not users and not exclusive:
        raise ConfigurationError(
            "users is empty", hint="List at least one user, or use exclusive=true to empty the group"
        )
    return MembershipRequest(group=group, group_id=group_id, users=users, state=state, exclusive=exclusive)


@dataclass(frozen=True)
class UserGroupsRequest:
    user: str
    groups: list[str]
    state: str
    exclusive: bool
    keep: list[str]

    @property
    def removal_only(self) -> bool:
        """Nothing will be added: the person only leaves groups (a leaver may then be deactivated already)."""
        return self.state == "absent" or (self.exclusive and not self.groups)


def group_references(refs: list[str] | None, option: str) -> list[str]:
    """Group names or ids, without repeats; an empty entry is a mistake worth naming."""
    cleaned = [(ref or "").strip() for ref in refs or []]
    empty = [f"{option}[{i}]" for i, ref in enumerate(cleaned) if not ref]
    if empty:
        raise ConfigurationError(
            f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty",
            hint=f"Give each entry of {option} as a group name or a group id, or remove the empty ones",
        )
    return list(dict.fromkeys(cleaned))


def user_groups_request(params: dict) -> UserGroupsRequest:
    state = params.get("state") or "present"
    exclusive = bool(params.get("exclusive"))
    if exclusive and state == "absent":
        raise ConfigurationError(
            "exclusive=true cannot be combined with state=absent",
            hint="Use state=present with exclusive=true to make groups the person's only groups (groups: [] takes "
            "them out of every group but keep), or drop exclusive to take them out of the listed groups",
        )
    (user,) = check_references([params.get("user")], "user")
    groups = group_references(params.get("groups"), "groups")
    if not groups and not exclusive:
        raise ConfigurationError(
            "groups is empty",
            hint="List at least one group, or use exclusive=true with groups: [] to take the person out of every "
            "group but keep",
        )
    return UserGroupsRequest(
        user=user, groups=groups, state=state, exclusive=exclusive, keep=group_references(params.get("keep"), "keep")
    )
