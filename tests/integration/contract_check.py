# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Contract validation of the integration suite's traffic (issue 3).

Every emulator an integration test starts is watched (``conftest.emulator_factory``): each request the collection
sends and each answer the emulator gives is validated with openapi-core against tests/contract/ (the Jira contract
for /rest/api, the Confluence one for /wiki/rest/api), and any violation fails the test. See
tools/atlassian_emulator/contract.py for the mechanism.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from atlassian_emulator.contract import ContractSet, ContractWatch

CONTRACT_DIR = Path(__file__).resolve().parents[1] / "contract"
CONTRACT = CONTRACT_DIR / "jira-groups-users.contract.json"


def validator_for(products) -> ContractSet:
    """The contracts of the products an emulator serves (atlassian_emulator.contract.CONTRACT_FILES)."""
    return ContractSet.for_products(products, CONTRACT_DIR)


def load_validator() -> ContractSet:
    """The Cloud site's contracts (Jira and Confluence), for tests that check the checking itself."""
    return validator_for(("jira", "confluence"))


# Set to a file path to have every watch append "requests responses" to it (for the figures in docs/testing.md).
STATS_ENV = "ORGSYNC_CONTRACT_STATS"


def fail_on_violations(watches: Iterable[ContractWatch]) -> None:
    """Stop watching; fail the running test if any request or response broke the contract."""
    watches = list(watches)
    for watch in watches:
        watch.close()
    if os.environ.get(STATS_ENV):
        with open(os.environ[STATS_ENV], "a", encoding="utf-8") as stats:
            stats.writelines(f"{w.requests_checked} {w.responses_checked}\n" for w in watches)
    reports = [watch.report() for watch in watches if watch.violations]
    if reports:
        pytest.fail(
            "The API traffic broke the contract (tests/contract/):\n" + "\n".join(reports),
            pytrace=False,
        )
