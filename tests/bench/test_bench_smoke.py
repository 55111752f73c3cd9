# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""`make bench` in miniature, so the benchmark cannot rot: every workload and variant on tiny sizes.

It asserts that each variant ran, converged and was counted, never how fast: timings belong to `make bench`
(docs/benchmarks.md), not to a test on a shared machine.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HAS_APA = importlib.util.find_spec("atlassian") is not None


@pytest.mark.slow
def test_bench_runs_every_workload_and_variant_on_tiny_sizes(tmp_path):
    variants = "a,b,c,d" if HAS_APA else "a,b,c"
    output = tmp_path / "benchmarks.md"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            *("--members", "60", "--newcomers", "12", "--differ", "0.1", "--sample", "4"),
            *("--latency-ms", "1", "--rps", "500", "--variants", variants),
            *("--output", str(output), "--workdir", str(tmp_path / "work")),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"

    text = output.read_text()
    for heading in ("## Results", "## Settings", "## Machine", "ansible-core"):
        assert heading in text
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 9 and re.fullmatch(r"W[123]", cells[0]):
            rows[(cells[0], cells[1][:3] if cells[1].startswith("(") else cells[1])] = cells
    for workload in ("W1", "W2", "W3"):
        for variant in variants.split(","):
            wall, _api, requests, throttled = rows[(workload, f"({variant})")][2:6]
            assert float(wall) > 0 and int(requests.replace(",", "")) > 0 and throttled.isdigit()
        assert (workload, "lower bound") in rows
    # (b) ran a sample and says so; (a) on W2 reads the 72 members in 2 pages after the group lookup, nothing else
    # (the backend is named, so there is no probe).
    assert "extrapolated" in rows[("W1", "(b)")][8]
    assert rows[("W2", "(a)")][4] == "3"
    assert "## Targets" in text
    assert "FAILED" not in text
