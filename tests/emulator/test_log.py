# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The request log: what is recorded, writes(), clearing, and that no secret ever lands in it."""

from __future__ import annotations

import base64
import json

import requests

SECRETS = ("admin-api-token", "bob-api-token", "oauth-bearer-token", "wrong-token")


def test_records_method_path_query_status_caller_and_body(admin, emulator, uid):
    jane = uid("jane@acme.example")
    admin.post("/rest/api/3/group/user", params={"groupname": "team-design"}, json={"accountId": jane})
    (record,) = emulator.log
    assert record.method == "POST"
    assert record.path == "/rest/api/3/group/user"
    assert record.query == {"groupname": ["team-design"]}
    assert record.status == 201
    assert record.account_id == uid("admin@acme.example")
    assert record.body == {"accountId": jane}
    assert record.started > 0 and record.duration >= 0 and record.fault is None


def test_rejected_and_limited_requests_are_logged(api, emulator):
    emulator.configure(rate_limit_rps=0.1, rate_limit_burst=1)
    api(basic_auth=("admin@acme.example", "wrong-token")).get("/rest/api/3/myself")
    api().get("/rest/api/3/myself")
    assert [(r.status, r.account_id) for r in emulator.log] == [(401, None), (429, None)]


def test_writes_and_clear_log(admin, emulator, uid):
    admin.get("/rest/api/3/myself")
    admin.post("/rest/api/3/group/user", params={"groupname": "team-design"}, json={"accountId": "nobody"})
    admin.delete("/rest/api/3/group/user", params={"groupname": "team-design", "accountId": uid("jane@acme.example")})
    assert [(r.method, r.status) for r in emulator.writes()] == [("POST", 404), ("DELETE", 400)]
    assert emulator.clear_log() == 3
    assert emulator.log == [] and emulator.writes() == []


def test_no_secret_is_ever_logged(api, emulator):
    api().get("/rest/api/3/myself")
    api("bob").post("/rest/api/3/group", json={"name": "x"})
    api("bearer").get("/rest/api/3/user/search", params={"query": "jane"})
    api(basic_auth=("admin@acme.example", "wrong-token")).get("/rest/api/3/myself")
    api(header="Bearer admin-api-token").get("/rest/api/3/myself")
    assert len(emulator.log) == 5
    over_http = requests.get(f"{emulator.url}/_emulator/log", timeout=5).text
    in_python = repr(emulator.log) + json.dumps([r.to_dict() for r in emulator.log])
    for secret in SECRETS:
        encoded = base64.b64encode(f"admin@acme.example:{secret}".encode()).decode()
        for text in (over_http, in_python):
            assert secret not in text and encoded not in text


def test_log_endpoint_and_clear_endpoint(admin, emulator):
    admin.get("/rest/api/3/myself")
    entries = requests.get(f"{emulator.url}/_emulator/log", timeout=5).json()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [("GET", "/rest/api/3/myself", 200)]
    assert requests.post(f"{emulator.url}/_emulator/log/clear", timeout=5).json() == {"cleared": 1}
    assert emulator.log == []
