# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""What a variant is given (``Context``) and what it hands back (``Result``), and the counting both sides share.

Requests and 429s are counted from the emulator's request log, never from the variant's own account, so every variant
is measured the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from bench.workloads import ADMIN, Workload, login, org_key


@dataclass
class Context:
    emulator: Any  # atlassian_emulator.Emulator, running, seeded for this workload
    workload: Workload
    workdir: Path
    collection: Any = None  # harness.InstalledCollection, for the variants that run ansible-playbook
    sample: int = 50  # variant (b): how many loop tasks to measure at least

    @property
    def url(self) -> str:
        return self.emulator.url

    @property
    def admin_api(self) -> bool:
        """Whether the workload runs on the organisation's Admin API (an API key, no site login)."""
        return self.workload.backend == ADMIN

    def credentials(self) -> tuple[str, str]:
        """The admin's Basic login: email and API token on Cloud, username and password on Data Center; on the Admin
        API the organisation API key and the organisation's id."""
        return org_key() if self.admin_api else login(self.workload.backend)

    def module_env(self) -> dict[str, str]:
        """The ATLASSIAN_* environment the module variants run with. The backend is named, as a performance-minded
        user would: left at auto it costs one more request per task (a probe of the site). On the Admin API it is
        the organisation API key (``bearer_token``) and ``org_id``, the emulator's loopback URL as ``url``; auto would
        pick admin from org_id without a probe, but it is named all the same."""
        import harness

        if self.admin_api:
            key, org_id = self.credentials()
            return harness.connection_env(
                self.url, ATLASSIAN_BEARER_TOKEN=key, ATLASSIAN_ORG_ID=org_id, ATLASSIAN_BACKEND=ADMIN
            )
        return harness.connection_env(self.url, *self.credentials(), ATLASSIAN_BACKEND=self.workload.backend)


@dataclass
class Result:
    wall: float  # seconds
    requests: float
    throttled: float  # 429 answers received
    failed: bool = False
    # "k of N tasks" when the numbers are the measured cost per user x N rather than a full run
    extrapolated: str | None = None
    problem: str | None = None  # why the run failed, or the end state is wrong
    note: str = ""
    api_seconds: float | None = None  # first request sent to last answer given, from the log (full runs only)
    not_applicable: str | None = None  # why this variant does not exist for this workload (nothing was run)
    busy_seconds: float | None = None  # time with at least one request in flight, from the log (full runs only)


@dataclass(frozen=True)
class Variant:
    """A variant that is not a module of its own: ``NAME``, ``LABEL`` and ``run`` as the modules in bench/variants
    have them, and optionally ``not_applicable(workload) -> str | None``."""

    NAME: str
    LABEL: str
    run: Callable[[Context], Result]
    not_applicable: Callable[[Workload], str | None] = lambda workload: None


@dataclass(frozen=True)
class LogCount:
    requests: int
    throttled: int
    api_seconds: float = 0.0
    busy_seconds: float = 0.0

    def __sub__(self, other: LogCount) -> LogCount:
        return LogCount(self.requests - other.requests, self.throttled - other.throttled)


def count(emulator) -> LogCount:
    records = emulator.log
    span = max((r.started + r.duration for r in records), default=0.0) - min((r.started for r in records), default=0.0)
    return LogCount(len(records), sum(1 for r in records if r.status == 429), span, busy(records))


def busy(records) -> float:
    """How long at least one request was in flight (the union of the requests' intervals)."""
    total, end = 0.0, None
    for start, stop in sorted((r.started, r.started + r.duration) for r in records):
        if end is None or start > end:
            total += stop - start
            end = stop
        elif stop > end:
            total += stop - end
            end = stop
    return total


def run_script(script: Path, spec: dict, workdir: Path, timeout: float = 1800) -> tuple[float, dict]:
    """Run a standalone client script in its own process (as a user would), timing it from spawn to exit.

    The script reads its job from a JSON file and prints a JSON summary as its last line.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    spec_path = workdir / f"{script.stem}-spec.json"
    spec_path.write_text(json.dumps(spec))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), str(spec_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    summary: dict = {"rc": proc.returncode}
    lines = proc.stdout.strip().splitlines()
    if lines:
        try:
            summary.update(json.loads(lines[-1]))
        except ValueError:
            pass
    if proc.returncode != 0:
        summary["problem"] = f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
    return wall, summary


def script_spec(ctx: Context) -> dict:
    workload = ctx.workload
    spec = {
        # which API the script speaks: jira_cloud (REST v3), jira_datacenter (REST v2) or admin (Admin API v2)
        "backend": workload.backend,
        "url": ctx.url,
        "group": workload.group,
        "emails": workload.users,
        "exclusive": workload.exclusive,
    }
    if ctx.admin_api:
        spec["api_key"], spec["org_id"] = ctx.credentials()
    else:
        spec["username"], spec["api_token"] = ctx.credentials()
    return spec


def measure_script(ctx: Context, script: Path) -> Result:
    """Run a standalone client script against the workload and measure it: wall time, requests, 429s, end state."""
    wall, summary = run_script(script, script_spec(ctx), ctx.workdir)
    seen = count(ctx.emulator)
    problem = summary.get("problem") or check_members(ctx)
    return Result(
        wall, seen.requests, seen.throttled, failed=summary["rc"] != 0, problem=problem, api_seconds=seen.api_seconds
    )


def check_members(ctx: Context) -> str | None:
    """None when the group holds exactly the expected members, else what differs."""
    actual = ctx.emulator.members(ctx.workload.group)
    expected = ctx.workload.expected
    if actual == expected:
        return None
    return f"end state wrong: {len(expected - actual)} missing, {len(actual - expected)} unexpected"
