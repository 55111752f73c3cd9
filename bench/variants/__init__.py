# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The benchmark's variants, by kind of workload and letter. Each has ``NAME``, ``LABEL`` and ``run(ctx) -> Result``,
and may have ``not_applicable(workload) -> str | None`` (then the row says why, and nothing runs).

W1-W3 (membership of one group): one file per variant. W4, W5 and W6: one file per workload, its variants inside.
"""

from __future__ import annotations

from bench.variants import (
    apa_script,
    joiners,
    module_loop,
    module_users,
    naive_script,
    new_teams,
    offboard,
    teams_file,
)
from bench.workloads import JOINERS, MEMBERSHIP, OFFBOARD, RECONCILE, TEAMS

VARIANTS = {
    MEMBERSHIP: {v.NAME: v for v in (module_users, module_loop, naive_script, apa_script)},
    OFFBOARD: {v.NAME: v for v in (offboard.ONE_TASK, offboard.LOOP)},
    TEAMS: {v.NAME: v for v in (new_teams.PER_GROUP, new_teams.PER_PERSON, teams_file.W5_ONE_TASK)},
    RECONCILE: {v.NAME: v for v in (teams_file.W7_ONE_TASK, teams_file.W7_LOOP)},
    JOINERS: {v.NAME: v for v in (joiners.ONE_TASK, joiners.LOOP, joiners.SCRIPT)},
}
LETTERS = sorted({name for variants in VARIANTS.values() for name in variants})
