# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Membership writes as one batch, for both views of membership (a group's people, a person's groups): sent
concurrently within the backend's limits, every failure kept with its reason, and a report of what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Union

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import CHANGED, Backend
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError, operation, summarise
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

ADD = "add"
REMOVE = "remove"
# What a report lists: the people (a group's view) or the groups (a person's view).
Subject = Union[User, Group]


@dataclass(frozen=True)
class Write:
    action: str  # ADD or REMOVE
    group: Group
    user: User
    subject: Subject


@dataclass
class ApplyResult:
    # "membership changes" or "group changes": how the failure message counts them.
    noun: str
    added: list[Subject] = field(default_factory=list)
    removed: list[Subject] = field(default_factory=list)
    failures: list[tuple[str, Subject, str]] = field(default_factory=list)
    # Writes sent (or, in check mode, predicted), including those that found the change already made.
    attempted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def failure_details(self) -> list[dict]:
        return [dict(subject.as_result(), action=action, reason=reason) for action, subject, reason in self.failures]

    def failure_message(self) -> str:
        """Which writes failed and why (each reason names its operation), and whether the others went through."""
        details = summarise((subject.label, reason) for _action, subject, reason in self.failures)
        if len(self.failures) < self.attempted:
            progress = "; the others were applied, and a re-run retries only what is still missing"
        else:
            progress = ", so nothing was changed; fix the cause given for each and re-run"
        return f"{len(self.failures)} of {self.attempted} {self.noun} failed{progress}: {details}"

    @classmethod
    def predicted(cls, noun: str, adds: Iterable[Subject], removes: Iterable[Subject]) -> ApplyResult:
        """What a real run would report, for check mode: no request is sent."""
        adds, removes = list(adds), list(removes)
        return cls(noun, added=adds, removed=removes, attempted=len(adds) + len(removes))


def apply_writes(backend: Backend, noun: str, writes: list[Write]) -> ApplyResult:
    """Send the writes; one failing write does not stop the others. A write that found the change already made
    (``UNCHANGED``) is neither a change nor a failure."""

    def run(write: Write) -> str | AtlassianError:
        try:
            if write.action == ADD:
                with operation(f"adding {write.user.label} to {write.group.label}"):
                    return backend.add_member(write.group, write.user)
            with operation(f"removing {write.user.label} from {write.group.label}"):
                return backend.remove_member(write.group, write.user)
        except AtlassianError as exc:
            return exc

    result = ApplyResult(noun, attempted=len(writes))
    for write, outcome in zip(writes, backend.concurrently(run, writes), strict=True):
        if isinstance(outcome, AtlassianError):
            result.failures.append((write.action, write.subject, outcome.message))
        elif outcome == CHANGED:
            (result.added if write.action == ADD else result.removed).append(write.subject)
    return result
