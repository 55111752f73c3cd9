# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Derive the API contracts the integration tests hold the collection and the emulator to, one per product API.

Inputs: the OpenAPI extracts the emulator's schema tests also use (``tests/emulator/openapi/``): Jira Cloud platform
REST v3 (the shared reference extract re-indented, plus serverInfo from the same spec blob) and Confluence Cloud REST
v1 (the shared reference extract as is), the Data Center specs, and Atlassian's Admin (Organizations) API for its v2
directory operations; each records its upstream mirror, commit and path in ``info.x-source``.
Outputs: one ``*.contract.json`` per product (``CONTRACTS``): only the operations the
collection or the emulator uses, with their parameters, request and response schemas and status codes; descriptions,
summaries, titles, examples and vendor ``x-`` extensions stripped; ``x-derived-from`` recording where each came from.
Nothing is invented, with one recorded exception (``x-contract-additions``): a spec lists per operation the statuses
Atlassian thought worth documenting, while Atlassian's rate-limiting guide says any REST API can answer 429 and some
503s carry Retry-After; those (and the transient 5xx the collection retries) are added where missing, without a body
schema, since the body is not documented.

    python tests/contract/derive_contract.py            # rewrite the contracts
    python tests/contract/derive_contract.py --check    # exit 1 if a committed file is stale

A test (tests/integration/test_contract.py) fails when a committed contract differs from a fresh derivation.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
OPENAPI_DIR = HERE.parent / "emulator" / "openapi"


@dataclass(frozen=True)
class ContractSpec:
    """One product API's contract: where it comes from, where it goes, and which operations it keeps."""

    product: str
    source: Path
    output: Path
    title: str
    # Who uses each operation. The collection: its backend file; the emulator serves these too, plus routes that
    # tests use for set-up. A test checks both lists against the code.
    collection_operations: tuple[tuple[str, str], ...]
    emulator_only_operations: tuple[tuple[str, str], ...]
    note: str
    # The spec's server when it is usable as a base URL; else the one to validate against (recorded in the output).
    server: str | None = None
    # Statuses added beyond the transient ones, with why: {status: (reason, operations or None for every one)}.
    extra_statuses: tuple[tuple[str, str, tuple[tuple[str, str], ...] | None], ...] = ()
    # What the spec's paths lack in front (its server carries it: Jira DC's is http://{baseurl}/rest).
    source_prefix: str = ""
    # Corrections of defects in the spec, each (path, method, why, how): recorded in the output.
    fixes: tuple[tuple[str, str, str, Callable[[dict], None]], ...] = ()
    # Request paths the contract holds under another name: {regex: replacement} (x-path-aliases).
    path_aliases: tuple[tuple[str, str], ...] = ()
    # Paths the product does not map, which clients may still ask (and get a 404): {path: why} (x-unmapped-paths).
    unmapped_paths: tuple[tuple[str, str], ...] = ()
    # A bearer scheme the spec leaves out, as (name, why): added as an alternative wherever the spec asks for one.
    bearer_scheme: tuple[str, str] | None = None
    # Further extracts cut from the same spec document (same repository, commit and path: checked), whose operations
    # and components join the main extract's: the account-lifecycle operations (issue 18) were extracted apart.
    extra_sources: tuple[Path, ...] = ()

    @property
    def operations(self) -> tuple[tuple[str, str], ...]:
        return self.collection_operations + self.emulator_only_operations


JIRA = ContractSpec(
    product="jira",
    source=OPENAPI_DIR / "jira-platform-groups-users.openapi.json",
    output=HERE / "jira-groups-users.contract.json",
    title="Jira Cloud groups and users: the subset orgsync.atlassian uses",
    collection_operations=(
        ("/rest/api/3/serverInfo", "get"),
        ("/rest/api/3/myself", "get"),
        ("/rest/api/3/user", "get"),
        ("/rest/api/3/user/search", "get"),
        ("/rest/api/3/user/groups", "get"),
        ("/rest/api/3/group/bulk", "get"),
        ("/rest/api/3/group/member", "get"),
        ("/rest/api/3/group/user", "post"),
        ("/rest/api/3/group/user", "delete"),
        ("/rest/api/3/group", "post"),
        ("/rest/api/3/group", "delete"),
        ("/rest/api/3/users/search", "get"),
        ("/rest/api/3/user", "post"),
    ),
    emulator_only_operations=(
        ("/rest/api/3/group", "get"),
        ("/rest/api/3/groups/picker", "get"),
    ),
    note="v2 (/rest/api/2) is the same API on Cloud (spec narrative 'Version'); validators map it to v3.",
    path_aliases=((r"^/rest/api/2(?=/|$)", "/rest/api/3"),),
    extra_sources=(OPENAPI_DIR / "jira-cloud-users.openapi.json",),
)
CONFLUENCE = ContractSpec(
    product="confluence",
    source=OPENAPI_DIR / "confluence-groups.openapi.json",
    output=HERE / "confluence-groups.contract.json",
    title="Confluence Cloud groups and users: the subset orgsync.atlassian uses",
    collection_operations=(
        ("/wiki/rest/api/group", "get"),
        ("/wiki/rest/api/group/by-name", "get"),
        ("/wiki/rest/api/group/by-id", "get"),
        ("/wiki/rest/api/group/{groupId}/membersByGroupId", "get"),
        ("/wiki/rest/api/group/userByGroupId", "post"),
        ("/wiki/rest/api/group/userByGroupId", "delete"),
        ("/wiki/rest/api/user", "get"),
        ("/wiki/rest/api/user/current", "get"),
        ("/wiki/rest/api/user/memberof", "get"),
        ("/wiki/rest/api/search/user", "get"),
        ("/wiki/rest/api/group", "post"),
        ("/wiki/rest/api/group/by-id", "delete"),
    ),
    emulator_only_operations=(
        ("/wiki/rest/api/group", "delete"),
        ("/wiki/rest/api/group/picker", "get"),
        ("/wiki/rest/api/group/member", "get"),
        ("/wiki/rest/api/group/{groupName}", "get"),
        ("/wiki/rest/api/group/{groupName}/member", "get"),
        ("/wiki/rest/api/group/user", "post"),
        ("/wiki/rest/api/group/user", "delete"),
        ("/wiki/rest/api/user/bulk", "get"),
    ),
    note="The spec's server is scheme-relative (//your-domain.atlassian.net); the contract names it with https.",
    server="https://your-domain.atlassian.net",
    extra_statuses=(
        (
            "401",
            "Atlassian Cloud answers credentials it rejects with 401 on every REST API; the Confluence spec documents "
            "it on its writes ('Returned if the calling user is not logged in to Confluence') but not on each read.",
            None,
        ),
        (
            "404",
            "An unknown group: 404, as the other group endpoints document; these listings' spec lists no answer for "
            "it (the emulator's kept deviation, tests/emulator/test_spec_property.py).",
            (
                ("/wiki/rest/api/group/{groupId}/membersByGroupId", "get"),
                ("/wiki/rest/api/group/member", "get"),
                ("/wiki/rest/api/group/{groupName}/member", "get"),
            ),
        ),
    ),
)


def _groupname_in_query(operation: dict) -> None:
    for parameter in operation["parameters"]:
        if parameter.get("name") == "groupname":
            parameter["in"] = "query"


def _member_page(operation: dict) -> None:
    item = operation["responses"]["200"]["content"]["application/json"]["schema"]
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "object",
        "properties": {
            "self": {"type": "string"},
            "nextPage": {"type": "string"},
            "maxResults": {"type": "integer"},
            "startAt": {"type": "integer"},
            "total": {"type": "integer"},
            "isLast": {"type": "boolean"},
            "values": {"type": "array", "items": item},
        },
    }


def _array_of_users(operation: dict) -> None:
    item = operation["responses"]["200"]["content"]["application/json"]["schema"]
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {"type": "array", "items": item}


JIRA_DC = ContractSpec(
    product="jira_datacenter",
    source=OPENAPI_DIR / "jira-dc-groups-users.openapi.json",
    output=HERE / "jira-dc-groups-users.contract.json",
    title="Jira Data Center groups and users: the subset orgsync.atlassian uses",
    collection_operations=(
        ("/rest/api/2/serverInfo", "get"),
        ("/rest/api/2/myself", "get"),
        ("/rest/api/2/user", "get"),
        ("/rest/api/2/user/search", "get"),
        ("/rest/api/2/group/member", "get"),
        ("/rest/api/2/group/user", "post"),
        ("/rest/api/2/group/user", "delete"),
        ("/rest/api/2/group", "post"),
        ("/rest/api/2/group", "delete"),
        ("/rest/api/2/groups/picker", "get"),
        ("/rest/api/2/user", "post"),
        ("/rest/api/2/user", "put"),
    ),
    emulator_only_operations=(),
    extra_sources=(OPENAPI_DIR / "jira-dc-users.openapi.json",),
    bearer_scheme=(
        "personalAccessToken",
        "Jira Data Center 8.14+ accepts a personal access token as 'Authorization: Bearer <token>' on every REST "
        "operation (Atlassian: Using Personal Access Tokens); the spec models Basic only.",
    ),
    note="Atlassian's Jira Software Data Center 10.3 spec; paths are relative to its server http://{baseurl}/rest, so "
    "the contract names them from /rest and its server https://jira.example.com.",
    server="https://jira.example.com",
    source_prefix="/rest",
    extra_statuses=(
        ("401", "A Data Center server answers rejected or missing credentials with 401 on every operation.", None),
    ),
    fixes=(
        (
            "/rest/api/2/group/member",
            "get",
            "groupname is a query parameter (the spec says path; every client sends it in the query, and the mirror's "
            "COMPATIBILITY.md lists the defect)",
            _groupname_in_query,
        ),
        (
            "/rest/api/2/group/member",
            "get",
            "the answer is a page of UserJsonBean (the spec names the item, not the page; reference §6 and every "
            "client read values/isLast/nextPage)",
            _member_page,
        ),
        (
            "/rest/api/2/user/search",
            "get",
            "the answer is a list of UserBean (the spec names one; its own description says 'a list of users')",
            _array_of_users,
        ),
    ),
)
CONFLUENCE_DC = ContractSpec(
    product="confluence_datacenter",
    source=OPENAPI_DIR / "confluence-dc-groups.openapi.json",
    output=HERE / "confluence-dc-groups.contract.json",
    title="Confluence Data Center groups and users: the subset orgsync.atlassian uses",
    collection_operations=(
        ("/rest/api/group", "get"),  # atlassian_groups' purge_prefix and the export by name_prefix list the groups
        ("/rest/api/group/{groupName}", "get"),
        ("/rest/api/group/{groupName}/member", "get"),
        ("/rest/api/user", "get"),
        ("/rest/api/user/current", "get"),
        ("/rest/api/user/memberof", "get"),
        ("/rest/api/user/{username}/group/{groupName}", "put"),
        ("/rest/api/user/{username}/group/{groupName}", "delete"),
        ("/rest/api/admin/group", "post"),
        ("/rest/api/admin/group/{groupName}", "delete"),
    ),
    emulator_only_operations=(),
    unmapped_paths=(
        (
            "/rest/api/2/serverInfo",
            "backend: auto asks it (Jira's serverInfo); a Confluence server does not map it and answers 404, which is "
            "how auto tells it apart from Jira",
        ),
    ),
    note="Atlassian's Confluence Data Center 10.0.3 spec; its server is http://{baseurl}/confluence, named "
    "https://confluence.example.com here (the context path is the server's own).",
    server="https://confluence.example.com",
    extra_statuses=(
        ("401", "A Data Center server answers rejected or missing credentials with 401 on every operation.", None),
        (
            "403",
            "A caller who may not manage groups is refused with 403, as the admin group operations document; the "
            "membership operations document 204 only.",
            (
                ("/rest/api/user/{username}/group/{groupName}", "put"),
                ("/rest/api/user/{username}/group/{groupName}", "delete"),
            ),
        ),
        (
            "404",
            "An unknown user or group is answered 404, as user and admin/group document; a server older than 8.2 "
            "answers 404 for the membership paths it does not map (research notes A.7).",
            (
                ("/rest/api/group/{groupName}", "get"),
                ("/rest/api/group/{groupName}/member", "get"),
                ("/rest/api/user/memberof", "get"),
                ("/rest/api/user/{username}/group/{groupName}", "put"),
                ("/rest/api/user/{username}/group/{groupName}", "delete"),
                ("/rest/api/admin/group", "post"),
            ),
        ),
    ),
)
ADMIN_DIRECTORY = "/admin/v2/orgs/{orgId}/directories/{directoryId}"
ADMIN = ContractSpec(
    product="admin",
    source=OPENAPI_DIR / "admin-v2-directory.openapi.json",
    output=HERE / "admin-v2-directory.contract.json",
    title="Atlassian Admin API v2, the organisation's directory: the subset orgsync.atlassian uses",
    collection_operations=(
        ("/admin/v2/orgs/{orgId}/directories", "get"),
        (f"{ADMIN_DIRECTORY}/groups/search", "post"),
        (f"{ADMIN_DIRECTORY}/groups", "post"),
        (f"{ADMIN_DIRECTORY}/groups/{{groupId}}", "delete"),
        (f"{ADMIN_DIRECTORY}/groups/{{groupId}}/memberships", "post"),
        (f"{ADMIN_DIRECTORY}/groups/{{groupId}}/memberships/{{accountId}}", "delete"),
        (f"{ADMIN_DIRECTORY}/users/search", "post"),
        ("/admin/v2/orgs/{orgId}/users/invite", "post"),
        (f"{ADMIN_DIRECTORY}/users/{{accountId}}/suspend", "post"),
        (f"{ADMIN_DIRECTORY}/users/{{accountId}}/restore", "post"),
    ),
    emulator_only_operations=(
        ("/admin/v1/orgs", "get"),
        (f"{ADMIN_DIRECTORY}/groups/{{groupId}}", "get"),
        # Deprecated (until 30 June 2027) and unused by the collection, which searches; served so a client that
        # still lists groups this way gets the documented answer.
        (f"{ADMIN_DIRECTORY}/groups", "get"),
    ),
    note="Atlassian's Organizations REST API spec ('API for Atlassian Access'); its paths are relative to its server "
    "https://api.atlassian.com/admin, so the contract names them from /admin and its server https://api.atlassian.com.",
    server="https://api.atlassian.com",
    source_prefix="/admin",
    extra_sources=(OPENAPI_DIR / "admin-v2-users.openapi.json",),
    extra_statuses=(
        (
            "403",
            "An API key that may not manage the organisation is refused with 403 (ADMIN-403-3), as every other v2 "
            "operation of the organisation documents; the directory listing documents 400/401/429/500 only.",
            (("/admin/v2/orgs/{orgId}/directories", "get"),),
        ),
        (
            "404",
            "An unknown organisation is answered 404 (ADMIN-404-2 'Organization not found'), as every other v2 "
            "operation of the organisation documents; the directory listing documents 400/401/429/500 only.",
            (("/admin/v2/orgs/{orgId}/directories", "get"),),
        ),
    ),
)
CONTRACTS = (JIRA, CONFLUENCE, JIRA_DC, CONFLUENCE_DC, ADMIN)

# Documentation only: none of these changes what a request or response may contain.
DOC_KEYS = frozenset({"description", "summary", "title", "example", "examples", "externalDocs", "tags"})
# Statuses any operation can answer (see the module docstring), added where the spec does not list them.
TRANSIENT_STATUSES = ("429", "500", "502", "503", "504")
ADDITION_REASON = (
    "Atlassian's rate-limiting guide (developer.atlassian.com/cloud/jira/platform/rate-limiting/): any REST API can "
    "return 429 (with Retry-After), and 503 may carry Retry-After; 500/502/504 are the transient failures every "
    "Atlassian Cloud endpoint can produce. Added without a body schema: the bodies are not documented."
)


def strip_docs(node: Any, *, property_names: bool = False) -> Any:
    """A copy without documentation keys or ``x-`` extensions. Keys of a ``properties`` map are data, not keywords."""
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if not property_names and (key in DOC_KEYS or key.startswith("x-")):
            continue
        result[key] = strip_docs(value, property_names=key == "properties" and not property_names)
    return result


def refs_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= refs_in(value)
        return found
    if isinstance(node, list):
        return set().union(*(refs_in(item) for item in node)) if node else set()
    return set()


def resolve(spec: dict, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, got {ref}")
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def derive_operation(operation: dict, extra: tuple[str, ...] = ()) -> dict:
    # The Admin API spec gives its write operations no operationId (optional in OpenAPI).
    result: dict[str, Any] = {"operationId": operation["operationId"]} if "operationId" in operation else {}
    if operation.get("deprecated"):
        result["deprecated"] = True
    if operation.get("parameters"):
        # Each parameter once: the Confluence Data Center spec lists some twice (OpenAPI requires them unique).
        unique = {(p.get("in"), p.get("name"), p.get("$ref")): p for p in strip_docs(operation["parameters"])}
        result["parameters"] = list(unique.values())
    if "requestBody" in operation:
        result["requestBody"] = strip_docs(operation["requestBody"])
    responses = {}
    for status, response in operation["responses"].items():
        derived = strip_docs(response)
        derived["description"] = ""  # required by OpenAPI 3.0; the text itself is documentation
        if derived.get("content") == {}:
            # Confluence's spec writes an empty content map for answers without a body (201, 204) and for errors
            # whose body it does not document; it says nothing, and openapi-core would read it as "a body is due".
            del derived["content"]
        responses[status] = derived
    for status in (*TRANSIENT_STATUSES, *extra):
        responses.setdefault(status, {"description": "", "x-contract-added": True})
    result["responses"] = dict(sorted(responses.items()))
    if "security" in operation:
        result["security"] = copy.deepcopy(operation["security"])
    return result


def used_scopes(operations: list[dict]) -> set[str]:
    scopes: set[str] = set()
    for operation in operations:
        for requirement in operation.get("security", []):
            for names in requirement.values():
                scopes.update(names)
    return scopes


def derive(spec: ContractSpec, source: dict, source_bytes: bytes) -> dict:
    paths: dict[str, dict] = {}
    for path, method in spec.operations:
        extra = tuple(status for status, _why, where in spec.extra_statuses if where is None or (path, method) in where)
        operation = derive_operation(source["paths"][path[len(spec.source_prefix) :]][method], extra)
        for fix_path, fix_method, _why, fix in spec.fixes:
            if (fix_path, fix_method) == (path, method):
                fix(operation)
        paths.setdefault(path, {})[method] = operation
        if spec.bearer_scheme and operation.get("security"):
            operation["security"].append({spec.bearer_scheme[0]: []})
    paths = {p: dict(sorted(item.items())) for p, item in sorted(paths.items())}

    # Components: the transitive closure of the $refs the kept operations use.
    components: dict[str, dict] = {}
    pending = sorted(refs_in(paths))
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        section, name = ref.split("/")[2:4]  # "#/components/<section>/<name>"
        derived = strip_docs(resolve(source, ref))
        if section == "responses":
            derived["description"] = ""  # required by OpenAPI 3.0, as in derive_operation
        components.setdefault(section, {})[name] = derived
        pending.extend(sorted(refs_in(derived) - seen))

    # Security schemes: keep the ones referenced, with only the OAuth2 scopes the kept operations name.
    operations = [op for item in paths.values() for op in item.values()]
    scopes = used_scopes(operations)
    schemes = {}
    for name, scheme in source["components"].get("securitySchemes", {}).items():
        scheme = strip_docs(scheme)
        for flow in scheme.get("flows", {}).values():
            flow["scopes"] = {s: "" for s in sorted(flow.get("scopes", {})) if s in scopes}
        schemes[name] = scheme
    if spec.bearer_scheme:
        schemes[spec.bearer_scheme[0]] = {"type": "http", "scheme": "bearer"}
    components["securitySchemes"] = schemes

    x_source = source["info"].get("x-source", {})
    added = {
        f"{method.upper()} {path}": statuses
        for path, item in paths.items()
        for method, op in item.items()
        if (statuses := [s for s, response in op["responses"].items() if response.get("x-contract-added")])
    }
    return {
        "openapi": source["openapi"],
        "info": {"title": spec.title, "version": source["info"]["version"]},
        "x-derived-from": {
            "repository": x_source.get("repository"),
            "commit": x_source.get("commit"),
            "path": x_source.get("path"),
            "upstream_url": x_source.get("upstream_url"),
            "info_version": source["info"]["version"],
            "extract": str(spec.source.relative_to(HERE.parents[1])),
            "extract_sha256": hashlib.sha256(source_bytes).hexdigest(),
            "derived_by": str(Path(__file__).resolve().relative_to(HERE.parents[1])),
            "note": spec.note,
        },
        "x-contract-additions": {
            "reason": ADDITION_REASON,
            **{f"reason {status}": why for status, why, _where in spec.extra_statuses},
            "responses": added,
        },
        **({"x-contract-fixes": [f"{m.upper()} {p}: {why}" for p, m, why, _fix in spec.fixes]} if spec.fixes else {}),
        **({"x-contract-security": {spec.bearer_scheme[0]: spec.bearer_scheme[1]}} if spec.bearer_scheme else {}),
        **({"x-path-aliases": dict(spec.path_aliases)} if spec.path_aliases else {}),
        **({"x-unmapped-paths": dict(spec.unmapped_paths)} if spec.unmapped_paths else {}),
        "servers": [{"url": spec.server}] if spec.server else copy.deepcopy(source["servers"]),
        # A spec-wide requirement (the Admin API's bearer key) holds for every operation kept.
        **({"security": copy.deepcopy(source["security"])} if "security" in source else {}),
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }


def render(contract: dict) -> str:
    return json.dumps(contract, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def merged_source(spec: ContractSpec) -> tuple[dict, bytes, list[tuple[Path, bytes]]]:
    """The main extract with the extra extracts' path items and components joined (the main one's win where both
    have one: the same spec, so they differ at most in quotes of their descriptions, which the contract drops)."""
    raw = spec.source.read_bytes()
    source = json.loads(raw)
    extras = []
    for path in spec.extra_sources:
        extra_raw = path.read_bytes()
        extra = json.loads(extra_raw)
        mine, theirs = source["info"].get("x-source", {}), extra["info"].get("x-source", {})
        # The same file of the same repository, at the same commit or at a later one where the file is unchanged.
        same_file = [mine.get(k) for k in ("repository", "path")] == [theirs.get(k) for k in ("repository", "path")]
        same_bytes = mine.get("commit") in (theirs.get("commit"), theirs.get("file_last_changed_in_commit"))
        if not (same_file and same_bytes):
            raise ValueError(f"{path.name} is not cut from the document {spec.source.name} was cut from")
        for key, item in extra["paths"].items():
            merged = source["paths"].setdefault(key, {})
            for method, operation in item.items():
                merged.setdefault(method, operation)
        for section, entries in extra.get("components", {}).items():
            for name, value in entries.items():
                source.setdefault("components", {}).setdefault(section, {}).setdefault(name, value)
        extras.append((path, extra_raw))
    return source, raw, extras


def fresh_contract(spec: ContractSpec = JIRA) -> str:
    source, raw, extras = merged_source(spec)
    contract = derive(spec, source, raw)
    if extras:
        contract["x-derived-from"]["extra_extracts"] = {
            str(path.relative_to(HERE.parents[1])): hashlib.sha256(data).hexdigest() for path, data in extras
        }
    return render(contract)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed contract is stale")
    args = parser.parse_args(argv)
    stale = 0
    for spec in CONTRACTS:
        text = fresh_contract(spec)
        if args.check:
            if not spec.output.exists() or spec.output.read_text(encoding="utf-8") != text:
                print(f"{spec.output} is stale: run python {Path(__file__).name}", file=sys.stderr)
                stale = 1
            continue
        spec.output.write_text(text, encoding="utf-8")
        print(f"wrote {spec.output} ({len(text)} bytes)")
    return stale


if __name__ == "__main__":
    sys.exit(main())
