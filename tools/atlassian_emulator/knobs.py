# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Knobs that make the emulator misbehave on purpose: latency, a rate limit and scripted faults.

Nothing here knows HTTP responses; the app asks "should this request be limited / faulted?" and renders the answer.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

ACTIONS = ("status", "reset", "delay", "empty_page", "shift_total", "mutate")
# Only these answer with a page (Jira's PageBean, Confluence's results/_links), so only they can be given an empty
# page or a shifted total.
PAGED_PATHS = (
    "/rest/api/3/group/member",
    "/rest/api/3/group/bulk",
    "/wiki/rest/api/group",
    "/wiki/rest/api/group/member",
)
PAGED_PATTERNS = (re.compile(r"^/wiki/rest/api/group/[^/]+/(membersByGroupId|member)$"),)
# A rule without a path (or with "*") matches every API path, Jira's and Confluence's.
ANY_PATH = "*"


def is_paged(path: str) -> bool:
    return path in PAGED_PATHS or any(p.match(path) for p in PAGED_PATTERNS)


def normalize_path(path: str) -> str:
    """Map /rest/api/2/... (and Data Center's /rest/api/latest/...) onto /rest/api/3/... (v2 and v3 behave the same
    here) and drop a trailing slash."""
    path = re.sub(r"^/rest/api/(2|latest)(?=/|$)", "/rest/api/3", path)
    return path.rstrip("/") or "/"


def _pairs(where: str, value: Any) -> tuple[tuple[str, str], ...]:
    """[group, accountId] or a list of such pairs."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, str) for v in value):
        value = [value]
    pairs = []
    for item in value:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise ValueError(f"{where}: expected [group, accountId] pairs, got {item!r}")
        pairs.append((str(item[0]), str(item[1])))
    return tuple(pairs)


@dataclass
class FaultRule:
    """One scripted fault. Rules are tried in order; the first one that matches and has budget left fires.

    Every rule that is tried and matches counts the request (``seen``), so ``skip`` lets the first K matching
    requests through. ``times`` is how many requests it fires on (None: every one).
    """

    action: str
    method: str = "*"
    path: str = ANY_PATH
    query: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    skip: int = 0
    # status
    status: int = 500
    retry_after: float | None = None
    body: Any = None
    # status and reset: "before" the request is served (a write is NOT applied) or "after" (applied, answer lost)
    phase: str = "before"
    # delay
    delay_ms: float = 0.0
    # shift_total: an absolute total, or the real total plus a delta
    total: int | None = None
    total_delta: int = 1
    # mutate: membership edits applied before the request is served
    add: tuple[tuple[str, str], ...] = ()
    remove: tuple[tuple[str, str], ...] = ()
    # bookkeeping
    seen: int = 0
    hits: int = 0

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> FaultRule:
        if isinstance(spec, FaultRule):
            return replace(spec, seen=0, hits=0)  # a copy: counters belong to one configuration
        if not isinstance(spec, Mapping):
            raise ValueError(f"a fault rule must be a mapping, got {spec!r}")
        allowed = {f.name for f in fields(cls)} - {"seen", "hits"}
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"fault rule {dict(spec)!r}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
        action = spec.get("action")
        if action not in ACTIONS:
            raise ValueError(f"fault rule {dict(spec)!r}: action must be one of {ACTIONS}")
        rule = cls(
            action=action,
            method=str(spec.get("method", "*")).upper(),
            path=normalize_path(str(spec["path"])) if spec.get("path") not in (None, ANY_PATH, "") else ANY_PATH,
            query={str(k): str(v) for k, v in (spec.get("query") or {}).items()},
            times=None if "times" in spec and spec["times"] is None else int(spec.get("times", 1)),
            skip=int(spec.get("skip", 0)),
            status=int(spec.get("status", 500)),
            retry_after=None if spec.get("retry_after") is None else float(spec["retry_after"]),
            body=spec.get("body"),
            phase=str(spec.get("phase", "before")),
            delay_ms=float(spec.get("delay_ms", 0)),
            total=None if spec.get("total") is None else int(spec["total"]),
            total_delta=int(spec.get("total_delta", 1)),
            add=_pairs("add", spec.get("add")),
            remove=_pairs("remove", spec.get("remove")),
        )
        if rule.phase not in ("before", "after"):
            raise ValueError("fault rule: phase must be 'before' or 'after'")
        if rule.phase == "after" and rule.action not in ("status", "reset"):
            raise ValueError("fault rule: phase 'after' only makes sense for status and reset")
        if rule.action == "mutate" and not (rule.add or rule.remove):
            raise ValueError("fault rule: mutate needs add and/or remove")
        return rule

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["add"] = [list(p) for p in self.add]
        data["remove"] = [list(p) for p in self.remove]
        return data

    def matches(self, method: str, path: str, query: Mapping[str, str]) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        path = normalize_path(path)
        # Segment-wise prefix: "/rest/api/3/group" covers ".../group/user" but not ".../groups/picker".
        if self.path != ANY_PATH and not (path == self.path or path.startswith(self.path + "/")):
            return False
        if self.action in ("empty_page", "shift_total") and not is_paged(path):
            return False
        return all(query.get(k) == v for k, v in self.query.items())

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # seconds; 0 when allowed

    @property
    def near_limit(self) -> bool:
        return self.remaining < 0.2 * self.limit


class TokenBucket:
    """Shared by all API requests: ``burst`` tokens, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate_limit_rps must be > 0 and rate_limit_burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._last = clock()

    def take(self) -> tuple[bool, float, float]:
        """(allowed, tokens left, seconds until one token is available)."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True, self._tokens, 0.0
        return False, self._tokens, (1 - self._tokens) / self.rate


def _coerce(name: str, value: Any) -> Any:
    if name in ("member_page_cap", "confluence_page_cap"):
        number = int(value)
        if number < 1:
            raise ValueError(f"{name} must be >= 1")
        return number
    if name in ("remove_non_member_status", "confluence_add_member_status"):
        number = int(value)
        if not 200 <= number <= 599:
            raise ValueError(f"{name} must be an HTTP status")
        return number
    if name in ("confluence_dc_membership_api", "admin_paid_plan"):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if name == "admin_user_limit":
        if value is None:
            return None
        number = int(value)
        if number < 0:
            raise ValueError(f"{name} must be >= 0 or null")
        return number
    if name == "latency_ms":
        return max(float(value or 0), 0.0)
    return None if value is None else float(value)


_SCALARS = (
    "latency_ms",
    "rate_limit_rps",
    "rate_limit_burst",
    "retry_after_seconds",
    "remove_non_member_status",
    "member_page_cap",
    "confluence_page_cap",
    "confluence_add_member_status",
    "confluence_dc_membership_api",
    "admin_user_limit",
    "admin_paid_plan",
)
KNOB_NAMES = (*_SCALARS, "faults")


class Knobs:
    """All knobs behind one lock. ``configure`` changes only the knobs it is given."""

    def __init__(self, **values: Any) -> None:
        self._lock = threading.Lock()
        self.latency_ms: float = 0.0
        self.rate_limit_rps: float | None = None
        self.rate_limit_burst: float | None = None  # defaults to rate_limit_rps
        self.retry_after_seconds: float | None = None  # overrides the computed Retry-After (tests want it small)
        self.remove_non_member_status: int = 400
        self.member_page_cap: int = 50
        # Confluence: a silent cap on listing pages below the documented 200 (tests page small groups with it), and
        # the status for adding an existing member (undocumented: 201 like any add, or a 400 refusal).
        self.confluence_page_cap: int = 200
        self.confluence_add_member_status: int = 201
        # False plays a Confluence Data Center server from before 8.2: no REST endpoints for group membership.
        self.confluence_dc_membership_api: bool = True
        # The Admin API: each app's user limit (None: no limit). Adding someone to a group that grants an app whose
        # active users would exceed it is refused with ADMIN-409-3, as the documented "user limit" rule says.
        self.admin_user_limit: int | None = None
        # The Admin API's invitation "is only available to customers who have at least one paid subscription in their
        # organization": false answers it 402 (ADMIN-UAM-402-1 Payment Required), as a free organisation's would.
        self.admin_paid_plan: bool = True
        self.faults: list[FaultRule] = []
        self._bucket: TokenBucket | None = None
        self.configure(**values)

    def configure(self, **values: Any) -> None:
        """Validate everything first, then apply, so a bad value changes nothing."""
        unknown = set(values) - set(KNOB_NAMES)
        if unknown:
            raise ValueError(f"unknown knobs {sorted(unknown)}; known: {list(KNOB_NAMES)}")
        scalars = {name: _coerce(name, values[name]) for name in _SCALARS if name in values}
        faults = [FaultRule.from_dict(f) for f in values["faults"] or []] if "faults" in values else None
        with self._lock:
            rps = scalars.get("rate_limit_rps", self.rate_limit_rps)
            burst = scalars.get("rate_limit_burst", self.rate_limit_burst)
            bucket = self._bucket
            if {"rate_limit_rps", "rate_limit_burst"} & set(scalars):
                # A reconfigured limit starts with a full bucket; 0 or None turns limiting off.
                bucket = TokenBucket(rps, burst or max(rps, 1.0)) if rps else None
            for name, value in scalars.items():
                setattr(self, name, value)
            self._bucket = bucket
            if faults is not None:
                self.faults = faults

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            data: dict[str, Any] = {name: getattr(self, name) for name in _SCALARS}
            data["faults"] = [f.to_dict() for f in self.faults]
        return data

    def take_token(self) -> RateDecision | None:
        """None when rate limiting is off."""
        with self._lock:
            bucket = self._bucket
            if bucket is None:
                return None
            allowed, tokens, wait = bucket.take()
            limit = int(bucket.burst)
            override = self.retry_after_seconds
        retry_after = 0.0
        if not allowed:
            retry_after = override if override is not None else max(1, math.ceil(wait))
        return RateDecision(allowed, limit, int(tokens), retry_after)

    def pick_fault(self, method: str, path: str, query: Mapping[str, str]) -> FaultRule | None:
        with self._lock:
            for rule in self.faults:
                if rule.exhausted or not rule.matches(method, path, query):
                    continue
                rule.seen += 1
                if rule.seen <= rule.skip:
                    continue
                rule.hits += 1
                return rule
        return None
