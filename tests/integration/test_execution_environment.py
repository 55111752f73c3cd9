# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Execution environments: the collection's meta/execution-environment.yml brings in requests when ansible-builder
introspects the installed collection, and extensions/ee/execution-environment.yml builds an EE with the collection
without ansible-builder's warnings (its default ansible-runner:latest base image is outdated)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import harness
import pytest
import yaml
from ansible_builder._target_scripts import introspect

pytestmark = pytest.mark.slow

META = harness.REPO_ROOT / "meta"
EE = harness.REPO_ROOT / "extensions" / "ee" / "execution-environment.yml"


def requirement_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_the_shipped_ee_definition_builds_offline_without_warnings(tmp_path):
    context = tmp_path / "context"
    # A proxy that refuses every connection: create must not need the network.
    dead_proxy = "http://127.0.0.1:9"
    env = harness.base_env(tmp_path / "ansible_home", {"HTTP_PROXY": dead_proxy, "HTTPS_PROXY": dead_proxy})
    proc = subprocess.run(
        [harness.tool("ansible-builder"), "create", "-f", str(EE), "-c", str(context)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "outdated" not in output and "warn" not in output.lower(), output
    dockerfile = (context / "Dockerfile").read_text()
    assert "quay.io/fedora/fedora:latest" in dockerfile and "ansible-runner:latest" not in dockerfile
    assert 'ANSIBLE_INSTALL_REFS="ansible-core>=2.17 ansible-runner"' in dockerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert [c["name"] for c in galaxy["collections"]] == ["orgsync.atlassian"]


def test_meta_names_the_collection_root_requirements_and_no_copy():
    meta = yaml.safe_load((META / "execution-environment.yml").read_text())
    assert meta["dependencies"] == {"python": "requirements.txt"}
    assert not (META / "requirements.txt").exists()
    assert "requests>=2.28" in requirement_lines(harness.REPO_ROOT / "requirements.txt")


def test_introspecting_the_installed_collection_finds_requests(installed_collection):
    # What ansible-builder does inside the image when an EE lists orgsync.atlassian in its galaxy requirements.
    found = introspect.process(data_dir=str(installed_collection.collections_path))
    assert "requests>=2.28" in found["python"]["orgsync.atlassian"]
