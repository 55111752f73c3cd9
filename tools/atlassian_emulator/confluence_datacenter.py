# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Confluence Data Center REST routes (``/rest/api`` under the server's context path): groups by name, users by
username, and the membership writes Confluence added in 8.2 (documented for 9.x and 10.x).

Shapes follow Atlassian's Confluence Data Center 10.0.3 spec (tests/emulator/openapi/confluence-dc-groups.openapi.json).
The ``confluence_dc_membership_api`` knob set to false plays a server from before 8.2, which has no membership
endpoints: they answer Jersey's 404 for an unmapped path, as any unknown path does (app._render_http_error).

A group name may hold '/' (Confluence allows it): clients send it as one path segment (%2F), which the server decodes
before routing, so the routes take the group name as a path (the rest of the path after the fixed parts).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, g, request
from werkzeug.exceptions import HTTPException

from .common import (
    Product,
    datacenter_rate_headers,
    datacenter_too_many_requests,
    empty_response,
    emu,
    json_response,
    site_authentication,
)
from .confluence import ConfluenceError, _base, paged, render_error, render_http_error, unauthenticated
from .jira_datacenter import user_key
from .state import AlreadyMember, GroupNameInUse, GroupRef, NotMember, UnknownGroup, User

confluence_datacenter = Blueprint("confluence_datacenter", __name__)

NOT_ADMIN = "User is not permitted to manage groups"


def person_json(user: User) -> dict[str, Any]:
    """``Person``: known by username and user key; Data Center shows no email here."""
    return {
        "type": "known",
        "username": user.username,
        "userKey": user_key(user),
        "profilePicture": {
            "path": "/images/icons/profilepics/default.svg",
            "width": 48,
            "height": 48,
            "isDefault": True,
        },
        "displayName": user.display_name,
        "_links": {"self": f"{_base()}/rest/api/user?username={quote(user.username, safe='')}"},
    }


def group_json(group: GroupRef) -> dict[str, Any]:
    return {
        "type": "group",
        "name": group.name,
        "_links": {"self": f"{_base()}/rest/api/group/{quote(group.name, safe='')}"},
    }


def _group(name: str) -> GroupRef:
    try:
        return emu().state.find_group(name=name)
    except UnknownGroup:
        raise ConfluenceError(404, f"Group with name '{name}' does not exist") from None


def _user(username: str | None) -> User:
    user = emu().state.user_named(username or "")
    if user is None:  # Data Center has no account types: the seed's app and customer accounts are plain users here
        raise ConfluenceError(404, f"No user found with username: {username}")
    return user


def _require_admin() -> None:
    if not g.caller.site_admin:
        raise ConfluenceError(403, NOT_ADMIN)


def _membership_api() -> None:
    if not emu().knobs.confluence_dc_membership_api:
        abort(404)  # before 8.2 the path is not mapped at all


@confluence_datacenter.get("/group")
def list_groups() -> Response:
    return json_response(paged(emu().state.all_groups(), group_json))


@confluence_datacenter.get("/group/<path:group_name>")
def get_group(group_name: str) -> Response:
    return json_response(group_json(_group(group_name)))


@confluence_datacenter.get("/group/<path:group_name>/member")
def group_members(group_name: str) -> Response:
    group = _group(group_name)
    return json_response(paged(emu().state.members(group.group_id), person_json, cap=emu().knobs.confluence_page_cap))


@confluence_datacenter.get("/user")
def get_user() -> Response:
    return json_response(person_json(_user(request.args.get("username"))))


@confluence_datacenter.get("/user/current")
def current_user() -> Response:
    return json_response(person_json(emu().state.user(g.caller.account_id)))


@confluence_datacenter.get("/user/memberof")
def member_of() -> Response:
    user = _user(request.args.get("username"))
    return json_response(paged(emu().state.groups_of(user.account_id), group_json))


@confluence_datacenter.put("/user/<username>/group/<path:group_name>")
def add_member(username: str, group_name: str) -> Response:
    """Documented as idempotent: an existing membership is left as it is, 204 either way."""
    _membership_api()
    _require_admin()
    user, group = _user(username), _group(group_name)
    try:
        emu().state.add_member(group.group_id, user.account_id)
    except AlreadyMember:
        pass
    return empty_response(204)


@confluence_datacenter.delete("/user/<username>/group/<path:group_name>")
def remove_member(username: str, group_name: str) -> Response:
    _membership_api()
    _require_admin()
    user, group = _user(username), _group(group_name)
    try:
        emu().state.remove_member(group.group_id, user.account_id)
    except NotMember:
        pass
    return empty_response(204)


@confluence_datacenter.post("/admin/group")
def create_group() -> Response:
    _membership_api()
    _require_admin()
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ConfluenceError(400, "Group name is required")
    try:
        with emu().state.lock:
            group = emu().state.create_group(name.strip())
    except GroupNameInUse:
        raise ConfluenceError(409, f"Group with name '{name.strip()}' already exists") from None
    return json_response(group_json(group), 200)  # documented: 200, not 201


@confluence_datacenter.delete("/admin/group/<path:group_name>")
def delete_group(group_name: str) -> Response:
    _membership_api()
    _require_admin()
    group = _group(group_name)
    emu().state.delete_group(group.group_id)
    return empty_response(204)


# -- what the pipeline asks of Confluence Data Center -------------------------------------------------------------


def _render_http_error(exc: HTTPException) -> Response:
    if exc.code == 404:
        # Confluence's REST framework (Jersey) on an unmapped path, e.g. an endpoint an older release lacks.
        return json_response({"statusCode": 404, "message": f"null for uri: {request.url}", "reason": "Not Found"}, 404)
    return render_http_error(exc)


PRODUCT = Product(
    name="confluence_datacenter",
    blueprint=confluence_datacenter,
    mounts=("/rest/api",),
    cloud=False,
    contract="confluence-dc-groups.contract.json",
    contract_prefix="/rest/api",
    authenticate=site_authentication(unauthenticated),
    too_many_requests=datacenter_too_many_requests,
    rate_headers=datacenter_rate_headers,
    render_http_error=_render_http_error,
    error_handlers={ConfluenceError: render_error},
)
