# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Flask app: the products a site serves (``products.PRODUCTS``), the request pipeline, and /_emulator controls.

Routes (one module per product) only translate between HTTP and the State; the request pipeline (latency, rate
limit, auth, faults, headers, logging) runs in before/after hooks so that every API route gets it, including unknown
/rest paths. What differs between products is asked of the product's record (``common.Product``), never its name.
"""

from __future__ import annotations

import socket
import time
import uuid
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .common import (
    EXTENSION,
    Product,
    cloud_rate_headers,
    cloud_too_many_requests,
    datacenter_rate_headers,
    datacenter_too_many_requests,
    empty_response,
    emu,
    json_response,
    retry_after_value,
)
from .knobs import FaultRule
from .log import RequestRecord
from .products import PRODUCTS, UNSERVED, product_of, serves_cloud

if TYPE_CHECKING:
    from .emulator import Emulator

control = Blueprint("control", __name__)


# -- control routes (not logged, no auth; the server only listens on loopback) --------------------------------


@control.get("/health")
def health() -> Response:
    return json_response({"status": "ok"})


@control.get("/log")
def get_log() -> Response:
    return json_response([r.to_dict() for r in emu().log])


@control.post("/log/clear")
def clear_log() -> Response:
    return json_response({"cleared": emu().clear_log()})


@control.get("/state")
def get_state() -> Response:
    return json_response({**emu().state.snapshot(), "products": list(emu().products)})


@control.get("/config")
def get_config() -> Response:
    return json_response(emu().knobs.as_dict())


@control.post("/config")
def set_config() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_response({"error": "expected a JSON object of knobs"}, 400)
    try:
        emu().configure(**body)
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(emu().knobs.as_dict())


@control.post("/reset")
def reset() -> Response:
    emu().reset()
    return json_response({"status": "reset"})


# -- the request pipeline ---------------------------------------------------------------------------------------


def _too_many_requests(retry_after: float, limit: int | None = None, body: Any = None) -> Response:
    """The 429 of the product asked (a path no product of this site serves: the site's family's)."""
    product = g.product
    if isinstance(product, Product):
        return product.too_many_requests(retry_after, limit, body)
    answer = cloud_too_many_requests if serves_cloud(emu().products) else datacenter_too_many_requests
    return answer(retry_after, limit, body)


def _rate_headers(response: Response, decision: Any) -> None:
    product = g.product
    if isinstance(product, Product):
        product.rate_headers(response, decision)
    elif serves_cloud(emu().products):
        cloud_rate_headers(response, decision)
    else:
        datacenter_rate_headers(response, decision)


def _fault_status_response(rule: FaultRule) -> Response:
    if rule.status == 429:
        return _too_many_requests(rule.retry_after if rule.retry_after is not None else 1, body=rule.body)
    if rule.body is not None:
        response = json_response(rule.body, rule.status)
    elif isinstance(g.product, Product):
        response = g.product.injected_error(rule.status)
    else:
        response = json_response({"errorMessages": [f"Injected fault: HTTP {rule.status}."], "errors": {}}, rule.status)
    if rule.retry_after is not None:
        response.headers["Retry-After"] = retry_after_value(rule.retry_after)
    return response


def _drop_connection() -> None:
    """Close the TCP connection without an answer; the client sees a connection error, not an HTTP status.

    Called only after the request is in the log, so a test that sees the error can already read the entry."""
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _mutate(rule: FaultRule) -> None:
    """Change memberships behind the client's back, before the route runs (a concurrent writer)."""
    state = emu().state
    for group_ref, account_id in rule.add:
        with state.lock:
            group = state.lookup_group(group_ref)
            if account_id not in state.member_ids(group.group_id):
                state.add_member(group.group_id, account_id)
    for group_ref, account_id in rule.remove:
        with state.lock:
            group = state.lookup_group(group_ref)
            if account_id in state.member_ids(group.group_id):
                state.remove_member(group.group_id, account_id)


def _apply_fault(rule: FaultRule) -> Response | None:
    """Faults that act before the route runs; a returned response means the route never runs (no write)."""
    if rule.action == "delay":
        time.sleep(rule.delay_ms / 1000)
    elif rule.action == "mutate":
        _mutate(rule)
    elif rule.phase == "before" and rule.action == "status":
        return _fault_status_response(rule)
    elif rule.phase == "before" and rule.action == "reset":
        g.dropped = True  # _after drops the connection once the request is logged
        return empty_response(500)
    return None


def _before() -> Response | None:
    g.started = time.time()
    g.t0 = time.perf_counter()
    g.caller = None
    g.fault = None
    g.rate = None
    g.dropped = False
    g.product = product_of(request.path, emu().products)
    g.api = g.product is not None
    if not g.api:
        return None
    # Read the body now: the log wants it, and it must be consumed even when we answer early.
    request.get_data(cache=True)
    knobs = emu().knobs
    if knobs.latency_ms > 0:
        time.sleep(knobs.latency_ms / 1000)  # outside every lock, so concurrent requests overlap
    g.rate = knobs.take_token()
    if g.rate is not None and not g.rate.allowed:
        return _too_many_requests(g.rate.retry_after, g.rate.limit)
    if g.product == UNSERVED:
        # This site does not have that product: its API is not there at all (what Atlassian's edge answers on a
        # real site is not documented; a JSON 404 here).
        return json_response({"message": f"{request.path} does not exist on this site"}, 404)
    refused = g.product.authenticate()
    if refused is not None:
        return refused
    return _pick_fault(knobs)


def _pick_fault(knobs: Any) -> Response | None:
    rule = knobs.pick_fault(request.method, request.path, request.args)
    if rule is None:
        return None
    g.fault = rule
    return _apply_fault(rule)


def _after(response: Response) -> Response:
    if not g.get("api"):
        return response
    rule: FaultRule | None = g.fault
    if rule is not None and rule.phase == "after":
        if rule.action == "status":
            response = _fault_status_response(rule)
        elif rule.action == "reset":
            g.dropped = True
    response.headers["X-ARequestId"] = uuid.uuid4().hex
    if serves_cloud(emu().products):
        # Every answer of Atlassian's Cloud edge carries a trace id (reference §4.2); a Data Center server's do not.
        response.headers["atl-traceid"] = uuid.uuid4().hex[:16]
    if isinstance(g.product, Product) and g.product.after is not None:
        g.product.after(response)
    if g.rate is not None and g.rate.allowed:
        _rate_headers(response, g.rate)
    _record(response, rule)
    if g.dropped:
        _drop_connection()
    return response


def _record(response: Response, rule: FaultRule | None) -> None:
    body = request.get_json(force=True, silent=True) if request.get_data(cache=True) else None
    emu().record(
        RequestRecord(
            method=request.method,
            path=request.path,
            query=request.args.to_dict(flat=False),
            status=0 if g.dropped else response.status_code,
            account_id=g.caller.account_id if g.caller is not None else None,
            body=body,
            started=g.started,
            duration=time.perf_counter() - g.t0,
            fault=rule.action if rule is not None else None,
        )
    )


def _render_http_error(exc: HTTPException) -> Response:
    product = product_of(request.path, emu().products)
    if isinstance(product, Product):
        return product.render_http_error(exc)
    if product == UNSERVED:
        return json_response({"errorMessages": [exc.description or exc.name], "errors": {}}, exc.code or 500)
    if request.path.startswith("/_emulator"):
        return json_response({"error": exc.name}, exc.code or 500)
    # Outside every API (a wrong context path, say) a server answers with its web page, not JSON.
    page = f"<!DOCTYPE html><html><head><title>{exc.code} {exc.name}</title></head><body>{exc.name}</body></html>"
    return Response(page, status=exc.code or 500, content_type="text/html;charset=UTF-8")


def create_app(emulator: Emulator) -> Flask:
    app = Flask("atlassian_emulator")
    app.extensions[EXTENSION] = emulator
    handlers: dict[type[Exception], Any] = {}
    for name in emulator.products:
        product = PRODUCTS[name]
        for mount in product.mounts:
            app.register_blueprint(product.blueprint, url_prefix=mount, name=f"{name}{mount.replace('/', '_')}")
        handlers.update(product.error_handlers)
    # Every product's error types are rendered wherever they are raised (a helper one product shares with another).
    for product in PRODUCTS.values():
        for error, render in product.error_handlers.items():
            handlers.setdefault(error, render)
    app.register_blueprint(control, url_prefix="/_emulator")
    app.before_request(_before)
    app.after_request(_after)
    for error, render in handlers.items():
        app.register_error_handler(error, render)
    app.register_error_handler(HTTPException, _render_http_error)
    return app
