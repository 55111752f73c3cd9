# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Listing a group's members: the page cap of 50, nextPage, inactive users, privacy, parameter errors."""

from __future__ import annotations

BIG_ID = "b16b16b1-6b16-4b16-8b16-b16b16b16b16"


def members_page(client, **params):
    response = client.get("/rest/api/3/group/member", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def all_pages(client, **params):
    page = members_page(client, **params)
    pages = [page]
    while not page["isLast"]:
        page = client.get(page["nextPage"]).json()
        pages.append(page)
    return pages


def test_max_results_is_capped_at_50(admin):
    page = members_page(admin, groupname="big-group", maxResults=1000)
    assert page["maxResults"] == 50
    assert len(page["values"]) == 50
    assert page["startAt"] == 0 and page["total"] == 108 and page["isLast"] is False


def test_next_page_only_when_not_last(admin, emulator):
    pages = all_pages(admin, groupname="big-group")
    assert [len(p["values"]) for p in pages] == [50, 50, 8]
    assert all("nextPage" in p for p in pages[:-1]) and "nextPage" not in pages[-1]
    assert pages[0]["nextPage"].startswith(f"{emulator.url}/rest/api/3/group/member?")
    assert "startAt=50" in pages[0]["nextPage"] and "maxResults=50" in pages[0]["nextPage"]
    ids = [u["accountId"] for p in pages for u in p["values"]]
    assert len(ids) == len(set(ids)) == 108


def test_include_inactive_users(admin, emulator):
    pages = all_pages(admin, groupId=BIG_ID, includeInactiveUsers="true")
    values = [u for p in pages for u in p["values"]]
    assert len(values) == 120 == pages[0]["total"]
    assert sum(1 for u in values if not u["active"]) == 12
    assert {u["accountId"] for u in values} == emulator.members("big-group")
    assert "includeInactiveUsers=true" in pages[0]["nextPage"] and f"groupId={BIG_ID}" in pages[0]["nextPage"]


def test_inactive_members_hidden_by_default(admin, uid):
    values = members_page(admin, groupname="team-platform")["values"]
    assert uid("ivan.former@acme.example") not in {u["accountId"] for u in values}
    values = members_page(admin, groupname="team-platform", includeInactiveUsers="true")["values"]
    assert uid("ivan.former@acme.example") in {u["accountId"] for u in values}


def test_members_are_ordered_by_display_name_then_account_id(admin):
    values = members_page(admin, groupname="jira-software-users")["values"]
    assert [u["displayName"] for u in values] == [
        "Ada Admin",
        "Bob Builder",
        "Hana Hidden",
        "Jane Doe",
        "Jo Bloggs",
        "Jo March",
        "John Smith",
        "Otto Automation",
    ]


def test_hidden_email_members_have_no_email_key(admin):
    values = members_page(admin, groupname="big-group", includeInactiveUsers="true")["values"]
    for user in values:
        hidden = int(user["displayName"][-4:]) % 7 == 0  # the seed hides every 7th generated member's email
        assert ("emailAddress" not in user) == hidden, user


def test_small_page_sizes_and_start_at(admin):
    page = members_page(admin, groupname="jira-software-users", startAt=3, maxResults=2)
    assert [u["displayName"] for u in page["values"]] == ["Jane Doe", "Jo Bloggs"]
    assert page["startAt"] == 3 and page["maxResults"] == 2 and page["isLast"] is False
    beyond = members_page(admin, groupname="jira-software-users", startAt=500)
    assert beyond["values"] == [] and beyond["isLast"] is True and "nextPage" not in beyond


def test_empty_group(admin):
    page = members_page(admin, groupname="team-design")
    assert page["values"] == [] and page["total"] == 0 and page["isLast"] is True


def test_neither_group_parameter_is_400(admin):
    response = admin.get("/rest/api/3/group/member")
    assert response.status_code == 400
    assert response.json()["errorMessages"]


def test_both_group_parameters_is_400(admin):
    response = admin.get("/rest/api/3/group/member", params={"groupname": "big-group", "groupId": BIG_ID})
    assert response.status_code == 400


def test_unknown_group_is_404_naming_the_group(admin):
    response = admin.get("/rest/api/3/group/member", params={"groupname": "no-such-group"})
    assert response.status_code == 404
    body = response.json()
    assert body["errors"] == {} and len(body["errorMessages"]) == 1
    assert "no-such-group" in body["errorMessages"][0]


def test_member_page_cap_knob(admin, emulator):
    emulator.configure(member_page_cap=10)
    page = members_page(admin, groupname="big-group", maxResults=50)
    assert page["maxResults"] == 10 and len(page["values"]) == 10
