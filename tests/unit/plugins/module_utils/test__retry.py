# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Backoff delays and the shared rate gate, on a fake clock: nothing here really sleeps."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import (
    MAX_SPACING,
    MAX_WAIT,
    BackoffPolicy,
    RateGate,
    parse_rate_limit_reset,
    parse_retry_after,
)

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("315360000", 315360000.0),  # returned as asked: the client refuses what is beyond MAX_WAIT, naming it
        # Garbage says nothing: the usual back-off applies.
        ("-2", None),
        ("inf", None),
        ("-inf", None),
        ("nan", None),
        ("1e999", None),
        ("", None),
        (None, None),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28T12:00:07Z", 7.0),  # the Admin API's "next period reset time (ISO 8601, UTC)"
        ("2026-11-28T12:00:02.500+00:00", 2.5),
        ("2026-11-28T12:00:03", 3.0),  # no zone: UTC, as documented
        ("2026-11-28T11:59:00Z", 0.0),  # already past: now
        ("2099-01-01T00:00Z", (datetime(2099, 1, 1, tzinfo=timezone.utc) - NOW).total_seconds()),  # refused later
        ("soon", None),
        ("99999-01-01T00:00Z", None),
        (None, None),
    ],
)
def test_parse_rate_limit_reset(value, expected):
    assert parse_rate_limit_reset(value, NOW) == expected


def test_no_wait_lasts_longer_than_the_ceiling(fake_clock):
    # A Retry-After just under the ceiling plus its jitter, and a pause asked for by anyone, stop at MAX_WAIT.
    assert BackoffPolicy(rng=random.Random(5)).delay(1, 429, MAX_WAIT - 1) <= MAX_WAIT
    gate = RateGate(fake_clock)
    gate.pause_all(10 * MAX_WAIT)
    gate.wait_turn()
    assert fake_clock.sleeps == [MAX_WAIT]


@pytest.mark.parametrize("limit", ["0.000001", "1e-300", "inf", "nan", "-5", "garbage"])
def test_the_gate_never_spaces_requests_more_than_a_couple_of_seconds_whatever_the_limit_says(fake_clock, limit):
    gate = RateGate(fake_clock)
    gate.observe({"X-RateLimit-NearLimit": "true", "X-RateLimit-Limit": limit, "X-RateLimit-Remaining": "nan"})
    for _request in range(4):
        gate.wait_turn()
    assert all(0 < s <= MAX_SPACING for s in fake_clock.sleeps) and fake_clock.now() - 1000.0 <= 3 * MAX_SPACING


def test_retry_after_is_honoured_with_only_upward_jitter():
    policy = BackoffPolicy(rng=random.Random(1))
    delays = [policy.delay(n, 429, 4.0) for n in range(1, 20)]
    assert all(4.0 <= d <= 4.4 for d in delays)


def test_server_errors_back_off_exponentially_with_jitter_and_a_cap():
    policy = BackoffPolicy(base=0.5, cap=30.0, rng=random.Random(7))
    for retry in range(1, 12):
        nominal = min(0.5 * 2 ** (retry - 1), 30.0)
        assert 0.7 * nominal <= policy.delay(retry, 502, None) <= min(1.3 * nominal, 30.0)


def test_rate_limit_without_retry_after_starts_at_five_seconds():
    policy = BackoffPolicy(rng=random.Random(3))
    assert 3.5 <= policy.delay(1, 429, None) <= 6.5


def test_gate_makes_everyone_wait_for_a_pause(fake_clock):
    clock, start = fake_clock, fake_clock.now()
    gate = RateGate(clock)
    gate.pause_all(2.0)
    gate.wait_turn()
    assert clock.now() - start == pytest.approx(2.0)
    gate.wait_turn()  # the pause is over: no further wait
    assert clock.sleeps == [pytest.approx(2.0)]


def test_gate_spaces_requests_when_near_the_limit_and_stops_when_not(fake_clock):
    clock, start = fake_clock, fake_clock.now()
    gate = RateGate(clock)
    gate.observe({"X-RateLimit-NearLimit": "true", "X-RateLimit-Limit": "100"})
    for _request in range(5):
        gate.wait_turn()
    assert clock.now() - start == pytest.approx(4 / 95.0)
    gate.observe({"X-RateLimit-NearLimit": "false", "X-RateLimit-Limit": "100"})
    before = clock.now()
    gate.wait_turn()  # one slot was already booked at the old pace
    gate.wait_turn()
    assert clock.now() - before <= 1 / 95.0 + 1e-9
