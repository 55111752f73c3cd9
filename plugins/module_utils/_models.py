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
    active: bool = True
    account_type: str = "atlassian"

    def summary(self) -> dict:
        """The shape modules return for a user (``added``/``removed`` entries)."""
        return {"account_id": self.account_id, "email": self.email, "display_name": self.display_name}

    @property
    def label(self) -> str:
        """How a person reads this user in diffs and messages: the email when visible, else the accountId."""
        return self.email or self.account_id


@dataclass(frozen=True)
class Group:
    name: str | None
    group_id: str

    def summary(self) -> dict:
        return {"name": self.name, "group_id": self.group_id}
