# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The Jira Cloud platform REST v3 backend: users, groups and group membership.

Other backends (Jira Data Center, the Admin API, Confluence) implement the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient, api_messages
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    ResolutionError,
    RetriesExhaustedError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

API = "/rest/api/3"
# Atlassian caps group members at 50 a page whatever is asked.
MEMBER_PAGE_SIZE = 50
# Outcomes of one membership write.
CHANGED = "changed"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class MemberPage:
    users: tuple[User, ...]
    total: int | None


def user_from_json(data: dict) -> User:
    return User(
        account_id=data["accountId"],
        email=data.get("emailAddress") or None,
        display_name=data.get("displayName"),
        active=bool(data.get("active", True)),
        account_type=data.get("accountType") or "atlassian",
    )


def _mentions(error_body, phrase: str) -> bool:
    return any(phrase in message.lower() for message in api_messages(error_body))


class JiraCloudBackend:
    name = "jira_cloud"

    def __init__(self, client: AtlassianClient) -> None:
        self.client = client

    # ------------------------------------------------------------------ identity

    def caller_account_id(self) -> str:
        """The authenticated account. Jira names it in the X-AAccountId header of every answer; ask only if unseen."""
        if self.client.caller_account_id is None:
            self.client.caller_account_id = user_from_json(self.client.get(f"{API}/myself").body).account_id
        return self.client.caller_account_id

    def get_user(self, account_id: str) -> User | None:
        response = self.client.get(f"{API}/user", {"accountId": account_id}, accept=(404,))
        return None if response.status == 404 else user_from_json(response.body)

    def search_users(self, query: str) -> list[User]:
        """Active users whose display name or email starts with ``query`` (Atlassian's prefix search)."""
        body = self.client.get(f"{API}/user/search", {"query": query, "maxResults": 100}).body or []
        return [user_from_json(item) for item in body]

    def user_group_ids(self, account_id: str) -> set[str] | None:
        """IDs of every group the user is in, in one request; None when the user does not exist."""
        response = self.client.get(f"{API}/user/groups", {"accountId": account_id}, accept=(404,))
        if response.status == 404:
            return None
        return {item["groupId"] for item in response.body or [] if item.get("groupId")}

    def user_groups(self, account_id: str) -> list[Group] | None:
        """Every group the user is in, with names, in one request; None when the user does not exist."""
        response = self.client.get(f"{API}/user/groups", {"accountId": account_id}, accept=(404,))
        if response.status == 404:
            return None
        return [
            Group(name=item.get("name"), group_id=item["groupId"])
            for item in response.body or []
            if item.get("groupId")
        ]

    # ------------------------------------------------------------------ groups

    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        params = {"groupId": group_id} if group_id else {"groupName": name}
        values = self.client.get(f"{API}/group/bulk", {**params, "maxResults": 50}).body.get("values") or []
        for item in values:
            if (group_id and item.get("groupId") == group_id) or (
                name and (item.get("name") or "").lower() == name.lower()
            ):
                return Group(name=item.get("name"), group_id=item["groupId"])
        wanted = f"id '{group_id}'" if group_id else f"name '{name}'"
        raise ResolutionError(
            f"No group with {wanted} exists on {self.client.settings.base_url}",
            hint="Check the spelling (Jira > Settings > User management > Groups, or admin.atlassian.com); "
            "groups are not created by this module",
            status=404,
        )

    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        """Every member, inactive ones included, page by page; the pages after the first are fetched concurrently."""
        params = {"groupId": group.group_id, "includeInactiveUsers": "true"}
        for body in self.client.iter_pages_concurrently(f"{API}/group/member", params, page_size=MEMBER_PAGE_SIZE):
            yield MemberPage(tuple(user_from_json(v) for v in body["values"]), body.get("total"))

    # ------------------------------------------------------------------ writes

    def add_member(self, group: Group, user: User) -> str:
        """POST the membership. 'Already a member' is a race with another writer (or our own earlier attempt)."""
        return self._write("POST", group, user, params={"groupId": group.group_id}, json={"accountId": user.account_id})

    def remove_member(self, group: Group, user: User) -> str:
        """DELETE the membership. 'Not a member' is a race, as for adds."""
        return self._write("DELETE", group, user, params={"groupId": group.group_id, "accountId": user.account_id})

    def _write(self, method: str, group: Group, user: User, *, params: dict, json: dict | None = None) -> str:
        adding = method == "POST"
        try:
            response = self.client.request(method, f"{API}/group/user", params=params, json=json, accept=(400,))
        except RetriesExhaustedError as exc:
            return self._read_back(group, user, want_member=adding, error=exc)
        if response.status == 400:
            # Atlassian answers a duplicate add / a remove of a non-member with 400 and these words.
            if not _mentions(response.body, "already a member" if adding else "not a member"):
                raise self.client.error_for(method, f"{API}/group/user", 400, response.body, "")
            return CHANGED if response.unclear_earlier else UNCHANGED
        return CHANGED

    def _read_back(self, group: Group, user: User, *, want_member: bool, error: AtlassianError) -> str:
        """After a write whose outcome is unknown, look at the membership instead of guessing."""
        try:
            group_ids = self.user_group_ids(user.account_id)
        except AtlassianError:
            raise error from None
        if group_ids is not None and (group.group_id in group_ids) == want_member:
            return CHANGED
        raise error
