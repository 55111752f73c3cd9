# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What the Cloud and Data Center editions of one product share: how their error bodies read. Here, so that no
backend imports a sibling backend (the Data Center ones once imported their Cloud siblings sideways)."""

from __future__ import annotations

from typing import Any


def error_collection_messages(body: Any) -> list[str]:
    """Jira's ErrorCollection, Cloud and Data Center alike: ``{"errorMessages": [...], "errors": {field: message}}``."""
    if not isinstance(body, dict) or not ("errorMessages" in body or "errors" in body):
        return []
    said = body.get("errorMessages") or []
    messages = [str(m) for m in (said if isinstance(said, list) else [said])]
    errors = body.get("errors")
    if isinstance(errors, dict):
        messages.extend(f"{k}: {v}" for k, v in errors.items())
    return messages


def with_translations(messages: list[str], body: Any) -> list[str]:
    """``messages`` and the translations a Confluence error body adds (Cloud and Data Center alike):
    ``{"statusCode": 404, "data": {"errors": [{"message": {"translation": "...", "args": []}}]}, "message": "..."}``."""
    messages = list(messages)
    data = body.get("data") if isinstance(body, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    for error in errors if isinstance(errors, list) else []:
        message = error.get("message") if isinstance(error, dict) else None
        translation = message.get("translation") if isinstance(message, dict) else message
        if translation and str(translation) not in messages:
            messages.append(str(translation))
    return messages
