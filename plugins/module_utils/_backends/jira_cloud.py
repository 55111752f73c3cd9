# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The Jira Cloud platform REST v3 backend: users, groups and group membership (``backend: jira_cloud``)."""

from __future__ import annotations

import threading
from typing import Any, Iterator, Mapping

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    ACTIVE as ACCOUNT_ACTIVE,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    INVITED as ACCOUNT_INVITED,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    SUSPENDED as ACCOUNT_SUSPENDED,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import AccountAbilities
from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import (
    array,
    flag,
    items,
    obj,
    optional_text,
    text,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    ACCOUNT_ID,
    EMAIL,
    Account,
    AccountLifecycle,
    Declarations,
    GroupLifecycle,
    MemberPage,
    Membership,
    QueryWrites,
    SiteProbe,
    group_not_found,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._cloud import CloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._families import error_collection_messages
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    ConfigurationError,
    RefusedError,
    ResolutionError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    ACCOUNT_ID_REMEDY,
    NEW_ACCOUNT_REMEDY,
    name_may_explain,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import OffsetPaging, Page

API = "/rest/api/3"
PAGING = OffsetPaging()
# users/search lists every account of the site, deactivated ones included, 1000 at most a page (a plain array).
ALL_USERS_PAGE = 1000
# What group/bulk's accessType tells, strongest first.
ACCESS_TYPES = ("site-admin", "admin", "user")
# What the answers read are, as messages about a malformed one name them.
A_USER = "a user"
A_GROUP = "a group"
GROUP_PAGE = "a page of groups"
# createUser's "Valid products" (an empty list: no product access).
PRODUCTS = ("jira-core", "jira-servicedesk", "jira-product-discovery", "jira-software")
ADMIN_REMEDY = (
    "Use backend admin with an organisation API key (admin.atlassian.com > Settings > API keys, created without "
    "scopes): it suspends and restores a user's access in the organisation's directory"
)
ABILITIES = AccountAbilities(
    "jira_cloud",
    create=True,
    created_status=ACCOUNT_INVITED,
    suspend_remedy=ADMIN_REMEDY + " (the Jira Cloud REST API has no suspension or deactivation)",
    restore_remedy=ADMIN_REMEDY + " (Jira shows a suspended or deactivated account as inactive, and cannot restore it)",
)


def user_from_json(data: Any) -> User:
    """A ``User`` of Jira Cloud's REST API (its shape checked: ``_answers``)."""
    data = obj(data, A_USER)
    return User(
        account_id=text(data, "accountId", A_USER),
        email=optional_text(data, "emailAddress", A_USER),
        display_name=optional_text(data, "displayName", A_USER),
        active=flag(data, "active", A_USER, True),
        account_type=optional_text(data, "accountType", A_USER) or "atlassian",
    )


def users_from_json(data: Any) -> list[User]:
    """A plain array of users (the user searches)."""
    return [user_from_json(item) for item in array(data, "a list of users")]


def group_from_json(data: Any) -> Group:
    data = obj(data, A_GROUP)
    return Group(name=optional_text(data, "name", A_GROUP), group_id=text(data, "groupId", A_GROUP))


def groups_from_json(data: Any) -> list[Group]:
    """A plain array of groups (a user's groups)."""
    return [group_from_json(item) for item in array(data, "a list of groups")]


def group_page_from_json(data: Any) -> list[Group]:
    """The groups of a ``PageBeanGroupDetails`` (group/bulk)."""
    return [group_from_json(item) for item in items(obj(data, GROUP_PAGE), "values", GROUP_PAGE)]


# Memberships are written at group/user: the group by id, the user by accountId.
WRITES = QueryWrites(group_param="groupId", user_param="accountId", user_field="accountId", already="already a member")


class JiraCloudBackend(CloudBackend, Membership, GroupLifecycle, AccountLifecycle):
    declares = Declarations(
        # Atlassian caps group members at 50 a page whatever is asked.
        member_page_size=50,
        reference_kinds=frozenset({EMAIL, ACCOUNT_ID}),
        email_search=True,
        # One address, one Atlassian account: a member showing the email is its holder (docs/identity.md).
        unique_emails=True,
    )
    gateway_url = "https://api.atlassian.com/ex/jira/<cloudId>"
    permission_hint = (
        "The account is authenticated but lacks permission. Changing group membership needs site administration (a "
        "member of site-admins, or Administer Jira); reading users and groups needs the Browse users and groups "
        "permission. OAuth tokens need the manage:jira-configuration (or write:group:jira) scope"
    )

    def __init__(self, client: AtlassianClient) -> None:
        if client.settings.base_url.endswith("/wiki"):
            # Confluence's path: Jira's API is not under it, and every request would answer "not found".
            raise ConfigurationError(
                f"url '{client.settings.base_url}' ends with /wiki, which is Confluence's path, but backend is "
                "jira_cloud",
                hint="Give the site URL without /wiki (for example https://acme.atlassian.net), or set backend to "
                "confluence_cloud (or auto)",
            )
        super().__init__(client)
        self._caller: str | None = None
        self._all_users: dict[str, list[User]] | None = None
        self._all_users_lock = threading.Lock()
        client.observers.append(self._observe)

    def _observe(self, headers: Mapping[str, str]) -> None:
        # Jira names the authenticated account in the X-AAccountId header of every answer, so the caller is usually
        # known without asking.
        if self._caller is None and headers.get("X-AAccountId"):
            self._caller = headers["X-AAccountId"]

    @classmethod
    def recognises_url(cls, settings: ConnectionSettings) -> bool:
        return "/ex/jira/" in settings.base_url + "/"

    @classmethod
    def recognises_site(cls, probe: SiteProbe) -> bool:
        # serverInfo says deploymentType "Cloud"; a 401/403 from Atlassian Cloud there also comes from Jira (the path
        # exists), and the next request then reports the refusal with Jira Cloud's remedies.
        if probe.status in (401, 403):
            return probe.cloud
        return probe.status == 200 and isinstance(probe.body, dict) and probe.body.get("deploymentType") == "Cloud"

    # ------------------------------------------------------------------ errors

    def messages(self, body: Any, text: str) -> list[str]:
        return error_collection_messages(body) or super().messages(body, text)

    # ------------------------------------------------------------------ users

    def caller_account_id(self) -> str:
        return self.caller_from(f"{API}/myself", user_from_json)

    def get_user(self, account_id: str) -> User | None:
        return self.read_or_none(f"{API}/user", {"accountId": account_id}, user_from_json)

    def find_by_email(self, email: str) -> list[User]:
        """Active users whose display name or email starts with the address (Atlassian's prefix search). A user who
        hides their email comes without ``emailAddress``, found by the whole address or by their name: such a user
        counts only when their name cannot explain the match (an invited account often shows its address as its
        name), so that another person's name is never taken for the address."""
        response = self.client.get(f"{API}/user/search", {"query": email, "maxResults": 100})
        found = self.read_answer(response, users_from_json)
        return [u for u in found if u.email or not name_may_explain(u.display_name, email)]

    def find_deactivated_by_email(self, email: str) -> list[User]:
        """users/search lists every account, deactivated ones included; read once a task (a site's whole user list,
        a thousand a page), and only when a removal needs it."""
        with self._all_users_lock:
            if self._all_users is None:
                index: dict[str, list[User]] = {}
                start = 0
                listing = self.client.listing(f"{API}/users/search", PAGING)
                while True:
                    response = self.client.get(f"{API}/users/search", {"startAt": start, "maxResults": ALL_USERS_PAGE})
                    page = self.read_answer(response, users_from_json)
                    for user in page:
                        if user.email:
                            index.setdefault(user.email.lower(), []).append(user)
                    if len(page) < ALL_USERS_PAGE:
                        break
                    listing.check(Page(page, None, start + len(page)), start)
                    start += len(page)
                self._all_users = index
        return list(self._all_users.get(email.strip().lower(), []))

    def email_not_found(self, email: str) -> UnknownUserError:
        return UnknownUserError(
            f"No active Atlassian account was found with email '{email}'. Likely causes: there is no such user (or "
            "it is deactivated: user search only finds active users); the user's privacy settings hide the email; or "
            "the calling account lacks the Browse users and groups permission",
            hint=f"{ACCOUNT_ID_REMEDY}. {NEW_ACCOUNT_REMEDY}",
        )

    def groups_of(self, account_id: str) -> list[Group] | None:
        return self.read_or_none(f"{API}/user/groups", {"accountId": account_id}, groups_from_json)

    # ------------------------------------------------------------------ groups

    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        params = {"groupId": group_id} if group_id else {"groupName": name}
        response = self.client.get(f"{API}/group/bulk", {**params, "maxResults": 50})
        for group in self.read_answer(response, group_page_from_json):
            if (group_id and group.group_id == group_id) or (name and (group.name or "").lower() == name.lower()):
                return group
        raise group_not_found(
            name,
            group_id,
            where=f"on {self.client.settings.base_url}",
            hint="Check the spelling (Jira > Settings > User management > Groups, or admin.atlassian.com); "
            "groups are not created by this module",
        )

    def create_group(self, name: str) -> Group:
        return self.read_answer(self.client.request("POST", f"{API}/group", json={"name": name}), group_from_json)

    def delete_group(self, group: Group) -> None:
        self.client.request("DELETE", f"{API}/group", params={"groupId": group.group_id})

    def groups_with_prefix(self, prefix: str) -> list[Group]:
        """group/bulk without a filter lists every group of the site, 50 a page (it has no name filter but exact
        names; the group picker's substring search stops at its own limit)."""
        pages = self.read_pages(f"{API}/group/bulk", {}, PAGING, 50)
        return [group for page in pages for group in self.read_values(page, group_from_json)]

    def access_of(self, group: Group) -> str | None:
        """group/bulk filtered by each accessType in turn (the three asked together)."""

        def grants(access_type: str) -> bool:
            params = {"groupId": group.group_id, "accessType": access_type, "maxResults": 50}
            found = self.read_answer(self.client.get(f"{API}/group/bulk", params), group_page_from_json)
            return any(g.group_id == group.group_id for g in found)

        found = self.concurrently(grants, ACCESS_TYPES)
        return next((access for access, yes in zip(ACCESS_TYPES, found, strict=True) if yes), None)

    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        """Every member, inactive ones included, page by page; the pages after the first are fetched concurrently."""
        params = {"groupId": group.group_id, "includeInactiveUsers": "true"}
        pages = self.read_pages(f"{API}/group/member", params, PAGING, self.declares.member_page_size)
        for page in pages:
            yield MemberPage(self.read_values(page, user_from_json), page.total)

    # ------------------------------------------------------------------ writes

    def add_member(self, group: Group, user: User) -> str:
        """POST the membership; Jira refuses an existing member with 400 "already a member" (AX-17)."""
        return self.write_by_query(True, f"{API}/group/user", group, user, WRITES)

    def remove_member(self, group: Group, user: User) -> str:
        """DELETE the membership; a non-member is refused with 400 "not a member" (Data Center's words; Cloud's
        answer is undocumented)."""
        return self.write_by_query(False, f"{API}/group/user", group, user, WRITES)

    # ------------------------------------------------------------------ accounts (atlassian_user)

    account_abilities = ABILITIES

    def _account(self, ref: str) -> Account | None:
        """An email among the active users (user/search), else among every user (users/search, read once a task,
        only when some email is not active): inactive there is suspended (Jira cannot tell it from deactivated, and
        suspension is the reversible, more common cause: docs/joiners_leavers.md). An accountId by GET user."""
        if not self.takes_as_email(ref):
            user = self.get_user(ref.strip())
            return None if user is None else Account(user, ACCOUNT_ACTIVE if user.active else ACCOUNT_SUSPENDED)
        key = ref.strip().lower()
        # The search's hits with exactly this address, and those hiding theirs whose name cannot explain the hit
        # (find_by_email keeps only such): the exact address found them.
        found = [u for u in self.find_by_email(ref.strip()) if u.email is None or u.email.lower() == key]
        found = found or self.find_deactivated_by_email(ref)
        if len(found) > 1:
            raise ResolutionError(f"{len(found)} accounts show the email '{ref}'", hint="Give the accountId meant")
        if not found:
            return None
        return Account(found[0], ACCOUNT_ACTIVE if found[0].active else ACCOUNT_SUSPENDED)

    def find_accounts(self, refs: list[str]) -> dict[str, Account | None]:
        return dict(zip(refs, self.concurrently(self._account, refs), strict=True))

    def create_account(self, email: str, options: dict) -> Account:
        """POST user with the ``products`` given (required by the API; ``[]`` is no product access). 201 is a new
        user or one with Jira access already; 400 may be an existing user without it, or (once reported) a user
        created although the answer says not: the user is looked up before the refusal is believed."""
        body = {"emailAddress": email, "products": list(options.get("products") or [])}
        response = self.client.request("POST", f"{API}/user", json=body, accept=(400,))
        if response.status == 400:
            self._all_users = None  # read again: the failed call may have created it
            again = self._account(email)
            if again is not None and again.status == ACCOUNT_ACTIVE and again.user.active:
                return Account(again.user, ACCOUNT_INVITED)
            said = "; ".join(self.messages(response.body, "")) or "HTTP 400"
            raise RefusedError(
                f"Jira Cloud refused to create the user {email}: {said}",
                hint="If the account exists without Jira access, grant it product access (admin.atlassian.com > "
                "Directory > Users, or the products option) or restore it with backend admin (Jira's searches do not "
                "show an inactive account that hides its email, so it read as missing); if the licence's user limit is "
                "reached, free a seat",
                status=400,
            )
        return Account(self.read_answer(response, user_from_json), ACCOUNT_INVITED)

    def suspend_account(self, account: Account) -> str:
        raise RefusedError("Jira Cloud cannot suspend an account", hint=ABILITIES.suspend_remedy)

    def restore_account(self, account: Account) -> str:
        raise RefusedError("Jira Cloud cannot restore an account", hint=ABILITIES.restore_remedy)
