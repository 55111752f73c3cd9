# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Every backend of the collection's table (``_backends._table.BACKENDS``) is in every table that must know it, so a
forgotten row fails ``make test``. The files a new backend touches (docs/architecture.md, "Adding a backend"):

1. ``plugins/module_utils/_backends/<name>.py`` (test_architecture: one file per backend, and each file a backend);
2. its row in ``plugins/module_utils/_backends/_table.py``;
3. ``tools/atlassian_emulator/<product>.py`` and its row in ``tools/atlassian_emulator/products.py``;
4. its contract: the extract in ``tests/emulator/openapi/``, its ``ContractSpec`` in ``tests/contract/derive_contract.py``
   and the derived ``tests/contract/<contract>.contract.json``;
5. its row in ``tests/backend_table.py``;
6. the docs: the ``backend`` option of ``plugins/doc_fragments/connection.py`` (and its own options there), the AWX
   credential's choices in ``extensions/awx/credential_type.yml``, and docs/architecture.md's table.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml
from backend_table import BACKENDS as TEST_BACKENDS

from ansible_collections.orgsync.atlassian.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import (
    BACKENDS,
    capability_table,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import AUTO

REPO_ROOT = Path(__file__).resolve().parents[2]
NAMES = list(BACKENDS)


def emulator_products() -> dict:
    from atlassian_emulator.products import PRODUCTS

    return PRODUCTS


def contract_specs() -> dict:
    path = REPO_ROOT / "tests" / "contract" / "derive_contract.py"
    spec = importlib.util.spec_from_file_location("derive_contract", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    return {contract.product: contract for contract in sys.modules[spec.name].CONTRACTS}


def test_the_doc_fragment_documents_every_backend_and_every_option_a_backend_adds():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    described = " ".join(options["backend"]["description"])
    assert [name for name in [AUTO, *NAMES] if f"V({name})" not in described] == []
    added = {option for backend in BACKENDS.values() for option in backend.declares.options}
    assert added - set(options) == set()


def test_the_awx_credential_offers_every_backend():
    definition = yaml.safe_load((REPO_ROOT / "extensions" / "awx" / "credential_type.yml").read_text(encoding="utf-8"))
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    assert fields["backend"]["choices"] == [AUTO, *NAMES]
    added = {option for backend in BACKENDS.values() for option in backend.declares.options}
    assert added - set(fields) == set()


def test_the_test_backend_table_has_a_row_for_every_backend():
    assert list(TEST_BACKENDS) == NAMES
    assert all(row.name == name for name, row in TEST_BACKENDS.items())


def test_every_backend_has_its_emulator_product_and_every_product_a_backend():
    products = emulator_products()
    served = [product for row in TEST_BACKENDS.values() for product in row.products]
    assert set(served) == set(products)
    assert sorted(served) == sorted(set(served)), "one product, one backend"


@pytest.mark.parametrize("product", sorted({p for row in TEST_BACKENDS.values() for p in row.products}))
def test_every_product_has_its_contract(product):
    record = emulator_products()[product]
    specs = contract_specs()
    assert product in specs, f"no ContractSpec for {product} in tests/contract/derive_contract.py"
    assert specs[product].output.name == record.contract
    assert (REPO_ROOT / "tests" / "contract" / record.contract).is_file()
    assert specs[product].source.is_file()


def test_the_architecture_page_shows_the_backend_table_as_the_code_derives_it():
    text = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = capability_table()
    header = next(line for line in text.splitlines() if line.startswith("| backend | Membership"))
    columns = [cell.strip() for cell in header.strip("|").split("|")][1:]
    assert columns == list(next(iter(table.values())))
    rows = {
        match.group(1): [cell.strip() for cell in match.group(2).strip("|").split("|")]
        for match in re.finditer(r"^\| `(\w+)` \|(.*)$", text, re.M)
        if match.group(1) in table or match.group(2).count("|") == len(columns)
    }
    assert {name: rows.get(name) for name in table} == {name: list(row.values()) for name, row in table.items()}
