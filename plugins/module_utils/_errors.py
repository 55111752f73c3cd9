# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Typed errors raised by the shared client code; only modules turn them into ``fail_json``."""

from __future__ import annotations


class AtlassianError(Exception):
    """Something the caller has to act on, with what Atlassian said and what to do about it.

    The message is built from safe parts only (method, path, status, Atlassian's own messages, a hint): never headers,
    never the request body, so that a token cannot leak through ``str(error)``, ``repr(error)`` or a traceback.
    """

    def __init__(
        self,
        summary: str,
        *,
        status: int | None = None,
        api_messages: tuple[str, ...] | list[str] = (),
        hint: str | None = None,
        attempts: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.summary = summary
        self.status = status
        self.api_messages = tuple(api_messages)
        self.hint = hint
        self.attempts = attempts
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [self.summary]
        if self.api_messages:
            parts.append("Atlassian said: " + "; ".join(self.api_messages))
        if self.hint:
            parts.append(self.hint)
        return " ".join(p if p.endswith(".") else p + "." for p in parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, summary={self.summary!r})"


class ConfigurationError(AtlassianError):
    """The task's options cannot work; found before any request is sent."""


class ResolutionError(AtlassianError):
    """A user or group reference does not name exactly one usable account or group."""


class UnknownUserError(ResolutionError):
    """A user reference names no account that the API lets us see (as opposed to several, or the wrong kind)."""


class RetriesExhaustedError(AtlassianError):
    """The request kept failing with a retryable answer until the retry budget ran out."""


class AmbiguousWriteError(AtlassianError):
    """A write failed in a way that leaves unknown whether Atlassian applied it."""
