# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The module wrapper every module uses: connection validated first, derived secrets masked, errors reported."""

from __future__ import annotations

from ansible_collections.orgsync.atlassian.plugins.module_utils._client import basic_credential
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule

CONNECTION = {"url": "https://acme.atlassian.net", "username": "me@acme.example", "api_token": "tok-123"}


def echo_main():
    """A module that (wrongly) tries to return the Basic credential it was given, and can raise a typed error."""
    module = AtlassianModule({"echo": dict(type="str"), "explode": dict(type="bool", default=False)}, result={"x": []})
    with module.errors_reported():
        if module.params["explode"]:
            raise ResolutionError("no such thing", hint="do something else", status=404)
    module.exit(echo=module.params["echo"])


def test_derived_basic_credential_is_masked_in_results(run_module):
    credential = basic_credential("me@acme.example", "tok-123")
    result = run_module(echo_main, {**CONNECTION, "echo": f"Basic {credential}"})
    assert credential not in str(result)
    assert result["x"] == [] and result["changed"] is False


def test_typed_errors_become_failures_with_status_and_base_result(run_module):
    result = run_module(echo_main, {**CONNECTION, "explode": True})
    assert result["failed"] is True
    assert result["msg"] == "no such thing. do something else."
    assert result["status"] == 404 and result["x"] == []


def test_connection_is_validated_before_anything_else(run_module):
    result = run_module(echo_main, {"url": "acme.atlassian.net", "api_token": "tok-123", "username": "me@a.example"})
    assert result["failed"] is True and "has no http(s) scheme" in result["msg"]
    assert "status" not in result
