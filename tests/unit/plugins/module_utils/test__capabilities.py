# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Capabilities: what the table says each backend can do (read from its class), and ``require``, which refuses a
backend without a capability before any request, naming the backends that have it."""

from __future__ import annotations

from abc import ABC, abstractmethod

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends import _base
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    CAPABILITIES,
    AccountLifecycle,
    GroupLifecycle,
    Membership,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import (
    BACKENDS,
    HAS,
    NOT_IN_API,
    NOT_YET,
    capability_table,
    require,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError


def test_the_table_reads_each_backends_capabilities_from_its_class():
    table = capability_table()
    assert list(table) == list(BACKENDS)
    for name, row in table.items():
        assert list(row) == [c.__name__ for c in CAPABILITIES]
        for capability in CAPABILITIES:
            assert (row[capability.__name__] == HAS) == issubclass(BACKENDS[name], capability)
    assert all(row["Membership"] == HAS and row["GroupLifecycle"] == HAS for row in table.values())
    # Issue 18: the account lifecycle where the collection implements it; Confluence Data Center's admin user
    # resource is not supported yet, and Confluence Cloud's API offers only an experimental invitation.
    assert {name: row["AccountLifecycle"] for name, row in table.items()} == {
        "jira_cloud": HAS,
        "jira_datacenter": HAS,
        "confluence_cloud": NOT_IN_API,
        "confluence_datacenter": NOT_YET,
        "admin": HAS,
    }


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_a_capability_is_a_real_contract(capability):
    """Abstract: a backend that claims it without implementing every operation cannot be built."""
    assert capability.__abstractmethods__
    assert not issubclass(capability, _base.Backend) and capability.ability


def test_require_passes_what_a_backend_has_and_sends_nothing(emulator, backend_for):
    backend = backend_for(emulator)
    require(backend, Membership, GroupLifecycle)
    assert emulator.log == []


def test_require_refuses_a_backend_without_the_account_lifecycle_before_any_request(
    emulator, backend_for, backend_name
):
    backend = backend_for(emulator)
    if backend_name in ("jira_cloud", "jira_datacenter", "admin"):
        require(backend, Membership, AccountLifecycle)
        assert emulator.log == []
        return
    with pytest.raises(ConfigurationError) as err:
        require(backend, Membership, AccountLifecycle)
    message = err.value.message
    assert message.startswith(f"backend {backend_name} cannot create, suspend or restore accounts (AccountLifecycle)")
    why = "does not implement it yet" if backend_name != "confluence_cloud" else "its API does not offer it"
    assert why in message and message.endswith("Use a backend that can: jira_cloud, jira_datacenter, admin.")
    assert emulator.log == []


def test_require_names_the_backends_that_have_it(emulator, backend_for, backend_name, monkeypatch):
    class Exporting(ABC):
        ability = "export groups"

        @abstractmethod
        def export(self) -> None:
            """Export."""

    class ExportingJira(BACKENDS["jira_cloud"], Exporting):
        def export(self) -> None:
            return None

    monkeypatch.setitem(BACKENDS, "jira_cloud", ExportingJira)
    backend = backend_for(emulator)
    if backend_name == "jira_cloud":
        require(backend, Exporting)
        return
    with pytest.raises(ConfigurationError) as err:
        require(backend, Exporting)
    assert f"backend {backend_name} cannot export groups (Exporting): its API does not offer it" in err.value.message
    assert err.value.message.endswith("Use a backend that can: jira_cloud.")
    assert emulator.log == []
