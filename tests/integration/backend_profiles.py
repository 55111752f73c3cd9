# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""What the integration suites need to know about each backend: which products its emulated site serves, how its
requests look in the emulator's log, and where its behaviour legitimately differs (see docs/troubleshooting.md).

Every suite runs on each profile (``conftest.backend_profile``); the modules are given no ``backend`` option, so
``auto`` must find the backend on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BackendProfile:
    name: str
    products: tuple[str, ...]
    api_prefix: str
    # Paths in the emulator's log.
    members_pattern: str  # a group's member listing
    write_path: str  # membership add/remove
    group_lookup_path: str  # the group lookup by name
    # Statuses of a successful add and remove.
    added: int
    removed: int
    # The knob that caps member pages silently, and the page parameter that says where a page starts.
    page_cap_knob: str
    page_start: str
    page_size_param: str
    page_size: int
    totals_on_every_page: bool  # Jira's pages all carry total; Confluence's totalSize comes on the first page only
    # Differences in behaviour (the collection's design, per the API each speaks):
    resolves_hidden_emails: bool  # Jira's search finds a hidden email by the exact address; Confluence cannot
    finds_deactivated_by_email: bool  # Jira's user search skips them; Confluence's name search shows them
    email_not_found: str  # how the message for an email nobody has begins
    permission_words: tuple[str, ...]  # what a 403's remedy must name
    knows_inactive: bool  # Jira's user objects say "active"; Confluence's do not (null)
    write_answers_tell_races: bool  # Jira refuses a duplicate with 400; Confluence's answers are the same either way
    group_ids: bool = True  # Cloud groups have ids; Data Center's are known by name (a group's id is its name)
    account_types: bool = True  # Cloud accounts are people, apps or customers; on Data Center every account is a user
    knows_caller: bool = True  # exclusive can keep the caller; an organisation API key belongs to no account
    # An email is one Atlassian account's on Cloud (a member showing it needs no lookup); Data Center users may share
    # one (the default seed's Pat Twin (old) has Pat Twin's there only).
    unique_emails: bool = True

    def write_path_of(self, group_id: str, account_id: str | None = None) -> str:
        """A membership write's path (the group and user are in its query or body on the site APIs)."""
        return self.write_path

    def group_ref(self, name: str, group_id: str) -> str:
        """What ``group_id`` is for this group on this backend (Data Center: the name)."""
        return group_id if self.group_ids else name

    def group_query(self, name: str, group_id: str) -> dict[str, str]:
        """The query a membership write names the group by (for fault rules aimed at one group's writes)."""
        return {"groupId": group_id} if self.group_ids else {"groupname": name}

    def user_query(self, account_id: str) -> dict[str, str]:
        """The query a removal names the user by (for fault rules aimed at one user's writes)."""
        return {"accountId": account_id} if self.group_ids else {"username": account_id}

    def ident(self, user: dict) -> str:
        """A returned user's identifier: ``account_id``, or on Data Center ``username`` (the seed's accountId)."""
        return user["account_id"] if self.group_ids else user["username"]

    def summary(self, account_id: str, email: str | None, display_name: str) -> dict:
        """How a module returns a seeded user on this backend (on Data Center, the seed's usernames are its
        accountIds)."""
        if self.group_ids:
            return {"account_id": account_id, "email": email, "display_name": display_name}
        return {"account_id": None, "email": email, "display_name": display_name, "username": account_id}

    def is_member_read(self, record, group_id: str | None = None) -> bool:
        """A request for a member page (of this group, when given)."""
        if record.method != "GET" or re.fullmatch(self.members_pattern, record.path) is None:
            return False
        if group_id is None or group_id in record.path:
            return True
        return record.query.get("groupId") == [group_id] or record.query.get("groupname") == [group_id]

    def error_body(self, status: int, message: str) -> dict:
        """An error answer as this product words it (for fault rules that return a refusal)."""
        if self.name == "confluence_cloud":
            errors = [{"message": {"translation": message, "args": []}}]
            return {"statusCode": status, "data": {"errors": errors}, "message": message}
        return {"errorMessages": [message], "errors": {}}

    def serves(self, path: str) -> bool:
        """Whether a logged path is this backend's API (on a Confluence-only site, auto's probe of Jira is not)."""
        return path.startswith(self.api_prefix + "/")

    def reads_every_member_of(self, record, group_id: str) -> bool:
        """A member-page request for this group that lists deactivated members too (Jira must be asked to;
        Confluence's listing has no such switch)."""
        if self.name == "jira_cloud":
            return record.query.get("groupId") == [group_id] and record.query.get("includeInactiveUsers") == ["true"]
        if self.name == "jira_datacenter":
            return record.query.get("groupname") == [group_id] and record.query.get("includeInactiveUsers") == ["true"]
        return f"/{group_id}/" in record.path

    def member_reads(self, emulator, group_id: str | None = None) -> list:
        """The member-listing requests (of this group, when given), in arrival order."""
        return [r for r in emulator.log if self.is_member_read(r, group_id)]

    def page_starts(self, reads) -> list[int]:
        """Where each member-page request started, sorted."""
        return sorted(int(start) for r in reads for start in r.query[self.page_start])

    def hidden_email_ref(self, account_id: str, email: str) -> str:
        """How a task can name a person who hides their email: the email where the backend can find it by the
        exact address, else the accountId."""
        return email if self.resolves_hidden_emails else account_id

    def member_path(self, group_id: str) -> str:
        """The member listing's path for one group (for fault rules aimed at it)."""
        return self.members_pattern.replace("[^/]+", group_id)


JIRA_CLOUD = BackendProfile(
    name="jira_cloud",
    products=("jira",),
    api_prefix="/rest/api",
    members_pattern="/rest/api/3/group/member",
    write_path="/rest/api/3/group/user",
    group_lookup_path="/rest/api/3/group/bulk",
    added=201,
    removed=200,
    page_cap_knob="member_page_cap",
    page_start="startAt",
    page_size_param="maxResults",
    page_size=50,
    totals_on_every_page=True,
    resolves_hidden_emails=True,
    finds_deactivated_by_email=False,
    email_not_found="No active Atlassian account was found with email",
    permission_words=("site administration", "site-admins", "Browse users"),
    knows_inactive=True,
    write_answers_tell_races=True,
)
CONFLUENCE_CLOUD = BackendProfile(
    name="confluence_cloud",
    products=("confluence",),
    api_prefix="/wiki/rest/api",
    members_pattern="/wiki/rest/api/group/[^/]+/membersByGroupId",
    write_path="/wiki/rest/api/group/userByGroupId",
    group_lookup_path="/wiki/rest/api/group/by-name",
    added=201,
    removed=204,
    page_cap_knob="confluence_page_cap",
    page_start="start",
    page_size_param="limit",
    page_size=200,
    totals_on_every_page=False,
    resolves_hidden_emails=False,
    finds_deactivated_by_email=True,
    email_not_found="No Confluence account was found with email",
    permission_words=("site administration", "write:confluence-groups"),
    knows_inactive=False,
    write_answers_tell_races=False,
)
# Groups are named, not numbered, on Data Center: the tests' group ids are names there (see group_ref).
JIRA_DATACENTER = BackendProfile(
    name="jira_datacenter",
    products=("jira_datacenter",),
    api_prefix="/rest/api",
    members_pattern="/rest/api/2/group/member",
    write_path="/rest/api/2/group/user",
    group_lookup_path="/rest/api/2/groups/picker",
    added=201,
    removed=200,
    page_cap_knob="member_page_cap",
    page_start="startAt",
    page_size_param="maxResults",
    page_size=50,
    totals_on_every_page=True,
    resolves_hidden_emails=False,
    finds_deactivated_by_email=False,
    email_not_found="No active Jira user was found with email",
    permission_words=("Jira Administrators", "Browse users and groups"),
    knows_inactive=True,
    write_answers_tell_races=True,
    group_ids=False,
    account_types=False,
    unique_emails=False,
)
# The Admin API: searches (POSTs) name every directory ("-"); writes name the group's own, the default seed's one.
ADMIN_ORG_PATH = "/admin/v2/orgs/4a9b6c1e-2d3f-4e5a-8b7c-9d0e1f2a3b4c"
ADMIN_DIRECTORY_PATH = f"{ADMIN_ORG_PATH}/directories/0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"


@dataclass(frozen=True)
class AdminProfile(BackendProfile):
    """The organisation's Admin API: members are read with a search (a POST naming the group in its body), and the
    writes name the group, and a removal the user, in the path."""

    def is_member_read(self, record, group_id: str | None = None) -> bool:
        if record.method != "POST" or re.fullmatch(self.members_pattern, record.path) is None:
            return False
        groups = (record.body or {}).get("groupIds")
        return groups is not None and (group_id is None or group_id in groups)

    def reads_every_member_of(self, record, group_id: str) -> bool:
        return self.is_member_read(record, group_id)  # the search lists every status unless asked otherwise

    def group_query(self, name: str, group_id: str) -> dict[str, str]:
        return {}

    def user_query(self, account_id: str) -> dict[str, str]:
        return {}

    def write_path_of(self, group_id: str, account_id: str | None = None) -> str:
        """A membership write's path: the group's, and a removal's user."""
        path = f"{ADMIN_DIRECTORY_PATH}/groups/{group_id}/memberships"
        return f"{path}/{account_id}" if account_id else path

    def member_path(self, group_id: str) -> str:
        return self.members_pattern  # one search path for every group (a rule on it meets every user search)


ADMIN = AdminProfile(
    name="admin",
    products=("admin",),
    api_prefix="/admin",
    members_pattern=f"{ADMIN_ORG_PATH}/directories/-/users/search",
    write_path=f"{ADMIN_DIRECTORY_PATH}/groups",
    group_lookup_path=f"{ADMIN_ORG_PATH}/directories/-/groups/search",
    added=204,
    removed=204,
    page_cap_knob="member_page_cap",  # not applied: the search pages 100 at a time
    page_start="cursor",
    page_size_param="limit",
    page_size=100,
    totals_on_every_page=False,
    resolves_hidden_emails=True,  # the organisation sees every email
    finds_deactivated_by_email=True,  # and every account, deactivated ones too
    email_not_found="No active account in the organisation's directory was found with email",
    permission_words=("API key",),
    knows_inactive=True,
    write_answers_tell_races=False,  # a removal answers 204 whether or not it changed anything
    account_types=False,  # the directory holds Atlassian accounts only: a site's app account is nobody there
    knows_caller=False,
)
PROFILES = {p.name: p for p in (JIRA_CLOUD, CONFLUENCE_CLOUD, JIRA_DATACENTER, ADMIN)}
# Where every integration test runs; the others where a test asks (pytest.mark.backends).
DEFAULT_PROFILES = ("confluence_cloud", "jira_cloud")
