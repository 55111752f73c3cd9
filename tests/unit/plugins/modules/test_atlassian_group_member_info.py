# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_group_member_info: the real main() against the running emulator (default seed)."""

from __future__ import annotations

import pytest
from backend_table import kinds, login, member_path

from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_group_member, atlassian_group_member_info

JSU_ID = "276f955c-63d7-42c8-9520-92d01dca0625"
# On Data Center, the seed's usernames are its accountIds: these name the same people there.
JANE_ID = "5b10a2844c20165700ede003"
ZOE_ID = "5b10a2844c20165700ede013"
BOT_ID = "5b10a2844c20165700ede009"
IVAN_ID = "5b10a2844c20165700ede007"
HANA_ID = "5b10a2844c20165700ede008"
PAT_ID = "5b10a2844c20165700ede010"
PAT_OLD_ID = "5b10a2844c20165700ede011"


@pytest.fixture
def members_of(emulator, run_module):
    def _run(check_mode=False, **args):
        return run_module(atlassian_group_member_info.main, {**login(emulator), **args}, check_mode=check_mode)

    return _run


def test_lists_every_member_with_details(members_of, emulator, facts):
    result = members_of(group="jira-software-users")
    assert result["changed"] is False
    assert result["group"] == facts.group_result("jira-software-users", JSU_ID)
    assert {facts.ident(m) for m in result["members"]} == facts.members(emulator, "jira-software-users")
    hana = next(m for m in result["members"] if facts.ident(m) == HANA_ID)
    assert hana == {
        **facts.user_result(HANA_ID, facts.hidden_email("hana.hidden@acme.example"), "Hana Hidden"),
        "active": True if facts.tells_active else None,  # Confluence's user object does not say
        "account_type": "atlassian",
    }
    assert next(m for m in result["members"] if facts.ident(m) == IVAN_ID)["active"] is (
        False if facts.tells_active else None
    )


@pytest.mark.emails
def test_users_are_emails_except_where_only_the_account_id_is_certain(members_of, facts):
    result = members_of(group="jira-software-users")
    assert len(result["users"]) == len(result["members"])
    assert "jane@acme.example" in result["users"] and "jo@acme.example.au" in result["users"]
    assert (facts.hidden_email("hana.hidden@acme.example") or HANA_ID) in result["users"], "hidden email: accountId"
    if not facts.tells_active:
        # Confluence does not say who is deactivated, and resolves emails from listings, which show them too.
        assert "ivan.former@acme.example" in result["users"]
    else:
        assert IVAN_ID in result["users"], "inactive: user search would not find the email"
        assert "ivan.former@acme.example" not in result["users"]


def test_reads_every_page_and_can_leave_out_inactive_members(members_of, emulator, facts, backend_name):
    everyone = members_of(group="big-group")
    assert len(everyone["members"]) == 120
    assert {facts.ident(m) for m in everyone["members"]} == facts.members(emulator, "big-group")
    confluence = backend_name.startswith("confluence")
    # 200 a page on Confluence, 50 on Jira, 100 on the Admin API
    assert kinds(emulator.log).count("members") == (1 if confluence else facts.big_group_pages)
    active = members_of(group="big-group", include_inactive=False)
    # Confluence cannot tell deactivated members, so it keeps them all rather than guess.
    expected = 108 if facts.tells_active else 120
    assert len(active["members"]) == expected and len(active["users"]) == expected
    assert all(m["active"] is not False for m in active["members"])


def test_by_group_id(members_of, facts):
    design = facts.group_result("team-design", "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f")
    result = members_of(group_id=design["group_id"])
    assert result["group"] == design
    assert result["members"] == [] and result["users"] == []


def test_check_mode_is_read_only(members_of, emulator, facts):
    result = members_of(check_mode=True, group="confluence-users")
    assert result["changed"] is False
    names = ["jane@acme.example", "zoe@acme.example"] if facts.emails else [JANE_ID, ZOE_ID]
    hana = facts.hidden_email("hana.hidden@acme.example") or HANA_ID
    assert sorted(result["users"]) == sorted([hana, *names])
    assert emulator.writes() == []


def test_apps_are_listed_apart_and_the_export_round_trips_with_a_bot(members_of, emulator, facts, run_module):
    # Issue 22: team-platform holds Deploy Bot, an app's account. The export lists it apart from the people, by
    # accountId, and feeding either list back to exclusive changes nothing.
    result = members_of(group="team-platform")
    assert not result.get("warnings")  # an app's account is accepted by accountId: nothing to warn about
    if not facts.apps_listed:  # the organisation's directory holds people only: the bot is not listed at all
        assert len(result["users"]) == len(emulator.members("team-platform")) - 1 and result["apps"] == []
        return
    if not facts.account_types:
        # Data Center has no account types: a bot's account is a user like any other.
        assert ("deploy-bot@acme.example" if facts.emails else BOT_ID) in result["users"] and result["apps"] == []
    else:
        assert result["apps"] == [BOT_ID] and BOT_ID not in result["users"]
        assert "deploy-bot@acme.example" not in result["users"]
    assert len(result["users"]) + len(result["apps"]) == len(result["members"])
    if not facts.knows_caller:
        return
    for users, kept in ((result["users"], facts.account_types), (result["users"] + result["apps"], False)):
        again = run_module(
            atlassian_group_member.main,
            {**login(emulator), "group": "team-platform", "users": users, "exclusive": True},
        )
        assert again.get("failed") is not True, again["msg"]
        assert again["changed"] is False and not again.get("warnings")
        # Given only the people, exclusive keeps the bot and says so; given the apps too, it is a named member.
        assert [(u["display_name"], u["reason"]) for u in again["kept"]] == (
            [("Deploy Bot", "app account")] if kept else []
        )
    assert emulator.writes() == []


def test_people_say_who_each_entry_of_users_is(members_of, facts):
    # Issue 22: a member who hides their email is exported by accountId; people gives the name beside it.
    result = members_of(group="confluence-users")
    assert [p["reference"] for p in result["people"]] == result["users"]
    hana = facts.hidden_email("hana.hidden@acme.example") or HANA_ID
    (entry,) = [p for p in result["people"] if p["reference"] == hana]
    assert entry == {
        "reference": hana,
        **facts.user_result(HANA_ID, facts.hidden_email("hana.hidden@acme.example"), "Hana Hidden"),
    }


@pytest.mark.emails(unique=False)
def test_email_shared_by_two_members_is_exported_as_account_ids(members_of, emulator):
    emulator.add_member("team-design", PAT_ID)
    emulator.add_member("team-design", PAT_OLD_ID)
    result = members_of(group="team-design")
    assert sorted(result["users"]) == sorted([PAT_ID, PAT_OLD_ID])


@pytest.mark.parametrize("group", ["jira-software-users", "confluence-users", "big-group", "team-design"])
def test_export_fed_back_to_exclusive_membership_changes_nothing(members_of, emulator, run_module, facts, group):
    if group == "team-design":
        emulator.add_member(group, PAT_ID)
        if not facts.unique_emails:  # Pat Twin (old), who has Pat's email, exists on Data Center servers only
            emulator.add_member(group, PAT_OLD_ID)
    exported = members_of(group=group)
    before = emulator.members(group)
    emulator.clear_log()
    result = run_module(
        atlassian_group_member.main,
        # The Admin API refuses exclusive: there the export must still name exactly the members, added to nobody.
        {**login(emulator), "group": group, "users": exported["users"], "exclusive": facts.knows_caller},
    )
    assert result.get("failed") is not True, result["msg"]
    assert result["changed"] is False
    assert result["added"] == [] and result["removed"] == []
    assert emulator.writes() == []
    assert emulator.members(group) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, "Neither group nor group_id is set"),
        ({"group": "a", "group_id": "b"}, "Both group and group_id are set"),
    ],
)
def test_option_errors_send_nothing(members_of, emulator, args, expected):
    result = members_of(**args)
    assert result["failed"] is True and expected in result["msg"]
    assert emulator.log == []


def test_unknown_group_fails_clearly(members_of):
    result = members_of(group="no-such-group")
    assert result["failed"] is True
    assert "No group with name 'no-such-group' exists" in result["msg"]


def test_caller_without_permission_gets_the_remedy(emulator, run_module, backend_name, facts):
    confluence_users = "6e87dc72-4f1f-421f-9382-2fee8b652487"
    path = member_path(backend_name, confluence_users, "confluence-users")
    emulator.configure(faults=[{"action": "status", "path": path, "status": 403}])
    result = run_module(atlassian_group_member_info.main, {**login(emulator), "group": "confluence-users"})
    assert result["failed"] is True and result["status"] == 403
    assert result["msg"].startswith(f"reading the members of confluence-users failed: {facts.read_method} ")
    assert facts.read_words in result["msg"]
