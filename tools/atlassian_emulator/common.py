# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""What every product's routes share: the emulator behind the app, JSON answers, Jira's error collection, and the
``Product`` record each product module fills in (``products.PRODUCTS`` lists them).

It imports no product module and no ``app``: the product modules build on it, ``products`` lists them, and ``app``
runs them, so no module imports one that imports it (every module imports on its own in a fresh interpreter).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from .auth import authenticate, unauthorized
from .knobs import RateDecision, normalize_path

if TYPE_CHECKING:
    from .emulator import Emulator

JSON_TYPE = "application/json;charset=UTF-8"
EXTENSION = "atlassian_emulator"


def emu() -> Emulator:
    """The emulator serving the current request."""
    return current_app.extensions[EXTENSION]


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")), status=status, content_type=JSON_TYPE
    )


def error_collection(status: int, messages: list[str], errors: dict[str, str] | None = None) -> Response:
    """Jira's ErrorCollection ``{"errorMessages": [...], "errors": {...}}`` (Cloud and Data Center alike)."""
    return json_response({"errorMessages": messages, "errors": errors or {}}, status)


def empty_response(status: int = 200) -> Response:
    response = Response(b"", status=status)
    del response.headers["Content-Type"]  # no body, so no media type (the spec documents none)
    return response


class ApiError(Exception):
    """Rendered as Jira's ErrorCollection ``{"errorMessages": [...], "errors": {...}}``."""

    def __init__(self, status: int, *messages: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(status, messages)
        self.status = status
        self.messages = list(messages)
        self.errors = errors or {}


def render_api_error(exc: ApiError) -> Response:
    return error_collection(exc.status, exc.messages, exc.errors)


def retry_after_value(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


# -- what a product's API answers, by family (Atlassian Cloud's sites, a Data Center server) ----------------------


def cloud_rate_headers(response: Response, decision: RateDecision) -> None:
    """An Atlassian Cloud site's headers on an allowed request: the limit, what remains, and NearLimit near it."""
    response.headers["X-RateLimit-Limit"] = str(decision.limit)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    if decision.near_limit:
        response.headers["X-RateLimit-NearLimit"] = "true"


def datacenter_rate_headers(response: Response, decision: RateDecision) -> None:
    """Data Center's opt-in rate limiting names its token bucket (DC-RLH); it has no NearLimit flag."""
    response.headers["X-RateLimit-Limit"] = str(decision.limit)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    response.headers["X-RateLimit-Interval-Seconds"] = "1"
    response.headers["X-RateLimit-FillRate"] = f"{emu().knobs.rate_limit_rps or 0:g}"
    response.headers["retry-after"] = "0"


def _rate_limited(limit: int | None, body: Any) -> Response:
    response = json_response(
        body if body is not None else {"errorMessages": ["Rate limit exceeded."], "errors": {}}, 429
    )
    if limit is not None:
        response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = "0"
    return response


def cloud_too_many_requests(retry_after: float, limit: int | None = None, body: Any = None) -> Response:
    """An Atlassian Cloud site's 429: Retry-After, the reset time, and the reason."""
    response = _rate_limited(limit, body)
    reset_at = datetime.now(timezone.utc) + timedelta(seconds=retry_after)
    response.headers["Retry-After"] = retry_after_value(retry_after)
    response.headers["X-RateLimit-Reset"] = reset_at.strftime("%Y-%m-%dT%H:%MZ")
    response.headers["X-RateLimit-NearLimit"] = "true"
    response.headers["RateLimit-Reason"] = "jira-burst-based"
    return response


def datacenter_too_many_requests(retry_after: float, limit: int | None = None, body: Any = None) -> Response:
    """DC-RLH: lower-case retry-after, and the bucket's interval and fill rate."""
    response = _rate_limited(limit, body)
    response.headers["retry-after"] = retry_after_value(retry_after)
    response.headers["X-RateLimit-Interval-Seconds"] = "1"
    response.headers["X-RateLimit-FillRate"] = f"{emu().knobs.rate_limit_rps or 0:g}"
    return response


def injected_error_collection(status: int) -> Response:
    """A fault's answer without a body of its own, as the site APIs word one."""
    return error_collection(status, [f"Injected fault: HTTP {status}."])


def http_error_collection(exc: HTTPException) -> Response:
    """Werkzeug's own refusals (an unknown path or method under a product's mount), as Jira words them."""
    return error_collection(exc.code or 500, [exc.description or exc.name])


def site_authentication(
    refused: Callable[[str], Response], anonymous_ok: tuple[str, ...] = ()
) -> Callable[[], Response | None]:
    """How a site API (Cloud or Data Center) authenticates: Basic or Bearer against the seed's credentials; the
    caller goes to ``g.caller``. ``refused(reason)`` answers a caller who is not let in; an anonymous call to one of
    ``anonymous_ok`` goes through with no caller (Atlassian answers it with empty results rather than 401)."""

    def check() -> Response | None:
        outcome = authenticate(request.headers.get("Authorization"), emu().state)
        if outcome.caller is None and not (outcome.anonymous and normalize_path(request.path) in anonymous_ok):
            return refused(outcome.reason)
        g.caller = outcome.caller
        return None

    return check


def jira_unauthorized(reason: str) -> Response:
    """Jira's 401 (Cloud and Data Center alike)."""
    return unauthorized(emu().state.site, request.headers.get("Accept"), reason)


@dataclass(frozen=True)
class Product:
    """One product API the emulator can serve: everything ``app`` needs to know about it, in one record.

    A product module (``jira.py``, ``admin.py``, ...) holds its routes (``blueprint``) and its ``PRODUCT``; the table
    is ``products.PRODUCTS``. The request pipeline asks the record, never the product's name.
    """

    #: The name a seed's ``products`` and ``Emulator(products=...)`` give it.
    name: str
    blueprint: Blueprint
    #: Where its routes are served (the longest mount point that matches a path wins).
    mounts: tuple[str, ...]
    #: Atlassian Cloud (its edge adds a trace id to every answer) or a Data Center server.
    cloud: bool
    #: Its contract in tests/contract/ (derived from Atlassian's spec by derive_contract.py), and the path prefix the
    #: contract holds.
    contract: str
    contract_prefix: str
    #: Authenticates the request (``g.caller``, or the product's own record of the key): ``None``, or the refusal.
    authenticate: Callable[[], Response | None]
    #: Its answer to a rate-limited request: ``(retry_after, limit, body) -> 429``.
    too_many_requests: Callable[..., Response]
    #: The rate-limit headers of an allowed request.
    rate_headers: Callable[[Response, RateDecision], None]
    #: A fault's status answer without a body of its own.
    injected_error: Callable[[int], Response] = injected_error_collection
    #: Werkzeug's refusals (404, 405) under its mounts, in its error format.
    render_http_error: Callable[[HTTPException], Response] = http_error_collection
    #: Its own exception types and how each is rendered.
    error_handlers: Mapping[type[Exception], Callable[[Any], Response]] = field(default_factory=dict)
    #: Anything it adds to every answer (Jira Cloud's X-AAccountId).
    after: Callable[[Response], None] | None = None
