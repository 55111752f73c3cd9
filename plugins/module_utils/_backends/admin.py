# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The Atlassian Admin API v2 backend: the organisation's directory (``backend: admin``).

An organisation API key (a bearer token) manages the groups and memberships of the organisation's directory, which
the organisation's sites share. Its users come with their real email, even one the user's profile hides, and with
their status, deactivated ones included: what onboarding by email and offboarding leavers need. Version 2 only: the
v1 group endpoints stopped working on 30 June 2026.

Groups are found by exact name with ``groups/search``; users by exact email, by accountId and by group with
``users/search``, which pages by an opaque cursor and tells no total.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping
from urllib.parse import quote, urlsplit

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import ACTIVE as ACCOUNT_ACTIVE
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    DEACTIVATED as ACCOUNT_DEACTIVATED,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import INVITED as ACCOUNT_INVITED
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import SUSPENDED as ACCOUNT_SUSPENDED
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import AccountAbilities
from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import (
    MalformedAnswer,
    items,
    obj,
    optional_text,
    text,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    ACCOUNT_ID,
    CHANGED,
    EMAIL,
    Account,
    AccountLifecycle,
    Backend,
    Declarations,
    GroupLifecycle,
    MemberPage,
    Membership,
    group_not_found,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._cloud import ORG_KEY_REMEDY
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import (
    AUTO,
    BEARER_TOKEN_ENV,
    ConnectionSettings,
    is_loopback,
    non_empty_env_fallback,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    ConfigurationError,
    RefusedError,
    ResolutionError,
    UnknownUserError,
    operation,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import CursorPaging
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import WaitReader, parse_rate_limit_reset

NAME = "admin"
# The Admin API's only host: its URL may be left out.
ADMIN_URL = "https://api.atlassian.com"
ORG_ID_ENV = "ATLASSIAN_ORG_ID"
DIRECTORY_ID_ENV = "ATLASSIAN_DIRECTORY_ID"
# The options it adds (the connection doc fragment documents them): the organisation and, when it has several, the
# directory.
OPTIONS = {
    "org_id": dict(type="str", fallback=(non_empty_env_fallback, [ORG_ID_ENV])),
    "directory_id": dict(type="str", fallback=(non_empty_env_fallback, [DIRECTORY_ID_ENV])),
}
PAGING = CursorPaging(values_key="data", size_param="limit")
# The searches: a POST whose body holds the filters and the cursor.
SEARCH = CursorPaging(values_key="data", size_param="limit", in_body=True)
ALL_DIRECTORIES = "-"
# Every path the backend calls, named as Atlassian's spec names them (tests hold these to the API contract).
DIRECTORIES = "/admin/v2/orgs/{orgId}/directories"
DIRECTORY = DIRECTORIES + "/{directoryId}"
GROUPS = DIRECTORY + "/groups"
GROUP_SEARCH = GROUPS + "/search"
GROUP = GROUPS + "/{groupId}"
MEMBERSHIPS = GROUP + "/memberships"
MEMBERSHIP = MEMBERSHIPS + "/{accountId}"
USER_SEARCH = DIRECTORY + "/users/search"
INVITE = "/admin/v2/orgs/{orgId}/users/invite"
SUSPEND = DIRECTORY + "/users/{accountId}/suspend"
RESTORE = DIRECTORY + "/users/{accountId}/restore"
PATHS = (DIRECTORIES, GROUPS, GROUP_SEARCH, GROUP, MEMBERSHIPS, MEMBERSHIP, USER_SEARCH, INVITE, SUSPEND, RESTORE)
# users/search takes at most this many accountIds at once (the spec's maxItems).
IDS_PER_SEARCH = 10
# The invitation takes at most 25 emails (MultidirectoryInviteApiRequest.emails); this collection sends one a request.
# The directory's statuses (MultiDirectoryUser.status) as atlassian_user reports them: no "invited" value exists (an
# invitation reads active); for_deletion is a deactivated account scheduled for deletion; not_invited is an account
# the organisation knows but has not added to its directory, which an invitation adds: missing here.
STATUSES = {
    "active": ACCOUNT_ACTIVE,
    "suspended": ACCOUNT_SUSPENDED,
    "deactivated": ACCOUNT_DEACTIVATED,
    "for_deletion": ACCOUNT_DEACTIVATED,
    "not_invited": None,
}
# The searches answer 50 (users) or 20 (groups) a page unless asked for more; 100 is asked, the spec's maximum.
PAGE_LIMIT = 100
# users/search takes at most this many emails at once (the spec's maxItems).
EMAILS_PER_SEARCH = 100
ACTIVE = "active"
# What the answers read are, as messages about a malformed one name them.
A_USER = "a user"
A_GROUP = "a group"
INVITE_REMEDY = (
    "A managed account that is not in the organisation's directory yet must be invited first: with "
    "orgsync.atlassian.atlassian_user (backend admin; its groups option also adds it to groups in the same task), or "
    "in admin.atlassian.com > Directory > Users > Invite users; then run the task again"
)
# What each documented ADMIN error code means for the person running the task.
CODE_HINTS = {
    "ADMIN-400-1": "The page cursor was refused (the listing changed while it was read): run the task again",
    "ADMIN-400-24": "The Admin API refused the request body; this is a bug in the collection, please report it",
    "ADMIN-400-32": "The organisation has too many licence breaches for this change; resolve them in "
    "admin.atlassian.com > Billing first",
    "ADMIN-403-3": "The API key may not manage this organisation: check org_id, and that the key was created in this "
    "organisation (admin.atlassian.com > Settings > API keys) with the scopes to manage groups",
    "ADMIN-403-5": "This group cannot be changed here. A group synced from an identity provider (SCIM) is changed in "
    "the identity provider, and the change syncs to Atlassian; otherwise the API key lacks the right to manage it",
    "ADMIN-403-6": "The group is a default group for a role, which Atlassian keeps: make another group the default "
    "first (admin.atlassian.com > Apps > the app > Groups), then delete this one",
    "ADMIN-403-7": "The group grants admin access to an app or the organisation; remove that role from the group in "
    "admin.atlassian.com first if it really is to go",
    "ADMIN-404-2": "No organisation has this id for this API key: check org_id (admin.atlassian.com > Settings > API "
    "keys shows it)",
    "ADMIN-404-8": "The user is not in the organisation's directory. " + INVITE_REMEDY,
    "ADMIN-404-10": "The group is not in this directory: check the name, or directory_id",
    "ADMIN-409-3": "The user limit of an app this group grants access to is reached: free a seat (remove someone "
    "from the app, or raise the limit in admin.atlassian.com > Billing), then run the task again",
    "ADMIN-409-5": "The group still has members; remove them first, or delete it in admin.atlassian.com",
    "ADMIN-429-1": "The Admin API's rate limit was reached; the collection waits until it resets. Run again later, or "
    "raise max_retries",
    "ADMIN-UAM-402-1": "Inviting users through the Admin API needs at least one paid subscription in the organisation. "
    "On a free plan, create the account with backend jira_cloud (POST /rest/api/3/user) instead, or invite the user "
    "in admin.atlassian.com",
    "ADMIN-UAM-403-1": "The user management endpoints (invite, suspend, restore) need an organisation API key created "
    "without scopes (admin.atlassian.com > Settings > API keys > Create API key without scopes)",
}
DEACTIVATED_REMEDY = (
    "A deactivated managed account is reactivated with the user management API (POST https://api.atlassian.com/users/"
    "<account_id>/manage/lifecycle/enable, the same organisation API key) or in admin.atlassian.com > Directory > "
    "Managed accounts; this collection does not reactivate accounts, which acts on every organisation and app"
)
ABILITIES = AccountAbilities(
    "admin",
    create=True,
    created_status=ACCOUNT_INVITED,
    suspend_as=ACCOUNT_SUSPENDED,
    restore=True,
    restore_remedy=DEACTIVATED_REMEDY,
)


def user_from_json(data: Any) -> User:
    """A user of ``users/search`` (its shape checked: ``_answers``)."""
    data = obj(data, A_USER)
    return User(
        account_id=text(data, "accountId", A_USER),
        email=optional_text(data, "email", A_USER),
        display_name=optional_text(data, "name", A_USER) or optional_text(data, "nickname", A_USER),
        active=(optional_text(data, "accountStatus", A_USER) or ACTIVE) == ACTIVE,
        account_type=optional_text(data, "accountType", A_USER) or "atlassian",
    )


def account_from_json(data: Any) -> tuple[Account | None, User]:
    """An account of ``users/search`` with its status (None for one the directory does not hold: not_invited)."""
    user = user_from_json(data)
    raw = optional_text(obj(data, A_USER), "status", A_USER) or "active"
    status = STATUSES.get(raw, ACCOUNT_DEACTIVATED if not user.active else ACCOUNT_ACTIVE)
    return (Account(user, status) if status else None), user


def invited_id(data: Any, email: str) -> str:
    """The new account's id from the invitation's answer (``MultidirectoryInviteSuccessResponse``)."""
    for entry in items(obj(data, "an invitation's answer"), "data", "an invitation's answer"):
        entry = obj(entry, "an invitation")
        if (optional_text(entry, "email", "an invitation") or "").lower() == email.lower():
            return text(entry, "id", "an invitation")
    raise MalformedAnswer(f"an invitation's answer that does not name {email}")


def failed_assignments(data: Any) -> list[str]:
    """What an invitation could not grant (a 206: "At least one invitation failed"), as messages name it."""
    failed = []
    for entry in data.get("data") or [] if isinstance(data, dict) else []:
        for result in (entry.get("results") or []) if isinstance(entry, dict) else []:
            for kind, key in (("group", "groupAssignmentResult"), ("role", "roleAssignmentResult")):
                for item in (result.get(key) or []) if isinstance(result, dict) else []:
                    if isinstance(item, dict) and item.get("status") == "ERROR":
                        what = item.get(kind) or item.get("resource")
                        failed.append(f"{kind} {what}: {item.get('statusReason') or 'refused'}")
    return failed


def group_record(data: Any) -> dict:
    """A group of ``groups/search``, kept whole (what it says about being changed is read later): an object with an
    ``id`` and, if any, a string ``name``."""
    data = obj(data, A_GROUP)
    text(data, "id", A_GROUP)
    optional_text(data, "name", A_GROUP)
    return data


def directory_record(data: Any) -> dict:
    data = obj(data, "a directory")
    text(data, "directoryId", "a directory")
    return data


def may_be_admin(params: dict) -> bool:
    """With ``backend: auto``, whether an ``org_id`` means the Admin API. Not with a site's credentials (Basic) or
    any URL but the Admin API's own (or a local one, an emulator's): an ``ATLASSIAN_ORG_ID`` left in the environment
    (or in an AWX credential) must not turn a site task into an Admin API one, and a Data Center server with a
    personal access token (a bearer token too) is a site."""
    if params.get("api_token") and not params.get("bearer_token"):
        return False
    parts = urlsplit(params.get("url") or ADMIN_URL)
    host = (parts.hostname or "").lower()
    return (host == urlsplit(ADMIN_URL).hostname and not parts.path.startswith("/ex/")) or is_loopback(host)


def check_admin_params(params: dict, org_id: str | None) -> None:
    """The Admin API wants an organisation and an organisation API key (a bearer token), nothing else."""
    if org_id is None:
        raise ConfigurationError(
            "backend admin needs org_id",
            hint=f"Set org_id (or {ORG_ID_ENV}) to the organisation's id: admin.atlassian.com > Settings > API keys "
            "shows it next to the key",
        )
    if params.get("api_token") and not params.get("bearer_token"):
        raise ConfigurationError(
            "The Admin API does not take username and api_token (Basic authentication)",
            hint=f"Pass the organisation API key as bearer_token (or {BEARER_TOKEN_ENV}); create one in "
            "admin.atlassian.com > Settings > API keys. A personal API token (id.atlassian.com) does not work there",
        )


class ResetTimeWaits(WaitReader):
    """Retry-After, and on a 429 without one the time ``X-RateLimit-Reset`` names: the Admin API says when its budget
    refills (an ISO-8601 time), not how long to wait. A time already past (clocks differ) says nothing: the usual
    back-off applies then."""

    def asked_wait(self, status: int, headers: Mapping[str, str]) -> tuple[float | None, str]:
        retry_after, asked = super().asked_wait(status, headers)
        if retry_after is not None or status != 429:
            return retry_after, asked
        raw = headers.get("X-RateLimit-Reset")
        return parse_rate_limit_reset(raw, datetime.now(timezone.utc)) or None, f"X-RateLimit-Reset: {raw}"


class AdminBackend(Backend, Membership, GroupLifecycle, AccountLifecycle):
    waits = ResetTimeWaits()
    declares = Declarations(
        member_page_size=PAGE_LIMIT,
        reference_kinds=frozenset({EMAIL, ACCOUNT_ID}),
        email_search=True,
        # One address, one Atlassian account: a member showing the email is its holder (docs/identity.md).
        unique_emails=True,
        deactivated_email_search=True,
        options=OPTIONS,
    )

    def __init__(self, client: AtlassianClient) -> None:
        if urlsplit(client.settings.base_url).path not in ("", "/"):
            # The paths below start with /admin: a URL that ends in it (copied from the docs' /admin/v2/...) would
            # send /admin/admin/v2/..., which the API answers as if the organisation did not exist.
            raise ConfigurationError(
                f"url '{client.settings.base_url}' has a path, but the Admin API's URL is its host alone (the "
                "collection adds /admin/v2/... itself)",
                hint="Leave url unset for backend admin (it is https://api.atlassian.com), or give the host only",
            )
        super().__init__(client)
        options = client.settings.options
        self.org = quote(options.get("org_id") or "", safe="")
        self._directory: str | None = quote(options["directory_id"], safe="") if options.get("directory_id") else None
        self._directory_lock = threading.Lock()
        # What the API said about each group it showed: whether its membership may be changed here.
        self._groups: dict[str, dict] = {}
        # Every account with an email, whatever its status: one search answers both the active and the deactivated
        # lookup of an email (a removal may ask both).
        self._with_email: dict[str, list[User]] = {}

    @classmethod
    def recognises_url(cls, settings: ConnectionSettings) -> bool:
        # Giving an organisation id says it: only the Admin API takes one.
        return bool(settings.options.get("org_id"))

    @classmethod
    def own_options(cls, params: dict) -> tuple[dict, dict]:
        backend = (params.get("backend") or AUTO).strip()
        org_id = (params.get("org_id") or "").strip() or None
        meant = backend == NAME or (backend == AUTO and org_id is not None and may_be_admin(params))
        if meant:
            check_admin_params(params, org_id)
            params = {**params, "url": params.get("url") or ADMIN_URL}
        # Kept only where it means something: with backend auto, an org_id beside a site's credentials or URL is
        # ignored (see may_be_admin).
        options = {"org_id": org_id if meant or backend != AUTO else None}
        options["directory_id"] = (params.get("directory_id") or "").strip() or None
        return params, {key: value for key, value in options.items() if value is not None}

    @classmethod
    def url_remedy(cls, params: dict) -> str | None:
        return ORG_KEY_REMEDY if params.get("bearer_token") and not params.get("api_token") else None

    # ------------------------------------------------------------------ errors

    def messages(self, body: Any, text: str) -> list[str]:
        # {"errors": [{"id", "status", "code": "ADMIN-...", "title", "detail"}]}; the gateway's own refusals (401,
        # 429) are {"code": 401, "message": "..."}.
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list):
            found = []
            for error in errors:
                if isinstance(error, dict):
                    words = " - ".join(str(error[k]) for k in ("title", "detail") if error.get(k))
                    found.append(f"{error.get('code')}: {words}" if error.get("code") else words)
            if found:
                return found
        return super().messages(body, text)

    def hint_for(self, status: int, body: Any) -> str | None:
        errors = body.get("errors") if isinstance(body, dict) else None
        for error in errors if isinstance(errors, list) else []:
            code = error.get("code") if isinstance(error, dict) else None
            if isinstance(code, str) and code in CODE_HINTS:
                return CODE_HINTS[code]
        return self.hint(status)

    def hint(self, status: int) -> str | None:
        if status == 401:
            return (
                "The Admin API rejected the bearer_token. It takes an organisation API key (admin.atlassian.com > "
                "Settings > API keys; a key lasts at most a year), not a personal API token or an OAuth token"
            )
        if status == 403:
            return CODE_HINTS["ADMIN-403-3"]
        if status == 404:
            return "The organisation, directory, group or user was not found: check org_id, directory_id and the name"
        return None

    def url_hint(self, base_url: str) -> str:
        return (
            f"{base_url} does not answer like the Atlassian Admin API. Leave url unset for backend admin (it is "
            f"{ADMIN_URL})"
        )

    # ------------------------------------------------------------------ the directory

    def path(self, template: str, directory: str | None = None, **ids: str) -> str:
        """A path from PATHS: in the directory given, else the directory_id option, else ``-`` ("every directory
        the key may manage"), which the search operations take, so that finding groups and users costs no directory
        lookup."""
        values = {key: quote(value, safe="") for key, value in ids.items()}
        directory = directory or self._directory or ALL_DIRECTORIES
        return template.format(orgId=self.org, directoryId=directory, **values)

    def directory(self) -> str:
        """The directory option, or the organisation's only directory (asked once a task): where a new group goes."""
        with self._directory_lock:
            if self._directory is None:
                with operation("finding the organisation's directory"):
                    pages = self.client.iter_pages(self.path(DIRECTORIES), {}, PAGING, page_size=PAGE_LIMIT)
                    found = [d for page in pages for d in self.read_values(page, directory_record)]
                if len(found) != 1:
                    listed = ", ".join(f"{d.get('name')} ({d.get('directoryId')})" for d in found) or "none"
                    raise ConfigurationError(
                        f"The organisation has {len(found)} directories ({listed}), so it is unclear which to manage",
                        hint="Set directory_id (or ATLASSIAN_DIRECTORY_ID) to the id of the directory that holds the "
                        "groups",
                    )
                self._directory = quote(str(found[0]["directoryId"]), safe="")
            return self._directory

    def _group_path(self, template: str, group: Group, **ids: str) -> str:
        """A path of the group's own (``template`` from PATHS), in the directory that holds it: writes name a
        directory, not ``-``."""
        data = self._groups.get(group.group_id)
        if data is None:
            self.find_group(group_id=group.group_id)
            data = self._groups[group.group_id]
        directory = quote(str(data.get("directoryId") or self._directory or self.directory()), safe="")
        return self.path(template, directory, groupId=group.group_id, **ids)

    # ------------------------------------------------------------------ groups

    def _remember_group(self, data: dict) -> Group:
        group = Group(name=data.get("name"), group_id=data["id"])
        self._groups[group.group_id] = data
        return group

    def _search_groups(self, body: dict) -> list[dict]:
        pages = self.client.iter_pages(self.path(GROUP_SEARCH), body, SEARCH, page_size=PAGE_LIMIT)
        return [g for page in pages for g in self.read_values(page, group_record)]

    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        if group_id:
            found = [g for g in self._search_groups({"groupIds": [group_id]}) if g["id"] == group_id]
        else:
            # groupNames: "Only exact matches are returned", case-insensitively.
            found = [
                g for g in self._search_groups({"groupNames": [name]}) if (g.get("name") or "").lower() == name.lower()
            ]
        if len(found) > 1:
            raise ResolutionError(
                f"{len(found)} directories of the organisation have a group named '{name}'",
                hint="Set directory_id to the directory that holds the one to manage",
            )
        if found:
            return self._remember_group(found[0])
        raise group_not_found(
            name,
            group_id,
            where="in the organisation's directory",
            hint="Check the spelling (admin.atlassian.com > Directory > Groups), or directory_id",
        )

    def check_can_change(self, group: Group) -> None:
        """A group synced from an identity provider, or one the key may not modify, is refused before any write."""
        if group.group_id not in self._groups:
            self.find_group(group_id=group.group_id)
        data = self._groups.get(group.group_id) or {}
        access = data.get("managementAccess") if isinstance(data.get("managementAccess"), dict) else {}
        if data.get("externalSynced") or data.get("managedBy") == "external":
            raise RefusedError(
                f"{group.label} is synced from an identity provider (SCIM), so its members cannot be changed through "
                "Atlassian; nothing was changed",
                hint="Change the membership in your identity provider (Okta, Entra ID, Google Workspace, ...): it "
                "syncs to Atlassian",
            )
        if access.get("modifiable") is False:
            raise RefusedError(
                f"The Admin API says {group.label} cannot be modified with this API key; nothing was changed",
                hint=CODE_HINTS["ADMIN-403-5"],
            )

    def create_group(self, name: str) -> Group:
        self.client.request("POST", self.path(GROUPS, self.directory()), json={"name": name})
        # Its answer is not documented to carry the id: the group is looked up by its name.
        return self.find_group(name=name)

    def delete_group(self, group: Group) -> None:
        self.client.request("DELETE", self._group_path(GROUP, group))

    def groups_with_prefix(self, prefix: str) -> list[Group]:
        """groups/search by ``searchTerm`` (a part of the name), every page, in the task's directory."""
        return [self._remember_group(g) for g in self._search_groups({"searchTerm": prefix})]

    def access_of(self, group: Group) -> str | None:
        # The directory does not say what a group grants; the API itself refuses deleting default and admin groups
        # (ADMIN-403-6, ADMIN-403-7), and the guard's well-known names cover the rest.
        return None

    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        """Every member, deactivated ones included, 100 a page, one page after the other."""
        search = {"groupIds": [group.group_id]}
        path = self.path(USER_SEARCH)
        for page in self.client.iter_pages(path, search, SEARCH, page_size=PAGE_LIMIT):
            yield MemberPage(self.read_values(page, user_from_json), None)

    # ------------------------------------------------------------------ users

    def _search_users(self, body: dict) -> list[User]:
        pages = self.client.iter_pages(self.path(USER_SEARCH), body, SEARCH, page_size=PAGE_LIMIT)
        return [user for page in pages for user in self.read_values(page, user_from_json)]

    def _accounts_with_email(self, email: str) -> list[User]:
        key = email.strip().lower()
        if key not in self._with_email:
            self._with_email[key] = self._search_users({"emails": [email.strip()]})
        return self._with_email[key]

    def prefetch_emails(self, emails: list[str]) -> None:
        """The accounts of many emails with one search a hundred emails: a task that names its users by email (each
        that no member of the group shows is asked about) costs a search per hundred rather than one each."""
        # Lower-cased: the key; as given: what is sent (the first spelling of each).
        wanted = {}
        for email in emails:
            wanted.setdefault(email.strip().lower(), email.strip())
        given = [email for key, email in wanted.items() if key not in self._with_email]
        if len(given) < 2:
            return  # one email costs one search either way
        # given[start:][:N] rather than given[start : start + N], which the Hub importer's flake8 flags (E203).
        chunks = [given[start:][:EMAILS_PER_SEARCH] for start in range(0, len(given), EMAILS_PER_SEARCH)]

        def search(chunk: list[str]) -> list[User]:
            with operation(f"looking up {len(chunk)} emails"):
                return self._search_users({"emails": chunk})

        for chunk, found in zip(chunks, self.concurrently(search, chunks), strict=True):
            by_email: dict[str, list[User]] = {email.lower(): [] for email in chunk}
            for user in found:
                if user.email and user.email.lower() in by_email:
                    by_email[user.email.lower()].append(user)
            self._with_email.update(by_email)

    def find_by_email(self, email: str) -> list[User]:
        """The active accounts with exactly this email (the organisation sees every email, hidden ones too); the
        deactivated ones are find_deactivated_by_email's."""
        return [u for u in self._accounts_with_email(email) if u.active]

    def find_deactivated_by_email(self, email: str) -> list[User]:
        return [u for u in self._accounts_with_email(email) if not u.active]

    def email_not_found(self, email: str) -> UnknownUserError:
        return UnknownUserError(
            f"No active account in the organisation's directory was found with email '{email}'. The Admin API sees "
            "every email, hidden ones too, so the account is deactivated (then give its accountId) or not in the "
            "directory",
            hint=INVITE_REMEDY,
        )

    def get_user(self, account_id: str) -> User | None:
        found = self._search_users({"accountIds": [account_id]})
        return found[0] if found else None

    def groups_of(self, account_id: str) -> list[Group] | None:
        """The person's groups, with what the directory says of each (so checking them costs nothing more). The
        search does not say whether the account exists: callers ask for accounts they have resolved."""
        return [self._remember_group(g) for g in self._search_groups({"accountIds": [account_id]})]

    def caller_account_id(self) -> str:
        raise RefusedError(
            "exclusive cannot be used with backend admin: the Admin API does not say which account an organisation "
            "API key belongs to, so the task could not make sure it never removes the account running it",
            hint="List every member to keep in users (without exclusive, only the listed users are added), or run "
            "the exclusive task against the site with backend jira_cloud or confluence_cloud",
        )

    # ------------------------------------------------------------------ writes

    def _membership_path(self, group: Group, user: User | None = None) -> str:
        if user is None:
            return self._group_path(MEMBERSHIPS, group)
        return self._group_path(MEMBERSHIP, group, accountId=user.account_id)

    def add_member(self, group: Group, user: User) -> str:
        return self.write_membership(
            "POST",
            self._membership_path(group),
            group,
            user,
            params={},
            json={"accountId": user.account_id},
            # The spec's 409: "The user is already in the group or you've exceeded your user limit"; only the first
            # says "already" (the user limit is ADMIN-409-3, an error).
            already="already",
            race_status=409,
        )

    def remove_member(self, group: Group, user: User) -> str:
        # Removing a non-member: the spec documents no answer; a refusal naming it would be read as done.
        return self.write_membership(
            "DELETE", self._membership_path(group, user), group, user, params={}, already="not a member"
        )

    # ------------------------------------------------------------------ accounts (atlassian_user)

    account_abilities = ABILITIES
    # A new account joins its groups in its invitation request (additionalGroups): no membership writes for it.
    invite_joins_groups = True

    def _search_accounts(self, body: dict) -> list[tuple[Account | None, User]]:
        pages = self.client.iter_pages(self.path(USER_SEARCH), body, SEARCH, page_size=PAGE_LIMIT)
        return [found for page in pages for found in self.read_values(page, account_from_json)]

    def find_accounts(self, refs: list[str]) -> dict[str, Account | None]:
        """Each reference's account with its directory status: emails a hundred a search, accountIds ten, every
        status (suspended and deactivated ones too)."""
        emails = list(dict.fromkeys(r.strip() for r in refs if self.takes_as_email(r)))
        ids = list(dict.fromkeys(r.strip() for r in refs if not self.takes_as_email(r)))
        searches = [{"emails": emails[i:][:EMAILS_PER_SEARCH]} for i in range(0, len(emails), EMAILS_PER_SEARCH)]
        searches += [{"accountIds": ids[i:][:IDS_PER_SEARCH]} for i in range(0, len(ids), IDS_PER_SEARCH)]

        def search(body: dict) -> list[tuple[Account | None, User]]:
            with operation(f"looking up {len(body.get('emails') or body.get('accountIds'))} accounts"):
                return self._search_accounts(body)

        by_key: dict[str, list[Account | None]] = {}
        for found in self.concurrently(search, searches):
            for account, user in found:
                by_key.setdefault(user.account_id, []).append(account)
                if user.email:
                    by_key.setdefault(user.email.lower(), []).append(account)
        result: dict[str, Account | None] = {}
        for ref in refs:
            held = by_key.get(ref.strip().lower() if self.takes_as_email(ref) else ref.strip(), [])
            if len(held) > 1:
                raise ResolutionError(
                    f"{len(held)} accounts of the organisation's directory have the email '{ref}'",
                    hint="Give the accountId of the one meant",
                )
            result[ref] = held[0] if held else None
        return result

    def create_account(self, email: str, options: dict) -> Account:
        """Invite the email (one address, one Atlassian account: an existing account is the one invited), with the
        invitation's options: ``notification`` and ``notification_text``, ``roles`` (permissionRules) and
        ``group_ids`` (additionalGroups: the groups it joins in the same request)."""
        body: dict = {"emails": [email], "sendNotification": bool(options.get("notification", True))}
        if options.get("notification_text"):
            body["notificationText"] = options["notification_text"]
        if options.get("roles"):
            body["permissionRules"] = [{"resource": r["resource"], "role": r["role"]} for r in options["roles"]]
        if options.get("group_ids"):
            body["additionalGroups"] = list(options["group_ids"])
        response = self.client.request("POST", self.path(INVITE), json=body)
        account_id = self.read_answer(response, lambda data: invited_id(data, email))
        failed = failed_assignments(response.body) if response.status == 206 else []
        if failed:
            raise RefusedError(
                f"{email} was invited (accountId {account_id}), but the invitation could not grant: "
                + "; ".join(failed),
                hint="Check the group ids and roles; run the task again to add the missing groups",
            )
        return Account(User(account_id=account_id, email=email, display_name=None), ACCOUNT_INVITED)

    def _lifecycle(self, template: str, account: Account) -> None:
        # Suspension is per directory: the directory option, else the organisation's only one.
        self.client.request("POST", self.path(template, self.directory(), accountId=account.user.account_id))

    def suspend_account(self, account: Account) -> str:
        self._lifecycle(SUSPEND, account)
        return CHANGED

    def restore_account(self, account: Account) -> str:
        self._lifecycle(RESTORE, account)
        return CHANGED
