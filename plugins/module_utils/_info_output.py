# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What the read-only modules return: a group's members, and how to name them for ``atlassian_group_member``."""

from __future__ import annotations

from typing import Callable, Iterable

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    ConfigurationError,
    ResolutionError,
    operation,
    summarise,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import APP_ACCOUNT_TYPE, PERSON_ACCOUNT_TYPE
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User


def member_references(members: Iterable[User]) -> list[str]:
    """How to name each member so that ``atlassian_group_member`` resolves it back to exactly that account.

    The email when it is visible, the account is a person's, is not known to be deactivated and no other member
    shares it; otherwise the accountId. User search finds only active accounts, an email shared by two accounts is
    ambiguous, and an app's account is named by its accountId only, so in those cases only the accountId is certain
    to name the same account again. (On Jira Data Center, where users may share an address, an email that an account
    outside the group has too is ambiguous as well; only looking each email up would tell, and the membership module
    then fails naming both accounts. On Atlassian Cloud an address is one account's.)
    """
    members = list(members)
    owners: dict[str, int] = {}
    for member in members:
        if member.email:
            owners[member.email.lower()] = owners.get(member.email.lower(), 0) + 1
    return [
        m.email
        if m.email and m.active is not False and m.account_type == PERSON_ACCOUNT_TYPE and owners[m.email.lower()] == 1
        else m.account_id
        for m in members
    ]


def non_person_members(members: Iterable[User]) -> list[User]:
    """Members that are neither people's Atlassian accounts nor apps' (customers): ``atlassian_group_member`` refuses
    them. An app's account is accepted by its accountId."""
    return [m for m in members if m.account_type not in (PERSON_ACCOUNT_TYPE, APP_ACCOUNT_TYPE)]


def exported(members: Iterable[User]) -> dict:
    """What ``atlassian_group_member_info`` returns for feeding back: ``users``, the people's references (and those of
    accounts of other types, which the module warns about); ``apps``, the app accounts' accountIds, apart, since
    ``atlassian_group_member``'s ``exclusive`` keeps an app it is not given (and takes it as one of the named members
    when it is); and ``people``, one entry per entry of ``users``, in the same order, with the display name and email
    beside the reference, so that a reviewer of an exported list can tell who a bare accountId is."""
    members = list(members)
    named = list(zip(member_references(members), members, strict=True))
    users = [(ref, m) for ref, m in named if m.account_type != APP_ACCOUNT_TYPE]
    return {
        "users": [ref for ref, _m in users],
        "apps": [ref for ref, m in named if m.account_type == APP_ACCOUNT_TYPE],
        "people": [dict(reference=ref, **m.as_result()) for ref, m in users],
    }


def exported_groups(
    backend, names: list[str], prefix: str | None, read_members: Callable[[Group], list[User]]
) -> list[dict]:
    """Groups named, and those whose names start with ``prefix``, each as ``{name, users}``: the shape
    ``atlassian_groups`` takes (its ``users`` as ``exported`` names them; apps left out, which its ``exclusive``
    keeps). Named groups are looked up and the prefix's listed, then every group's members read concurrently with
    ``read_members`` (``MembershipService.members``)."""
    if prefix is not None and not prefix.strip():
        raise ConfigurationError("name_prefix is empty", hint="Set name_prefix to a prefix, for example team-")
    found: dict[str, Group] = {}
    if prefix:
        with operation(f"listing the groups whose names start with {prefix}"):
            listing = backend.groups_with_prefix(prefix)
        for group in listing:
            if (group.name or "").casefold().startswith(prefix.strip().casefold()):
                found[group.group_id] = group
    wanted = [n.strip() for n in dict.fromkeys(names) if n.strip()]

    def look_up(name: str) -> Group | AtlassianError:
        try:
            with operation(f"looking up group {name}"):
                return backend.find_group(name=name)
        except ResolutionError as exc:  # collected below: every name that fails, at once
            return exc

    answers = backend.concurrently(look_up, wanted)
    problems = [(n, a.message) for n, a in zip(wanted, answers, strict=True) if isinstance(a, AtlassianError)]
    if problems:
        raise ResolutionError(f"{len(problems)} of {len(wanted)} groups could not be found: " + summarise(problems))
    found.update((g.group_id, g) for g in answers)
    groups = sorted(found.values(), key=lambda g: (g.label.casefold(), g.group_id))
    members = backend.concurrently(read_members, groups)
    return [{"name": g.label, "users": exported(m)["users"]} for g, m in zip(groups, members, strict=True)]
