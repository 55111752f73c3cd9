"""The unit-test wiring itself: collection imports and the run_module fixture (with a dummy module)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from ansible.module_utils.basic import AnsibleModule


def test_collection_package_resolves_to_this_checkout(collection_root):
    import ansible_collections.orgsync.atlassian as collection

    assert (collection_root / "galaxy.yml").is_file()
    assert collection_root.resolve() == Path(__file__).resolve().parents[2]
    assert any(str(collection_root) in p for p in collection.__path__)


def test_module_utils_import_goes_through_ansible_collection_loader(collection_root):
    module_utils = importlib.import_module("ansible_collections.orgsync.atlassian.plugins.module_utils")
    assert type(module_utils.__loader__).__module__.startswith("ansible.utils.collection_loader")
    assert any(type(f).__name__ == "_AnsibleCollectionFinder" for f in sys.meta_path)


def test_ansible_builtin_resolves_too():
    # ansible.builtin lives in ansible-core itself; the finder maps it, as it does when Ansible runs.
    mod = importlib.import_module("ansible_collections.ansible.builtin.plugins.module_utils")
    assert mod is not None


def _dummy_main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            secret=dict(type="str", no_log=True),
            explode=dict(type="bool", default=False),
            warn=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    if module.params["warn"]:
        module.warn("careful")
    if module.params["explode"]:
        module.fail_json(msg=f"cannot handle {module.params['name']} with {module.params['secret']}")
    module.exit_json(
        changed=not module.check_mode,
        name=module.params["name"],
        check_mode=module.check_mode,
        diff_mode=module._diff,
        echoed_secret=module.params["secret"],
    )


def _no_exit_main():
    AnsibleModule(argument_spec={})


def test_run_module_exit_json(run_module):
    result = run_module(_dummy_main, {"name": "alice"})
    assert result["changed"] is True
    assert result["name"] == "alice"
    assert not result.get("failed")
    assert result["invocation"]["module_args"]["name"] == "alice"


def test_run_module_fail_json_and_no_log(run_module):
    result = run_module(_dummy_main, {"name": "bob", "secret": "s3cr3t-token", "explode": True})
    assert result["failed"] is True
    assert "cannot handle bob" in result["msg"]
    assert "s3cr3t-token" not in str(result)


def test_run_module_argument_spec_errors_are_failures(run_module):
    result = run_module(_dummy_main, {})
    assert result["failed"] is True
    assert "name" in result["msg"]


def test_run_module_check_and_diff_mode(run_module):
    result = run_module(_dummy_main, {"name": "carol"}, check_mode=True, diff=True)
    assert result == result | {"changed": False, "check_mode": True, "diff_mode": True}


def test_run_module_warnings_do_not_leak_between_runs(run_module):
    first = run_module(_dummy_main, {"name": "dave", "warn": True})
    assert first["warnings"] == ["careful"]
    second = run_module(_dummy_main, {"name": "dave"})
    assert "warnings" not in second


def test_run_module_rejects_main_without_exit(run_module):
    with pytest.raises(AssertionError, match="without exit_json"):
        run_module(_no_exit_main, {})


def test_ambient_atlassian_env_is_scrubbed():
    import os

    assert not [name for name in os.environ if name.startswith("ATLASSIAN_")]
