# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Issue 16, one test (or a few) per numbered case: the modules' real main() against the emulated site of each
backend, never the wrong person and never a silent skip. Each test fails without its fix (docs/identity.md states the
rules). tests/integration/test_identity_playbooks.py replays cases 1-7 through ansible-playbook."""

from __future__ import annotations

import copy

import pytest
from backend_table import SITE_PRODUCTS, kinds, login

from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import settings_from_params
from ansible_collections.orgsync.atlassian.plugins.modules import (
    atlassian_group,
    atlassian_group_member,
    atlassian_user_groups,
    atlassian_user_info,
)

JANE = "5b10a2844c20165700ede003"  # on Data Center, the seed's usernames are its accountIds
PAT = "5b10a2844c20165700ede010"
PAT_OLD = "5b10a2844c20165700ede011"  # has Pat's email; on Data Center servers only
TWIN = "5b10a2844c20165700ede0ff"  # a second person with Pat's email, which only a stubbed lookup gives on Cloud
BOT = "5b10a2844c20165700ede009"  # Deploy Bot: an app's account, in team-platform
DESIGN_ID = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
PLATFORM_ID = "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20"


def default_seed() -> dict:
    from atlassian_emulator.seed import DEFAULT_SEED_PATH, load_seed

    return copy.deepcopy(load_seed(DEFAULT_SEED_PATH))


@pytest.fixture
def run(emulator, run_module):
    """``run(module, check_mode=False, diff=False, **args)`` against the site of the backend under test."""

    def _run(module, check_mode=False, diff=False, **args):
        return run_module(module.main, {**login(emulator), **args}, check_mode=check_mode, diff=diff)

    return _run


# -- case 1: a hidden email is not taken from a display name --------------------------------------------------------

# Sam left (deactivated, email visible); Samantha's invited account hides its email and shows Sam's address as its
# name, so Jira's user search for the address finds her, by her name, and nobody else.
SAM = {
    "account_id": "5b10a2844c20165700ede101",
    "display_name": "Sam Leaver",
    "email": "sam@acme.example",
    "active": False,
}
SAMANTHA = {
    "account_id": "5b10a2844c20165700ede102",
    "display_name": "sam@acme.example",
    "email": "samantha@acme.example",
    "email_hidden": True,
}


@pytest.fixture
def sam_site(emulator_factory):
    seed = default_seed()
    seed["users"] += [SAM, SAMANTHA]
    for group in seed["groups"]:
        if group["name"] in ("team-platform", "team-design"):
            group["members"] = [*group["members"], SAM["account_id"], SAMANTHA["account_id"]]
    return emulator_factory(seed, products=SITE_PRODUCTS["jira_cloud"])


def test_case_1_a_name_that_looks_like_the_email_is_never_taken_for_it(sam_site, run_module):
    conn = login(sam_site)
    # The lookup finds the deactivated Sam, as offboarding does below (issue 22), never Samantha.
    info = run_module(atlassian_user_info.main, {**conn, "user": "sam@acme.example"})
    assert [(u["account_id"], u["active"]) for u in info["users"]] == [(SAM["account_id"], False)]
    removed = run_module(
        atlassian_group_member.main, {**conn, "group": "team-design", "user": "sam@acme.example", "state": "absent"}
    )
    # The leaver is found among the group's members (deactivated ones included); Samantha stays.
    assert [u["account_id"] for u in removed["removed"]] == [SAM["account_id"]]
    assert SAMANTHA["account_id"] in sam_site.members("team-design")
    added = run_module(atlassian_group_member.main, {**conn, "group": "site-admins", "user": "sam@acme.example"})
    assert added["failed"] is True and sam_site.members("site-admins") == {
        "5b10a2844c20165700ede001",
        "712020:0f7d3c5e-6a1b-4c8e-9e2f-5d4b3a2c1b0a",
    }
    offboard = run_module(
        atlassian_user_groups.main, {**conn, "user": "sam@acme.example", "groups": [], "exclusive": True}
    )
    assert offboard["user"]["account_id"] == SAM["account_id"]
    assert [g["name"] for g in offboard["removed_from"]] == ["team-platform"]
    assert {g.name for g in sam_site.state.groups_of(SAMANTHA["account_id"])} == {"team-design", "team-platform"}
    # By her accountId she is reachable as ever.
    by_id = run_module(atlassian_user_info.main, {**conn, "user": SAMANTHA["account_id"]})
    assert by_id["users"][0]["display_name"] == "sam@acme.example"


# -- case 2: an email two users share fails, whoever of them is a member -------------------------------------------
# Two users share an email on Jira Data Center only: on Atlassian Cloud an address is one Atlassian account's (the
# emulator refuses a Cloud seed that says otherwise), so there a member that shows the email is its holder without a
# lookup, and only an API answer that contradicts the model can make it ambiguous (docs/identity.md).


@pytest.mark.emails(unique=False)
@pytest.mark.parametrize(
    ("task", "member"),
    [
        ({"state": "present"}, PAT),
        ({"state": "absent"}, PAT),
        ({"state": "present"}, PAT_OLD),
        ({"state": "absent"}, PAT_OLD),
        ({"state": "present", "exclusive": True, "users": ["pat@acme.example", "jane@acme.example"]}, PAT),
    ],
)
def test_case_2_a_shared_email_fails_in_every_state_and_writes_nothing(emulator, run, facts, task, member):
    emulator.add_member("team-design", member)
    args = {"group": "team-design", "user": "pat@acme.example", **task}
    if "users" in args:
        del args["user"]
    emulator.clear_log()
    result = run(atlassian_group_member, **args)
    assert result["failed"] is True
    assert f"'pat@acme.example' is ambiguous: 2 accounts have this email ({PAT}, {PAT_OLD})" in result["msg"]
    assert "Pass the accountId of the intended account instead of the email" in result["msg"]
    assert emulator.writes() == [] and facts.members(emulator, "team-design") == {member}


@pytest.mark.emails(unique=False)
def test_case_2_offboarding_by_a_shared_email_fails_too(emulator, run):
    emulator.add_member("team-design", PAT)
    result = run(atlassian_user_groups, user="pat@acme.example", groups=[], exclusive=True)
    assert result["failed"] is True and "'pat@acme.example' is ambiguous" in result["msg"]
    assert emulator.writes() == []


# What a Cloud task sends to find an email's holder: a search, the access groups' listings, a name search.
LOOKUPS = {"email_search", "access_groups", "name_search"}


@pytest.mark.emails(unique=True)
def test_case_2_on_cloud_a_member_that_shows_the_email_is_its_holder_without_a_lookup(emulator, run):
    task = {"group": "team-design", "user": "pat@acme.example"}
    emulator.clear_log()
    added = run(atlassian_group_member, **task)
    # Not a member yet: the email is looked up.
    assert added["changed"] is True and emulator.members("team-design") == {PAT}
    assert LOOKUPS & set(kinds(emulator.log))
    emulator.clear_log()
    again = run(atlassian_group_member, **task)
    removed = run(atlassian_group_member, **task, state="absent")
    # A member now, whose listing shows the address: one address, one Atlassian account, so no lookup.
    assert again.get("failed") is not True and again["changed"] is False
    assert [u["account_id"] for u in removed["removed"]] == [PAT] and emulator.members("team-design") == set()
    assert not LOOKUPS & set(kinds(emulator.log)), kinds(emulator.log)


@pytest.mark.emails(unique=True)
@pytest.mark.parametrize("state", ["present", "absent"])
def test_case_2_on_cloud_a_lookup_that_finds_two_people_still_fails(emulator, run, backend_name, monkeypatch, state):
    """An API answer that contradicts Atlassian's model (two person accounts with one address) is never guessed
    either: the emulator cannot give one on Cloud, so the backend's lookup is made to."""
    from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import BACKENDS
    from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User

    backend_class = BACKENDS[backend_name]
    real_lookup = backend_class.find_by_email

    def find_by_email(backend, email):
        found = real_lookup(backend, email)
        return [*found, *(User(TWIN, u.email, "Pat Twin (contradiction)") for u in found if u.account_id == PAT)]

    monkeypatch.setattr(backend_class, "find_by_email", find_by_email)
    if state == "absent":
        emulator.add_member("team-design", JANE)  # who must stay, since the task fails
    before = emulator.members("team-design")
    result = run(atlassian_group_member, group="team-design", users=[JANE, "pat@acme.example"], state=state)
    assert result["failed"] is True
    assert f"'pat@acme.example' is ambiguous: 2 accounts have this email ({PAT}, {TWIN})" in result["msg"]
    assert emulator.writes() == [] and emulator.members("team-design") == before


# -- case 3: exclusive keeps app accounts, and an app is accepted by accountId ---------------------------------------


def test_case_3_exclusive_keeps_apps_and_says_so(emulator, run, facts):
    if not facts.knows_caller:
        pytest.skip("exclusive is refused with backend admin")
    task = {"group": "team-platform", "users": [JANE], "exclusive": True}
    predicted = run(atlassian_group_member, check_mode=True, **task)
    result = run(atlassian_group_member, **task)
    assert predicted["kept"] == result["kept"] and predicted["removed"] == result["removed"]
    if facts.account_types:
        assert result["kept"] == [
            {**facts.user_result(BOT, "deploy-bot@acme.example", "Deploy Bot"), "reason": "app account"}
        ]
        assert facts.members(emulator, "team-platform") == {JANE, BOT}
    else:  # Data Center has no account types: the bot's account is a user like any other
        assert result["kept"] == [] and facts.members(emulator, "team-platform") == {JANE}


def test_case_3_an_app_listed_by_account_id_is_accepted(emulator, run, facts):
    if not facts.apps_listed:
        pytest.skip("the organisation's directory holds no apps")
    kept = run(atlassian_group_member, group="team-platform", users=[JANE, BOT], exclusive=facts.knows_caller)
    assert kept.get("failed") is not True and kept["kept"] == []
    assert BOT in emulator.members("team-platform")
    added = run(atlassian_group_member, group="team-design", user=BOT)
    assert added["changed"] is True and emulator.members("team-design") == {BOT}
    removed = run(atlassian_group_member, group="team-design", user=BOT, state="absent")
    assert removed["changed"] is True and emulator.members("team-design") == set()
    by_email = run(atlassian_group_member, group="team-design", user="deploy-bot@acme.example")
    if facts.account_types:  # an app is never named by email
        assert by_email["failed"] is True and "belongs to an account of type app" in by_email["msg"]


# -- case 4: a reference no email, accountId or username can be is refused before any request ------------------------


@pytest.mark.parametrize("state", ["present", "absent"])
def test_case_4_a_list_given_as_a_string_is_refused_before_any_request(emulator, run, state):
    result = run(atlassian_group_member, group="jira-software-users", user="['jane@acme.example']", state=state)
    assert result["failed"] is True
    assert result["msg"].startswith(
        "Invalid user reference: user received \"['jane@acme.example']\", which holds characters that no email "
        "address, accountId or username holds ('[' ']')"
    )
    assert emulator.log == []
    groups = run(atlassian_user_groups, user="['jane@acme.example']", groups=["team-design"], state=state)
    assert groups["failed"] is True and "user received" in groups["msg"] and emulator.log == []


# -- case 5: leaving a group that does not exist is said, not skipped -----------------------------------------------


def test_case_5_a_group_that_names_no_group_is_warned_about_when_leaving(emulator, run, facts):
    upper_id = PLATFORM_ID.upper()
    result = run(atlassian_user_groups, user=JANE, groups=["team-platfrom", upper_id, "team-platform"], state="absent")
    assert result.get("failed") is not True
    assert [g["name"] for g in result["removed_from"]] == ["team-platform"]
    warnings = [w for w in result["warnings"] if "nothing to remove" in w]
    assert len(warnings) == 2
    assert "No group with name 'team-platfrom' exists" in warnings[0]
    what = f"id '{upper_id}'" if facts.group_ids else f"name '{upper_id}'"
    assert f"No group with {what} exists" in warnings[1]
    joining = run(atlassian_user_groups, user=JANE, groups=["team-platfrom"])
    assert joining["failed"] is True and "1 of 1 groups could not be found" in joining["msg"]


# -- case 6: Jira Data Center compares group names the way the server does -----------------------------------------


@pytest.fixture
def dc_ops(emulator_factory):
    """A Jira Data Center server where the group picker cuts "ops" off (120 other groups contain the word), and
    ops is big enough (120 members, 3 pages) that one member is checked on their own."""
    seed = {
        "users": [{"account_id": "dc-admin", "username": "admin", "display_name": "Admin", "email": "a@acme.example"}],
        "groups": [{"name": f"a-ops-{i:03d}", "members": []} for i in range(120)],
        "generate": [{"group": "ops", "members": 120, "email_domain": "acme.example"}],
        "credentials": [{"account_id": "dc-admin", "email": "admin", "api_token": "pw", "site_admin": True}],
    }
    return emulator_factory(seed, products=("jira_datacenter",))


def test_case_6_a_group_name_in_another_case_is_the_same_group(dc_ops, run_module):
    conn = {"url": dc_ops.url, "username": "admin", "api_token": "pw"}
    member = "ops-0110"  # on the third member page
    task = {**conn, "group": "OPS", "user": member}
    present = run_module(atlassian_group_member.main, task, check_mode=True)
    assert present["changed"] is False and present["added"] == []
    assert run_module(atlassian_group_member.main, task)["changed"] is False
    absent = {**task, "state": "absent"}
    predicted = run_module(atlassian_group_member.main, absent, check_mode=True)
    removed = run_module(atlassian_group_member.main, absent)
    assert predicted["removed"] == removed["removed"] and [u["username"] for u in removed["removed"]] == [member]
    assert len(dc_ops.members("ops")) == 119


# -- case 7: a group name two directories of an organisation have -------------------------------------------------

DIRECTORIES = [
    {"directory_id": "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", "name": "acme"},
    {"directory_id": "d2", "name": "acme labs"},
]


@pytest.fixture
def two_directories(emulator_factory):
    seed = default_seed()
    seed["org"]["directories"] = DIRECTORIES
    seed["groups"].append(
        {
            "name": "team-design",
            "group_id": "5e1d2c3b-0000-4000-8000-00000000d2d2",
            "directory_id": "d2",
            "members": ["jane@acme.example"],
        }
    )
    return emulator_factory(seed, products=("admin",))


@pytest.mark.parametrize("check_mode", [True, False])
@pytest.mark.parametrize("state", ["present", "absent"])
def test_case_7_a_name_in_two_directories_fails_and_is_never_taken_for_none(
    two_directories, run_module, state, check_mode
):
    conn = login(two_directories)
    result = run_module(atlassian_group.main, {**conn, "name": "team-design", "state": state}, check_mode=check_mode)
    assert result["failed"] is True
    assert "2 directories of the organisation have a group named 'team-design'" in result["msg"]
    assert "directory_id" in result["msg"]
    member = run_module(atlassian_group_member.main, {**conn, "group": "team-design", "user": JANE, "state": state})
    assert member["failed"] is True and "2 directories" in member["msg"]
    assert two_directories.writes() == []
    # Naming the directory settles it.
    chosen = run_module(
        atlassian_group_member.main, {**conn, "group": "team-design", "user": JANE, "directory_id": "d2"}
    )
    assert chosen.get("failed") is not True and chosen["group"]["group_id"] == "5e1d2c3b-0000-4000-8000-00000000d2d2"


# -- case 8: an organisation id in the environment does not turn a server into the Admin API -----------------------


@pytest.mark.parametrize(
    ("url", "admin"),
    [
        ("https://jira.acme.example", False),  # a Data Center server with a personal access token
        ("https://tools.acme.example/jira", False),
        ("https://acme.atlassian.net", False),
        ("https://api.atlassian.com/ex/jira/1234", False),
        ("https://api.atlassian.com", True),
        (None, True),
        ("http://127.0.0.1:8080", True),  # a local emulator
    ],
)
def test_case_8_org_id_means_the_admin_api_only_at_its_url(url, admin):
    params = {"bearer_token": "a-token", "org_id": "an-org", **({"url": url} if url else {})}
    settings = settings_from_params(params)
    assert (settings.org_id == "an-org") is admin


# -- case 9 (Confluence Data Center usernames with '@') is in test__confluence_datacenter.py --------------------------


# -- case 10: group names are trimmed everywhere, and check mode agrees ---------------------------------------------


def test_case_10_surrounding_whitespace_around_a_group_name_is_ignored(emulator, run, facts):
    found = run(atlassian_group_member, group=" team-design ", user=JANE)
    assert found["changed"] is True and found["group"]["name"] == "team-design"
    predicted = run(atlassian_group, name="team-design  ", check_mode=True)
    assert predicted["changed"] is False and predicted["group"]["name"] == "team-design"
    assert run(atlassian_group, name="team-design  ")["changed"] is False
    created = run(atlassian_group, name=" team-new ")
    assert created["changed"] is True and created["group"]["name"] == "team-new"
    assert run(atlassian_group, name="team-new", check_mode=True)["changed"] is False
    groups = run(atlassian_user_groups, user=JANE, groups=[" team-new "])
    assert [g["name"] for g in groups["added_to"]] == ["team-new"]


# -- case 11: messages that point the right way ---------------------------------------------------------------------


def test_case_11_an_admin_url_with_a_path_is_refused_before_any_request(emulator_factory, run_module):
    site = emulator_factory(products=("admin",))
    result = run_module(
        atlassian_group_member.main, {**login(site), "url": site.url + "/admin", "group": "g", "user": JANE}
    )
    assert result["failed"] is True
    assert result["msg"] == (
        f"url '{site.url}/admin' has a path, but the Admin API's URL is its host alone (the collection adds "
        "/admin/v2/... itself). Leave url unset for backend admin (it is https://api.atlassian.com), or give the host "
        "only."
    )
    assert site.log == []


def test_case_11_jira_cloud_with_a_wiki_url_says_so(emulator_factory, run_module):
    site = emulator_factory(products=("jira", "confluence"))
    task = {**login(site), "url": site.url + "/wiki", "backend": "jira_cloud", "group": "team-design", "user": JANE}
    result = run_module(atlassian_group_member.main, task)
    assert result["failed"] is True and "ends with /wiki, which is Confluence's path" in result["msg"]
    assert "set backend to confluence_cloud (or auto)" in result["msg"] and site.log == []


def test_case_11_a_deactivated_non_member_is_not_called_nobody(emulator_factory, run_module):
    site = emulator_factory(products=("jira",))
    result = run_module(
        atlassian_group_member.main,
        {**login(site), "group": "team-design", "user": "ivan.former@acme.example", "state": "absent"},
    )
    (warning,) = result["warnings"]
    assert "no active account was found with it" in warning and "No account was found" not in warning


# -- case 12: in atlassian_user_groups, a UUID-shaped reference is an id in every state -----------------------------


def test_case_12_a_group_named_like_another_groups_id_is_not_it(emulator, run, facts):
    if not facts.group_ids:
        pytest.skip("Data Center groups have no ids: every reference is a name")
    # A group whose name is team-design's id; Jane is in it, not in team-design.
    named_like_an_id = emulator.state.create_group(DESIGN_ID)
    emulator.state.add_member(named_like_an_id.group_id, JANE)
    absent = run(atlassian_user_groups, user=JANE, groups=[DESIGN_ID], state="absent")
    assert absent["changed"] is False and absent["removed_from"] == []
    present = run(atlassian_user_groups, user=JANE, groups=[DESIGN_ID])
    assert [g["name"] for g in present["added_to"]] == ["team-design"]
    assert {g.name for g in emulator.state.groups_of(JANE)} >= {DESIGN_ID, "team-design"}
