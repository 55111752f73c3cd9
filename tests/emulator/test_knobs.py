# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Knobs: latency, the rate limit and every fault action, set from Python and over HTTP."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

MEMBERS = "/rest/api/3/group/member"
GROUP_USER = "/rest/api/3/group/user"


def add(client, group, account_id, **kwargs):
    return client.post(GROUP_USER, params={"groupname": group}, json={"accountId": account_id}, **kwargs)


# -- latency and rate limit ----------------------------------------------------------------------------------------


def test_latency_is_added_and_concurrent_requests_overlap(admin, emulator):
    emulator.configure(latency_ms=300)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(lambda attempt: admin.get("/rest/api/3/myself").status_code, range(5)))
    elapsed = time.perf_counter() - started
    assert statuses == [200] * 5
    assert 0.3 <= elapsed < 1.2  # five in a row would take 1.5 s


def test_rate_limit_answers_429_with_atlassian_headers(admin, emulator):
    emulator.configure(rate_limit_rps=0.5, rate_limit_burst=3)
    ok = [admin.get("/rest/api/3/myself") for attempt in range(3)]
    assert [r.status_code for r in ok] == [200, 200, 200]
    assert ok[0].headers["X-RateLimit-Limit"] == "3" and ok[0].headers["X-RateLimit-Remaining"] == "2"
    assert "X-RateLimit-NearLimit" not in ok[0].headers
    assert ok[2].headers["X-RateLimit-Remaining"] == "0" and ok[2].headers["X-RateLimit-NearLimit"] == "true"

    limited = admin.get("/rest/api/3/myself")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", limited.headers["X-RateLimit-Reset"])
    assert limited.headers["X-RateLimit-NearLimit"] == "true"
    assert limited.headers["RateLimit-Reason"] == "jira-burst-based"
    assert limited.json()["errorMessages"]
    assert emulator.log[-1].status == 429


def test_rate_limit_refills_and_retry_after_can_be_overridden(admin, emulator):
    emulator.configure(rate_limit_rps=20, rate_limit_burst=1, retry_after_seconds=0)
    assert admin.get("/rest/api/3/myself").status_code == 200
    limited = admin.get("/rest/api/3/myself")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "0"
    time.sleep(0.1)
    assert admin.get("/rest/api/3/myself").status_code == 200


def test_rate_limit_is_off_by_default(admin):
    assert "X-RateLimit-Limit" not in admin.get("/rest/api/3/myself").headers


# -- faults --------------------------------------------------------------------------------------------------------


def test_status_fault_then_normal_service(admin, emulator):
    emulator.configure(faults=[{"action": "status", "status": 503, "retry_after": 2, "path": MEMBERS}])
    failed = admin.get(MEMBERS, params={"groupname": "team-platform"})
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "2"
    assert failed.json()["errorMessages"]
    assert admin.get(MEMBERS, params={"groupname": "team-platform"}).status_code == 200
    assert [r.fault for r in emulator.log] == ["status", None]


def test_status_fault_on_a_write_does_not_apply_it(admin, emulator, uid):
    emulator.configure(
        faults=[
            {
                "action": "status",
                "status": 500,
                "method": "POST",
                "path": GROUP_USER,
                "body": {"errorMessages": ["boom"], "errors": {}},
            }
        ]
    )
    failed = add(admin, "team-design", uid("jane@acme.example"))
    assert failed.status_code == 500 and failed.json() == {"errorMessages": ["boom"], "errors": {}}
    assert emulator.members("team-design") == set()
    assert add(admin, "team-design", uid("jane@acme.example")).status_code == 201


def test_status_fault_after_the_write_applies_it(admin, emulator, uid):
    emulator.configure(faults=[{"action": "status", "status": 502, "method": "POST", "phase": "after"}])
    assert add(admin, "team-design", uid("jane@acme.example")).status_code == 502
    assert emulator.members("team-design") == {uid("jane@acme.example")}


def test_status_429_fault_looks_like_a_rate_limit(admin, emulator):
    emulator.configure(faults=[{"action": "status", "status": 429, "retry_after": 1}])
    response = admin.get("/rest/api/3/myself")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.headers["RateLimit-Reason"] == "jira-burst-based"


def test_reset_drops_the_connection(admin, emulator):
    emulator.configure(faults=[{"action": "reset", "path": MEMBERS}])
    with pytest.raises(requests.ConnectionError):
        admin.get(MEMBERS, params={"groupname": "team-platform"})
    assert admin.get(MEMBERS, params={"groupname": "team-platform"}).status_code == 200
    assert (emulator.log[0].status, emulator.log[0].fault) == (0, "reset")


def test_reset_before_a_write_does_not_apply_it(admin, emulator, uid):
    emulator.configure(faults=[{"action": "reset", "method": "POST"}])
    with pytest.raises(requests.ConnectionError):
        add(admin, "team-design", uid("jane@acme.example"))
    assert emulator.members("team-design") == set()


def test_reset_after_a_write_applies_it_but_loses_the_answer(admin, emulator, uid):
    emulator.configure(faults=[{"action": "reset", "method": "POST", "phase": "after"}])
    with pytest.raises(requests.ConnectionError):
        add(admin, "team-design", uid("jane@acme.example"))
    assert emulator.members("team-design") == {uid("jane@acme.example")}


def test_delay_exceeds_the_client_timeout(admin, emulator):
    emulator.configure(faults=[{"action": "delay", "delay_ms": 400, "path": "/rest/api/3/myself"}])
    with pytest.raises(requests.Timeout):
        admin.get("/rest/api/3/myself", timeout=0.1)
    started = time.perf_counter()
    assert admin.get("/rest/api/3/myself").status_code == 200
    assert time.perf_counter() - started < 0.3


def test_empty_page_is_not_last(admin, emulator):
    emulator.configure(faults=[{"action": "empty_page", "path": MEMBERS}])
    page = admin.get(MEMBERS, params={"groupname": "big-group"}).json()
    assert page["values"] == [] and page["isLast"] is False and page["total"] == 108
    assert "startAt=50" in page["nextPage"]
    assert len(admin.get(MEMBERS, params={"groupname": "big-group"}).json()["values"]) == 50


def test_empty_page_ignores_endpoints_without_pages(admin, emulator):
    emulator.configure(faults=[{"action": "empty_page"}])
    assert admin.get("/rest/api/3/myself").status_code == 200
    assert admin.get(MEMBERS, params={"groupname": "big-group"}).json()["values"] == []


def test_shift_total_misreports_only_the_total(admin, emulator):
    emulator.configure(faults=[{"action": "shift_total", "total_delta": -100, "times": None}])
    page = admin.get(MEMBERS, params={"groupname": "big-group"}).json()
    assert page["total"] == 8 and page["isLast"] is False and len(page["values"]) == 50
    emulator.configure(faults=[{"action": "shift_total", "total": 3}])
    assert admin.get("/rest/api/3/group/bulk").json()["total"] == 3


def test_mutate_adds_before_serving(admin, emulator, uid):
    jane = uid("jane@acme.example")
    emulator.configure(faults=[{"action": "mutate", "path": MEMBERS, "add": ["team-design", jane]}])
    values = admin.get(MEMBERS, params={"groupname": "team-design"}).json()["values"]
    assert [u["accountId"] for u in values] == [jane]


def test_mutate_simulates_a_racing_writer(admin, emulator, uid):
    jane = uid("jane@acme.example")
    emulator.configure(
        faults=[
            {"action": "mutate", "method": "POST", "add": ["team-design", jane]},
            {"action": "mutate", "method": "DELETE", "remove": [["team-platform", jane]]},
        ]
    )
    assert add(admin, "team-design", jane).status_code == 400  # someone else added her first
    response = admin.delete(GROUP_USER, params={"groupname": "team-platform", "accountId": jane})
    assert response.status_code == 400  # and someone else already removed her


def test_skip_and_times(admin, emulator):
    emulator.configure(faults=[{"action": "status", "status": 500, "skip": 1, "times": 2}])
    statuses = [admin.get("/rest/api/3/myself").status_code for attempt in range(4)]
    assert statuses == [200, 500, 500, 200]


def test_rules_match_method_segment_prefix_query_and_both_api_versions(admin, emulator):
    emulator.configure(
        faults=[
            {
                "action": "status",
                "status": 502,
                "method": "GET",
                "path": "/rest/api/3/group",
                "times": None,
                "query": {"startAt": "50"},
            },
        ]
    )
    assert admin.get("/rest/api/3/groups/picker", params={"query": "x", "startAt": "50"}).status_code == 200
    assert admin.get(MEMBERS, params={"groupname": "big-group"}).status_code == 200
    assert admin.get(MEMBERS, params={"groupname": "big-group", "startAt": 50}).status_code == 502
    assert admin.get("/rest/api/2/group/member", params={"groupname": "big-group", "startAt": 50}).status_code == 502
    assert admin.post("/rest/api/3/group", params={"startAt": 50}, json={"name": "x"}).status_code == 201


def test_faults_apply_after_auth(api, emulator):
    emulator.configure(faults=[{"action": "status", "status": 500}])
    assert api(header="Bearer wrong").get("/rest/api/3/myself").status_code == 401
    assert api().get("/rest/api/3/myself").status_code == 500


def test_bad_fault_rules_are_rejected(emulator):
    with pytest.raises(ValueError, match="action"):
        emulator.configure(faults=[{"action": "explode"}])
    with pytest.raises(ValueError, match="unknown keys"):
        emulator.configure(faults=[{"action": "status", "stauts": 500}])
    with pytest.raises(ValueError, match="unknown knobs"):
        emulator.configure(latency=5)


# -- control endpoints ---------------------------------------------------------------------------------------------


def test_config_endpoint(admin, emulator):
    response = requests.post(
        f"{emulator.url}/_emulator/config",
        timeout=5,
        json={"remove_non_member_status": 200, "faults": [{"action": "status", "status": 503}]},
    )
    assert response.status_code == 200
    assert response.json()["remove_non_member_status"] == 200
    assert admin.get("/rest/api/3/myself").status_code == 503
    config = requests.get(f"{emulator.url}/_emulator/config", timeout=5).json()
    assert config["faults"][0]["hits"] == 1
    bad = requests.post(f"{emulator.url}/_emulator/config", json={"nope": 1}, timeout=5)
    assert bad.status_code == 400 and "unknown knobs" in bad.json()["error"]


def test_reset_endpoint_restores_the_seed(admin, emulator, uid):
    emulator.configure(latency_ms=5)
    assert add(admin, "team-design", uid("jane@acme.example")).status_code == 201
    assert requests.post(f"{emulator.url}/_emulator/reset", timeout=5).json() == {"status": "reset"}
    assert emulator.members("team-design") == set()
    assert emulator.knobs.latency_ms == 0 and emulator.log == []


def test_state_and_health_endpoints(emulator, uid):
    assert requests.get(f"{emulator.url}/_emulator/health", timeout=5).json() == {"status": "ok"}
    state = requests.get(f"{emulator.url}/_emulator/state", timeout=5).json()
    platform = next(g for g in state["groups"] if g["name"] == "team-platform")
    assert set(platform["members"]) == emulator.members("team-platform")
    assert uid("jane@acme.example") in platform["members"]
    assert emulator.log == []  # control endpoints are not logged
