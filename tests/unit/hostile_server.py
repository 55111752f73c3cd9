# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""A small threaded HTTP server on 127.0.0.1 that misbehaves on purpose, for the hostile-server tests.

It stands in front of an upstream (the emulator): each request that a rule matches is answered by that rule's
misbehaviour (a redirect, a body of hundreds of megabytes, an answer trickled a byte at a time, a listing that never
ends, malformed JSON, ...); every other request is forwarded to the upstream as it came, Authorization included, so
a backend's whole task runs with only the request under test going wrong. It also serves as an HTTP proxy (a request
line with an absolute URL is forwarded there), so that the client's use of a proxy can be seen. Every request is
recorded, headers included, to check what the client sent (and did not).

Misbehaviours that stream (``trickle``, ``endless``, ``huge``) stop when the server stops, so no test leaves a
thread writing after it.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

# What a rule does with a request: write an answer on the handler (its wfile), however broken.
Action = Callable[["Handler"], None]
# Which requests a rule answers: (method, path without the query, query string) -> bool.
Matcher = Callable[[str, str, str], bool]


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]
    proxied: bool  # sent to the server as a proxy (absolute URL in the request line)


@dataclass
class Rule:
    matches: Matcher
    action: Action
    times: int | None = None  # None: every matching request
    hits: int = 0


@dataclass
class HostileServer:
    upstream: str | None = None
    rules: list[Rule] = field(default_factory=list)
    log: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> HostileServer:
        server = self

        class BoundHandler(Handler):
            hostile = server

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BoundHandler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def on(self, matches: Matcher | str, action: Action, *, method: str | None = None, times: int | None = None):
        """Answer matching requests with ``action``: ``matches`` is a predicate, or a path fragment (with
        ``method``, the method too)."""
        if isinstance(matches, str):
            fragment = matches

            def by_fragment(m: str, path: str, query: str) -> bool:
                return fragment in path and (method is None or m == method)

            matches = by_fragment
        self.rules.append(Rule(matches, action, times))
        return self

    def requests(self, fragment: str = "") -> list[Seen]:
        return [seen for seen in self.log if fragment in seen.path]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed ACKs add 40 ms to
    # every answer on a kept-alive connection.
    disable_nagle_algorithm = True
    hostile: HostileServer

    def log_message(self, *args: Any) -> None:
        pass

    def handle_any(self) -> None:
        proxied = self.path.startswith("http://")
        target = urlsplit(self.path if proxied else f"http://host{self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        self.hostile.log.append(Seen(self.command, target.path, target.query, dict(self.headers), proxied))
        for rule in self.hostile.rules:
            if (rule.times is None or rule.hits < rule.times) and rule.matches(self.command, target.path, target.query):
                rule.hits += 1
                self.query = target.query
                try:
                    rule.action(self)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                return
        upstream = f"{target.scheme}://{target.netloc}" if proxied else self.hostile.upstream
        if upstream is None:
            answer(404, {"message": "nothing here"})(self)
            return
        self.forward(upstream, target)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any

    def forward(self, upstream: str, target) -> None:
        parts = urlsplit(upstream)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "proxy-connection")}
        path = target.path + (f"?{target.query}" if target.query else "")
        connection.request(self.command, path, body=self.body or None, headers=headers)
        response = connection.getresponse()
        body = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        connection.close()


# ------------------------------------------------------------------------------------------ misbehaviours


def answer(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> Action:
    """An ordinary answer: ``body`` as JSON unless it is bytes (b"" for none)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    def act(handler: Handler) -> None:
        handler.send_response(status)
        if raw or not isinstance(body, bytes):
            handler.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)

    return act


def dynamic(render: Callable[[Handler], Any], status: int = 200) -> Action:
    """A JSON answer computed from the request (``handler.query``, ``handler.body``)."""
    return lambda handler: answer(status, render(handler))(handler)


def huge(size: int, *, declared: bool = True) -> Action:
    """A body of ``size`` bytes, with its Content-Length (``declared``) or chunked without one."""

    def act(handler: Handler) -> None:
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        block = b" " * 65536
        sent = 0
        while sent < size and not handler.hostile.stopping.is_set():
            chunk = block[: size - sent]
            handler.wfile.write(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)

    return act


def endless() -> Action:
    """A chunked answer that never ends: the size cap or the deadline must stop it."""
    return huge(1 << 62, declared=False)


def trickle(interval: float, *, headers_too: bool = False) -> Action:
    """An answer sent a byte every ``interval`` seconds (each gap well under the client's timeout): the body only,
    or (``headers_too``) the header lines as well."""

    def act(handler: Handler) -> None:
        handler.close_connection = True
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
        if not headers_too:
            handler.wfile.write(head)
            head = b""
        for byte in head + b"[" + b" " * 999_999:
            if handler.hostile.stopping.wait(interval):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    return act
