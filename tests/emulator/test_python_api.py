# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Python API other tests build on: construction, seeds, direct state edits, lifecycle."""

from __future__ import annotations

import pytest
import requests

from atlassian_emulator import DEFAULT_SEED_PATH, DEMO_SEED_PATH, Emulator, SeedError, load_seed

SMALL_SEED = {
    "site": "https://tiny.atlassian.net",
    "users": [
        {"account_id": "a-admin", "display_name": "Admin", "email": "admin@tiny.example"},
        {"account_id": "a-zed", "display_name": "Zed", "email": "zed@tiny.example"},
    ],
    "groups": [{"name": "crew", "members": ["admin@tiny.example"]}],
    "generate": [{"group": "crew", "members": 3, "email_domain": "gen.example", "inactive_every": 3}],
    "credentials": [{"email": "admin@tiny.example", "api_token": "t", "site_admin": True}],
    "knobs": {"remove_non_member_status": 200},
}


def test_running_context_manager_and_url():
    with Emulator(load_seed(DEFAULT_SEED_PATH)).running() as emulator:
        assert emulator.url.startswith("http://127.0.0.1:")
        assert requests.get(f"{emulator.url}/_emulator/health", timeout=5).status_code == 200
        url = emulator.url
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_emulator/health", timeout=1)


def test_seed_may_be_a_path_and_defaults_to_the_test_seed():
    assert "big-group" in {g.name for g in Emulator().state.all_groups()}
    assert "team-design" in {g.name for g in Emulator(DEMO_SEED_PATH).state.all_groups()}


def test_custom_seed_with_generated_members_and_knobs(emulator_factory):
    emulator = emulator_factory(SMALL_SEED, latency_ms=1)
    assert len(emulator.members("crew")) == 4
    inactive = [u for u in emulator.state.users.values() if not u.active]
    assert [u.email for u in inactive] == ["crew-0003@gen.example"]
    assert emulator.knobs.remove_non_member_status == 200 and emulator.knobs.latency_ms == 1
    response = requests.get(f"{emulator.url}/rest/api/3/myself", timeout=5)
    assert response.headers["WWW-Authenticate"] == 'OAuth realm="https%3A%2F%2Ftiny.atlassian.net"'


def test_members_by_name_or_id(emulator):
    by_name = emulator.members("site-admins")
    assert by_name == emulator.members("a5f4c6b2-0d1e-4f3a-9b8c-7d6e5f4a3b21")
    assert by_name == {"5b10a2844c20165700ede001", "712020:0f7d3c5e-6a1b-4c8e-9e2f-5d4b3a2c1b0a"}
    assert "5b10a2844c20165700ede007" in emulator.members("team-platform")  # inactive members included
    with pytest.raises(LookupError):
        emulator.members("no-such-group")


def test_direct_edits_are_idempotent_and_visible_over_http(emulator):
    emulator.add_member("team-design", "5b10a2844c20165700ede003")
    emulator.add_member("team-design", "jane@acme.example")  # unique email works too; already a member: no-op
    emulator.remove_member("team-platform", "5b10a2844c20165700ede003")
    emulator.remove_member("team-platform", "5b10a2844c20165700ede003")
    assert emulator.members("team-design") == {"5b10a2844c20165700ede003"}
    page = requests.get(
        f"{emulator.url}/rest/api/3/group/member",
        params={"groupname": "team-design"},
        auth=("admin@acme.example", "admin-api-token"),
        timeout=5,
    ).json()
    assert [u["accountId"] for u in page["values"]] == ["5b10a2844c20165700ede003"]
    assert emulator.log and emulator.writes() == []  # direct edits are not requests


def test_direct_edits_by_a_shared_email_are_refused(emulator_factory):
    server = emulator_factory(products=("jira_datacenter",))  # where Pat Twin (old) shares Pat's email
    with pytest.raises(LookupError):
        server.add_member("team-design", "pat@acme.example")


def test_reset_restores_seeded_state(emulator):
    emulator.add_member("team-design", "jane@acme.example")
    emulator.configure(latency_ms=50)
    emulator.reset()
    assert emulator.members("team-design") == set()
    assert emulator.knobs.latency_ms == 0


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ({"users": [{"account_id": "x", "display_name": "X", "mail": "x@y"}]}, "unknown keys"),
        ({"groups": [{"name": "g", "members": ["nobody@acme.example"]}]}, "not a known accountId"),
        (
            {
                "users": [
                    {"account_id": "x", "display_name": "X", "email": "s@y"},
                    {"account_id": "y", "display_name": "Y", "email": "s@y"},
                ],
                "groups": [{"name": "g", "members": ["s@y"]}],
                "products": ["jira_datacenter"],  # where users may share an email
            },
            "shared by several",
        ),
        ({"credentials": [{"email": "ghost@acme.example", "api_token": "t"}]}, "not a known accountId"),
        ({"credentials": [{"bearer_token": "t", "account_id": "ghost"}]}, "seeded user"),
        ({"groups": [{"name": "g"}, {"name": "g"}]}, "listed twice"),
        # A name may be given again in another directory of the organisation only.
        (
            {
                "org": {
                    "org_id": "o",
                    "name": "o",
                    "directories": [{"directory_id": "d1", "name": "a"}, {"directory_id": "d2", "name": "b"}],
                },
                "groups": [{"name": "g", "directory_id": "d2"}, {"name": "G", "directory_id": "d2", "group_id": "x"}],
            },
            "duplicate group name 'G' in directory 'd2'",
        ),
        ({"users": [{"account_id": "x", "display_name": "X", "account_type": "robot"}]}, "account_type"),
    ],
    ids=[
        "typo",
        "unknown-member",
        "ambiguous-member",
        "basic-ghost",
        "bearer-ghost",
        "duplicate-group",
        "duplicate-group-in-a-directory",
        "bad-type",
    ],
)
def test_bad_seeds_are_rejected_with_a_clear_message(seed, message):
    with pytest.raises(SeedError, match=message):
        Emulator(seed)


TWINS = [
    {"account_id": "t-1", "display_name": "Pat", "email": "pat@tiny.example"},
    {"account_id": "t-2", "display_name": "Pat (old)", "email": "PAT@tiny.example"},
]


@pytest.mark.parametrize("products", [("jira",), ("confluence",), ("admin",), ("jira", "confluence", "admin")])
def test_a_cloud_site_refuses_two_atlassian_accounts_with_one_email(products):
    """On Atlassian Cloud an Atlassian account is an email identity: one address, one account (app and customer
    accounts are not Atlassian accounts). A seed that says otherwise is refused, naming both accounts."""
    seed = {"users": TWINS}
    with pytest.raises(SeedError) as refused:
        Emulator(seed, products=products)
    assert str(refused.value) == (
        "users[1]: 't-2' (Pat (old)) has the email 'PAT@tiny.example' of 't-1' (Pat, users[0]), but on Atlassian "
        "Cloud an email address belongs to one Atlassian account at most; mark an account that only a Data Center "
        "server may have with datacenter_only: true"
    )
    # Generated users count too, and reseeding a running site is held to the same rule.
    generated = {"users": [{**TWINS[0], "email": "crew-0001@gen.example"}], "generate": [{"group": "crew",
                 "members": 1, "email_domain": "gen.example"}]}  # fmt: skip
    with pytest.raises(SeedError, match=r"generate\[0\]: .* of 't-1' \(Pat, users\[0\]\)"):
        Emulator(generated, products=products)
    site = Emulator({"users": TWINS[:1]}, products=products)
    with pytest.raises(SeedError, match="one Atlassian account at most"):
        site.reseed({"users": TWINS})


@pytest.mark.parametrize("product", ["jira_datacenter", "confluence_datacenter"])
def test_a_data_center_server_lets_users_share_an_email(product):
    server = Emulator({"users": TWINS}, products=(product,))
    assert [u.account_id for u in server.state.users_with_email("pat@tiny.example")] == ["t-1", "t-2"]


def test_apps_and_customers_may_share_a_persons_email_on_cloud():
    seed = {
        "users": [
            TWINS[0],
            {**TWINS[1], "account_type": "app"},
            {"account_id": "qm:t-3", "display_name": "Pat", "email": "pat@tiny.example", "account_type": "customer"},
        ]
    }
    assert len(Emulator(seed, products=("jira",)).state.users_with_email("pat@tiny.example")) == 3


def test_datacenter_only_users_and_their_memberships_exist_on_data_center_servers_only():
    seed = {
        "users": [TWINS[0], {**TWINS[1], "username": "pold", "datacenter_only": True}],
        "groups": [{"name": "crew", "members": ["t-1", "pold"]}, {"name": "old", "members": ["t-2"]}],
    }
    cloud = Emulator(seed, products=("jira",))
    assert cloud.state.user("t-2") is None and cloud.members("crew") == {"t-1"} and cloud.members("old") == set()
    server = Emulator(seed, products=("jira_datacenter",))
    assert server.members("crew") == {"t-1", "t-2"} and server.members("old") == {"t-2"}


def test_refuses_non_loopback_hosts():
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")
