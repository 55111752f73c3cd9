# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Fixtures shared by every test suite.

``emulator``: a fresh Atlassian emulator (default test seed, see tools/atlassian_emulator/seeds/default.yaml),
running on 127.0.0.1 and a free port for one test, then stopped.
``emulator_factory(seed=None, **knobs)``: start more, from a seed dict or YAML path and knobs; all stopped after the test.

The emulator package is imported inside the fixtures, so suites that never use it do not need Flask.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TOOLS_DIR = Path(__file__).resolve().parents[1] / "tools"
TESTS_DIR = Path(__file__).resolve().parent  # the one backend table (backend_table.py) every suite reads
for directory in (TOOLS_DIR, TESTS_DIR):
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Any]]:
    from atlassian_emulator import Emulator

    started: list[Emulator] = []

    def start(seed: Any = None, **knobs: Any) -> Emulator:
        emulator = Emulator(seed, **knobs).start()
        started.append(emulator)
        return emulator

    yield start
    for emulator in reversed(started):
        emulator.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., Any]) -> Any:
    return emulator_factory()
