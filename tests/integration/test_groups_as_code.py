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
    # The group does not exist yet, so check mode names the people it would get instead of reading its members.
    would = predicted.result("The team's people would be in it")
    assert would["changed"] is True
    assert would["result"]["msg"] == "team-data would get ['jane@acme.example', '5b10a2844c20165700ede013']"
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
    summary = "Show which groups the leaver left"
    assert predicted.result(summary)["result"]["msg"].startswith(f"{LEAVER[1]} would leave ['team-01', ")
    emulator.clear_log()
    real = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=leaver, expect_rc=0)
    assert real.result(summary)["result"]["msg"].startswith(f"{LEAVER[1]} left ['team-01', ")
    # What keep protected is said by the summary and kept, not by a warning (issue 22).
    assert real.result(summary)["result"]["msg"].endswith("; kept in ['site-admins'] (keep)")
    assert "[WARNING]" not in real.stdout + real.stderr
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

    # The installed collection's copy, by name, as docs/playbooks.md shows.
    emulator.clear_log()
    again = run_playbook("orgsync.atlassian.offboard", env=env, extra_vars=leaver, expect_rc=0)
    assert again.result(task)["changed"] is False and emulator.writes() == []


BAD_INPUT = {
    # name: (module, arguments, the exact message)
    "user_groups: exclusive with absent": (
        "atlassian_user_groups",
        {"user": "jane@acme.example", "groups": ["team-design"], "state": "absent", "exclusive": True},
        "exclusive=true cannot be combined with state=absent. Use state=present with exclusive=true to make groups the "
        "person's only groups (groups: [] takes them out of every group but keep), or drop exclusive to take them out "
        "of the listed groups.",
    ),
    "user_groups: no groups": (
        "atlassian_user_groups",
        {"user": "jane@acme.example", "groups": []},
        "groups is empty. List at least one group, or use exclusive=true with groups: [] to take the person out of "
        "every group but keep.",
    ),
    "user_groups: a group that does not exist": (
        "atlassian_user_groups",
        {"user": "jane@acme.example", "groups": ["team-desing"]},
        "1 of 1 groups could not be found, so nothing was changed: No group with name 'team-desing' exists on {url}. "
        "Check the spelling",
    ),
    "group: neither name nor id": (
        "atlassian_group",
        {"state": "present"},
        "Neither name nor group_id is set. Set one of them, for example name: team-payments.",
    ),
    "group: create by an id that does not exist": (
        "atlassian_group",
        {"group_id": "00000000-0000-4000-8000-000000000000"},
        "No group has id '00000000-0000-4000-8000-000000000000', and a group can only be created by name. Set name "
        "instead of group_id to create the group.",
    ),
    # atlassian_groups (issue 19): the file's own contradictions, found before any request.
    "groups: a group listed twice": (
        "atlassian_groups",
        {"groups": [{"name": "team-a"}, {"name": "Team-A"}]},
        "groups lists Team-A twice (as 'team-a' and as 'Team-A'; group names are case-insensitive). Merge the two "
        "entries into one.",
    ),
    "groups: people for a group to delete": (
        "atlassian_groups",
        {"groups": [{"name": "team-a", "users": ["jane@acme.example"], "state": "absent"}]},
        "groups[0] (team-a) has state absent and users: a group that is deleted has no members. Remove users from the "
        "entry, or set state: present to keep the group with those people.",
    ),
    "groups: an empty purge_prefix": (
        "atlassian_groups",
        {"groups": [{"name": "team-a"}], "purge_prefix": " "},
        "purge_prefix is empty, which would own every group of the site and delete all that groups does not list. Set "
        "purge_prefix to the prefix of the groups this file owns, for example team-, or leave it unset.",
    ),
    "groups: a user that is no reference": (
        "atlassian_groups",
        {"groups": [{"name": "team-a", "users": ["jane@"]}]},
        "Invalid user reference: 'jane@' is not a valid email address. Give each user as an email address",
    ),
}


def test_bad_input_to_the_new_modules_says_what_to_fix_and_writes_nothing(
    emulator_factory, run_playbook, connection_env
):
    emulator = emulator_factory()
    tasks = [
        {"name": name, f"orgsync.atlassian.{module}": args, "ignore_errors": True}
        for name, (module, args, _msg) in BAD_INPUT.items()
    ]
    run = run_playbook(play(*tasks), env=connection_env(emulator, *ADMIN), expect_rc=0)
    for name, (_module, _args, message) in BAD_INPUT.items():
        result = run.result(name)
        assert result["failed"] is True and result["changed"] is False, (name, result["result"])
        assert result["result"]["msg"].startswith(message.format(url=emulator.url)), (name, result["result"]["msg"])
    assert emulator.writes() == []


def test_transient_faults_do_not_change_what_a_leaver_leaves(
    emulator_factory, run_playbook, connection_env, backend_profile
):
    # A 429 burst on reads, a 503 on a removal and a removal applied whose answer was lost: the outcome and the report
    # are those of a clean run, within the retry budget, and a rerun has nothing left to do.
    emulator = emulator_factory(leaver_seed())
    emulator.configure(
        faults=[
            {"action": "status", "status": 429, "retry_after": 0, "method": "GET", "times": 2},
            {"action": "status", "status": 503, "method": "DELETE", "times": 1},
            {"action": "status", "status": 502, "method": "DELETE", "phase": "after", "skip": 3, "times": 1},
        ]
    )
    env = connection_env(emulator, *ADMIN)
    leaver = {"leaver": {"user": LEAVER[1], "keep": ["site-admins"]}}
    run = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=leaver, expect_rc=0)
    task = "Remove the leaver from every group but the kept ones"
    assert sorted(g["name"] for g in run.result(task)["result"]["removed_from"]) == TEAM_GROUPS
    assert [g.name for g in emulator.state.groups_of(LEAVER[0])] == ["site-admins"]
    assert all(rule.hits == rule.times for rule in emulator.knobs.faults)
    deletes = [r for r in emulator.writes() if r.method == "DELETE"]
    assert len(deletes) == 29 + 2  # one retry for the 503, one for the lost answer
    emulator.configure(faults=[])
    emulator.clear_log()
    again = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=leaver, expect_rc=0)
    assert again.result(task)["changed"] is False and emulator.writes() == []
