# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""User references (emails, accountIds, usernames) to accounts, through a backend and the rules of ``_identity``.

The membership service and ``atlassian_user_info`` both resolve here, so a reference that ``atlassian_user_info``
resolves is one ``atlassian_group_member`` accepts, and one it refuses is refused with the same message.
"""

from __future__ import annotations

from typing import Mapping

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    ResolutionError,
    UnknownUserError,
    operation,
    summarise,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    PERSON_ACCOUNT_TYPE,
    check_account,
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


def known_member(
    ref: str, members: Mapping[str, User], by_email: Mapping[str, list[User]], *, as_email: bool
) -> User | None:
    """The member ``ref`` names as far as the members already read tell: an accountId among them, or an email that
    exactly one of them shows on a person's account. It tells whether ``ref`` is a member, which is what the read
    strategy counts; whether that member is also the email's only holder is ``answers_without_lookup``'s question."""
    if as_email:
        matches = by_email.get(reference_key(ref), [])
        return matches[0] if len(matches) == 1 and matches[0].account_type == PERSON_ACCOUNT_TYPE else None
    return members.get(ref.strip())


def answers_without_lookup(backend, ref: str, by_email: Mapping[str, list[User]]) -> User | None:
    """The member that is the email's holder without asking the backend, where one can be: on a backend whose emails
    are unique to a person's account (``Declarations.unique_emails``: Atlassian Cloud, one address one account), the one
    member that shows the email on a person's account. Elsewhere (Jira Data Center, where users may share an
    address), or when no member or several show it, ``None``: the email is looked up."""
    if not backend.declares.unique_emails or not backend.takes_as_email(ref):
        return None
    return known_member(ref, {}, by_email, as_email=True)


def resolve_reference(
    backend, ref: str, members: Mapping[str, User] | None = None, by_email: Mapping[str, list[User]] | None = None
) -> User:
    """One reference to exactly one account, or ``ResolutionError`` saying why not.

    An accountId (username) among ``members`` (group members already read) answers without a request. So does an
    email that one member shows on a person's account, where emails are unique to one account
    (``answers_without_lookup``). Any other email is looked up: its holders are the accounts the backend finds with
    it together with the members that show it, and only one of them may be (several fail, on every backend, even
    where the model says it cannot happen: an email is never guessed).
    """
    ref = ref.strip()
    members = members or {}
    if not backend.takes_as_email(ref):
        member = members.get(ref)
        if member is not None:
            return check_account(member, ref, backend.account_not_found(ref), backend.user_id_name)
        with operation(f"looking up {ref}"):
            return check_account(backend.get_user(ref), ref, backend.account_not_found(ref), backend.user_id_name)
    by_email = by_email if by_email is not None else email_index(members)
    holder = answers_without_lookup(backend, ref, by_email)
    if holder is not None:
        return holder
    with operation(f"looking up {ref}"):
        found = backend.find_by_email(ref)
    return pick_user_for_email(ref, [*found, *by_email.get(reference_key(ref), [])], backend.email_not_found(ref))


def resolve_each(backend, refs: list[str], members: Mapping[str, User] | None = None) -> list[User | ResolutionError]:
    """Each reference resolved (concurrently, order kept): its account, or the ``ResolutionError`` saying why not."""
    members = members or {}
    by_email = email_index(members)
    emails = [
        ref.strip()
        for ref in refs
        if backend.takes_as_email(ref) and answers_without_lookup(backend, ref, by_email) is None
    ]
    if emails:
        backend.prefetch_emails(emails)

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


def with_deactivated_holders(backend, ref: str, outcome: User | ResolutionError) -> User | ResolutionError:
    """``outcome`` of resolving ``ref``, or, for an email that no active account was found with, its deactivated
    holders' account where the backend sees deactivated accounts (``find_deactivated_by_email``; docs/identity.md,
    "Deactivated accounts"). ``atlassian_user_groups`` asks this for a task that only removes, ``atlassian_user_info``
    always: the same person is found by the same email in both."""
    if not isinstance(outcome, UnknownUserError) or not backend.takes_as_email(ref):
        return outcome
    with operation(f"looking up {ref} among deactivated accounts"):
        candidates = backend.find_deactivated_by_email(ref)
    if not candidates:
        return outcome
    try:
        return pick_user_for_email(ref, candidates, outcome)
    except ResolutionError as exc:
        return exc
