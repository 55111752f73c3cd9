# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_user_groups: the real main() against the emulated site of each backend (the default test seed)."""

from __future__ import annotations

import pytest
from backend_table import kinds, login, write_rule

from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_user_groups

JANE = "5b10a2844c20165700ede003"
IVAN = "5b10a2844c20165700ede007"  # deactivated; in jira-software-users and team-platform
ADA = "5b10a2844c20165700ede001"  # the caller: site-admins, jira-software-users
GROUPS = {
    "site-admins": "a5f4c6b2-0d1e-4f3a-9b8c-7d6e5f4a3b21",
    "jira-software-users": "276f955c-63d7-42c8-9520-92d01dca0625",
    "confluence-users": "6e87dc72-4f1f-421f-9382-2fee8b652487",
    "team-platform": "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20",
    "team-design": "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f",
}


@pytest.fixture
def group(facts):
    """How the module returns a group of the seed on the backend under test."""
    return lambda name: facts.group_result(name, GROUPS[name])


@pytest.fixture
def user_groups(emulator, run_module):
    def _run(check_mode=False, diff=False, **args):
        return run_module(atlassian_user_groups.main, {**login(emulator), **args}, check_mode=check_mode, diff=diff)

    return _run


def names(emulator, account_id: str) -> set[str]:
    return {g.name for g in emulator.state.groups_of(account_id)}


def test_exactly_these_groups_with_check_mode_diff_and_rerun(user_groups, emulator, group, facts):
    jane = "jane@acme.example" if facts.emails else JANE
    confluence_users = group("confluence-users")["group_id"]  # a group by id (on Data Center, its name)
    task = {"user": jane, "groups": ["team-design", confluence_users], "exclusive": True}
    predicted = user_groups(check_mode=True, diff=True, **task)
    assert emulator.writes() == []
    real = user_groups(diff=True, **task)
    for key in ("changed", "added_to", "removed_from", "diff"):
        assert predicted[key] == real[key], key
    assert real["added_to"] == [group("team-design")]
    assert real["removed_from"] == [group("jira-software-users"), group("team-platform")]
    # Where no email shows (Confluence Data Center), the diff names her by name beside her id (issue 22).
    label = jane if facts.emails else f"Jane Doe ({JANE})"
    assert real["diff"]["after"] == {"user": label, "groups": ["confluence-users", "team-design"]}
    assert names(emulator, JANE) == {"confluence-users", "team-design"}
    emulator.clear_log()
    again = user_groups(**task)
    assert again["changed"] is False and again["added_to"] == [] == again["removed_from"]
    assert emulator.writes() == []


@pytest.mark.emails
def test_a_deactivated_leaver_by_email_leaves_everything_but_keep(user_groups, emulator, group, facts):
    emulator.add_member("site-admins", IVAN)
    task = {"user": "ivan.former@acme.example", "groups": [], "exclusive": True}
    result = user_groups(**task)  # the default keep protects site-admins
    assert result["changed"] is True and facts.ident(result["user"]) == IVAN
    assert sorted(g["name"] for g in result["removed_from"]) == ["jira-software-users", "team-platform"]
    # Kept because the task's keep says so: reported in kept, and no warning (issue 22).
    assert result["kept"] == [dict(group("site-admins"), reason="keep")] and not result.get("warnings")
    assert names(emulator, IVAN) == {"site-admins"}
    assert user_groups(**task)["changed"] is False
    gone = user_groups(**task, keep=[])
    assert gone["removed_from"] == [group("site-admins")] and names(emulator, IVAN) == set()


def test_a_keep_entry_that_names_no_group_warns_naming_it_and_protects_nothing(user_groups, emulator, group):
    # Issue 22: keep: [site-admin] (singular) used to let the leaver lose site-admins without a word. Jane is in
    # jira-software-users, confluence-users and team-platform; team-design exists, she is not in it.
    keep = ["Team-Platfrm", "team-design", "confluence-users"]
    emulator.clear_log()
    result = user_groups(check_mode=True, user=JANE, groups=[], exclusive=True, keep=keep)
    assert result["removed_from"] == [group("jira-software-users"), group("team-platform")]
    assert result["kept"] == [dict(group("confluence-users"), reason="keep")]
    (warning,) = result["warnings"]
    assert warning.startswith("keep: No group with name 'Team-Platfrm' exists")
    assert warning.endswith(
        "so 'Team-Platfrm' protects nothing (the closest of the person's groups: team-platform)."
    ), warning
    # Her own groups answer for themselves; the two other entries cost one lookup each, and nothing is written.
    assert kinds(emulator.log).count("group") == 2 and emulator.writes() == []
    # The default keep names admin groups a site may well not have: not a typo, no lookup, no warning.
    emulator.clear_log()
    default = user_groups(check_mode=True, user=JANE, groups=[], exclusive=True)
    assert not default.get("warnings") and "group" not in kinds(emulator.log)


def test_state_absent_leaves_only_the_listed_groups(user_groups, emulator, group):
    result = user_groups(user=JANE, groups=["TEAM-PLATFORM", "team-design"], state="absent")
    assert result["changed"] is True and result["removed_from"] == [group("team-platform")]
    assert names(emulator, JANE) == {"jira-software-users", "confluence-users"}


@pytest.mark.emails
def test_someone_with_no_account_is_in_no_group(user_groups, emulator):
    result = user_groups(user="nobody@acme.example", groups=["team-design"], state="absent")
    assert result["changed"] is False and result["user"] is None and result["removed_from"] == []
    assert "No account was found for 'nobody@acme.example'" in result["warnings"][0]
    assert emulator.writes() == []


def test_joining_a_group_that_does_not_exist_fails_before_any_write(user_groups, emulator):
    result = user_groups(user=JANE, groups=["team-design", "team-nope"])
    assert result["failed"] is True
    assert result["msg"].startswith("1 of 2 groups could not be found, so nothing was changed: No group with name")
    assert emulator.writes() == []


def test_a_failed_write_fails_the_task_but_keeps_the_others(user_groups, emulator, backend_name, facts):
    emulator.configure(faults=[{"action": "status", "status": 403, **write_rule(backend_name, "add")}])
    result = user_groups(user=JANE, groups=["team-design", "site-admins"])
    assert result["failed"] is True and result["changed"] is True
    assert len(result["added_to"]) == 1 and len(result["failed_groups"]) == 1
    assert result["msg"].startswith("1 of 2 group changes failed; the others were applied")
    # How messages name her: her email where it shows, else her name beside her id.
    jane = "jane@acme.example" if facts.emails else f"Jane Doe ({JANE})"
    assert result["failed_groups"][0]["reason"].startswith(f"adding {jane} to ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"user": JANE, "groups": ["a"], "state": "absent", "exclusive": True}, "cannot be combined with state=absent"),
        ({"user": JANE, "groups": []}, "groups is empty"),
        ({"user": JANE, "groups": ["team-design", " "]}, "groups[1] is empty"),
        ({"user": "jane@acme", "groups": ["team-design"]}, "is not a valid email address"),
    ],
)
def test_option_errors_send_nothing(user_groups, emulator, args, fragment):
    result = user_groups(**args)
    assert result["failed"] is True and fragment in result["msg"]
    assert emulator.log == []
