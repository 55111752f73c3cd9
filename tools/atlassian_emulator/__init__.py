# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""A local, stateful stand-in for Jira Cloud's user/group REST API (v3 and v2), for tests, demos and benchmarks.

from atlassian_emulator import Emulator, load_seed
with Emulator(load_seed(DEFAULT_SEED_PATH)).running() as emu:
    requests.get(f"{emu.url}/rest/api/3/myself", auth=("admin@acme.example", "admin-api-token"))
"""

from __future__ import annotations

from .emulator import Emulator
from .knobs import FaultRule
from .log import RequestRecord
from .seed import DEFAULT_SEED_PATH, DEMO_SEED_PATH, SeedError, load_seed

__all__ = ["DEFAULT_SEED_PATH", "DEMO_SEED_PATH", "Emulator", "FaultRule", "RequestRecord", "SeedError", "load_seed"]
