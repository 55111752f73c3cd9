# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Helpers of the reliability and security tests (issue 3): the faults, bad-input, secrets and property suites.

The cast (the default test seed's people) and the play and task builders come from group_member_support.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import group_member_support as cast

# The seed's people by accountId (group_member_support has them as (accountId, email, display name)).
ADA = cast.ADA[0]  # the admin caller
BOB_ID = cast.BOB_USER[0]
OTTO = cast.OTTO[0]
JANE = cast.JANE[0]
JOHN = cast.JOHN[0]
JO_MARCH = cast.JO_MARCH[0]
JO_BLOGGS = cast.JO_BLOGGS[0]
IVAN = cast.IVAN[0]  # inactive
HANA = cast.HANA[0]  # email hidden
DEPLOY_BOT = cast.DEPLOY_BOT[0]  # app account
PAT = cast.PAT_TWIN[0]  # shares pat@acme.example with PAT_OLD on Data Center servers (PAT_OLD exists only there)
PAT_OLD = cast.PAT_TWIN_OLD[0]
ZOE = cast.ZOE[0]

# Faults after which a client must send the same request again; the others (mutate, shift_total) need no retry.
RETRY_CAUSING = ("status", "reset", "delay", "empty_page")


def logical_key(record) -> str:
    """What makes two log records the same request sent again (a retry)."""
    return json.dumps([record.method, record.path, record.query, record.body], sort_keys=True)


def attempts_per_request(log) -> dict[str, tuple[int, int]]:
    """logical request -> (attempts, attempts answered by a fault that calls for a retry)."""
    attempts: Counter[str] = Counter()
    faulted: Counter[str] = Counter()
    for record in log:
        key = logical_key(record)
        attempts[key] += 1
        if record.fault in RETRY_CAUSING:
            faulted[key] += 1
    return {key: (attempts[key], faulted[key]) for key in attempts}


def settle(emulator, quiet: float = 0.2, limit: float = 10.0) -> list[Any]:
    """The log once every faulted request has finished (a delayed one is logged when its delay ends, after the
    client gave up on it) and nothing new arrived for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    hits = sum(rule.hits for rule in emulator.knobs.faults)
    log = emulator.log
    while time.monotonic() < deadline:
        time.sleep(quiet)
        again = emulator.log
        if len(again) == len(log) and sum(r.fault is not None for r in again) >= hits:
            return again
        log = again
    return log


def writes(log) -> list[tuple[str, str | None, int]]:
    """(method, accountId, status) of every write, in arrival order (Jira Data Center: its username)."""
    found = []
    for record in log:
        if not record.is_write:
            continue  # the Admin API's searches are POSTs too
        if record.method == "DELETE" and "/memberships/" in record.path:  # the Admin API: the user is in the path
            found.append(("DELETE", record.path.rsplit("/", 1)[1], record.status))
        elif record.method == "POST":
            body = record.body or {}
            found.append(("POST", body.get("accountId") or body.get("name"), record.status))
        elif record.method == "DELETE":
            user = record.query.get("accountId") or record.query.get("username") or [None]
            found.append(("DELETE", user[0], record.status))
    return found


def ids(users: list[dict[str, Any]] | None) -> set[str]:
    """The accountIds of returned users; on Data Center their usernames, which are the default seed's accountIds."""
    return {u["account_id"] or u["username"] for u in users or []}


@contextmanager
def not_atlassian_site() -> Iterator[str]:
    """The URL of a web site that is not Atlassian: every path answers 200 with an HTML page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>Acme intranet</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_DELETE = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
