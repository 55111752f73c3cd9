# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""How a user reference (an email or an accountId) becomes exactly one account, or a clear refusal."""

from __future__ import annotations

import re
from typing import Iterable

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    ConfigurationError,
    ResolutionError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User

# Deliberately loose: Atlassian decides what a valid address is; this only catches typos before any request.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# accountIds are opaque, up to 128 characters; in practice hex or "<digits>:<uuid>". Data Center usernames (which
# take the place of accountIds there) may also hold dots, apostrophes and plus signs, and be up to 255 long.
_ACCOUNT_ID = re.compile(r"^[\w.:+'\-]{1,255}$")

PERSON_ACCOUNT_TYPE = "atlassian"
ACCOUNT_ID_REMEDY = (
    "Pass the user's accountId instead (admin.atlassian.com > Directory > Users: it is the last part of the "
    "profile URL), or look it up with orgsync.atlassian.atlassian_user_info"
)


def is_email(ref: str) -> bool:
    return "@" in ref


def reference_key(ref: str) -> str:
    """Emails compare case-insensitively; accountIds exactly."""
    return ref.strip().lower() if is_email(ref) else ref.strip()


def check_references(refs: Iterable[str | None], option: str) -> list[str]:
    """Syntax checks that need no network. Returns the distinct references, or raises naming every bad one."""
    problems = []
    distinct: dict[str, str] = {}
    for index, raw in enumerate(refs):
        ref = (raw or "").strip()
        if not ref:
            problems.append(f"{option}[{index}] is empty")
        elif is_email(ref) and not _EMAIL.match(ref):
            problems.append(f"'{ref}' is not a valid email address")
        elif not is_email(ref) and not _ACCOUNT_ID.match(ref):
            problems.append(
                f"'{ref}' is neither an email address (it has no '@') nor an Atlassian accountId or Data Center "
                "username"
            )
        else:
            distinct.setdefault(reference_key(ref), ref)
    if problems:
        raise ConfigurationError(
            "Invalid user reference: " + "; ".join(problems),
            hint="Give each user as an email address (jane@acme.com) or an accountId "
            "(for example 5b10ac8d82e05b22cc7d4ef5; on Data Center, a username such as jdoe); remove empty entries",
        )
    return list(distinct.values())


def pick_user_for_email(email: str, candidates: Iterable[User], not_found: UnknownUserError) -> User:
    """Choose the one account an email names from a backend's candidates (``Backend.find_by_email``), or raise.

    ``not_found`` is raised when none fits: the backend's own words for what it searched and what to do.

    Keeps only exact, case-insensitive email matches so that ``jo@acme.com`` never resolves to ``jo@acme.com.au``.
    Atlassian returns a user whose email is hidden by privacy settings only for an exact full-email query, with no
    ``emailAddress``; a single such result is therefore accepted.
    """
    wanted = email.strip().lower()
    candidates = list(candidates)
    exact = [u for u in candidates if u.email and u.email.lower() == wanted]
    people = [u for u in exact if u.account_type == PERSON_ACCOUNT_TYPE]
    if len(people) == 1:
        return people[0]
    if len(people) > 1:
        ids = ", ".join(u.account_id for u in people)
        raise ResolutionError(
            f"'{email}' is ambiguous: {len(people)} accounts have this email ({ids})",
            hint="Pass the accountId of the intended account instead of the email",
        )
    if exact:
        kinds = ", ".join(sorted({u.account_type for u in exact}))
        raise ResolutionError(
            f"'{email}' belongs to an account of type {kinds}, not a person's Atlassian account",
            hint="This module manages people; remove app and customer accounts from the list",
        )
    hidden = [u for u in candidates if not u.email and u.account_type == PERSON_ACCOUNT_TYPE]
    if len(hidden) == 1:
        return hidden[0]
    if len(hidden) > 1:
        raise ResolutionError(
            f"'{email}' matched {len(hidden)} accounts whose emails are hidden, so it cannot be told which is meant",
            hint=ACCOUNT_ID_REMEDY,
        )
    raise not_found


def check_account(user: User | None, ref: str, not_found: UnknownUserError, id_name: str = "accountId") -> User:
    """A lookup by accountId (username on Data Center) must find a person; ``not_found`` is the backend's error for
    none."""
    if user is None:
        raise not_found
    if user.account_type != PERSON_ACCOUNT_TYPE:
        raise ResolutionError(
            f"{id_name} '{ref}' is an account of type {user.account_type}, not a person's Atlassian account",
            hint="This module manages people; remove app and customer accounts from the list",
        )
    return user
