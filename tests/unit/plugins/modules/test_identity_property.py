# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Property-based identity (hypothesis): never the wrong person, never a silent skip, on every backend.

Each example generates a directory (people and apps, emails shared between accounts and hidden, display names that
look like email addresses, deactivated accounts, Data Center usernames that are email addresses), a group's members,
and a task of random references (emails in any case, accountIds or usernames, and ones that name nobody), then runs
atlassian_group_member's real main() against the emulator of the backend under test.

The oracle below is docs/identity.md written as code: for every reference, what the policy says it names on this
backend (one account, several, an app by email, or nobody). The properties:
- every write targets an account a reference names under the policy (or, with exclusive, a member no reference
  names that is neither the caller nor an app): the membership after the run is exactly the one the policy means;
- a reference that names several accounts (or an app, by email) fails the task, whoever of them is a member, and so
  does one that names nobody when adding; a failed task has written nothing;
- an ok result that left a reference unapplied (a removal of nobody) carries a warning naming it.

The runs use --diff, which reads the whole member listing: the policy's "members the task has read" are then all of
them, so the oracle need not model the read strategy (test__membership_reads.py covers that). Examples are few
(``MAX_EXAMPLES`` a backend) so the test costs seconds, like the convergence tests beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from backend_table import FACTS, SITE_PRODUCTS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.orgsync.atlassian.plugins.modules.atlassian_group_member import main

MAX_EXAMPLES = 25
GROUP = "idp-group"
GROUP_ID = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ACCESS = "idp-access"  # grants Confluence access to everyone: Confluence Cloud finds emails in its listing
ORG_ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
ORG_KEY = "idp-org-api-key"
CALLER = {"account_id": "idp-admin", "username": "admin", "display_name": "Ida Admin", "email": "admin@idp.example"}
TOKEN = "idp-admin-token"
# Few addresses, so that accounts share them; one nobody has.
ADDRESSES = ("ann@idp.example", "bo@idp.example", "cy@idp.example")
NOBODYS = "zed@idp.example"
UNKNOWN_ID = "idp-99"
CONTRACTS = Path(__file__).resolve().parents[3] / "contract"
CLOUD_TYPES = ("jira_cloud", "confluence_cloud")  # accounts have types there (apps); the Admin API shows no apps


@dataclass(frozen=True)
class Account:
    account_id: str
    email: str
    hidden: bool
    active: bool
    app: bool
    name: str
    username: str

    def seed(self) -> dict:
        return {
            "account_id": self.account_id,
            "username": self.username,
            "display_name": self.name,
            "email": self.email,
            "email_hidden": self.hidden,
            "active": self.active,
            "account_type": "app" if self.app else "atlassian",
        }


@st.composite
def accounts(draw, unique_emails: bool) -> list[Account]:
    """``unique_emails``: the backend is Atlassian Cloud's, where an address is one person's account at most (apps
    are not Atlassian accounts and may share one); elsewhere people share addresses too."""
    made: list[Account] = []
    usernames = {CALLER["username"]}
    for i in range(draw(st.integers(1, 6))):
        account_id = f"idp-{i:02d}"
        email = draw(st.sampled_from([*ADDRESSES, f"own-{i}@idp.example"]))
        app = draw(st.integers(0, 4)) == 0
        if unique_emails and not app and any(a.email == email and not a.app for a in made):
            email = f"own-{i}@idp.example"
        # A display name that looks like an address: an invited account often shows one, maybe another's.
        name = draw(st.sampled_from([f"Person {i}", *ADDRESSES, f"{ADDRESSES[0]} (contractor)"]))
        # A Data Center login may be an email address (and not necessarily the account's own).
        username = draw(st.sampled_from([account_id, account_id, *ADDRESSES]))
        if username.casefold() in usernames:
            username = account_id
        usernames.add(username.casefold())
        made.append(
            Account(
                account_id,
                email,
                hidden=draw(st.booleans()),
                active=draw(st.integers(0, 3)) > 0,
                app=app,
                name=name,
                username=username,
            )
        )
    return made


@st.composite
def cases(draw, backend_name: str) -> dict:
    pool = draw(accounts(FACTS[backend_name].unique_emails))
    members = draw(st.sets(st.sampled_from([a.account_id for a in pool])))
    if draw(st.booleans()):
        members.add(CALLER["account_id"])
    ids = [a.account_id for a in pool] + [UNKNOWN_ID]
    if backend_name in ("jira_datacenter", "confluence_datacenter"):
        ids = [a.username for a in pool if "@" not in a.username] + [UNKNOWN_ID]
    emails = st.sampled_from([*ADDRESSES, NOBODYS]).flatmap(lambda e: st.sampled_from([e, e.upper()]))
    refs = draw(st.lists(st.one_of(emails, st.sampled_from(ids)), min_size=1, max_size=4))
    state = draw(st.sampled_from(["present", "absent"]))
    exclusive = state == "present" and FACTS[backend_name].knows_caller and draw(st.booleans())
    return {"pool": pool, "members": members, "refs": refs, "state": state, "exclusive": exclusive}


# -- the oracle: docs/identity.md as code ----------------------------------------------------------------------------

ONE, SEVERAL, NOT_A_PERSON, NOBODY = "one", "several", "not a person", "nobody"


def shown_email(backend: str, account: Account) -> str | None:
    """The email the backend shows for the account (the organisation's directory sees hidden ones too)."""
    return account.email.lower() if backend == "admin" or not account.hidden else None


def is_person(backend: str, account: Account) -> bool:
    return not account.app or backend not in CLOUD_TYPES  # Data Center has no account types


def pick(backend: str, candidates: list[Account], email: str) -> tuple[str, str | None]:
    """What the candidates an email lookup found say: one holder, several, only an app's account, or nobody."""
    unique = {a.account_id: a for a in candidates}.values()
    data_center = backend == "jira_datacenter"
    exact = [a for a in unique if shown_email(backend, a) == email or (data_center and a.username.lower() == email)]
    hidden = [a for a in unique if shown_email(backend, a) is None and not data_center and is_person(backend, a)]
    people = [a for a in exact if is_person(backend, a)] + hidden
    if len(people) == 1:
        return ONE, people[0].account_id
    if people:
        return SEVERAL, None
    return (NOT_A_PERSON, None) if exact else (NOBODY, None)


def member_holders(backend: str, pool: list[Account], members: set[str], email: str) -> list[Account]:
    """The group's members that show the email (the runs read every member: --diff)."""
    listed = [a for a in pool if a.account_id in members and not (backend == "admin" and a.app)]
    return [a for a in listed if shown_email(backend, a) == email]


def answered_by_members(backend: str, shows: list[Account]) -> bool:
    """Whether the members showing an email answer it without a lookup: where an address is one person's account
    (Atlassian Cloud), when exactly one member shows it, on a person's account."""
    return FACTS[backend].unique_emails and len(shows) == 1 and is_person(backend, shows[0])


def names(backend: str, ref: str, pool: list[Account], members: set[str], state: str) -> tuple[str, str | None]:
    """What ``ref`` names on ``backend`` under the policy, given the directory and the group's members."""
    listed = [a for a in pool if a.account_id in members]
    if backend == "admin":  # the organisation's directory holds Atlassian accounts only
        pool = [a for a in pool if not a.app]
        listed = [a for a in listed if not a.app]
    if "@" not in ref or backend == "confluence_datacenter":
        # An accountId, or a username (case-insensitive on Data Center); an app's account by its id is accepted.
        if backend in ("jira_datacenter", "confluence_datacenter"):
            found = [a for a in pool if a.username.casefold() == ref.casefold()]
        else:
            found = [a for a in pool if a.account_id == ref]
        return (ONE, found[0].account_id) if found else (NOBODY, None)
    email = ref.lower()
    shows = member_holders(backend, pool, members, email)
    if answered_by_members(backend, shows):
        return ONE, shows[0].account_id
    if backend == "jira_cloud":
        # The user search: active accounts showing the address, or hiding it when their name cannot explain the match.
        found = [
            a
            for a in pool
            if a.active
            and (shown_email(backend, a) == email or (a.hidden and a.email == email and email not in a.name.casefold()))
        ]
    elif backend == "jira_datacenter":
        found = [a for a in pool if a.active and (shown_email(backend, a) == email or a.username.lower() == email)]
    elif backend == "admin":
        found = [a for a in pool if a.active and a.email == email]
    else:  # confluence_cloud: every account shows in the access group's listing, whatever its status
        found = [a for a in pool if shown_email(backend, a) == email]
    outcome = pick(backend, found + shows, email)
    if outcome[0] == NOBODY and state == "absent":
        # A removal looks among the deactivated: the members that show the address, and (Admin API) the directory.
        deactivated = [a for a in pool if not a.active and a.email == email] if backend == "admin" else []
        outcome = pick(backend, shows + deactivated, email)
    return outcome


def expected(backend: str, case: dict) -> tuple[bool, set[str], list[str]]:
    """(whether the task succeeds, the members after it, the references it must warn about)."""
    pool, members, state = case["pool"], case["members"], case["state"]
    outcomes = {ref: names(backend, ref, pool, members, state) for ref in case["refs"]}
    fatal = {SEVERAL, NOT_A_PERSON} | ({NOBODY} if state == "present" else set())
    if any(kind in fatal for kind, _account in outcomes.values()):
        return False, members, []
    named = {account for kind, account in outcomes.values() if kind == ONE}
    unnamed = [ref for ref, (kind, _account) in outcomes.items() if kind == NOBODY]
    if state == "absent":
        return True, members - named, unnamed
    after = members | named
    if case["exclusive"]:
        apps = {a.account_id for a in pool if a.app} if backend in CLOUD_TYPES else set()
        after -= members - named - {CALLER["account_id"]} - apps
    return True, after, unnamed


# -- the test --------------------------------------------------------------------------------------------------------


def seed_for(case: dict) -> dict:
    everyone = [CALLER["account_id"], *(a.account_id for a in case["pool"])]
    return {
        "site": "https://idp.atlassian.net",
        "users": [CALLER, *(a.seed() for a in case["pool"])],
        "groups": [
            {"name": GROUP, "group_id": GROUP_ID, "members": sorted(case["members"])},
            {"name": ACCESS, "members": everyone, "access": {"confluence": "user"}},
        ],
        "org": {"org_id": ORG_ID, "name": "idp", "directories": [{"directory_id": "idp-directory", "name": "idp"}]},
        "credentials": [
            {"email": CALLER["email"], "api_token": TOKEN, "site_admin": True},
            {"bearer_token": ORG_KEY, "org_id": ORG_ID},
        ],
        # Pages of 2: a group of up to 7 members spans up to 4 pages.
        "knobs": {"member_page_cap": 2, "confluence_page_cap": 2},
    }


@pytest.fixture
def site(emulator_factory, backend_name, request):
    """One emulator for every example of a test, reseeded with each example's directory, its traffic checked against
    the API contracts."""
    from atlassian_emulator.contract import ContractSet, ContractWatch

    emulator = emulator_factory(seed_for({"pool": [], "members": set()}), products=SITE_PRODUCTS[backend_name])
    watch = ContractWatch(emulator, ContractSet.for_products(emulator.products, CONTRACTS))
    yield emulator
    watch.close()
    assert not watch.violations, watch.report()
    request.node.user_properties.append(("requests_validated", watch.requests_checked))


def searched_emails(log) -> set[str]:
    """The emails the run asked a search about (lower-cased): Jira's user search (Cloud's query, Data Center's
    username) and the Admin API's users/search by emails. Confluence Cloud has no email search."""
    searched: set[str] = set()
    for record in log:
        if record.path in ("/rest/api/3/user/search", "/rest/api/2/user/search"):
            searched.update(v.lower() for v in record.query.get("query") or record.query.get("username") or [])
        elif record.path.endswith("/users/search"):
            searched.update(e.lower() for e in (record.body or {}).get("emails") or [])
    return searched


def login(site, backend_name: str) -> dict:
    if backend_name == "admin":
        return {"url": site.url, "bearer_token": ORG_KEY, "org_id": ORG_ID}
    username = CALLER["username"] if backend_name.endswith("datacenter") else CALLER["email"]
    return {"url": site.url, "username": username, "api_token": TOKEN}


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)
@given(data=st.data())
def test_every_write_is_for_someone_a_reference_names_and_no_reference_is_skipped_silently(
    site, run_module, backend_name, data
):
    case = data.draw(cases(backend_name), label="case")
    site.reseed(seed_for(case))
    ok, after, unnamed = expected(backend_name, case)
    args = {
        **login(site, backend_name),
        "group": GROUP,
        "users": case["refs"],
        "state": case["state"],
        "exclusive": case["exclusive"],
        "max_retries": 0,
    }
    result = run_module(main, args, diff=True)
    members = site.members(GROUP)
    searched = searched_emails(site.log)
    event(f"{'ok' if ok else 'fails'}; {case['state']}{' exclusive' if case['exclusive'] else ''}")
    described = json.dumps(
        {
            "case": {**case, "pool": [a.seed() for a in case["pool"]], "members": sorted(case["members"])},
            "result": {k: result.get(k) for k in ("failed", "msg", "added", "removed", "warnings")},
        },
        indent=1,
        default=sorted,
    )
    # What was looked up: on Jira Data Center every email, a member's too (users may share one); where an address is
    # one person's account (Cloud), never an email a member already answers.
    emails = {ref.strip().lower() for ref in case["refs"] if "@" in ref}
    if backend_name == "jira_datacenter":
        assert emails <= searched, described
    elif FACTS[backend_name].unique_emails and FACTS[backend_name].email_search:
        answered = {
            e
            for e in emails
            if answered_by_members(backend_name, member_holders(backend_name, case["pool"], case["members"], e))
        }
        assert not answered & searched, described
    if not ok:
        assert result.get("failed") is True, described
        assert site.writes() == [] and members == case["members"], described
        return
    assert result.get("failed") is not True, described
    assert members == after, described
    changes = (after - case["members"]) | (case["members"] - after)
    assert len(site.writes()) == len(changes), described  # one write for each change, none elsewhere
    assert result["changed"] is bool(changes), described
    warnings = result.get("warnings") or []
    for ref in unnamed:
        assert any(f"'{ref.strip().lower()}'" in w.lower() for w in warnings), described  # either spelling
