# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The Confluence Data Center REST backend: users by username, groups by name (``backend: confluence_datacenter``).

Confluence Data Center 8.2 added REST endpoints that change group membership and create and delete groups (documented
for 9.x and 10.x); older servers can list groups and members but not change them, and are told so. Its user objects
show no email address, so users are given by username; a username may hold '@' (zoe@acme.com), and every value is
taken as one.
"""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import AccountAbilities
from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import obj, optional_text, text
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    CHANGED,
    USERNAME,
    AccountLifecycle,
    Declarations,
    GroupLifecycle,
    MemberPage,
    Membership,
    SiteProbe,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._datacenter import (
    DataCenterBackend,
    group_named,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._families import with_translations
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    HttpError,
    RetriesExhaustedError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import StartLimitPaging

API = "/rest/api"
PAGING = StartLimitPaging()
PAGE_LIMIT = 200
# How Confluence's REST framework answers a path it does not map: the endpoint is not there in this release.
UNMAPPED = "null for uri"
# What the answers read are, as messages about a malformed one name them.
A_USER = "a user"
A_GROUP = "a group"


def user_from_json(data: Any) -> User:
    """A ``Person``: username, user key and display name; Data Center shows neither email nor whether it is active.
    Its shape is checked (``_answers``)."""
    data = obj(data, A_USER)
    username = text(data, "username", A_USER)
    return User(
        account_id=username,
        email=None,
        display_name=optional_text(data, "displayName", A_USER),
        active=None,
        username=username,
    )


def group_from_json(data: Any) -> Group:
    """A group, known by its name."""
    return group_named(text(obj(data, A_GROUP), "name", A_GROUP))


def segment(value: str) -> str:
    """A username or group name as one path segment (spaces, slashes and all)."""
    return quote(value, safe="")


ACCOUNTS_REMEDY = (
    "Confluence Data Center's admin user resource (create from 8.4, disable and enable from 8.2) is not supported by "
    "this release of the collection: use backend jira_datacenter for a Jira server, or Confluence's administration "
    "(General configuration > Users)"
)
ACCOUNT_ABILITIES = AccountAbilities(
    "confluence_datacenter",
    create_remedy=ACCOUNTS_REMEDY,
    suspend_remedy=ACCOUNTS_REMEDY,
    restore_remedy=ACCOUNTS_REMEDY,
)


class ConfluenceDataCenterBackend(DataCenterBackend, Membership, GroupLifecycle):
    # atlassian_user: refused, with the backends that can (ACCOUNTS_REMEDY).
    account_abilities = ACCOUNT_ABILITIES
    declares = Declarations(
        # Member pages say only whether another follows, so they are read one after the other.
        member_page_size=PAGE_LIMIT,
        reference_kinds=frozenset({USERNAME}),
        email_search=False,
        # Not applicable: every reference is a username, none is looked up as an email.
        unique_emails=False,
        # The admin user resource creates, disables and enables users (Confluence 8.2 / 8.4 or later).
        not_implemented_yet=(AccountLifecycle,),
    )
    product = "Confluence"
    groups_page = "General configuration > Groups"
    permission_hint = (
        "The account is authenticated but lacks permission. Changing group membership and creating or deleting groups "
        "needs Confluence Administrator (or System Administrator) global permission; reading users and groups needs "
        "Can use. If the server uses a read-only external directory (LDAP, Crowd, Jira), memberships can only be "
        "changed there"
    )

    def __init__(self, client) -> None:
        super().__init__(client)
        self._caller: str | None = None

    @classmethod
    def recognises_site(cls, probe: SiteProbe) -> bool:
        # No Jira answers at this address, and it is not Atlassian Cloud, yet a REST framework answered (Confluence's
        # JSON 404 "null for uri"): a Confluence server. A web page's 404 (a wrong context path, or not Atlassian at
        # all) is recognised by no backend, and auto then says to check the URL.
        return (probe.status == 404 and probe.body is not None and not probe.cloud) or super().recognises_site(probe)

    def messages(self, body: Any, text: str) -> list[str]:
        return with_translations(super().messages(body, text), body)

    # ------------------------------------------------------------------ users

    def caller_account_id(self) -> str:
        return self.caller_from(f"{API}/user/current", user_from_json)

    def get_user(self, account_id: str) -> User | None:
        return self.read_or_none(f"{API}/user", {"username": account_id}, user_from_json)

    def find_by_email(self, email: str) -> list[User]:
        # Never reached: without EMAIL in reference_kinds, a value with '@' is a username (takes_as_email).
        return []

    def groups_of(self, account_id: str) -> list[Group] | None:
        pages = self.client.iter_pages(f"{API}/user/memberof", {"username": account_id}, PAGING, page_size=PAGE_LIMIT)
        try:
            return [group for page in pages for group in self.read_values(page, group_from_json)]
        except HttpError as exc:
            if exc.status == 404:  # no such user
                return None
            raise

    # ------------------------------------------------------------------ groups

    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        wanted = (name or group_id or "").strip()
        response = self.client.get(f"{API}/group/{segment(wanted)}", accept=(404,))
        if response.status == 404:
            raise self.group_not_found(wanted)
        return self.read_answer(response, group_from_json)

    def create_group(self, name: str) -> Group:
        """POST answers 200 (not 201) with the group; servers before 8.2 have no such endpoint."""
        path = f"{API}/admin/group"
        body = self._write("POST", path, json={"name": name}).body
        # The group is made; only its spelling is read back, when the answer shows it.
        shown = body.get("name") if isinstance(body, dict) else None
        return group_named(shown if isinstance(shown, str) and shown else name)

    def delete_group(self, group: Group) -> None:
        self._write("DELETE", f"{API}/admin/group/{segment(group.group_id)}")

    def groups_with_prefix(self, prefix: str) -> list[Group]:
        """GET group lists every group of the server, 200 a page."""
        pages = self.client.iter_pages(f"{API}/group", {}, PAGING, page_size=PAGE_LIMIT)
        return [group for page in pages for group in self.read_values(page, group_from_json)]

    def access_of(self, group: Group) -> str | None:
        # The REST API does not say which groups hold global permissions; the guard's list of well-known access group
        # names covers the defaults (confluence-administrators, confluence-users).
        return None

    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        path = f"{API}/group/{segment(group.group_id)}/member"
        for page in self.read_pages(path, {}, PAGING, PAGE_LIMIT):
            yield MemberPage(self.read_values(page, user_from_json), None)

    # ------------------------------------------------------------------ writes

    def add_member(self, group: Group, user: User) -> str:
        """PUT is idempotent (204 whether or not the user already was a member), so it cannot tell a race; the
        membership read before the plan does (only non-members are added)."""
        return self._membership("PUT", group, user)

    def remove_member(self, group: Group, user: User) -> str:
        """DELETE, likewise 204 either way."""
        return self._membership("DELETE", group, user)

    def _membership(self, method: str, group: Group, user: User) -> str:
        path = f"{API}/user/{segment(user.account_id)}/group/{segment(group.group_id)}"
        try:
            self._write(method, path)
        except RetriesExhaustedError as exc:
            return self.read_back(group, user, want_member=method == "PUT", error=exc)
        return CHANGED

    def _write(self, method: str, path: str, *, json: dict | None = None):
        """One write; a server that does not map the endpoint (before 8.2) is told apart from a missing group."""
        response = self.client.request(method, path, json=json, accept=(404, 405))
        if response.status in (404, 405):
            said = self.messages(response.body, "")
            if response.status == 405 or any(UNMAPPED in m for m in said):
                raise HttpError(
                    f"{method} {path} answered HTTP {response.status}: this Confluence server has no REST endpoint to "
                    "change groups or their members",
                    status=response.status,
                    api_messages=said,
                    hint="Confluence Data Center added it in 8.2: upgrade the server (9.x or 10.x is documented), or "
                    "change the membership in Confluence's administration or the external directory",
                )
            raise self.client.error_for(method, path, response.status, response.body, "")
        return response
