# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The one table of the backends the tests run on (``BACKENDS``): for each, the products its emulated site serves,
what the in-process suites may expect of it where backends differ (``Facts``), and what the playbook suites need to
know (``BackendProfile``: paths in the emulator's log, success statuses, page knobs, documented differences; see
docs/troubleshooting.md). Every parametrized suite and the contract tests read it, and the conformance test holds it
to the collection's own backend table.

It also says what each logged request was for whichever product API served it, so one test can count requests on
every backend: ``kinds(emulator.log) == ["group", "members", ...]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The default test seed's logins: Basic for the site APIs, the organisation API key for the Admin API.
SITE_LOGIN = {"username": "admin@acme.example", "api_token": "admin-api-token"}
ORG_API_KEY = "org-api-key"
# The default seed's organisation and its one directory, as the Admin API's paths name them.
# Searches name every directory ("-"); writes name the group's own, the seed's one directory.
ADMIN_ORG_PATH = "/admin/v2/orgs/4a9b6c1e-2d3f-4e5a-8b7c-9d0e1f2a3b4c"
ADMIN_DIRECTORY_PATH = f"{ADMIN_ORG_PATH}/directories/0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
_ADMIN_DIRECTORY = f"{ADMIN_ORG_PATH}/directories/-"
_ADMIN_WRITES = ADMIN_DIRECTORY_PATH


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
FACTS_OF = {
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


@dataclass(frozen=True)
class TestBackend:
    """One row of the table: a backend the collection has (``_backends._table.BACKENDS``), as the tests see it."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    name: str
    #: The products its emulated site serves (only its own: auto must find it there).
    products: tuple[str, ...]
    facts: Facts
    #: What the playbook suites need; None where they do not run on it (its module-level behaviour is covered by
    #: the in-process suites, which run on every backend).
    profile: BackendProfile | None


BACKENDS = {
    row.name: row
    for row in (
        TestBackend("jira_cloud", ("jira",), FACTS_OF["jira_cloud"], JIRA_CLOUD),
        TestBackend("jira_datacenter", ("jira_datacenter",), FACTS_OF["jira_datacenter"], JIRA_DATACENTER),
        TestBackend("confluence_cloud", ("confluence",), FACTS_OF["confluence_cloud"], CONFLUENCE_CLOUD),
        TestBackend("confluence_datacenter", ("confluence_datacenter",), FACTS_OF["confluence_datacenter"], None),
        TestBackend("admin", ("admin",), FACTS_OF["admin"], ADMIN),
    )
}
# What the suites read, derived from the table.
SITE_PRODUCTS = {name: row.products for name, row in BACKENDS.items()}
FACTS = {name: row.facts for name, row in BACKENDS.items()}
PROFILES = {name: row.profile for name, row in BACKENDS.items() if row.profile is not None}
# Where every integration test runs; the others where a test asks (pytest.mark.backends).
DEFAULT_PROFILES = ("confluence_cloud", "jira_cloud")
