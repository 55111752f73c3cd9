# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Confluence Cloud mode: which product APIs a site serves, one directory under both, and Confluence's own
paging, limits, error bodies and write answers (reference §5; the Confluence extract in openapi/)."""

from __future__ import annotations

import pytest

from atlassian_emulator import DEFAULT_SEED_PATH, load_seed

WIKI = "/wiki/rest/api"
DESIGN = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
CONFLUENCE_USERS = "6e87dc72-4f1f-421f-9382-2fee8b652487"
BIG = "b16b16b1-6b16-4b16-8b16-b16b16b16b16"
JANE = "5b10a2844c20165700ede003"
HANA = "5b10a2844c20165700ede008"


@pytest.fixture
def confluence(emulator_factory):
    return emulator_factory(products=("confluence",))


@pytest.fixture
def wiki(api, confluence):
    return api("admin", on=confluence)


def test_a_site_serves_only_its_products(api, emulator_factory):
    confluence_only = emulator_factory(products=("confluence",))
    jira_only = emulator_factory()
    assert api(on=confluence_only).get("/rest/api/3/myself").status_code == 404
    assert api(on=confluence_only).get("/rest/api/2/serverInfo").status_code == 404
    assert api(on=jira_only).get(f"{WIKI}/user/current").status_code == 404
    assert api(on=confluence_only).get(f"{WIKI}/user/current").json()["accountId"] == "5b10a2844c20165700ede001"
    assert api(on=jira_only).get("/rest/api/2/serverInfo").json()["deploymentType"] == "Cloud"


def test_both_products_share_one_directory(api, emulator_factory):
    both = emulator_factory(products=("jira", "confluence"))
    admin = api(on=both)
    assert admin.post("/rest/api/3/group/user", params={"groupId": DESIGN}, json={"accountId": JANE}).status_code == 201
    seen = admin.get(f"{WIKI}/group/{DESIGN}/membersByGroupId").json()["results"]
    assert [u["accountId"] for u in seen] == [JANE]
    assert admin.delete(f"{WIKI}/group/userByGroupId", params={"groupId": DESIGN, "accountId": JANE}).status_code == 204
    assert admin.get("/rest/api/3/group/member", params={"groupId": DESIGN}).json()["values"] == []
    assert both.state.snapshot() and admin.get("/_emulator/state").json()["products"] == ["jira", "confluence"]


def test_members_page_by_start_and_limit_with_links_relative_to_base(wiki):
    first = wiki.get(f"{WIKI}/group/{BIG}/membersByGroupId", params={"limit": 50, "shouldReturnTotalSize": "true"})
    body = first.json()
    assert (body["start"], body["limit"], body["size"], body["totalSize"]) == (0, 50, 50, 120)
    assert body["_links"]["base"].endswith("/wiki") and body["_links"]["context"] == "/wiki"
    assert (
        body["_links"]["next"] == f"/rest/api/group/{BIG}/membersByGroupId?shouldReturnTotalSize=true&start=50&limit=50"
    )
    last = wiki.get(f"{WIKI}/group/{BIG}/membersByGroupId", params={"start": 100, "limit": 50}).json()
    assert last["size"] == 20 and "next" not in last["_links"] and "totalSize" not in last


def test_a_limit_over_200_is_refused_with_confluences_error_body(wiki):
    response = wiki.get(f"{WIKI}/group/{BIG}/membersByGroupId", params={"limit": 201})
    assert response.status_code == 400
    body = response.json()
    assert body["statusCode"] == 400 and body["message"] == "Limit must be less than or equal to 200, but was 201"
    assert body["data"]["errors"][0]["message"]["translation"] == body["message"]
    # Elsewhere the spec documents no 400: the limit is lowered instead.
    assert wiki.get(f"{WIKI}/group", params={"limit": 500}).json()["limit"] == 200


def test_the_page_cap_knob_lowers_the_limit_silently(wiki, confluence):
    confluence.configure(confluence_page_cap=7)
    assert wiki.get(f"{WIKI}/group/{BIG}/membersByGroupId").json()["size"] == 7


def test_users_look_like_confluence_users(wiki):
    hana = wiki.get(f"{WIKI}/user", params={"accountId": HANA}).json()
    assert hana["email"] == "" and hana["accountType"] == "atlassian" and "active" not in hana
    assert wiki.get(f"{WIKI}/user", params={"accountId": "nobody"}).status_code == 404
    # A Jira Service Management customer does not exist for Confluence.
    customer = "qm:0b9d2a4e-2f7c-4f1e-8a6d-3c5b7e9f1a2d:5c8e1f3a-7b2d-4e6f-9a1c-2d4b6f8e0a13"
    assert wiki.get(f"{WIKI}/user", params={"accountId": customer}).status_code == 404
    groups = wiki.get(f"{WIKI}/user/memberof", params={"accountId": JANE}).json()["results"]
    assert {g["name"] for g in groups} == {"confluence-users", "jira-software-users", "team-platform"}
    assert wiki.get(f"{WIKI}/user/memberof", params={"accountId": "nobody"}).json()["results"] == []


def test_groups_by_name_id_and_access_type(wiki):
    assert wiki.get(f"{WIKI}/group/by-name", params={"name": "team-design"}).json()["id"] == DESIGN
    assert wiki.get(f"{WIKI}/group/by-id", params={"id": DESIGN}).json()["name"] == "team-design"
    assert wiki.get(f"{WIKI}/group/by-name", params={"name": "nope"}).status_code == 404
    access = wiki.get(f"{WIKI}/group", params={"accessType": "user"}).json()["results"]
    assert [g["name"] for g in access] == ["confluence-users"]
    admins = wiki.get(f"{WIKI}/group", params={"accessType": "site-admin"}).json()["results"]
    assert [g["name"] for g in admins] == ["site-admins"]


def test_writes_answer_without_telling_whether_anything_changed(wiki, confluence, api):
    add = {"params": {"groupId": DESIGN}, "json": {"accountId": JANE}}
    assert wiki.post(f"{WIKI}/group/userByGroupId", **add).status_code == 201
    assert wiki.post(f"{WIKI}/group/userByGroupId", **add).status_code == 201  # undocumented; 201 by default
    confluence.configure(confluence_add_member_status=400)
    refused = wiki.post(f"{WIKI}/group/userByGroupId", **add)
    assert refused.status_code == 400 and "already a member" in refused.json()["message"]
    remove = {"params": {"groupId": DESIGN, "accountId": JANE}}
    assert wiki.delete(f"{WIKI}/group/userByGroupId", **remove).status_code == 204
    assert wiki.delete(f"{WIKI}/group/userByGroupId", **remove).status_code == 204  # documented: not a member
    assert confluence.members("team-design") == set()
    unknown = wiki.delete(f"{WIKI}/group/userByGroupId", params={"groupId": DESIGN, "accountId": "nobody"})
    assert unknown.status_code == 404
    bob = api("bob", on=confluence).post(f"{WIKI}/group/userByGroupId", **add)
    assert bob.status_code == 403 and bob.json()["statusCode"] == 403


def test_only_jira_answers_name_the_caller_in_a_header(api, emulator_factory):
    both = emulator_factory(products=("jira", "confluence"))
    admin = api(on=both)
    assert admin.get("/rest/api/3/myself").headers["X-AAccountId"] == "5b10a2844c20165700ede001"
    assert "X-AAccountId" not in admin.get(f"{WIKI}/user/current").headers


def test_401_has_confluences_body(api, confluence):
    response = api(basic_auth=("admin@acme.example", "wrong"), on=confluence).get(f"{WIKI}/user/current")
    assert response.status_code == 401
    assert response.json()["message"] == "Client must be authenticated to access this resource."


@pytest.mark.parametrize(
    ("cql", "names"),
    [
        ('user.fullname~"jo"', ["Jo Bloggs", "Jo March", "John Smith"]),  # a prefix of a word of the name
        ('user.fullname~"jane doe"', ["Jane Doe"]),
        ('user.fullname~"carol"', ["Carol Danvers"]),  # the JSM customer of the same name is not a Confluence user
        (f'user.accountid="{JANE}"', ["Jane Doe"]),
    ],
)
def test_cql_user_search(wiki, cql, names):
    body = wiki.get(f"{WIKI}/search/user", params={"cql": cql}).json()
    assert [r["user"]["displayName"] for r in body["results"]] == names
    assert body["totalSize"] == len(names) and body["cqlQuery"] == cql


def test_cql_the_emulator_does_not_understand_is_refused(wiki):
    response = wiki.get(f"{WIKI}/search/user", params={"cql": "type = page"})
    assert response.status_code == 400 and response.json()["message"].startswith("Could not parse cql")


def test_faults_empty_a_page_or_shift_its_total(wiki, confluence):
    path = f"{WIKI}/group/{BIG}/membersByGroupId"
    confluence.configure(faults=[{"action": "empty_page", "path": path}])
    empty = wiki.get(path, params={"limit": 50}).json()
    assert empty["results"] == [] and empty["_links"]["next"].endswith("start=50&limit=50")
    confluence.configure(faults=[{"action": "shift_total", "path": path, "total_delta": -20}])
    assert wiki.get(path, params={"shouldReturnTotalSize": "true"}).json()["totalSize"] == 100


def test_group_create_and_delete(wiki, confluence):
    created = wiki.post(f"{WIKI}/group", json={"name": "team-new"})
    assert created.status_code == 201 and created.json()["name"] == "team-new"
    assert wiki.post(f"{WIKI}/group", json={"name": "team-new"}).status_code == 400
    assert wiki.delete(f"{WIKI}/group/by-id", params={"id": created.json()["id"]}).status_code == 204
    assert wiki.get(f"{WIKI}/group/by-name", params={"name": "team-new"}).status_code == 404


def test_products_come_from_the_seed_too(emulator_factory):
    seed = load_seed(DEFAULT_SEED_PATH)
    assert emulator_factory({**seed, "products": ["confluence"]}).products == ("confluence",)
    with pytest.raises(ValueError, match="products must be a non-empty list"):
        emulator_factory({**seed, "products": ["bitbucket"]})
