# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Running the module variants' playbooks and measuring them, for every workload.

- ``run_once``: one playbook, run in full, timed from spawn to exit (the (a) variants).
- ``run_batches``: the ``loop:`` variants. A loop task per batch of items (W3: the members kept, the newcomers
  added, the members removed). When the sample covers every task, all batches run as one playbook, in full.
  Otherwise it runs a sample: at least ``ctx.sample`` tasks (see ``allocate``), and the numbers are extrapolated: a
  playbook with an empty loop gives Ansible's fixed start-up cost S0, each batch gives its cost per task
  ((wall - S0) / k), and the estimate is S0 + sum(N x cost per task); requests and 429s are scaled per batch the
  same way (requests / k x N).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from bench.measure import Context, Result, count


def playbook(tasks: list[dict]) -> list[dict]:
    return [{"name": "bench", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def _problem(run) -> str:
    failed = (run.failed or [{}])[0].get("result", {})
    return f"ansible-playbook rc={run.rc}: {failed.get('msg', run.stderr[-300:])}"


def run_once(ctx: Context, tasks: list[dict], extra_vars: dict[str, Any], check: Callable[[], str | None]) -> Result:
    """One playbook, run in full against the fresh emulator; ``check`` says what is wrong with the end state."""
    import harness

    start = time.perf_counter()
    run = harness.run_playbook(
        playbook(tasks),
        collection=ctx.collection,
        workdir=ctx.workdir,
        env=ctx.module_env(),
        extra_vars=extra_vars,
        timeout=1800,
    )
    wall = time.perf_counter() - start
    seen = count(ctx.emulator)
    problem = (_problem(run) if run.rc != 0 else None) or check()
    return Result(
        wall,
        seen.requests,
        seen.throttled,
        failed=run.rc != 0,
        problem=problem,
        api_seconds=seen.api_seconds,
        busy_seconds=seen.busy_seconds,
    )


@dataclass
class Batch:
    """One ``loop:`` task (or a few) over ``items``.

    ``tasks(var)``: the task(s), looping over the play variable named ``var``.
    ``check(items)``: after a run over these items, None, or what is wrong (the batch's label is added).
    """

    label: str
    items: tuple
    tasks: Callable[[str], list[dict]]
    check: Callable[[tuple], str | None]


def allocate(sizes: list[int], sample: int) -> list[int]:
    """How many tasks of each batch to run: proportional to its size, and at least a fifth of the sample (10 of 50),
    so that a small batch (W3's adds and removes) is measured too; all of a batch smaller than that."""
    total = sum(sizes)
    if total <= sample:
        return list(sizes)
    floor = max(1, sample // 5)
    return [min(n, max(floor, math.floor(sample * n / total))) for n in sizes]


def run_batches(
    ctx: Context,
    batches: list[Batch],
    *,
    check: Callable[[], str | None],
    adjust: Callable[[list[int]], list[int]] | None = None,
) -> Result:
    """The loop variant over ``batches``: in full when the sample covers them, else sampled and extrapolated.

    ``check``: the end state after a full run. ``adjust``: changes the sample's allocation (e.g. so that a sampled
    batch only needs what an earlier sampled batch made).
    """
    import harness

    env = ctx.module_env()

    def timed(tasks: list[dict], extra_vars: dict, name: str):
        before = count(ctx.emulator)
        start = time.perf_counter()
        outcome = harness.run_playbook(
            playbook(tasks),
            collection=ctx.collection,
            workdir=ctx.workdir / name,
            env=env,
            extra_vars=extra_vars,
            timeout=1800,
        )
        return time.perf_counter() - start, count(ctx.emulator) - before, outcome

    ks = allocate([len(b.items) for b in batches], ctx.sample)
    if adjust:
        ks = adjust(ks)
    problems = []

    def checked(batch: Batch, items: tuple) -> None:
        problem = batch.check(items)
        if problem:
            problems.append(f"{batch.label}: {problem}")

    if all(k == len(b.items) for k, b in zip(ks, batches, strict=True)):
        # Every task: one playbook, as a user would run it.
        tasks = [task for i, batch in enumerate(batches) for task in batch.tasks(f"bench_items_{i}")]
        extra_vars = {f"bench_items_{i}": list(batch.items) for i, batch in enumerate(batches)}
        seconds, _seen, outcome = timed(tasks, extra_vars, "all")
        if outcome.rc != 0:
            problems.append(_problem(outcome))
        for batch in batches:
            checked(batch, batch.items)
        problem = check()
        if problem:
            problems.append(problem)
        seen = count(ctx.emulator)  # the emulator is fresh: its whole log is this playbook's
        return Result(
            seconds,
            seen.requests,
            seen.throttled,
            failed=bool(problems),
            problem="; ".join(problems) or None,
            api_seconds=seen.api_seconds,
            busy_seconds=seen.busy_seconds,
        )

    # Ansible's fixed cost: the first batch's playbook with nothing to loop over.
    s0 = timed(batches[0].tasks("bench_items"), {"bench_items": []}, "empty")[0]
    wall, requests, throttled = s0, 0.0, 0.0
    for batch, k in zip(batches, ks, strict=True):
        items = batch.items[:k]
        seconds, seen, outcome = timed(batch.tasks("bench_items"), {"bench_items": list(items)}, batch.label)
        if outcome.rc != 0:
            problems.append(f"{batch.label}: ansible-playbook rc={outcome.rc}")
        scale = len(batch.items) / k
        wall += (seconds - s0) * scale
        requests += seen.requests * scale
        throttled += seen.throttled * scale
        checked(batch, items)
    return Result(
        wall,
        round(requests),
        round(throttled),
        failed=bool(problems),
        extrapolated=f"{sum(ks)} of {sum(len(b.items) for b in batches)} tasks",
        problem="; ".join(problems) or None,
    )
