# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The request log: what clients asked, what they got, and who they were. Never headers, so never secrets."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int  # 0 when a ``reset`` fault dropped the connection instead of answering
    account_id: str | None  # the authenticated caller, None if anonymous or rejected
    body: Any  # the request body parsed as JSON, or None
    started: float  # wall clock (time.time()) when the request arrived
    duration: float  # seconds spent in the app, including injected latency
    fault: str | None = None  # the action of the fault rule that hit this request, if any

    @property
    def is_write(self) -> bool:
        # The Admin API's searches are POSTs that change nothing.
        return self.method in WRITE_METHODS and not (self.method == "POST" and self.path.endswith("/search"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        """A copy, so callers can iterate while requests keep arriving."""
        with self._lock:
            return list(self._records)

    def clear(self) -> int:
        with self._lock:
            count = len(self._records)
            self._records.clear()
        return count
