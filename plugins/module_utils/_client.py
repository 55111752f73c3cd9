# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""HTTP client for Atlassian REST APIs: one session, auth on every request, retries, paging, typed errors.

It knows HTTP, not products: backends (for example ``_jira_cloud``) say which paths to call.
"""

from __future__ import annotations

import base64
import re
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError, RetriesExhaustedError
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import (
    RETRYABLE_STATUSES,
    BackoffPolicy,
    Clock,
    RateGate,
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

COLLECTION_VERSION = "1.0.0"
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
    attempts: int = 1
    # An earlier attempt of this same write may have been applied (5xx, reset or timeout after sending).
    unclear_earlier: bool = False


_XML_MESSAGE = re.compile(r"<message>(.*?)</message>", re.S)


def api_messages(body: Any, text: str = "") -> list[str]:
    """Atlassian's own words from an error body: ErrorCollection, gateway ``message``, or XML/plain 401s."""
    messages: list[str] = []
    if isinstance(body, dict):
        messages.extend(str(m) for m in body.get("errorMessages") or [])
        errors = body.get("errors")
        if isinstance(errors, dict):
            messages.extend(f"{k}: {v}" for k, v in errors.items())
        if body.get("message") and not messages:
            messages.append(str(body["message"]))
    elif text:
        match = _XML_MESSAGE.search(text)
        stripped = text.strip()
        if match:
            messages.append(match.group(1).strip())
        elif stripped and not stripped.startswith("<"):
            messages.append(stripped[:300])
    return messages


class AtlassianClient:
    """One ``requests.Session`` per task. Thread-safe for the bounded pool in ``map_concurrently``."""

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
        self._count_lock = threading.Lock()
        self.request_count = 0
        self.caller_account_id: str | None = None
        self.session = session if session is not None else self._new_session()

    def _new_session(self):
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.workers)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.verify = self.settings.validate_certs
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
    ) -> ApiResponse:
        """Send one logical request, retrying 429/5xx/connection errors within ``max_retries``.

        Returns for 2xx and for statuses in ``accept`` (which the caller interprets itself); raises
        ``AtlassianError`` for everything else.
        """
        url = self.settings.base_url + path
        accepted = set(accept)
        max_attempts = self.settings.max_retries + 1
        unclear = False
        last_status: int | None = None
        last_retry_after: float | None = None
        last_problem = ""
        for attempt in range(1, max_attempts + 1):
            self.gate.wait_turn()
            with self._count_lock:
                self.request_count += 1
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=self.settings.timeout)
            except requests.exceptions.RequestException as exc:
                # A reset or read timeout after the request left may still have been applied by the server.
                unclear = unclear or method != "GET"
                last_status, last_retry_after = None, None
                last_problem = _describe_exception(exc)
                if attempt < max_attempts:
                    self.clock.sleep(self.backoff.delay(attempt, None, None))
                continue
            self.gate.observe(response.headers)
            if self.caller_account_id is None and response.headers.get("X-AAccountId"):
                self.caller_account_id = response.headers["X-AAccountId"]
            status = response.status_code
            if status in RETRYABLE_STATUSES and status not in accepted:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                last_status, last_retry_after = status, retry_after
                last_problem = f"HTTP {status}"
                # 429 (and 503 with Retry-After) means "not processed, come back later"; other 5xx may hide a write.
                if status not in (429, 503) or (status == 503 and retry_after is None):
                    unclear = unclear or method != "GET"
                if attempt < max_attempts:
                    delay = self.backoff.delay(attempt, status, retry_after)
                    if status == 429 or retry_after is not None:
                        self.gate.pause_all(delay)
                    else:
                        self.clock.sleep(delay)
                continue
            body = _decode(response)
            if 200 <= status < 300 or status in accepted:
                if body is None and response.content.strip():
                    raise self._not_json_error(method, path, status, response.headers.get("Content-Type"))
                return ApiResponse(status, body, dict(response.headers), attempt, unclear)
            raise self.error_for(method, path, status, body, response.text)
        hint = f"Gave up after {max_attempts} attempts (max_retries={self.settings.max_retries})"
        if last_retry_after is not None:
            hint += f"; the last Retry-After asked for {last_retry_after:g} s"
        hint += ". Run again later, or raise max_retries"
        if last_status is None:
            hint += f"; also check that {self.settings.base_url} is reachable and validate_certs/timeout fit"
        raise RetriesExhaustedError(
            f"{method} {path} kept failing ({last_problem})",
            status=last_status,
            hint=hint,
            attempts=max_attempts,
            retry_after=last_retry_after,
        )

    def get(self, path: str, params: dict | list | None = None, accept: Iterable[int] = ()) -> ApiResponse:
        return self.request("GET", path, params=params, accept=accept)

    def iter_pages(
        self, path: str, params: dict, *, page_size: int = 50, start_at: int = 0, first: dict | None = None
    ) -> Iterator[dict]:
        """Yield each page body of a ``startAt``/``maxResults`` listing until it ends.

        The end is ``isLast: true``, a page without ``isLast`` and without ``nextPage``, or an empty page. The next
        ``startAt`` counts the values actually received, because Atlassian may lower ``maxResults`` silently (group
        members come 50 at most). An empty page that claims not to be last (``isLast: false``, ``total`` beyond it) is
        asked for again, with back-off, within ``max_retries``; if it stays empty the read fails with
        ``RetriesExhaustedError`` instead of stopping there, since a listing cut short would hide members from an
        exclusive sync or a removal, which would then report success with those members still in the group.

        ``first``, when given, is the answer already received for ``start_at`` (``iter_pages_concurrently`` resumes
        here): it counts as the first attempt at that page, so a page is never asked for more often than here.
        """
        empty_answers = 0  # answers in a row that were empty although they claimed more
        while True:
            if first is not None:
                body, first = first, None
            else:
                body = self.get(path, {**params, "startAt": start_at, "maxResults": page_size}).body or {}
            values = body.get("values") or []
            if not values:
                total = body.get("total")
                if body.get("isLast") is not False or (total is not None and start_at >= total):
                    return
                empty_answers += 1
                if empty_answers > self.settings.max_retries:
                    claimed = "no total" if total is None else f"total {total}"
                    raise RetriesExhaustedError(
                        f"GET {path} kept answering an empty page at startAt={start_at} that claims more follow "
                        f"(isLast false, {claimed})",
                        hint=f"Gave up after {empty_answers} attempts (max_retries={self.settings.max_retries}) rather "
                        "than act on part of the listing. Run again later, or raise max_retries",
                        attempts=empty_answers,
                    )
                self.clock.sleep(self.backoff.delay(empty_answers, None, None))
                continue
            empty_answers = 0
            yield body
            if _is_last_page(body):
                return
            start_at += len(values)

    def iter_pages_concurrently(self, path: str, params: dict, *, page_size: int = 50) -> Iterator[dict]:
        """``iter_pages``, but the pages that the first page's ``total`` announces are fetched on the bounded pool.

        The first page is read alone, so a caller that stops after it (see ``_membership.choose_strategy``) pays one
        request. The rest are fetched together only when the caller asks for the second page. ``total`` "may
        change" between pages, so the concurrent batch is a head start and not the answer: the pages are yielded in
        order up to the first one that is the last, or that breaks the pattern (empty, or shorter than the first
        without being the last); from there, or past a batch whose final page is not the last because the listing
        grew, reading goes on one page at a time with ``iter_pages``. Its first page may repeat values already
        yielded; callers key members by accountId.
        """
        pages = self.iter_pages(path, params, page_size=page_size)
        first = next(pages, None)
        if first is None:
            return
        yield first
        step = len(first.get("values") or [])
        total = first.get("total")
        if self.workers == 1 or _is_last_page(first) or not isinstance(total, int) or total <= step:
            yield from pages
            return
        pages.close()
        starts = list(range(step, total, step))
        bodies = self.map_concurrently(
            lambda at: self.get(path, {**params, "startAt": at, "maxResults": page_size}).body or {}, starts
        )
        resume_at = starts[-1] + step  # past a batch of full pages none of which is the last: the listing grew
        for start_at, body in zip(starts, bodies, strict=True):
            values = body.get("values") or []
            if not values and not _is_last_page(body):
                # Empty although it claims more: iter_pages asks again, taking this answer as its first attempt.
                yield from self.iter_pages(path, params, page_size=page_size, start_at=start_at, first=body)
                return
            if values:
                yield body
            if _is_last_page(body):
                return
            if len(values) != step:
                resume_at = start_at + len(values)
                break
        yield from self.iter_pages(path, params, page_size=page_size, start_at=resume_at)

    def map_concurrently(self, func: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[func(item) ...]`` on a small bounded pool sharing this session and its rate gate; order kept."""
        items = list(items)
        if len(items) <= 1 or self.workers == 1:
            return [func(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(func, items))

    # ------------------------------------------------------------------ errors

    def error_for(self, method: str, path: str, status: int, body: Any, text: str) -> AtlassianError:
        messages = api_messages(body, text)
        summary = f"{method} {path} failed with HTTP {status}"
        return AtlassianError(summary, status=status, api_messages=messages, hint=self._hint_for(status))

    def _not_json_error(self, method: str, path: str, status: int, content_type: str | None) -> AtlassianError:
        """A success that is not JSON came from something other than Atlassian's API: read on, it would look like "no
        such group" or "no such user" (or crash), so say what answered instead."""
        return AtlassianError(
            f"{method} {path} answered HTTP {status} with a body that is not JSON ({content_type or 'no Content-Type'})",
            status=status,
            hint=f"{self.settings.base_url} does not answer like an Atlassian REST API (a login page, a proxy or "
            "another web site may have answered). Check url: it is the site URL, for example https://acme.atlassian.net, "
            "or the gateway URL https://api.atlassian.com/ex/jira/<cloudId>",
        )

    def _hint_for(self, status: int) -> str | None:
        if status == 401:
            if self.settings.bearer_token:
                hint = (
                    "Atlassian rejected the bearer_token. bearer_token is for an OAuth 2.0 access token (with the "
                    "gateway URL https://api.atlassian.com/ex/jira/<cloudId>) or a Data Center personal access "
                    "token; an Atlassian Cloud API token is not a bearer token: pass it as api_token with username "
                    "set to the account's email"
                )
                if self.settings.bearer_token.startswith("ATATT"):
                    hint += " (the bearer_token given looks like an Atlassian API token)"
                return hint
            hint = (
                "Atlassian rejected the credentials. Check that username is the email address of the account that "
                "created the API token and api_token is the token itself, not base64-encoded and without 'Basic' "
                "(the collection builds base64(email:api_token) itself); that the token has not expired or been "
                "revoked; and that a scoped API token (service accounts) is used with the gateway URL "
                "https://api.atlassian.com/ex/jira/<cloudId>, not the site URL. An OAuth 2.0 token or Data Center "
                "personal access token belongs in bearer_token"
            )
            return hint
        if status == 403:
            return (
                "The account is authenticated but lacks permission. Changing group membership needs site "
                "administration (a member of site-admins, or Administer Jira); reading users and groups needs the "
                "Browse users and groups permission. OAuth tokens need the manage:jira-configuration (or "
                "write:group:jira) scope"
            )
        if status == 404:
            return "The group or user was not found. Check the group name or group_id, and the user's accountId"
        return None


def _is_last_page(body: dict) -> bool:
    """``isLast: true``, or a page that has neither ``isLast`` nor a ``nextPage`` link."""
    return body.get("isLast") is True or ("isLast" not in body and not body.get("nextPage"))


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
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate verification failed (set validate_certs=false only for a trusted private CA)"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed or was reset"
    return type(exc).__name__
