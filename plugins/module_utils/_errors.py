# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Typed errors raised by the shared code; only the module wrapper turns them into ``fail_json``."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

# What a server says is quoted in messages, but only so much of it: a hostile or broken one could send megabytes.
MAX_API_MESSAGES = 10
MAX_API_MESSAGE_CHARS = 500
# Up to this many failures a message lists each in full; past it, they are grouped by cause (``summarise``).
LISTED_IN_FULL = 20
# How many subjects a group of failures names, and how many causes a message shows.
NAMED_PER_CAUSE = 20
MAX_CAUSES = 10


class AtlassianError(Exception):
    """Something the caller has to act on, with what Atlassian said and what to do about it.

    The message is built from safe parts only (the operation, method, path, status, Atlassian's own messages, a
    hint): never headers, never the request body, so that a token cannot leak through ``str(error)``,
    ``repr(error)`` or a traceback.
    """

    def __init__(
        self,
        summary: str,
        *,
        status: int | None = None,
        api_messages: tuple[str, ...] | list[str] = (),
        hint: str | None = None,
        attempts: int | None = None,
    ) -> None:
        self.summary = summary
        self.status = status
        self.api_messages = tuple(_clip(str(m)) for m in list(api_messages)[:MAX_API_MESSAGES])
        self.hint = hint
        self.attempts = attempts
        # What the user asked for when this happened, in their words ("adding jane@acme.com to team-a"); see
        # ``operation``.
        self.operation: str | None = None
        # The reference this failure is about, as the task gave it (a user or group reference), when it is one of
        # many: ``summarise`` groups failures by cause with it.
        self.subject: str | None = None
        super().__init__(summary)

    @property
    def message(self) -> str:
        first = f"{self.operation} failed: {self.summary}" if self.operation else self.summary
        parts = [first]
        if self.api_messages:
            parts.append("Atlassian said: " + "; ".join(self.api_messages))
        if self.hint:
            parts.append(self.hint)
        return " ".join(p if p.endswith(".") else p + "." for p in parts)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, summary={self.summary!r})"


class ConfigurationError(AtlassianError):
    """The task's options cannot work; found before any request is sent."""


class RefusedError(AtlassianError):
    """The task asks for something the collection refuses to do unless an option allows it explicitly."""


class ResolutionError(AtlassianError):
    """A user or group reference does not name exactly one usable account or group."""


class UnknownUserError(ResolutionError):
    """A user reference names no account that the API lets us see (as opposed to several, or the wrong kind)."""


class UnknownGroupError(ResolutionError):
    """A group reference names no group (as opposed to several: only this means "no such group")."""


class HttpError(AtlassianError):
    """An answer (or the lack of one) from the server that stops a request: the HTTP detail of a failure."""


class RetriesExhaustedError(HttpError):
    """The request kept failing with a retryable answer until the retry budget ran out."""


@contextmanager
def operation(description: str) -> Iterator[None]:
    """Name, in the user's words, what an HTTP failure inside the block interrupted.

    ``with operation("adding jane@acme.com to team-a"): ...`` turns "POST /rest/api/3/group/user answered HTTP 403"
    into "adding jane@acme.com to team-a failed: POST /rest/api/3/group/user answered HTTP 403", the way amazon.aws
    prefixes boto errors with what the module was doing. The innermost operation wins: it is the most precise.
    """
    try:
        yield
    except HttpError as exc:
        if exc.operation is None:
            exc.operation = description
        raise


def summarise(failures: Iterable[tuple[str | None, str]]) -> str:
    """Failure messages, each about its subject (``(subject, message)``), as one text that stays short.

    Up to ``LISTED_IN_FULL``, every message in full, joined by " | ". Past that (thousands of unknown emails, a
    refusal for every write), grouped by cause: messages that differ only in their subject are one cause, shown once
    with the first subject's message, then how many more share it and the first ``NAMED_PER_CAUSE`` of them; the
    ``MAX_CAUSES`` largest causes are shown, and the count of the rest.
    """
    failures = list(failures)
    if len(failures) <= LISTED_IN_FULL:
        return " | ".join(message for _subject, message in failures)
    causes: dict[str, list[tuple[str | None, str]]] = {}
    for subject, message in failures:
        cause = message.replace(subject, "\0") if subject else message
        causes.setdefault(cause, []).append((subject, message))
    ranked = sorted(causes.values(), key=len, reverse=True)
    parts = []
    for alike in ranked[:MAX_CAUSES]:
        message = alike[0][1]
        others = [subject or "?" for subject, _message in alike[1:]]
        if others:
            named = ", ".join(others[:NAMED_PER_CAUSE])
            shown = f" (the first {NAMED_PER_CAUSE})" if len(others) > NAMED_PER_CAUSE else ""
            message = f"{message.rstrip('.')}. The same for {len(others)} more{shown}: {named}"
        parts.append(message)
    if len(ranked) > MAX_CAUSES:
        rest = sum(len(alike) for alike in ranked[MAX_CAUSES:])
        parts.append(f"and {rest} more failing for {len(ranked) - MAX_CAUSES} other causes, not shown")
    return " | ".join(parts)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_API_MESSAGE_CHARS else text[: MAX_API_MESSAGE_CHARS - 3] + "..."
