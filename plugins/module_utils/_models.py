# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Product-neutral value types shared by backends, the planner and modules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    # What identifies the account to the backend: the accountId on Cloud, the username on Data Center (which has no
    # accountId; ``username`` is then set too, and results show it in place of the accountId).
    account_id: str
    email: str | None = None  # None when the user's privacy settings hide it
    display_name: str | None = None
    # None when the API does not say (Confluence's user objects have no such field).
    active: bool | None = True
    account_type: str = "atlassian"
    username: str | None = None  # Data Center only

    def as_result(self, *, detailed: bool = False) -> dict:
        """How modules return a user: ``added``/``removed`` entries, or with ``detailed`` the info modules' entries.
        Data Center's carry ``username`` and a null ``account_id``."""
        account_id = None if self.username is not None else self.account_id
        result = {"account_id": account_id, "email": self.email, "display_name": self.display_name}
        if self.username is not None:
            result["username"] = self.username
        if detailed:
            result.update(active=self.active, account_type=self.account_type)
        return result

    @property
    def label(self) -> str:
        """How a person reads this user in diffs and messages: the email when visible; else the accountId (on Data
        Center, the username) after the display name, "Jane Doe (5b10ac8d82e05b22cc7d4ef5)", so that a reviewer can
        tell who a bare id is."""
        if self.email:
            return self.email
        if self.display_name and self.display_name != self.account_id:
            return f"{self.display_name} ({self.account_id})"
        return self.account_id


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
