# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The directory as code (issue 19): playbooks/teams.yml and atlassian_groups through real ansible-playbook runs on
the demo organisation, in as few runs as possible (four):

1. the teams file, in check mode, on a site without its groups: the plan, and no write;
2. applied: what check mode said, done; 3. rerun: changed=0 and no write;
4. one play of the other cases, each in check mode first and then for real: a team dropped from the file keeps its
   group without purge_prefix and loses it with it; a group that grants access under the prefix is refused; one
   failing group does not stop the others. The emulator then holds exactly the writes the real tasks reported, so
   no check-mode task wrote.

The in-process tests (tests/unit/plugins/modules/test_atlassian_groups.py) run the same module on every backend.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from group_member_support import play

from atlassian_emulator import load_seed

pytestmark = [pytest.mark.slow, pytest.mark.backends("jira_cloud")]

REPO = __import__("harness").REPO_ROOT
PLAYBOOK = REPO / "playbooks" / "teams.yml"
TEAMS = yaml.safe_load((REPO / "playbooks" / "vars" / "teams.yml").read_text())
DEMO = REPO / "tools" / "atlassian_emulator" / "seeds" / "demo.yaml"
LOGIN = ("admin@acme.example", "demo-api-token")
MODULE = "orgsync.atlassian.atlassian_groups"
SUMMARY = "Summary (in check mode, the plan)"
APPLY = "The team groups match the file"


def site_without_the_teams() -> dict:
    """The demo organisation without the file's groups (team-legacy, which it no longer lists, stays)."""
    seed = copy.deepcopy(load_seed(DEMO))
    listed = {team["name"] for team in TEAMS["teams"]}
    seed["groups"] = [g for g in seed["groups"] if g["name"] not in listed]
    return seed


def groups_task(name: str, groups: list, *, check: bool = False, **args) -> dict:
    task = {"name": name, MODULE: {"groups": groups, "exclusive": True, **args}, "ignore_errors": True}
    if check:
        task["check_mode"] = True
    return task


def test_the_teams_file_from_nothing_then_every_case_in_one_play(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(site_without_the_teams())
    env = connection_env(emulator, *LOGIN)
    people = sum(len(team["users"]) for team in TEAMS["teams"])

    plan = run_playbook(PLAYBOOK, env=env, extra_vars=TEAMS, check=True, diff=True, expect_rc=0)
    assert emulator.writes() == [], "check mode sent a write"
    line = f"3 groups created, {people} people added, 1 group deleted"
    assert plan.result(SUMMARY)["result"]["msg"] == f"Plan: {line}"
    assert "team-legacy" in plan.stdout  # the diff names the group to delete

    applied = run_playbook(PLAYBOOK, env=env, extra_vars=TEAMS, expect_rc=0)
    assert applied.result(SUMMARY)["result"]["msg"] == line
    predicted, done = plan.result(APPLY)["result"], applied.result(APPLY)["result"]
    assert predicted["totals"] == done["totals"]
    for before, after in zip(predicted["groups"], done["groups"], strict=True):
        assert {**before, "group_id": None} == {**after, "group_id": None}
    for team in TEAMS["teams"]:
        group = emulator.state.find_group(name=team["name"])
        assert {emulator.state.user(i).email for i in emulator.members(group.group_id)} == set(team["users"])
    assert all(g.name != "team-legacy" for g in emulator.state.all_groups())

    emulator.clear_log()
    again = run_playbook(PLAYBOOK, env=env, extra_vars=TEAMS, expect_rc=0)
    assert again.changed == [] and emulator.writes() == []
    assert again.result(SUMMARY)["result"]["msg"] == "no changes"

    # 4. Every other case in one play, each predicted by check mode first.
    emulator.clear_log()
    dropped = [team for team in TEAMS["teams"] if team["name"] != "team-data"]
    broken = [
        {"name": "team-platform", "users": TEAMS["teams"][0]["users"]},
        {"name": "team-ops", "users": ["erin@acme.example"]},
        {"name": "team-broken", "users": ["erin@acme.example", "nobody@acme.example"]},
    ]
    tasks = [
        groups_task("kept without the prefix", dropped),
        groups_task("predicted: deleted with the prefix", dropped, check=True, purge_prefix="team-"),
        groups_task("deleted with the prefix", dropped, purge_prefix="team-"),
        groups_task("predicted: refused", [], check=True, purge_prefix="site-"),
        groups_task("refused", [], purge_prefix="site-"),
        groups_task("predicted: one group fails", broken, check=True),
        groups_task("one group fails", broken),
    ]
    cases = run_playbook(play(*tasks), env=env, expect_rc=0)
    result = {t["name"]: cases.result(t["name"]) for t in tasks}

    assert result["kept without the prefix"]["changed"] is False
    for name in ("predicted: deleted with the prefix", "deleted with the prefix"):
        assert result[name]["changed"] is True and result[name]["result"]["summary"] == "1 group deleted"
        assert [g["name"] for g in result[name]["result"]["groups"] if g["deleted"]] == ["team-data"]

    for name in ("predicted: refused", "refused"):
        refused = result[name]["result"]
        assert result[name]["failed"] is True and refused["failed_groups"][0]["name"] == "site-admins"
        assert refused["failed_groups"][0]["reason"].startswith("Refusing to delete site-admins: it grants site")
    assert any(g.name == "site-admins" for g in emulator.state.all_groups())

    for name in ("predicted: one group fails", "one group fails"):
        outcome = result[name]["result"]
        assert result[name]["failed"] is True and result[name]["changed"] is True
        assert [g["name"] for g in outcome["failed_groups"]] == ["team-broken"]
        assert "nobody@acme.example" in outcome["failed_groups"][0]["reason"]
        assert outcome["summary"] == "1 group created, 1 person added, 1 group failed"
    ops = emulator.state.find_group(name="team-ops")
    assert {emulator.state.user(i).email for i in emulator.members(ops.group_id)} == {"erin@acme.example"}
    assert all(g.name != "team-broken" for g in emulator.state.all_groups())
    # Exactly the real tasks' writes: team-data deleted, team-ops created and filled. No check-mode task wrote.
    writes = [(r.method, r.path) for r in emulator.writes()]
    assert sorted(writes) == sorted(
        [("DELETE", "/rest/api/3/group"), ("POST", "/rest/api/3/group"), ("POST", "/rest/api/3/group/user")]
    ), writes
