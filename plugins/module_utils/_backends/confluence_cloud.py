# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The Confluence Cloud REST v1 backend (``backend: confluence_cloud``), for sites without Jira.

Confluence Cloud has no email search. An email resolves from what Confluence shows: the member listings of the target
group and of the groups that grant Confluence access (every user with access is in one), read at most once per task,
then a CQL search by the name the address suggests, whose results count only when they show that very email. Every
account the listings show with the email is a holder, so a shared email is found to be shared. Nothing is guessed.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Iterator

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import AccountAbilities
from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import items, obj, optional_text, text
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    ACCOUNT_ID,
    EMAIL,
    Declarations,
    GroupLifecycle,
    MemberPage,
    Membership,
    QueryWrites,
    SiteProbe,
    group_not_found,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._cloud import ORG_KEY_REMEDY, CloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._families import with_translations
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import (
    AUTO,
    ConnectionSettings,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import UnknownUserError
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import ACCOUNT_ID_REMEDY, NEW_ACCOUNT_REMEDY
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import StartLimitPaging

# Members come 200 a page at most (a larger limit is refused with 400); the first page asks for the total so that
# the strategy can count pages and the rest can be fetched together.
MEMBER_PAGING = StartLimitPaging(total_param="shouldReturnTotalSize")
LIST_PAGING = StartLimitPaging()
PAGE_LIMIT = 200
# Groups whose members have Confluence access ("user"); their listings are where every active user shows.
ACCESS_TYPE = "user"
# What the group listing's accessType tells, strongest first.
ACCESS_TYPES = ("site-admin", "admin", "user")
# What the answers read are, as messages about a malformed one name them.
A_USER = "a user"
A_GROUP = "a group"
SEARCH = "search results"
# Characters that separate the words of a name in an email's local part (jane.doe, jane_doe, jane-doe).
_NAME_SEPARATORS = re.compile(r"[._\-+]+")


def user_from_json(data: Any) -> User:
    """A Confluence ``User`` (its shape checked: ``_answers``)."""
    data = obj(data, A_USER)
    return User(
        account_id=text(data, "accountId", A_USER),
        # Hidden by the user's privacy settings: an empty string.
        email=optional_text(data, "email", A_USER),
        display_name=optional_text(data, "displayName", A_USER) or optional_text(data, "publicName", A_USER),
        # Confluence's user object does not say whether the account is active.
        active=None,
        # "" when Confluence does not know; only "app" marks an account that is not a person's.
        account_type=optional_text(data, "accountType", A_USER) or "atlassian",
    )


def group_from_json(data: Any) -> Group:
    data = obj(data, A_GROUP)
    return Group(name=optional_text(data, "name", A_GROUP), group_id=text(data, "id", A_GROUP))


def users_in_search(data: Any) -> list[User]:
    """The users of a CQL user search's results (results that are not users are left out)."""
    results = items(obj(data, SEARCH), "results", SEARCH)
    return [user_from_json(r["user"]) for r in results if isinstance(obj(r, "a search result").get("user"), dict)]


# Memberships are written at group/userByGroupId: the group by id, the user by accountId.
WRITES = QueryWrites(group_param="groupId", user_param="accountId", user_field="accountId", already="already")


ACCOUNTS_REMEDY = (
    "Confluence Cloud offers only an experimental site invitation by email (POST /wiki/api/v2/user/access/"
    "invite-by-email), which answers no account id and cannot grant groups or suspend anyone. Use backend admin "
    "(invite, suspend and restore in the organisation's directory) or jira_cloud (invite) with the same site's "
    "accounts: Confluence shares them"
)
ACCOUNT_ABILITIES = AccountAbilities(
    "confluence_cloud", create_remedy=ACCOUNTS_REMEDY, suspend_remedy=ACCOUNTS_REMEDY, restore_remedy=ACCOUNTS_REMEDY
)


class ConfluenceCloudBackend(CloudBackend, Membership, GroupLifecycle):
    # atlassian_user: refused, with the backends that can (ACCOUNTS_REMEDY).
    account_abilities = ACCOUNT_ABILITIES
    declares = Declarations(
        member_page_size=PAGE_LIMIT,
        reference_kinds=frozenset({EMAIL, ACCOUNT_ID}),
        email_search=False,
        # One address, one Atlassian account: a member showing the email is its holder (docs/identity.md).
        unique_emails=True,
    )
    gateway_url = "https://api.atlassian.com/ex/confluence/<cloudId>"
    permission_hint = (
        "The account is authenticated but lacks permission. Changing group membership in Confluence needs site "
        "administration (organization or site admin); reading groups and their members needs permission to view "
        "users and groups. OAuth tokens need the write:confluence-groups (or write:group:confluence) scope"
    )

    def __init__(self, client: AtlassianClient) -> None:
        super().__init__(client)
        # A site URL (https://acme.atlassian.net) or the gateway URL gets /wiki; a URL given with /wiki already
        # (https://acme.atlassian.net/wiki) does not get it twice.
        self.api = "/rest/api" if client.settings.base_url.endswith("/wiki") else "/wiki/rest/api"
        self._caller: str | None = None
        # Every account a member listing showed during this task, by lower-cased email; and the groups whose whole
        # listing was read, so that none is read twice.
        self._lock = threading.Lock()
        self._by_email: dict[str, dict[str, User]] = {}
        self._listed: set[str] = set()
        self._access_groups: list[Group] | None = None
        self._access_reading = threading.Lock()

    @classmethod
    def recognises_url(cls, settings: ConnectionSettings) -> bool:
        return "/ex/confluence/" in settings.base_url + "/" or settings.base_url.endswith("/wiki")

    @classmethod
    def recognises_site(cls, probe: SiteProbe) -> bool:
        # No Jira answers at this Atlassian Cloud address: that leaves Confluence. A site that is not Atlassian at all
        # is told apart by the first Confluence request (its answer is then a web page, not JSON).
        return probe.status == 404 and probe.cloud

    # ------------------------------------------------------------------ errors

    def messages(self, body: Any, text: str) -> list[str]:
        return with_translations(super().messages(body, text), body)

    def url_hint(self, base_url: str) -> str:
        return super().url_hint(base_url) + "; set backend if the site is not Confluence Cloud"

    # ------------------------------------------------------------------ groups

    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        # group/by-name is marked deprecated, but it is the only exact lookup by name (group/picker is a partial-match
        # search, GET group lists every group); Atlassian keeps the name-based group APIs available. Everything after
        # this lookup goes by groupId. docs/troubleshooting.md, "Confluence-only sites".
        path, params = (
            (f"{self.api}/group/by-id", {"id": group_id}) if group_id else (f"{self.api}/group/by-name", {"name": name})
        )
        response = self.client.get(path, params, accept=(404,))
        if response.status != 404:
            return self.read_answer(response, group_from_json)
        hint = "Check the spelling (admin.atlassian.com > Directory > Groups); groups are not created by this module"
        settings = self.client.settings
        if settings.backend == AUTO and settings.bearer_token and not self.recognises_url(settings):
            # Found by auto because no Jira answered: with an organisation API key and no org_id, the Admin API's
            # groups were meant, and a site without Jira was never there.
            hint += f". backend auto took {settings.base_url} for a Confluence site because no Jira answered there. "
            hint += ORG_KEY_REMEDY
        raise group_not_found(name, group_id, where=f"on {settings.base_url}", hint=hint)

    def create_group(self, name: str) -> Group:
        return self.read_answer(self.client.request("POST", f"{self.api}/group", json={"name": name}), group_from_json)

    def delete_group(self, group: Group) -> None:
        self.client.request("DELETE", f"{self.api}/group/by-id", params={"id": group.group_id})

    def groups_with_prefix(self, prefix: str) -> list[Group]:
        """GET group lists every group of the site, 200 a page (group/picker's partial match would do as well, but
        is a search whose completeness Atlassian does not promise)."""
        pages = self.client.iter_pages(f"{self.api}/group", {}, LIST_PAGING, page_size=PAGE_LIMIT)
        return [group for page in pages for group in self.read_values(page, group_from_json)]

    def access_of(self, group: Group) -> str | None:
        """The group listing filtered by each accessType in turn (the three read together)."""

        def grants(access_type: str) -> bool:
            return any(g.group_id == group.group_id for g in self._groups_with_access(access_type))

        found = self.concurrently(grants, ACCESS_TYPES)
        return next((access for access, yes in zip(ACCESS_TYPES, found, strict=True) if yes), None)

    def _groups_with_access(self, access_type: str) -> list[Group]:
        pages = self.client.iter_pages(
            f"{self.api}/group", {"accessType": access_type}, LIST_PAGING, page_size=PAGE_LIMIT
        )
        return [group for page in pages for group in self.read_values(page, group_from_json)]

    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        """Every member, 200 a page; the pages after the first are fetched concurrently. Every member seen is
        remembered by email, so that resolving an email never reads this listing again."""
        pages = self.read_pages(f"{self.api}/group/{group.group_id}/membersByGroupId", {}, MEMBER_PAGING, PAGE_LIMIT)
        for page in pages:
            users = self.read_values(page, user_from_json)
            self._remember(users)
            yield MemberPage(users, page.total)
        with self._lock:
            self._listed.add(group.group_id)

    def _remember(self, users: tuple[User, ...]) -> None:
        with self._lock:
            for user in users:
                if user.email:
                    self._by_email.setdefault(user.email.lower(), {})[user.account_id] = user

    # ------------------------------------------------------------------ users

    def caller_account_id(self) -> str:
        return self.caller_from(f"{self.api}/user/current", user_from_json)

    def get_user(self, account_id: str) -> User | None:
        return self.read_or_none(f"{self.api}/user", {"accountId": account_id}, user_from_json)

    def groups_of(self, account_id: str) -> list[Group] | None:
        # Confluence does not document what it answers for an unknown accountId; the listing is then empty.
        pages = self.client.iter_pages(
            f"{self.api}/user/memberof", {"accountId": account_id}, LIST_PAGING, page_size=PAGE_LIMIT
        )
        return [group for page in pages for group in self.read_values(page, group_from_json)]

    def find_by_email(self, email: str) -> list[User]:
        """Accounts showing exactly this email in the listings read: the group's own and those of the groups that
        grant Confluence access (read once for every email the task looks up: one that a member already showed is
        that member's, an address being one Atlassian account's, and is not asked about), else in a CQL name
        search."""
        key = email.strip().lower()
        self._read_access_listings()
        with self._lock:
            found = list(self._by_email.get(key, {}).values())
        return found or self._search_by_name(key)

    def _read_access_listings(self) -> None:
        # One reader at a time: the others wait for it rather than read the same listings again.
        with self._access_reading:
            if self._access_groups is not None:
                return
            groups = self._groups_with_access(ACCESS_TYPE)
            for group in groups:
                with self._lock:
                    listed = group.group_id in self._listed
                if not listed:
                    for _page in self.iter_member_pages(group):
                        pass
            self._access_groups = groups

    def _search_by_name(self, email: str) -> list[User]:
        """A CQL search for the name the address suggests (jane.doe@ -> "jane doe"); only results that show this
        very email count, so a namesake is never taken for the person."""
        name = _NAME_SEPARATORS.sub(" ", email.split("@", 1)[0]).replace('"', "").replace("\\", "").strip()
        if not name:
            return []
        response = self.client.get(f"{self.api}/search/user", {"cql": f'user.fullname~"{name}"', "limit": 50})
        users = self.read_answer(response, users_in_search)
        return [u for u in users if u.email and u.email.lower() == email]

    def email_not_found(self, email: str) -> UnknownUserError:
        groups = ", ".join(g.label for g in self._access_groups or []) or "none found"
        return UnknownUserError(
            f"No Confluence account was found with email '{email}'. Confluence Cloud has no email search, so the "
            f"address was looked for in the member listings of the group and of the groups that grant Confluence "
            f"access ({groups}), and by a name search. Likely causes: there is no such user; the user's privacy "
            "settings hide the email; or the user has no Confluence access",
            hint=f"{ACCOUNT_ID_REMEDY}. {NEW_ACCOUNT_REMEDY}",
        )

    # ------------------------------------------------------------------ writes

    def add_member(self, group: Group, user: User) -> str:
        """POST the membership. What Confluence answers for an existing member is not documented; if it refuses
        with "already", the membership already holds."""
        return self.write_by_query(True, f"{self.api}/group/userByGroupId", group, user, WRITES)

    def remove_member(self, group: Group, user: User) -> str:
        """DELETE answers 204 whether or not the user was a member (documented), so the answer cannot tell whether
        this changed anything: the membership read before the plan does (a member is the only one removed)."""
        return self.write_by_query(False, f"{self.api}/group/userByGroupId", group, user, WRITES)
