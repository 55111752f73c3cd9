# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Run the emulator until SIGTERM/SIGINT:

PYTHONPATH=tools python -m atlassian_emulator --seed tools/atlassian_emulator/seeds/demo.yaml --port-file url.txt
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from .emulator import Emulator
from .seed import DEFAULT_SEED_PATH, SeedError, load_seed
from .server import is_loopback


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m atlassian_emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default=str(DEFAULT_SEED_PATH), help="YAML seed file (default: the test seed)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: 0, a free one)")
    parser.add_argument("--port-file", help="write the base URL here once listening (removed on exit)")
    parser.add_argument("--latency-ms", type=float, help="added latency per API request")
    parser.add_argument("--rate-limit-rps", type=float, help="token-bucket rate limit for API requests")
    parser.add_argument("--rate-limit-burst", type=float, help="bucket size (default: the rps)")
    parser.add_argument("--retry-after-seconds", type=float, help="Retry-After to send on 429 (default: computed)")
    parser.add_argument("--remove-non-member-status", type=int, help="status for removing a non-member (400)")
    parser.add_argument(
        "--products",
        help="comma-separated APIs the site serves over one directory: jira, confluence (default: the seed's, or jira)",
    )
    return parser


def _write_atomically(path: Path, text: str) -> None:
    # A reader polling for the file must never see it half-written.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not is_loopback(args.host):
        print(f"refusing to bind {args.host!r}: the emulator only listens on loopback addresses", file=sys.stderr)
        return 2
    knobs = {
        name: value
        for name, value in (
            ("latency_ms", args.latency_ms),
            ("rate_limit_rps", args.rate_limit_rps),
            ("rate_limit_burst", args.rate_limit_burst),
            ("retry_after_seconds", args.retry_after_seconds),
            ("remove_non_member_status", args.remove_non_member_status),
        )
        if value is not None
    }
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        products = [p.strip() for p in args.products.split(",") if p.strip()] if args.products else None
        emulator = Emulator(load_seed(args.seed), host=args.host, port=args.port, products=products, **knobs).start()
    except (OSError, SeedError, ValueError) as exc:
        print(f"cannot start the emulator: {exc}", file=sys.stderr)
        return 2
    port_file = Path(args.port_file) if args.port_file else None
    try:
        print(f"Atlassian emulator listening on {emulator.url}", flush=True)
        if port_file is not None:
            _write_atomically(port_file, f"{emulator.url}\n")
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
        if port_file is not None:
            port_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
