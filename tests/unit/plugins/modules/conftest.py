# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The modules' in-process tests run on every backend: ``emulator`` is a site that serves only the product of the
backend under test, and the modules are given no ``backend`` option, so ``auto`` must find it every time."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from backend_table import FACTS, SITE_PRODUCTS, Facts


@pytest.fixture
def emulator(emulator_factory: Callable[..., Any], backend_name: str) -> Any:
    return emulator_factory(products=SITE_PRODUCTS[backend_name])


@pytest.fixture
def on_confluence(backend_name: str) -> bool:
    return backend_name == "confluence_cloud"


@pytest.fixture
def facts(backend_name: str) -> Facts:
    """What the tests may expect of the backend under test where backends differ."""
    return FACTS[backend_name]
