# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Looking people up (``atlassian_user_info``): each reference by the membership modules' rules, and their groups."""

from __future__ import annotations

from typing import Callable

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import Backend, Membership
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import operation
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._resolution import (
    raise_unresolved,
    resolve_each,
    with_deactivated_holders,
)


class UserInfoService:
    #: The capabilities it asks of a backend (``AtlassianModule.service``).
    needs = (Membership,)

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def look_up(self, refs: list[str], reword: Callable = lambda outcome: outcome) -> list[User]:
        """The account of each reference, by the membership modules' rules (docs/identity.md), with the deactivated
        holders of an email that no active account has, as ``atlassian_user_groups`` looks for them: a leaver is
        found by email here too. ``reword`` may change an outcome's remedy; ``ResolutionError`` names every
        reference that names no one account."""
        backend = self.backend
        outcomes = backend.concurrently(
            lambda pair: reword(with_deactivated_holders(backend, *pair)),
            list(zip(refs, resolve_each(backend, refs), strict=True)),
        )
        return raise_unresolved(outcomes)

    def groups_of_each(self, users: list[User]) -> list[list[Group]]:
        """Each user's groups (one listing each, concurrently)."""

        def groups_of(user: User) -> list[Group]:
            with operation(f"reading the groups of {user.label}"):
                return self.backend.groups_of(user.account_id) or []

        return self.backend.concurrently(groups_of, users)
