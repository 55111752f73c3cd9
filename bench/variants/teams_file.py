# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""A file of teams as one ``atlassian_groups`` task (issue 19), against the loops it replaces.

- W5 (c): the 20 new team groups and their people, one task.
- W7 (a): the reconcile of the whole file, one task (``exclusive``, ``purge_prefix``); then the same task again,
  which must send only reads and report no change, and the module run on its own for its peak RSS.
- W7 (b): ``atlassian_group`` for the groups to create and to delete (in a loop), then ``atlassian_group_member``
  with ``exclusive`` in a loop over every team (one module process a group).
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench.measure import Result, Variant
from bench.variants.new_teams import check as teams_check
from bench.workloads import TEAM_PREFIX

GROUPS = "orgsync.atlassian.atlassian_groups"
GROUP = "orgsync.atlassian.atlassian_group"
GROUP_MEMBER = "orgsync.atlassian.atlassian_group_member"


def _file(workload) -> list[dict]:
    return [{"name": name, "users": users} for name, users in workload.teams.items()]


def check_reconciled(ctx) -> str | None:
    """None when every team holds exactly its people (the admin is no member anywhere) and the unlisted are gone."""
    problem = teams_check(ctx)
    left = [g.name for g in ctx.emulator.state.all_groups() if g.name in ctx.workload.unlisted]
    return problem or (f"unlisted groups still there: {', '.join(left)}" if left else None)


def run_w5_one_task(ctx) -> Result:
    from bench.playbooks import run_once

    tasks = [{"name": "the teams file", GROUPS: {"groups": "{{ bench_file }}"}}]
    return run_once(ctx, tasks, {"bench_file": _file(ctx.workload)}, lambda: teams_check(ctx))


def run_w7_one_task(ctx) -> Result:
    from bench.playbooks import run_once

    args = {"groups": "{{ bench_file }}", "exclusive": True, "purge_prefix": TEAM_PREFIX}
    tasks = [{"name": "the teams file", GROUPS: args}]
    extra = {"bench_file": _file(ctx.workload)}
    result = run_once(ctx, tasks, extra, lambda: check_reconciled(ctx))
    if result.failed or result.problem:
        return result
    # The rerun: only reads, and no change.
    ctx.emulator.clear_log()
    ctx.workdir = ctx.workdir.parent / (ctx.workdir.name + "-rerun")
    again = run_once(ctx, tasks, extra, lambda: check_reconciled(ctx))
    writes = len(ctx.emulator.writes())
    rerun = f"rerun {again.wall:.1f} s, {again.requests:,.0f} requests, {writes} writes"
    rss = module_peak_rss(ctx, {**args, "groups": extra["bench_file"]})
    result.note = f"{rerun}; module peak RSS {rss / 1024:.0f} MiB (the rerun, run on its own)"
    if writes or again.problem:
        result.problem = f"the rerun wrote {writes} times" if writes else again.problem
    return result


def module_peak_rss(ctx, args: dict) -> int:
    """The module's peak RSS in KiB, run on its own (as Ansible runs it: one Python process, the arguments in a
    file) in a child whose own child is the module, so that ``ru_maxrss`` of its children is the module's alone."""
    env = ctx.module_env()
    conn = {"url": env["ATLASSIAN_URL"], "username": env["ATLASSIAN_USERNAME"], "backend": env["ATLASSIAN_BACKEND"]}
    conn["api_token"] = env["ATLASSIAN_API_TOKEN"]
    path = ctx.workdir / "module-args.json"
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {**conn, **args, "_ansible_check_mode": True}}))
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run([sys.executable, '-m', 'ansible_collections.orgsync.atlassian.plugins.modules.atlassian_groups',"
        " sys.argv[1]], check=True, capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    python_path = str(ctx.collection.collections_path)
    out = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        env={"PYTHONPATH": python_path, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return int(out.stdout.strip().splitlines()[-1])


def run_w7_loop(ctx) -> Result:
    from bench.playbooks import run_once

    workload = ctx.workload
    tasks = [
        {"name": "new groups", GROUP: {"name": "{{ item }}"}, "loop": "{{ bench_new }}"},
        {"name": "dissolved groups", GROUP: {"name": "{{ item }}", "state": "absent"}, "loop": "{{ bench_gone }}"},
        {
            "name": "each team's people, exactly",
            GROUP_MEMBER: {"group": "{{ item.name }}", "users": "{{ item.users }}", "exclusive": True},
            "loop": "{{ bench_file }}",
        },
    ]
    extra = {"bench_file": _file(workload), "bench_new": workload.new_groups, "bench_gone": workload.unlisted}
    return run_once(ctx, tasks, extra, lambda: check_reconciled(ctx))


W5_ONE_TASK = Variant("c", "atlassian_groups: the teams in one task", run_w5_one_task)
W7_ONE_TASK = Variant("a", "atlassian_groups: the file in one task (exclusive, purge_prefix)", run_w7_one_task)
W7_LOOP = Variant("b", "atlassian_group loops, then atlassian_group_member exclusive per group", run_w7_loop)
