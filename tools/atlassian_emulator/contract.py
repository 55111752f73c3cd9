# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Opt-in contract check: validate every API request the emulator receives, and every answer it gives, with
openapi-core against an OpenAPI contract (the integration tests use tests/contract/jira-groups-users.contract.json).

    watch = ContractWatch(emulator, "tests/contract/jira-groups-users.contract.json")
    ...  # traffic
    assert not watch.violations, watch.report()

It guards against the emulator and a client agreeing on something Atlassian does not do. It hooks Flask's
``request_finished`` signal, so it sees the final response (after the fault and header hooks) and needs no change to
the request pipeline; a connection the emulator dropped on purpose has no response to check, only its request.
The contract's server (``https://your-domain.atlassian.net``) stands in for the emulator's address, and
``/rest/api/2`` is checked as ``/rest/api/3`` (the same API on Cloud). openapi-core is imported only when a watch is
made, so the emulator itself does not need it.
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import g, request_finished

if TYPE_CHECKING:
    from .emulator import Emulator


@dataclass(frozen=True)
class Violation:
    kind: str  # "request" or "response"
    method: str
    path: str
    status: int | None  # the response status (None for a request violation)
    message: str

    def __str__(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return f"{self.kind}: {self.method} {self.path}{status}: {self.message}"


def _describe(error: BaseException) -> str:
    """openapi-core's error plus the schema errors underneath it (which say which field was wrong)."""
    # Drop the tuple of jsonschema error reprs openapi-core appends; the schema errors are listed below, readably.
    parts = [re.sub(r": \(<ValidationError.*\)$", "", str(error), flags=re.S)]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for schema_error in getattr(current, "schema_errors", None) or ():
            location = "/".join(str(p) for p in schema_error.path) or "<root>"
            parts.append(f"at {location}: {schema_error.message}")
        current = current.__cause__ or current.__context__
        if current is not None and str(current) not in parts and not getattr(current, "schema_errors", None):
            parts.append(str(current))
    return "; ".join(p for p in parts if p)


class ContractValidator:
    """openapi-core validation of werkzeug/Flask requests and responses against one contract (thread-safe)."""

    def __init__(self, contract: Mapping[str, Any] | str | Path) -> None:
        from openapi_core import OpenAPI
        from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

        if not isinstance(contract, Mapping):
            contract = json.loads(Path(contract).read_text(encoding="utf-8"))
        self.server = contract["servers"][0]["url"].rstrip("/")
        # Paths the contract holds under another name (Jira Cloud's v2 is its v3): {regex: replacement}.
        aliases = [(re.compile(k), v) for k, v in (contract.get("x-path-aliases") or {}).items()]
        # Paths the product does not map, which a client may still ask: only a 404 is a valid answer there.
        self.unmapped = frozenset(contract.get("x-unmapped-paths") or ())
        contract = {k: v for k, v in contract.items() if k not in ("x-path-aliases", "x-unmapped-paths")}
        self._openapi = OpenAPI.from_dict(dict(contract))
        self._response_cls = WerkzeugOpenAPIResponse
        server = self.server

        class _AsIfAtlassian(WerkzeugOpenAPIRequest):
            """The request as if it had been sent to the contract's server, under the contract's path names."""

            @property
            def host_url(self) -> str:
                return server

            @property
            def path(self) -> str:
                path = self.request.path
                for pattern, replacement in aliases:
                    path = pattern.sub(replacement, path)
                return path

        self._request_cls = _AsIfAtlassian
        self._lock = threading.Lock()

    def _errors(self, iterator: Iterable[BaseException]) -> list[str]:
        with self._lock, warnings.catch_warnings():
            # openapi-core cannot check OAuth2 and says so once per request: a Bearer token is accepted as is.
            warnings.filterwarnings("ignore", message="Unsupported scheme type")
            return [_describe(e) for e in iterator]

    def request_errors(self, request) -> list[str]:
        if request.path in self.unmapped:
            return []
        openapi_request = self._request_cls(request)
        return self._errors(self._openapi.iter_request_errors(openapi_request))

    def response_errors(self, request, response) -> list[str]:
        if request.path in self.unmapped:
            # A 404, or what any path may answer first: a rate limit or a transient failure.
            status = response.status_code
            if status in (404, 429, 500, 502, 503, 504):
                return []
            return [f"{request.path} is not mapped here, yet it answered {status}, not 404"]
        openapi_request = self._request_cls(request)
        openapi_response = self._response_cls(response)
        return self._errors(self._openapi.iter_response_errors(openapi_request, openapi_response))


_VALIDATORS: dict[Path, ContractValidator] = {}
_VALIDATORS_LOCK = threading.Lock()


class ContractSet:
    """Several contracts, one per product API, each for the paths under its prefix (the longest prefix wins), with
    the ``ContractValidator`` interface. A path under no prefix is a violation: no contract covers it."""

    @classmethod
    def for_products(cls, products: Iterable[str], directory: str | Path) -> ContractSet:
        """The contracts of the products a site serves (``Product.contract``), loaded once per process (loading one
        takes a while)."""
        from .products import PRODUCTS

        contracts = {}
        for product in products:
            prefix, path = PRODUCTS[product].contract_prefix, Path(directory) / PRODUCTS[product].contract
            with _VALIDATORS_LOCK:
                if path not in _VALIDATORS:
                    _VALIDATORS[path] = ContractValidator(path)
                contracts[prefix] = _VALIDATORS[path]
        return cls(contracts)

    def __init__(self, contracts: Mapping[str, ContractValidator | Mapping[str, Any] | str | Path]) -> None:
        self.validators = {
            prefix: c if isinstance(c, ContractValidator) else ContractValidator(c)
            for prefix, c in sorted(contracts.items(), key=lambda item: -len(item[0]))
        }

    def _for(self, request) -> ContractValidator | None:
        for prefix, validator in self.validators.items():
            if request.path == prefix or request.path.startswith(prefix + "/"):
                return validator
        return None

    def request_errors(self, request) -> list[str]:
        validator = self._for(request)
        if validator is None:
            return [f"no contract covers {request.path} (contracts: {', '.join(self.validators)})"]
        return validator.request_errors(request)

    def response_errors(self, request, response) -> list[str]:
        validator = self._for(request)
        return [] if validator is None else validator.response_errors(request, response)


class ContractWatch:
    """Validates an emulator's API traffic until ``close()``; collects ``violations`` instead of raising."""

    def __init__(
        self, emulator: Emulator, contract: Mapping[str, Any] | str | Path | ContractValidator | ContractSet
    ) -> None:
        self.validator = (
            contract if isinstance(contract, (ContractValidator, ContractSet)) else ContractValidator(contract)
        )
        self.app = emulator.app
        self.products = emulator.products
        self.violations: list[Violation] = []
        self.requests_checked = 0
        self.responses_checked = 0
        self._lock = threading.Lock()
        request_finished.connect(self._finished, self.app, weak=False)

    def close(self) -> None:
        request_finished.disconnect(self._finished, self.app)

    def __enter__(self) -> ContractWatch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _finished(self, sender: Any, response: Any, **extra: Any) -> None:
        from flask import request

        from .products import UNSERVED, product_of

        if product_of(request.path, self.products) in (None, UNSERVED):
            # Control routes are the test's, not Atlassian's; and a product this site does not serve has no API here
            # to hold to a contract (its paths answer 404, as on a site without that product).
            return
        method, path = request.method, request.path
        dropped = bool(g.get("dropped"))
        try:
            found = [Violation("request", method, path, None, m) for m in self.validator.request_errors(request)]
            if not dropped:
                found += [
                    Violation("response", method, path, response.status_code, m)
                    for m in self.validator.response_errors(request, response)
                ]
        except Exception as exc:  # a crash of the check must fail the test, not the emulated request
            found = [Violation("request", method, path, None, f"validator crashed: {exc!r}")]
        with self._lock:
            self.requests_checked += 1
            self.responses_checked += 0 if dropped else 1
            self.violations.extend(found)

    def report(self) -> str:
        with self._lock:
            lines = [str(v) for v in self.violations]
            counts = f"{self.requests_checked} requests and {self.responses_checked} responses checked"
        return f"{len(lines)} contract violations ({counts}):\n" + "\n".join(lines)
