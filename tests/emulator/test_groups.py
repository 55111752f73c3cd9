# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Groups: bulk lookup, the picker, create and delete."""

from __future__ import annotations

JSU_ID = "276f955c-63d7-42c8-9520-92d01dca0625"


def test_bulk_by_group_name_is_case_insensitive(admin):
    response = admin.get("/rest/api/3/group/bulk", params={"groupName": "JIRA-Software-Users"})
    assert response.status_code == 200
    body = response.json()
    assert body["values"] == [{"name": "jira-software-users", "groupId": JSU_ID}]
    assert body["isLast"] is True and body["total"] == 1 and "nextPage" not in body


def test_bulk_by_several_names_and_ids(admin):
    params = [("groupName", "team-design"), ("groupName", "no-such-group"), ("groupId", JSU_ID)]
    body = admin.get("/rest/api/3/group/bulk", params=params).json()
    assert [v["name"] for v in body["values"]] == ["jira-software-users", "team-design"]


def test_bulk_unknown_name_is_an_empty_page(admin):
    body = admin.get("/rest/api/3/group/bulk", params={"groupName": "no-such-group"}).json()
    assert body["values"] == [] and body["total"] == 0 and body["isLast"] is True


def test_bulk_without_filters_lists_every_group(admin):
    body = admin.get("/rest/api/3/group/bulk").json()
    assert [v["name"] for v in body["values"]] == [
        "big-group",
        "confluence-users",
        "jira-software-users",
        "site-admins",
        "team-design",
        "team-platform",
    ]


def test_bulk_caps_max_results_at_50_and_links_the_next_page(emulator_factory, api):
    emulator = emulator_factory(
        {
            "users": [{"account_id": "a-1", "display_name": "Admin", "email": "admin@acme.example"}],
            "groups": [{"name": f"g-{i:03d}"} for i in range(60)],
            "credentials": [{"email": "admin@acme.example", "api_token": "admin-api-token", "site_admin": True}],
        }
    )
    client = api(on=emulator)
    first = client.get("/rest/api/3/group/bulk", params={"maxResults": 500}).json()
    assert first["maxResults"] == 50 and len(first["values"]) == 50 and first["isLast"] is False
    second = client.get(first["nextPage"]).json()
    assert second["startAt"] == 50 and len(second["values"]) == 10 and second["isLast"] is True
    assert "nextPage" not in second


def test_picker_substring_case_insensitive(admin):
    response = admin.get("/rest/api/3/groups/picker", params={"query": "USERS"})
    assert response.status_code == 200
    body = response.json()
    assert [g["name"] for g in body["groups"]] == ["confluence-users", "jira-software-users"]
    assert body["total"] == 2 and body["header"] == "Showing 2 of 2 matching groups"
    assert body["groups"][0]["html"] == "confluence-<b>users</b>"
    assert body["groups"][0]["labels"] == [] and body["groups"][0]["groupId"]


def test_picker_respects_max_results_and_exclude(admin):
    body = admin.get("/rest/api/3/groups/picker", params={"query": "team", "maxResults": 1}).json()
    assert body["header"] == "Showing 1 of 2 matching groups" and len(body["groups"]) == 1
    body = admin.get("/rest/api/3/groups/picker", params={"query": "team", "exclude": "team-design"}).json()
    assert [g["name"] for g in body["groups"]] == ["team-platform"]


def test_create_group(admin, emulator):
    response = admin.post("/rest/api/3/group", json={"name": "team-new"})
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "team-new" and body["groupId"] and body["expand"] == "users"
    assert body["users"] == {"size": 0, "items": [], "max-results": 50, "start-index": 0, "end-index": 0}
    assert emulator.members(body["groupId"]) == set()


def test_create_group_name_in_use_is_400(admin):
    response = admin.post("/rest/api/3/group", json={"name": "Team-Design"})
    assert response.status_code == 400
    assert response.json()["errorMessages"]


def test_create_group_without_name_is_400(admin):
    assert admin.post("/rest/api/3/group", json={}).status_code == 400


def test_create_group_needs_site_admin(bob, emulator):
    response = bob.post("/rest/api/3/group", json={"name": "team-bob"})
    assert response.status_code == 403
    assert "site administration" in response.json()["errorMessages"][0].lower()
    assert "team-bob" not in {g.name for g in emulator.state.all_groups()}


def test_delete_group(admin, emulator):
    response = admin.delete("/rest/api/3/group", params={"groupname": "team-design"})
    assert response.status_code == 200 and response.content == b""
    assert "team-design" not in {g.name for g in emulator.state.all_groups()}
    assert admin.delete("/rest/api/3/group", params={"groupname": "team-design"}).status_code == 404


def test_get_group_expands_users(admin):
    body = admin.get("/rest/api/3/group", params={"groupId": JSU_ID}).json()
    assert body["name"] == "jira-software-users" and body["users"]["size"] == 9


def test_get_group_expands_the_users_range_asked_for(admin):
    # expand=users[start:end]: end exclusive, 50 at most a time (it used to repeat the first 50 forever).
    page = admin.get("/rest/api/3/group", params={"groupname": "big-group", "expand": "users[50:100]"}).json()["users"]
    assert (page["start-index"], page["end-index"], page["size"], len(page["items"])) == (50, 99, 120, 50)
    tail = admin.get("/rest/api/3/group", params={"groupname": "big-group", "expand": "users[100:200]"}).json()["users"]
    assert (tail["start-index"], tail["end-index"], len(tail["items"])) == (100, 119, 20)
    first = admin.get("/rest/api/3/group", params={"groupname": "big-group"}).json()["users"]
    assert {u["accountId"] for u in first["items"]}.isdisjoint({u["accountId"] for u in page["items"]})


def test_server_info_says_cloud_anonymously_too(admin, anon, emulator):
    for caller in (admin, anon):
        info = caller.get("/rest/api/2/serverInfo").json()
        assert info["deploymentType"] == "Cloud" and info["baseUrl"] == emulator.site
    assert anon.get("/rest/api/3/serverInfo").status_code == 200
