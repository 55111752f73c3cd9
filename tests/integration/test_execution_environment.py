# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""meta/execution-environment.yml: ansible-builder accepts it, and both ways of reading it bring in requests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import harness
import pytest
from ansible_builder._target_scripts import introspect

pytestmark = pytest.mark.slow

META = harness.REPO_ROOT / "meta"


def requirement_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_ansible_builder_create_works_offline_and_lists_requests(tmp_path):
    context = tmp_path / "context"
    # A proxy that refuses every connection: create must not need the network.
    dead_proxy = "http://127.0.0.1:9"
    env = harness.base_env(tmp_path / "ansible_home", {"HTTP_PROXY": dead_proxy, "HTTPS_PROXY": dead_proxy})
    proc = subprocess.run(
        [harness.tool("ansible-builder"), "create", "-f", "meta/execution-environment.yml", "-c", str(context)],
        cwd=harness.REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "requests>=2.28" in requirement_lines(context / "_build" / "requirements.txt")
    dockerfile = (context / "Dockerfile").read_text()
    assert "COPY _build/requirements.txt requirements.txt" in dockerfile
    assert "--user-pip=requirements.txt" in dockerfile
    assert 'ANSIBLE_INSTALL_REFS="ansible-core>=2.17 ansible-runner"' in dockerfile


def test_meta_requirements_match_the_collection_requirements():
    assert requirement_lines(META / "requirements.txt") == requirement_lines(harness.REPO_ROOT / "requirements.txt")


def test_introspecting_the_installed_collection_finds_requests(installed_collection):
    # What ansible-builder does inside the image when an EE lists orgsync.atlassian in its galaxy requirements.
    found = introspect.process(data_dir=str(installed_collection.collections_path))
    assert "requests>=2.28" in found["python"]["orgsync.atlassian"]
