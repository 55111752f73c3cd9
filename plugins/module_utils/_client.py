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
import contextvars
import itertools
import json as jsonlib
import re
import socket
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar
from urllib.parse import urljoin, urlsplit

from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import MalformedAnswer
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ConnectionSettings, redact_url
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import HttpError, RetriesExhaustedError
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import Page, Paging
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import (
    MAX_WAIT,
    RETRYABLE_STATUSES,
    BackoffPolicy,
    Clock,
    RateGate,
    WaitReader,
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
# The largest answer read. A page of a thousand users is about a megabyte; past this, what answers is not one of
# these APIs, and reading on would only fill memory. Counted after decompression, so a compressed bomb stops too.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# An answer must arrive whole within this many times ``timeout``, which itself bounds only the silence between two
# packets: a server trickling a byte a second never trips it. The task keyword ``timeout`` bounds a whole task.
RESPONSE_DEADLINE_FACTOR = 4
READ_CHUNK = 64 * 1024
# The most entries a listing may hold: no group, directory or site of Atlassian comes near a million, so a first
# page claiming more is not believed (nor are a million page starts built from it).
MAX_LISTING = 1_000_000
# How far a listing may run past the total its first page announced, which "may change" between pages: by as many
# entries again, and at least this many.
LISTING_GROWTH = 1000
# Pages of a concurrent listing asked for at once, per worker: enough to keep the pool busy, few enough that a
# huge announced total builds no huge queue.
WINDOW_PER_WORKER = 4
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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
    # The request that got it ("GET /rest/api/3/user"), for messages about its body (``AtlassianClient.reading``).
    request: str = ""


@dataclass
class _Answer:
    """What one attempt received, read whole (within the size cap and the deadline)."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    encoding: str | None

    @property
    def text(self) -> str:
        """The start of the body as text, for the messages of an error answer."""
        head = bytes(self.content[:65536])
        try:
            return head.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return head.decode("utf-8", errors="replace")


class _Overrun(Exception):
    """An answer larger than ``max_response_bytes`` (``too_big``), or not whole within ``response_deadline``."""

    def __init__(self, too_big: bool) -> None:
        super().__init__("too big" if too_big else "too slow")
        self.too_big = too_big


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


@dataclass
class _Tries:
    """What the attempts at one request have met so far (``AtlassianClient.request``)."""

    most: int
    writes: bool  # a write: a lost answer leaves its outcome unclear
    unclear: bool = False
    last_status: int | None = None
    last_retry_after: float | None = None
    last_problem: str = ""


class AtlassianClient:
    """One ``requests.Session`` per task. Thread-safe for the bounded pool in ``map_concurrently``.

    ``errors`` words failures and ``waits`` reads how long a server asks to wait: neutral ones by default, a
    backend's own in the client it speaks through (``speaking``); ``observers`` are called with the headers of every
    answer, for backends that learn something from them.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        clock: Clock | None = None,
        backoff: BackoffPolicy | None = None,
        session: Any = None,
        workers: int = DEFAULT_WORKERS,
        errors: ErrorReader | None = None,
        waits: WaitReader | None = None,
        gate: RateGate | None = None,
        observers: list[Callable[[Mapping[str, str]], None]] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.backoff = backoff or BackoffPolicy()
        self.gate = gate or RateGate(self.clock)
        self.workers = max(1, workers)
        self.errors = errors or ErrorReader()
        self.waits = waits or WaitReader()
        self.observers = observers if observers is not None else []
        # Given with every request: ca_path, else the bundle REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE names (requests no
        # longer reads them itself, see _new_session), else the system's.
        self.verify: bool | str = (
            (settings.ca_path or settings.environment_ca_bundle or True) if settings.validate_certs else False
        )
        # Read from the environment on purpose, and checked there (``_connection.environment_proxies``).
        self.proxies = dict(settings.proxies)
        # Bounds on one answer and on one listing (module constants; tests lower them to stay fast).
        self.max_response_bytes = MAX_RESPONSE_BYTES
        self.response_deadline = settings.timeout * RESPONSE_DEADLINE_FACTOR
        self.max_listing = MAX_LISTING
        self.session = session if session is not None else self._new_session()

    def _new_session(self):
        session = requests.Session()
        # Only the task's credentials are ever sent: with trust_env on, requests would build Basic auth from ~/.netrc
        # (or $NETRC) for the host, replacing the Authorization header set below, so a task would act as another
        # account, and send that account's password in clear after a redirect. Proxies and a CA bundle from the
        # environment are still honoured, but deliberately (ConnectionSettings.proxies, environment_ca_bundle).
        session.trust_env = False
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

    def speaking(self, errors: ErrorReader, waits: WaitReader | None = None) -> AtlassianClient:
        """A client on this one's session, rate gate, observers and limits whose failures ``errors`` words and whose
        waits ``waits`` reads (a backend's): what a backend sends through, once ``auto`` has chosen it."""
        client = AtlassianClient(
            self.settings,
            clock=self.clock,
            backoff=self.backoff,
            session=self.session,
            workers=self.workers,
            errors=errors,
            waits=waits or self.waits,
            gate=self.gate,
            observers=self.observers,
        )
        client.max_response_bytes = self.max_response_bytes
        client.response_deadline = self.response_deadline
        client.max_listing = self.max_listing
        return client

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

        Redirects are never followed (a 3xx is an error naming where it pointed); no wait lasts longer than
        ``MAX_WAIT`` (a server asking for more is refused at once); an answer larger than ``max_response_bytes``, or
        not whole within ``response_deadline``, is abandoned without retrying.
        """
        accepted = set(accept)
        tries = _Tries(self.settings.max_retries + 1, writes=method != "GET" and not read_only)
        for attempt in range(1, tries.most + 1):
            answer = self._attempt(method, path, params, json, attempt, tries)
            if answer is None:
                continue  # no answer (a connection error), backed off already
            if answer.status in RETRYABLE_STATUSES and answer.status not in accepted:
                self._later(method, path, answer, attempt, tries)
                continue
            if 300 <= answer.status < 400 and answer.status not in accepted:
                raise self._redirect_error(method, path, answer.status, answer.headers.get("Location"))
            return self._answered(method, path, answer, accepted, non_json_ok, tries.unclear)
        hint = f"Gave up after {tries.most} attempts (max_retries={self.settings.max_retries})"
        if tries.last_retry_after is not None:
            hint += f"; the last Retry-After asked for {tries.last_retry_after:g} s"
        hint += ". Run again later, or raise max_retries"
        if tries.last_status is None:
            hint += f"; also check that {self.settings.base_url} is reachable and validate_certs/timeout fit"
        raise RetriesExhaustedError(
            f"{method} {path} kept failing ({tries.last_problem})",
            status=tries.last_status,
            hint=hint,
            attempts=tries.most,
        )

    def _attempt(self, method: str, path: str, params: Any, json: Any, attempt: int, tries: _Tries) -> _Answer | None:
        """One attempt, within the rate gate: its answer, or None after a connection error (backed off already)."""
        tls_failed = False
        overrun: _Overrun | None = None
        self.gate.wait_turn()
        try:
            answer = self._exchange(method, self.settings.base_url + path, params=params, json=json)
        except requests.exceptions.SSLError:
            # Not transient: retrying cannot make an untrusted certificate trusted. Raised outside the handler, so
            # that the requests exception (which holds the prepared request, headers included) is not chained.
            tls_failed = True
        except _Overrun as exc:
            overrun = exc
        except requests.exceptions.RequestException as exc:
            # A reset or read timeout after the request left may still have been applied by the server.
            tries.unclear = tries.unclear or tries.writes
            tries.last_status, tries.last_retry_after = None, None
            tries.last_problem = _describe_exception(exc)
            if attempt < tries.most:
                self.clock.sleep(self.backoff.delay(attempt, None, None))
            return None
        if tls_failed:
            raise self._tls_error(method, path)
        if overrun is not None:
            raise self._overrun_error(method, path, overrun, writes=tries.writes, attempts=attempt)
        self.gate.observe(answer.headers)
        for observe in self.observers:
            observe(answer.headers)
        return answer

    def _later(self, method: str, path: str, answer: _Answer, attempt: int, tries: _Tries) -> None:
        """A retryable answer: wait as asked (within ``MAX_WAIT``) or back off, pausing every request on a 429."""
        status = answer.status
        retry_after, asked = self.waits.asked_wait(status, answer.headers)
        if retry_after is not None and retry_after > MAX_WAIT:
            raise self._wait_refused(method, path, status, asked, retry_after, attempts=attempt)
        tries.last_status, tries.last_retry_after = status, retry_after
        tries.last_problem = f"HTTP {status}"
        # 429 (and 503 with Retry-After) means "not processed, come back later"; other 5xx may hide a write.
        if status not in (429, 503) or (status == 503 and retry_after is None):
            tries.unclear = tries.unclear or tries.writes
        if attempt < tries.most:
            delay = self.backoff.delay(attempt, status, retry_after)
            if status == 429 or retry_after is not None:
                self.gate.pause_all(delay)
            else:
                self.clock.sleep(delay)

    def _answered(
        self, method: str, path: str, answer: _Answer, accepted: set[int], non_json_ok: bool, unclear: bool
    ) -> ApiResponse:
        """A final answer: the response for a 2xx or an accepted status, else its ``HttpError``."""
        body = _decode(answer.content, answer.encoding)
        if 200 <= answer.status < 300 or answer.status in accepted:
            if body is None and answer.content.strip() and not non_json_ok:
                raise self._not_json_error(method, path, answer.status, answer.headers.get("Content-Type"))
            return ApiResponse(answer.status, body, dict(answer.headers), unclear, request=f"{method} {path}")
        raise self.error_for(method, path, answer.status, body, answer.text, answer.headers.get("Content-Type"))

    def _exchange(self, method: str, url: str, *, params: Any, json: Any) -> _Answer:
        """One attempt, read whole: at most ``max_response_bytes``, and within ``response_deadline`` of its start.

        ``timeout`` bounds each wait for a packet (requests' connect and read timeouts), not the whole answer. So
        the attempt runs on a helper thread that this one waits for until the deadline, whatever phase the answer
        is stuck in (connecting, headers, body): past it, the attempt is abandoned (a daemon thread; its socket is
        shut down once the answer has begun, which ends a body being trickled) and ``_Overrun`` raised. Exceptions
        of the attempt are raised here as requests raised them.
        """
        finished = threading.Event()
        abandoned = threading.Event()
        outcome: dict[str, Any] = {}

        def attempt() -> None:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=self.settings.timeout,
                    verify=self.verify,
                    proxies=self.proxies,
                    allow_redirects=False,
                    stream=True,
                )
                outcome["response"] = response
                try:
                    outcome["answer"] = self._read_whole(response, abandoned)
                finally:
                    response.close()
            except Exception as exc:  # handed over to the waiting thread
                outcome["error"] = exc
            finally:
                finished.set()

        # In a copy of the caller's context (contextvars), so that the attempt sees what the caller's thread sees.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(attempt,), name="atlassian-request", daemon=True).start()
        if not finished.wait(self.response_deadline):
            abandoned.set()
            _shut_down(outcome.get("response"))
            raise _Overrun(too_big=False)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["answer"]

    def _read_whole(self, response: Any, abandoned: threading.Event) -> _Answer:
        """The body, streamed, stopping past ``max_response_bytes`` (or at once when Content-Length says so)."""
        declared = str(response.headers.get("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise _Overrun(too_big=True)
        content = bytearray()
        for chunk in response.iter_content(READ_CHUNK):
            if abandoned.is_set():
                raise _Overrun(too_big=False)
            content += chunk
            if len(content) > self.max_response_bytes:
                raise _Overrun(too_big=True)
        return _Answer(response.status_code, response.headers, bytes(content), response.encoding)

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
        listing: Listing | None = None,
    ) -> Iterator[Page]:
        """Yield each page of a listing until it ends (``paging`` says how pages are asked for and read: in the query
        of a GET, or in the body of a search's POST, ``Paging.in_body``; ``params`` are the listing's own fields).

        An empty page that claims more follow is asked for again, with back-off, within ``max_retries``; if it stays
        empty the read fails with ``RetriesExhaustedError`` instead of stopping there, since a listing cut short
        would hide members from an exclusive sync or a removal, which would then report success with those members
        still in the group.

        ``position`` is where to start (the first page by default). ``first``, when given, is the answer already
        received for it (``iter_pages_concurrently`` resumes here): it counts as the first attempt at that page, so a
        page is never asked for more often than here. A listing that cannot be right stops with an ``HttpError``
        instead of being read forever (``Listing``); ``listing`` carries what the pages before this position showed,
        when reading resumes here.
        """
        listing = listing or Listing(self, paging.method, path, paging)
        position = paging.first_position if position is None else position
        empty_answers = 0  # answers in a row that were empty although they claimed more
        while True:
            body, first = (
                (first, None)
                if first is not None
                else (self._page_body(path, params, paging, position, page_size), None)
            )
            page = self._read_page(paging.method, path, paging, body, position)
            if not page.values:
                if not paging.claims_more(page, position):
                    return
                empty_answers += 1
                self._empty_again(path, paging, page, position, empty_answers)
                continue
            empty_answers = 0
            listing.check(page, position)
            yield page
            if page.next_position is None:
                return
            position = page.next_position

    def _page_body(self, path: str, params: dict, paging: Paging, position: Any, page_size: int) -> Any:
        fields = {**params, **paging.params(position, page_size)}
        return (self.search(path, fields) if paging.in_body else self.get(path, fields)).body

    def _empty_again(self, path: str, paging: Paging, page: Page, position: Any, empty_answers: int) -> None:
        """Back off before asking again for an empty page that claims more; give up past ``max_retries``."""
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

    def iter_pages_concurrently(self, path: str, params: dict, paging: Paging, *, page_size: int) -> Iterator[Page]:
        """``iter_pages``, but the pages that the first page's total announces are fetched on the bounded pool.

        Only for paging styles with random access (an offset per page) whose first page tells the total; otherwise
        pages are read one after the other. The first page is read alone, so a caller that stops after it (see
        ``_membership.choose_strategy``) pays one request. The rest are fetched when the caller asks for the second
        page, a window of them at a time (``WINDOW_PER_WORKER`` per worker): a total of a million asks for no more
        than a window before its pages show what they hold. The total "may change" between pages, so the concurrent
        windows are a head start and not the answer: the pages are yielded in order up to the first one that is the
        last, or that breaks the pattern (empty, or shorter than the first without being the last); from there, or
        past the announced total when the listing grew, reading goes on one page at a time with ``iter_pages``. Its
        first page may repeat values already yielded; callers key members by account.
        """
        listing = Listing(self, "GET", path, paging)
        pages = self.iter_pages(path, params, paging, page_size=page_size, listing=listing)
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
        at = step
        while at < total:
            starts = list(itertools.islice(range(at, total, step), self.workers * WINDOW_PER_WORKER))
            bodies = self.map_concurrently(
                lambda start_at: self.get(path, {**params, **paging.params(start_at, page_size)}).body, starts
            )
            for start_at, body in zip(starts, bodies, strict=True):
                page = self._read_page("GET", path, paging, body, start_at)
                if not page.values and paging.claims_more(page, start_at):
                    # Empty although it claims more: iter_pages asks again, taking this answer as its first attempt.
                    yield from self.iter_pages(
                        path, params, paging, page_size=page_size, position=start_at, first=body, listing=listing
                    )
                    return
                if page.values:
                    listing.check(page, start_at)
                    yield page
                if page.next_position is None:
                    return
                if len(page.values) != step:
                    # Shorter than the first without being the last: read on from there, one page at a time.
                    yield from self.iter_pages(
                        path, params, paging, page_size=page_size, position=start_at + len(page.values), listing=listing
                    )
                    return
            at = starts[-1] + step  # past a window of full pages none of which is the last
        # Past the announced total without meeting the last page: the listing grew. Read on one page at a time.
        yield from self.iter_pages(path, params, paging, page_size=page_size, position=at, listing=listing)

    def listing(self, path: str, paging: Paging, method: str = "GET") -> Listing:
        """A guard for a listing a backend pages through itself (see ``Listing``)."""
        return Listing(self, method, path, paging)

    def _read_page(self, method: str, path: str, paging: Paging, body: Any, position: Any) -> Page:
        """The page in ``body``, which remembers the request that got it; a malformed one names that request."""
        request = f"{method} {path} ({paging.describe(position)})"
        with self.reading(request):
            return replace(paging.read(body, position), request=request)

    def map_concurrently(self, func: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[func(item) ...]`` on a small bounded pool sharing this session and its rate gate; order kept."""
        items = list(items)
        if len(items) <= 1 or self.workers == 1:
            return [func(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(func, items))

    # ------------------------------------------------------------------ answers

    @contextmanager
    def reading(self, answer: ApiResponse | Page | str) -> Iterator[None]:
        """Read ``answer`` (an ``ApiResponse``, a ``Page``, or the request that got it) inside the block: a
        ``MalformedAnswer`` raised there becomes an ``HttpError`` naming that request, never a traceback."""
        try:
            yield
        except MalformedAnswer as exc:
            request = answer if isinstance(answer, str) else answer.request
            raise self.malformed_error(request, str(exc)) from None

    def malformed_error(self, request: str, problem: str) -> HttpError:
        return HttpError(
            f"{request or 'A request'} answered with {problem}",
            hint="This answer was not acted on. " + self.errors.url_hint(self.settings.base_url),
        )

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
            if self.settings.environment_ca_bundle:
                hint = (
                    "The CA bundle that REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE names "
                    f"({self.settings.environment_ca_bundle}) does not hold the CA that signed this server's "
                    f"certificate. {hint}"
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

    def _redirect_error(self, method: str, path: str, status: int, location: str | None) -> HttpError:
        """A 3xx is never followed: a redirected POST or DELETE becomes a GET of another page (which answers 200, so
        the task would report a change that did not happen), a 307/308 re-sends the body elsewhere, and a redirect
        to another host or to http would take the credentials along. Say where it pointed and what to fix."""
        shown = redact_url(_CONTROL.sub("", location or "").strip())[:300]
        base = urlsplit(self.settings.base_url)
        target = urlsplit(urljoin(self.settings.base_url + path, shown)) if shown else None
        summary = f"{method} {path} answered HTTP {status}, a redirect " + (
            f"to {shown}" if shown else "without a Location"
        )
        hint = "Redirects are not followed, so that the credentials and any change go only where url says. "
        if target is not None and target.hostname == base.hostname and target.scheme == "https" != base.scheme:
            hint += f"The server wants https: set url to https://{base.netloc}{base.path}"
        elif target is not None and target.hostname and target.hostname != base.hostname:
            hint += (
                f"If {target.scheme}://{target.netloc} is where the site lives now (a moved or renamed site), set url "
                "to it; a login page or a proxy may also be redirecting"
            )
        else:
            hint += (
                "Check url (its scheme, host and context path): a login page, a proxy or the server's configuration "
                "is redirecting the API"
            )
        return HttpError(summary, status=status, hint=hint)

    def _wait_refused(
        self, method: str, path: str, status: int, asked: str, seconds: float, *, attempts: int
    ) -> RetriesExhaustedError:
        """A wait beyond ``MAX_WAIT`` is not slept: the task fails at once, saying what the server asked for. A
        ``RetriesExhaustedError``, so that a write whose earlier attempt may have been applied is read back."""
        return RetriesExhaustedError(
            f"{method} {path} answered HTTP {status} asking to wait {_duration(seconds)} before trying again "
            f"({_CONTROL.sub('', asked)[:120]}), longer than the {MAX_WAIT:g} s a task waits at once",
            status=status,
            hint="Nothing more was sent for this request. Run the task again once the rate limit has reset; if such a "
            "wait cannot be right, check that url reaches Atlassian and not something else (a proxy)",
            attempts=attempts,
        )

    def _overrun_error(self, method: str, path: str, overrun: _Overrun, *, writes: bool, attempts: int) -> HttpError:
        """An answer too big or too slow is abandoned and not retried: a server or proxy that sends one is likely
        to send it again. A write's outcome is then unknown: a ``RetriesExhaustedError``, which is read back."""
        if overrun.too_big:
            summary = (
                f"{method} {path} answered with more than {self.max_response_bytes // (1024 * 1024) or 1} MiB, far "
                "more than any answer of this API; reading stopped there"
            )
            hint = self.errors.url_hint(self.settings.base_url)
        else:
            summary = (
                f"{method} {path} did not answer in full within {self.response_deadline:g} s "
                f"({RESPONSE_DEADLINE_FACTOR} times timeout); it was abandoned, not retried"
            )
            hint = (
                "timeout bounds each wait for data, this deadline the whole answer: a server that slow is broken, or "
                "something else (a proxy) answers. Check url and any proxy the environment sets, or raise timeout if "
                "the network is just slow; the task keyword timeout bounds a whole task"
            )
        error_type = RetriesExhaustedError if writes else HttpError
        return error_type(summary, hint=hint, attempts=attempts)


class Listing:
    """What a listing has shown so far, to stop one that cannot be right instead of reading it forever.

    - A first page whose total is beyond ``max_listing`` is not believed (no Atlassian group comes near a million).
    - The listing may run past the total its first page announced by what it may grow while read (as many entries
      again, ``LISTING_GROWTH`` at least), and past ``max_listing`` when there is no total; further, its pages
      contradict that total (an ``isLast`` that never comes), and it stops.
    - A page may not repeat the page before it, nor send back to a cursor already followed: the server is ignoring
      the position, and the listing would go round forever.
    """

    def __init__(self, client: AtlassianClient, method: str, path: str, paging: Paging) -> None:
        self.client = client
        self.request = f"{method} {path}"
        self.paging = paging
        self.ceiling = client.max_listing
        self.announced: int | None = None
        self.entries = 0
        self.pages = 0
        self.previous: list | None = None
        self.cursors: set = set()

    def check(self, page: Page, position: Any) -> None:
        """Count a page with values about to be yielded, or raise ``HttpError`` saying why the listing is wrong."""
        limit = self.client.max_listing
        if self.pages == 0 and page.total is not None:
            if page.total > limit:
                raise self.error(f"claims {page.total} entries, more than any Atlassian listing holds ({limit})")
            self.announced = page.total
            self.ceiling = min(limit, page.total + max(page.total, LISTING_GROWTH))
        self.pages += 1
        self.entries += len(page.values)
        where = self.paging.describe(position)
        if page.values == self.previous:
            raise self.error(f"answered at {where} the same entries as for the page before: it does not move on")
        self.previous = page.values
        if self.entries > self.ceiling:
            if self.announced is None:
                said = f"more than any Atlassian listing holds ({limit})"
            else:
                said = f"far more than the {self.announced} its first page announced"
            raise self.error(f"has sent {self.entries} entries by {where}, {said}, and still says more follow")
        if not self.paging.random_access and page.next_position is not None:
            if page.next_position == position or page.next_position in self.cursors:
                raise self.error(f"sends back at {where} to a cursor already followed: it goes round in circles")
            self.cursors.add(page.next_position)

    def error(self, problem: str) -> HttpError:
        return HttpError(
            f"The listing of {self.request} {problem}",
            hint="It was not read on, nor acted on: Atlassian's API does not answer this way, so a proxy or another "
            "server may be answering. " + self.client.errors.url_hint(self.client.settings.base_url),
        )


def _decode(content: bytes, encoding: str | None) -> Any:
    """The JSON in ``content``, or None when there is none (no body, not JSON, or nested too deep to read)."""
    if not content:
        return None
    try:
        return jsonlib.loads(content)  # UTF-8, -16 or -32, as JSON allows
    except (ValueError, RecursionError):
        pass
    try:
        return jsonlib.loads(content.decode(encoding or "utf-8-sig"))  # a charset the header names, or a BOM
    except (ValueError, LookupError, RecursionError):
        return None


def _shut_down(response: Any) -> None:
    """End an abandoned answer's read, when it has got that far: shut its socket down, which makes a blocked read
    return. Not ``response.close()``, which would wait for the lock that very read holds."""
    connection = getattr(getattr(response, "raw", None), "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass


def _duration(seconds: float) -> str:
    """``315360000 s (about 3650 days)``: a wait as asked, and readable."""
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds:.0f} s (about {seconds / size:.0f} {unit})"
    return f"{seconds:g} s"


def _describe_exception(exc: Exception) -> str:
    """A short, header-free description of a transport failure."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed or was reset"
    return type(exc).__name__
