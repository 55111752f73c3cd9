# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Every emulator answer is one the published Jira spec documents, and its body validates against the schema.

The spec is the Jira Cloud platform OpenAPI extract (openapi/, provenance in its ``info.x-source``). The schemas use
``additionalProperties: false``, so a misspelled or invented field fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

validators = pytest.importorskip("openapi_schema_validator")

SPEC = json.loads((Path(__file__).parent / "openapi" / "jira-platform-groups-users.openapi.json").read_text())
BIG_ID = "b16b16b1-6b16-4b16-8b16-b16b16b16b16"


def check(response) -> None:
    """The status is documented for this operation, and a documented JSON body validates."""
    path = re.sub(r"^/rest/api/[23]", "/rest/api/3", response.request.path_url.split("?")[0])
    operation = SPEC["paths"][path][response.request.method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{response.request.method} {path} answered undocumented {response.status_code}"
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return
    root = {**schema, "components": SPEC["components"]}
    validator = validators.OAS30ReadValidator(root, format_checker=validators.oas30_format_checker)
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert not errors, f"{response.request.method} {response.request.path_url}: {errors[0]}"


def test_user_endpoints_match_the_spec(admin, anon, uid):
    for who in ("admin@acme.example", "hana.hidden@acme.example", "deploy-bot@acme.example", "otto@acme.example"):
        check(admin.get("/rest/api/3/user", params={"accountId": uid(who), "expand": "groups,applicationRoles"}))
        check(admin.get("/rest/api/3/user/groups", params={"accountId": uid(who)}))
    check(admin.get("/rest/api/3/user", params={"accountId": "nobody"}))
    check(admin.get("/rest/api/3/myself"))
    check(admin.get("/rest/api/2/myself"))
    check(anon.get("/rest/api/3/myself"))
    for query in ("jo", "hana.hidden@acme.example", "deploy", "carol@acme.example", "big-group"):
        check(admin.get("/rest/api/3/user/search", params={"query": query}))
    check(admin.get("/rest/api/3/user/search"))
    check(anon.get("/rest/api/3/user/search", params={"query": "jo"}))


def test_group_endpoints_match_the_spec(admin, bob):
    check(admin.get("/rest/api/3/group/bulk"))
    check(admin.get("/rest/api/3/group/bulk", params={"groupName": "big-group", "maxResults": 1}))
    check(admin.get("/rest/api/3/groups/picker", params={"query": "team"}))
    for params in ({"groupId": BIG_ID}, {"groupname": "big-group", "includeInactiveUsers": "true", "startAt": 100}):
        check(admin.get("/rest/api/3/group/member", params=params))
    check(admin.get("/rest/api/3/group/member"))
    check(admin.get("/rest/api/3/group/member", params={"groupname": "nope"}))
    check(admin.get("/rest/api/3/group", params={"groupname": "jira-software-users"}))
    check(admin.post("/rest/api/3/group", json={"name": "team-new"}))
    check(admin.post("/rest/api/3/group", json={"name": "team-new"}))
    check(bob.post("/rest/api/3/group", json={"name": "team-bob"}))
    check(admin.delete("/rest/api/3/group", params={"groupname": "team-new"}))


def test_membership_endpoints_match_the_spec(admin, bob, uid):
    jane, hana = uid("jane@acme.example"), uid("hana.hidden@acme.example")
    for account_id in (hana, jane, jane, "nobody"):
        check(admin.post("/rest/api/3/group/user", params={"groupname": "team-design"}, json={"accountId": account_id}))
    check(admin.post("/rest/api/3/group/user", params={"groupname": "big-group"}, json={"accountId": jane}))
    check(admin.post("/rest/api/3/group/user", params={"groupname": "team-design"}, json={}))
    check(bob.post("/rest/api/3/group/user", params={"groupname": "team-design"}, json={"accountId": jane}))
    for account_id in (jane, jane, "nobody"):
        check(admin.delete("/rest/api/3/group/user", params={"groupname": "team-design", "accountId": account_id}))
    check(bob.delete("/rest/api/3/group/user", params={"groupname": "team-design", "accountId": hana}))


def test_faulted_pages_still_match_the_spec(admin, emulator):
    emulator.configure(faults=[{"action": "empty_page"}, {"action": "shift_total", "total_delta": 5}])
    check(admin.get("/rest/api/3/group/member", params={"groupname": "big-group"}))
    check(admin.get("/rest/api/3/group/bulk"))
