# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The account lifecycle (issue 18): the Admin API's invitation, suspension and restore, Jira Cloud's createUser,
Jira Data Center's create and deactivate, and how each shows on the other APIs of the same directory."""

from __future__ import annotations

import pytest

ORG = "4a9b6c1e-2d3f-4e5a-8b7c-9d0e1f2a3b4c"  # the default seed's organisation
DIRECTORY = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
KEY = "Bearer org-api-key"
BASE = f"/admin/v2/orgs/{ORG}/directories/{DIRECTORY}"
INVITE = f"/admin/v2/orgs/{ORG}/users/invite"
JSU = "276f955c-63d7-42c8-9520-92d01dca0625"
JANE = "5b10a2844c20165700ede003"


@pytest.fixture
def org(emulator_factory):
    return emulator_factory(products=("jira", "admin"))


@pytest.fixture
def admin(api, org):
    return api(header=KEY, on=org)


def error_code(response) -> str:
    (error,) = response.json()["errors"]
    return error["code"]


def search(admin, email):
    return admin.post(f"{BASE.rsplit('/', 1)[0]}/-/users/search", json={"emails": [email]}).json()["data"]


def test_an_invitation_makes_a_pending_account_in_its_groups_that_the_searches_show(api, admin, org):
    answer = admin.post(INVITE, json={"emails": ["nina.new@acme.example"], "additionalGroups": [JSU]})
    assert answer.status_code == 200
    (invited,) = answer.json()["data"]
    account_id = invited["id"]
    assert invited["email"] == "nina.new@acme.example" and account_id.startswith("712020:")
    assert invited["results"][0]["groupAssignmentResult"] == [{"group": JSU, "status": "INVITED", "statusReason": None}]
    (found,) = search(admin, "nina.new@acme.example")
    assert (found["accountId"], found["status"], found["emailVerified"]) == (account_id, "active", False)
    assert account_id in org.members(JSU)
    site = api("admin", on=org).get("/rest/api/3/user/search", params={"query": "nina.new@acme.example"}).json()
    assert [u["accountId"] for u in site] == [account_id]
    # Again: one address, one account; the same id, nothing new.
    again = admin.post(INVITE, json={"emails": ["nina.new@acme.example"]}).json()["data"][0]
    assert again["id"] == account_id and len(org.state.users_with_email("nina.new@acme.example")) == 1


def test_a_group_the_invitation_cannot_assign_is_a_partial_success(admin):
    answer = admin.post(INVITE, json={"emails": ["olga@acme.example"], "additionalGroups": ["no-such-group"]})
    assert answer.status_code == 206
    (result,) = answer.json()["data"][0]["results"][0]["groupAssignmentResult"]
    assert result["status"] == "ERROR" and search(admin, "olga@acme.example")


@pytest.mark.parametrize(
    "body", [{}, {"emails": []}, {"emails": [f"u{i}@acme.example" for i in range(26)]}, {"emails": ["not-an-email"]}]
)
def test_a_malformed_invitation_is_refused(admin, body):
    answer = admin.post(INVITE, json=body)
    assert answer.status_code == 400 and error_code(answer) == "ADMIN-400-24"


def test_the_paid_plan_and_the_scoped_key_knobs(api, emulator_factory):
    free = emulator_factory(products=("jira", "admin"), admin_paid_plan=False)
    refused = api(header=KEY, on=free).post(INVITE, json={"emails": ["p@acme.example"]})
    assert refused.status_code == 402 and error_code(refused) == "ADMIN-UAM-402-1"
    assert not free.state.users_with_email("p@acme.example")
    from atlassian_emulator.seed import DEFAULT_SEED_PATH, load_seed

    seed = load_seed(DEFAULT_SEED_PATH)
    seed["credentials"].append({"bearer_token": "scoped-key", "org_id": ORG, "scopes": ["read:user:admin"]})
    scoped = emulator_factory(seed, products=("jira", "admin"))
    for path in (INVITE, f"{BASE}/users/{JANE}/suspend", f"{BASE}/users/{JANE}/restore"):
        answer = api(header="Bearer scoped-key", on=scoped).post(path, json={"emails": ["p@acme.example"]})
        assert answer.status_code == 403 and error_code(answer) == "ADMIN-UAM-403-1"


def test_suspension_and_restore_show_on_the_admin_api_and_on_the_site(api, admin, org):
    jira = api("admin", on=org)
    assert admin.post(f"{BASE}/users/{JANE}/suspend").status_code == 204
    (found,) = admin.post(f"{BASE}/users/search", json={"accountIds": [JANE]}).json()["data"]
    assert (found["status"], found["accountStatus"], found["membershipStatus"]) == ("suspended", "active", "suspended")
    assert jira.get("/rest/api/3/user", params={"accountId": JANE}).json()["active"] is False
    assert JANE not in [u["accountId"] for u in jira.get("/rest/api/3/user/search", params={"query": "jane"}).json()]
    assert JANE in org.members(JSU)  # "They regain their roles and group memberships when you restore"
    assert admin.post(f"{BASE}/users/{JANE}/suspend").status_code == 204  # again: no change (UNVERIFIED)
    assert admin.post(f"{BASE}/users/{JANE}/restore").status_code == 204
    assert jira.get("/rest/api/3/user", params={"accountId": JANE}).json()["active"] is True
    assert error_code(admin.post(f"{BASE}/users/nobody/suspend")) == "ADMIN-404-8"


def test_jira_cloud_creates_users_with_products(api, org):
    jira = api("admin", on=org)
    made = jira.post("/rest/api/3/user", json={"emailAddress": "pia@acme.example", "products": ["jira-software"]})
    assert made.status_code == 201 and made.json()["active"] is True
    again = jira.post("/rest/api/3/user", json={"emailAddress": "pia@acme.example", "products": ["jira-software"]})
    assert again.status_code == 201 and again.json()["accountId"] == made.json()["accountId"]
    missing = jira.post("/rest/api/3/user", json={"emailAddress": "q@acme.example"})
    assert missing.status_code == 400 and missing.json()["errorMessages"] == [
        "You must specify the products that user can access."
    ]
    bad = jira.post("/rest/api/3/user", json={"emailAddress": "q@acme.example", "products": ["confluence"]})
    assert bad.status_code == 400
    # Without product access: created, and a second call says it exists without access.
    assert jira.post("/rest/api/3/user", json={"emailAddress": "r@acme.example", "products": []}).status_code == 201
    without = jira.post("/rest/api/3/user", json={"emailAddress": "r@acme.example", "products": []})
    assert without.status_code == 400
    assert (
        api("bob", on=org).post("/rest/api/3/user", json={"emailAddress": "s@a.example", "products": []}).status_code
        == 403
    )


def test_jira_datacenter_creates_and_deactivates(api, emulator_factory):
    server = emulator_factory(products=("jira_datacenter",))
    jira = api("admin", on=server)
    body = {"name": "nina", "emailAddress": "nina@acme.example", "displayName": "Nina New"}
    made = jira.post("/rest/api/2/user", json=body)
    assert made.status_code == 201 and made.json()["name"] == "nina" and "password" not in made.json()
    duplicate = jira.post("/rest/api/2/user", json=body)
    assert duplicate.status_code == 400 and duplicate.json()["errors"] == {
        "username": "A user with that username already exists."
    }
    assert jira.post("/rest/api/2/user", json={"name": "x"}).status_code == 400
    assert jira.put("/rest/api/2/user", params={"username": "nina"}, json={"active": False}).json()["active"] is False
    assert jira.get("/rest/api/2/user", params={"username": "nina"}).json()["active"] is False
    assert jira.put("/rest/api/2/user", params={"username": "ghost"}, json={"active": True}).status_code == 404
    assert jira.put("/rest/api/2/user", params={"username": "nina"}, json={}).status_code == 400
