# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""How a user reference (an email, an accountId or a Data Center username) becomes exactly one account, or a clear
refusal. docs/identity.md states the policy these rules implement; keep the two in step."""

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
# Characters that no email address (outside quoted local parts, which Atlassian does not take), accountId or
# username holds. A one-element YAML list given to a string option reaches the module as "['jane@acme.com']", which
# the loose email check above would pass: it names nobody, and a removal would then "succeed" without removing Jane.
_NEVER_IN_A_REFERENCE = re.compile(r"[\s\[\](){}<>\",;\\]")

PERSON_ACCOUNT_TYPE = "atlassian"
# An app's account (a bot such as Deploy Bot): accepted by accountId, never by email; exclusive keeps it.
APP_ACCOUNT_TYPE = "app"
ACCOUNT_ID_REMEDY = (
    "Pass the user's accountId instead (admin.atlassian.com > Directory > Users: it is the last part of the "
    "profile URL), or look it up with orgsync.atlassian.atlassian_user_info"
)
# The same on Data Center, whose users are known by username.
USERNAME_REMEDY = (
    "Pass the user's username instead (the login name: the user's profile, or the administration's user list, "
    "shows it), or look it up with orgsync.atlassian.atlassian_user_info"
)
# A reference that names no account may be a new hire's (issue 18): the module that makes accounts.
NEW_ACCOUNT_REMEDY = (
    "If the person has no account yet (a new hire), invite or create it with orgsync.atlassian.atlassian_user, whose "
    "groups option also adds it to groups in the same task"
)


def is_email(ref: str) -> bool:
    return "@" in ref


def reference_key(ref: str) -> str:
    """Emails compare case-insensitively; accountIds exactly."""
    return ref.strip().lower() if is_email(ref) else ref.strip()


def name_may_explain(display_name: str | None, email: str) -> bool:
    """Whether a user search for ``email`` may have matched this display name rather than an email.

    Atlassian's user search matches the start of the display name, or of a word of it, as well as the email. An
    invited account often shows its address as its name, so an account whose email is hidden and whose name
    contains the address may have been found by the name alone: nothing then shows that its email is the address.
    """
    return bool(display_name) and email.strip().casefold() in display_name.casefold()


def check_references(refs: Iterable[str | None], option: str) -> list[str]:
    """Syntax checks that need no network. Returns the distinct references, or raises naming every bad one."""
    problems = []
    distinct: dict[str, str] = {}
    for index, raw in enumerate(refs):
        ref = (raw or "").strip()
        if not ref:
            problems.append(f"{option}[{index}] is empty")
        elif _NEVER_IN_A_REFERENCE.search(ref):
            found = "".join(dict.fromkeys(c if not c.isspace() else " " for c in _NEVER_IN_A_REFERENCE.findall(ref)))
            problems.append(
                f"{option} received {ref!r}, which holds characters that no email address, accountId or username "
                f"holds ({' '.join(repr(c) for c in found)}); a list or a mapping given where one value was expected "
                "arrives like this"
            )
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
            "(for example 5b10ac8d82e05b22cc7d4ef5; on Data Center, a username such as jdoe), one value per entry "
            "(user: takes one; users: takes a list); remove empty entries",
        )
    return list(distinct.values())


def _unique(users: Iterable[User]) -> list[User]:
    return list({u.account_id: u for u in users}.values())


def pick_user_for_email(email: str, candidates: Iterable[User], not_found: UnknownUserError) -> User:
    """The one person's account an email names among a backend's candidates (``Backend.find_by_email``, and the
    group members the task has read that show the email), or raise.

    ``not_found`` is raised when none fits: the backend's own words for what it searched and what to do.

    The holders are the person accounts whose visible email is exactly the address (case-insensitive, so
    ``jo@acme.com`` never resolves to ``jo@acme.com.au``) or, on Data Center, whose username it is; and those whose
    email is hidden: a backend returns such an account only when the address alone explains the match (Jira's exact
    search for a hidden email). Exactly one holder is the answer. Several fail, whoever of them is a member: an
    email is never guessed, in any state.
    """
    wanted = email.strip().lower()
    candidates = _unique(candidates)
    exact = [
        u
        for u in candidates
        if (u.email and u.email.lower() == wanted) or (u.username is not None and u.username.lower() == wanted)
    ]
    hidden = [u for u in candidates if not u.email and u.username is None and u.account_type == PERSON_ACCOUNT_TYPE]
    people = [u for u in exact if u.account_type == PERSON_ACCOUNT_TYPE] + hidden
    if len(people) == 1:
        return people[0]
    if len(people) > 1:
        ids = ", ".join(sorted(u.account_id for u in people))
        of_them = f", {len(hidden)} of them hiding it" if hidden else ""
        raise ResolutionError(
            f"'{email}' is ambiguous: {len(people)} accounts have this email{of_them} ({ids}), and an email is never "
            "guessed",
            hint="Pass the accountId of the intended account instead of the email",
        )
    if exact:
        kinds = ", ".join(sorted({u.account_type for u in exact}))
        raise ResolutionError(
            f"'{email}' belongs to an account of type {kinds}, not a person's Atlassian account",
            hint="An app's account can be given by its accountId; remove customer accounts from the list",
        )
    raise not_found


def check_account(user: User | None, ref: str, not_found: UnknownUserError, id_name: str = "accountId") -> User:
    """A lookup by accountId (username on Data Center) must find a person's account, or an app's: naming an app by
    its id is deliberate, an email is not. ``not_found`` is the backend's error for none."""
    if user is None:
        raise not_found
    if user.account_type not in (PERSON_ACCOUNT_TYPE, APP_ACCOUNT_TYPE):
        raise ResolutionError(
            f"{id_name} '{ref}' is an account of type {user.account_type}, not a person's Atlassian account or an "
            "app's",
            hint="This module manages people and apps; remove customer accounts from the list",
        )
    return user
