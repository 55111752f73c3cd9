# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What the backends read from an answer, checked as it is read.

An answer without the shape its API documents (a list where an object belongs, an item without its id, an empty 200
from a proxy) must stop the task: read on, it would crash with a traceback, or worse pass for "no members" or "no
such user", so that a removal reports ``ok`` with the member still in the group. These plain functions raise
``MalformedAnswer`` saying what is wrong; the client turns it into an ``HttpError`` that names the request which got
that answer (``AtlassianClient.reading``). No schema library: the collection needs only ansible-core and requests.
"""

from __future__ import annotations

from typing import Any


class MalformedAnswer(Exception):
    """What is wrong with an answer, in words that follow "<request> answered with"."""


def describe(value: Any) -> str:
    """A JSON value's kind, for messages (never its content, which may be long)."""
    if value is None:
        return "nothing (no JSON body, or null)"
    if isinstance(value, bool):
        return f"the JSON value {str(value).lower()}"
    if isinstance(value, (int, float)):
        return "a JSON number"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, list):
        return "a JSON array"
    return "a JSON object"


def obj(value: Any, what: str) -> dict:
    """``value`` as the JSON object ``what`` is (for example "a user")."""
    if isinstance(value, dict):
        return value
    raise MalformedAnswer(f"{describe(value)} where {what} (a JSON object) belongs")


def array(value: Any, what: str) -> list:
    """``value`` as the JSON array ``what`` is (for example "a list of users")."""
    if isinstance(value, list):
        return value
    raise MalformedAnswer(f"{describe(value)} where {what} (a JSON array) belongs")


def items(data: dict, key: str, what: str) -> list:
    """The array under ``key`` of ``what``; absent is malformed too (it would read as "none")."""
    if key not in data:
        raise MalformedAnswer(f"{what} without '{key}'")
    value = data[key]
    if not isinstance(value, list):
        raise MalformedAnswer(f"{what} whose '{key}' is {describe(value)}, not a JSON array")
    return value


def text(data: dict, key: str, what: str) -> str:
    """The non-empty string under ``key`` of ``what``: an id or a name the collection acts on."""
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    if value is None or value == "":
        raise MalformedAnswer(f"{what} without '{key}'")
    raise MalformedAnswer(f"{what} whose '{key}' is {describe(value)}, not a string")


def flag(data: dict, key: str, what: str, default: bool) -> bool:
    """The boolean under ``key`` of ``what``, or ``default`` when absent (a string "false" is not read as true)."""
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    raise MalformedAnswer(f"{what} whose '{key}' is {describe(value)}, not true or false")


def optional_text(data: dict, key: str, what: str) -> str | None:
    """The string under ``key`` of ``what``, or None when absent or empty (a hidden email is "")."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    raise MalformedAnswer(f"{what} whose '{key}' is {describe(value)}, not a string")
