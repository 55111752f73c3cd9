# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""W6's variants: onboard 100 new hires who have no account yet into 3 groups each (issue 18).

- (a) one ``atlassian_user`` task: ``users:`` the 100 emails, ``groups:`` the 3 groups, ``products: [jira-software]``
  (playbooks/onboard.yml's task): the accounts read and invited, and the memberships added, concurrently within the
  rate limit.
- (b) a ``loop:`` of ``atlassian_user`` over the hires, one user a task with the same groups. Sampled and
  extrapolated like W1-W3's (b) (bench/playbooks.py).
- (c) the naive script: per hire, Jira's createUser, then one add per group, one request after the other
  (bench/variants/joiners_script.py).
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import Variant

USER = "orgsync.atlassian.atlassian_user"
PRODUCTS = ["jira-software"]


def check(ctx, hires=None) -> str | None:
    """None when each hire (default: every one) has an account in every group, else what differs."""
    from bench.workloads import HIRE_GROUPS

    state = ctx.emulator.state
    wrong = []
    for email in ctx.workload.hires if hires is None else hires:
        found = state.users_with_email(email)
        if len(found) != 1:
            wrong.append(f"{email} ({len(found)} accounts)")
        elif {g.name for g in state.groups_of(found[0].account_id)} != set(HIRE_GROUPS):
            wrong.append(f"{email} (not in every group)")
    if not wrong:
        return None
    return f"end state wrong for {len(wrong)} hires: {', '.join(wrong[:3])}" + (", ..." if len(wrong) > 3 else "")


def run_one_task(ctx):
    from bench.playbooks import run_once
    from bench.workloads import HIRE_GROUPS

    task = {
        "name": "the new hires, invited and in their groups, in one task",
        USER: {"users": "{{ bench_hires }}", "groups": list(HIRE_GROUPS), "products": PRODUCTS},
    }
    return run_once(ctx, [task], {"bench_hires": ctx.workload.hires}, lambda: check(ctx))


def run_loop(ctx):
    from bench.playbooks import Batch, run_batches
    from bench.workloads import HIRE_GROUPS

    def tasks(var: str) -> list[dict]:
        return [
            {
                "name": "one new hire per task",
                USER: {"user": "{{ item }}", "groups": list(HIRE_GROUPS), "products": PRODUCTS},
                "loop": f"{{{{ {var} }}}}",
            }
        ]

    batch = Batch("hires", tuple(ctx.workload.hires), tasks, lambda items: check(ctx, items))
    return run_batches(ctx, [batch], check=lambda: check(ctx))


def run_script(ctx):
    from bench.measure import Result, count, run_script
    from bench.workloads import HIRE_GROUPS

    username, token = ctx.credentials()
    spec = {
        "url": ctx.url,
        "username": username,
        "api_token": token,
        "emails": ctx.workload.hires,
        "groups": list(HIRE_GROUPS),
        "products": PRODUCTS,
    }
    wall, summary = run_script(Path(__file__).with_name("joiners_script.py"), spec, ctx.workdir)
    seen = count(ctx.emulator)
    problem = summary.get("problem") or check(ctx)
    return Result(
        wall, seen.requests, seen.throttled, failed=summary["rc"] != 0, problem=problem, api_seconds=seen.api_seconds
    )


ONE_TASK = Variant("a", "atlassian_user, one task (users: every hire, groups: 3)", run_one_task)
LOOP = Variant("b", "atlassian_user in a loop: one new hire per task", run_loop)
SCRIPT = Variant("c", "naive script (create user, then add to each group)", run_script)
