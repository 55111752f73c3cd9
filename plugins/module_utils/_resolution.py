# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""User references (emails, accountIds) to accounts, through a backend and the rules of ``_identity``.

The membership service and ``atlassian_user_info`` both resolve here, so a reference that ``atlassian_user_info``
resolves is one ``atlassian_group_member`` accepts, and one it refuses is refused with the same message.
"""

from __future__ import annotations

from typing import Mapping

from ansible_collections.orgsync.atlassian.plugins.module_utils._backend import EMAIL
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError, operation, summarise
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    PERSON_ACCOUNT_TYPE,
    check_account,
    is_email,
    pick_user_for_email,
    reference_key,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User


def email_index(members: Mapping[str, User]) -> dict[str, list[User]]:
    """Members by lower-cased visible email (a list: two accounts may share one)."""
    by_email: dict[str, list[User]] = {}
    for member in members.values():
        if member.email:
            by_email.setdefault(member.email.lower(), []).append(member)
    return by_email


def known_member(ref: str, members: Mapping[str, User], by_email: Mapping[str, list[User]]) -> User | None:
    """The member ``ref`` names when the members already read tell without a lookup: an accountId among them, or an
    email that exactly one of them shows on a person's account (anything else is left to the backend's rules)."""
    if is_email(ref):
        matches = by_email.get(reference_key(ref), [])
        return matches[0] if len(matches) == 1 and matches[0].account_type == PERSON_ACCOUNT_TYPE else None
    return members.get(ref.strip())


def resolve_reference(
    backend, ref: str, members: Mapping[str, User] | None = None, by_email: Mapping[str, list[User]] | None = None
) -> User:
    """One email or accountId to exactly one person's account, or ``ResolutionError`` saying why not.

    ``members`` (group members already read) answer without a request when they can.
    """
    ref = ref.strip()
    members = members or {}
    member = known_member(ref, members, by_email if by_email is not None else email_index(members))
    if member is not None:
        return (
            member
            if is_email(ref)
            else check_account(member, ref, backend.account_not_found(ref), backend.user_id_name)
        )
    with operation(f"looking up {ref}"):
        if is_email(ref):
            return pick_user_for_email(ref, backend.find_by_email(ref), backend.email_not_found(ref))
        return check_account(backend.get_user(ref), ref, backend.account_not_found(ref), backend.user_id_name)


def refuse_unsupported_references(backend, refs: list[str]) -> None:
    """Emails given to a backend that cannot look users up by email fail here, before anything is read: a removal
    would otherwise "find nobody" and report success without removing anyone."""
    emails = [ref.strip() for ref in refs if is_email(ref)]
    if emails and EMAIL not in backend.reference_kinds:
        raise backend.emails_unsupported(emails)


def resolve_each(backend, refs: list[str], members: Mapping[str, User] | None = None) -> list[User | ResolutionError]:
    """Each reference resolved (concurrently, order kept): its account, or the ``ResolutionError`` saying why not."""
    refuse_unsupported_references(backend, refs)
    members = members or {}
    by_email = email_index(members)

    def resolve_one(ref: str) -> User | ResolutionError:
        try:
            return resolve_reference(backend, ref, members, by_email)
        except ResolutionError as exc:
            exc.subject = ref.strip()
            return exc

    return backend.concurrently(resolve_one, refs)


def raise_unresolved(
    outcomes: list[User | ResolutionError], *, consequence: str = "", tolerate: type | tuple = ()
) -> list[User]:
    """The accounts, or one ``ResolutionError`` listing every failure that is not of a ``tolerate`` type.

    ``consequence`` completes the error's first sentence, e.g. ", so nothing was changed".
    """
    problems = [
        (o.subject, o.message) for o in outcomes if isinstance(o, ResolutionError) and not isinstance(o, tolerate)
    ]
    if problems:
        raise ResolutionError(
            f"{len(problems)} of {len(outcomes)} users could not be resolved{consequence}: " + summarise(problems)
        )
    return [o for o in outcomes if isinstance(o, User)]


def resolve_references(backend, refs: list[str], *, consequence: str = "") -> list[User]:
    """Every reference resolved (concurrently, order kept), or one ``ResolutionError`` listing each failure."""
    return raise_unresolved(resolve_each(backend, refs), consequence=consequence)
