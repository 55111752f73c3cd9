# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Property-based run of the emulator against the published specs (schemathesis): for every operation of each
product's contract (tests/contract/, derived from Atlassian's OpenAPI), requests generated from the spec, sent as
the site admin, must get a documented status, a JSON body where one is documented, a body that validates against the
documented schema, and never a 5xx the request did not provoke. Jira, Confluence and the Admin API.

The checks run: ``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance``,
``response_schema_conformance``. Deliberately not run, with the reason (the emulator README lists them too):
- ``positive_data_acceptance``: the specs mark parameters required without saying "non-empty", so a generated
  ``name=`` (empty) or ``groupId=<random>`` is "schema-valid" while Atlassian answers 400/404; the emulator answers the
  documented 400/404 like Atlassian, which this check would call a failure.
- ``negative_data_rejection``: Atlassian is lenient where the spec is strict (an unknown query parameter is ignored,
  ``maxResults`` beyond the cap is lowered rather than refused), and the emulator is lenient the same way.
Kept deviations (``KEPT``): where an operation's spec lists no answer for an unknown group at all, the emulator
answers 404 with Confluence's error body, as the other group endpoints document for an unknown group; answering
200 with an empty listing would let a typo pass for an empty group.
Examples are derandomized and few per operation, so the run is repeatable and takes seconds; the state is reset
before each example, so writes and deletes do not leak between examples.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from atlassian_emulator.products import PRODUCTS as EMULATOR_PRODUCTS  # noqa: E402

CONTRACTS = Path(__file__).resolve().parents[1] / "contract"
# The Cloud products' contracts (the emulator's product table: Product.contract).
PRODUCTS = {name: product.contract for name, product in EMULATOR_PRODUCTS.items() if product.cloud}
SITE_ADMIN = "Basic " + base64.b64encode(b"admin@acme.example:admin-api-token").decode()
# The site admin's login on every site API; the Admin API takes the organisation's API key, nothing else.
AUTH = {"admin": "Bearer org-api-key"}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 12
# (method, path) -> (status, why): answers the spec does not list, kept on purpose (see the module docstring).
UNKNOWN_GROUP = "an unknown group: 404, as the other group endpoints document; the spec lists none for this one"
KEPT = {
    ("GET", "/wiki/rest/api/group/member"): (404, UNKNOWN_GROUP),
    ("GET", "/wiki/rest/api/group/{groupName}/member"): (404, UNKNOWN_GROUP),
    ("GET", "/wiki/rest/api/group/{groupId}/membersByGroupId"): (404, UNKNOWN_GROUP),
}


def operations(product: str) -> list:
    schema = schemathesis.openapi.from_dict(json.loads((CONTRACTS / PRODUCTS[product]).read_text(encoding="utf-8")))
    return [result.ok() for result in schema.get_all_operations()]


CASES = [pytest.param(product, op, id=f"{product}: {op.label}") for product in PRODUCTS for op in operations(product)]


@pytest.fixture(scope="module")
def sites():
    from atlassian_emulator import Emulator

    started = {product: Emulator(products=(product,)).start() for product in PRODUCTS}
    yield started
    for emulator in started.values():
        emulator.stop()


@pytest.mark.parametrize(("product", "operation"), CASES)
def test_generated_requests_get_answers_the_spec_documents(sites, product, operation):
    emulator = sites[product]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def answers_conform(case) -> None:
        emulator.reset()
        response = case.call(
            base_url=emulator.url,
            headers={"Authorization": AUTH.get(product, SITE_ADMIN), "Accept": "application/json"},
        )
        kept = KEPT.get((operation.method.upper(), operation.path))
        if kept is not None and response.status_code == kept[0]:
            assert response.json()["statusCode"] == kept[0]  # still Confluence's error body
            case.validate_response(response, checks=[c for c in CHECKS if c is not checks.status_code_conformance])
            return
        case.validate_response(response, checks=CHECKS)

    answers_conform()
