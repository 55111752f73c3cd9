# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_user_info: the real main() against the running emulator (default seed)."""

from __future__ import annotations

import json

import pytest
from backend_table import login

from ansible_collections.orgsync.atlassian.plugins.modules import (
    atlassian_group_member,
    atlassian_user_groups,
    atlassian_user_info,
)

JANE_ID = "5b10a2844c20165700ede003"
IVAN_ID = "5b10a2844c20165700ede007"
HANA_ID = "5b10a2844c20165700ede008"
BOT_ID = "5b10a2844c20165700ede009"


@pytest.fixture
def lookup(emulator, run_module):
    def _run(check_mode=False, **args):
        return run_module(atlassian_user_info.main, {**login(emulator), **args}, check_mode=check_mode)

    return _run


@pytest.mark.emails
def test_email_gives_account_id_and_details(lookup, facts, backend_name):
    result = lookup(user="jane@acme.example")
    assert result["changed"] is False
    assert result["users"] == [
        {
            "reference": "jane@acme.example",
            **facts.user_result(JANE_ID, "jane@acme.example", "Jane Doe"),
            "active": True if facts.tells_active else None,  # Confluence's user object does not say
            "account_type": "atlassian",
        }
    ]
    assert result["backend"] == backend_name


@pytest.mark.emails
def test_several_users_by_email_and_account_id_in_order(lookup, facts):
    result = lookup(users=["John.Smith@ACME.example", IVAN_ID, "jo@acme.example", "zoe@acme.example"])
    users = result["users"]
    assert [u["reference"] for u in users] == [
        "John.Smith@ACME.example",
        IVAN_ID,
        "jo@acme.example",
        "zoe@acme.example",
    ]
    assert [u["display_name"] for u in users] == ["John Smith", "Ivan Former", "Jo March", "Zoë Ångström"]
    # The prefix search also returns jo@acme.example.au; only the exact address counts.
    assert facts.ident(users[2]) == "5b10a2844c20165700ede005"
    # A deactivated account is found by accountId and reported as inactive (where the API says).
    assert users[1]["active"] is (False if facts.tells_active else None)


@pytest.mark.emails
def test_same_email_twice_is_looked_up_once(lookup, facts):
    result = lookup(users=["jane@acme.example", "JANE@acme.example"])
    assert [facts.ident(u) for u in result["users"]] == [JANE_ID]


@pytest.mark.emails
def test_hidden_email_is_null(lookup, facts, backend_name):
    by_id = lookup(user=HANA_ID)["users"][0]
    assert facts.ident(by_id) == HANA_ID and by_id["email"] == facts.hidden_email("hana.hidden@acme.example")
    by_email = lookup(user="hana.hidden@acme.example")
    if facts.sees_hidden_emails:
        # The organisation sees every email, hidden ones too.
        assert by_email["users"][0]["account_id"] == HANA_ID
        assert by_email["users"][0]["email"] == "hana.hidden@acme.example"
    elif backend_name == "jira_cloud":
        # Jira Cloud's search finds the exact address even when hidden, without showing it.
        assert by_email["users"][0]["account_id"] == HANA_ID and by_email["users"][0]["email"] is None
    else:
        # Confluence has no email search, and Jira Data Center's matches prefixes of names too: nothing shown can
        # confirm a hidden address, so it is never guessed.
        assert by_email["failed"] is True and NOT_FOUND[backend_name] in by_email["msg"]


def test_groups_only_when_asked(lookup, facts):
    plain = lookup(user=JANE_ID)["users"][0]
    assert "groups" not in plain
    with_groups = lookup(user=JANE_ID, include_groups=True)["users"][0]
    assert sorted(g["name"] for g in with_groups["groups"]) == [
        "confluence-users",
        "jira-software-users",
        "team-platform",
    ]
    assert facts.group_result("team-platform", "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20") in with_groups["groups"]


def test_check_mode_reads_and_writes_nothing(lookup, emulator):
    result = lookup(check_mode=True, users=[JANE_ID, HANA_ID], include_groups=True)
    assert result["changed"] is False
    assert len(result["users"]) == 2
    assert emulator.writes() == []


def test_empty_list_returns_no_users(lookup, emulator):
    assert lookup(users=[])["users"] == []
    assert emulator.log == []


NOT_FOUND = {
    "jira_cloud": "No active Atlassian account",
    "jira_datacenter": "No active Jira user",
    "confluence_cloud": "No Confluence account",
    "admin": "No active account in the organisation's directory",
}
NO_ACCOUNT = {
    "jira_cloud": "No Atlassian account has accountId",
    "jira_datacenter": "No Jira user has username",
    "confluence_cloud": "No Atlassian account has accountId",
    "admin": "No Atlassian account has accountId",
}


@pytest.mark.emails
@pytest.mark.parametrize(
    ("ref", "expected", "typed"),
    [
        ("nobody@acme.example", "{not_found} was found with email 'nobody@acme.example'", False),
        ("hana.hidden@ACME.example.au", "{not_found} was found with email 'hana.hidden@ACME.example.au'", False),
        ("pat@acme.example", "'pat@acme.example' is ambiguous: 2 accounts have this email", False),
        ("deploy-bot@acme.example", "belongs to an account of type app", True),
        ("5b10a2844c20165700eeeeee", "{no_account} '5b10a2844c20165700eeeeee'", False),
    ],
)
def test_unresolvable_user_fails_like_the_membership_module(
    lookup, emulator, run_module, backend_name, facts, ref, expected, typed
):
    info = lookup(users=["jane@acme.example", ref])
    if ref == "pat@acme.example" and facts.unique_emails:
        # On Atlassian Cloud an address is one account's: Pat Twin (old) exists on Data Center servers only.
        assert info.get("failed") is not True, info["msg"]
        assert [u["display_name"] for u in info["users"]] == ["Jane Doe", "Pat Twin"]
        return
    if typed and not facts.apps_listed:
        # The organisation's directory holds people only: the bot's account is nobody there.
        assert info["failed"] is True and info["msg"].startswith("1 of 2 users could not be resolved")
        assert ("found with email" if "@" in ref else NO_ACCOUNT[backend_name]) in info["msg"]
        return
    if typed and not facts.account_types:
        # Data Center has no account types: a bot's account is a user like any other, and resolves.
        assert info.get("failed") is not True and len(info["users"]) == 2
        return
    assert info["failed"] is True
    assert expected.format(not_found=NOT_FOUND[backend_name], no_account=NO_ACCOUNT[backend_name]) in info["msg"]
    assert info["msg"].startswith("1 of 2 users could not be resolved")
    member = run_module(
        atlassian_group_member.main,
        {**login(emulator), "group": "team-design", "users": ["jane@acme.example", ref]},
    )
    assert member["failed"] is True
    # The per-user reason is word for word the one the membership module gives, but for the remedy: where the
    # membership module says "or look it up with atlassian_user_info", this module says where else the id is found,
    # never itself (issue 22).
    reason = info["msg"].split(": ", 1)[1]
    assert "atlassian_user_info" not in reason
    as_the_membership_module_says = reason
    for theirs, ours in atlassian_user_info.OWN_REMEDIES.items():
        as_the_membership_module_says = as_the_membership_module_says.replace(ours, theirs)
    assert as_the_membership_module_says in member["msg"]
    assert (as_the_membership_module_says == reason) is ("atlassian_user_info" not in member["msg"])


def test_an_app_is_found_by_its_account_id(lookup, facts):
    # Issue 16, case 3: an app's account cannot be named by email, but its accountId is deliberate.
    info = lookup(user=BOT_ID)
    if not facts.apps_listed:  # the organisation's directory holds people only
        assert info["failed"] is True and "'5b10a2844c20165700ede009'" in info["msg"]
        return
    assert info.get("failed") is not True
    (bot,) = info["users"]
    assert bot["display_name"] == "Deploy Bot"
    assert bot["account_type"] == ("app" if facts.account_types else "atlassian")


@pytest.mark.emails
def test_a_deactivated_user_is_found_by_email_as_atlassian_user_groups_finds_them(lookup, emulator, run_module, facts):
    # Issue 22: Ivan Former is deactivated; user search skips him, the deactivated lookup does not.
    (ivan,) = lookup(user="ivan.former@acme.example")["users"]
    assert facts.ident(ivan) == IVAN_ID and ivan["active"] is (False if facts.tells_active else None)
    leaver = run_module(
        atlassian_user_groups.main,
        {**login(emulator), "user": "ivan.former@acme.example", "groups": ["team-platform"], "state": "absent"},
        check_mode=True,
    )
    assert leaver["user"] == {k: ivan[k] for k in leaver["user"]}


@pytest.mark.emails
def test_every_unresolvable_user_is_named(lookup):
    result = lookup(users=["nobody@acme.example", "5b10a2844c20165700eeeeee", "jane@acme.example"])
    assert result["failed"] is True
    assert result["msg"].startswith("2 of 3 users could not be resolved")
    assert "nobody@acme.example" in result["msg"] and "5b10a2844c20165700eeeeee" in result["msg"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, "Neither user nor users is set"),
        ({"user": "jane@acme.example", "users": ["jo@acme.example"]}, "Both user and users are set"),
        ({"user": "not/an-email"}, "neither an email address"),
        ({"user": "['jane@acme.example']"}, "user received \"['jane@acme.example']\", which holds characters"),
    ],
)
def test_option_errors_send_nothing(lookup, emulator, args, expected):
    result = lookup(**args)
    assert result["failed"] is True
    assert expected in result["msg"]
    assert emulator.log == []


def test_wrong_token_fails_with_the_remedy_and_never_shows_the_token(emulator, run_module, backend_name):
    secret = "wrong-token-value-123"
    admin_api = backend_name == "admin"
    option = "bearer_token" if admin_api else "api_token"
    result = run_module(atlassian_user_info.main, {**login(emulator), option: secret, "user": "jane@acme.example"})
    assert result["failed"] is True
    assert result["status"] == 401
    assert ("Unauthorized" if admin_api else "Client must be authenticated") in result["msg"]
    assert option in result["msg"]
    assert secret not in json.dumps(result)


def test_connection_from_env_with_empty_optional_values(emulator, run_module, monkeypatch, backend_name):
    # AWX renders an unset credential field as an empty string: it must count as not set.
    admin_api = backend_name == "admin"
    monkeypatch.setenv("ATLASSIAN_URL", emulator.url)
    monkeypatch.setenv("ATLASSIAN_USERNAME", "" if admin_api else "admin@acme.example")
    monkeypatch.setenv("ATLASSIAN_API_TOKEN", "" if admin_api else "admin-api-token")
    monkeypatch.setenv("ATLASSIAN_BEARER_TOKEN", login(emulator)["bearer_token"] if admin_api else "")
    monkeypatch.setenv("ATLASSIAN_ORG_ID", login(emulator)["org_id"] if admin_api else "")
    monkeypatch.setenv("ATLASSIAN_DIRECTORY_ID", "")
    result = run_module(atlassian_user_info.main, {"user": JANE_ID})
    assert result.get("failed") is not True, result
    assert result["users"][0]["display_name"] == "Jane Doe"


def test_bearer_token_from_env_with_empty_basic_values(emulator, run_module, monkeypatch, backend_name):
    monkeypatch.setenv("ATLASSIAN_URL", emulator.url)
    monkeypatch.setenv("ATLASSIAN_USERNAME", "")
    monkeypatch.setenv("ATLASSIAN_API_TOKEN", "")
    if backend_name == "admin":  # the organisation API key
        monkeypatch.setenv("ATLASSIAN_BEARER_TOKEN", login(emulator)["bearer_token"])
        monkeypatch.setenv("ATLASSIAN_ORG_ID", login(emulator)["org_id"])
    else:
        monkeypatch.setenv("ATLASSIAN_BEARER_TOKEN", "oauth-bearer-token")
    result = run_module(atlassian_user_info.main, {"user": JANE_ID})
    assert result.get("failed") is not True, result
    assert result["users"][0]["display_name"] == "Jane Doe"
