# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Atlassian Admin API v2 (``https://api.atlassian.com/admin``): the organisation's directory of users and groups.

The directory is the site's own (one State), so a membership changed here shows on the site APIs and the other way
round, as it does for an organisation and its sites. Served under ``/admin`` with ``products`` including "admin".

What it follows (the project's research notes on the Admin API, and the extract in tests/emulator/openapi/):
- only organisation API keys (Bearer) are accepted; anything else gets the gateway's 401 ``{"code": 401, "message"}``;
- errors are ``{"errors": [{"id", "status", "code": "ADMIN-...", "title", "detail"}]}``;
- listings page by an opaque cursor (``links.next`` is a token, not a URL) and say no total;
- ``groups/search`` finds groups by exact name (``groupNames``), ``users/search`` users by exact email, accountId or
  group, with every email (a profile's privacy setting does not hide it from the organisation) and every status;
- the deprecated ``GET .../groups`` ("will no longer work after June 30, 2027") lists groups with the search's
  filters as query parameters; its resourceOwners, resourceIds and roleIds filters are not modelled (the emulator has
  no resources or roles), so a request that uses them is refused with 400 rather than answered unfiltered;
- a group synced from an identity provider (SCIM) refuses membership changes (``ADMIN-403-5``), a role's default group
  and a group granting admin access refuse deletion (``ADMIN-403-6``, ``ADMIN-403-7``), an app's user limit refuses an
  add (``ADMIN-409-3``, knob ``admin_user_limit``), and an account the organisation has not invited is not found
  (``ADMIN-404-8``);
- a 429 carries ``X-RateLimit-Reset`` as an ISO-8601 time and no ``Retry-After`` (the Admin API documents only the
  former).

Statuses from Atlassian's spec (tests/emulator/openapi/admin-v2-directory.openapi.json): creating a group answers 201
without a body, deleting one 204; adding a member 204, or 409 when the user is already in the group or the user limit
is reached; removing one 204. Choices where Atlassian documents nothing (UNVERIFIED, recorded so tests do not mistake
them for facts): the 409s carry ADMIN-409-28 (already in the group) and ADMIN-409-3 (the user limit); removing a
non-member answers 204 without change. Only Atlassian accounts are in the directory (the spec's accountType has no
other value): the site's app and customer accounts are not.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from .common import (
    Product,
    cloud_too_many_requests,
    empty_response,
    emu,
    http_error_collection,
    json_response,
)
from .state import GroupNameInUse, GroupRef, UnknownGroup, User

admin = Blueprint("admin", __name__)

USERS_LIMIT_DEFAULT = 50  # users/search: "Defaults to 50"
GROUPS_LIMIT_DEFAULT = 20  # groups/search: default 20
LIMIT_MAX = 100
ALL_DIRECTORIES = "-"  # "the special character -": every directory the key may manage

# code -> (status, title), from the spec's ApplicationError list.
CODES = {
    "ADMIN-400-1": (400, "Invalid page cursor"),
    "ADMIN-400-24": (400, "Invalid request body"),
    "ADMIN-403-5": (403, "Not allowed to manage the group"),
    "ADMIN-403-6": (403, "Not allowed to delete group with default-role attribute"),
    "ADMIN-403-7": (403, "Not allowed to delete group which grants admin access to a product or org"),
    "ADMIN-404-1": (404, "Unknown resource"),
    "ADMIN-404-2": (404, "Organization not found"),
    "ADMIN-404-8": (404, "User not found"),
    "ADMIN-404-10": (404, "Group not found"),
    "ADMIN-405-1": (405, "Method not supported"),
    "ADMIN-409-3": (409, "License limit exceeded"),
    "ADMIN-409-28": (409, "Conflict"),
    "ADMIN-500-1": (500, "Internal error"),
    # The user management operations' (issue 18): the invitation's documented 402, and the refusal of a key with
    # scopes (AX-1798; its code and title are UNVERIFIED).
    "ADMIN-UAM-402-1": (402, "Payment Required"),
    "ADMIN-UAM-403-1": (403, "Forbidden"),
}


class AdminError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


def render_error(exc: AdminError) -> Response:
    status, title = CODES[exc.code]
    error = {"id": str(uuid.uuid4()), "status": str(status), "code": exc.code, "title": title, "detail": exc.detail}
    return json_response({"errors": [error]}, status)


def proxy_error(status: int, message: str) -> Response:
    """The API gateway's own refusals (no credentials, a rejected key, the rate limit): ``ProxyError``."""
    return json_response({"code": status, "message": message}, status)


def injected_error(status: int) -> Response:
    """A fault's answer as the Admin API gives it: ADMIN-500-1 for a 500, the gateway's own words for the others."""
    if status == 500:
        return render_error(AdminError("ADMIN-500-1", "Injected fault: HTTP 500."))
    return proxy_error(status, f"Injected fault: HTTP {status}.")


def too_many_requests(retry_after: float, limit: int | None = None) -> Response:
    response = proxy_error(429, "Rate limit exceeded")
    reset_at = datetime.now(timezone.utc) + timedelta(seconds=retry_after)
    if limit is not None:
        response.headers["X-RateLimit-Limit"] = str(limit)
    response.headers["X-RateLimit-Remaining"] = "0"
    # "Next period reset time (ISO 8601 - Date and time in UTC)"; milliseconds, so short test waits stay exact.
    response.headers["X-RateLimit-Reset"] = reset_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return response


def authenticate(header: str | None) -> Response | None:
    """None when the caller holds an organisation API key (recorded as ``g.org_key``), else the gateway's 401."""
    scheme, _sep, token = (header or "").strip().partition(" ")
    credential = None
    if scheme.lower() == "bearer" and token.strip():
        credential = emu().state.credential_for_bearer(token.strip(), org_api_key=True)
    if credential is None:
        return proxy_error(401, "Unauthorized")
    g.org_key = credential
    return None


# -- the organisation and its directory ----------------------------------------------------------------------------


def _org(org_id: str) -> None:
    # One organisation, whose keys are the only ones a seed may hold: any other id is one the key cannot see.
    if org_id != emu().state.org.org_id:
        raise AdminError("ADMIN-404-2", f"Organization {org_id} was not found")


def _directory(org_id: str, directory_id: str, *, allow_all: bool = False) -> str | None:
    """The directory a path names (None: every directory, for ``-``)."""
    _org(org_id)
    if directory_id == ALL_DIRECTORIES and allow_all:
        return None
    if emu().state.org.directory(directory_id) is None:
        raise AdminError("ADMIN-404-1", f"Directory {directory_id} was not found in the organization")
    return directory_id


def _in_directory(user: User) -> bool:
    # The spec's accountType has one value, "atlassian": apps and customers are not in the organisation's directory.
    return user.in_directory and user.account_type == "atlassian"


def _group_in(directory_id: str | None, group_id: str) -> GroupRef:
    try:
        group = emu().state.find_group(group_id=group_id)
    except UnknownGroup:
        group = None
    if group is None or (directory_id is not None and group.directory_id != directory_id):
        raise AdminError("ADMIN-404-10", f"Group {group_id} was not found")
    return group


def _user_in(account_id: str) -> User:
    """An account of the organisation's directory (one pool of people, whichever directory holds the group)."""
    user = emu().state.user(account_id)
    if user is None or not _in_directory(user):
        raise AdminError("ADMIN-404-8", f"User {account_id} was not found")
    return user


# -- serialisation --------------------------------------------------------------------------------------------------


def group_json(group: GroupRef, expand: list[str] | None = None) -> dict[str, Any]:
    """``MultiDirectoryGroup``."""
    data: dict[str, Any] = {
        "id": group.group_id,
        "name": group.name,
        "description": group.description,
        "directoryId": group.directory_id,
        "managementAccess": {
            "deletable": not (group.default_group or group.grants_admin),
            "modifiable": not group.external_synced,
            "readable": True,
        },
        "externalSynced": group.external_synced,
        "managedBy": "external" if group.external_synced else "admins",
        "links": {"self": _token(f"group:{group.group_id}")},
    }
    if expand and "counts.users" in expand:
        data["counts"] = {"users": len(emu().state.member_ids(group.group_id))}
    return data


def _status(user: User) -> tuple[str, str, str]:
    """(status, accountStatus, membershipStatus) of an account in the directory."""
    if user.suspended:
        # "suspended: accountStatus active and membershipStatus suspended"; the site APIs show it inactive meanwhile.
        return "suspended", "active", "suspended"
    if not user.active:
        return "deactivated", "inactive", "active"
    return "active", "active", "active"


def user_json(user: User, directory_id: str | None, expand: list[str] | None = None) -> dict[str, Any]:
    """``MultiDirectoryUser``: the organisation sees the email whatever the profile's privacy setting."""
    status, account_status, membership_status = _status(user)
    nickname = user.display_name.split()[0] if user.display_name else user.display_name
    data: dict[str, Any] = {
        "accountId": user.account_id,
        "accountType": user.account_type,
        "status": status,
        "accountStatus": account_status,
        "membershipStatus": membership_status,
        "name": user.display_name,
        "nickname": nickname,
        # An invitation not yet accepted: the one sign the API gives (there is no "invited" status).
        "emailVerified": not user.invited,
        "claimStatus": "managed",
        "managementSource": "invited",
        "addedToOrg": "2024-01-15T09:30:00.000Z",
        "links": {"self": _token(f"user:{user.account_id}")},
    }
    if user.email:
        data["email"] = user.email
    if expand and "groups" in expand:
        data["groups"] = [
            {"id": grp.group_id, "name": grp.name, "description": grp.description}
            for grp in emu().state.groups_of(user.account_id)
            if directory_id is None or grp.directory_id == directory_id
        ]
    return data


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# -- requests -------------------------------------------------------------------------------------------------------


def _body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise AdminError("ADMIN-400-24", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise AdminError("ADMIN-400-24", "The request body must be a JSON object")
    return body


def _strings(body: dict[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AdminError("ADMIN-400-24", f"{key} must be an array of strings")
    return value


def _limit(body: dict[str, Any], default: int) -> int:
    value = body.get("limit", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= LIMIT_MAX:
        raise AdminError("ADMIN-400-24", f"limit must be an integer from 1 to {LIMIT_MAX}")
    return value


def _page(items: list[Any], limit: int, cursor: str | None, render: Callable[[Any], dict], kind: str) -> Response:
    """One page from an opaque cursor (an encoded offset bound to the listing's kind); no total, as the API."""
    start = 0
    if cursor:
        try:
            decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            prefix, _sep, offset = decoded.partition(":")
            start = int(offset)
            if prefix != kind or start < 0:
                raise ValueError(cursor)
        except ValueError:
            raise AdminError("ADMIN-400-1", "The page cursor is invalid") from None
    window = items[start : start + limit]
    after = start + len(window)
    # The spec's links are strings: one that does not apply is left out, not null.
    links = {"self": _token(f"{kind}:{start}")}
    if start:
        links["prev"] = _token(f"{kind}:{max(start - limit, 0)}")
    if after < len(items):
        links["next"] = _token(f"{kind}:{after}")
    return json_response({"data": [render(item) for item in window], "links": links})


# -- routes ---------------------------------------------------------------------------------------------------------


@admin.get("/v1/orgs")
def list_orgs() -> Response:
    """The organisations of the API key: its own (v1's, still served: the v2 API has no list of organisations)."""
    org = emu().state.org
    base = f"{request.host_url}admin/v1/orgs/{org.org_id}"
    item = {
        "id": org.org_id,
        "type": "orgs",
        "attributes": {"name": org.name},
        "relationships": {
            "domains": {"links": {"related": f"{base}/domains"}},
            "users": {"links": {"related": f"{base}/users"}},
        },
        "links": {"self": base},
    }
    return json_response({"data": [item], "links": {"self": request.url}})


@admin.get("/v2/orgs/<org_id>/directories")
def list_directories(org_id: str) -> Response:
    _org(org_id)
    directories = list(emu().state.org.directories)
    return _page(
        directories,
        _limit({"limit": int(request.args.get("limit", USERS_LIMIT_DEFAULT))}, USERS_LIMIT_DEFAULT),
        request.args.get("cursor"),
        lambda d: {"directoryId": d.directory_id, "name": d.name},
        "directories",
    )


def _groups_matching(
    directory: str | None,
    names: list[str] | None = None,
    ids: list[str] | None = None,
    term: Any = None,
    members: list[str] | None = None,
) -> list[GroupRef]:
    """The directory's groups that pass every filter given (the same filters for the search and the listing)."""
    groups = emu().state.directory_groups(directory)
    if names is not None:
        wanted = {n.casefold() for n in names}
        groups = [grp for grp in groups if grp.name.casefold() in wanted]
    if ids is not None:
        groups = [grp for grp in groups if grp.group_id in set(ids)]
    if isinstance(term, str) and term:
        groups = [grp for grp in groups if term.casefold() in grp.name.casefold()]
    if members is not None:
        state = emu().state
        groups = [grp for grp in groups if state.member_ids(grp.group_id) & set(members)]
    return groups


@admin.post("/v2/orgs/<org_id>/directories/<directory_id>/groups/search")
def search_groups(org_id: str, directory_id: str) -> Response:
    directory = _directory(org_id, directory_id, allow_all=True)
    body = _body()
    names = _strings(body, "groupNames")
    ids = _strings(body, "groupIds")
    members = _strings(body, "accountIds")
    term = body.get("searchTerm")
    if names is not None and (ids is not None or term is not None):
        raise AdminError("ADMIN-400-24", "groupNames cannot be combined with groupIds or searchTerm")
    expand = _strings(body, "expand")
    groups = _groups_matching(directory, names, ids, term, members)
    return _page(
        groups, _limit(body, GROUPS_LIMIT_DEFAULT), body.get("cursor"), lambda grp: group_json(grp, expand), "groups"
    )


# Filters of the deprecated listing that need what the emulator does not model (resources, roles).
_UNMODELLED_LIST_FILTERS = ("resourceOwners", "resourceIds", "roleIds")


@admin.get("/v2/orgs/<org_id>/directories/<directory_id>/groups")
def list_groups(org_id: str, directory_id: str) -> Response:
    """The deprecated listing (until 30 June 2027): the search's filters as query parameters, the same page."""
    directory = _directory(org_id, directory_id, allow_all=True)
    unmodelled = [name for name in _UNMODELLED_LIST_FILTERS if name in request.args]
    if unmodelled:
        raise AdminError("ADMIN-400-24", f"the emulator does not model the {', '.join(unmodelled)} filters")
    args = request.args
    try:
        limit = {"limit": int(args["limit"])} if "limit" in args else {}
    except ValueError:
        raise AdminError("ADMIN-400-24", f"limit must be an integer from 1 to {LIMIT_MAX}") from None
    in_directories = args.getlist("directoryIds") or None
    groups = _groups_matching(
        directory, ids=args.getlist("groupIds") or None, term=args.get("searchTerm"),
        members=args.getlist("accountIds") or None,
    )  # fmt: skip
    if in_directories is not None:
        groups = [grp for grp in groups if grp.directory_id in in_directories]
    return _page(groups, _limit(limit, GROUPS_LIMIT_DEFAULT), args.get("cursor"), group_json, "groups")


@admin.get("/v2/orgs/<org_id>/directories/<directory_id>/groups/<group_id>")
def get_group(org_id: str, directory_id: str, group_id: str) -> Response:
    directory = _directory(org_id, directory_id, allow_all=True)
    return json_response({"data": group_json(_group_in(directory, group_id), ["counts.users"])})


@admin.post("/v2/orgs/<org_id>/directories/<directory_id>/groups")
def create_group(org_id: str, directory_id: str) -> Response:
    directory = _directory(org_id, directory_id)
    body = _body()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AdminError("ADMIN-400-24", "name is required")
    description = body.get("description") or ""
    try:
        group = emu().state.create_group(name, description=str(description), directory_id=directory)
    except GroupNameInUse:
        raise AdminError("ADMIN-409-28", "A group with this name already exists.") from None
    del group  # the spec documents no body: clients look the new group up by its name
    return empty_response(201)


@admin.delete("/v2/orgs/<org_id>/directories/<directory_id>/groups/<group_id>")
def delete_group(org_id: str, directory_id: str, group_id: str) -> Response:
    directory = _directory(org_id, directory_id)
    group = _group_in(directory, group_id)
    if group.default_group:
        raise AdminError("ADMIN-403-6", f"Group {group.name} is a default group for a role and cannot be deleted")
    if group.grants_admin:
        raise AdminError("ADMIN-403-7", f"Group {group.name} grants admin access and cannot be deleted")
    emu().state.delete_group(group.group_id)
    return empty_response(204)


def _changeable(group: GroupRef) -> None:
    if group.external_synced:
        raise AdminError(
            "ADMIN-403-5", f"Group {group.name} is synced from an identity provider; change its members there"
        )


@admin.post("/v2/orgs/<org_id>/directories/<directory_id>/groups/<group_id>/memberships")
def add_member(org_id: str, directory_id: str, group_id: str) -> Response:
    directory = _directory(org_id, directory_id)
    group = _group_in(directory, group_id)
    body = _body()
    account_id = body.get("accountId")
    if not isinstance(account_id, str) or not account_id:
        raise AdminError("ADMIN-400-24", "accountId is required")
    user = _user_in(account_id)
    _changeable(group)
    state = emu().state
    limit = emu().knobs.admin_user_limit
    with state.lock:
        if account_id in state.member_ids(group.group_id):
            # The spec's 409: "The user is already in the group or you've exceeded your user limit".
            raise AdminError("ADMIN-409-28", f"User {account_id} is already in the group {group.name}")
        if limit is not None and user.active:
            for product, _level in group.access:
                if account_id not in state.licensed_users(product) and len(state.licensed_users(product)) >= limit:
                    raise AdminError(
                        "ADMIN-409-3", f"Adding the user would exceed the user limit of {product} ({limit})"
                    )
        state.add_member(group.group_id, account_id)
    return empty_response(204)


@admin.delete("/v2/orgs/<org_id>/directories/<directory_id>/groups/<group_id>/memberships/<account_id>")
def remove_member(org_id: str, directory_id: str, group_id: str, account_id: str) -> Response:
    directory = _directory(org_id, directory_id)
    group = _group_in(directory, group_id)
    _user_in(account_id)
    _changeable(group)
    state = emu().state
    with state.lock:
        if account_id in state.member_ids(group.group_id):
            state.remove_member(group.group_id, account_id)
    return empty_response(204)


@admin.post("/v2/orgs/<org_id>/directories/<directory_id>/users/search")
def search_users(org_id: str, directory_id: str) -> Response:
    directory = _directory(org_id, directory_id, allow_all=True)
    body = _body()
    emails = _strings(body, "emails")
    term = body.get("searchTerm")
    if emails is not None and term is not None:
        raise AdminError("ADMIN-400-24", "emails and searchTerm are mutually exclusive")
    account_ids = _strings(body, "accountIds")
    group_ids = _strings(body, "groupIds")
    account_status = _strings(body, "accountStatus")
    expand = _strings(body, "expand")
    state = emu().state
    users = [u for u in state.all_users() if _in_directory(u)]
    if emails is not None:
        wanted = {e.casefold() for e in emails}
        users = [u for u in users if u.email and u.email.casefold() in wanted]
    if isinstance(term, str) and term:
        needle = term.casefold()
        users = [u for u in users if needle in u.display_name.casefold() or needle in (u.email or "").casefold()]
    if account_ids is not None:
        users = [u for u in users if u.account_id in set(account_ids)]
    if group_ids is not None:
        for group_id in group_ids:
            _group_in(directory, group_id)
        members = set().union(*(state.member_ids(gid) for gid in group_ids)) if group_ids else set()
        users = [u for u in users if u.account_id in members]
    if account_status is not None:
        users = [u for u in users if _status(u)[1] in account_status]
    return _page(
        users,
        _limit(body, USERS_LIMIT_DEFAULT),
        body.get("cursor"),
        lambda u: user_json(u, directory, expand),
        "users",
    )


# -- what the pipeline asks of the Admin API ---------------------------------------------------------------------


def _authenticate() -> Response | None:
    return authenticate(request.headers.get("Authorization"))


def _rate_headers(response: Response, decision: Any) -> None:
    """The Admin API's three headers (reference §7.4); the reset is an ISO-8601 time."""
    response.headers["X-RateLimit-Limit"] = str(decision.limit)
    response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
    reset_at = datetime.now(timezone.utc) + timedelta(seconds=1)
    response.headers["X-RateLimit-Reset"] = reset_at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _too_many(retry_after: float, limit: int | None = None, body: Any = None) -> Response:
    # A fault that gives its own body is answered as a site answers it.
    if body is not None:
        return cloud_too_many_requests(retry_after, limit, body)
    return too_many_requests(retry_after, limit)


def _render_http_error(exc: HTTPException) -> Response:
    if exc.code in (404, 405):
        code = "ADMIN-404-1" if exc.code == 404 else "ADMIN-405-1"
        return render_error(AdminError(code, f"{request.method} {request.path} is not a resource of this API"))
    return http_error_collection(exc)


# The organisation's Admin API (api.atlassian.com/admin), over the same directory as the site's products.
PRODUCT = Product(
    name="admin",
    blueprint=admin,
    mounts=("/admin",),
    cloud=True,
    contract="admin-v2-directory.contract.json",
    contract_prefix="/admin",
    authenticate=_authenticate,
    too_many_requests=_too_many,
    rate_headers=_rate_headers,
    injected_error=injected_error,
    render_http_error=_render_http_error,
    error_handlers={AdminError: render_error},
)
