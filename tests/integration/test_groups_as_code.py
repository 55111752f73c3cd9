# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Groups and people as code (issue 12), through the shipped playbooks, on every backend's site:

- playbooks/new_team.yml creates a group and fills it; a rerun changes nothing; atlassian_group deletes it;
- deleting site-admins is refused without allow_access_group_deletion, and nothing is written;
- playbooks/offboard.yml takes a deactivated leaver, given by email, out of the 30 groups they are in except the keep
  list, in one task, check mode predicting it; a rerun changes nothing.
"""

from __future__ import annotations

import copy

import pytest
from group_member_support import ADMIN, play

from atlassian_emulator import DEFAULT_SEED_PATH, load_seed

pytestmark = pytest.mark.slow

PLAYBOOKS = __import__("harness").REPO_ROOT / "playbooks"
LEAVER = ("5b10a2844c20165700ede0aa", "leaver@acme.example", "Lee Leaver")
TEAM_GROUPS = [f"team-{i:02d}" for i in range(1, 30)]  # 29 teams, + site-admins = 30 groups


def leaver_seed() -> dict:
    seed = copy.deepcopy(load_seed(DEFAULT_SEED_PATH))
    account_id, email, name = LEAVER
    seed["users"].append({"account_id": account_id, "email": email, "display_name": name, "active": False})
    seed["groups"] += [{"name": group, "members": [email]} for group in TEAM_GROUPS]
    for group in seed["groups"]:
        if group["name"] == "site-admins":
            group["members"].append(email)
    return seed


def changed_tasks(run) -> list[str]:
    return [r["task"] for r in run.changed]


def test_a_team_group_is_created_filled_kept_and_deleted(
    emulator_factory, run_playbook, connection_env, backend_profile
):
    emulator = emulator_factory()
    env = connection_env(emulator, *ADMIN)
    team = {"new_team": {"name": "team-data", "members": ["jane@acme.example", "5b10a2844c20165700ede013"]}}

    predicted = run_playbook(PLAYBOOKS / "new_team.yml", env=env, extra_vars=team, check=True, expect_rc=0)
    assert predicted.result("The team's group exists")["changed"] is True
    assert emulator.writes() == []

    first = run_playbook(PLAYBOOKS / "new_team.yml", env=env, extra_vars=team, expect_rc=0)
    assert changed_tasks(first) == ["The team's group exists", "The team's people are in it"]
    group = first.result("The team's group exists")["result"]["group"]
    assert emulator.members(group["group_id"]) == {"5b10a2844c20165700ede003", "5b10a2844c20165700ede013"}
    assert first.result("The team's people are in it")["result"]["backend"] == backend_profile.name

    emulator.clear_log()
    again = run_playbook(PLAYBOOKS / "new_team.yml", env=env, extra_vars=team, expect_rc=0)
    assert changed_tasks(again) == [] and emulator.writes() == []

    delete = play({"name": "delete it", "orgsync.atlassian.atlassian_group": {"name": "team-data", "state": "absent"}})
    gone = run_playbook(delete, env=env, expect_rc=0)
    assert gone.result("delete it")["changed"] is True
    assert all(g.name != "team-data" for g in emulator.state.all_groups())
    assert run_playbook(delete, env=env, expect_rc=0).result("delete it")["changed"] is False


def test_deleting_site_admins_needs_the_explicit_option(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory()
    task = {"name": "delete site-admins", "ignore_errors": True}
    refused = run_playbook(
        play({**task, "orgsync.atlassian.atlassian_group": {"name": "site-admins", "state": "absent"}}),
        env=connection_env(emulator, *ADMIN),
    )
    result = refused.result("delete site-admins")
    assert result["failed"] is True
    assert result["result"]["msg"] == (
        "Refusing to delete site-admins: it grants site administration, so deleting it would take that from every "
        "member (and may lock the automation account out). If that is really meant, set allow_access_group_deletion: "
        "true; otherwise remove the task."
    )
    assert emulator.writes() == [] and any(g.name == "site-admins" for g in emulator.state.all_groups())


def test_a_deactivated_leaver_leaves_30_groups_in_one_task(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(leaver_seed())
    env = connection_env(emulator, *ADMIN)
    leaver = {"leaver": {"user": LEAVER[1], "keep": ["site-admins"]}}
    account_id = LEAVER[0]
    assert len(emulator.state.groups_of(account_id)) == 30

    predicted = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=leaver, check=True, expect_rc=0)
    assert emulator.writes() == []
    emulator.clear_log()
    real = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=leaver, expect_rc=0)
    task = "Remove the leaver from every group but the kept ones"
    removed = sorted(g["name"] for g in real.result(task)["result"]["removed_from"])
    assert removed == TEAM_GROUPS
    assert predicted.result(task)["result"]["removed_from"] == real.result(task)["result"]["removed_from"]
    assert [g.name for g in emulator.state.groups_of(account_id)] == ["site-admins"]
    deletes = [r for r in emulator.writes() if r.method == "DELETE"]
    assert len(deletes) == 29 and all(r.status in (200, 204) for r in deletes)
    # One read of the leaver's groups, whatever the backend needed to find a deactivated account by email.
    group_reads = [r for r in emulator.log if r.path.endswith(("/user/groups", "/user/memberof"))]
    assert len(group_reads) == 1

    emulator.clear_log()
    again = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=leaver, expect_rc=0)
    assert again.result(task)["changed"] is False and emulator.writes() == []
