# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""HTTP client for Atlassian REST APIs: one session, auth on every request, retries, paging, typed errors.

It knows HTTP, not products: a backend says which paths to call, how its listings page (``_paging``), how its error
bodies read and what to advise for each status (an ``ErrorReader``), and which response headers it wants to see.
"""

from __future__ import annotations

import base64
import re
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import HttpError, RetriesExhaustedError
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import Page, Paging
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import (
    RETRYABLE_STATUSES,
    BackoffPolicy,
    Clock,
    RateGate,
    parse_rate_limit_reset,
    parse_retry_after,
)

try:
    import requests
    from requests.adapters import HTTPAdapter

    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the module with missing_required_lib
    requests = None
    HTTPAdapter = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = "1.1.0"
USER_AGENT = f"orgsync.atlassian/{COLLECTION_VERSION} (Ansible collection)"
# Few enough to stay polite to one tenant's burst limit, enough to hide per-request latency.
DEFAULT_WORKERS = 6
T = TypeVar("T")
R = TypeVar("R")


def basic_credential(username: str, api_token: str) -> str:
    """The value after ``Basic ``: base64 of the whole ``email:api_token`` pair, not of the email alone."""
    return base64.b64encode(f"{username}:{api_token}".encode("utf-8")).decode("ascii")


def secret_values(settings: ConnectionSettings) -> set[str]:
    """Every form in which a credential could appear, so callers can mask all of them."""
    secrets = {s for s in (settings.api_token, settings.bearer_token) if s}
    if settings.api_token and settings.username:
        secrets.add(basic_credential(settings.username, settings.api_token))
    return secrets


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict = field(repr=False)
    # An earlier attempt of this same write may have been applied (5xx, reset or timeout after sending).
    unclear_earlier: bool = False


_XML_MESSAGE = re.compile(r"<message>(.*?)</message>", re.S)


class ErrorReader:
    """How a product words its errors. This base reads what every Atlassian API may send (a JSON ``message``, the XML
    or plain-text 401 bodies) and advises nothing; each backend adds its own body shapes and remedies."""

    def messages(self, body: Any, text: str) -> list[str]:
        """Atlassian's own words from an error body."""
        if isinstance(body, dict):
            return [str(body["message"])] if body.get("message") else []
        match = _XML_MESSAGE.search(text or "")
        stripped = (text or "").strip()
        if match:
            return [match.group(1).strip()]
        if stripped and not stripped.startswith("<"):
            return [stripped[:300]]
        return []

    def hint(self, status: int) -> str | None:
        """What to do about an answer with this status, in the product's terms."""
        return None

    def hint_for(self, status: int, body: Any) -> str | None:
        """What to do about this answer: by default what its status means; an API whose error bodies carry codes
        (the Admin API's ``ADMIN-403-5``) says more from the code."""
        return self.hint(status)

    def url_hint(self, base_url: str) -> str:
        """What to check when something that is not this API answered (a web page instead of JSON)."""
        return (
            f"{base_url} does not answer like an Atlassian REST API (a login page, a proxy or another web site may "
            "have answered). Check url"
        )


class AtlassianClient:
    """One ``requests.Session`` per task. Thread-safe for the bounded pool in ``map_concurrently``.

    ``errors`` words failures (a backend replaces the neutral ``ErrorReader`` with itself); ``observers`` are called
    with the headers of every answer, for backends that learn something from them.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        clock: Clock | None = None,
        backoff: BackoffPolicy | None = None,
        session: Any = None,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.backoff = backoff or BackoffPolicy()
        self.gate = RateGate(self.clock)
        self.workers = max(1, workers)
        self.errors: ErrorReader = ErrorReader()
        self.observers: list[Callable[[Mapping[str, str]], None]] = []
        self._count_lock = threading.Lock()
        self.request_count = 0
        # Given with every request, not only as the session's default: requests lets REQUESTS_CA_BUNDLE (set in many
        # execution environments) override a session's verify, which would silently ignore ca_path.
        self.verify: bool | str = (settings.ca_path or True) if settings.validate_certs else False
        self.session = session if session is not None else self._new_session()

    def _new_session(self):
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.workers)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # A private CA's bundle replaces the system's trust store; validate_certs=false turns checking off altogether.
        session.verify = self.verify
        # Sent on every request: some Atlassian endpoints answer anonymous callers with empty results instead of a
        # 401, so relying on a challenge-response would make a wrong token look like "no such user".
        if self.settings.bearer_token:
            authorization = f"Bearer {self.settings.bearer_token}"
        else:
            authorization = f"Basic {basic_credential(self.settings.username, self.settings.api_token)}"
        session.headers.update({"Authorization": authorization, "Accept": "application/json", "User-Agent": USER_AGENT})
        return session

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | list | None = None,
        json: Any = None,
        accept: Iterable[int] = (),
        non_json_ok: bool = False,
        read_only: bool = False,
    ) -> ApiResponse:
        """Send one logical request, retrying 429/5xx/connection errors within ``max_retries``.

        Returns for 2xx and for statuses in ``accept`` (which the caller interprets itself); raises ``HttpError``
        for everything else. A body that is not JSON is an error (something else answered) unless ``non_json_ok``,
        which returns it as ``body=None``. ``read_only``: a POST that changes nothing (a search), whose lost answer
        hides no write.
        """
        url = self.settings.base_url + path
        accepted = set(accept)
        writes = method != "GET" and not read_only
        max_attempts = self.settings.max_retries + 1
        unclear = False
        last_status: int | None = None
        last_retry_after: float | None = None
        last_problem = ""
        for attempt in range(1, max_attempts + 1):
            tls_failed = False
            self.gate.wait_turn()
            with self._count_lock:
                self.request_count += 1
            try:
                response = self.session.request(
                    method, url, params=params, json=json, timeout=self.settings.timeout, verify=self.verify
                )
            except requests.exceptions.SSLError:
                # Not transient: retrying cannot make an untrusted certificate trusted. Raised outside the handler,
                # so that the requests exception (which holds the prepared request, headers included) is not chained.
                tls_failed = True
            except requests.exceptions.RequestException as exc:
                # A reset or read timeout after the request left may still have been applied by the server.
                unclear = unclear or writes
                last_status, last_retry_after = None, None
                last_problem = _describe_exception(exc)
                if attempt < max_attempts:
                    self.clock.sleep(self.backoff.delay(attempt, None, None))
                continue
            if tls_failed:
                raise self._tls_error(method, path)
            self.gate.observe(response.headers)
            for observe in self.observers:
                observe(response.headers)
            status = response.status_code
            if status in RETRYABLE_STATUSES and status not in accepted:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is None and status == 429:
                    # The Admin API says when its budget refills instead (an ISO-8601 time), not how long to wait.
                    # A time already past (clocks differ) says nothing: the usual back-off applies then.
                    retry_after = (
                        parse_rate_limit_reset(response.headers.get("X-RateLimit-Reset"), datetime.now(timezone.utc))
                        or None
                    )
                last_status, last_retry_after = status, retry_after
                last_problem = f"HTTP {status}"
                # 429 (and 503 with Retry-After) means "not processed, come back later"; other 5xx may hide a write.
                if status not in (429, 503) or (status == 503 and retry_after is None):
                    unclear = unclear or writes
                if attempt < max_attempts:
                    delay = self.backoff.delay(attempt, status, retry_after)
                    if status == 429 or retry_after is not None:
                        self.gate.pause_all(delay)
                    else:
                        self.clock.sleep(delay)
                continue
            body = _decode(response)
            if 200 <= status < 300 or status in accepted:
                if body is None and response.content.strip() and not non_json_ok:
                    raise self._not_json_error(method, path, status, response.headers.get("Content-Type"))
                return ApiResponse(status, body, dict(response.headers), unclear)
            raise self.error_for(method, path, status, body, response.text, response.headers.get("Content-Type"))
        hint = f"Gave up after {max_attempts} attempts (max_retries={self.settings.max_retries})"
        if last_retry_after is not None:
            hint += f"; the last Retry-After asked for {last_retry_after:g} s"
        hint += ". Run again later, or raise max_retries"
        if last_status is None:
            hint += f"; also check that {self.settings.base_url} is reachable and validate_certs/timeout fit"
        raise RetriesExhaustedError(
            f"{method} {path} kept failing ({last_problem})", status=last_status, hint=hint, attempts=max_attempts
        )

    def get(self, path: str, params: dict | list | None = None, accept: Iterable[int] = ()) -> ApiResponse:
        return self.request("GET", path, params=params, accept=accept)

    def search(self, path: str, body: dict, accept: Iterable[int] = ()) -> ApiResponse:
        """A read sent as a POST with a JSON body (a search endpoint): it changes nothing, so a lost answer is not a
        write whose outcome is unclear."""
        return self.request("POST", path, json=body, accept=accept, read_only=True)

    # ------------------------------------------------------------------ paging

    def iter_pages(
        self,
        path: str,
        params: dict,
        paging: Paging,
        *,
        page_size: int,
        position: Any = None,
        first: Any = None,
        search: dict | None = None,
    ) -> Iterator[Page]:
        """Yield each page of a listing until it ends (``paging`` says how pages are asked for and read).

        An empty page that claims more follow is asked for again, with back-off, within ``max_retries``; if it stays
        empty the read fails with ``RetriesExhaustedError`` instead of stopping there, since a listing cut short
        would hide members from an exclusive sync or a removal, which would then report success with those members
        still in the group.

        ``position`` is where to start (the first page by default). ``first``, when given, is the answer already
        received for it (``iter_pages_concurrently`` resumes here): it counts as the first attempt at that page, so a
        page is never asked for more often than here.

        ``search``, when given, makes the listing a search: each page is a POST of this body, with the paging fields
        added to it (the Admin API's ``users/search``), instead of a GET with them in the query. A search only reads,
        so it is retried like a GET.
        """
        position = paging.first_position if position is None else position
        empty_answers = 0  # answers in a row that were empty although they claimed more
        while True:
            if first is not None:
                body, first = first, None
            elif search is not None:
                body = self.search(path, {**search, **paging.params(position, page_size)}).body
            else:
                body = self.get(path, {**params, **paging.params(position, page_size)}).body
            page = paging.read(body, position)
            if not page.values:
                if not paging.claims_more(page, position):
                    return
                empty_answers += 1
                if empty_answers > self.settings.max_retries:
                    claimed = "no total" if page.total is None else f"total {page.total}"
                    raise RetriesExhaustedError(
                        f"GET {path} kept answering an empty page at {paging.describe(position)} that claims more follow "
                        f"({claimed})",
                        hint=f"Gave up after {empty_answers} attempts (max_retries={self.settings.max_retries}) rather "
                        "than act on part of the listing. Run again later, or raise max_retries",
                        attempts=empty_answers,
                    )
                self.clock.sleep(self.backoff.delay(empty_answers, None, None))
                continue
            empty_answers = 0
            yield page
            if page.next_position is None:
                return
            position = page.next_position

    def iter_pages_concurrently(self, path: str, params: dict, paging: Paging, *, page_size: int) -> Iterator[Page]:
        """``iter_pages``, but the pages that the first page's total announces are fetched on the bounded pool.

        Only for paging styles with random access (an offset per page) whose first page tells the total; otherwise
        pages are read one after the other. The first page is read alone, so a caller that stops after it (see
        ``_membership.choose_strategy``) pays one request. The rest are fetched together only when the caller asks
        for the second page. The total "may change" between pages, so the concurrent batch is a head start and not
        the answer: the pages are yielded in order up to the first one that is the last, or that breaks the pattern
        (empty, or shorter than the first without being the last); from there, or past a batch whose final page is
        not the last because the listing grew, reading goes on one page at a time with ``iter_pages``. Its first page
        may repeat values already yielded; callers key members by account.
        """
        pages = self.iter_pages(path, params, paging, page_size=page_size)
        first = next(pages, None)
        if first is None:
            return
        yield first
        step = len(first.values)
        total = first.total
        batch = paging.random_access and self.workers > 1 and first.next_position is not None
        if not batch or total is None or total <= step:
            yield from pages
            return
        pages.close()
        starts = list(range(step, total, step))
        bodies = self.map_concurrently(
            lambda at: self.get(path, {**params, **paging.params(at, page_size)}).body, starts
        )
        resume_at = starts[-1] + step  # past a batch of full pages none of which is the last: the listing grew
        for start_at, body in zip(starts, bodies, strict=True):
            page = paging.read(body, start_at)
            if not page.values and paging.claims_more(page, start_at):
                # Empty although it claims more: iter_pages asks again, taking this answer as its first attempt.
                yield from self.iter_pages(path, params, paging, page_size=page_size, position=start_at, first=body)
                return
            if page.values:
                yield page
            if page.next_position is None:
                return
            if len(page.values) != step:
                resume_at = start_at + len(page.values)
                break
        yield from self.iter_pages(path, params, paging, page_size=page_size, position=resume_at)

    def map_concurrently(self, func: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[func(item) ...]`` on a small bounded pool sharing this session and its rate gate; order kept."""
        items = list(items)
        if len(items) <= 1 or self.workers == 1:
            return [func(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(func, items))

    # ------------------------------------------------------------------ errors

    def error_for(
        self, method: str, path: str, status: int, body: Any, text: str, content_type: str | None = None
    ) -> HttpError:
        summary = f"{method} {path} answered HTTP {status}"
        if body is None and "html" in (content_type or "").lower():
            # A web page where an API answer belongs: whatever answered is not the API this backend speaks.
            return HttpError(
                summary + " with a web page", status=status, hint=self.errors.url_hint(self.settings.base_url)
            )
        return HttpError(
            summary,
            status=status,
            api_messages=self.errors.messages(body, text),
            hint=self.errors.hint_for(status, body),
        )

    def _tls_error(self, method: str, path: str) -> HttpError:
        if self.settings.ca_path:
            hint = (
                f"ca_path ({self.settings.ca_path}) does not hold the CA that signed this server's certificate, or the "
                "certificate does not name the host in url: check both"
            )
        else:
            hint = (
                "For a server behind a private CA, set ca_path (or ATLASSIAN_CA_PATH) to that CA's PEM certificate; "
                "validate_certs=false turns verification off altogether and is the last resort"
            )
        return HttpError(f"{method} {path} failed: TLS certificate verification failed", hint=hint)

    def _not_json_error(self, method: str, path: str, status: int, content_type: str | None) -> HttpError:
        """A success that is not JSON came from something other than Atlassian's API: read on, it would look like "no
        such group" or "no such user" (or crash), so say what answered instead."""
        return HttpError(
            f"{method} {path} answered HTTP {status} with a body that is not JSON ({content_type or 'no Content-Type'})",
            status=status,
            hint=self.errors.url_hint(self.settings.base_url),
        )


def _decode(response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _describe_exception(exc: Exception) -> str:
    """A short, header-free description of a transport failure."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed or was reset"
    return type(exc).__name__
