# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Hostile networks and broken servers (issue 21): each case of the security review, replayed in-process on the
client every backend shares, and through the backends and modules where the harm showed (a change reported that did
not happen, credentials that were not the task's).

A small threaded server (``hostile_server``) stands in front of the emulator: the request under test misbehaves,
everything else is the emulator's real answer. Waits run on the fake clock; the size cap and the deadline are
lowered for the tests (1 MiB, about a second), so the whole suite takes seconds. The ``test_<n>_`` prefix is the
case's number in the issue.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, Callable

import pytest
from backend_table import login, member_path, write_method
from hostile_server import HostileServer, answer, dynamic, endless, huge, trickle

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import BACKENDS
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.admin import ResetTimeWaits
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import (
    RESPONSE_DEADLINE_FACTOR,
    AtlassianClient,
    basic_credential,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import settings_from_params
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    ConfigurationError,
    HttpError,
    RetriesExhaustedError,
    summarise,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import CursorPaging, OffsetPaging
from ansible_collections.orgsync.atlassian.plugins.modules import (
    atlassian_group,
    atlassian_group_member,
    atlassian_user_info,
)

ADMIN = {"username": "admin@acme.example", "api_token": "admin-api-token"}
MYSELF = "/rest/api/3/myself"
MEMBERS = "/rest/api/3/group/member"
JANE_ID = "5b10a2844c20165700ede003"  # a member of team-platform; on Data Center, her username
SECRET = "hunter2-secret"
MIB = 1024 * 1024


@pytest.fixture
def hostile():
    """``hostile(upstream=None)``: a started ``HostileServer`` (forwarding to ``upstream``), stopped afterwards."""
    servers: list[HostileServer] = []

    def start(upstream: str | None = None) -> HostileServer:
        server = HostileServer(upstream).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def client_at(fake_clock) -> Callable[..., AtlassianClient]:
    """``client_at(url, workers=1, **options)``: a client with a small timeout (0.5 s), deadline (1 s) and size cap
    (1 MiB), on the fake clock."""
    clients: list[AtlassianClient] = []

    def make(url: str, *, workers: int = 1, **options: Any) -> AtlassianClient:
        params = {"url": url, **ADMIN, "timeout": 0.5, "max_retries": 2, **options}
        client = AtlassianClient(settings_from_params(params), clock=fake_clock, workers=workers)
        client.max_response_bytes = MIB
        client.response_deadline = 1.0
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def task_on(front: HostileServer, emulator: Any, **task: Any) -> dict:
    """A module's arguments for the emulated site, through ``front``."""
    return {**login(emulator), "url": front.url, "max_retries": 1, "timeout": 5, **task}


def users_page(start: int, count: int, **extra: Any) -> dict:
    values = [{"accountId": f"id-{start + i}", "displayName": f"User {start + i}"} for i in range(count)]
    return {"startAt": start, "maxResults": count, "values": values, **extra}


def start_at(query: str) -> int:
    return int(dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("startAt", "0"))


# ---------------------------------------------------------------------------------------------- 1. userinfo in url


@pytest.mark.parametrize(
    "url",
    [
        "http://jane:{secret}@127.0.0.1:{port}",
        "jane:{secret}@127.0.0.1:{port}",
        "https://jane:{secret}@acme.atlassian.net",
    ],
)
def test_1_a_password_in_url_is_refused_before_any_request_and_never_shown(hostile, run_module, url):
    front = hostile()
    url = url.format(secret=SECRET, port=front.url.rsplit(":", 1)[1])
    with pytest.raises(ConfigurationError) as refused:
        settings_from_params({"url": url, **ADMIN})
    assert "holds a user name or password" in refused.value.message and SECRET not in refused.value.message
    result = run_module(atlassian_user_info.main, {"url": url, **ADMIN, "user": JANE_ID})
    assert result["failed"] and "holds a user name or password" in result["msg"]
    assert SECRET not in json.dumps(result)  # nor in the invocation the result carries
    assert front.log == []


# ------------------------------------------------------------------------------------------------ 2. ~/.netrc


def test_2_netrc_never_replaces_the_task_credentials(hostile, emulator, client_at, tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login bob@acme.example password bob-api-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    front = hostile(emulator.url)
    assert client_at(front.url).get(MYSELF).body["emailAddress"] == "admin@acme.example"
    # A wrong bearer token fails as wrong: netrc's valid credentials do not step in.
    with pytest.raises(AtlassianError) as refused:
        client_at(front.url, username=None, api_token=None, bearer_token="wrong-token").get(MYSELF)
    assert refused.value.status == 401
    sent = [seen.headers.get("Authorization") for seen in front.log]
    assert sent == [f"Basic {basic_credential(*ADMIN.values())}", "Bearer wrong-token"]


# ---------------------------------------------------------------------------------------------- 3. redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_3_a_redirected_write_is_an_error_naming_where_it_pointed_and_nothing_follows_it(hostile, client_at, status):
    front = hostile()
    front.on("/group/user", answer(status, headers={"Location": "http://evil.example/landing"}))
    with pytest.raises(HttpError) as failed:
        client_at(front.url).request("POST", "/rest/api/3/group/user", json={"accountId": JANE_ID})
    assert failed.value.message.startswith(
        f"POST /rest/api/3/group/user answered HTTP {status}, a redirect to http://evil.example/landing. Redirects "
        "are not followed, so that the credentials and any change go only where url says. If http://evil.example "
        "is where the site lives now"
    )
    assert len(front.log) == 1  # neither re-sent there nor turned into a GET


def test_3_an_http_to_https_redirect_says_to_fix_the_scheme(hostile, client_at):
    front = hostile()
    host = front.url.removeprefix("http://")
    front.on(MYSELF, answer(301, headers={"Location": f"https://{host}{MYSELF}"}))
    with pytest.raises(HttpError, match=f"The server wants https: set url to https://{host}"):
        client_at(front.url).get(MYSELF)


def test_3_a_redirected_membership_write_reports_no_change_on_any_backend(
    hostile, site, backend_name, run_module, fake_clock
):
    front = hostile(site.url)
    method = write_method(backend_name, "add")
    front.on(
        lambda m, path, query: m == method and (backend_name != "admin" or "/memberships" in path),
        answer(302, headers={"Location": f"{front.url}/secure/Dashboard.jspa"}),
    )
    result = run_module(atlassian_group_member.main, task_on(front, site, group="team-design", user=JANE_ID))
    assert result["failed"] and result["changed"] is False and result["added"] == []
    assert "answered HTTP 302, a redirect to" in result["msg"] and "/secure/Dashboard.jspa" in result["msg"]
    assert site.members("team-design") == set() and site.writes() == []
    assert not front.requests("/secure/Dashboard.jspa")


# ------------------------------------------------------------------------------------------ 4. waits


@pytest.mark.parametrize(
    ("status", "headers", "asked"),
    [
        (
            429,
            {"Retry-After": "315360000"},
            "315360000 s (about 3650 days) before trying again (Retry-After: 315360000)",
        ),
        (503, {"Retry-After": "301"}, "301 s (about 5 minutes) before trying again (Retry-After: 301)"),
        (429, {"X-RateLimit-Reset": "2099-01-01T00:00Z"}, "(X-RateLimit-Reset: 2099-01-01T00:00Z)"),
    ],
)
def test_4_a_wait_beyond_the_ceiling_fails_at_once_saying_what_was_asked(
    hostile, client_at, fake_clock, status, headers, asked
):
    front = hostile()
    front.on(MYSELF, answer(status, {"message": "slow down"}, headers))
    client = client_at(front.url)
    if "X-RateLimit-Reset" in headers:  # the Admin API's reset time: its backend's wait reader reads it
        client = client.speaking(client.errors, ResetTimeWaits())
    t0 = time.monotonic()
    with pytest.raises(RetriesExhaustedError) as failed:
        client.get(MYSELF)
    assert f"GET {MYSELF} answered HTTP {status} asking to wait " in failed.value.message
    assert asked in failed.value.message and "longer than the 300 s a task waits at once" in failed.value.message
    assert fake_clock.sleeps == [] and len(front.log) == 1 and time.monotonic() - t0 < 2


@pytest.mark.parametrize("garbage", ["inf", "nan", "-5", "1e999", "soon", ""])
def test_4_a_garbage_retry_after_falls_back_to_the_usual_back_off(hostile, emulator, client_at, fake_clock, garbage):
    front = hostile(emulator.url)
    front.on(MYSELF, answer(429, {"message": "slow down"}, {"Retry-After": garbage}), times=1)
    assert client_at(front.url).get(MYSELF).status == 200
    (waited,) = fake_clock.sleeps
    assert 3.5 <= waited <= 6.5  # the 429 back-off without Retry-After: 5 s, jittered


# --------------------------------------------------------------------------------- 5. size and deadline


@pytest.mark.parametrize(
    "misbehaviour",
    [huge(800 * MIB), huge(8 * MIB, declared=False), endless()],
    ids=["800MB-declared", "8MB-chunked", "endless-chunked"],
)
def test_5_an_answer_past_the_size_cap_is_abandoned_at_once_not_retried(hostile, client_at, fake_clock, misbehaviour):
    front = hostile()
    front.on(MEMBERS, misbehaviour)
    t0 = time.monotonic()
    with pytest.raises(HttpError) as failed:
        client_at(front.url).get(MEMBERS, {"groupname": "big-group"})
    assert failed.value.message.startswith(
        f"GET {MEMBERS} answered with more than 1 MiB, far more than any answer of this API; reading stopped there."
    )
    assert len(front.log) == 1 and fake_clock.sleeps == [] and time.monotonic() - t0 < 3


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_5_a_trickled_answer_is_abandoned_at_the_deadline_though_each_byte_beats_the_timeout(
    hostile, client_at, headers_too
):
    front = hostile()
    front.on(MEMBERS, trickle(0.05, headers_too=headers_too))
    t0 = time.monotonic()
    with pytest.raises(HttpError) as failed:
        client_at(front.url, timeout=0.5).get(MEMBERS, {"groupname": "big-group"})
    took = time.monotonic() - t0
    assert not isinstance(failed.value, RetriesExhaustedError) and len(front.log) == 1
    assert failed.value.message.startswith(
        f"GET {MEMBERS} did not answer in full within 1 s ({RESPONSE_DEADLINE_FACTOR} times timeout); it was "
        "abandoned, not retried."
    )
    assert "the task keyword timeout bounds a whole task" in failed.value.message
    assert 0.9 <= took < 2.5


def test_5_a_trickled_write_has_an_unclear_outcome_and_is_read_back(hostile, client_at):
    front = hostile()
    front.on("/group/user", trickle(0.05))
    with pytest.raises(RetriesExhaustedError, match="did not answer in full"):  # write_membership reads it back
        client_at(front.url).request("POST", "/rest/api/3/group/user", json={"accountId": JANE_ID})


def test_5_the_deadline_is_a_multiple_of_timeout_and_the_cap_64_mib():
    client = AtlassianClient(settings_from_params({"url": "https://acme.atlassian.net", **ADMIN, "timeout": 7}))
    assert client.response_deadline == 7 * RESPONSE_DEADLINE_FACTOR and client.max_response_bytes == 64 * MIB


# ------------------------------------------------------------------------------------------------ 6. the pager


def test_6_a_first_page_claiming_a_billion_members_is_not_believed(hostile, client_at):
    front = hostile()
    front.on(MEMBERS, dynamic(lambda h: users_page(start_at(h.query), 50, total=10**9, isLast=False)))
    t0 = time.monotonic()
    with pytest.raises(HttpError) as failed:
        list(client_at(front.url, workers=6).iter_pages_concurrently(MEMBERS, {}, OffsetPaging(), page_size=50))
    assert failed.value.message.startswith(
        f"The listing of GET {MEMBERS} claims 1000000000 entries, more than any Atlassian listing holds (1000000)."
    )
    assert len(front.log) == 1 and time.monotonic() - t0 < 2


def test_6_a_large_total_is_fetched_a_window_at_a_time(hostile, client_at):
    # 900,000 announced, but the second page is the last: one window was asked for, not 18,000 page starts.
    def page(handler) -> dict:
        at = start_at(handler.query)
        if at == 0:
            return users_page(0, 50, total=900_000, isLast=False)
        return users_page(at, 30 if at == 50 else 0, total=900_000, isLast=True)

    front = hostile()
    front.on(MEMBERS, dynamic(page))
    pages = list(client_at(front.url, workers=4).iter_pages_concurrently(MEMBERS, {}, OffsetPaging(), page_size=50))
    assert [len(p.values) for p in pages] == [50, 30]
    assert len(front.log) <= 1 + 4 * 4


@pytest.mark.parametrize("workers", [1, 4])
def test_6_a_listing_whose_is_last_never_comes_stops_past_its_announced_total(hostile, client_at, workers):
    front = hostile()
    front.on(MEMBERS, dynamic(lambda h: users_page(start_at(h.query), 50, total=120, isLast=False)))
    with pytest.raises(HttpError) as failed:
        list(client_at(front.url, workers=workers).iter_pages_concurrently(MEMBERS, {}, OffsetPaging(), page_size=50))
    assert "far more than the 120 its first page announced, and still says more follow" in failed.value.message
    assert len(front.log) <= 1120 // 50 + 2 * 4 * workers


@pytest.mark.parametrize("workers", [1, 4])
def test_6_a_listing_that_ignores_the_position_stops_at_the_first_repeat(hostile, client_at, workers):
    front = hostile()
    front.on(MEMBERS, answer(200, users_page(0, 50, isLast=False, nextPage="x")))
    with pytest.raises(HttpError, match=r"answered at startAt=50 the same entries as for the page before"):
        list(client_at(front.url, workers=workers).iter_pages_concurrently(MEMBERS, {}, OffsetPaging(), page_size=50))
    assert len(front.log) == 2


def test_6_a_cursor_that_goes_round_in_circles_stops(hostile, client_at):
    front = hostile()
    front.on(
        "/users",
        dynamic(lambda h: {"data": [{"accountId": f"a{h.query}"}], "links": {"next": "/users?cursor=c1"}}),
    )
    with pytest.raises(HttpError, match="sends back at cursor=c1 to a cursor already followed"):
        list(client_at(front.url).iter_pages("/users", {}, CursorPaging(), page_size=100))
    assert len(front.log) == 2


def test_6_an_endless_listing_without_a_total_stops_at_the_ceiling(hostile, client_at):
    front = hostile()
    front.on(
        "/users",
        dynamic(lambda h: {"data": [{"n": h.query, "i": i} for i in range(100)], "links": {"next": f"c{h.query}x"}}),
    )
    client = client_at(front.url)
    client.max_listing = 350
    with pytest.raises(HttpError, match=r"has sent 400 entries by cursor=\S+, more than any Atlassian listing holds"):
        list(client.iter_pages("/users", {}, CursorPaging(), page_size=100))
    assert len(front.log) == 4


def test_6_an_endless_member_listing_fails_the_task_without_a_write(hostile, emulator_factory, run_module):
    site = emulator_factory(products=("jira",))
    front = hostile(site.url)
    front.on(MEMBERS, dynamic(lambda h: users_page(start_at(h.query), 50, total=60, isLast=False)))
    task = task_on(front, site, group="team-platform", users=[JANE_ID], exclusive=True, backend="jira_cloud")
    result = run_module(atlassian_group_member.main, task)
    assert result["failed"] and result["changed"] is False and result["removed"] == []
    assert "reading the members of team-platform failed: The listing of GET /rest/api/3/group/member" in result["msg"]
    assert site.writes() == []


# ------------------------------------------------------------------------------- 7. tracebacks, now messages


# Where each backend looks a group up (a path prefix the emulator's fault rules take).
GROUP_LOOKUP = {
    "jira_cloud": "/rest/api/3/group/bulk",
    "jira_datacenter": "/rest/api/2/groups/picker",
    "confluence_cloud": "/wiki/rest/api/group/by-name",
    "confluence_datacenter": "/rest/api/group/team-platform",
    "admin": "/admin/v2/orgs/{org}/directories/-/groups/search",
}
# A member page with one member who has no id, in each backend's paging shape, and the id it lacks.
NAMELESS_MEMBER = {
    "jira_cloud": ({"values": [{"displayName": "Nobody"}], "isLast": True}, "accountId"),
    "jira_datacenter": ({"values": [{"displayName": "Nobody"}], "isLast": True}, "name"),
    "confluence_cloud": ({"results": [{"displayName": "Nobody"}], "_links": {}}, "accountId"),
    "confluence_datacenter": ({"results": [{"displayName": "Nobody"}], "_links": {}}, "username"),
    "admin": ({"data": [{"name": "Nobody"}], "links": {}}, "accountId"),
}


def test_7_a_group_lookup_answering_a_list_is_an_error_naming_the_request_on_any_backend(
    site, backend_name, run_module
):
    path = GROUP_LOOKUP[backend_name].format(org=getattr(site.state.org, "org_id", ""))
    site.configure(faults=[{"action": "status", "status": 200, "body": ["not", "a", "group"], "path": path}])
    result = run_module(atlassian_group_member.main, {**login(site), "group": "team-platform", "user": JANE_ID})
    assert result["failed"] and result["changed"] is False
    assert "looking up group team-platform failed: " in result["msg"]
    assert "answered with a JSON array where " in result["msg"] and "This answer was not acted on." in result["msg"]
    assert site.writes() == []


def test_7_a_member_without_an_id_is_an_error_naming_the_request_on_any_backend(site, backend_name, run_module):
    body, missing = NAMELESS_MEMBER[backend_name]
    path = member_path(backend_name, "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20", "team-platform")
    site.configure(faults=[{"action": "status", "status": 200, "body": body, "path": path, "times": None}])
    result = run_module(
        atlassian_group_member.main, {**login(site), "group": "team-platform", "user": JANE_ID, "state": "absent"}
    )
    assert result["failed"] and result["changed"] is False and result["removed"] == []
    assert f"answered with a user without '{missing}'" in result["msg"]
    assert site.writes() == [] and JANE_ID in site.members("team-platform")


@pytest.mark.parametrize(
    ("answered", "problem"),
    [
        (answer(200), "answered with nothing (no JSON body, or null) where a page of groups (a JSON object) belongs"),
        (answer(200, [{"groupId": "g"}]), "answered with a JSON array where a page of groups (a JSON object) belongs"),
        (answer(200, {"values": [{"name": "team-design"}]}), "answered with a group without 'groupId'"),
        (
            answer(200, {"values": [{"groupId": 7}]}),
            "answered with a group whose 'groupId' is a JSON number, not a string",
        ),
    ],
    ids=["empty-200", "a-list", "no-groupId", "number-groupId"],
)
def test_7_a_malformed_group_bulk_is_an_error_never_a_traceback(hostile, client_at, answered, problem):
    front = hostile()
    front.on("/group/bulk", answered)
    backend = BACKENDS["jira_cloud"](client_at(front.url))
    with pytest.raises(HttpError) as failed:
        backend.find_group(name="team-design")
    assert failed.value.message.startswith(f"GET /rest/api/3/group/bulk {problem}. This answer was not acted on.")


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("timeout", math.nan, "timeout must be positive and finite"),
        ("timeout", math.inf, "timeout must be positive and finite"),
        ("timeout", 1e12, "timeout must be positive and finite"),
        ("bearer_token", "t\u00f6ken-\u20ac", "bearer_token contains characters that are not ASCII"),
        ("api_token", "tok\r\nX-Evil: 1", "api_token contains a line break or another control character"),
        ("bearer_token", "tok\n", "bearer_token contains a line break"),
        ("url", "{url}/\r\nX-Evil: 1", "contains a space, line break or other control character"),
    ],
)
def test_7_bad_input_is_refused_up_front_not_retried_as_a_network_failure(hostile, run_module, option, value, words):
    front = hostile()
    task = {"url": front.url, **ADMIN, "user": JANE_ID}
    if option == "bearer_token":
        task = {"url": front.url, "bearer_token": value, "user": JANE_ID}
    else:
        task[option] = value.format(url=front.url) if isinstance(value, str) else value
    result = run_module(atlassian_user_info.main, task)
    assert result["failed"] and words in result["msg"]
    assert "\r" not in result["msg"] and "\n" not in result["msg"] and front.log == []


# ------------------------------------------------------------------------- 8. a malformed member listing


@pytest.mark.parametrize("body", [[1, 2, 3], "<html>"], ids=["an-array", "a-string"])
def test_8_a_malformed_member_listing_never_reads_as_an_empty_group(site, backend_name, run_module, body):
    path = member_path(backend_name, "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20", "team-platform")
    site.configure(faults=[{"action": "status", "status": 200, "body": body, "path": path, "times": None}])
    result = run_module(
        atlassian_group_member.main, {**login(site), "group": "team-platform", "user": JANE_ID, "state": "absent"}
    )
    assert result["failed"] and result["changed"] is False and result["removed"] == []
    assert "where a page of the listing (a JSON object) belongs. This answer was not acted on." in result["msg"]
    assert site.writes() == [] and JANE_ID in site.members("team-platform")


def test_8_member_values_that_are_not_users_are_an_error_too(emulator_factory, run_module):
    site = emulator_factory(products=("jira",))
    site.configure(faults=[{"action": "status", "status": 200, "body": {"values": [1, 2, 3]}, "path": MEMBERS}])
    result = run_module(
        atlassian_group_member.main, {**login(site), "group": "team-platform", "user": JANE_ID, "state": "absent"}
    )
    assert result["failed"] and result["removed"] == [] and site.writes() == []
    assert "answered with a JSON number where a user (a JSON object) belongs" in result["msg"]


# ---------------------------------------------------------------------------------------------- 9. the rest


def test_9_validate_certs_false_warns(emulator, run_module):
    result = run_module(atlassian_user_info.main, {**login(emulator), "user": JANE_ID, "validate_certs": False})
    assert not result.get("failed")
    assert any(
        w.startswith("validate_certs is false: the server's certificate is not checked") for w in result["warnings"]
    )


def test_9_a_proxy_is_honoured_deliberately_and_never_carries_credentials_in_clear(
    hostile, emulator, client_at, monkeypatch
):
    # Plain http through a proxy on another host would hand it the credentials: refused, before any request, with
    # the proxy's own password hidden.
    monkeypatch.setenv("HTTP_PROXY", f"http://me:{SECRET}@proxy.corp.example:3128")
    with pytest.raises(ConfigurationError) as refused:
        settings_from_params({"url": emulator.url, **ADMIN})
    assert "through the proxy http://***@proxy.corp.example:3128" in refused.value.message
    assert "Add 127.0.0.1 to NO_PROXY" in refused.value.message and SECRET not in refused.value.message
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert settings_from_params({"url": emulator.url, **ADMIN}).proxies == {}
    # A proxy on this machine is used (the request reaches the emulator through it), and https goes through one.
    front = hostile()
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTP_PROXY", front.url)
    assert client_at(emulator.url).get(MYSELF).body["emailAddress"] == "admin@acme.example"
    assert [seen.proxied for seen in front.log] == [True]
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    https = settings_from_params({"url": "https://acme.atlassian.net", **ADMIN})
    assert https.proxies["https"] == "http://proxy.corp.example:3128"


def test_9_a_ca_path_that_is_not_pem_says_so(tmp_path):
    der = tmp_path / "ca.cer"
    der.write_bytes(b"\x30\x82\x03\x1f\x30\x82\x02\x07")
    with pytest.raises(ConfigurationError, match=r"is not a PEM file of certificates .*openssl x509 -inform der"):
        settings_from_params({"url": "https://jira.acme.example", **ADMIN, "ca_path": str(der)})


def test_9_thousands_of_failures_make_a_short_message_grouped_by_cause():
    failures = [
        (f"gone{i}@acme.example", f"No account was found with email 'gone{i}@acme.example'. {'R' * 400}")
        for i in range(18_500)
    ]
    failures += [(f"{i:024x}", f"No Atlassian account has accountId '{i:024x}'. Check it.") for i in range(1_500)]
    message = summarise(failures)
    assert len(message) < 3000
    assert message.startswith(
        "No account was found with email 'gone0@acme.example'. "
        + "R" * 400
        + ". The same for 18499 more (the first 20): gone1@acme.example, gone2@acme.example"
    )
    assert (
        "| No Atlassian account has accountId '000000000000000000000000'. Check it. The same for 1499 more" in message
    )
    assert summarise(failures[:3]) == " | ".join(m for _s, m in failures[:3])  # a few are listed in full


@pytest.mark.emails
def test_9_many_unknown_emails_fail_with_a_short_message(site, run_module):
    unknown = [f"gone{i}@acme.example" for i in range(30)]
    result = run_module(atlassian_group_member.main, {**login(site), "group": "team-design", "users": unknown})
    assert result["failed"] and result["msg"].startswith(
        "30 of 30 users could not be resolved, so nothing was changed: "
    )
    assert "The same for 29 more (the first 20): gone1@acme.example," in result["msg"] and len(result["msg"]) < 2500


@pytest.mark.parametrize(
    ("module", "task", "wrong"),
    [
        (atlassian_group_member, {"group": {"a": 1}, "user": JANE_ID}, "group"),
        (atlassian_group_member, {"group": "team-design", "users": [JANE_ID, {"a": 1}, ["b"]]}, "users[1], users[2]"),
        (atlassian_group, {"name": {"a": 1}}, "name"),  # would have predicted creating a group called {'a': 1}
        (atlassian_user_info, {"user": JANE_ID, "email": ["admin@acme.example"]}, "email"),  # an alias too
    ],
)
def test_9_a_mapping_given_for_a_string_option_is_refused_naming_it(hostile, run_module, module, task, wrong):
    front = hostile()
    result = run_module(module.main, {"url": front.url, **ADMIN, **task}, check_mode=True)
    assert result["failed"] and result["msg"].startswith(f"{wrong} must be ")
    assert "{'a': 1}" not in result["msg"] and front.log == []


def test_9_the_diff_after_is_documented_as_the_expected_state():
    assert "expected state" in atlassian_group_member.DOCUMENTATION


@pytest.mark.parametrize(
    "body",
    [
        None,
        7,
        "text",
        [1, {"message": 2}],
        {"message": {"nested": True}},
        {"errorMessages": 5, "errors": [1]},
        {"errorMessages": "one", "errors": {"f": None}},
        {"data": {"errors": 3}},
        {"data": {"errors": [{"message": 4}, "x"]}},
        {"errors": "none", "code": 401},
        {"errors": [{"code": 9, "title": None}, 3]},
        {"errors": [{"code": ["ADMIN-403-5"]}, {"code": {"a": 1}}]},
    ],
)
def test_7_an_error_body_of_any_shape_is_read_without_a_traceback(client_at, backend_name, body):
    backend = BACKENDS[backend_name](client_at("https://acme.atlassian.net"))  # nothing is sent
    said = backend.messages(body, "x" * 10_000)
    assert all(isinstance(m, str) for m in said)
    error = backend.client.error_for("GET", "/x", 403, body, "x" * 10_000)
    assert len(error.message) < 5000


def test_7_a_data_center_password_may_hold_any_character_but_a_line_break(emulator, client_at):
    # Sent base64-encoded in Basic auth: an umlaut is fine (the emulator refuses the password, not the request).
    with pytest.raises(AtlassianError) as refused:
        client_at(emulator.url, username="jdoe", api_token="P\u00e4sswort-\u20ac").get(MYSELF)
    assert refused.value.status == 401
