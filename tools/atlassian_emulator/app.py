# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Flask app: Jira Cloud REST v3 (and v2) routes for users, groups and memberships, plus /_emulator controls.

Routes only translate between HTTP and the State; the request pipeline (latency, rate limit, auth, faults, headers,
logging) runs in before/after hooks so that every API route gets it, including unknown /rest paths.
"""

from __future__ import annotations

import html
import json
import re
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from .auth import UNAUTHENTICATED_MESSAGE, authenticate, unauthorized
from .knobs import FaultRule, RateDecision, normalize_path
from .log import RequestRecord
from .state import (
    AlreadyMember,
    GroupNameInUse,
    GroupRef,
    NotMember,
    UnknownGroup,
    UnknownUser,
    User,
)

if TYPE_CHECKING:
    from .emulator import Emulator

JSON_TYPE = "application/json;charset=UTF-8"
EXTENSION = "atlassian_emulator"
# Atlassian answers anonymous calls to these with empty results rather than 401 (a trap for "am I logged in?").
ANONYMOUS_OK = ("/rest/api/3/user/search", "/rest/api/3/groups/picker", "/rest/api/3/serverInfo")
USER_NOT_FOUND = "Specified user does not exist or you do not have required permissions"
NOT_SITE_ADMIN = "You do not have permission to manage groups. Site administration permission is required."
INVALID_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."
SEARCH_MAX = 1000  # user/search: maxResults cap, and only the first 1000 matches are considered
PICKER_DEFAULT = 20  # groups/picker: Jira's jira.ajax.autocomplete.limit default
PICKER_MAX = 100
AVATAR_BASE = "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials"

api = Blueprint("api", __name__)
control = Blueprint("control", __name__)


class ApiError(Exception):
    """Rendered as Jira's ErrorCollection ``{"errorMessages": [...], "errors": {...}}``."""

    def __init__(self, status: int, *messages: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(status, messages)
        self.status = status
        self.messages = list(messages)
        self.errors = errors or {}


def _emu() -> Emulator:
    return current_app.extensions[EXTENSION]


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")), status=status, content_type=JSON_TYPE
    )


def error_collection(status: int, messages: list[str], errors: dict[str, str] | None = None) -> Response:
    return json_response({"errorMessages": messages, "errors": errors or {}}, status)


def empty_response(status: int = 200) -> Response:
    response = Response(b"", status=status)
    del response.headers["Content-Type"]  # no body, so no media type (the spec documents none)
    return response


# -- serialisation ----------------------------------------------------------------------------------------------


def _api_base() -> str:
    match = re.match(r"^/rest/api/(2|3)(?=/|$)", request.path)
    return f"{request.host_url}rest/api/{match.group(1) if match else '3'}"


def _user_self(user: User) -> str:
    return f"{_api_base()}/user?accountId={quote(user.account_id, safe='')}"


def _avatars(user: User) -> dict[str, str]:
    initials = "".join(w[0] for w in user.display_name.split()[:2]).upper() or "U"
    variant = int(user.account_id.encode().hex()[-2:], 16) % 7
    return {f"{n}x{n}": f"{AVATAR_BASE}/{quote(initials)}-{variant}.png?size={n}&s={n}" for n in (16, 24, 32, 48)}


def user_details(user: User) -> dict[str, Any]:
    """``UserDetails`` (group member pages, Group.users): no locale, appType or expand in that schema."""
    data: dict[str, Any] = {
        "self": _user_self(user),
        "accountId": user.account_id,
        "accountType": user.account_type,
    }
    if user.visible_email is not None:
        # Hidden emails are left out entirely: the schema says string, and Cloud omits the key.
        data["emailAddress"] = user.visible_email
    data.update(
        avatarUrls=_avatars(user),
        displayName=user.display_name,
        active=user.active,
        timeZone=user.time_zone,
        key="",
        name="",
    )
    return data


def user_json(user: User, *, full: bool = False, expand: str = "") -> dict[str, Any]:
    """``User``. ``full`` adds what /myself and /user return: locale, groups and applicationRoles counts."""
    data = user_details(user)
    if user.account_type == "app" and user.app_type:
        data["appType"] = user.app_type
    if full:
        data["locale"] = user.locale
        wanted = {part.strip() for part in expand.split(",")}
        groups = _emu().state.groups_of(user.account_id)
        data["groups"] = {
            "size": len(groups),
            "items": [group_name_json(grp) for grp in groups] if "groups" in wanted else [],
        }
        data["applicationRoles"] = {"size": 0, "items": []}
        data["expand"] = "groups,applicationRoles"
    return data


def _group_self(group: GroupRef) -> str:
    return f"{_api_base()}/group?groupId={quote(group.group_id, safe='')}"


def group_name_json(group: GroupRef) -> dict[str, Any]:
    return {"name": group.name, "groupId": group.group_id, "self": _group_self(group)}


_USERS_RANGE = re.compile(r"users\[(\d+):(\d+)\]")
GROUP_USERS_MAX = 50  # Group.users expands 50 members at most per request


def group_json(group: GroupRef, expand: str = "") -> dict[str, Any]:
    """``Group`` with members expanded: ``expand=users[start:end]`` (end exclusive, at most 50 of them), else the first
    50, as createGroup and addUserToGroup answer."""
    members = _emu().state.members(group.group_id)
    match = _USERS_RANGE.search(expand or "")
    start, end = (int(match.group(1)), int(match.group(2))) if match else (0, GROUP_USERS_MAX)
    end = min(end, start + GROUP_USERS_MAX)
    items = [user_details(u) for u in members[start:end]]
    return {
        "name": group.name,
        "groupId": group.group_id,
        "self": _group_self(group),
        "users": {
            "size": len(members),
            "items": items,
            "max-results": GROUP_USERS_MAX,
            "start-index": start,
            "end-index": start + max(len(items) - 1, 0),
        },
        "expand": "users",
    }


# -- request helpers --------------------------------------------------------------------------------------------


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"The value '{raw}' is invalid for the parameter '{name}'.") from None


def _page_window(cap: int) -> tuple[int, int]:
    """(startAt, effective maxResults): Jira silently lowers maxResults to its cap and reports what it used."""
    start = max(_int_arg("startAt", 0), 0)
    max_results = _int_arg("maxResults", cap)
    return start, min(max(max_results, 1), cap)


def _group_from_args() -> GroupRef:
    name = request.args.get("groupname") or None
    group_id = request.args.get("groupId") or None
    if name and group_id:
        raise ApiError(400, "Only one of the groupname and groupId parameters can be specified.")
    if not (name or group_id):
        raise ApiError(400, "You must specify the group with either the groupname or the groupId parameter.")
    try:
        return _emu().state.find_group(name=name, group_id=group_id)
    except UnknownGroup:
        raise _group_not_found(name, group_id) from None


def _group_not_found(name: str | None, group_id: str | None = None) -> ApiError:
    # Cloud's wording is unverified; this names the group, after a 2019 report ("The group named '...' does not
    # exist"), and starts with "Group not found" so a reader of either spelling recognises it.
    if group_id:
        return ApiError(404, f"Group not found: the group with id '{group_id}' does not exist.")
    return ApiError(404, f"Group not found: the group named '{name}' does not exist.")


def _require_site_admin() -> None:
    if not g.caller.site_admin:
        raise ApiError(403, NOT_SITE_ADMIN)


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "Unsupported Media Type: send the body as application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, INVALID_PAYLOAD)
    return body


def _page(
    items: list[Any],
    start: int,
    max_results: int,
    params: list[tuple[str, str]],
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """A PageBean: ``nextPage`` only when there is one; faults may empty the page or misreport the total.

    Only the page's own items are rendered, so walking a big group stays linear.
    """

    def url(at: int) -> str:
        return f"{request.base_url}?{urlencode([*params, ('startAt', at), ('maxResults', max_results)])}"

    total = len(items)
    values = [render(item) for item in items[start : start + max_results]]
    is_last = start + len(values) >= total
    page: dict[str, Any] = {"self": url(start)}
    if not is_last:
        page["nextPage"] = url(start + max_results)
    page.update(maxResults=max_results, startAt=start, total=total, isLast=is_last, values=values)
    fault: FaultRule | None = g.fault
    if fault is not None and fault.action == "empty_page":
        # Pagination docs: "the client should always assume that the requested page can be empty".
        page.update(nextPage=url(start + max_results), isLast=False, values=[])
        page = {k: page[k] for k in ("self", "nextPage", "maxResults", "startAt", "total", "isLast", "values")}
    elif fault is not None and fault.action == "shift_total":
        # Docs: total "may change" between pages; isLast and nextPage stay truthful.
        page["total"] = fault.total if fault.total is not None else max(total + fault.total_delta, 0)
    return page


# -- Jira REST routes -------------------------------------------------------------------------------------------


@api.get("/serverInfo")
def server_info() -> Response:
    """``ServerInformation``. Anonymous callers are allowed (ANONYMOUS_OK). Where the spec's example and its schema
    disagree, the schema wins: the example shows ``defaultLocale``, which the schema does not list (and it forbids
    unlisted properties), and times like ``2020-03-26T22:20:59.000+0000``, which its date-time format refuses (no
    colon in the offset), so the times here carry ``+00:00``."""
    now = datetime.now(timezone.utc)
    return json_response(
        {
            "baseUrl": _emu().state.site,
            "displayUrl": _emu().state.site,
            "displayUrlConfluence": _emu().state.site,
            "displayUrlServicedeskHelpCenter": _emu().state.site,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100281,
            "buildDate": "2026-11-02T08:15:00.000+00:00",
            "serverTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+00:00",
            "scmInfo": "5f1a0d2c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49",
            "serverTitle": "Jira",
            "serverTimeZone": "Etc/UTC",
        }
    )


@api.get("/myself")
def myself() -> Response:
    user = _emu().state.user(g.caller.account_id)
    return json_response(user_json(user, full=True, expand=request.args.get("expand", "")))


@api.get("/user")
def get_user() -> Response:
    # A missing accountId names no user: 404, the only refusal the spec documents here.
    user = _emu().state.user(request.args.get("accountId") or "")
    if user is None:
        raise ApiError(404, USER_NOT_FOUND)
    return json_response(user_json(user, full=True, expand=request.args.get("expand", "")))


@api.get("/user/search")
def search_users() -> Response:
    query = request.args.get("query") or None
    account_id = request.args.get("accountId") or None
    prop = request.args.get("property") or None
    if g.caller is None:
        return json_response([])
    if query and account_id:
        raise ApiError(400, "The query parameter and the accountId parameter cannot be used together.")
    if not (query or account_id or prop):
        raise ApiError(400, "One of the query, accountId or property parameters needs to be provided.")
    start = max(_int_arg("startAt", 0), 0)
    max_results = min(max(_int_arg("maxResults", 50), 0), SEARCH_MAX)
    state = _emu().state
    if query:
        found = state.search_users(query)
    elif account_id:
        user = state.user(account_id)
        found = [user] if user is not None and user.active else []
    else:
        found = []  # user properties are not emulated
    found = found[:SEARCH_MAX]
    return json_response([user_json(u) for u in found[start : start + max_results]])


@api.get("/users/search")
def all_users() -> Response:
    """Every account of the site, deactivated ones included, as a plain array (maxResults up to 1000)."""
    start = max(_int_arg("startAt", 0), 0)
    max_results = min(max(_int_arg("maxResults", 50), 0), SEARCH_MAX)
    users = _emu().state.all_users()
    return json_response([user_json(u) for u in users[start : start + max_results]])


@api.get("/user/groups")
def user_groups() -> Response:
    account_id = request.args.get("accountId") or ""
    try:
        groups = _emu().state.groups_of(account_id)
    except UnknownUser:
        raise ApiError(404, USER_NOT_FOUND) from None
    return json_response([group_name_json(grp) for grp in groups])


@api.get("/group/bulk")
def bulk_groups() -> Response:
    names = {n.casefold() for n in request.args.getlist("groupName") if n}
    ids = {i for i in request.args.getlist("groupId") if i}
    start, max_results = _page_window(50)
    groups = _emu().state.all_groups()
    if names or ids:
        groups = [grp for grp in groups if grp.name.casefold() in names or grp.group_id in ids]
    access_type = request.args.get("accessType")
    if access_type:
        groups = [grp for grp in groups if grp.grants("jira") == access_type]
    params = [(k, v) for k in ("groupId", "groupName", "accessType", "applicationKey") for v in request.args.getlist(k)]
    return json_response(
        _page(groups, start, max_results, params, lambda grp: {"name": grp.name, "groupId": grp.group_id})
    )


@api.get("/groups/picker")
def groups_picker() -> Response:
    if g.caller is None:
        return json_response({"header": "Showing 0 of 0 matching groups", "total": 0, "groups": []})
    query = request.args.get("query", "")
    excluded_names = {n.casefold() for n in request.args.getlist("exclude")}
    excluded_ids = set(request.args.getlist("excludeId"))
    limit = min(max(_int_arg("maxResults", PICKER_DEFAULT), 0), PICKER_MAX)
    needle = query.casefold()
    matches = [
        grp
        for grp in _emu().state.all_groups()
        if needle in grp.name.casefold()
        and grp.name.casefold() not in excluded_names
        and grp.group_id not in excluded_ids
    ]
    shown = matches[:limit]

    def highlighted(name: str) -> str:
        at = name.casefold().find(needle)
        if not needle or at < 0:
            return html.escape(name)
        end = at + len(needle)
        return f"{html.escape(name[:at])}<b>{html.escape(name[at:end])}</b>{html.escape(name[end:])}"

    return json_response(
        {
            "header": f"Showing {len(shown)} of {len(matches)} matching groups",
            "total": len(matches),
            "groups": [
                {"name": grp.name, "groupId": grp.group_id, "html": highlighted(grp.name), "labels": []}
                for grp in shown
            ],
        }
    )


@api.get("/group/member")
def group_members() -> Response:
    group = _group_from_args()
    include_inactive = request.args.get("includeInactiveUsers", "false").lower() == "true"
    start, max_results = _page_window(_emu().knobs.member_page_cap)
    members = _emu().state.members(group.group_id, include_inactive=include_inactive)
    params = [(k, request.args[k]) for k in ("groupname", "groupId") if request.args.get(k)]
    params.append(("includeInactiveUsers", "true" if include_inactive else "false"))
    return json_response(_page(members, start, max_results, params, user_details))


@api.post("/group/user")
def add_user_to_group() -> Response:
    _require_site_admin()
    body = _json_body()
    group = _group_from_args()
    account_id = body.get("accountId")
    if not account_id:
        if body.get("name"):
            # Cloud dropped usernames; a name (or an email) in "name" matches no account.
            raise ApiError(404, USER_NOT_FOUND)
        raise ApiError(400, "accountId must be provided.", errors={"accountId": "accountId must be provided."})
    state = _emu().state
    try:
        with state.lock:
            state.add_member(group.group_id, str(account_id))
            payload = group_json(group)
    except UnknownUser:
        raise ApiError(404, USER_NOT_FOUND) from None
    except UnknownGroup:
        raise _group_not_found(group.name) from None  # deleted meanwhile
    except AlreadyMember:
        # Atlassian's real message, unfilled placeholder and all (AX-17).
        raise ApiError(400, "Cannot add user. User is already a member of '{1}'") from None
    return json_response(payload, 201)


@api.delete("/group/user")
def remove_user_from_group() -> Response:
    _require_site_admin()
    group = _group_from_args()
    account_id = request.args.get("accountId")
    if not account_id:
        raise ApiError(400, "accountId must be provided.")
    try:
        _emu().state.remove_member(group.group_id, account_id)
    except UnknownUser:
        raise ApiError(404, USER_NOT_FOUND) from None
    except UnknownGroup:
        raise _group_not_found(group.name) from None  # deleted meanwhile
    except NotMember:
        status = _emu().knobs.remove_non_member_status
        if status < 300:
            return empty_response(status)
        # Cloud's answer is undocumented; this is the Data Center wording (section 6 of the reference).
        raise ApiError(
            status,
            f"Cannot remove user '{account_id}' from group '{group.name}' since user is not a member of '{group.name}'",
        ) from None
    return empty_response(200)


@api.get("/group")
def get_group() -> Response:
    return json_response(group_json(_group_from_args(), request.args.get("expand", "")))


@api.post("/group")
def create_group() -> Response:
    _require_site_admin()
    name = _json_body().get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "You must specify a valid group name.", errors={"name": "You must specify a group name."})
    state = _emu().state
    try:
        with state.lock:
            payload = group_json(state.create_group(name.strip()))
    except GroupNameInUse:
        raise ApiError(400, "A group or user with this name already exists.") from None
    return json_response(payload, 201)


@api.delete("/group")
def delete_group() -> Response:
    _require_site_admin()
    group = _group_from_args()
    try:
        _emu().state.delete_group(group.group_id)
    except UnknownGroup:
        raise _group_not_found(group.name) from None  # deleted meanwhile
    return empty_response(200)


# -- control routes (not logged, no auth; the server only listens on loopback) --------------------------------


@control.get("/health")
def health() -> Response:
    return json_response({"status": "ok"})


@control.get("/log")
def get_log() -> Response:
    return json_response([r.to_dict() for r in _emu().log])


@control.post("/log/clear")
def clear_log() -> Response:
    return json_response({"cleared": _emu().clear_log()})


@control.get("/state")
def get_state() -> Response:
    return json_response({**_emu().state.snapshot(), "products": list(_emu().products)})


@control.get("/config")
def get_config() -> Response:
    return json_response(_emu().knobs.as_dict())


@control.post("/config")
def set_config() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_response({"error": "expected a JSON object of knobs"}, 400)
    try:
        _emu().configure(**body)
    except (TypeError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(_emu().knobs.as_dict())


@control.post("/reset")
def reset() -> Response:
    _emu().reset()
    return json_response({"status": "reset"})


# -- the request pipeline ---------------------------------------------------------------------------------------


def _data_center() -> bool:
    return not any(p in CLOUD_PRODUCTS for p in _emu().products)


def _rate_headers(response: Response, decision: RateDecision) -> None:
    response.headers["X-RateLimit-Limit"] = str(decision.limit)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    if g.product == "admin":
        # The Admin API's three headers (reference §7.4); the reset is an ISO-8601 time.
        reset_at = datetime.now(timezone.utc) + timedelta(seconds=1)
        response.headers["X-RateLimit-Reset"] = reset_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    elif _data_center():
        # Data Center's opt-in rate limiting names its token bucket (DC-RLH); it has no NearLimit flag.
        response.headers["X-RateLimit-Interval-Seconds"] = "1"
        response.headers["X-RateLimit-FillRate"] = f"{_emu().knobs.rate_limit_rps or 0:g}"
        response.headers["retry-after"] = "0"
    elif decision.near_limit:
        response.headers["X-RateLimit-NearLimit"] = "true"


def _retry_after_value(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def _too_many_requests(retry_after: float, limit: int | None = None, body: Any = None) -> Response:
    response = json_response(
        body if body is not None else {"errorMessages": ["Rate limit exceeded."], "errors": {}}, 429
    )
    reset_at = datetime.now(timezone.utc) + timedelta(seconds=retry_after)
    if limit is not None:
        response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = "0"
    if _data_center():
        # DC-RLH: lower-case retry-after, and the bucket's interval and fill rate.
        response.headers["retry-after"] = _retry_after_value(retry_after)
        response.headers["X-RateLimit-Interval-Seconds"] = "1"
        response.headers["X-RateLimit-FillRate"] = f"{_emu().knobs.rate_limit_rps or 0:g}"
        return response
    response.headers["Retry-After"] = _retry_after_value(retry_after)
    response.headers["X-RateLimit-Reset"] = reset_at.strftime("%Y-%m-%dT%H:%MZ")
    response.headers["X-RateLimit-NearLimit"] = "true"
    response.headers["RateLimit-Reason"] = "jira-burst-based"
    return response


def _fault_status_response(rule: FaultRule) -> Response:
    if rule.status == 429 and g.product == "admin" and rule.body is None:
        return admin_too_many_requests(rule.retry_after if rule.retry_after is not None else 1)
    if rule.status == 429:
        return _too_many_requests(rule.retry_after if rule.retry_after is not None else 1, body=rule.body)
    body = rule.body
    if body is None and g.product == "admin":
        response = admin_injected_error(rule.status)
    else:
        if body is None:
            body = {"errorMessages": [f"Injected fault: HTTP {rule.status}."], "errors": {}}
        response = json_response(body, rule.status)
    if rule.retry_after is not None:
        response.headers["Retry-After"] = _retry_after_value(rule.retry_after)
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


def _apply_fault(rule: FaultRule) -> Response | None:
    """Faults that act before the route runs; a returned response means the route never runs (no write)."""
    if rule.action == "delay":
        time.sleep(rule.delay_ms / 1000)
    elif rule.action == "mutate":
        state = _emu().state
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
    g.product = product_of(request.path, _emu().products)
    g.api = g.product is not None
    if not g.api:
        return None
    # Read the body now: the log wants it, and it must be consumed even when we answer early.
    request.get_data(cache=True)
    emu = _emu()
    knobs = emu.knobs
    if knobs.latency_ms > 0:
        time.sleep(knobs.latency_ms / 1000)  # outside every lock, so concurrent requests overlap
    g.rate = knobs.take_token()
    if g.rate is not None and not g.rate.allowed:
        if g.product == "admin":
            return admin_too_many_requests(g.rate.retry_after, g.rate.limit)
        return _too_many_requests(g.rate.retry_after, g.rate.limit)
    if g.product == UNSERVED:
        # This site does not have that product: its API is not there at all (what Atlassian's edge answers on a
        # real site is not documented; a JSON 404 here).
        return json_response({"message": f"{request.path} does not exist on this site"}, 404)
    if g.product == "admin":
        refused = admin_authenticate(request.headers.get("Authorization"))
        if refused is not None:
            return refused
        return _pick_fault(knobs)
    outcome = authenticate(request.headers.get("Authorization"), emu.state)
    path = normalize_path(request.path)
    if outcome.caller is None and not (outcome.anonymous and path in ANONYMOUS_OK):
        if g.product in CONFLUENCE_PRODUCTS:
            return render_confluence_error(ConfluenceError(401, UNAUTHENTICATED_MESSAGE))
        return unauthorized(emu.state.site, request.headers.get("Accept"), outcome.reason)
    g.caller = outcome.caller
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
    if any(p in CLOUD_PRODUCTS for p in _emu().products):
        # Every answer of Atlassian's Cloud edge carries a trace id (reference §4.2); a Data Center server's do not.
        response.headers["atl-traceid"] = uuid.uuid4().hex[:16]
    if g.caller is not None and g.product == "jira":
        # Documented for Jira only (NARR "Special headers"); Confluence's caller comes from user/current.
        response.headers["X-AAccountId"] = g.caller.account_id
    if g.rate is not None and g.rate.allowed:
        _rate_headers(response, g.rate)
    body = request.get_json(force=True, silent=True) if request.get_data(cache=True) else None
    _emu().record(
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
    if g.dropped:
        _drop_connection()
    return response


def _render_api_error(exc: ApiError) -> Response:
    return error_collection(exc.status, exc.messages, exc.errors)


def _render_http_error(exc: HTTPException) -> Response:
    product = product_of(request.path, _emu().products)
    if product == "admin" and exc.code in (404, 405):
        code = "ADMIN-404-1" if exc.code == 404 else "ADMIN-405-1"
        return render_admin_error(AdminError(code, f"{request.method} {request.path} is not a resource of this API"))
    if product == "confluence_datacenter" and exc.code == 404:
        # Confluence's REST framework (Jersey) on an unmapped path, e.g. an endpoint an older release lacks.
        return json_response({"statusCode": 404, "message": f"null for uri: {request.url}", "reason": "Not Found"}, 404)
    if product in CONFLUENCE_PRODUCTS:
        return render_confluence_error(ConfluenceError(exc.code or 500, exc.description or exc.name))
    if product is not None:
        return error_collection(exc.code or 500, [exc.description or exc.name])
    if request.path.startswith("/_emulator"):
        return json_response({"error": exc.name}, exc.code or 500)
    # Outside every API (a wrong context path, say) a server answers with its web page, not JSON.
    page = f"<!DOCTYPE html><html><head><title>{exc.code} {exc.name}</title></head><body>{exc.name}</body></html>"
    return Response(page, status=exc.code or 500, content_type="text/html;charset=UTF-8")


def product_of(path: str, products: tuple[str, ...]) -> str | None:
    """Which of the site's products serves a path (the longest mount point wins), ``UNSERVED`` for an API path no
    product of this site serves, or None for the emulator's own /_emulator routes."""
    mounts = sorted(((m, p) for p in products for m in PRODUCTS[p]), key=lambda item: -len(item[0]))
    for mount, product in mounts:
        if path == mount or path.startswith(mount + "/"):
            return product
    return UNSERVED if path.startswith(("/rest/", "/wiki/rest/", "/admin/")) else None


# The product APIs a site may serve (see Emulator(products=...)), each with its mount points; a new mode is one more
# line here and its blueprint in create_app.
PRODUCTS = {
    "jira": ("/rest/api/3", "/rest/api/2"),
    "confluence": ("/wiki/rest/api",),
    # "latest" is the Data Center docs' alias of the newest REST version (2 on Jira Data Center); clients such as
    # pycontribs' jira use it.
    "jira_datacenter": ("/rest/api/2", "/rest/api/latest"),
    "confluence_datacenter": ("/rest/api",),
    # The organisation's Admin API (api.atlassian.com/admin), over the same directory as the site's products.
    "admin": ("/admin",),
}
CLOUD_PRODUCTS = ("jira", "confluence", "admin")
CONFLUENCE_PRODUCTS = ("confluence", "confluence_datacenter")
UNSERVED = "unserved"


def create_app(emulator: Emulator) -> Flask:
    from . import accounts  # noqa: F401  (adds the account lifecycle's routes to the blueprints below)
    from .admin import admin
    from .confluence import confluence
    from .confluence_datacenter import confluence_datacenter
    from .jira_datacenter import jira_datacenter

    blueprints = {
        "jira": api,
        "confluence": confluence,
        "jira_datacenter": jira_datacenter,
        "confluence_datacenter": confluence_datacenter,
        "admin": admin,
    }
    app = Flask("atlassian_emulator")
    app.extensions[EXTENSION] = emulator
    for product in emulator.products:
        for mount in PRODUCTS[product]:
            app.register_blueprint(blueprints[product], url_prefix=mount, name=f"{product}{mount.replace('/', '_')}")
    app.register_blueprint(control, url_prefix="/_emulator")
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(ApiError, _render_api_error)
    app.register_error_handler(ConfluenceError, render_confluence_error)
    app.register_error_handler(AdminError, render_admin_error)
    app.register_error_handler(HTTPException, _render_http_error)
    return app


# Imported last: confluence.py and admin.py build on the helpers above.
from .admin import AdminError  # noqa: E402
from .admin import authenticate as admin_authenticate  # noqa: E402
from .admin import injected_error as admin_injected_error  # noqa: E402
from .admin import render_error as render_admin_error  # noqa: E402
from .admin import too_many_requests as admin_too_many_requests  # noqa: E402
from .confluence import ConfluenceError  # noqa: E402
from .confluence import render_error as render_confluence_error  # noqa: E402
