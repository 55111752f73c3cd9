# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Confluence Cloud REST v1 routes (``/wiki/rest/api``) for groups, members and users, over the site's one directory.

Shapes follow the Confluence extract (tests/emulator/openapi/confluence-groups.openapi.json; test_schema validates
them). Paging is ``start``/``limit`` with ``_links.next`` relative to ``_links.base``; errors are Confluence's
``{"statusCode", "data": {...}, "message"}`` body. The request pipeline (latency, rate limit, auth, faults, log) is
app.py's, shared with Jira.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from .auth import UNAUTHENTICATED_MESSAGE
from .common import (
    Product,
    cloud_rate_headers,
    cloud_too_many_requests,
    empty_response,
    emu,
    json_response,
    site_authentication,
)
from .state import AlreadyMember, GroupNameInUse, GroupRef, NotMember, UnknownGroup, UnknownUser, User

LIMIT_MAX = 200  # documented: a limit above 200 is refused with 400
SEARCH_LIMIT_DEFAULT = 25
BULK_MAX = 200

confluence = Blueprint("confluence", __name__)


class ConfluenceError(Exception):
    """Rendered as Confluence's error body (CSPEC narrative, "Status codes")."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


def error_body(status: int, message: str, *, data_center: bool = False) -> dict[str, Any]:
    """Cloud lists the errors with their translations; Data Center's spec types ``data.errors`` as an object (its
    10.0.3 ``ValidationResult``), and says the text in ``message`` alone."""
    errors: Any = {} if data_center else [{"message": {"translation": message, "args": []}}]
    return {
        "statusCode": status,
        "data": {
            "authorized": status not in (401, 403),
            "valid": status != 400,
            "errors": errors,
            "successful": False,
        },
        "message": message,
    }


def render_error(exc: ConfluenceError) -> Response:
    product = g.get("product")
    data_center = isinstance(product, Product) and not product.cloud
    return json_response(error_body(exc.status, exc.message, data_center=data_center), exc.status)


# -- serialisation ----------------------------------------------------------------------------------------------


def _context() -> str:
    """The context path Confluence is served under: ``/wiki`` on Cloud, the server's own (often none) on Data Center."""
    return request.script_root + request.path[: request.path.index("/rest/api")]


def _base() -> str:
    return f"{request.host_url.rstrip('/')}{_context()}"


def user_json(user: User) -> dict[str, Any]:
    """Confluence's ``User``: ``email`` is an empty string when the user hides it; there is no "active" field."""
    account_type = user.account_type if user.account_type in ("atlassian", "app") else ""
    return {
        "type": "known",
        "accountId": user.account_id,
        "accountType": account_type,
        "email": "" if user.visible_email is None else user.visible_email,
        "publicName": user.display_name,
        "profilePicture": {
            "path": f"/wiki/aa-avatar/{quote(user.account_id, safe='')}",
            "width": 48,
            "height": 48,
            "isDefault": True,
        },
        "displayName": user.display_name,
        "timeZone": user.time_zone,
        "isExternalCollaborator": False,
        "_links": {"self": f"{_base()}/rest/api/user?accountId={quote(user.account_id, safe='')}"},
    }


def group_json(group: GroupRef) -> dict[str, Any]:
    return {
        "type": "group",
        "name": group.name,
        "id": group.group_id,
        "_links": {"self": f"{_base()}/rest/api/group/by-id?id={quote(group.group_id, safe='')}"},
    }


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfluenceError(400, f"Invalid value '{raw}' for parameter '{name}'") from None
    if value < 0:
        raise ConfluenceError(400, f"Parameter '{name}' must not be negative")
    return value


def _window(default_limit: int, cap: int, refuse_over_max: bool) -> tuple[int, int]:
    """(start, effective limit). Above 200 is refused where the spec documents it (``refuse_over_max``: members),
    elsewhere lowered to 200; the ``confluence_page_cap`` knob may lower it further, silently ("may be restricted
    by fixed system limits")."""
    start = _int_arg("start", 0)
    limit = _int_arg("limit", default_limit)
    if limit > LIMIT_MAX and refuse_over_max:
        raise ConfluenceError(400, f"Limit must be less than or equal to {LIMIT_MAX}, but was {limit}")
    return start, min(max(limit, 1), cap, LIMIT_MAX)


def paged(
    items: list[Any],
    render,
    *,
    default_limit: int = LIMIT_MAX,
    cap: int | None = None,
    refuse_over_max: bool = False,
) -> dict[str, Any]:
    """``{results, start, limit, size[, totalSize], _links}``: ``_links.next`` only when a next page exists; faults may
    empty the page (keeping ``next``) or misreport ``totalSize``."""
    cap = LIMIT_MAX if cap is None else cap
    start, limit = _window(default_limit, cap, refuse_over_max)
    results = [render(item) for item in items[start : start + limit]]
    path = request.path[request.path.index("/rest/api") :]
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("start", "limit")]

    def link(at: int) -> str:
        return f"{path}?{urlencode([*kept, ('start', at), ('limit', limit)])}"

    links: dict[str, str] = {"base": _base(), "context": _context(), "self": f"{_base()}{path}"}
    has_next = start + len(results) < len(items)
    if has_next:
        links["next"] = link(start + limit)
    body: dict[str, Any] = {"results": results, "start": start, "limit": limit, "size": len(results)}
    if request.args.get("shouldReturnTotalSize", "").lower() == "true":
        body["totalSize"] = len(items)
    fault = g.get("fault")
    if fault is not None and fault.action == "empty_page":
        links["next"] = link(start + limit)
        body.update(results=[], size=0)
    elif fault is not None and fault.action == "shift_total" and "totalSize" in body:
        body["totalSize"] = fault.total if fault.total is not None else max(len(items) + fault.total_delta, 0)
    body["_links"] = links
    return body


def _state():
    return emu().state


def _group(*, name: str | None = None, group_id: str | None = None) -> GroupRef:
    # An empty name or id names no group: 404 like an unknown one (the spec documents no 400 for these lookups).
    try:
        if not (name or group_id):
            raise UnknownGroup("")
        return _state().find_group(name=name, group_id=group_id)
    except UnknownGroup:
        wanted = f"id {group_id}" if group_id else f"name {name}"
        raise ConfluenceError(404, f"No group found with {wanted}") from None


def _required(name: str) -> str:
    value = request.args.get(name)
    if not value:
        raise ConfluenceError(400, f"The '{name}' parameter is required")
    return value


def _require_site_admin() -> None:
    if not g.caller.site_admin:
        raise ConfluenceError(403, "Only site admins and org admins can manage groups")


def _visible(user: User | None) -> bool:
    """Jira Service Management customers are portal-only accounts: Confluence does not know them."""
    return user is not None and user.account_type != "customer"


def _user(account_id: str) -> User:
    user = _state().user(account_id)
    if not _visible(user):
        raise ConfluenceError(404, f"No user found with accountId {account_id}")
    return user


def _account_id_from_body() -> str:
    body = request.get_json(silent=True)
    account_id = body.get("accountId") if isinstance(body, dict) else None
    if not account_id:
        raise ConfluenceError(400, "The accountId in the request body is required")
    return str(account_id)


# -- groups -----------------------------------------------------------------------------------------------------


@confluence.get("/group")
def list_groups() -> Response:
    groups = _state().all_groups()
    access_type = request.args.get("accessType")
    if access_type:
        if access_type not in ("user", "admin", "site-admin"):
            raise ConfluenceError(400, f"Invalid accessType {access_type}")
        groups = [grp for grp in groups if grp.grants("confluence") == access_type]
    return json_response(paged(groups, group_json))


@confluence.get("/group/by-name")
def group_by_name() -> Response:
    return json_response(group_json(_group(name=request.args.get("name"))))


@confluence.get("/group/by-id")
def group_by_id() -> Response:
    return json_response(group_json(_group(group_id=request.args.get("id"))))


@confluence.get("/group/picker")
def group_picker() -> Response:
    needle = request.args.get("query", "").casefold()
    groups = [grp for grp in _state().all_groups() if needle in grp.name.casefold()]
    return json_response(paged(groups, group_json))


@confluence.get("/group/<group_id>/membersByGroupId")
def members_by_group_id(group_id: str) -> Response:
    group = _group(group_id=group_id)
    members = _state().members(group.group_id)
    return json_response(paged(members, user_json, cap=emu().knobs.confluence_page_cap, refuse_over_max=True))


@confluence.get("/group/member")
def members_by_name() -> Response:
    """Deprecated, by name."""
    group = _group(name=request.args.get("name"))
    return json_response(paged(_state().members(group.group_id), user_json, cap=emu().knobs.confluence_page_cap))


@confluence.get("/group/<group_name>")
def group_by_path_name(group_name: str) -> Response:
    """Deprecated: ``GET /group/{groupName}``."""
    return json_response(group_json(_group(name=group_name)))


@confluence.get("/group/<group_name>/member")
def members_by_path_name(group_name: str) -> Response:
    """Deprecated: ``GET /group/{groupName}/member``."""
    group = _group(name=group_name)
    return json_response(paged(_state().members(group.group_id), user_json, cap=emu().knobs.confluence_page_cap))


@confluence.post("/group")
def create_group() -> Response:
    _require_site_admin()
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ConfluenceError(400, "A group name is required")
    try:
        with _state().lock:
            group = _state().create_group(name.strip())
    except GroupNameInUse:
        raise ConfluenceError(400, f"A group with name {name.strip()} already exists") from None
    return json_response(group_json(group), 201)


@confluence.delete("/group/by-id")
def delete_group_by_id() -> Response:
    _require_site_admin()
    group = _group(group_id=_required("id"))
    _delete(group)
    return empty_response(204)


@confluence.delete("/group")
def delete_group_by_name() -> Response:
    """Deprecated: ``DELETE /group?name=``."""
    _require_site_admin()
    group = _group(name=_required("name"))
    _delete(group)
    return empty_response(204)


def _delete(group: GroupRef) -> None:
    try:
        _state().delete_group(group.group_id)
    except UnknownGroup:
        raise ConfluenceError(404, f"No group found with id {group.group_id}") from None  # deleted meanwhile


# -- membership -------------------------------------------------------------------------------------------------


def _add(group: GroupRef, account_id: str) -> Response:
    try:
        _state().add_member(group.group_id, account_id)
    except UnknownUser:
        raise ConfluenceError(404, f"No user found with accountId {account_id}") from None
    except UnknownGroup:
        raise ConfluenceError(404, f"No group found with id {group.group_id}") from None
    except AlreadyMember:
        # What Confluence answers is not documented (reference §5: UNVERIFIED); 201 by default, or a 400 refusal.
        status = emu().knobs.confluence_add_member_status
        if status >= 300:
            raise ConfluenceError(status, f"User {account_id} is already a member of group {group.name}") from None
    return empty_response(201)


def _remove(group: GroupRef, account_id: str) -> Response:
    try:
        _state().remove_member(group.group_id, account_id)
    except UnknownUser:
        raise ConfluenceError(404, f"No user found with accountId {account_id}") from None
    except UnknownGroup:
        raise ConfluenceError(404, f"No group found with id {group.group_id}") from None
    except NotMember:
        pass  # documented: "A 204 is returned if the user is not part of the group."
    return empty_response(204)


@confluence.post("/group/userByGroupId")
def add_member_by_group_id() -> Response:
    _require_site_admin()
    group = _group(group_id=_required("groupId"))
    return _add(group, _account_id_from_body())


@confluence.delete("/group/userByGroupId")
def remove_member_by_group_id() -> Response:
    _require_site_admin()
    group = _group(group_id=_required("groupId"))
    return _remove(group, _required("accountId"))


@confluence.post("/group/user")
def add_member_by_name() -> Response:
    """Deprecated, by group name."""
    _require_site_admin()
    group = _group(name=_required("name"))
    return _add(group, _account_id_from_body())


@confluence.delete("/group/user")
def remove_member_by_name() -> Response:
    """Deprecated, by group name."""
    _require_site_admin()
    group = _group(name=_required("name"))
    return _remove(group, _required("accountId"))


# -- users ------------------------------------------------------------------------------------------------------


@confluence.get("/user")
def get_user() -> Response:
    return json_response(user_json(_user(request.args.get("accountId") or "")))


@confluence.get("/user/current")
def current_user() -> Response:
    return json_response(user_json(_user(g.caller.account_id)))


@confluence.get("/user/memberof")
def member_of() -> Response:
    # The spec documents no 404 here: an unknown (or empty) accountId is in no group.
    user = _state().user(request.args.get("accountId") or "")
    groups = _state().groups_of(user.account_id) if _visible(user) else []
    return json_response(paged(groups, group_json))


@confluence.get("/user/bulk")
def bulk_users() -> Response:
    # One parameter, "a list of accountIds": repeated, or comma-separated. The spec documents no 400: unknown ids
    # are left out, and only the first 200 are looked up.
    ids = [i for value in request.args.getlist("accountId") for i in value.split(",") if i][:BULK_MAX]
    users = [u for u in (_state().user(i) for i in ids) if _visible(u)]
    return json_response(paged(users, user_json))


# CQL the emulator understands: user.accountid = "…", user.fullname ~ "…" (one term; quotes required).
_CQL = re.compile(r'^\s*user\.(accountid|fullname)\s*(=|~)\s*"([^"]*)"\s*$', re.I)


@confluence.get("/search/user")
def search_users() -> Response:
    cql = request.args.get("cql")
    if not cql:
        raise ConfluenceError(400, "The 'cql' parameter is required")
    match = _CQL.match(cql)
    if not match:
        raise ConfluenceError(400, f"Could not parse cql : {cql}")
    field, value = match.group(1).lower(), match.group(3)
    if field == "accountid":
        found = [u for u in [_state().user(value)] if _visible(u)]
    else:
        # A fuzzy name match: every word of the query starts a word of the display name (case-insensitive).
        words = value.casefold().split()
        found = [
            u
            for u in _state().all_users()
            if _visible(u)
            and words
            and all(any(part.startswith(w) for part in u.display_name.casefold().split()) for w in words)
        ]

    def result(user: User) -> dict[str, Any]:
        return {
            "user": user_json(user),
            "title": user.display_name,
            "excerpt": "",
            "url": f"/people/{quote(user.account_id, safe='')}",
            "breadcrumbs": [],
            "entityType": "user",
            "iconCssClass": "aui-icon content-type-profile",
            "lastModified": "2026-11-01T00:00:00.000Z",
            "score": 1.0,
        }

    body = paged(found, result, default_limit=SEARCH_LIMIT_DEFAULT)
    body.update(totalSize=len(found), cqlQuery=cql, searchDuration=3)
    return json_response(body)


# -- what the pipeline asks of Confluence (Cloud; Data Center shares the error format) ---------------------------


def unauthenticated(reason: str) -> Response:
    """Confluence's 401, in its own error format (Cloud and Data Center alike)."""
    return render_error(ConfluenceError(401, UNAUTHENTICATED_MESSAGE))


def render_http_error(exc: HTTPException) -> Response:
    return render_error(ConfluenceError(exc.code or 500, exc.description or exc.name))


PRODUCT = Product(
    name="confluence",
    blueprint=confluence,
    mounts=("/wiki/rest/api",),
    cloud=True,
    contract="confluence-groups.contract.json",
    contract_prefix="/wiki/rest/api",
    authenticate=site_authentication(unauthenticated),
    too_many_requests=cloud_too_many_requests,
    rate_headers=cloud_rate_headers,
    render_http_error=render_http_error,
    error_handlers={ConfluenceError: render_error},
)
