# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Concurrency in the client: member pages fetched on the pool, and one 429 pausing every worker (fake clocks)."""

from __future__ import annotations

import contextvars
import threading

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import settings_for
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import RetriesExhaustedError
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import OffsetPaging
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import Clock, RateGate

MEMBERS = "/rest/api/3/group/member"
BIG = {"groupname": "big-group", "includeInactiveUsers": "true"}  # 120 members: pages of 50, 50, 20
JIRA_PAGING = OffsetPaging()


def _read(client) -> tuple[list[str], list[int]]:
    pages = list(client.iter_pages_concurrently(MEMBERS, BIG, JIRA_PAGING, page_size=50))
    return [v["accountId"] for p in pages for v in p.values], [len(p.values) for p in pages]


def _starts(emulator) -> list[int]:
    return sorted(int(r.query["startAt"][0]) for r in emulator.log if r.path == MEMBERS)


def test_pages_after_the_first_are_fetched_together_and_yielded_in_order(emulator, client_for):
    ids, sizes = _read(client_for(emulator, workers=4))
    assert sizes == [50, 50, 20]
    assert ids == [u.account_id for u in emulator.state.members(emulator.state.lookup_group("big-group").group_id)]
    assert _starts(emulator) == [0, 50, 100]  # one request a page, no more


def test_a_caller_that_stops_after_the_first_page_pays_one_request(emulator, client_for):
    pages = client_for(emulator, workers=4).iter_pages_concurrently(MEMBERS, BIG, JIRA_PAGING, page_size=50)
    assert len(next(pages).values) == 50
    pages.close()
    assert _starts(emulator) == [0]


def test_one_worker_reads_sequentially(emulator, client_for):
    ids, sizes = _read(client_for(emulator, workers=1))
    assert sizes == [50, 50, 20] and len(set(ids)) == 120


@pytest.mark.parametrize(
    "fault",
    [
        # An empty page in the middle that claims more: read on from it, one page at a time.
        {"action": "empty_page", "path": MEMBERS, "skip": 1},
        # The first page understates the total: the batch ends early and the rest is read sequentially.
        {"action": "shift_total", "path": MEMBERS, "total": 60},
        # It overstates it: the extra pages come back empty and the real last page ends the read.
        {"action": "shift_total", "path": MEMBERS, "total": 400},
    ],
    ids=["empty-middle-page", "total-too-small", "total-too-large"],
)
def test_every_member_is_read_when_pages_misbehave(emulator, client_for, fault):
    emulator.configure(faults=[fault])
    ids = _read(client_for(emulator, workers=4))[0]
    assert set(ids) == emulator.members("big-group")
    assert len(_starts(emulator)) <= 8


@pytest.mark.parametrize("times", [1, None], ids=["empty-once", "empty-for-good"])
def test_a_page_found_empty_in_the_batch_counts_as_the_first_attempt(emulator, client_for, times):
    # The batch's empty answer is the first attempt at that page; iter_pages asks again within max_retries (3), and
    # a page that stays empty fails the read rather than cutting the listing short.
    emulator.configure(faults=[{"action": "empty_page", "path": MEMBERS, "skip": 1, "times": times}])
    pages = client_for(emulator, workers=4).iter_pages_concurrently(MEMBERS, BIG, JIRA_PAGING, page_size=50)
    if times is None:
        with pytest.raises(RetriesExhaustedError, match="empty page at startAt=50 that claims more follow"):
            list(pages)
    else:
        assert sum(len(p.values) for p in pages) == 120
    starts = _starts(emulator)
    assert max(starts.count(at) for at in starts) == (2 if times == 1 else 4)


# ----------------------------------------------------------------------------------------- shared back-off


class ThreadClock(Clock):
    """Virtual time per thread: each worker's clock moves only when that worker sleeps (nothing really sleeps). A
    context variable, so that the thread an attempt is sent on (``AtlassianClient._exchange``) sees its worker's."""

    def __init__(self) -> None:
        self._t: contextvars.ContextVar[float] = contextvars.ContextVar("virtual_time", default=0.0)
        self.first_sleep = threading.Event()

    def now(self) -> float:
        return self._t.get()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._t.set(self.now() + seconds)
            self.first_sleep.set()


class _Response:
    """What the client reads of a streamed ``requests.Response``."""

    def __init__(self, status: int, headers: dict) -> None:
        self.status_code = status
        self.headers = headers
        self.encoding = "utf-8"

    def iter_content(self, chunk_size):
        yield b"{}"

    def close(self) -> None:
        pass


class RateLimitedSession:
    """Answers the first request 429 (Retry-After 2) and the others 200, recording (virtual time, status) of each.

    The 200s are held until every worker has sent a request and someone has started waiting (the worker that got
    the 429, which paused the gate first): so all workers really are busy at once when the 429 arrives, whatever
    the thread scheduling.
    """

    def __init__(self, clock: ThreadClock, workers: int) -> None:
        self.clock = clock
        self.workers = workers
        self.lock = threading.Lock()
        self.threads: set[int] = set()
        self.all_busy = threading.Event()
        self.sent: list[tuple[float, int]] = []

    def request(self, method, url, **kwargs):
        with self.lock:
            status = 429 if not self.sent else 200
            self.sent.append((self.clock.now(), status))
            self.threads.add(threading.get_ident())
            if len(self.threads) >= self.workers:
                self.all_busy.set()
        if status == 429:
            # No rate-limit counts, so no pacing either: only the shared pause can hold the other workers back.
            return _Response(429, {"Retry-After": "2"})
        assert self.all_busy.wait(timeout=10) and self.clock.first_sleep.wait(timeout=10)
        return _Response(200, {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "90"})

    def close(self) -> None:
        pass


def test_one_429_makes_every_worker_wait_the_whole_retry_after():
    clock = ThreadClock()
    session = RateLimitedSession(clock, workers=4)
    settings = settings_for({"url": "https://acme.atlassian.net", "username": "a@b.example", "api_token": "t"})
    client = AtlassianClient(settings, clock=clock, session=session, workers=4)

    statuses = client.map_concurrently(
        lambda i: client.get("/rest/api/3/user", {"accountId": str(i)}).status, range(12)
    )

    assert statuses == [200] * 12
    assert [status for _time, status in session.sent].count(429) == 1  # no storm: nobody else ran into the limit
    early = [t for t, _status in session.sent if t < 2.0]
    # Only the requests already on their way when the 429 came back (at most one per worker, the 429 included)
    # went out before Retry-After had passed; all the others, and the retry, waited for it.
    assert len(early) <= 4
    assert len(session.sent) == 13


# ----------------------------------------------------------------------------------------- pacing


class StepClock(Clock):
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)


def _starts_after(gate: RateGate, clock: StepClock, count: int) -> float:
    before = clock.now()
    for _request in range(count):
        gate.wait_turn()
    return clock.now() - before


def test_gate_paces_when_remaining_is_low_even_without_the_flag():
    clock = StepClock()
    gate = RateGate(clock)
    gate.observe({"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "50"})
    assert _starts_after(gate, clock, 5) == 0.0  # plenty left: no pacing
    gate.observe({"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "12"})
    assert _starts_after(gate, clock, 5) == pytest.approx(4 / 95.0)  # under a fifth left: 95 % of 100/s


def test_gate_keeps_pacing_through_answers_without_rate_headers_and_remembers_the_limit():
    clock = StepClock()
    gate = RateGate(clock)
    gate.observe({"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "30"})
    gate.observe({"X-RateLimit-NearLimit": "true"})  # the flag alone: pace at the limit seen before
    gate.observe({})  # e.g. an error page without the headers: nothing changes
    assert _starts_after(gate, clock, 3) == pytest.approx(2 / 47.5)
    gate.observe({"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "40"})
    assert _starts_after(gate, clock, 3) == pytest.approx(1 / 47.5)  # only the slot already booked is waited for
