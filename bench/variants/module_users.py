# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (a): one ``atlassian_group_member`` task with the whole list in ``users:``.

A real ``ansible-playbook`` run of the built and installed collection (tests/integration/harness.py), timed from
spawn to exit, so Ansible's own start-up is part of the wall time.
"""

from __future__ import annotations

import time

MODULE = "orgsync.atlassian.atlassian_group_member"


def playbook(tasks: list[dict]) -> list[dict]:
    return [{"name": "bench", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def run(ctx):
    import harness

    from bench.measure import Result, check_members, count

    workload = ctx.workload
    task = {
        "name": "sync",
        MODULE: {
            "group": workload.group,
            "users": "{{ bench_users }}",
            "state": "present",
            "exclusive": workload.exclusive,
        },
    }
    start = time.perf_counter()
    run = harness.run_playbook(
        playbook([task]),
        collection=ctx.collection,
        workdir=ctx.workdir,
        env=ctx.module_env(),
        extra_vars={"bench_users": workload.users},
        timeout=1800,
    )
    wall = time.perf_counter() - start
    seen = count(ctx.emulator)
    problem = None
    if run.rc != 0:
        problem = (
            f"ansible-playbook rc={run.rc}: {(run.failed or [{}])[0].get('result', {}).get('msg', run.stderr[-300:])}"
        )
    problem = problem or check_members(ctx)
    return Result(
        wall, seen.requests, seen.throttled, failed=run.rc != 0, problem=problem, api_seconds=seen.api_seconds
    )


NAME = "a"
LABEL = "atlassian_group_member, one task with users:"
