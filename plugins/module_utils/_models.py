# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Product-neutral value types shared by backends, the planner and modules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    account_id: str
    email: str | None = None  # None when the user's privacy settings hide it
    display_name: str | None = None
    # None when the API does not say (Confluence Cloud's user objects have no such field).
    active: bool | None = True
    account_type: str = "atlassian"

    def as_result(self, *, detailed: bool = False) -> dict:
        """How modules return a user: ``added``/``removed`` entries, or with ``detailed`` the info modules' entries."""
        result = {"account_id": self.account_id, "email": self.email, "display_name": self.display_name}
        if detailed:
            result.update(active=self.active, account_type=self.account_type)
        return result

    @property
    def label(self) -> str:
        """How a person reads this user in diffs and messages: the email when visible, else the accountId."""
        return self.email or self.account_id


@dataclass(frozen=True)
class Group:
    name: str | None
    group_id: str

    def as_result(self) -> dict:
        return {"name": self.name, "group_id": self.group_id}

    @property
    def label(self) -> str:
        """How a person reads this group in messages: its name when known, else its id."""
        return self.name or self.group_id
