# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Who is calling: Basic (email + API token) or Bearer credentials, and Jira Cloud's 401 answer."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response

from .state import State

UNAUTHENTICATED_MESSAGE = "Client must be authenticated to access this resource."
FAILED = "AUTHENTICATED_FAILED"
DENIED = "AUTHENTICATION_DENIED"


@dataclass(frozen=True)
class Caller:
    account_id: str
    site_admin: bool
    scheme: str  # "basic" or "bearer"


@dataclass(frozen=True)
class AuthOutcome:
    caller: Caller | None
    anonymous: bool  # no Authorization header at all (search endpoints then answer with empty results)
    reason: str = FAILED  # X-Seraph-LoginReason when the caller is rejected


def authenticate(header: str | None, state: State) -> AuthOutcome:
    if header is None or not header.strip():
        return AuthOutcome(None, anonymous=True)
    scheme, _sep, value = header.strip().partition(" ")
    value = value.strip()
    credential = None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return AuthOutcome(None, anonymous=False)
        email, colon, token = decoded.partition(":")
        if not colon:
            # base64 of the email alone: a classic mistake when building the header by hand.
            return AuthOutcome(None, anonymous=False)
        credential = state.credential_for_basic(email, token)
    elif scheme.lower() == "bearer" and value:
        credential = state.credential_for_bearer(value)
    if credential is None:
        return AuthOutcome(None, anonymous=False)
    user = state.user(credential.account_id)
    if user is None or not user.active:
        # A deactivated account's token stops working.
        return AuthOutcome(None, anonymous=False, reason=DENIED)
    return AuthOutcome(Caller(credential.account_id, credential.site_admin, credential.kind), anonymous=False)


def unauthorized(site: str, accept: str | None, reason: str = FAILED) -> Response:
    """Jira's 401: JSON when the client asks for JSON, otherwise the XML form clients also meet in the wild."""
    if "application/json" in (accept or "").lower():
        body = f'{{"message":"{UNAUTHENTICATED_MESSAGE}","status-code":401}}'
        content_type = "application/json;charset=UTF-8"
    else:
        body = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><status><status-code>401</status-code>'
            f"<message>{UNAUTHENTICATED_MESSAGE}</message></status>"
        )
        content_type = "application/xml;charset=UTF-8"
    response = Response(body, status=401, content_type=content_type)
    response.headers["WWW-Authenticate"] = f'OAuth realm="{quote(site, safe="")}"'
    response.headers["X-Seraph-LoginReason"] = reason
    return response
