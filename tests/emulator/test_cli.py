# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""``python -m atlassian_emulator``: listens, writes its URL to the port file, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

TOOLS = Path(__file__).resolve().parents[2] / "tools"
DEMO_SEED = TOOLS / "atlassian_emulator" / "seeds" / "demo.yaml"


def run_cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TOOLS), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-m", "atlassian_emulator", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text().strip()
        if process.poll() is not None:
            raise AssertionError(f"emulator exited early: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("the port file never appeared")


def test_cli_serves_the_seed_and_stops_on_sigterm(tmp_path):
    port_file = tmp_path / "emulator.url"
    process = run_cli("--seed", str(DEMO_SEED), "--port-file", str(port_file), "--latency-ms", "1")
    try:
        url = wait_for(port_file, process)
        assert url.startswith("http://127.0.0.1:")
        response = requests.get(f"{url}/rest/api/3/myself", auth=("admin@acme.example", "demo-api-token"), timeout=5)
        assert response.status_code == 200 and response.json()["displayName"] == "Alex Admin"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert f"Atlassian emulator listening on {url}" in stdout
    assert not port_file.exists()


def test_cli_refuses_a_non_loopback_host():
    process = run_cli("--host", "0.0.0.0")
    stderr = process.communicate(timeout=10)[1]
    assert process.returncode == 2
    assert "loopback" in stderr
