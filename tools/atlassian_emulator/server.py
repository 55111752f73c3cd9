# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Serve a WSGI app on a loopback address from a background thread."""

from __future__ import annotations

import ipaddress
import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# How often serve_forever checks for shutdown; small so that stopping (once per test) is quick.
_POLL_INTERVAL = 0.01


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the emulator keeps its own request log, and tests stay readable."""

    server_version = "atlassian-emulator"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ServerThread:
    """A threaded werkzeug server, one thread per request, so concurrent clients (and latency) overlap."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, ssl_context=None) -> None:
        """``ssl_context`` (an ``ssl.SSLContext``) serves HTTPS, as a self-hosted server behind a private CA does."""
        if not is_loopback(host):
            raise ValueError(f"refusing to listen on {host!r}: the emulator is a local test tool (loopback only)")
        self.app = app
        self.ssl_context = ssl_context
        self.host = host
        self.requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return int(self._server.server_port)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the server is already running")
        self._server = make_server(
            self.host,
            self.requested_port,
            self.app,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=self.ssl_context,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"atlassian-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
