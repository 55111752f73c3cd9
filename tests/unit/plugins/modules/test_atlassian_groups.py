# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_groups: the real main() against the emulated site of each backend (the default seed).

A file of teams applied: check mode predicts the run with no write, the run converges, a rerun writes nothing;
purge_prefix deletes an unlisted group under it and refuses one that grants access; one failing group does not stop
the others, and a rerun finishes the job; each person is resolved once and each member page read once per task.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from backend_table import login

from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_groups

JANE, BOB, JOHN, IVAN, BOT, ZOE = (f"5b10a2844c20165700ede0{n}" for n in ("03", "02", "04", "07", "09", "13"))


@pytest.fixture
def groups(emulator, run_module):
    def _run(check_mode=False, diff=False, **args):
        return run_module(atlassian_groups.main, {**login(emulator), **args}, check_mode=check_mode, diff=diff)

    return _run


def ids(users: list[dict]) -> set[str]:
    return {u["account_id"] or u["username"] for u in users}


def test_a_teams_file_is_planned_applied_and_then_unchanged(groups, emulator, facts):
    exclusive = facts.knows_caller  # the Admin API cannot tell the caller: exclusive is refused there (own test)
    args = {
        "groups": [
            {"name": "team-platform", "users": [JANE, ZOE, JANE]},
            {"name": "team-new", "users": [JANE, BOB]},
            {"name": "team-gone", "state": "absent"},
        ],
        "exclusive": exclusive,
        "purge_prefix": "team-",
    }
    plan = groups(check_mode=True, diff=True, **args)
    assert emulator.writes() == [], "check mode sent a write"
    by_name = {g["name"]: g for g in plan["groups"]}
    assert list(by_name) == ["team-platform", "team-new", "team-gone", "team-design"]
    platform = by_name["team-platform"]
    assert ids(platform["added"]) == {ZOE}
    removed = {JOHN, IVAN} | ({BOT} if not facts.account_types else set())
    assert ids(platform["removed"]) == (removed if exclusive else set())
    assert by_name["team-new"]["created"] is True and by_name["team-new"]["group_id"] is None
    assert ids(by_name["team-new"]["added"]) == {JANE, BOB}
    assert by_name["team-gone"]["changed"] is False
    assert by_name["team-design"] == {**by_name["team-design"], "listed": False, "deleted": True}
    n_removed = len(removed) if exclusive else 0
    assert plan["totals"] == {"created": 1, "deleted": 1, "added": 3, "removed": n_removed, "failed": 0}
    removed_part = f", {n_removed} removed" if n_removed else ""
    assert plan["summary"] == f"1 group created, 3 people added{removed_part}, 1 group deleted"
    assert [d["after_header"] for d in plan["diff"]] == ["team-platform", "team-new", "team-design"]

    emulator.clear_log()
    real = groups(diff=True, **args)
    assert real["changed"] is True and not real.get("failed")
    for key in ("summary", "totals"):
        assert real[key] == plan[key]
    assert real["diff"] == plan["diff"]
    for predicted, done in zip(plan["groups"], real["groups"], strict=True):
        assert {**predicted, "group_id": None} == {**done, "group_id": None}
    new_id = emulator.state.find_group(name="team-new").group_id
    assert emulator.members(new_id) == {JANE, BOB}
    assert all(g.name != "team-design" for g in emulator.state.all_groups())
    # Each person once, each member page once: no read before the writes is repeated. (After them, the Admin API
    # looks a group it created up by name, for its id.)
    first_write = next(i for i, r in enumerate(emulator.log) if r.is_write)
    reads = Counter(json.dumps([r.method, r.path, r.query, r.body], sort_keys=True) for r in emulator.log[:first_write])
    assert [k for k, n in reads.items() if n > 1] == []

    emulator.clear_log()
    again = groups(**args)
    assert again["changed"] is False and again["summary"] == "no changes" and emulator.writes() == []


def test_one_failing_group_does_not_stop_the_others_and_a_rerun_finishes(groups, emulator, facts):
    args = {
        "groups": [
            {"name": "team-design", "users": [JANE]},
            {"name": "team-broken", "users": [BOB, "5b10a2844c2016570000dead"]},
            {"name": "team-platform", "users": [ZOE]},
        ],
        "purge_prefix": "site-",  # owns site-admins, which grants access: refused, the others still converge
    }
    result = groups(**args)
    assert result["failed"] is True and result["changed"] is True
    failed = {g["name"]: g["reason"] for g in result["failed_groups"]}
    assert set(failed) == {"team-broken", "site-admins"}
    assert "so team-broken was not changed" in failed["team-broken"]
    assert failed["site-admins"].startswith("Refusing to delete site-admins")
    assert result["msg"].startswith("2 of 4 groups failed (the others converged; fix the cause given for each")
    assert any(g.name == "site-admins" for g in emulator.state.all_groups())
    assert JANE in emulator.members("team-design") and ZOE in emulator.members("team-platform")
    assert all(g.name != "team-broken" for g in emulator.state.all_groups()), "a failed group is not half made"

    args["groups"][1]["users"] = [BOB]
    emulator.clear_log()
    rerun = groups(**args, allow_access_group_deletion=True, check_mode=True)
    assert emulator.writes() == [] and rerun.get("failed") is not True
    assert rerun["summary"] == "1 group created, 1 person added, 1 group deleted"


def test_bad_input_is_refused_before_any_request(groups, emulator):
    result = groups(groups=[{"name": "team-a"}, {"name": "TEAM-A"}])
    assert result["failed"] is True and result["msg"].startswith("groups lists TEAM-A twice")
    result = groups(groups=[{"name": "team-a", "users": ["not an email"]}])
    assert result["failed"] is True and "groups[0].users" in result["msg"]
    assert emulator.log == []


def test_the_export_is_taken_as_it_is_and_changes_nothing(groups, emulator, run_module, facts):
    from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_group_member_info

    export = run_module(
        atlassian_group_member_info.main, {**login(emulator), "name_prefix": "team-", "groups": ["confluence-users"]}
    )
    assert [g["name"] for g in export["groups"]] == ["confluence-users", "team-design", "team-platform"]
    assert all(set(g) == {"name", "users"} for g in export["groups"])
    emulator.clear_log()
    fed_back = groups(groups=export["groups"], exclusive=facts.knows_caller, purge_prefix="team-")
    assert fed_back["changed"] is False and not fed_back.get("failed") and emulator.writes() == []
    mixed = run_module(atlassian_group_member_info.main, {**login(emulator), "group": "x", "name_prefix": "team-"})
    assert mixed["failed"] is True and mixed["msg"].startswith("group or group_id cannot be combined")


def test_a_backend_without_a_capability_it_needs_is_refused_before_any_request(groups, emulator, monkeypatch):
    # Every backend has group creation today: the wiring is shown with a capability no backend has.
    from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import Membership
    from ansible_collections.orgsync.atlassian.plugins.module_utils._groups_sync import GroupsSync

    class Teleportation:
        ability = "teleport people"

    monkeypatch.setattr(GroupsSync, "needs", (Membership, Teleportation))
    result = groups(groups=[{"name": "team-a"}], backend=emulator_backend(emulator))
    assert result["failed"] is True and "cannot teleport people (Teleportation)" in result["msg"]
    assert emulator.log == []


def emulator_backend(emulator) -> str:
    from backend_table import BACKENDS

    return next(name for name, b in BACKENDS.items() if tuple(b.products) == tuple(emulator.products))
