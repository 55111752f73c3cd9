# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (b): the same module in a ``loop:``, one user per task, as most playbooks are written.

Too slow to run in full (every task is a new module process, a new session and its own reads), so it runs a sample:
at least ``ctx.sample`` tasks (see ``allocate``), spread over the workload's batches (for W3: members kept,
newcomers added, members removed). The numbers reported are extrapolated: a playbook with an empty loop gives
Ansible's fixed start-up cost S0, each batch gives its cost per task ((wall - S0) / k), and the estimate is
S0 + sum(N x cost per task); requests and 429s are scaled per batch the same way (requests / k x N).

For W3 a loop cannot say "exclusive": the playbook adds every listed user (state=present) and removes the members not
listed (state=absent), a list that a playbook would first get from atlassian_group_member_info (that one read is
not counted).
"""

from __future__ import annotations

import math
import time

from bench.variants.module_users import MODULE, playbook


def allocate(sizes: list[int], sample: int) -> list[int]:
    """How many tasks of each batch to run: proportional to its size, and at least a fifth of the sample (10 of 50),
    so that a small batch (W3's adds and removes) is measured too; all of a batch smaller than that."""
    total = sum(sizes)
    if total <= sample:
        return list(sizes)
    floor = max(1, sample // 5)
    return [min(n, max(floor, math.floor(sample * n / total))) for n in sizes]


def _loop_play(group: str, state: str) -> list[dict]:
    task = {
        "name": "one user per task",
        MODULE: {"group": group, "user": "{{ item }}", "state": state},
        "loop": "{{ bench_users }}",
    }
    return playbook([task])


def run(ctx):
    import harness

    from bench.measure import Result, count

    workload = ctx.workload
    env = ctx.module_env()

    def timed(play, users, name):
        before = count(ctx.emulator)
        start = time.perf_counter()
        outcome = harness.run_playbook(
            play,
            collection=ctx.collection,
            workdir=ctx.workdir / name,
            env=env,
            extra_vars={"bench_users": list(users)},
            timeout=1800,
        )
        return time.perf_counter() - start, count(ctx.emulator) - before, outcome

    # Ansible's fixed cost: the same playbook with nothing to loop over.
    s0 = timed(_loop_play(workload.group, "present"), [], "empty")[0]
    batches = workload.loop
    ks = allocate([len(b.users) for b in batches], ctx.sample)
    full = all(k == len(b.users) for k, b in zip(ks, batches, strict=True))
    wall = s0 if not full else 0.0
    requests = throttled = 0.0
    problems = []
    for batch, k in zip(batches, ks, strict=True):
        users = batch.users[:k]
        seconds, seen, outcome = timed(_loop_play(workload.group, batch.state), users, batch.label)
        if outcome.rc != 0:
            problems.append(f"{batch.label}: ansible-playbook rc={outcome.rc}")
        scale = len(batch.users) / k
        wall += seconds if full else (seconds - s0) * scale
        requests += seen.requests * scale
        throttled += seen.throttled * scale
        members = ctx.emulator.members(workload.group)
        wrong = [u for u in users if (workload.account_of[u] in members) != (batch.state == "present")]
        if wrong:
            problems.append(f"{batch.label}: {len(wrong)} users in the wrong state")
    if full:
        from bench.measure import check_members

        problem = check_members(ctx)
        if problem:
            problems.append(problem)
    note = None if full else f"{sum(ks)} of {sum(len(b.users) for b in batches)} tasks"
    return Result(
        wall,
        round(requests),
        round(throttled),
        failed=bool(problems),
        extrapolated=note,
        problem="; ".join(problems) or None,
    )


NAME = "b"
LABEL = "same module in a loop:, one user per task"
