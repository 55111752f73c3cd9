# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What the read-only modules return: a group's members, and how to name them for ``atlassian_group_member``."""

from __future__ import annotations

from typing import Iterable

from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import APP_ACCOUNT_TYPE, PERSON_ACCOUNT_TYPE
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User


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
