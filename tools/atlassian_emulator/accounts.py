# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The account lifecycle (issue 18): invitations and creations, suspension and restore, deactivation.

Routes added to the products' own blueprints (``products.py`` imports this module with the products, before any
app registers a blueprint), so each
answers with its product's error shape and runs through the same request pipeline:

- Admin API v2 (``admin``): ``POST /v2/orgs/{orgId}/users/invite`` and ``POST .../directories/{directoryId}/users/
  {accountId}/suspend`` and ``/restore``;
- Jira Cloud (``jira``): ``POST /rest/api/3/user`` (createUser);
- Jira Data Center (``jira_datacenter``): ``POST /rest/api/2/user`` (create) and ``PUT /rest/api/2/user`` (update:
  ``{"active": false}`` deactivates, since Jira 8.3).

What they follow (the research notes' verified facts, and the extracts in tests/emulator/openapi/):
- an invitation creates a pending account with an id at once, which the user searches show (the Admin API as status
  ``active`` with ``emailVerified: false``: it has no "invited" value; Jira as an active user); an email that
  already has an Atlassian account gets that account's id back (one address, one account), and an account the
  organisation had not invited joins its directory;
- the invitation needs a paid plan (knob ``admin_paid_plan``: false answers 402 ``ADMIN-UAM-402-1``) and an API key
  without scopes (a seeded key with ``scopes`` is refused with 403 on every account write: AX-1798 says the user
  endpoints are not among the scopes one can choose; the body is UNVERIFIED);
- a suspended account keeps its groups, shows ``status: suspended`` (accountStatus active, membershipStatus
  suspended) on the Admin API and is inactive on the site APIs until restored;
- Jira Cloud's createUser needs ``products`` ("To create a user without product access, set this field to be an
  empty array"), answers 201 for a new user or one that exists with Jira access, and 400 for one that exists without.

UNVERIFIED choices (Atlassian documents nothing; recorded so tests do not mistake them for facts): suspending a
suspended account and restoring an active one answer 204 without change; the 400 body for an existing user without
Jira access; the 403 body for a scoped key.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from flask import Response, g, request

from .admin import AdminError, _body, _directory, _org, _strings, _user_in, admin
from .common import ApiError, empty_response, json_response
from .common import emu as _emu
from .jira import _json_body, jira, user_json
from .jira_datacenter import _base as _jira_dc_base
from .jira_datacenter import _require_admin as _require_jira_admin
from .jira_datacenter import _user as _jira_dc_user
from .jira_datacenter import jira_datacenter, user_key
from .state import GroupRef, UnknownGroup, User, UserNameInUse

# Ids of accounts made here are derived from the email (or the username), so a test sees the same id every run.
_ACCOUNT_NAMESPACE = uuid.UUID("3b0f7a6e-2c1d-4e5f-9a8b-7c6d5e4f3a21")
# Jira Cloud's "Valid products" for createUser.
JIRA_PRODUCTS = ("jira-core", "jira-servicedesk", "jira-product-discovery", "jira-software")
INVITES_MAX = 25  # MultidirectoryInviteApiRequest.emails: "minimum": 1, "maximum": 25
PRODUCTS_REQUIRED = "You must specify the products that user can access."
EXISTS_WITHOUT_ACCESS = "The user already exists but does not have access to Jira. Grant them product access first."
NOT_JIRA_ADMIN = "You do not have permission to create users. Administer Jira permission is required."


def cloud_account_id(email: str) -> str:
    return f"712020:{uuid.uuid5(_ACCOUNT_NAMESPACE, email.casefold())}"


def _invited_account(email: str, *, product_access: bool) -> User:
    """A new Atlassian account for an invitation: the address's local part stands for the name until the person
    accepts and sets one."""
    return User(
        account_id=cloud_account_id(email),
        display_name=email.split("@", 1)[0],
        email=email,
        invited=True,
        product_access=product_access,
    )


def invite(email: str, *, product_access: bool) -> tuple[User, bool]:
    """The account for an email, made if there is none: (account, whether it was made). One address, one account:
    an existing one (in the directory or not yet) is the one invited."""
    state = _emu().state
    with state.lock:
        found = state.users_with_email(email)
        if found:
            user = found[0]
            if not user.in_directory or (product_access and not user.product_access):
                user = state.update_user(
                    user.account_id, in_directory=True, product_access=user.product_access or product_access
                )
            return user, False
        return state.create_user(_invited_account(email, product_access=product_access)), True


# -- Admin API ---------------------------------------------------------------------------------------------------


def _unscoped_key() -> None:
    if g.org_key.scopes:
        raise AdminError(
            "ADMIN-UAM-403-1",
            "This API key has scopes; the user management endpoints need an API key without scopes",
        )


def _group_result(group_id: str, email: str, user: User) -> dict[str, Any]:
    """``GroupAssignmentResult`` of one group an invitation names."""
    state = _emu().state
    try:
        group: GroupRef | None = state.find_group(group_id=group_id)
    except UnknownGroup:
        group = None
    if group is None:
        return {"group": group_id, "status": "ERROR", "statusReason": "Group not found"}
    if group.external_synced:
        return {"group": group_id, "status": "ERROR", "statusReason": "The group is synced from an identity provider"}
    with state.lock:
        if user.account_id not in state.member_ids(group_id):
            state.add_member(group_id, user.account_id)
    return {"group": group_id, "status": "INVITED", "statusReason": None}


@admin.post("/v2/orgs/<org_id>/users/invite")
def invite_users(org_id: str) -> Response:
    _org(org_id)
    _unscoped_key()
    if not _emu().knobs.admin_paid_plan:
        raise AdminError(
            "ADMIN-UAM-402-1", "You don't have a paid subscription to be eligible to perform this request."
        )
    body = _body()
    emails = _strings(body, "emails")
    if not emails or len(emails) > INVITES_MAX or not all("@" in e for e in emails):
        raise AdminError("ADMIN-400-24", f"emails must hold from 1 to {INVITES_MAX} email addresses")
    groups = _strings(body, "additionalGroups") or []
    rules = body.get("permissionRules") or []
    if not isinstance(rules, list) or not all(
        isinstance(r, dict) and r.get("resource") and r.get("role") for r in rules
    ):
        raise AdminError("ADMIN-400-24", "permissionRules must be a list of {resource, role}")
    for flag in ("sendNotification",):
        if flag in body and not isinstance(body[flag], bool):
            raise AdminError("ADMIN-400-24", f"{flag} must be true or false")
    data = []
    partial = False
    for email in emails:
        user, _made = invite(email, product_access=bool(rules))
        group_results = [_group_result(group_id, email, user) for group_id in groups]
        role_results = [
            {"resource": r["resource"], "role": r["role"], "status": "INVITED", "statusReason": None} for r in rules
        ]
        partial = partial or any(r["status"] == "ERROR" for r in group_results)
        data.append(
            {
                "email": email,
                "id": user.account_id,
                "results": [{"roleAssignmentResult": role_results, "groupAssignmentResult": group_results}],
            }
        )
    # 206: "At least one invitation failed" (a group or role assignment); the accounts are invited all the same.
    return json_response({"data": data}, 206 if partial else 200)


def _lifecycle(org_id: str, directory_id: str, account_id: str, *, suspended: bool) -> Response:
    _directory(org_id, directory_id)
    _unscoped_key()
    user = _user_in(account_id)
    state = _emu().state
    with state.lock:
        if user.suspended != suspended:
            # Restored access is the access from before: an account deactivated meanwhile stays so (not modelled).
            state.update_user(account_id, suspended=suspended, active=not suspended)
    return empty_response(204)


@admin.post("/v2/orgs/<org_id>/directories/<directory_id>/users/<account_id>/suspend")
def suspend_user(org_id: str, directory_id: str, account_id: str) -> Response:
    return _lifecycle(org_id, directory_id, account_id, suspended=True)


@admin.post("/v2/orgs/<org_id>/directories/<directory_id>/users/<account_id>/restore")
def restore_user(org_id: str, directory_id: str, account_id: str) -> Response:
    return _lifecycle(org_id, directory_id, account_id, suspended=False)


# -- Jira Cloud ----------------------------------------------------------------------------------------------------


@jira.post("/user")
def create_user() -> Response:
    if not g.caller.site_admin:
        raise ApiError(403, NOT_JIRA_ADMIN)
    body = _json_body()
    email = body.get("emailAddress")
    if not isinstance(email, str) or "@" not in email:
        raise ApiError(400, errors={"emailAddress": "You must specify a valid email address."})
    products = body.get("products")
    if products is None:
        raise ApiError(400, PRODUCTS_REQUIRED)
    if not isinstance(products, list) or any(p not in JIRA_PRODUCTS for p in products):
        raise ApiError(400, f"Invalid products: the valid products are {', '.join(JIRA_PRODUCTS)}.")
    state = _emu().state
    with state.lock:
        found = state.users_with_email(email)
        existing = found[0] if found else None
        if existing is not None and existing.in_directory and not (existing.active and existing.product_access):
            # "If the user exists but does not have access to Jira, the operation returns a 400 status."
            raise ApiError(400, EXISTS_WITHOUT_ACCESS)
        user, _made = invite(email, product_access=bool(products))
    return json_response(user_json(user, full=True), 201)


# -- Jira Data Center ----------------------------------------------------------------------------------------------


def user_write_bean(user: User) -> dict[str, Any]:
    """``UserWriteBean``, as create and update answer (never a password)."""
    data: dict[str, Any] = {
        "self": f"{_jira_dc_base()}/user?username={quote(user.username, safe='')}",
        "key": user_key(user),
        "name": user.username,
        "displayName": user.display_name,
        "active": user.active,
    }
    if user.email:
        data["emailAddress"] = user.email
    return data


def _text_field(body: dict[str, Any], key: str, errors: dict[str, str], message: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        errors[key] = message
        return ""
    return value.strip()


@jira_datacenter.post("/user")
def create_datacenter_user() -> Response:
    _require_jira_admin()
    body = _json_body()
    errors: dict[str, str] = {}
    name = _text_field(body, "name", errors, "You must specify a username.")
    email = _text_field(body, "emailAddress", errors, "You must specify an email address.")
    display_name = _text_field(body, "displayName", errors, "You must specify a full name.")
    if email and "@" not in email:
        errors["emailAddress"] = "You must specify a valid email address."
    if errors:
        raise ApiError(400, errors={("username" if k == "name" else k): v for k, v in errors.items()})
    user = User(
        account_id=f"dc:{uuid.uuid5(_ACCOUNT_NAMESPACE, name.casefold())}",
        display_name=display_name,
        email=email,
        username=name,
    )
    try:
        # Data Center lets users share an address: only the username must be new.
        user = _emu().state.create_user(user, unique_email=False)
    except (UserNameInUse, ValueError):
        raise ApiError(400, errors={"username": "A user with that username already exists."}) from None
    return json_response(user_write_bean(user), 201)


@jira_datacenter.put("/user")
def update_datacenter_user() -> Response:
    _require_jira_admin()
    user = _jira_dc_user(request.args.get("username"))
    body = _json_body()
    changes: dict[str, Any] = {}
    if "active" in body:
        if not isinstance(body["active"], bool):
            raise ApiError(400, errors={"active": "active must be true or false."})
        changes["active"] = body["active"]
    if isinstance(body.get("displayName"), str) and body["displayName"].strip():
        changes["display_name"] = body["displayName"].strip()
    if isinstance(body.get("emailAddress"), str) and "@" in body["emailAddress"]:
        changes["email"] = body["emailAddress"]
    if not changes:
        # Jira before 8.3 answered an active flag so (JRASERVER-36639); any release does for an empty change.
        raise ApiError(400, "error.no.value.found.to.be.changed")
    user = _emu().state.update_user(user.account_id, **changes)
    return json_response(user_write_bean(user), 200)
