# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The Jira Data Center (and Server) REST v2 backend: users by username or email, groups by name
(``backend: jira_datacenter``).

Paths and shapes follow Atlassian's Jira Software Data Center 10.3 spec; the same v2 resources serve Jira 8.x and
9.x. Users are found by username, display name or email with one search (``user/search?username=``), deactivated
ones included on request, so a leaver is found by email after their account is deactivated.
"""

from __future__ import annotations

from typing import Any, Iterator

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    ACTIVE as ACCOUNT_ACTIVE,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    DEACTIVATED as ACCOUNT_DEACTIVATED,
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
    CHANGED,
    EMAIL,
    USERNAME,
    Account,
    AccountLifecycle,
    Declarations,
    GroupLifecycle,
    MemberPage,
    Membership,
    QueryWrites,
    SiteProbe,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._datacenter import (
    DataCenterBackend,
    group_named,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._families import error_collection_messages
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    HttpError,
    RefusedError,
    ResolutionError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import NEW_ACCOUNT_REMEDY, USERNAME_REMEDY
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import OffsetPaging

API = "/rest/api/2"
# Deactivation by REST (PUT user {"active": false}) came with Jira 8.3 (JRASERVER-37294); older servers answer 400
# "error.no.value.found.to.be.changed" (JRASERVER-36639).
TOO_OLD = "error.no.value.found.to.be.changed"
ABILITIES = AccountAbilities(
    "jira_datacenter",
    create=True,
    created_status=ACCOUNT_ACTIVE,
    suspend_as=ACCOUNT_DEACTIVATED,
    reactivate=True,
)
PAGING = OffsetPaging()
# What serverInfo's deploymentType says on a server you run ("Server" is observed on Data Center licences too).
DEPLOYMENT_TYPES = ("Server", "DataCenter")
# The group picker shows this many matches at most (the server's own limit may be lower: then the group is checked
# by reading one member).
PICKER_LIMIT = 100
SEARCH_LIMIT = 100
# What the answers read are, as messages about a malformed one name them.
A_USER = "a user"
A_GROUP = "a group"
PICKER = "the group picker's answer"


def user_from_json(data: Any) -> User:
    """A Jira Data Center ``User`` (its shape checked: ``_answers``): its username is its ``name``."""
    data = obj(data, A_USER)
    username = text(data, "name", A_USER)
    return User(
        account_id=username,
        email=optional_text(data, "emailAddress", A_USER),
        display_name=optional_text(data, "displayName", A_USER),
        active=flag(data, "active", A_USER, True),
        username=username,
    )


def users_from_json(data: Any) -> list[User]:
    return [user_from_json(item) for item in array(data, "a list of users")]


def group_names(data: Any, key: str, what: str) -> list[str]:
    """The names of the groups listed under ``key`` of ``what``."""
    return [text(obj(item, A_GROUP), "name", A_GROUP) for item in items(obj(data, what), key, what)]


def user_groups_from_json(data: Any) -> list[Group]:
    """A user expanded with its groups: ``{"name": ..., "groups": {"size": n, "items": [{"name": ...}]}}``."""
    return [group_named(name) for name in group_names(obj(data, A_USER).get("groups"), "items", "the user's groups")]


# Memberships are written at group/user: the group by name, the user by username (``name`` in an add's body).
WRITES = QueryWrites(group_param="groupname", user_param="username", user_field="name", already="already a member")


class JiraDataCenterBackend(DataCenterBackend, Membership, GroupLifecycle, AccountLifecycle):
    declares = Declarations(
        # Jira caps group members at 50 a page whatever is asked, as on Cloud.
        member_page_size=50,
        reference_kinds=frozenset({EMAIL, USERNAME}),
        email_search=True,
        # Jira Data Center lets users share an address: every email is looked up, a member's too.
        unique_emails=False,
    )
    product = "Jira"
    groups_page = "Administration > User management > Groups"
    permission_hint = (
        "The account is authenticated but lacks permission. Changing group membership and creating or deleting groups "
        "needs the Jira Administrators (or System Administrators) global permission; reading users and groups needs "
        "Browse users and groups. If the server uses external user management (a read-only LDAP or Crowd "
        "directory), memberships can only be changed there"
    )

    @classmethod
    def recognises_site(cls, probe: SiteProbe) -> bool:
        if probe.status == 200 and isinstance(probe.body, dict):
            return probe.body.get("deploymentType") in DEPLOYMENT_TYPES
        return super().recognises_site(probe)

    def messages(self, body: Any, text: str) -> list[str]:
        return error_collection_messages(body) or super().messages(body, text)

    # ------------------------------------------------------------------ users

    def __init__(self, client) -> None:
        super().__init__(client)
        self._caller: str | None = None

    def caller_account_id(self) -> str:
        return self.caller_from(f"{API}/myself", user_from_json)

    def get_user(self, account_id: str) -> User | None:
        return self.read_or_none(f"{API}/user", {"username": account_id}, user_from_json)

    def _search(self, email: str, *, active: bool) -> list[User]:
        """Accounts whose email (or username) is exactly this address, among the active or the deactivated ones.
        The search matches username, display name and email by prefix; anything matched on other grounds is dropped.
        """
        params = {
            "username": email,
            "includeActive": str(active).lower(),
            "includeInactive": str(not active).lower(),
            "maxResults": SEARCH_LIMIT,
        }
        key = email.strip().lower()
        found = self.read_answer(self.client.get(f"{API}/user/search", params), users_from_json)
        return [u for u in found if (u.email or "").lower() == key or (u.username or "").lower() == key]

    def find_by_email(self, email: str) -> list[User]:
        return self._search(email, active=True)

    def find_deactivated_by_email(self, email: str) -> list[User]:
        return self._search(email, active=False)

    def email_not_found(self, email: str) -> UnknownUserError:
        return UnknownUserError(
            f"No active Jira user was found with email '{email}' on {self.client.settings.base_url}. Likely causes: "
            "there is no such user (or it is deactivated); the server hides email addresses from the calling "
            "account (General configuration > User email visibility); or the calling account lacks the Browse "
            "users and groups permission",
            hint=f"{USERNAME_REMEDY}. {NEW_ACCOUNT_REMEDY}",
        )

    def groups_of(self, account_id: str) -> list[Group] | None:
        return self.read_or_none(f"{API}/user", {"username": account_id, "expand": "groups"}, user_groups_from_json)

    # ------------------------------------------------------------------ groups

    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        """By name (a group's id is its name here): the picker gives its exact spelling in one request; a name the
        picker cut off is checked by reading one member."""
        wanted = (name or group_id or "").strip()
        response = self.client.get(f"{API}/groups/picker", {"query": wanted, "maxResults": PICKER_LIMIT})
        shown = self.read_answer(response, lambda body: group_names(body, "groups", PICKER))
        for shown_name in shown:
            if shown_name.lower() == wanted.lower():
                return group_named(shown_name)
        body = response.body
        if isinstance(body.get("total"), int) and body["total"] > len(shown):
            params = {"groupname": wanted, "maxResults": 1}
            if self.client.get(f"{API}/group/member", params, accept=(404,)).status != 404:
                return group_named(wanted)
        raise self.group_not_found(wanted)

    def create_group(self, name: str) -> Group:
        body = self.client.request("POST", f"{API}/group", json={"name": name}).body
        # The group is made; only its spelling is read back, when the answer shows it.
        shown = body.get("name") if isinstance(body, dict) else None
        return group_named(shown if isinstance(shown, str) and shown else name)

    def delete_group(self, group: Group) -> None:
        self.client.request("DELETE", f"{API}/group", params={"groupname": group.group_id})

    def groups_with_prefix(self, prefix: str) -> list[Group]:
        """Jira Data Center's REST API has no listing of every group: the group picker's substring search, which
        says how many match (``total``) but shows ``PICKER_LIMIT`` at most and cannot page. More matches than it
        shows are refused rather than half listed: a group it did not show would escape purge_prefix."""
        response = self.client.get(f"{API}/groups/picker", {"query": prefix, "maxResults": PICKER_LIMIT})
        names = self.read_answer(response, lambda body: group_names(body, "groups", PICKER))
        total = response.body.get("total")
        if isinstance(total, int) and total > len(names):
            raise RefusedError(
                f"{total} groups of {self.client.settings.base_url} have names containing '{prefix}', and Jira Data "
                f"Center's group picker shows {len(names)} of them at most, so the groups purge_prefix would delete "
                "cannot all be known; nothing was changed",
                hint="Use a longer purge_prefix that fewer groups share, or leave purge_prefix unset and list the "
                "groups to delete with state: absent",
            )
        return [group_named(name) for name in names]

    def access_of(self, group: Group) -> str | None:
        # Jira Data Center's REST API does not tell which groups hold global permissions or application access in
        # one place; the guard's list of well-known access group names covers the defaults.
        return None

    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        """Every member, inactive ones included, 50 a page; the pages after the first are fetched concurrently."""
        params = {"groupname": group.group_id, "includeInactiveUsers": "true"}
        for page in self.read_pages(f"{API}/group/member", params, PAGING, self.declares.member_page_size):
            yield MemberPage(self.read_values(page, user_from_json), page.total)

    # ------------------------------------------------------------------ writes

    def add_member(self, group: Group, user: User) -> str:
        """POST the membership; an existing member is refused with 400 "... is already a member of ..."."""
        return self.write_by_query(True, f"{API}/group/user", group, user, WRITES)

    def remove_member(self, group: Group, user: User) -> str:
        """DELETE the membership; a non-member is refused with 400 "... is not a member of ..."."""
        return self.write_by_query(False, f"{API}/group/user", group, user, WRITES)

    # ------------------------------------------------------------------ accounts (atlassian_user)

    account_abilities = ABILITIES

    def _account(self, ref: str) -> Account | None:
        """A username by GET user; an email among active and inactive users alike (exact address: Data Center lets
        users share one, and a shared one is refused rather than guessed). Inactive is deactivated: Data Center has
        no other way of taking access away."""
        if self.takes_as_email(ref):
            found = self._search(ref, active=True) + self._search(ref, active=False)
            if len(found) > 1:
                names = ", ".join(sorted(u.account_id for u in found))
                raise ResolutionError(f"{len(found)} users have the email '{ref}' ({names})", hint=USERNAME_REMEDY)
            user = found[0] if found else None
        else:
            user = self.get_user(ref.strip())
        return None if user is None else Account(user, ACCOUNT_ACTIVE if user.active else ACCOUNT_DEACTIVATED)

    def find_accounts(self, refs: list[str]) -> dict[str, Account | None]:
        return dict(zip(refs, self.concurrently(self._account, refs), strict=True))

    def create_account(self, email: str, options: dict) -> Account:
        """POST user with the username, display name and email; no password (the server generates one, and the
        person sets theirs from the set-up email: ``notification``)."""
        body = {"name": options["username"], "emailAddress": email, "displayName": options["display_name"]}
        if options.get("notification"):
            body["notification"] = "true"
        response = self.client.request("POST", f"{API}/user", json=body, accept=(400,))
        if response.status == 400:
            said = self.messages(response.body, "")
            made = self.get_user(options["username"]) if response.unclear_earlier else None
            if made is not None and any("already exists" in m for m in said):
                # Our own earlier attempt made it and its answer was lost: the retry hears "already exists".
                return Account(made, ACCOUNT_ACTIVE)
            raise self.client.error_for("POST", f"{API}/user", 400, response.body, "")
        return Account(self.read_answer(response, user_from_json), ACCOUNT_ACTIVE)

    def _set_active(self, account: Account, active: bool) -> str:
        try:
            self.client.request(
                "PUT", f"{API}/user", params={"username": account.user.account_id}, json={"active": active}
            )
        except HttpError as exc:
            if exc.status == 400 and TOO_OLD in exc.message:
                raise RefusedError(
                    f"{self.client.settings.base_url} cannot {'activate' if active else 'deactivate'} users through "
                    "its REST API (Jira before 8.3)",
                    hint="Upgrade Jira to 8.3 or later, or change the user in Administration > User management",
                ) from None
            raise
        return CHANGED

    def suspend_account(self, account: Account) -> str:
        return self._set_active(account, False)

    def restore_account(self, account: Account) -> str:
        return self._set_active(account, True)
