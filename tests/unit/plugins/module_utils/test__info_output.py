# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""How the info modules name members so that atlassian_group_member resolves them back to the same accounts."""

from __future__ import annotations

from ansible_collections.orgsync.atlassian.plugins.module_utils._info_output import (
    exported,
    member_references,
    non_person_members,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User


def test_visible_email_of_an_active_member():
    assert member_references([User("a1", "Jane@acme.example", "Jane")]) == ["Jane@acme.example"]


def test_hidden_email_inactive_account_and_shared_email_give_account_ids():
    members = [
        User("hidden", None, "Hidden"),
        User("gone", "gone@acme.example", "Gone", active=False),
        User("pat1", "pat@acme.example", "Pat"),
        User("pat2", "PAT@acme.example", "Pat (old)"),
        User("jane", "jane@acme.example", "Jane"),
    ]
    assert member_references(members) == ["hidden", "gone", "pat1", "pat2", "jane@acme.example"]


def test_an_app_is_named_by_its_account_id():
    bot = User("bot", "bot@acme.example", "Bot", account_type="app")
    assert member_references([bot]) == ["bot"]


def test_non_person_members_are_the_ones_the_membership_module_refuses():
    bot = User("bot", "bot@acme.example", "Bot", account_type="app")
    customer = User("qm:1", "carol@acme.example", "Carol", account_type="customer")
    assert non_person_members([User("jane", "jane@acme.example"), bot, customer]) == [customer]


def test_the_export_lists_apps_apart_and_says_who_each_user_is():
    bot = User("bot", "bot@acme.example", "Bot", account_type="app")
    members = [User("jane", "jane@acme.example", "Jane"), bot, User("hidden", None, "Hana Hidden")]
    assert exported(members) == {
        "users": ["jane@acme.example", "hidden"],
        "apps": ["bot"],
        "people": [
            {
                "reference": "jane@acme.example",
                "account_id": "jane",
                "email": "jane@acme.example",
                "display_name": "Jane",
            },
            {"reference": "hidden", "account_id": "hidden", "email": None, "display_name": "Hana Hidden"},
        ],
    }
