# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The API contract (tests/contract/) and the check that holds the integration suite's traffic to it.

- The committed contract is exactly what ``derive_contract.py`` derives from the Jira OpenAPI extract.
- It covers every operation the collection calls and every route the emulator serves, and nothing else.
- The check catches a malformed request and a malformed or undocumented response, and fails the test that saw it.
- A real playbook run is validated request by request (every logged request is checked).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from pathlib import Path

import contract_check
import pytest
import requests

from atlassian_emulator.contract import ContractWatch

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT_DIR = REPO_ROOT / "tests" / "contract"
ADMIN = ("admin@acme.example", "admin-api-token")
TEAM_DESIGN = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
BIG_GROUP = "b16b16b1-6b16-4b16-8b16-b16b16b16b16"
JANE_ID = "5b10a2844c20165700ede003"


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_contract", CONTRACT_DIR / "derive_contract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


derive_contract = _derive_module()
CONTRACT = json.loads(contract_check.CONTRACT.read_text(encoding="utf-8"))
SPECS = {spec.product: spec for spec in derive_contract.CONTRACTS}
# Where each product's contract comes from (the extract's info.x-source), and how the backend file names its API
# prefix: Jira's as the constant API, Confluence's as self.api (with or without /wiki); the probe of backend: auto is
# Jira's serverInfo in v2, which the contract holds as v3.
ORIGINS = {
    "jira": (
        "github.com/jarekbird/jira-api-mcp-wrapper",
        "fea6054694f99860c85887a64b9f169fec71ed18",
        "swagger-v3.v3.json",
    ),
    "confluence": (
        "github.com/xvrh/atlassian_apis",
        "77a145823f6175435ebe9ee62db4edd1119fb697",
        "tool/apis/confluence.json",
    ),
    # Atlassian's published Data Center specs, as committed to a public mock server's repository.
    "jira_datacenter": (
        "github.com/zackbunch/jira-dc-mock-server",
        "14e9d2572ca3efb5fecd739a0b41b3b1889c0edd",
        "contracts/jira-software-dc-10.3-openapi.json",
    ),
    "confluence_datacenter": (
        "github.com/zackbunch/jira-dc-mock-server",
        "4beeaf2103a41c7e167fc24f5c7d67981fbe6ddf",
        "contracts/confluence-dc-10.0.3-openapi.json",
    ),
    # Atlassian's Organizations REST API spec (dac-static.atlassian.com/cloud/admin/organization/swagger.v3.json), as
    # a public repository downloads it.
    "admin": (
        "github.com/mondoohq/cnspec",
        "62835b1388e4ee9c8cd690f5ccd7aeb617105c6c",
        "content/validation/data/atlassian_org_openapi.json",
    ),
}
SERVERS = {
    "jira": "https://your-domain.atlassian.net",
    "confluence": "https://your-domain.atlassian.net",
    "jira_datacenter": "https://jira.example.com",
    "confluence_datacenter": "https://confluence.example.com",
    "admin": "https://api.atlassian.com",
}
# The backend file, how it builds a path, the API prefix, and what its placeholders are named in the contract.
CALLERS = {
    "jira": ("_backends/jira_cloud.py", r"\bAPI}(/[^\"]+)\"", "/rest/api/3"),
    "confluence": ("_backends/confluence_cloud.py", r"\bself\.api}(/[^\"]+)\"", "/wiki/rest/api"),
    "jira_datacenter": ("_backends/jira_datacenter.py", r"\bAPI}(/[^\"]+)\"", "/rest/api/2"),
    "confluence_datacenter": ("_backends/confluence_datacenter.py", r"\bAPI}(/[^\"]+)\"", "/rest/api"),
    "admin": ("_backends/admin.py", None, ""),  # its paths are templates in the spec's own names: admin.PATHS
}
# The emulator's routes of each product start here.
MOUNTS = {
    "jira": "/rest/api/3/",
    "confluence": "/wiki/rest/api/",
    "jira_datacenter": "/rest/api/2/",
    "confluence_datacenter": "/rest/api/",
    "admin": "/admin/",
}


def _module_constants(source: str) -> dict:
    """The module-level constants of a backend file built from literals and each other (``A = B + "/x"``), read
    without importing it (these tests do not put the collection on the import path)."""
    names: dict = {}

    def value(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return value(node.left) + value(node.right)
        if isinstance(node, ast.Tuple):
            return tuple(value(item) for item in node.elts)
        raise ValueError(ast.dump(node))

    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                names[node.targets[0].id] = value(node.value)
            except (KeyError, ValueError):  # not built from literals: not a constant this test needs
                continue
    return names


def _placeholders(path: str) -> str:
    """The backend's f-string fields as the contract names them: a group's id, a group's name, a username."""
    path = re.sub(r"/group/{group\.group_id}/", "/group/{groupId}/", path)
    path = re.sub(r"/user/{[^}]+}", "/user/{username}", path)
    return re.sub(r"/group/{(?!groupId})[^}]+}", "/group/{groupName}", path)


def _session() -> requests.Session:
    session = requests.Session()
    session.auth = ADMIN
    session.headers["Accept"] = "application/json"
    return session


# ---------------------------------------------------------------------------------------------------------- the file


@pytest.mark.parametrize("product", sorted(SPECS))
def test_committed_contract_equals_a_fresh_derivation(product):
    spec = SPECS[product]
    assert spec.output.read_text(encoding="utf-8") == derive_contract.fresh_contract(spec), (
        f"{spec.output.name} is stale: run .venv/bin/python tests/contract/derive_contract.py"
    )


@pytest.mark.parametrize("product", sorted(SPECS))
def test_contract_records_its_source_and_keeps_no_documentation(product):
    spec = SPECS[product]
    contract = json.loads(spec.output.read_text(encoding="utf-8"))
    source = json.loads(spec.source.read_text(encoding="utf-8"))
    origin = contract["x-derived-from"]
    assert (origin["repository"], origin["commit"], origin["path"]) == ORIGINS[product]
    assert origin["info_version"] == source["info"]["version"] == contract["info"]["version"]
    assert contract["servers"] == [{"url": SERVERS[product]}]

    def doc_keys(node, inside_properties=False):
        if isinstance(node, list):
            return [k for item in node for k in doc_keys(item)]
        if not isinstance(node, dict):
            return []
        found = []
        for key, value in node.items():
            if not inside_properties and key in ("summary", "example", "examples", "externalDocs", "title"):
                found.append(key)
            if not inside_properties and key == "description" and value != "":
                found.append(key)
            found += doc_keys(value, inside_properties=key == "properties" and not inside_properties)
        return found

    assert doc_keys(contract["paths"]) == [] and doc_keys(contract["components"]) == []


@pytest.mark.parametrize("product", sorted(SPECS))
def test_contract_covers_what_the_collection_and_the_emulator_use(product, emulator_factory):
    spec = SPECS[product]
    contract = json.loads(spec.output.read_text(encoding="utf-8"))
    # Every path the product's backend builds is in the contract with the method used there.
    filename, pattern, prefix = CALLERS[product]
    text = (REPO_ROOT / "plugins" / "module_utils" / filename).read_text(encoding="utf-8")
    if pattern is None:
        called = set(_module_constants(text)["PATHS"])
    else:
        called = {_placeholders(prefix + match.group(1)) for match in re.finditer(pattern, text)}
    if product == "jira":
        called.add("/rest/api/3/serverInfo")  # _backends._table.PROBE_PATH, in v2: the same API
    if product == "jira_datacenter":
        called.add("/rest/api/2/serverInfo")  # _backends._table.PROBE_PATH
    collection_paths = {path for path, _method in spec.collection_operations}
    assert called == collection_paths
    # Every emulated route of the product is an operation of the contract, and vice versa.
    emulator = emulator_factory(products=(product,))
    mount = MOUNTS[product]
    routes = {
        # <name>, or <path:name> where a value may hold '/' (Confluence Data Center's group names)
        (re.sub(r"<(?:path:)?(\w+)>", lambda m: "{" + _camel(m.group(1)) + "}", rule.rule), method.lower())
        for rule in emulator.app.url_map.iter_rules()
        if rule.rule.startswith(mount)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    in_contract = {(path, method) for path, item in contract["paths"].items() for method in item}
    assert routes == in_contract == set(spec.operations)


# Operations the collection calls although the spec marks them deprecated, each with the reason it still does (the
# same reasons are in docs/troubleshooting.md). Anything else deprecated in the collection's traffic fails the test.
DEPRECATED_IN_USE = {
    ("confluence", "/wiki/rest/api/group/by-name", "get"): (
        "the only exact lookup of a group by name: by-id needs the id, v2 has no group API, group/picker is a "
        "partial-match search and GET group lists every group; it is called once per task and only for a group "
        "given by name, everything after it goes by groupId, and Atlassian said the name-based group APIs stay "
        "available (the deprecation made names mutable, not the lookup unavailable)"
    ),
}


@pytest.mark.parametrize("product", sorted(SPECS))
def test_the_collection_calls_no_deprecated_operation_but_the_explained_ones(product):
    spec = SPECS[product]
    contract = json.loads(spec.output.read_text(encoding="utf-8"))
    deprecated = {
        (product, path, method)
        for path, method in spec.collection_operations
        if contract["paths"][path][method].get("deprecated")
    }
    assert deprecated == {key for key in DEPRECATED_IN_USE if key[0] == product}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


# ------------------------------------------------------------------------------------------- the check catches ...


@pytest.fixture
def bare_emulator():
    """An emulator outside the suite-wide contract watch: these tests provoke violations on purpose."""
    from atlassian_emulator import Emulator

    with Emulator().running() as emulator:
        yield emulator


@pytest.mark.parametrize(
    "send, expected",
    [
        pytest.param(
            lambda s, u: s.post(f"{u}/group/user", params={"groupId": TEAM_DESIGN}, json={"accountId": 5}),
            "at accountId: 5 is not of type 'string'",
            id="body-field-of-the-wrong-type",
        ),
        pytest.param(
            lambda s, u: s.post(f"{u}/group/user", params={"groupId": TEAM_DESIGN}),
            "Missing required request body",
            id="body-missing",
        ),
        pytest.param(
            lambda s, u: s.delete(f"{u}/group/user", params={"groupId": TEAM_DESIGN}),
            "Missing required query parameter: accountId",
            id="required-query-parameter-missing",
        ),
        pytest.param(
            lambda s, u: s.get(f"{u}/group/member", params={"groupId": BIG_GROUP, "maxResults": "fifty"}),
            "Failed to cast value to integer type: fifty",
            id="query-parameter-of-the-wrong-type",
        ),
        pytest.param(
            lambda s, u: s.get(f"{u}/user/bulk"),
            "Path not found",
            id="operation-outside-the-contract",
        ),
    ],
)
def test_a_malformed_request_is_caught(bare_emulator, contract_validator, send, expected):
    with ContractWatch(bare_emulator, contract_validator) as watch:
        send(_session(), f"{bare_emulator.url}/rest/api/3")
    requests_seen = [v for v in watch.violations if v.kind == "request"]
    assert requests_seen, watch.report()
    assert any(expected in v.message for v in requests_seen), watch.report()


@pytest.mark.parametrize(
    "fault, path, expected",
    [
        pytest.param(
            {"action": "status", "status": 200, "body": {"values": "nobody"}},
            f"/group/member?groupId={BIG_GROUP}",
            "at values: 'nobody' is not of type 'array'",
            id="page-with-values-not-a-list",
        ),
        pytest.param(
            {"action": "status", "status": 200, "body": {"startAt": 0, "values": [], "invented": True}},
            f"/group/member?groupId={BIG_GROUP}",
            "Additional properties are not allowed ('invented' was unexpected)",
            id="page-with-an-invented-field",
        ),
        pytest.param(
            {"action": "status", "status": 200, "body": [{"groupId": 7, "name": "x"}]},
            f"/user/groups?accountId={JANE_ID}",
            "at 0/groupId: 7 is not of type 'string'",
            id="group-id-not-a-string",
        ),
        pytest.param(
            {"action": "status", "status": 418},
            "/myself",
            "Unknown response http status: 418",
            id="undocumented-status",
        ),
    ],
)
def test_a_malformed_response_is_caught(bare_emulator, contract_validator, fault, path, expected):
    bare_emulator.configure(faults=[fault])
    with ContractWatch(bare_emulator, contract_validator) as watch:
        _session().get(f"{bare_emulator.url}/rest/api/3{path}")
    assert [v.kind for v in watch.violations] == ["response"], watch.report()
    assert expected in watch.violations[0].message, watch.report()


def test_a_violation_fails_the_test_that_saw_it(bare_emulator, contract_validator):
    watch = ContractWatch(bare_emulator, contract_validator)
    _session().get(f"{bare_emulator.url}/rest/api/3/user/bulk")
    with pytest.raises(pytest.fail.Exception, match=r"broke the contract[\s\S]*GET /rest/api/3/user/bulk"):
        contract_check.fail_on_violations([watch])
    # and a clean watch passes
    clean = ContractWatch(bare_emulator, contract_validator)
    _session().get(f"{bare_emulator.url}/rest/api/3/myself")
    contract_check.fail_on_violations([clean])


# ----------------------------------------------------------------------------------------- ... and checks everything

SYNC_PLAY = f"""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: sync big-group to two people
      orgsync.atlassian.atlassian_group_member:
        group_id: {BIG_GROUP}
        users: [jane@acme.example, 5b10a2844c20165700ede008, big-group-0001@bulk.example]
        exclusive: true
"""


@pytest.mark.slow
def test_every_request_of_a_playbook_run_is_validated(
    emulator, contract_validator, run_playbook, connection_env, backend_profile
):
    with ContractWatch(emulator, contract_validator) as watch:
        run_playbook(SYNC_PLAY, env=connection_env(emulator, *ADMIN), expect_rc=0)
    # Every request to the site's API (a Confluence-only site's 404 to auto's probe of Jira is no API's answer).
    log = [r for r in emulator.log if backend_profile.serves(r.path)]
    assert len(log) > 100  # three member pages, ~120 removals, look-ups
    assert watch.requests_checked == watch.responses_checked == len(log)
    assert watch.violations == [], watch.report()
