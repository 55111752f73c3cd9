# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""`make bench`: every workload x every variant x every backend against a fresh emulator, one table, written to
docs/benchmarks.md.

    .venv/bin/python -m bench.run                       # the full run (about 15-17 minutes on 2 cores)
    .venv/bin/python -m bench.run --members 100 --newcomers 20 --sample 6 --no-write    # a quick look
    .venv/bin/python -m bench.run --variants a,c --workloads W1 --backends jira_cloud
    .venv/bin/python -m bench.run --backends jira_datacenter --no-write          # W1 and W2 on Jira Data Center only
    .venv/bin/python -m bench.run --backends admin --no-write                    # W1 and W2 on the Admin API only

Not a test: it asserts nothing, it measures. tests/bench/test_bench_smoke.py keeps it from rotting.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
for extra in (REPO_ROOT, REPO_ROOT / "tools", REPO_ROOT / "tests" / "integration"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from bench import report  # noqa: E402
from bench.measure import Context, Result  # noqa: E402
from bench.variants import VARIANTS  # noqa: E402
from bench.workloads import (  # noqa: E402
    ADMIN,
    BACKENDS,
    CONFLUENCE,
    JIRA_DC,
    ON_BACKEND,
    TEAM_GROUP_MEMBERS,
    WORKLOADS,
    Sizes,
    build,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--members", type=int, default=2000, help="members of the group (default 2000)")
    parser.add_argument("--newcomers", type=int, default=500, help="users W1 onboards (default 500)")
    parser.add_argument("--differ", type=float, default=0.05, help="share of members W3 changes (default 0.05)")
    parser.add_argument("--latency-ms", type=float, default=25.0, help="emulator latency per request (default 25)")
    parser.add_argument("--rps", type=float, default=100.0, help="emulator rate limit, requests/s (default 100)")
    parser.add_argument("--burst", type=float, default=None, help="token bucket size (default: --rps)")
    parser.add_argument("--sample", type=int, default=50, help="variant (b): tasks measured at least (default 50)")
    parser.add_argument("--groups", type=int, default=300, help="W4: groups on the site (default 300)")
    parser.add_argument("--leaver-groups", type=int, default=30, help="W4: of which the leaver is in (default 30)")
    parser.add_argument("--staff", type=int, default=500, help="W4: people on the site (default 500)")
    parser.add_argument("--teams", type=int, default=20, help="W5: team groups to create (default 20)")
    parser.add_argument("--team-size", type=int, default=10, help="W5: people in each team (default 10)")
    parser.add_argument("--reconcile-groups", type=int, default=300, help="W7: team groups in the file (default 300)")
    parser.add_argument("--reconcile-size", type=int, default=30, help="W7: people in each team (default 30)")
    parser.add_argument(
        "--reconcile-drift", type=float, default=0.05, help="W7: share of memberships that differ (default 0.05)"
    )
    parser.add_argument("--hires", type=int, default=100, help="W6: new hires without accounts (default 100)")
    parser.add_argument(
        "--variants",
        default="a,b,c,d",
        help="comma-separated, of a,b,c,d (default all; W4 and W7 have a and b, W5 and W6 a, b and c)",
    )
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help=f"comma-separated, of {','.join(WORKLOADS)} (default all)"
    )
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help=f"comma-separated, of {','.join(BACKENDS)} (default all); Confluence runs "
        f"{', '.join(ON_BACKEND[CONFLUENCE])}, Jira Data Center {', '.join(ON_BACKEND[JIRA_DC])}, the Admin API "
        f"{', '.join(ON_BACKEND[ADMIN])}",
    )
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--workdir", type=Path, default=None, help="keep playbooks and specs here (default: temp)")
    return parser.parse_args(argv)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> tuple[list[report.Row], float]:
    import harness

    from atlassian_emulator import Emulator

    sizes = Sizes(
        members=args.members,
        newcomers=args.newcomers,
        differ=args.differ,
        groups=args.groups,
        leaver_groups=args.leaver_groups,
        staff=args.staff,
        teams=args.teams,
        team_size=args.team_size,
        reconcile_groups=args.reconcile_groups,
        reconcile_size=args.reconcile_size,
        reconcile_drift=args.reconcile_drift,
        hires=args.hires,
    )
    wanted_workloads = {w.strip().upper() for w in args.workloads.split(",") if w.strip()}
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise SystemExit(f"unknown backends {sorted(unknown)}; known: {', '.join(BACKENDS)}")
    workloads = [w for w in build(sizes, backends) if w.name in wanted_workloads]
    letters = [v.strip() for v in args.variants.split(",") if v.strip()]
    knobs = {"latency_ms": args.latency_ms, "rate_limit_rps": args.rps, "rate_limit_burst": args.burst or args.rps}

    started = time.perf_counter()
    args.load_before = report.load_average()
    progress(f"load average before the run: {args.load_before}")
    root = Path(args.workdir or tempfile.mkdtemp(prefix="orgsync-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    collection = None
    if any(letter in ("a", "b") for letter in letters):  # every workload's (a) and (b) run the modules
        progress("building and installing the collection ...")
        collection = harness.build_and_install(root / "collection")
    rows = []
    for workload in workloads:
        for letter in letters:
            variant = VARIANTS[workload.kind].get(letter)
            if variant is None:
                continue
            progress(f"{workload.key} ({variant.NAME}) {variant.LABEL} ...")
            not_applicable = getattr(variant, "not_applicable", lambda _workload: None)(workload)
            if not_applicable:
                progress(f"    not applicable: {not_applicable}")
                rows.append(
                    report.Row(workload, variant.NAME, variant.LABEL, Result(0, 0, 0, not_applicable=not_applicable))
                )
                continue
            emulator = Emulator(workload.seed, **knobs).start()
            try:
                ctx = Context(
                    emulator=emulator,
                    workload=workload,
                    workdir=root / f"{workload.key.replace(' ', '-')}-{variant.NAME}",
                    collection=collection,
                    sample=args.sample,
                )
                try:
                    result = variant.run(ctx)
                except Exception as exc:  # noqa: BLE001 - one broken variant must not hide the others' numbers
                    result = Result(0.0, 0, 0, failed=True, problem=f"{type(exc).__name__}: {exc}")
                write_log(emulator, ctx.workdir / "requests.jsonl")
            finally:
                emulator.stop()
            progress(
                f"    {result.wall:.1f} s, {result.requests:,.0f} requests, {result.throttled:,.0f} x 429"
                + (f"  [{result.problem}]" if result.problem else "")
            )
            rows.append(report.Row(workload, variant.NAME, variant.LABEL, result))
    return rows, time.perf_counter() - started


def write_log(emulator, path: Path) -> None:
    """The emulator's request log, one JSON object a line, for a look at where the time went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in emulator.log:
            data = record.to_dict()
            data.pop("body", None)
            handle.write(json.dumps(data) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows, seconds = run(args)
    lines = report.table(rows, args.rps)
    checks = report.targets(rows, args.rps)
    print(report.render_text(lines))
    print()
    print(report.render_targets(checks))
    if not args.no_write:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        settings = {
            "sizes": f"group of {args.members} members, {args.newcomers} newcomers, W3 changes {args.differ:.0%}; "
            f"W4: {args.groups} groups (the access group with {args.staff} people, and teams of "
            f"{TEAM_GROUP_MEMBERS}), the leaver in {args.leaver_groups}; W5: {args.teams} teams of {args.team_size}; W7: {args.reconcile_groups} "
            f"teams of {args.reconcile_size}, {args.reconcile_drift:.0%} drift; "
            f"W6: {args.hires} new hires into 3 groups each",
            "backends (workloads run on each)": "; ".join(
                f"{b}: {', '.join(sorted({r.workload.name for r in rows if r.workload.backend == b}))}"
                for b in backends
            ),
            "emulator": f"latency {args.latency_ms:g} ms per request, rate limit {args.rps:g} req/s "
            f"(token bucket of {args.burst or args.rps:g}), one bucket for all endpoints",
            "variant (b) sample": f"at least {args.sample} tasks, extrapolated per batch",
            "all emails visible": "yes (no privacy setting hides one)",
        }
        text = report.markdown_document(
            lines,
            workload_lines=report.workloads(rows),
            limits=report.what_limits_a(rows, args.rps),
            checks=checks,
            settings=settings,
            machine_info=report.machine(args.load_before),
            total_seconds=seconds,
        )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        progress(f"wrote {args.output}")
    return 1 if any(r.result.failed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
