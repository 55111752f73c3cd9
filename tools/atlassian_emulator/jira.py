# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Jira Cloud platform REST v3 (and v2): users, groups and memberships (``products`` including "jira").

Routes only translate between HTTP and the State; the request pipeline (latency, rate limit, auth, faults, headers,
logging) runs in ``app``'s hooks, asking this module's ``PRODUCT`` what differs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, g, request

from .common import (
    ApiError,
    Product,
    cloud_rate_headers,
    cloud_too_many_requests,
    empty_response,
    emu,
    jira_unauthorized,
    json_response,
    render_api_error,
    site_authentication,
)
from .knobs import FaultRule
from .state import (
    AlreadyMember,
    GroupNameInUse,
    GroupRef,
    NotMember,
    UnknownGroup,
    UnknownUser,
    User,
)

# Atlassian answers anonymous calls to these with empty results rather than 401 (a trap for "am I logged in?").
ANONYMOUS_OK = ("/rest/api/3/user/search", "/rest/api/3/groups/picker", "/rest/api/3/serverInfo")
USER_NOT_FOUND = "Specified user does not exist or you do not have required permissions"
NOT_SITE_ADMIN = "You do not have permission to manage groups. Site administration permission is required."
INVALID_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."
SEARCH_MAX = 1000  # user/search: maxResults cap, and only the first 1000 matches are considered
PICKER_DEFAULT = 20  # groups/picker: Jira's jira.ajax.autocomplete.limit default
PICKER_MAX = 100
AVATAR_BASE = "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials"

jira = Blueprint("jira", __name__)


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
        groups = emu().state.groups_of(user.account_id)
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
    members = emu().state.members(group.group_id)
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
        return emu().state.find_group(name=name, group_id=group_id)
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


@jira.get("/serverInfo")
def server_info() -> Response:
    """``ServerInformation``. Anonymous callers are allowed (ANONYMOUS_OK). Where the spec's example and its schema
    disagree, the schema wins: the example shows ``defaultLocale``, which the schema does not list (and it forbids
    unlisted properties), and times like ``2020-03-26T22:20:59.000+0000``, which its date-time format refuses (no
    colon in the offset), so the times here carry ``+00:00``."""
    now = datetime.now(timezone.utc)
    return json_response(
        {
            "baseUrl": emu().state.site,
            "displayUrl": emu().state.site,
            "displayUrlConfluence": emu().state.site,
            "displayUrlServicedeskHelpCenter": emu().state.site,
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


@jira.get("/myself")
def myself() -> Response:
    user = emu().state.user(g.caller.account_id)
    return json_response(user_json(user, full=True, expand=request.args.get("expand", "")))


@jira.get("/user")
def get_user() -> Response:
    # A missing accountId names no user: 404, the only refusal the spec documents here.
    user = emu().state.user(request.args.get("accountId") or "")
    if user is None:
        raise ApiError(404, USER_NOT_FOUND)
    return json_response(user_json(user, full=True, expand=request.args.get("expand", "")))


@jira.get("/user/search")
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
    state = emu().state
    if query:
        found = state.search_users(query)
    elif account_id:
        user = state.user(account_id)
        found = [user] if user is not None and user.active else []
    else:
        found = []  # user properties are not emulated
    found = found[:SEARCH_MAX]
    return json_response([user_json(u) for u in found[start : start + max_results]])


@jira.get("/users/search")
def all_users() -> Response:
    """Every account of the site, deactivated ones included, as a plain array (maxResults up to 1000)."""
    start = max(_int_arg("startAt", 0), 0)
    max_results = min(max(_int_arg("maxResults", 50), 0), SEARCH_MAX)
    users = emu().state.all_users()
    return json_response([user_json(u) for u in users[start : start + max_results]])


@jira.get("/user/groups")
def user_groups() -> Response:
    account_id = request.args.get("accountId") or ""
    try:
        groups = emu().state.groups_of(account_id)
    except UnknownUser:
        raise ApiError(404, USER_NOT_FOUND) from None
    return json_response([group_name_json(grp) for grp in groups])


@jira.get("/group/bulk")
def bulk_groups() -> Response:
    names = {n.casefold() for n in request.args.getlist("groupName") if n}
    ids = {i for i in request.args.getlist("groupId") if i}
    start, max_results = _page_window(50)
    groups = emu().state.all_groups()
    if names or ids:
        groups = [grp for grp in groups if grp.name.casefold() in names or grp.group_id in ids]
    access_type = request.args.get("accessType")
    if access_type:
        groups = [grp for grp in groups if grp.grants("jira") == access_type]
    params = [(k, v) for k in ("groupId", "groupName", "accessType", "applicationKey") for v in request.args.getlist(k)]
    return json_response(
        _page(groups, start, max_results, params, lambda grp: {"name": grp.name, "groupId": grp.group_id})
    )


@jira.get("/groups/picker")
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
        for grp in emu().state.all_groups()
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


@jira.get("/group/member")
def group_members() -> Response:
    group = _group_from_args()
    include_inactive = request.args.get("includeInactiveUsers", "false").lower() == "true"
    start, max_results = _page_window(emu().knobs.member_page_cap)
    members = emu().state.members(group.group_id, include_inactive=include_inactive)
    params = [(k, request.args[k]) for k in ("groupname", "groupId") if request.args.get(k)]
    params.append(("includeInactiveUsers", "true" if include_inactive else "false"))
    return json_response(_page(members, start, max_results, params, user_details))


@jira.post("/group/user")
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
    state = emu().state
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


@jira.delete("/group/user")
def remove_user_from_group() -> Response:
    _require_site_admin()
    group = _group_from_args()
    account_id = request.args.get("accountId")
    if not account_id:
        raise ApiError(400, "accountId must be provided.")
    try:
        emu().state.remove_member(group.group_id, account_id)
    except UnknownUser:
        raise ApiError(404, USER_NOT_FOUND) from None
    except UnknownGroup:
        raise _group_not_found(group.name) from None  # deleted meanwhile
    except NotMember:
        status = emu().knobs.remove_non_member_status
        if status < 300:
            return empty_response(status)
        # Cloud's answer is undocumented; this is the Data Center wording (section 6 of the reference).
        raise ApiError(
            status,
            f"Cannot remove user '{account_id}' from group '{group.name}' since user is not a member of '{group.name}'",
        ) from None
    return empty_response(200)


@jira.get("/group")
def get_group() -> Response:
    return json_response(group_json(_group_from_args(), request.args.get("expand", "")))


@jira.post("/group")
def create_group() -> Response:
    _require_site_admin()
    name = _json_body().get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "You must specify a valid group name.", errors={"name": "You must specify a group name."})
    state = emu().state
    try:
        with state.lock:
            payload = group_json(state.create_group(name.strip()))
    except GroupNameInUse:
        raise ApiError(400, "A group or user with this name already exists.") from None
    return json_response(payload, 201)


@jira.delete("/group")
def delete_group() -> Response:
    _require_site_admin()
    group = _group_from_args()
    try:
        emu().state.delete_group(group.group_id)
    except UnknownGroup:
        raise _group_not_found(group.name) from None  # deleted meanwhile
    return empty_response(200)


def _names_caller(response: Response) -> None:
    # Documented for Jira only (NARR "Special headers"); Confluence's caller comes from user/current.
    if g.caller is not None:
        response.headers["X-AAccountId"] = g.caller.account_id


PRODUCT = Product(
    name="jira",
    blueprint=jira,
    mounts=("/rest/api/3", "/rest/api/2"),
    cloud=True,
    contract="jira-groups-users.contract.json",
    contract_prefix="/rest/api",
    authenticate=site_authentication(jira_unauthorized, ANONYMOUS_OK),
    too_many_requests=cloud_too_many_requests,
    rate_headers=cloud_rate_headers,
    error_handlers={ApiError: render_api_error},
    after=_names_caller,
)
