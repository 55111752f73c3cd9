# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Fixtures for the shared client code: a fake clock, and real clients pointed at a running emulator."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from backend_table import SITE_PRODUCTS, login

from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import settings_from_params
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import Clock

ADMIN = ("admin@acme.example", "admin-api-token")


class FakeClock(Clock):
    """Time moves only when someone sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.sleeps.append(seconds)
            self.t += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client_for(fake_clock: FakeClock) -> Callable[..., AtlassianClient]:
    """``client_for(emulator, username=..., api_token=..., bearer_token=..., max_retries=..., workers=...)``."""
    clients: list[AtlassianClient] = []

    def make(emulator: Any, *, workers: int = 1, **params: Any) -> AtlassianClient:
        if "bearer_token" not in params:
            params = {**login(emulator), **params}
        params.setdefault("max_retries", 3)
        params.setdefault("timeout", 5)
        client = AtlassianClient(
            settings_from_params({"url": emulator.url, **params}), clock=fake_clock, workers=workers
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def site(emulator_factory: Callable[..., Any], backend_name: str) -> Any:
    """An emulated site that serves (only) the product of ``backend_name``, with the default test seed."""
    return emulator_factory(products=SITE_PRODUCTS[backend_name])


@pytest.fixture
def backend_for(client_for: Callable[..., AtlassianClient], backend_name: str) -> Callable[..., Any]:
    """``backend_for(emulator, **client_params)``: the ``backend_name`` backend on a real client."""
    from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import BACKENDS

    return lambda emulator, **params: BACKENDS[backend_name](client_for(emulator, **params))
