# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Emulator: a seeded State, its knobs and request log, the Flask app, and the server that runs it."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .app import create_app
from .knobs import Knobs
from .log import RequestLog, RequestRecord
from .seed import DEFAULT_PRODUCTS, DEFAULT_SEED_PATH, check_products, load_seed, state_from_seed
from .server import ServerThread
from .state import State


class Emulator:
    """A local stand-in for an Atlassian Cloud site's users, groups and memberships.

    ``seed`` is a dict, a path to a YAML seed, or None for the default test seed. ``products`` are the APIs the site
    serves over its one directory: ``("jira",)`` (the default, or the seed's ``products``), ``("confluence",)`` for a
    Confluence-only site, or both. Keyword ``knobs`` override the seed's ``knobs`` section (see ``Knobs``).
    """

    def __init__(
        self,
        seed: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        products: tuple[str, ...] | list[str] | None = None,
        context_path: str = "",
        ssl_context: Any = None,
        **knobs: Any,
    ) -> None:
        """``context_path`` serves the site under a path (``/jira``), as self-hosted servers often are;
        ``ssl_context`` (an ``ssl.SSLContext``) serves HTTPS."""
        if seed is None:
            seed = load_seed(DEFAULT_SEED_PATH)
        elif isinstance(seed, (str, os.PathLike)):
            seed = load_seed(seed)
        self._seed: dict[str, Any] = copy.deepcopy(dict(seed))
        self._seed_knobs: dict[str, Any] = {**(self._seed.get("knobs") or {}), **knobs}
        # The products first: which users a seed makes depends on them (datacenter_only; one email, one Atlassian
        # account on Cloud).
        self.products: tuple[str, ...] = check_products(
            "products", products if products is not None else self._seed.get("products") or DEFAULT_PRODUCTS
        )
        self.state: State = state_from_seed(self._seed, self.products)
        self.knobs = Knobs(**self._seed_knobs)
        self._log = RequestLog()
        self.app = create_app(self)
        self.context_path = context_path.rstrip("/")
        wsgi = self.app
        if self.context_path:
            from werkzeug.middleware.dispatcher import DispatcherMiddleware
            from werkzeug.wrappers import Response

            wsgi = DispatcherMiddleware(Response("Not Found", status=404), {self.context_path: self.app})
        self._server = ServerThread(wsgi, host, port, ssl_context=ssl_context)

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def start(self) -> Emulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @contextmanager
    def running(self) -> Iterator[Emulator]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """The site's base URL, e.g. ``http://127.0.0.1:PORT`` (no trailing slash), with its context path if any."""
        scheme = "https" if self._server.ssl_context is not None else "http"
        return f"{scheme}://{self._server.host}:{self.port}{self.context_path}"

    @property
    def site(self) -> str:
        """The Atlassian site this emulator pretends to be (used in the 401 realm)."""
        return self.state.site

    # -- request log ---------------------------------------------------------------------------------------------

    @property
    def log(self) -> list[RequestRecord]:
        """Every API request so far (a copy), including ones answered 401/429 or faulted."""
        return self._log.records()

    def writes(self) -> list[RequestRecord]:
        """Logged API requests with a write method (POST/PUT/PATCH/DELETE), whatever their status."""
        return [r for r in self._log.records() if r.is_write]

    def clear_log(self) -> int:
        return self._log.clear()

    def record(self, record: RequestRecord) -> None:
        self._log.append(record)

    # -- state, for assertions and set-up (no HTTP) --------------------------------------------------------------

    def members(self, group: str) -> set[str]:
        """accountIds of the group's members (inactive included); ``group`` is a name or a groupId."""
        return self.state.member_ids(self.state.lookup_group(group).group_id)

    def add_member(self, group: str, account_id: str) -> None:
        """Make ``account_id`` (or a unique email) a member; a no-op if it already is."""
        with self.state.lock:
            group_id = self.state.lookup_group(group).group_id
            user = self.state.resolve_user(account_id)
            if user.account_id not in self.state.member_ids(group_id):
                self.state.add_member(group_id, user.account_id)

    def remove_member(self, group: str, account_id: str) -> None:
        """Drop ``account_id`` (or a unique email) from the group; a no-op if it is not a member."""
        with self.state.lock:
            group_id = self.state.lookup_group(group).group_id
            user = self.state.resolve_user(account_id)
            if user.account_id in self.state.member_ids(group_id):
                self.state.remove_member(group_id, user.account_id)

    # -- knobs ---------------------------------------------------------------------------------------------------

    def configure(self, **knobs: Any) -> Emulator:
        """Change knobs: latency_ms, rate_limit_rps, rate_limit_burst, retry_after_seconds,
        remove_non_member_status, member_page_cap, faults (replaces the fault list)."""
        self.knobs.configure(**knobs)
        return self

    def reseed(self, seed: Mapping[str, Any]) -> None:
        """Start over from another seed (its users, groups and credentials; the organisation, products and knobs stay
        as they are): a test that generates many directories reuses one running emulator."""
        self._seed = copy.deepcopy(dict(seed))
        self.reset()

    def reset(self) -> None:
        """Back to the seed: state and knobs as seeded, empty log."""
        state = state_from_seed(self._seed, self.products)
        with self.state.lock:
            # Swap contents rather than the object, so references to emu.state stay valid.
            self.state.users = state.users
            self.state.groups = state.groups
            self.state.credentials = state.credentials
        self.knobs = Knobs(**self._seed_knobs)
        self._log.clear()
