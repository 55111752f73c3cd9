# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Jira Data Center REST v2 routes (``/rest/api/2``) for users, groups and memberships: users by username.

Shapes follow Atlassian's Jira Software Data Center 10.3 spec (tests/emulator/openapi/jira-dc-groups-users.openapi.json,
with the corrections its derived contract records); the messages for an existing member, a non-member and an unknown
user are the ones Jira's own functional tests assert (reference §6). Paging, errors (ErrorCollection) and the request
pipeline are app.py's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, g, request

from .common import (
    ApiError,
    Product,
    datacenter_rate_headers,
    datacenter_too_many_requests,
    empty_response,
    emu,
    jira_unauthorized,
    json_response,
    render_api_error,
    site_authentication,
)
from .jira import ANONYMOUS_OK, SEARCH_MAX, _avatars, _int_arg, _json_body, _page, _page_window
from .state import AlreadyMember, GroupNameInUse, GroupRef, NotMember, UnknownGroup, User

jira_datacenter = Blueprint("jira_datacenter", __name__)

VERSION = (10, 3, 24)
NOT_ADMIN = "You are not authorized to perform this operation. Jira administrator permission is required."
MEMBERS_CAP = 50


def _base() -> str:
    return f"{request.host_url.rstrip('/')}{request.script_root}/rest/api/2"


def user_key(user: User) -> str:
    """Data Center's stable user key (JIRAUSERnnnnn), derived from the account so it is the same every run."""
    return f"JIRAUSER{int(hashlib.sha1(user.account_id.encode()).hexdigest()[:8], 16) % 90000 + 10000}"


def user_json_bean(user: User) -> dict[str, Any]:
    """``UserJsonBean`` (group member pages): ``name`` is the username; there is no accountId on Data Center."""
    data: dict[str, Any] = {
        "self": f"{_base()}/user?username={quote(user.username, safe='')}",
        "key": user_key(user),
        "name": user.username,
    }
    if user.visible_email is not None:
        data["emailAddress"] = user.visible_email
    data.update(displayName=user.display_name, active=user.active, timeZone=user.time_zone, avatarUrls=_avatars(user))
    return data


def user_bean(user: User, *, expand: str = "") -> dict[str, Any]:
    """``UserBean`` (user, myself, user/search): adds deleted, locale and, with ``expand=groups``, the groups."""
    data = {**user_json_bean(user), "deleted": False, "locale": user.locale}
    groups = emu().state.groups_of(user.account_id)
    wanted = {part.strip() for part in expand.split(",")}
    data["groups"] = {"size": len(groups), "items": [group_json(grp) for grp in groups] if "groups" in wanted else []}
    data["applicationRoles"] = {"size": 0, "items": []}
    data["expand"] = "groups,applicationRoles"
    return data


def group_json(group: GroupRef) -> dict[str, Any]:
    return {"name": group.name, "self": f"{_base()}/group?groupname={quote(group.name, safe='')}"}


def group_bean(group: GroupRef) -> dict[str, Any]:
    """``GroupBean``, as add-member and create-group answer: the group and its first members."""
    members = emu().state.members(group.group_id)
    return {
        **group_json(group),
        "users": {
            "size": len(members),
            "items": [user_json_bean(u) for u in members[:MEMBERS_CAP]],
            "max-results": MEMBERS_CAP,
        },
        "expand": "users",
    }


def _group(name: str | None) -> GroupRef:
    if not name:
        raise ApiError(400, "The name of the provided group is empty.")
    try:
        return emu().state.find_group(name=name)
    except UnknownGroup:
        raise ApiError(404, f"The group '{name}' does not exist.") from None


def _user(username: str | None) -> User:
    user = emu().state.user_named(username or "")
    if user is None:
        raise ApiError(404, f"The user named '{username}' does not exist")
    return user


def _require_admin() -> None:
    if not g.caller.site_admin:
        raise ApiError(403, NOT_ADMIN)


@jira_datacenter.get("/serverInfo")
def server_info() -> Response:
    now = datetime.now(timezone.utc)
    site = emu().state.site
    return json_response(
        {
            "baseUrl": site,
            "version": ".".join(map(str, VERSION)),
            "versionNumbers": list(VERSION),
            # Observed on Data Center servers too (research notes B.2); "DataCenter" is accepted by clients as well.
            "deploymentType": "Server",
            "buildNumber": 10030024,
            "buildDate": "2026-09-02T00:00:00.000+0000",
            "databaseBuildNumber": 10030024,
            "serverTime": now.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "scmInfo": "95508b3a1c0f0e2d7f6b5a49c3d2e1f0a9b8c7d6",
            "serverTitle": "Acme Jira",
        }
    )


@jira_datacenter.get("/myself")
def myself() -> Response:
    return json_response(user_bean(emu().state.user(g.caller.account_id), expand=request.args.get("expand", "")))


@jira_datacenter.get("/user")
def get_user() -> Response:
    username = request.args.get("username")
    return json_response(user_bean(_user(username), expand=request.args.get("expand", "")))


@jira_datacenter.get("/user/search")
def search_users() -> Response:
    """Users whose username, display name or email starts with the query (case-insensitive), active ones unless
    includeActive=false, inactive ones only with includeInactive=true."""
    query = (request.args.get("username") or "").strip().casefold()
    if not query:
        raise ApiError(400, "The username query parameter was not provided")
    active = request.args.get("includeActive", "true").lower() != "false"
    inactive = request.args.get("includeInactive", "false").lower() == "true"
    start = max(_int_arg("startAt", 0), 0)
    max_results = min(max(_int_arg("maxResults", 50), 0), SEARCH_MAX)

    def matches(user: User) -> bool:
        names = [user.username, *user.display_name.split(), user.email or ""]
        return any(n.casefold().startswith(query) for n in names if n) and (active if user.active else inactive)

    # Data Center has no account types: the seed's app and customer accounts are plain users here.
    found = [u for u in emu().state.all_users() if matches(u)]
    return json_response([user_bean(u) for u in found[start : start + max_results]])


@jira_datacenter.get("/group/member")
def group_members() -> Response:
    group = _group(request.args.get("groupname"))
    include_inactive = request.args.get("includeInactiveUsers", "false").lower() == "true"
    start, max_results = _page_window(emu().knobs.member_page_cap)
    members = emu().state.members(group.group_id, include_inactive=include_inactive)
    params = [("groupname", group.name), ("includeInactiveUsers", "true" if include_inactive else "false")]
    return json_response(_page(members, start, max_results, params, user_json_bean))


@jira_datacenter.post("/group/user")
def add_user_to_group() -> Response:
    _require_admin()
    group = _group(request.args.get("groupname"))
    username = _json_body().get("name")
    user = emu().state.user_named(str(username or ""))
    if user is None:
        raise ApiError(404, f"Cannot add user. '{username}' does not exist")
    state = emu().state
    try:
        with state.lock:
            state.add_member(group.group_id, user.account_id)
            payload = group_bean(group)
    except AlreadyMember:
        raise ApiError(400, f"Cannot add user '{user.username}', user is already a member of '{group.name}'") from None
    return json_response(payload, 201)


@jira_datacenter.delete("/group/user")
def remove_user_from_group() -> Response:
    _require_admin()
    group = _group(request.args.get("groupname"))
    username = request.args.get("username")
    user = emu().state.user_named(username or "")
    if user is None:
        raise ApiError(404, f"User '{username}' does not exist")
    try:
        emu().state.remove_member(group.group_id, user.account_id)
    except NotMember:
        raise ApiError(
            400,
            f"Cannot remove user '{user.username}' from group '{group.name}' since user is not a member of "
            f"'{group.name}'",
        ) from None
    return empty_response(200)


@jira_datacenter.post("/group")
def create_group() -> Response:
    _require_admin()
    name = _json_body().get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "You must specify a valid group name.")
    state = emu().state
    try:
        with state.lock:
            payload = group_bean(state.create_group(name.strip()))
    except GroupNameInUse:
        raise ApiError(400, "A group or user with this name already exists.") from None
    return json_response(payload, 201)


@jira_datacenter.delete("/group")
def delete_group() -> Response:
    _require_admin()
    group = _group(request.args.get("groupname"))
    emu().state.delete_group(group.group_id)
    return empty_response(200)


@jira_datacenter.get("/groups/picker")
def groups_picker() -> Response:
    needle = request.args.get("query", "").casefold()
    limit = min(max(_int_arg("maxResults", 20), 0), 100)
    matches = [grp for grp in emu().state.all_groups() if needle in grp.name.casefold()]
    shown = matches[:limit]
    return json_response(
        {
            "header": f"Showing {len(shown)} of {len(matches)} matching groups",
            "total": len(matches),
            "groups": [{"name": grp.name, "html": grp.name, "labels": []} for grp in shown],
        }
    )


# "latest" is the Data Center docs' alias of the newest REST version (2 on Jira Data Center); clients such as
# pycontribs' jira use it.
PRODUCT = Product(
    name="jira_datacenter",
    blueprint=jira_datacenter,
    mounts=("/rest/api/2", "/rest/api/latest"),
    cloud=False,
    contract="jira-dc-groups-users.contract.json",
    contract_prefix="/rest/api",
    authenticate=site_authentication(jira_unauthorized, ANONYMOUS_OK),
    too_many_requests=datacenter_too_many_requests,
    rate_headers=datacenter_rate_headers,
    error_handlers={ApiError: render_api_error},
)
