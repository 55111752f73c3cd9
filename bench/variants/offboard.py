# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""W4's variants: offboard one deactivated leaver, given by email, who is in 30 of the site's 300 groups.

- (a) one ``atlassian_user_groups`` task: ``groups: []``, ``exclusive: true``, ``keep: []`` (playbooks/offboard.yml
  today): one read of the leaver's groups, then the removes.
- (b) a ``loop:`` of ``atlassian_group_member`` with ``state: absent`` over every group of the site, as
  playbooks/offboard.yml used to work (the user keeps the list of groups). Sampled and extrapolated like W1-W3's (b)
  (bench/playbooks.py), over three batches: the access group, the groups the leaver is in, the others.
"""

from __future__ import annotations

from bench.measure import Variant

USER_GROUPS = "orgsync.atlassian.atlassian_user_groups"
GROUP_MEMBER = "orgsync.atlassian.atlassian_group_member"


def check(ctx, groups=None) -> str | None:
    """None when each group (default: every group of the site) holds its members less the leaver, else what
    differs."""
    workload = ctx.workload
    wrong = []
    for name in workload.after if groups is None else groups:
        actual = ctx.emulator.members(name)
        if actual != workload.after[name]:
            still = "the leaver still in it" if workload.leaver.account_id in actual else "other members changed"
            wrong.append(f"{name} ({still})")
    if not wrong:
        return None
    return f"end state wrong in {len(wrong)} groups: {', '.join(wrong[:3])}" + (", ..." if len(wrong) > 3 else "")


def run_one_task(ctx):
    from bench.playbooks import run_once

    task = {
        "name": "offboard the leaver in one task",
        USER_GROUPS: {"user": "{{ bench_leaver }}", "groups": [], "exclusive": True, "keep": []},
    }
    return run_once(ctx, [task], {"bench_leaver": ctx.workload.leaver.email}, lambda: check(ctx))


def run_loop(ctx):
    from bench.playbooks import Batch, run_batches
    from bench.workloads import STAFF_GROUP

    workload = ctx.workload

    def tasks(var: str) -> list[dict]:
        return [
            {
                "name": "the leaver is not in this group",
                GROUP_MEMBER: {"group": "{{ item }}", "user": workload.leaver.email, "state": "absent"},
                "loop": f"{{{{ {var} }}}}",
            }
        ]

    def batch(label: str, groups: list[str]) -> Batch:
        return Batch(label, tuple(groups), tasks, lambda items: check(ctx, items))

    teams = [name for name in workload.after if name != STAFF_GROUP]
    batches = [
        batch("access-group", [STAFF_GROUP]),
        batch("leaver-in", [name for name in teams if name in workload.leaver_groups]),
        batch("leaver-not-in", [name for name in teams if name not in workload.leaver_groups]),
    ]
    return run_batches(ctx, [b for b in batches if b.items], check=lambda: check(ctx))


ONE_TASK = Variant("a", "atlassian_user_groups, one task (groups: [], exclusive)", run_one_task)
LOOP = Variant("b", "atlassian_group_member state=absent in a loop: over every group", run_loop)
