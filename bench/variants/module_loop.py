# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (b) of W1-W3: the same module in a ``loop:``, one user per task, as most playbooks are written.

Too slow to run in full (every task is a new module process, a new session and its own reads), so it runs a sample
spread over the workload's batches (for W3: members kept, newcomers added, members removed) and extrapolates; see
bench/playbooks.py (``run_batches``).

For W3 a loop cannot say "exclusive": the playbook adds every listed user (state=present) and removes the members not
listed (state=absent), a list that a playbook would first get from atlassian_group_member_info (that one read is
not counted).
"""

from __future__ import annotations

from bench.variants.module_users import MODULE


def run(ctx):
    from bench.measure import check_members
    from bench.playbooks import Batch, run_batches

    workload = ctx.workload

    def batch(loop) -> Batch:
        def tasks(var: str) -> list[dict]:
            return [
                {
                    "name": f"one user per task ({loop.label})",
                    MODULE: {"group": workload.group, "user": "{{ item }}", "state": loop.state},
                    "loop": f"{{{{ {var} }}}}",
                }
            ]

        def check(users: tuple) -> str | None:
            members = ctx.emulator.members(workload.group)
            wrong = [u for u in users if (workload.account_of[u] in members) != (loop.state == "present")]
            return f"{len(wrong)} users in the wrong state" if wrong else None

        return Batch(loop.label, loop.users, tasks, check)

    return run_batches(ctx, [batch(loop) for loop in workload.loop], check=lambda: check_members(ctx))


NAME = "b"
LABEL = "same module in a loop:, one user per task"
