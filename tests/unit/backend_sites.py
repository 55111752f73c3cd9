# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The backends the in-process tests run on: which products the emulated site serves for each, and what each logged
request was for whichever product API served it, so one test can count requests on every backend:
``kinds(emulator.log) == ["group", "members", ...]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

# backend name -> the products its emulated site serves (only its own: auto must find it there)
SITE_PRODUCTS = {
    "jira_cloud": ("jira",),
    "jira_datacenter": ("jira_datacenter",),
    "confluence_cloud": ("confluence",),
    "confluence_datacenter": ("confluence_datacenter",),
}


@dataclass(frozen=True)
class Facts:
    """What a test may expect of a backend where they differ (everything else must hold on all of them)."""

    #: One search request finds an email (Jira); Confluence Cloud looks in listings, Confluence DC cannot at all.
    email_search: bool
    #: Users can be given by email.
    emails: bool
    #: Groups have ids apart from their names (Cloud); on Data Center the name is the id.
    group_ids: bool
    #: What messages call a user's identifier.
    id_name: str
    #: Words a refused write's advice contains.
    admin_words: str
    #: Words a refused read's advice contains.
    read_words: str = "Browse users and groups"
    #: The API says which groups grant product or admin access (Cloud); on Data Center only well-known names tell.
    says_access: bool = True
    #: Accounts have types (people, apps, customers) on Cloud; on Data Center every account is a user.
    account_types: bool = True
    #: The API says whether an account is active (Jira); Confluence's user objects do not.
    tells_active: bool = True

    def group_id(self, name: str, cloud_id: str) -> str:
        """What ``group_id`` is for this group on this backend."""
        return cloud_id if self.group_ids else name

    def ident(self, user: dict) -> str:
        """A returned user's identifier: ``account_id`` on Cloud, ``username`` on Data Center."""
        return user["account_id"] if self.group_ids else user["username"]

    def members(self, emulator, group: str) -> set[str]:
        """The group's members in the emulator, as this backend identifies them (accountIds, or usernames)."""
        ids = emulator.members(group)
        return ids if self.group_ids else {emulator.state.user(i).username for i in ids}

    def group_result(self, name: str, cloud_id: str) -> dict:
        """How a module returns this group on this backend."""
        return {"name": name, "group_id": self.group_id(name, cloud_id)}

    def user_result(self, account_id: str, email: str | None, display_name: str) -> dict:
        """How a module returns a seeded user on this backend (the seed's usernames are its accountIds): Data Center
        has no accountIds, and Confluence Data Center shows no emails."""
        if self.group_ids:
            return {"account_id": account_id, "email": email, "display_name": display_name}
        shown = email if self.emails else None
        return {"account_id": None, "email": shown, "display_name": display_name, "username": account_id}


DATA_CENTER = {"says_access": False, "account_types": False}
FACTS = {
    "jira_cloud": Facts(True, True, True, "accountId", "site administration"),
    "jira_datacenter": Facts(True, True, False, "username", "Jira Administrators", **DATA_CENTER),
    "confluence_cloud": Facts(
        False, True, True, "accountId", "site administration", "permission to view users and groups", tells_active=False
    ),
    "confluence_datacenter": Facts(
        False, False, False, "username", "Confluence Administrator", "Can use", tells_active=False, **DATA_CENTER
    ),
}

_KINDS = (
    (r"/rest/api/[23]/serverInfo", "probe"),
    (r"/rest/api/3/group/bulk|/wiki/rest/api/group/by-(name|id)|/rest/api/2/groups/picker", "group"),
    (r"/rest/api/group/[^/]+", "group"),
    (
        r"/rest/api/[23]/group/member|/wiki/rest/api/group/[^/]+/membersByGroupId|/rest/api/group/[^/]+/member",
        "members",
    ),
    (r"/rest/api/[23]/user/search", "email_search"),
    (r"/wiki/rest/api/search/user", "name_search"),
    (r"/wiki/rest/api/group", "access_groups"),
    (r"/rest/api/[23]/user|/wiki/rest/api/user|/rest/api/user", "user"),
    (r"/rest/api/3/user/groups|/wiki/rest/api/user/memberof|/rest/api/user/memberof", "groups_of"),
    (r"/rest/api/[23]/group/user|/wiki/rest/api/group/userByGroupId|/rest/api/user/[^/]+/group/[^/]+", "write"),
    (r"/rest/api/[23]/myself|/wiki/rest/api/user/current|/rest/api/user/current", "caller"),
)


def kind(path: str) -> str:
    for pattern, name in _KINDS:
        if re.fullmatch(pattern, path):
            return name
    raise AssertionError(f"no kind for {path}")


def kinds(log) -> list[str]:
    """The kind of each request, in arrival order. Jira Data Center's groups_of is its user lookup with the groups
    expanded."""
    return ["groups_of" if _expands_groups(r) else kind(r.path) for r in log]


def _expands_groups(record) -> bool:
    return record.path == "/rest/api/2/user" and "groups" in (record.query.get("expand") or [""])[0]


def member_path(backend_name: str, group_id: str, group_name: str = "") -> str:
    """The path a backend reads a group's members from (for fault rules aimed at it)."""
    return {
        "confluence_cloud": f"/wiki/rest/api/group/{group_id}/membersByGroupId",
        "confluence_datacenter": f"/rest/api/group/{group_name}/member",
        "jira_datacenter": "/rest/api/2/group/member",
    }.get(backend_name, "/rest/api/3/group/member")


def write_method(backend_name: str, action: str) -> str:
    """The HTTP method of a membership write (``action``: add or remove)."""
    if backend_name == "confluence_datacenter":
        return "PUT" if action == "add" else "DELETE"
    return "POST" if action == "add" else "DELETE"
