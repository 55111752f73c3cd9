# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_group: the real main() against the emulated site of each backend."""

from __future__ import annotations

import pytest
from backend_table import login

from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_group, atlassian_group_member

DESIGN_ID = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
JANE = "5b10a2844c20165700ede003"  # her accountId; on Data Center, her username


@pytest.fixture
def group(emulator, run_module):
    def _run(check_mode=False, diff=False, **args):
        return run_module(atlassian_group.main, {**login(emulator), **args}, check_mode=check_mode, diff=diff)

    return _run


def test_create_fill_rerun_and_delete(group, emulator, run_module, facts):
    predicted = group(name="team-new", check_mode=True, diff=True)
    assert predicted["changed"] is True and predicted["group"] == {"name": "team-new", "group_id": None}
    assert predicted["diff"] == {
        "before": {"name": "team-new", "exists": False},
        "after": {"name": "team-new", "exists": True},
    }
    assert emulator.writes() == []

    created = group(name="team-new")
    assert created["changed"] is True and created["group"]["name"] == "team-new"
    group_id = created["group"]["group_id"]
    assert facts.group_id("team-new", emulator.state.find_group(name="team-new").group_id) == group_id
    filled = run_module(atlassian_group_member.main, {**login(emulator), "group_id": group_id, "user": JANE})
    assert filled["changed"] is True and filled["group"] == {"name": "team-new", "group_id": group_id}

    emulator.clear_log()
    again = group(name="TEAM-NEW")  # names are case-insensitive
    assert again["changed"] is False and again["group"] == {"name": "team-new", "group_id": group_id}
    assert emulator.writes() == []

    deleted = group(group_id=group_id, state="absent")
    assert deleted["changed"] is True and deleted["group"] == {"name": "team-new", "group_id": group_id}
    gone = group(name="team-new", state="absent")
    assert gone["changed"] is False and gone["group"] is None
    assert all(g.name != "team-new" for g in emulator.state.all_groups())


@pytest.mark.parametrize("name", ["site-admins", "jira-software-users", "confluence-users"])
def test_deleting_an_access_group_is_refused_without_the_option(group, emulator, name):
    refused = group(name=name, state="absent")
    assert refused["failed"] is True
    assert refused["msg"].startswith(f"Refusing to delete {name}: it ")
    assert "allow_access_group_deletion: true" in refused["msg"]
    assert emulator.writes() == []
    allowed = group(name=name, state="absent", allow_access_group_deletion=True, check_mode=True)
    assert allowed["changed"] is True and emulator.writes() == []


def test_the_api_says_which_groups_grant_access(group, emulator, facts):
    # A group with an unremarkable name that the site says grants access: refused on the API's word.
    emulator.state.groups[DESIGN_ID].access = (("confluence", "user"), ("jira", "user"))
    refused = group(name="team-design", state="absent")
    if facts.says_access:
        assert refused["failed"] is True and "grants product access" in refused["msg"]
    else:
        # Data Center's REST API does not say what a group grants: only the well-known names are guarded.
        assert refused["changed"] is True and refused.get("failed") is not True


def test_a_missing_group_id_cannot_be_created(group, emulator):
    result = group(group_id="00000000-0000-4000-8000-000000000000")
    assert result["failed"] is True
    assert "a group can only be created by name" in result["msg"] and emulator.writes() == []


def test_name_or_group_id(group, emulator):
    assert "Neither name nor group_id is set" in group()["msg"]
    assert "Both name and group_id are set" in group(name="a", group_id="b")["msg"]
    assert emulator.log == []
