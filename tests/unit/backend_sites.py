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
    "admin": ("admin",),
}
# The default test seed's logins: Basic for the site APIs, the organisation API key for the Admin API.
SITE_LOGIN = {"username": "admin@acme.example", "api_token": "admin-api-token"}
ORG_API_KEY = "org-api-key"
# The default seed's organisation and its one directory, as the Admin API's paths name them.
# Searches name every directory ("-"); writes name the group's own, the seed's one directory.
_ADMIN_ORG = "/admin/v2/orgs/4a9b6c1e-2d3f-4e5a-8b7c-9d0e1f2a3b4c"
_ADMIN_DIRECTORY = f"{_ADMIN_ORG}/directories/-"
_ADMIN_WRITES = f"{_ADMIN_ORG}/directories/0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"


def login(emulator) -> dict:
    """The connection options of the seed's admin on the emulated site: url and credentials (for the Admin API, the
    organisation's API key and id)."""
    if emulator.products == ("admin",):
        return {"url": emulator.url, "bearer_token": ORG_API_KEY, "org_id": emulator.state.org.org_id}
    return {"url": emulator.url, **SITE_LOGIN}


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
    #: Member pages the default seed's big-group (120 members) fills: 50 a page (Confluence capped to 50 where the
    #: tests compare strategies), 100 on the Admin API.
    big_group_pages: int = 3
    #: The API shows every email, even one the user's profile hides (the organisation's Admin API).
    sees_hidden_emails: bool = False
    #: ``exclusive`` can tell the caller's own account, so that it is never removed (an organisation API key has none).
    knows_caller: bool = True
    #: One user in big-group is checked on its own, not by reading every page: where pages say the total, or
    #: where a full first page shows that more follow (Confluence Data Center's first page holds 50 of its 200 here).
    one_user_per_user: bool = True
    #: App (bot) accounts are there at all: the organisation's directory holds Atlassian accounts only.
    apps_listed: bool = True
    #: The method of a read: a GET, or the Admin API's search POSTs.
    read_method: str = "GET"
    #: An email is one person's account at most (Atlassian Cloud: one address, one Atlassian account), so a member
    #: showing it is its holder without a lookup; Jira Data Center users may share one, so every email is looked up.
    unique_emails: bool = True

    def hidden_email(self, email: str) -> str | None:
        """What a module shows of an email the user's profile hides: nothing, except to the organisation."""
        return email if self.sees_hidden_emails else None

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


DATA_CENTER = {"says_access": False, "account_types": False, "unique_emails": False}
FACTS = {
    "jira_cloud": Facts(True, True, True, "accountId", "site administration"),
    "jira_datacenter": Facts(True, True, False, "username", "Jira Administrators", **DATA_CENTER),
    "confluence_cloud": Facts(
        False, True, True, "accountId", "site administration", "permission to view users and groups", tells_active=False
    ),
    "confluence_datacenter": Facts(
        False,
        False,
        False,
        "username",
        "Confluence Administrator",
        "Can use",
        tells_active=False,
        one_user_per_user=False,
        **DATA_CENTER,
    ),
    # The directory does not say what a group grants (the API refuses deleting admin and default groups itself).
    "admin": Facts(
        True,
        True,
        True,
        "accountId",
        "API key",
        "API key",
        says_access=False,
        account_types=False,  # the directory holds Atlassian accounts only: apps and customers are nobody there
        apps_listed=False,
        big_group_pages=2,
        sees_hidden_emails=True,
        knows_caller=False,
        read_method="POST",
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


_ADMIN = r"/admin/v2/orgs/[^/]+/directories"
_ADMIN_KINDS = (
    (_ADMIN, "directory"),
    (_ADMIN + r"/[^/]+/groups/search|" + _ADMIN + r"/[^/]+/groups/[^/]+", "group"),
    (_ADMIN + r"/[^/]+/groups/[^/]+/memberships(/[^/]+)?", "write"),
)


def _admin_kind(record) -> str | None:
    """The Admin API answers several questions with one search: what the body asks says which."""
    if not record.path.startswith("/admin/"):
        return None
    if re.fullmatch(_ADMIN + r"/[^/]+/groups/search", record.path) and "accountIds" in (record.body or {}):
        return "groups_of"
    if re.fullmatch(_ADMIN + r"/[^/]+/users/search", record.path):
        body = record.body or {}
        if "groupIds" in body:
            return "members"
        if "emails" in body:
            return "email_search"
        return "user"
    return next((name for pattern, name in _ADMIN_KINDS if re.fullmatch(pattern, record.path)), None)


def kind(path: str) -> str:
    for pattern, name in _KINDS:
        if re.fullmatch(pattern, path):
            return name
    raise AssertionError(f"no kind for {path}")


def kinds(log) -> list[str]:
    """The kind of each request, in arrival order. Jira Data Center's groups_of is its user lookup with the groups
    expanded."""
    return ["groups_of" if _expands_groups(r) else _admin_kind(r) or kind(r.path) for r in log]


def _expands_groups(record) -> bool:
    return record.path == "/rest/api/2/user" and "groups" in (record.query.get("expand") or [""])[0]


def member_path(backend_name: str, group_id: str, group_name: str = "") -> str:
    """The path a backend reads a group's members from (for fault rules aimed at it)."""
    return {
        "confluence_cloud": f"/wiki/rest/api/group/{group_id}/membersByGroupId",
        "confluence_datacenter": f"/rest/api/group/{group_name}/member",
        "jira_datacenter": "/rest/api/2/group/member",
        # users/search with groupIds (a rule on this path also meets the task's other user searches)
        "admin": f"{_ADMIN_DIRECTORY}/users/search",
    }.get(backend_name, "/rest/api/3/group/member")


def write_method(backend_name: str, action: str) -> str:
    """The HTTP method of a membership write (``action``: add or remove)."""
    if backend_name == "confluence_datacenter":
        return "PUT" if action == "add" else "DELETE"
    return "POST" if action == "add" else "DELETE"


def write_rule(backend_name: str, action: str) -> dict:
    """What a fault rule aimed at membership writes matches: their method, and on the Admin API (whose searches are
    POSTs too) the path of the directory writes name."""
    rule = {"method": write_method(backend_name, action)}
    if backend_name == "admin":
        rule["path"] = _ADMIN_WRITES
    return rule
