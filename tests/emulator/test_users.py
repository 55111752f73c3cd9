# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Users: get, search (prefix matching, privacy, inactive users) and a user's groups."""

from __future__ import annotations

import pytest

USER_NOT_FOUND = {
    "errorMessages": ["Specified user does not exist or you do not have required permissions"],
    "errors": {},
}


def search(client, **params):
    response = client.get("/rest/api/3/user/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_get_user(admin, uid):
    response = admin.get("/rest/api/3/user", params={"accountId": uid("jane@acme.example")})
    assert response.status_code == 200
    body = response.json()
    assert body["displayName"] == "Jane Doe"
    assert body["emailAddress"] == "jane@acme.example"
    assert body["active"] is True
    assert body["accountType"] == "atlassian"
    assert body["timeZone"] == "Europe/Berlin"
    assert set(body["avatarUrls"]) == {"16x16", "24x24", "32x32", "48x48"}
    assert body["key"] == "" and body["name"] == ""
    assert body["groups"] == {"size": 3, "items": []}  # counted, listed only with expand=groups


def test_get_user_expand_groups(admin, uid):
    body = admin.get("/rest/api/3/user", params={"accountId": uid("jane@acme.example"), "expand": "groups"}).json()
    assert [g["name"] for g in body["groups"]["items"]] == ["confluence-users", "jira-software-users", "team-platform"]


def test_get_user_unknown_is_404(admin):
    response = admin.get("/rest/api/3/user", params={"accountId": "no-such-account"})
    assert response.status_code == 404
    assert response.json() == USER_NOT_FOUND


def test_get_user_without_account_id_is_404(admin):
    # The spec documents 404 (and no 400) for getUser: a missing accountId names no user.
    response = admin.get("/rest/api/3/user")
    assert response.status_code == 404
    assert response.json()["errorMessages"] == ["Specified user does not exist or you do not have required permissions"]


def test_get_inactive_user_shows_active_false(admin, uid):
    assert (
        admin.get("/rest/api/3/user", params={"accountId": uid("ivan.former@acme.example")}).json()["active"] is False
    )


def test_search_is_a_prefix_search_so_the_au_address_matches_too(admin):
    found = search(admin, query="jo@acme.example")
    assert sorted(u["emailAddress"] for u in found) == ["jo@acme.example", "jo@acme.example.au"]


def test_search_matches_display_name_words_case_insensitively(admin):
    assert [u["displayName"] for u in search(admin, query="DOE")] == ["Jane Doe"]
    assert [u["displayName"] for u in search(admin, query="jane d")] == ["Jane Doe"]
    assert {u["displayName"] for u in search(admin, query="jo")} >= {"Jo March", "Jo Bloggs", "John Smith"}


def test_search_does_not_match_the_middle_of_an_email(admin):
    assert search(admin, query="acme.example") == []


def test_hidden_email_is_found_only_by_the_exact_address(admin, uid):
    assert search(admin, query="hana.hid") == []
    found = search(admin, query="HANA.HIDDEN@acme.example")
    assert [u["accountId"] for u in found] == [uid("hana.hidden@acme.example")]
    assert "emailAddress" not in found[0]


def test_hidden_email_user_is_found_by_name_without_email(admin):
    found = search(admin, query="hana")
    assert [u["displayName"] for u in found] == ["Hana Hidden"]
    assert "emailAddress" not in found[0]


def test_search_returns_active_users_only(admin):
    assert search(admin, query="ivan.former@acme.example") == []
    assert search(admin, query="Ivan") == []


def test_search_finds_one_atlassian_account_an_email_and_a_customer_beside_it(admin):
    # On Cloud an address is one Atlassian account's: Pat Twin (old) exists on Data Center servers only
    # (test_datacenter.py finds both there). A Jira Service Management customer is not an Atlassian account.
    assert [u["displayName"] for u in search(admin, query="pat@acme.example")] == ["Pat Twin"]
    carols = search(admin, query="carol@acme.example")
    assert sorted(u["accountType"] for u in carols) == ["atlassian", "customer"]


def test_search_finds_app_accounts(admin):
    found = search(admin, query="deploy-bot@acme.example")
    assert [(u["accountType"], u["appType"]) for u in found] == [("app", "service")]


def test_search_by_account_id(admin, uid):
    assert [u["displayName"] for u in search(admin, accountId=uid("jane@acme.example"))] == ["Jane Doe"]


@pytest.mark.parametrize(
    "params", [{}, {"query": "jane", "accountId": "5b10a2844c20165700ede003"}], ids=["neither", "both"]
)
def test_search_parameter_errors_are_400(admin, params):
    response = admin.get("/rest/api/3/user/search", params=params)
    assert response.status_code == 400
    assert response.json()["errorMessages"]


def test_search_pages_with_start_at_and_max_results(admin):
    everyone = search(admin, query="big-group", maxResults=1000)
    assert len(everyone) == 108  # the active generated members
    page = search(admin, query="big-group", startAt=10, maxResults=5)
    assert page == everyone[10:15]
    assert len(search(admin, query="big-group")) == 50  # default maxResults


def test_search_considers_only_the_first_1000_matches(emulator_factory, api):
    seed = {
        "users": [{"account_id": "admin-1", "display_name": "Admin", "email": "admin@huge.example"}],
        "credentials": [{"email": "admin@huge.example", "api_token": "t", "site_admin": True}],
        "generate": [{"group": "huge", "members": 1005}],
    }
    client = api(basic_auth=("admin@huge.example", "t"), on=emulator_factory(seed))
    response = client.get("/rest/api/3/user/search", params={"query": "huge", "startAt": 990, "maxResults": 5000})
    assert [u["displayName"] for u in response.json()] == [f"huge member {i:04d}" for i in range(991, 1001)]


def test_user_groups(admin, uid):
    response = admin.get("/rest/api/3/user/groups", params={"accountId": uid("hana.hidden@acme.example")})
    assert response.status_code == 200
    body = response.json()
    assert [g["name"] for g in body] == ["confluence-users", "jira-software-users"]
    assert body[0]["groupId"] == "6e87dc72-4f1f-421f-9382-2fee8b652487"
    assert body[0]["self"].endswith("/rest/api/3/group?groupId=6e87dc72-4f1f-421f-9382-2fee8b652487")


def test_user_groups_unknown_user_is_404(admin):
    response = admin.get("/rest/api/3/user/groups", params={"accountId": "no-such-account"})
    assert response.status_code == 404
    assert response.json() == USER_NOT_FOUND


def test_account_id_with_colon_round_trips(admin, uid):
    otto = uid("otto@acme.example")
    body = admin.get("/rest/api/3/user", params={"accountId": otto}).json()
    assert body["accountId"] == otto
    assert admin.get(body["self"]).json()["accountId"] == otto  # self is followable
