# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""When to retry, how long to wait, and a gate that makes every worker honour one Retry-After.

Everything that waits takes a ``Clock`` so unit tests run the real logic without sleeping.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping

# Atlassian documents 429 and asks that 503 with Retry-After be handled the same way; other 5xx are transient.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# The longest single wait (a Retry-After, the time until X-RateLimit-Reset, a back-off): Atlassian's burst limits
# refill within seconds and its hourly quotas within the hour, so a server asking for more than this is not one a
# task should sleep for. The client fails at once instead, saying what was asked (see AtlassianClient.request).
MAX_WAIT = 300.0
# The widest spacing the rate gate puts between request starts: an X-RateLimit-Limit near zero must not stretch a
# task to days (Atlassian's advertised burst rates are tens of requests a second).
MAX_SPACING = 2.0


class Clock:
    """Monotonic time and sleep; replaced by a fake in tests."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds. Atlassian sends whole seconds; an HTTP-date or garbage (a negative number, ``inf``,
    ``nan``) is ignored (None), so the usual back-off applies. A wait longer than ``MAX_WAIT`` is returned as is: the
    client refuses it, naming it."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class WaitReader:
    """How an API says how long to wait before asking again. Every Atlassian API may send Retry-After, in seconds; a
    backend whose API says it otherwise gives its client a reader of its own (the Admin API's reset time)."""

    def asked_wait(self, status: int, headers: Mapping[str, str]) -> tuple[float | None, str]:
        """How long the server asks to wait (None: it does not say, or says nothing usable), and the header that
        said it, as sent, for messages."""
        raw = headers.get("Retry-After")
        return parse_retry_after(raw), f"Retry-After: {raw}"


def parse_rate_limit_reset(value: str | None, now: datetime) -> float | None:
    """Seconds until an ``X-RateLimit-Reset`` sent as an ISO-8601 UTC time ("next period reset time", as the Admin API
    sends it); None when absent or unreadable. A time already past means "now" (0)."""
    if not value:
        return None
    try:
        reset = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, TypeError):
        return None
    if reset.tzinfo is None:
        reset = reset.replace(tzinfo=timezone.utc)
    return max((reset - now).total_seconds(), 0.0)


@dataclass
class BackoffPolicy:
    """Delays between attempts, after Atlassian's published pseudocode (see docs/ and the API reference §8).

    - Retry-After present: wait that long, plus up to ``retry_after_jitter`` of it, because retrying earlier "will
      fail and return the same or longer Retry-After period".
    - 429 without Retry-After: exponential from ``rate_limit_base`` seconds, capped.
    - 5xx and connection errors: exponential from ``base`` seconds, capped, with a 0.7-1.3 jitter multiplier so that
      parallel workers do not retry in lockstep.
    """

    base: float = 0.5
    rate_limit_base: float = 5.0
    cap: float = 30.0
    retry_after_jitter: float = 0.1
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, retry_number: int, status: int | None, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry); never more than ``MAX_WAIT``."""
        if retry_after is not None:
            return min(retry_after + retry_after * self.retry_after_jitter * self.rng.random(), MAX_WAIT)
        start = self.rate_limit_base if status == 429 else self.base
        exponential = min(start * (2 ** (retry_number - 1)), self.cap)
        return min(exponential * self.rng.uniform(0.7, 1.3), self.cap)


class RateGate:
    """Shared by all workers of one client: nobody sends while a Retry-After is running.

    Without it, one worker would wait out a 429 while the others keep hitting the limit and each collect their own
    429, which is the "retry storm" Atlassian warns about. When the server says the budget is nearly spent
    (``X-RateLimit-NearLimit: true``, or ``X-RateLimit-Remaining`` low), request starts are spaced at the advertised
    rate instead of bursting.
    """

    # Atlassian sets NearLimit "when less than 20 % of any budget remains"; pacing runs a little under the limit so
    # the budget refills instead of hovering at zero.
    NEAR_LIMIT_SHARE = 0.2
    PACE_SHARE = 0.95

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0
        self._next_slot = 0.0
        self._spacing = 0.0
        self._limit = 0.0  # the last X-RateLimit-Limit seen (requests per second for burst limits)

    def wait_turn(self) -> None:
        while True:
            with self._lock:
                now = self._clock.now()
                start = max(now, self._not_before, self._next_slot)
                if start <= now:
                    if self._spacing:
                        self._next_slot = now + self._spacing
                    return
            self._clock.sleep(start - now)

    def pause_all(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock.now() + min(seconds, MAX_WAIT))

    def observe(self, headers) -> None:
        """Adapt pacing to the rate-limit headers of a response.

        Pace a little under the advertised per-second rate only while the budget is nearly spent: the server says so
        (``X-RateLimit-NearLimit: true``), or ``X-RateLimit-Remaining`` is under a fifth of ``X-RateLimit-Limit`` (for
        answers that carry the counts without the flag). An answer with none of these headers changes nothing.
        """
        flag = headers.get("X-RateLimit-NearLimit")
        limit = _header_number(headers.get("X-RateLimit-Limit"))
        remaining = _header_number(headers.get("X-RateLimit-Remaining"))
        if flag is None and limit is None and remaining is None:
            return
        with self._lock:
            if limit:
                self._limit = limit
            near = str(flag).lower() == "true" or (
                remaining is not None and remaining < self.NEAR_LIMIT_SHARE * self._limit
            )
            spacing = 1.0 / (self._limit * self.PACE_SHARE) if near and self._limit > 0 else 0.0
            self._spacing = min(spacing, MAX_SPACING)


def _header_number(value) -> float | None:
    """A rate-limit count, or None when absent or not a finite number (``inf``, ``nan`` and garbage say nothing)."""
    try:
        number = float(value) if value is not None else None
    except (ValueError, TypeError):
        return None
    return number if number is None or math.isfinite(number) else None
