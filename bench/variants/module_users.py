# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (a) of W1-W3: one ``atlassian_group_member`` task with the whole list in ``users:``.

A real ``ansible-playbook`` run of the built and installed collection (tests/integration/harness.py), timed from
spawn to exit, so Ansible's own start-up is part of the wall time.
"""

from __future__ import annotations

MODULE = "orgsync.atlassian.atlassian_group_member"


def run(ctx):
    from bench.measure import check_members
    from bench.playbooks import run_once

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
    return run_once(ctx, [task], {"bench_users": workload.users}, lambda: check_members(ctx))


NAME = "a"
LABEL = "atlassian_group_member, one task with users:"
