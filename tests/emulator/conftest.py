# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Helpers for the emulator's own tests: HTTP clients bound to the ``emulator`` fixture (from tests/conftest.py).

The cast (who is who) is documented at the top of tools/atlassian_emulator/seeds/default.yaml.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import requests

ADMIN = ("admin@acme.example", "admin-api-token")
BOB = ("bob@acme.example", "bob-api-token")
BEARER_TOKEN = "oauth-bearer-token"
JSON = "application/json"


class Api:
    """A thin requests wrapper: base URL, one way of authenticating, ``Accept: application/json`` like real clients."""

    def __init__(self, base_url: str, authorization: str | None = None, accept: str | None = JSON) -> None:
        self.base_url = base_url
        self.headers: dict[str, str] = {}
        if authorization is not None:
            self.headers["Authorization"] = authorization
        if accept is not None:
            self.headers["Accept"] = accept

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 5)
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        return requests.request(method, url, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)


def basic(email: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()


# Named ways of calling, so test modules need not import anything from here.
AUTHORIZATIONS = {
    "admin": basic(*ADMIN),
    "bob": basic(*BOB),
    "ivan": basic("ivan.former@acme.example", "ivan-api-token"),
    "bearer": f"Bearer {BEARER_TOKEN}",
    None: None,
}


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Callable[..., Api]:
    """``api(who="admin", *, header=None, basic_auth=None, accept="application/json", on=None)``.

    ``who``: "admin", "bob" (not a site admin), "ivan" (inactive), "bearer" (Otto, site admin), None (anonymous).
    ``header``: a raw Authorization header instead; ``basic_auth=(email, token)``: Basic auth with these.
    ``on``: another emulator than the ``emulator`` fixture (which is then not started at all).
    """

    def make(
        who: str | None = "admin",
        *,
        header: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        accept: str | None = JSON,
        on: Any = None,
    ) -> Api:
        if basic_auth is not None:
            header = basic(*basic_auth)
        target = on if on is not None else request.getfixturevalue("emulator")
        return Api(target.url, header if header is not None else AUTHORIZATIONS[who], accept)

    return make


@pytest.fixture
def admin(api: Callable[..., Api]) -> Api:
    return api("admin")


@pytest.fixture
def bob(api: Callable[..., Api]) -> Api:
    return api("bob")


@pytest.fixture
def anon(api: Callable[..., Api]) -> Api:
    return api(None)


@pytest.fixture
def uid(emulator: Any) -> Callable[[str], str]:
    """accountId of the seeded user with this (unique) email."""
    return lambda email: emulator.state.resolve_user(email).account_id
