# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Authentication: Basic and Bearer, Jira's 401 in JSON and XML, anonymous search, response headers."""

from __future__ import annotations

import base64

import pytest

ADMIN = ("admin@acme.example", "admin-api-token")
UNAUTHENTICATED = {"message": "Client must be authenticated to access this resource.", "status-code": 401}
XML_401 = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><status><status-code>401</status-code>'
    "<message>Client must be authenticated to access this resource.</message></status>"
)


def assert_401(response, reason="AUTHENTICATED_FAILED"):
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'OAuth realm="https%3A%2F%2Facme.atlassian.net"'
    assert response.headers["X-Seraph-LoginReason"] == reason
    assert "X-AAccountId" not in response.headers
    assert response.headers["X-ARequestId"]


def test_basic_auth_returns_caller_with_headers(admin, uid):
    response = admin.get("/rest/api/3/myself")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert response.headers["X-AAccountId"] == uid("admin@acme.example")
    assert response.headers["X-ARequestId"]
    assert response.json()["emailAddress"] == "admin@acme.example"


def test_basic_auth_email_is_case_insensitive(api):
    assert api(basic_auth=("Admin@ACME.example", ADMIN[1])).get("/rest/api/3/myself").status_code == 200


def test_base64_of_email_alone_is_401_json(api):
    header = "Basic " + base64.b64encode(ADMIN[0].encode()).decode()
    response = api(header=header).get("/rest/api/3/myself")
    assert_401(response)
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize(
    "header",
    [
        "Basic " + base64.b64encode(b"admin@acme.example:wrong-token").decode(),
        "Basic " + base64.b64encode(b"nobody@acme.example:admin-api-token").decode(),
        "Basic !!!not-base64!!!",
        "Basic",
        "Token admin-api-token",
        "Bearer ",
        "Bearer not-a-token",
    ],
    ids=["wrong-token", "unknown-email", "bad-base64", "empty-basic", "unknown-scheme", "empty-bearer", "bad-bearer"],
)
def test_bad_credentials_are_401(api, header):
    assert_401(api(header=header).get("/rest/api/3/myself"))


def test_bearer_token_authenticates(api, uid):
    response = api("bearer").get("/rest/api/3/myself")
    assert response.status_code == 200
    assert response.headers["X-AAccountId"] == uid("otto@acme.example")


def test_api_token_sent_as_bearer_is_401(api):
    assert_401(api(header=f"Bearer {ADMIN[1]}").get("/rest/api/3/myself"))


def test_401_is_xml_unless_json_is_accepted(api):
    response = api(basic_auth=(ADMIN[0], "nope"), accept=None).get("/rest/api/3/myself")  # requests sends */*
    assert_401(response)
    assert response.headers["Content-Type"] == "application/xml;charset=UTF-8"
    assert response.text == XML_401


def test_inactive_account_cannot_authenticate(api):
    assert_401(api("ivan").get("/rest/api/3/myself"), reason="AUTHENTICATION_DENIED")


def test_anonymous_is_401_outside_search(anon):
    for path in ("/rest/api/3/myself", "/rest/api/3/group/member?groupname=big-group", "/rest/api/3/group/bulk"):
        assert_401(anon.get(path))


def test_anonymous_search_is_empty_not_401(anon):
    response = anon.get("/rest/api/3/user/search", params={"query": "jane"})
    assert response.status_code == 200
    assert response.json() == []
    assert "X-AAccountId" not in response.headers
    picker = anon.get("/rest/api/3/groups/picker", params={"query": "jira"})
    assert picker.status_code == 200
    assert picker.json() == {"header": "Showing 0 of 0 matching groups", "total": 0, "groups": []}


def test_wrong_credentials_on_search_are_still_401(api):
    assert_401(api(basic_auth=(ADMIN[0], "nope")).get("/rest/api/3/user/search", params={"query": "jane"}))


def test_v2_paths_behave_like_v3(admin, anon, uid):
    response = admin.get("/rest/api/2/myself")
    assert response.status_code == 200
    assert response.json()["self"].endswith(f"/rest/api/2/user?accountId={uid('admin@acme.example')}")
    assert_401(anon.get("/rest/api/2/myself"))


def test_unknown_api_path_is_404_error_collection(admin):
    response = admin.get("/rest/api/3/no/such/thing")
    assert response.status_code == 404
    assert set(response.json()) == {"errorMessages", "errors"}
