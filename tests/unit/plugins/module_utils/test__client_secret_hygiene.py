# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""No exception or repr of the client carries a token, the Basic credential, or the Authorization header.

Each failure path of ``AtlassianClient.request`` is provoked for real against the emulator, then everything
reachable from the raised error is searched: ``str``, ``repr``, ``args``, its attributes (recursively), the
exception chain (``__cause__``/``__context__``: a requests exception there would hold the prepared request, headers
and all) and the formatted traceback.
"""

from __future__ import annotations

import socket
import traceback
from typing import Any

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._client import ApiResponse, secret_values
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError

ADMIN = {"username": "admin@acme.example", "api_token": "admin-api-token"}
BEARER = {"bearer_token": "oauth-bearer-token"}
WRONG = {"username": "admin@acme.example", "api_token": "wr0ng-t0ken-Zx9"}
BOB = {"username": "bob@acme.example", "api_token": "bob-api-token"}
FORBIDDEN_WORDS = ("Authorization", "Basic ", "Bearer ")


def strings_reachable(obj: Any, depth: int = 0, seen: set[int] | None = None) -> list[str]:
    """Every string reachable from ``obj`` through containers, attributes and exception chains."""
    seen = seen if seen is not None else set()
    if id(obj) in seen or depth > 6:
        return []
    seen.add(id(obj))
    if isinstance(obj, (str, bytes)):
        return [obj.decode(errors="replace") if isinstance(obj, bytes) else obj]
    found: list[str] = []
    if isinstance(obj, dict):
        items = list(obj.keys()) + list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)
    else:
        items = []
        if isinstance(obj, BaseException):
            found += [str(obj), repr(obj)]
            items += [obj.args, obj.__cause__, obj.__context__]
        if hasattr(obj, "__dict__") and not isinstance(obj, type):
            items.append(vars(obj))
    for item in items:
        found += strings_reachable(item, depth + 1, seen)
    return found


def assert_clean(error: BaseException, settings) -> None:
    texts = strings_reachable(error) + ["".join(traceback.format_exception(error))]
    secrets = secret_values(settings)
    assert secrets, "no secret to look for"
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"secret in {text!r}"
        for word in FORBIDDEN_WORDS:
            assert word not in text, f"{word!r} in {text!r}"
    # Nothing in the chain is a requests exception: those keep the prepared request, headers included.
    chain = [error.__cause__, error.__context__]
    assert all(link is None or isinstance(link, AtlassianError) for link in chain), chain


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def provoke(emulator, client_for, case: str) -> tuple[AtlassianError, Any]:
    credentials = BEARER if case.endswith("bearer") else ADMIN
    url = emulator.url
    faults: list[dict[str, Any]] = []
    extra: dict[str, Any] = {"max_retries": 1}
    if case.startswith("401"):
        credentials = WRONG if case == "401-basic" else {"bearer_token": "not-the-bearer-t0ken"}
    elif case.startswith("429-exhausted"):
        faults = [{"action": "status", "status": 429, "retry_after": 0, "times": None}]
    elif case == "503-exhausted":
        faults = [{"action": "status", "status": 503, "times": None}]
    elif case == "reset":
        faults = [{"action": "reset", "times": None}]
    elif case == "timeout":
        faults = [{"action": "delay", "delay_ms": 600, "times": None}]
        extra["timeout"] = 0.2
    elif case == "connection-refused":
        url = f"http://127.0.0.1:{closed_port()}"
    elif case == "tls-to-a-plain-http-server":
        url = url.replace("http://", "https://")
    emulator.configure(faults=faults)
    client = client_for(emulator, **credentials, **extra)
    if url != emulator.url:
        client.settings = type(client.settings)(**{**vars(client.settings), "base_url": url})
    with pytest.raises(AtlassianError) as caught:
        client.get("/rest/api/3/myself")
    return caught.value, client.settings


CASES = [
    "401-basic",
    "401-bearer",
    "429-exhausted",
    "429-exhausted-bearer",
    "503-exhausted",
    "reset",
    "timeout",
    "connection-refused",
    "tls-to-a-plain-http-server",
]


@pytest.mark.parametrize("case", CASES)
def test_client_errors_carry_no_secret(emulator, client_for, case):
    error, settings = provoke(emulator, client_for, case)
    assert error.message  # something useful was said
    assert_clean(error, settings)


def test_a_refused_write_carries_no_secret(emulator, client_for):
    client = client_for(emulator, **BOB)
    with pytest.raises(AtlassianError) as caught:
        client.request("POST", "/rest/api/3/group/user", params={"groupname": "team-design"}, json={"accountId": "x"})
    assert caught.value.status == 403
    assert_clean(caught.value, client.settings)


@pytest.mark.parametrize("credentials", [ADMIN, BEARER], ids=["basic", "bearer"])
def test_reprs_carry_no_secret(emulator, client_for, credentials):
    client = client_for(emulator, **credentials)
    response = client.get("/rest/api/3/myself")
    assert isinstance(response, ApiResponse)
    texts = [repr(client), repr(client.settings), str(client.settings), repr(response), str(response)]
    for text in texts:
        for secret in secret_values(client.settings):
            assert secret not in text
        for word in FORBIDDEN_WORDS:
            assert word not in text
