# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Data Center modes: Jira DC REST v2 and Confluence DC REST, users by username, Data Center's own answers
(reference §6, and the research notes on the DC specs), a server under a context path and behind a private CA."""

from __future__ import annotations

import ssl

import pytest
import requests

JSU = "jira-software-users"
DESIGN = "team-design"
JANE = "5b10a2844c20165700ede003"  # the default seed's usernames are the accountIds unless it names one
ADMIN = ("admin@acme.example", "admin-api-token")


@pytest.fixture
def jira_dc(emulator_factory):
    return emulator_factory(products=("jira_datacenter",))


@pytest.fixture
def conf_dc(emulator_factory):
    return emulator_factory(products=("confluence_datacenter",))


def test_jira_dc_says_server_and_serves_v2_only(api, jira_dc):
    admin = api(on=jira_dc)
    info = admin.get("/rest/api/2/serverInfo").json()
    assert info["deploymentType"] == "Server" and info["versionNumbers"] == [10, 3, 24]
    assert admin.get("/rest/api/3/myself").status_code == 404  # no v3 on Data Center
    assert "atl-traceid" not in admin.get("/rest/api/2/myself").headers  # no Cloud edge in front of a server
    assert admin.get("/rest/api/2/myself").json()["name"] == "5b10a2844c20165700ede001"


def test_jira_dc_answers_latest_as_its_newest_version(api, jira_dc):
    """/rest/api/latest is the Data Center docs' alias of the newest version (pycontribs' jira uses it)."""
    admin = api(on=jira_dc)
    assert admin.get("/rest/api/latest/myself").json() == admin.get("/rest/api/2/myself").json()
    add = admin.post("/rest/api/latest/group/user", params={"groupname": DESIGN}, json={"name": JANE})
    assert add.status_code == 201
    members = admin.get("/rest/api/2/group/member", params={"groupname": DESIGN}).json()
    assert [m["name"] for m in members["values"]] == [JANE]
    assert admin.get("/rest/api/latest/nothing").status_code == 404


def test_jira_dc_basic_auth_by_username_too(api, jira_dc):
    assert api(basic_auth=("5b10a2844c20165700ede001", ADMIN[1]), on=jira_dc).get("/rest/api/2/myself").ok
    assert api(basic_auth=ADMIN, on=jira_dc).get("/rest/api/2/myself").ok


def test_jira_dc_memberships_by_username_with_its_refusals(api, jira_dc):
    admin = api(on=jira_dc)
    add = admin.post("/rest/api/2/group/user", params={"groupname": DESIGN}, json={"name": JANE})
    assert add.status_code == 201 and add.json()["name"] == DESIGN
    again = admin.post("/rest/api/2/group/user", params={"groupname": DESIGN}, json={"name": JANE})
    assert again.status_code == 400
    assert again.json()["errorMessages"] == [f"Cannot add user '{JANE}', user is already a member of '{DESIGN}'"]
    members = admin.get("/rest/api/2/group/member", params={"groupname": DESIGN}).json()
    assert [m["name"] for m in members["values"]] == [JANE] and "accountId" not in members["values"][0]
    gone = admin.delete("/rest/api/2/group/user", params={"groupname": DESIGN, "username": JANE})
    assert gone.status_code == 200 and not gone.content
    not_member = admin.delete("/rest/api/2/group/user", params={"groupname": DESIGN, "username": JANE})
    assert not_member.json()["errorMessages"] == [
        f"Cannot remove user '{JANE}' from group '{DESIGN}' since user is not a member of '{DESIGN}'"
    ]
    assert admin.delete("/rest/api/2/group/user", params={"groupname": DESIGN, "username": "nobody"}).json() == {
        "errorMessages": ["User 'nobody' does not exist"],
        "errors": {},
    }


def test_jira_dc_user_search_matches_prefixes_and_hides_inactive_unless_asked(api, jira_dc):
    admin = api(on=jira_dc)
    found = admin.get("/rest/api/2/user/search", params={"username": "jo@acme.example"}).json()
    assert sorted(u["emailAddress"] for u in found) == ["jo@acme.example", "jo@acme.example.au"]
    ivan = {"username": "ivan.former@acme.example"}
    assert admin.get("/rest/api/2/user/search", params=ivan).json() == []
    inactive = admin.get("/rest/api/2/user/search", params={**ivan, "includeInactive": "true"}).json()
    assert [u["active"] for u in inactive] == [False]


def test_jira_dc_users_may_share_an_email(api, jira_dc):
    """Jira Data Center allows duplicate email addresses: the default seed's Pat Twin (old) (datacenter_only) has
    Pat Twin's, and the search finds both."""
    found = api(on=jira_dc).get("/rest/api/2/user/search", params={"username": "pat@acme.example"}).json()
    assert sorted(u["displayName"] for u in found) == ["Pat Twin", "Pat Twin (old)"]
    assert {u["emailAddress"] for u in found} == {"pat@acme.example"}


def test_jira_dc_rate_limit_headers(api, emulator_factory):
    jira_dc = emulator_factory(products=("jira_datacenter",), rate_limit_rps=1, rate_limit_burst=1)
    admin = api(on=jira_dc)
    assert admin.get("/rest/api/2/myself").ok
    limited = admin.get("/rest/api/2/myself")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1" and limited.headers["X-RateLimit-FillRate"] == "1"
    assert limited.headers["X-RateLimit-Interval-Seconds"] == "1" and "X-RateLimit-NearLimit" not in limited.headers


def test_confluence_dc_membership_is_idempotent(api, conf_dc):
    admin = api(on=conf_dc)
    path = f"/rest/api/user/{JANE}/group/{DESIGN}"
    assert [admin.put(path).status_code, admin.put(path).status_code] == [204, 204]
    assert conf_dc.members(DESIGN) == {JANE}
    members = admin.get(f"/rest/api/group/{DESIGN}/member").json()
    assert [m["username"] for m in members["results"]] == [JANE] and members["_links"]["context"] == ""
    assert [admin.delete(path).status_code, admin.delete(path).status_code] == [204, 204]
    assert conf_dc.members(DESIGN) == set()
    assert admin.get("/rest/api/user", params={"username": "nobody"}).status_code == 404
    assert [g["name"] for g in admin.get("/rest/api/user/memberof", params={"username": JANE}).json()["results"]] == [
        "confluence-users",
        "jira-software-users",
        "team-platform",
    ]


def test_confluence_dc_group_names_may_hold_a_slash(api, conf_dc):
    # Clients send a name with '/' as one path segment (%2F); the server decodes it before routing.
    conf_dc.state.create_group("team/ops")
    admin = api(on=conf_dc)
    assert admin.get("/rest/api/group/team%2Fops").json()["name"] == "team/ops"
    assert admin.put(f"/rest/api/user/{JANE}/group/team%2Fops").status_code == 204
    assert [m["username"] for m in admin.get("/rest/api/group/team%2Fops/member").json()["results"]] == [JANE]
    assert admin.delete(f"/rest/api/user/{JANE}/group/team%2Fops").status_code == 204
    assert admin.delete("/rest/api/admin/group/team%2Fops").status_code == 204
    assert admin.get("/rest/api/group/team%2Fops").status_code == 404


def test_confluence_dc_before_8_2_has_no_membership_endpoints(api, conf_dc):
    conf_dc.configure(confluence_dc_membership_api=False)
    response = api(on=conf_dc).put(f"/rest/api/user/{JANE}/group/{DESIGN}")
    assert response.status_code == 404 and response.json()["message"].startswith("null for uri: ")
    assert conf_dc.members(DESIGN) == set()


def test_confluence_dc_groups_are_created_with_200_and_refused_with_409(api, conf_dc):
    admin = api(on=conf_dc)
    created = admin.post("/rest/api/admin/group", json={"name": "team-new"})
    assert created.status_code == 200 and created.json()["name"] == "team-new"
    assert admin.post("/rest/api/admin/group", json={"name": "team-new"}).status_code == 409
    assert admin.delete("/rest/api/admin/group/team-new").status_code == 204


def test_a_context_path_and_a_private_ca(emulator_factory, tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    jira_dc = emulator_factory(products=("jira_datacenter",), context_path="/jira", ssl_context=server_context)
    assert jira_dc.url.startswith("https://127.0.0.1:") and jira_dc.url.endswith("/jira")
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    answer = requests.get(f"{jira_dc.url}/rest/api/2/myself", auth=ADMIN, verify=str(bundle), timeout=5)
    assert answer.json()["name"] == "5b10a2844c20165700ede001"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{jira_dc.url}/rest/api/2/myself", auth=ADMIN, timeout=5)  # the system's CAs do not know it
    outside = requests.get(jira_dc.url.rsplit("/jira", 1)[0] + "/rest/api/2/myself", verify=str(bundle), timeout=5)
    assert outside.status_code == 404  # only under the context path
