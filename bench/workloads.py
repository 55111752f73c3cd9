# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The benchmark's workloads: the emulator seed each starts from, what is asked, and what must be true afterwards.

Membership of one group (issue 4), the group's view (``atlassian_group_member``):

- W1: onboard ``newcomers`` users, given by email, into a group that already has ``members`` members.
- W2: W1 again: the group already holds everyone, nothing may change.
- W3: ``exclusive`` sync of the ``members``-member group where ``differ`` of the members differ: that many members
  are dropped from the list and as many newcomers are added to it.

Groups and people as code (issue 12):

- W4: offboard one leaver, given by email and deactivated, who is in ``leaver_groups`` of the site's ``groups``
  groups (one of them the product-access group everyone of the ``staff`` is in; the others are teams of 10).
- W5: create ``teams`` team groups and fill each with ``team_size`` people, given by email.

A file of teams (issue 19), ``atlassian_groups``:

- W5 again, as one task (variant (c)).
- W7: reconcile ``reconcile_groups`` team groups of ``reconcile_size`` people (by email) with ``reconcile_drift`` of
  the memberships differing (half adds, half removes), ``reconcile_new`` of the groups to create and
  ``reconcile_unlisted`` groups under the owned prefix that the file does not list (deleted), ``exclusive`` and
  ``purge_prefix``; against a loop of ``atlassian_group_member`` with ``exclusive`` (and ``atlassian_group`` for the
  groups to create and delete). Jira Cloud only.

Joiners (issue 18):

- W6: onboard ``hires`` new hires who have no account yet into ``HIRE_GROUPS`` groups each (Jira Cloud only: the
  invitation is Jira's createUser there, with ``products``).

Each runs on a Jira Cloud site (``backend: jira_cloud``); W1, W2, W4 and W5 also on a Confluence-only Cloud site
(``backend: confluence_cloud``, seeded with ``products: [confluence]``); W1 and W2 also on a Jira Data Center server
(``backend: jira_datacenter``, ``products: [jira_datacenter]``, issue 10). Confluence has no email search: an email
resolves from the member listings of the target group and of the groups that grant Confluence access, so on those
sites the people being added are in such a group (``access: {confluence: user}``), as every user with Confluence
access is. Data Center has no accountIds and no group ids: people are known by username (the generated ones are
``new-hires-0001`` and so on, the emulator's scheme), found by email with ``user/search?username=``, and groups by
name; the bench's admin logs in with its username and password. W1 and W2 also run on an organisation's directory
through the Atlassian Admin API v2 (``backend: admin``, ``products: [admin]``, issue 11): the same people and groups,
reached with an organisation API key (a bearer token and the organisation's id, no site login); users are found by
exact email with ``users/search``, groups by exact name with ``groups/search``, and a group's members are read with
``users/search`` by ``groupIds``, 100 a page, by cursor (no total, so one page after the other). Every email is
visible (no privacy setting hides one).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

GROUP = "engineering"
NEWCOMER_GROUP = "new-hires"  # where the newcomers' accounts come from: they exist on the site, in another group
STAFF_GROUP = "staff"  # W4, W5: the product-access group everyone on the site is in
EMAIL_DOMAIN = "bulk.example"
ADMIN_EMAIL = "admin@bench.example"
ADMIN_TOKEN = "bench-api-token"  # on Data Center: the admin's password
ADMIN_USERNAME = "bench-admin"  # Data Center's login name for the admin (Basic auth there is username + password)
ADMIN_ACCOUNT_ID = "5b10a2844c20165700bench1"
# The Admin API's organisation, its one directory, and the organisation API key the bench's admin holds.
ORG_ID = "0b3c8e6a-1b2c-4f00-9a00-00000000be01"
DIRECTORY_ID = "0b3c8e6a-1b2c-4d00-9b00-00000000be02"
ORG_API_KEY = "bench-org-api-key"
LEAVER_ACCOUNT_ID = "5b10a2844c20165700leaver"
LEAVER_EMAIL = f"leaver@{EMAIL_DOMAIN}"
TEAM_GROUP_MEMBERS = 10  # W4: people in each team group besides the leaver
HIRE_GROUPS = ("jira-software-users", "team-platform", "team-onboarding")  # W6: the groups every new hire joins
HIRE_DOMAIN = "hires.example"  # W6: the new hires' addresses (no account has one yet)

JIRA = "jira_cloud"
CONFLUENCE = "confluence_cloud"
JIRA_DC = "jira_datacenter"
ADMIN = "admin"
BACKENDS = (JIRA, CONFLUENCE, JIRA_DC, ADMIN)
# The emulator's products (the seed's ``products:``) that make each site.
PRODUCT = {JIRA: "jira", CONFLUENCE: "confluence", JIRA_DC: "jira_datacenter", ADMIN: "admin"}
# How the table's rows name each site's workloads ("W1", "Confluence W1", "Jira DC W1", "Admin W1").
KEY_PREFIX = {JIRA: "", CONFLUENCE: "Confluence ", JIRA_DC: "Jira DC ", ADMIN: "Admin "}
# The site's base URL the emulator reports (serverInfo's baseUrl); the bench talks to the emulator's own address.
# The Admin API is the organisation's (api.atlassian.com in real life): this is the site the organisation holds.
SITE_URL = {
    JIRA: "https://bench.atlassian.net",
    CONFLUENCE: "https://bench.atlassian.net",
    JIRA_DC: "https://jira.bench.example",
    ADMIN: "https://bench.atlassian.net",
}
# Members a page holds: Jira (Cloud and Data Center) caps group/member at 50, Confluence's membersByGroupId takes up
# to 200, the Admin API's users/search (by groupIds) up to 100.
MEMBER_PAGE_SIZE = 50
PAGE_SIZE = {JIRA: MEMBER_PAGE_SIZE, CONFLUENCE: 200, JIRA_DC: MEMBER_PAGE_SIZE, ADMIN: 100}
# Jira's users/search (every account, deactivated ones included) holds up to 1000 a page.
ALL_USERS_PAGE = 1000
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "W7")
# Which workloads run on which backend. W3 is not asked of Confluence (issue 9 asks for W1 and W2); issue 10 asks for
# W1 and W2 on Jira Data Center, issue 11 for W1 and W2 on the Admin API (where W3 could not run: the collection
# refuses exclusive on backend admin).
# W6 runs on Jira Cloud only (issue 18).
ON_BACKEND = {JIRA: WORKLOADS, CONFLUENCE: ("W1", "W2", "W4", "W5"), JIRA_DC: ("W1", "W2"), ADMIN: ("W1", "W2")}

MEMBERSHIP = "membership"  # W1-W3
OFFBOARD = "offboard"  # W4
TEAMS = "teams"  # W5
RECONCILE = "reconcile"  # W7
TEAM_PREFIX = "team-"  # W7: the prefix the teams file owns
JOINERS = "joiners"  # W6


@dataclass(frozen=True)
class Sizes:
    members: int = 2000
    newcomers: int = 500
    differ: float = 0.05
    groups: int = 300  # W4: groups on the site
    leaver_groups: int = 30  # W4: of which the leaver is in
    staff: int = 500  # W4: people on the site besides the leaver
    teams: int = 20  # W5
    team_size: int = 10  # W5
    reconcile_groups: int = 300  # W7
    reconcile_size: int = 30  # W7
    reconcile_drift: float = 0.05  # W7
    reconcile_new: int = 3  # W7
    reconcile_unlisted: int = 2  # W7
    hires: int = 100  # W6

    @property
    def differing(self) -> int:
        return max(1, round(self.members * self.differ))


@dataclass(frozen=True)
class Person:
    account_id: str
    email: str


def generated(group: str, count: int) -> list[Person]:
    """The accounts the emulator's ``generate:`` seed entry makes (same accountId and email scheme)."""
    return [
        Person(hashlib.sha1(f"{group}:{i}".encode()).hexdigest()[:24], f"{group}-{i:04d}@{EMAIL_DOMAIN}")
        for i in range(1, count + 1)
    ]


@dataclass(frozen=True)
class LoopBatch:
    """One ``loop:`` of variant (b): one task per user, all with the same ``state``."""

    label: str
    state: str
    users: tuple[str, ...]


@dataclass
class Workload:
    key: str  # as the table shows it: "W1" on Jira Cloud, "Confluence W1", "Jira DC W1", "Admin W1"
    title: str
    seed: dict
    min_requests: int
    min_requests_note: str
    name: str = ""  # W1 ... W5, whatever the backend
    kind: str = MEMBERSHIP
    backend: str = JIRA  # what the module variants name in ATLASSIAN_BACKEND
    # W1-W3
    group: str = GROUP
    users: list[str] = field(default_factory=list)  # emails, in the order given
    exclusive: bool = False
    expected: set[str] = field(default_factory=set)  # accountIds (the emulator's ids) of the members afterwards
    loop: list[LoopBatch] = field(default_factory=list)  # what variant (b) runs, one task per user
    member_pages: int = 0  # pages the group's members fill when the job starts
    account_of: dict[str, str] = field(default_factory=dict)  # email -> accountId, for checking samples
    # W4: the leaver, and every group's members afterwards (name -> accountIds); leaver_groups in the seed's order
    leaver: Person | None = None
    after: dict[str, set[str]] = field(default_factory=dict)
    leaver_groups: list[str] = field(default_factory=list)
    # W5: team group name -> its people's emails, in the order given
    teams: dict[str, list[str]] = field(default_factory=dict)
    tasks_a: int = 1  # tasks variant (a) runs (W5: two loops)
    # W7: the groups to delete (unlisted under the prefix), and those to create
    unlisted: list[str] = field(default_factory=list)
    new_groups: list[str] = field(default_factory=list)
    # W6: the new hires' emails, in the order given
    hires: list[str] = field(default_factory=list)

    @property
    def product(self) -> str:
        return PRODUCT[self.backend]

    def lower_bound_seconds(self, rate_limit_rps: float) -> float:
        return self.min_requests / rate_limit_rps


def key_of(name: str, backend: str) -> str:
    return KEY_PREFIX[backend] + name


def login(backend: str) -> tuple[str, str]:
    """What the admin authenticates with (Basic): email and API token on Cloud, username and password on Data
    Center. The Admin API takes no login: see ``org_key``."""
    if backend == ADMIN:
        raise ValueError("the Admin API takes an organisation API key (org_key()), not a login")
    return (ADMIN_USERNAME if backend == JIRA_DC else ADMIN_EMAIL), ADMIN_TOKEN


def org_key() -> tuple[str, str]:
    """The Admin API's credential: (organisation API key, organisation id), a bearer token for that organisation."""
    return ORG_API_KEY, ORG_ID


def _site(backend: str) -> dict:
    admin = {"account_id": ADMIN_ACCOUNT_ID, "display_name": "Bench Admin", "email": ADMIN_EMAIL}
    if backend == ADMIN:
        # The organisation, its one directory (every group is in it), and its API key: nothing else gets in.
        return {
            "site": SITE_URL[backend],
            "products": [PRODUCT[backend]],
            "org": {
                "org_id": ORG_ID,
                "name": "Bench",
                "directories": [{"directory_id": DIRECTORY_ID, "name": "Bench"}],
            },
            "users": [admin],
            "credentials": [{"bearer_token": ORG_API_KEY, "org_id": ORG_ID}],
        }
    if backend == JIRA_DC:
        admin["username"] = ADMIN_USERNAME
    return {
        "site": SITE_URL[backend],
        "products": [PRODUCT[backend]],
        "users": [admin],
        # On Data Center the emulator also takes the account's username as the Basic login (see login()).
        "credentials": [{"email": ADMIN_EMAIL, "api_token": ADMIN_TOKEN, "site_admin": True}],
    }


def _seed(sizes: Sizes, backend: str, extra_members: list[str] = ()) -> dict:
    seed = _site(backend)
    newcomers: dict = {"group": NEWCOMER_GROUP, "members": sizes.newcomers, "email_domain": EMAIL_DOMAIN}
    if backend == CONFLUENCE:
        # Where Confluence resolves the newcomers' emails: the listings of the groups that grant it.
        newcomers["access"] = {"confluence": "user"}
    seed["generate"] = [{"group": GROUP, "members": sizes.members, "email_domain": EMAIL_DOMAIN}, newcomers]
    if extra_members:
        seed["groups"] = [{"name": GROUP, "members": list(extra_members)}]
    return seed


def pages(count: int, size: int = MEMBER_PAGE_SIZE) -> int:
    return math.ceil(count / size)


def _searches(count: int) -> str:
    return f"{count} search" + ("" if count == 1 else "es")


def _n(count: int, what: str) -> str:
    """ "1 page", "3 pages" (``what`` is singular)."""
    return f"{count} {what}" if count == 1 else f"{count} {what}s"


def build(sizes: Sizes = Sizes(), backends: tuple[str, ...] = (JIRA,)) -> list[Workload]:
    """Every workload on every backend asked for (where ON_BACKEND runs it), in the table's order: W1-W3 on Jira
    (issue 4's rows), W1 and W2 on Confluence, W1 and W2 on Jira Data Center, then W4 and W5 on each backend that
    runs them."""
    out = []
    for backend in backends:
        out += [w for w in membership(sizes, backend) if w.name in ON_BACKEND[backend]]
    for backend in backends:
        if "W4" in ON_BACKEND[backend]:
            out.append(offboard(sizes, backend))
    for backend in backends:
        if "W5" in ON_BACKEND[backend]:
            out.append(new_teams(sizes, backend))
    for backend in backends:
        if "W7" in ON_BACKEND[backend]:
            out.append(reconcile(sizes, backend))
        if "W6" in ON_BACKEND[backend]:
            out.append(joiners(sizes, backend))
    return out


def membership(sizes: Sizes, backend: str = JIRA) -> list[Workload]:
    members = generated(GROUP, sizes.members)
    newcomers = generated(NEWCOMER_GROUP, sizes.newcomers)
    account_of = {p.email: p.account_id for p in members + newcomers}
    current = {p.account_id for p in members}
    joined = current | {p.account_id for p in newcomers}
    emails = [p.email for p in newcomers]
    size = PAGE_SIZE[backend]
    common = {"backend": backend, "group": GROUP, "account_of": account_of}

    if backend in (JIRA, JIRA_DC, ADMIN):
        # Data Center's group lookup is the group picker, its search user/search?username=; the Admin API's are
        # groups/search by groupNames and users/search by emails, a hundred emails a search.
        lookups = pages(sizes.newcomers, 100) if backend == ADMIN else sizes.newcomers
        w1_min = 1 + pages(sizes.members, size) + lookups + sizes.newcomers
        searches = _searches(lookups) + (" of 100 emails" if backend == ADMIN else "")
        w1_note = (
            f"1 group lookup + {_n(pages(sizes.members, size), 'member page')} + {searches} "
            f"+ {_n(sizes.newcomers, 'add')}"
        )
    else:
        # No email search: the newcomers' emails come from the listing of the group that grants Confluence access.
        w1_min = 1 + pages(sizes.members, size) + 1 + pages(sizes.newcomers, size) + sizes.newcomers
        w1_note = (
            f"1 group lookup + {_n(pages(sizes.members, size), 'member page')} + 1 list of the groups granting "
            f"access + {_n(pages(sizes.newcomers, size), 'page')} of {NEWCOMER_GROUP} + {_n(sizes.newcomers, 'add')}"
        )
    w1 = Workload(
        key=key_of("W1", backend),
        name="W1",
        title=f"onboard {sizes.newcomers} users by email into a {sizes.members}-member group",
        seed=_seed(sizes, backend),
        users=emails,
        exclusive=False,
        expected=joined,
        loop=[LoopBatch("add", "present", tuple(emails))],
        min_requests=w1_min,
        min_requests_note=w1_note,
        member_pages=pages(sizes.members, size),
        **common,
    )
    w2_pages = pages(sizes.members + sizes.newcomers, size)
    # Nothing changes. On Atlassian Cloud an address is one Atlassian account's, so a member showing the email is its
    # holder: no lookup (docs/identity.md). Jira Data Center users may share an address, so there every email is
    # looked up, the members' too (issue 16): one search each.
    w2_lookups = sizes.newcomers if backend == JIRA_DC else 0
    w2_lookups_note = f" + {_searches(sizes.newcomers)}" if w2_lookups else ""
    w2 = Workload(
        key=key_of("W2", backend),
        name="W2",
        title="W1 again (nothing changes)",
        seed=_seed(sizes, backend, [p.account_id for p in newcomers]),
        users=emails,
        exclusive=False,
        expected=joined,
        loop=[LoopBatch("keep", "present", tuple(emails))],
        min_requests=1 + w2_pages + w2_lookups,
        min_requests_note=f"1 group lookup + {_n(w2_pages, 'member page')}{w2_lookups_note}",
        member_pages=w2_pages,
        **common,
    )
    d = sizes.differing
    dropped, kept = members[:d], members[d:]
    added = newcomers[:d]
    desired = [p.email for p in kept + added]
    w3 = Workload(
        key=key_of("W3", backend),
        name="W3",
        title=f"exclusive sync of a {sizes.members}-member group, {d} in and {d} out",
        seed=_seed(sizes, backend),
        users=desired,
        exclusive=True,
        expected={p.account_id for p in kept + added},
        loop=[
            LoopBatch("keep", "present", tuple(p.email for p in kept)),
            LoopBatch("add", "present", tuple(p.email for p in added)),
            LoopBatch("remove", "absent", tuple(p.email for p in dropped)),
        ],
        # Jira Cloud only: the kept members' emails show in the listing, so only the newcomers are searched.
        min_requests=1 + pages(sizes.members, size) + 3 * d,
        min_requests_note=f"1 group lookup + {pages(sizes.members, size)} member pages + {d} searches + {d} adds "
        f"+ {d} removes",
        member_pages=pages(sizes.members, size),
        **common,
    )
    return [w1, w2, w3]


def _spread(count: int, among: int) -> list[int]:
    """``count`` indices spread evenly over ``range(among)``."""
    return sorted({(i * among) // count for i in range(count)}) if count else []


def offboard(sizes: Sizes, backend: str = JIRA) -> Workload:
    """W4: the leaver is in the staff group (which grants product access) and in leaver_groups - 1 of the
    groups - 1 team groups; each team group also has 10 of the staff."""
    if not 1 <= sizes.leaver_groups <= sizes.groups:
        raise ValueError("W4 needs 1 <= leaver groups <= groups")
    staff = generated(STAFF_GROUP, sizes.staff)
    teams = [f"team-{i:03d}" for i in range(1, sizes.groups)]
    with_leaver = {teams[i] for i in _spread(sizes.leaver_groups - 1, len(teams))}
    per_team = min(TEAM_GROUP_MEMBERS, sizes.staff)
    team_members = {
        name: [staff[(i * per_team + j) % len(staff)].account_id for j in range(per_team)] if staff else []
        for i, name in enumerate(teams)
    }
    seed = _site(backend)
    seed["users"].append(
        {"account_id": LEAVER_ACCOUNT_ID, "display_name": "Lee Leaver", "email": LEAVER_EMAIL, "active": False}
    )
    seed["generate"] = [
        {
            "group": STAFF_GROUP,
            "members": sizes.staff,
            "email_domain": EMAIL_DOMAIN,
            "access": {PRODUCT[backend]: "user"},
        }
    ]
    seed["groups"] = [{"name": STAFF_GROUP, "members": [LEAVER_ACCOUNT_ID]}] + [
        {"name": name, "members": team_members[name] + ([LEAVER_ACCOUNT_ID] if name in with_leaver else [])}
        for name in teams
    ]
    after = {STAFF_GROUP: {p.account_id for p in staff}, **{name: set(m) for name, m in team_members.items()}}
    n = sizes.leaver_groups
    if backend == JIRA:
        lookups = pages(sizes.staff + 2, ALL_USERS_PAGE)
        min_requests = lookups + 1 + n
        note = (
            f"{_n(lookups, 'page')} of every account (user search does not show a deactivated one) + 1 read of the "
            f"leaver's groups + {_n(n, 'remove')}"
        )
    else:
        lookups = 1 + pages(sizes.staff + 1, PAGE_SIZE[backend])
        min_requests = lookups + 1 + n
        note = (
            f"1 list of the groups granting access + {_n(lookups - 1, 'page')} of {STAFF_GROUP} (to find the email) "
            f"+ 1 read of the leaver's groups + {_n(n, 'remove')}"
        )
    return Workload(
        key=key_of("W4", backend),
        name="W4",
        kind=OFFBOARD,
        backend=backend,
        title=f"offboard a deactivated leaver, by email, who is in {n} of {sizes.groups} groups",
        seed=seed,
        min_requests=min_requests,
        min_requests_note=note,
        leaver=Person(LEAVER_ACCOUNT_ID, LEAVER_EMAIL),
        after=after,
        leaver_groups=[STAFF_GROUP] + [t for t in teams if t in with_leaver],
    )


def new_teams(sizes: Sizes, backend: str = JIRA) -> Workload:
    """W5: teams x team_size people exist (in the staff group, which grants product access); each team's group does
    not yet."""
    people = generated(STAFF_GROUP, sizes.teams * sizes.team_size)
    teams = {
        f"squad-{t + 1:02d}": [p.email for p in people[t * sizes.team_size : (t + 1) * sizes.team_size]]
        for t in range(sizes.teams)
    }
    seed = _site(backend)
    seed["generate"] = [
        {
            "group": STAFF_GROUP,
            "members": len(people),
            "email_domain": EMAIL_DOMAIN,
            "access": {PRODUCT[backend]: "user"},
        }
    ]
    t, n = sizes.teams, len(people)
    if backend == JIRA:
        min_requests = 2 * t + 2 * n
        note = f"{_n(t, 'group lookup')} + {_n(t, 'create')} + {n} searches + {_n(n, 'add')}"
    else:
        staff_pages = pages(n, PAGE_SIZE[backend])
        min_requests = 2 * t + 1 + staff_pages + n
        note = (
            f"{_n(t, 'group lookup')} + {_n(t, 'create')} + 1 list of the groups granting access + "
            f"{_n(staff_pages, 'page')} of {STAFF_GROUP} + {_n(n, 'add')}"
        )
    return Workload(
        key=key_of("W5", backend),
        name="W5",
        kind=TEAMS,
        backend=backend,
        title=f"create {t} team groups and fill each with {sizes.team_size} people by email",
        seed=seed,
        min_requests=min_requests,
        min_requests_note=note,
        teams=teams,
        account_of={p.email: p.account_id for p in people},
        tasks_a=2 * t,
    )


def reconcile(sizes: Sizes, backend: str = JIRA) -> Workload:
    """W7: a file of ``reconcile_groups`` teams of ``reconcile_size`` people; on the site, all but ``reconcile_new`` of
    the groups exist, ``reconcile_drift`` of the file's memberships differ (half missing, half extra people), and
    ``reconcile_unlisted`` groups under the prefix are not in the file. People are in several teams (overlapping
    windows of a staff of five people per team), as in a real organisation."""
    g, size = sizes.reconcile_groups, sizes.reconcile_size
    step = 5
    people = generated(STAFF_GROUP, max(size + step, g * step))
    n = len(people)
    names = [f"{TEAM_PREFIX}{i + 1:03d}" for i in range(g + sizes.reconcile_unlisted)]
    file = {names[i]: [people[(i * step + k) % n] for k in range(size)] for i in range(g)}
    existing = g - sizes.reconcile_new
    current = {name: list(file[name]) for name in names[:existing]}
    changes = max(2, round(g * size * sizes.reconcile_drift))
    for c in range(changes // 2):
        name = names[c * existing // max(1, changes // 2)]
        missing = file[name][c % size]
        if missing in current[name]:
            current[name].remove(missing)  # an add
        extra = people[(names.index(name) * step + size + c % step) % n]
        if extra not in file[name] and extra not in current[name]:
            current[name].append(extra)  # a remove
    for i in range(g, g + sizes.reconcile_unlisted):
        current[names[i]] = [people[(i * step + k) % n] for k in range(size)]
    adds = sum(len(set(file[name]) - set(current.get(name, []))) for name in file)
    removes = sum(len(set(current[name]) - set(file[name])) for name in names[:existing])
    seed = _site(backend)
    seed["generate"] = [
        {"group": STAFF_GROUP, "members": n, "email_domain": EMAIL_DOMAIN, "access": {PRODUCT[backend]: "user"}}
    ]
    seed["groups"] = [{"name": name, "members": [p.email for p in members]} for name, members in current.items()]
    # The emails no listing the task reads shows (the groups to delete are not read): each needs a search.
    shown = {p.email for name in names[:existing] for p in current[name]}
    searches = len({p.email for members in file.values() for p in members} - shown)
    listing_pages = pages(len(current) + 1)  # every group of the site: the teams and staff
    guard = 3 * sizes.reconcile_unlisted  # what a group grants: group/bulk by each of 3 access types
    unlisted, new = names[g:], names[existing:g]
    min_requests = listing_pages + existing + 1 + searches + guard + len(new) + len(unlisted) + adds + removes
    note = (
        f"{_n(listing_pages, 'page')} of groups + {_n(existing, 'member page')} + 1 caller + {_searches(searches)} + "
        f"{guard} access checks + {len(new)} creates + {len(unlisted)} deletes + {_n(adds, 'add')} + "
        f"{_n(removes, 'remove')}"
    )
    return Workload(
        key=key_of("W7", backend),
        name="W7",
        kind=RECONCILE,
        backend=backend,
        title=f"reconcile {g} team groups of {size} ({changes} memberships differ, {len(new)} groups to create, "
        f"{len(unlisted)} unlisted under the prefix)",
        seed=seed,
        min_requests=min_requests,
        min_requests_note=note,
        teams={name: [p.email for p in members] for name, members in file.items()},
        account_of={p.email: p.account_id for p in people},
        unlisted=unlisted,
        new_groups=new,
    )


def joiners(sizes: Sizes, backend: str = JIRA) -> Workload:
    """W6: ``hires`` new hires have no account; the three groups exist (the first grants Jira, as a product-access
    group does) and hold a few people already."""
    hires = [f"hire-{i:04d}@{HIRE_DOMAIN}" for i in range(1, sizes.hires + 1)]
    seed = _site(backend)
    staff = min(10, sizes.staff)
    seed["generate"] = [
        {"group": STAFF_GROUP, "members": staff, "email_domain": EMAIL_DOMAIN, "access": {PRODUCT[backend]: "user"}}
    ]
    seed["groups"] = [{"name": name} for name in HIRE_GROUPS]
    n, g = len(hires), len(HIRE_GROUPS)
    all_users = pages(staff + 1, ALL_USERS_PAGE)
    return Workload(
        key=key_of("W6", backend),
        name="W6",
        kind=JOINERS,
        backend=backend,
        title=f"onboard {n} new hires without accounts into {g} groups each",
        seed=seed,
        min_requests=g + n + all_users + n + g * n,
        min_requests_note=(
            f"{_n(g, 'group lookup')} + {n} searches + {_n(all_users, 'page')} of every account (to tell missing from "
            f"suspended) + {_n(n, 'invitation')} + {_n(g * n, 'add')}"
        ),
        hires=hires,
    )
