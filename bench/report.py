# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The results table, for the terminal and for docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata

from bench.measure import Result
from bench.workloads import Workload


@dataclass
class Row:
    workload: Workload
    variant: str
    label: str
    result: Result


def _ratio(value: float, base: float) -> str:
    if not base or value is None:
        return "-"
    return f"{value / base:.1f}x"


def _int(value: float) -> str:
    return f"{round(value):,}"


def table(rows: list[Row], rate_limit_rps: float) -> list[list[str]]:
    """Header + one line per (workload, variant) + one bound line per workload."""
    lines = [["workload", "variant", "wall s", "requests", "429s", "wall vs (a)", "requests vs (a)", "note"]]
    by_workload: dict[str, list[Row]] = {}
    for row in rows:
        by_workload.setdefault(row.workload.key, []).append(row)
    for key, group in by_workload.items():
        workload = group[0].workload
        base = next((r.result for r in group if r.variant == "a" and not r.result.failed), None)
        for row in group:
            res = row.result
            notes = []
            if res.extrapolated:
                notes.append(f"extrapolated ({res.extrapolated})")
            if res.problem:
                notes.append(("FAILED: " if res.failed else "") + res.problem)
            if res.note:
                notes.append(res.note)
            lines.append(
                [
                    key,
                    f"({row.variant}) {row.label}",
                    f"{res.wall:.1f}",
                    _int(res.requests),
                    _int(res.throttled),
                    _ratio(res.wall, base.wall) if base else "-",
                    _ratio(res.requests, base.requests) if base else "-",
                    "; ".join(notes),
                ]
            )
        bound = workload.lower_bound_seconds(rate_limit_rps)
        lines.append(
            [
                key,
                "lower bound",
                f"{bound:.1f}",
                _int(workload.min_requests),
                "0",
                _ratio(bound, base.wall) if base else "-",
                _ratio(workload.min_requests, base.requests) if base else "-",
                f"{workload.min_requests_note}, / {rate_limit_rps:g} req/s",
            ]
        )
    return lines


def render_text(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    out = []
    for n, line in enumerate(lines):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=False))]
        out.append("  ".join(cells) + "  " + line[-1])
        if n == 0:
            out.append("-" * (sum(widths) + 2 * len(widths) + 4))
    return "\n".join(out)


def render_markdown(lines: list[list[str]]) -> str:
    header, *body = lines
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---", "---"] + ["---:"] * 5 + ["---"]) + "|"]
    for line in body:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
    return "\n".join(out)


def machine() -> dict[str, str]:
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), "")
    except OSError:
        pass
    try:
        ansible_core = metadata.version("ansible-core")
    except metadata.PackageNotFoundError:
        ansible_core = "not installed"
    try:
        apa = metadata.version("atlassian-python-api")
    except metadata.PackageNotFoundError:
        apa = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu or platform.processor() or "unknown",
        "python": sys.version.split()[0],
        "ansible-core": ansible_core,
        "atlassian-python-api": apa,
        "platform": platform.platform(),
        "commit": commit or "unknown",
    }


def markdown_document(
    lines: list[list[str]], *, settings: dict[str, str], machine_info: dict[str, str], total_seconds: float
) -> str:
    setting_lines = "\n".join(f"- {k}: {v}" for k, v in settings.items())
    machine_lines = "\n".join(f"- {k}: {v}" for k, v in machine_info.items())
    return f"""# Benchmarks

Written by `make bench` (bench/run.py); do not edit by hand. The whole run took {total_seconds:.0f} s.

Variants: (a) one `atlassian_group_member` task with `users:`; (b) the same module in a `loop:`, one user per task;
(c) the naive script (per user one `user/search` and one POST, no membership check, plain `requests`);
(d) a script on atlassian-python-api (members read first, then search + add per missing user, sequentially).
Every variant runs as its own process (ansible-playbook, or `python script.py`) against a fresh emulator seeded
with the same state; wall time is spawn to exit. Requests and 429s come from the emulator's request log.
"Lower bound" is the fewest requests the job needs, and that count divided by the rate limit (the bucket starts
full, so a client can beat it by up to one burst).

## Results

{render_markdown(lines)}

## Settings

{setting_lines}

## Machine

{machine_lines}
"""
