# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""W5's variants: create 20 team groups and fill each with 10 people, given by email.

- (a) two tasks (playbooks/new_team.yml for 20 teams): ``atlassian_group`` in a loop over the 20 names, then
  ``atlassian_group_member`` in a loop over the 20 groups with the team's 10 people in ``users:``.
- (b) the same ``atlassian_group`` loop, then ``atlassian_group_member`` once per person (200 tasks). Sampled and
  extrapolated like W1-W3's (b) (bench/playbooks.py), the sampled people being in the sampled groups.
"""

from __future__ import annotations

import math

from bench.measure import Variant

GROUP = "orgsync.atlassian.atlassian_group"
GROUP_MEMBER = "orgsync.atlassian.atlassian_group_member"


def check(ctx, teams=None) -> str | None:
    """None when each team's group (default: every team) exists and holds exactly its people, else what differs."""
    workload = ctx.workload
    wrong = []
    for name in workload.teams if teams is None else teams:
        try:
            actual = ctx.emulator.members(name)
        except LookupError:
            wrong.append(f"{name} (no such group)")
            continue
        if actual != {workload.account_of[email] for email in workload.teams[name]}:
            wrong.append(f"{name} ({len(actual)} members)")
    if not wrong:
        return None
    return f"end state wrong in {len(wrong)} groups: {', '.join(wrong[:3])}" + (", ..." if len(wrong) > 3 else "")


def _create(var: str) -> list[dict]:
    return [{"name": "the team's group exists", GROUP: {"name": "{{ item }}"}, "loop": f"{{{{ {var} }}}}"}]


def run_per_group(ctx):
    from bench.playbooks import run_once

    teams = ctx.workload.teams
    tasks = _create("bench_team_names") + [
        {
            "name": "the team's people are in it",
            GROUP_MEMBER: {"group": "{{ item.name }}", "users": "{{ item.users }}"},
            "loop": "{{ bench_teams }}",
        }
    ]
    extra_vars = {
        "bench_team_names": list(teams),
        "bench_teams": [{"name": name, "users": users} for name, users in teams.items()],
    }
    return run_once(ctx, tasks, extra_vars, lambda: check(ctx))


def run_per_person(ctx):
    from bench.playbooks import Batch, run_batches

    workload = ctx.workload
    pairs = tuple({"group": name, "user": email} for name, users in workload.teams.items() for email in users)

    def add(var: str) -> list[dict]:
        return [
            {
                "name": "one person per task",
                GROUP_MEMBER: {"group": "{{ item.group }}", "user": "{{ item.user }}"},
                "loop": f"{{{{ {var} }}}}",
            }
        ]

    def created(names: tuple) -> str | None:
        existing = {g.name for g in ctx.emulator.state.all_groups()}
        missing = [n for n in names if n not in existing]
        return f"{len(missing)} groups missing" if missing else None

    def added(items: tuple) -> str | None:
        wrong = [p for p in items if workload.account_of[p["user"]] not in ctx.emulator.members(p["group"])]
        return f"{len(wrong)} people not in their group" if wrong else None

    def groups_first(ks: list[int]) -> list[int]:
        # The sampled people are the first k of the list, team by team: their groups must be among those created.
        size = max(1, len(pairs) // max(1, len(workload.teams)))
        return [min(len(workload.teams), max(ks[0], math.ceil(ks[1] / size))), ks[1]]

    batches = [Batch("create", tuple(workload.teams), _create, created), Batch("add", pairs, add, added)]
    return run_batches(ctx, batches, check=lambda: check(ctx), adjust=groups_first)


PER_GROUP = Variant("a", "atlassian_group loop, then atlassian_group_member with users: per group", run_per_group)
PER_PERSON = Variant("b", "atlassian_group loop, then atlassian_group_member per person", run_per_person)
