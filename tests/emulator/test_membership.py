# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Adding and removing members: the 201 Group body, Atlassian's real error bodies, permissions, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

USER_NOT_FOUND = {
    "errorMessages": ["Specified user does not exist or you do not have required permissions"],
    "errors": {},
}
GROUP_USER = "/rest/api/3/group/user"


def test_add_returns_201_group(admin, emulator, uid):
    jane = uid("jane@acme.example")
    response = admin.post(GROUP_USER, params={"groupname": "team-design"}, json={"accountId": jane})
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    body = response.json()
    assert body["name"] == "team-design" and body["groupId"] == "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
    assert body["expand"] == "users"
    assert body["self"] == f"{emulator.url}/rest/api/3/group?groupId=c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
    users = body["users"]
    assert (users["size"], users["max-results"], users["start-index"], users["end-index"]) == (1, 50, 0, 0)
    assert [u["accountId"] for u in users["items"]] == [jane]
    assert emulator.members("team-design") == {jane}


def test_add_by_group_id(admin, emulator, uid):
    response = admin.post(
        GROUP_USER,
        params={"groupId": "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"},
        json={"accountId": uid("bob@acme.example")},
    )
    assert response.status_code == 201
    assert emulator.members("team-design") == {uid("bob@acme.example")}


def test_add_existing_member_is_400_with_the_unfilled_placeholder(admin, uid):
    response = admin.post(
        GROUP_USER, params={"groupname": "team-platform"}, json={"accountId": uid("jane@acme.example")}
    )
    assert response.status_code == 400
    assert response.json() == {"errorMessages": ["Cannot add user. User is already a member of '{1}'"], "errors": {}}


@pytest.mark.parametrize(
    "body",
    [
        {"accountId": "no-such-account"},
        {"accountId": "jane@acme.example"},
        {"name": "jane@acme.example"},
        {"name": "jane"},
    ],
    ids=["unknown-id", "email-as-id", "email-as-name", "username"],
)
def test_add_unknown_user_is_404(admin, emulator, body):
    response = admin.post(GROUP_USER, params={"groupname": "team-design"}, json=body)
    assert response.status_code == 404
    assert response.json() == USER_NOT_FOUND
    assert emulator.members("team-design") == set()


def test_add_to_unknown_group_is_404(admin, uid):
    response = admin.post(
        GROUP_USER, params={"groupname": "no-such-group"}, json={"accountId": uid("jane@acme.example")}
    )
    assert response.status_code == 404
    assert "no-such-group" in response.json()["errorMessages"][0]


def test_add_without_account_id_is_400(admin):
    response = admin.post(GROUP_USER, params={"groupname": "team-design"}, json={})
    assert response.status_code == 400
    assert response.json()["errorMessages"]


def test_add_without_group_is_400(admin, uid):
    assert admin.post(GROUP_USER, json={"accountId": uid("jane@acme.example")}).status_code == 400


def test_add_inactive_and_app_accounts(admin, emulator, uid):
    for email in ("ivan.former@acme.example", "deploy-bot@acme.example"):
        response = admin.post(GROUP_USER, params={"groupname": "team-design"}, json={"accountId": uid(email)})
        assert response.status_code == 201
    assert emulator.members("team-design") == {uid("ivan.former@acme.example"), uid("deploy-bot@acme.example")}


def test_add_by_non_admin_is_403_and_changes_nothing(bob, emulator, uid):
    response = bob.post(GROUP_USER, params={"groupname": "team-design"}, json={"accountId": uid("bob@acme.example")})
    assert response.status_code == 403
    body = response.json()
    assert body["errors"] == {} and "permission" in body["errorMessages"][0].lower()
    assert emulator.members("team-design") == set()


def test_bearer_admin_can_write(api, emulator, uid):
    response = api("bearer").post(
        GROUP_USER, params={"groupname": "team-design"}, json={"accountId": uid("jane@acme.example")}
    )
    assert response.status_code == 201
    assert response.headers["X-AAccountId"] == uid("otto@acme.example")


def test_add_without_json_content_type_is_415(admin, uid):
    response = admin.post(
        GROUP_USER, params={"groupname": "team-design"}, data=f'{{"accountId": "{uid("jane@acme.example")}"}}'
    )
    assert response.status_code == 415


def test_remove_returns_200_with_empty_body(admin, emulator, uid):
    jane = uid("jane@acme.example")
    response = admin.delete(GROUP_USER, params={"groupname": "team-platform", "accountId": jane})
    assert response.status_code == 200
    assert response.content == b""
    assert jane not in emulator.members("team-platform")


def test_remove_non_member_is_400_by_default(admin, uid):
    bob_id = uid("bob@acme.example")
    response = admin.delete(GROUP_USER, params={"groupname": "team-platform", "accountId": bob_id})
    assert response.status_code == 400
    assert response.json() == {
        "errorMessages": [
            f"Cannot remove user '{bob_id}' from group 'team-platform' since user is not a member of 'team-platform'"
        ],
        "errors": {},
    }


def test_remove_non_member_status_knob(admin, emulator, uid):
    emulator.configure(remove_non_member_status=200)
    response = admin.delete(GROUP_USER, params={"groupname": "team-platform", "accountId": uid("bob@acme.example")})
    assert response.status_code == 200 and response.content == b""


def test_remove_unknown_user_and_group_are_404(admin, uid):
    response = admin.delete(GROUP_USER, params={"groupname": "team-platform", "accountId": "no-such-account"})
    assert response.status_code == 404 and response.json() == USER_NOT_FOUND
    response = admin.delete(GROUP_USER, params={"groupname": "no-such-group", "accountId": uid("jane@acme.example")})
    assert response.status_code == 404


def test_remove_without_account_id_is_400(admin):
    assert admin.delete(GROUP_USER, params={"groupname": "team-platform"}).status_code == 400


def test_remove_by_non_admin_is_403(bob, emulator, uid):
    jane = uid("jane@acme.example")
    assert bob.delete(GROUP_USER, params={"groupname": "team-platform", "accountId": jane}).status_code == 403
    assert jane in emulator.members("team-platform")


def test_concurrent_adds_are_consistent(admin, emulator):
    """Many clients at once: every distinct add lands once, and a contested add succeeds exactly once."""
    ids = sorted(emulator.members("big-group"))[:30]

    def add(account_id):
        return admin.post(GROUP_USER, params={"groupname": "team-design"}, json={"accountId": account_id}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(add, ids + ids[:5]))
    assert sorted(statuses) == [201] * 30 + [400] * 5
    assert emulator.members("team-design") == set(ids)
