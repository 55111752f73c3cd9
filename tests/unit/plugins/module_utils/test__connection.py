# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Connection options: validated without network, with messages naming the cause and the fix."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import settings_for
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import normalise_base_url
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError

GOOD = {"url": "https://acme.atlassian.net", "username": "me@acme.example", "api_token": "tok"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.atlassian.net/", "https://acme.atlassian.net"),
        ("https://api.atlassian.com/ex/jira/1234-abcd", "https://api.atlassian.com/ex/jira/1234-abcd"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("https://jira.example.com/context/", "https://jira.example.com/context"),
    ],
)
def test_urls_are_normalised(url, expected):
    assert normalise_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("acme.atlassian.net", "has no http(s) scheme"),
        ("https://acme.atlassian.net/rest/api/3", "already contains a REST API path"),
        ("https://acme.atlassian.net/rest/api/3/", "already contains a REST API path"),
        ("http://acme.atlassian.net", "unencrypted"),
        ("https://acme.atlassian.net/?x=1", "query string"),
    ],
)
def test_bad_urls_are_refused_with_a_remedy(url, fragment):
    with pytest.raises(ConfigurationError) as err:
        normalise_base_url(url)
    assert fragment in err.value.message
    assert err.value.hint


@pytest.mark.parametrize(
    ("params", "fragments"),
    [
        ({}, ["No Atlassian site URL", "ATLASSIAN_URL"]),
        # An organisation API key without org_id: the remedy says what the Admin API needs (issue 22).
        ({"bearer_token": "org-key"}, ["No Atlassian site URL", "set org_id (or ATLASSIAN_ORG_ID)", "backend: admin"]),
        ({"url": "https://acme.atlassian.net"}, ["No credentials", "ATLASSIAN_API_TOKEN", "ATLASSIAN_BEARER_TOKEN"]),
        ({**GOOD, "bearer_token": "b"}, ["Both api_token and bearer_token", "Set only one"]),
        ({"url": "https://acme.atlassian.net", "api_token": "t"}, ["username is not", "ATLASSIAN_USERNAME"]),
        ({**GOOD, "username": "me"}, ["not an email address", "email"]),
        ({**GOOD, "timeout": 0}, ["timeout must be positive"]),
        ({**GOOD, "max_retries": -1}, ["max_retries must be 0 or more"]),
    ],
)
def test_bad_settings_name_cause_and_fix(params, fragments):
    with pytest.raises(ConfigurationError) as err:
        settings_for(params)
    for fragment in fragments:
        assert fragment in err.value.message


def test_settings_repr_hides_secrets():
    settings = settings_for({**GOOD, "api_token": "super-secret-token"})
    assert "super-secret-token" not in repr(settings)
    bearer = settings_for({"url": "https://acme.atlassian.net", "bearer_token": "bearer-secret"})
    assert "bearer-secret" not in repr(bearer)
    assert bearer.bearer_token == "bearer-secret" and bearer.api_token is None and bearer.username is None


# A token shaped like a real one (Atlassian API tokens start with ATATT) and what people paste instead (issue 22).
RAW = "ATATT3xFfGF0T5kS9" + "q" * 40 + "=0A1B2C3D"
ENCODED = base64.b64encode(f"me@acme.example:{RAW}".encode()).decode()
# `echo me@acme.example:token | base64` (no -n): a newline inside, and base64 wraps long output at 76 characters.
ENCODED_BY_HAND = base64.encodebytes(f"me@acme.example:{RAW}\n".encode()).decode()
# Data Center: a login that is a username, and a personal access token, which is base64 of an id and random bytes.
DC_LOGIN = base64.b64encode(b"jdoe:correct horse battery").decode()
DC_PAT = base64.b64encode(b"123456789012:" + bytes(range(200, 232))).decode()


@pytest.mark.parametrize(
    ("secrets", "fragments"),
    [
        ({"api_token": f"Basic {ENCODED}"}, ["api_token starts with 'Basic '", "the raw API token"]),
        ({"api_token": f"bearer {RAW}"}, ["api_token starts with 'Bearer '", "in bearer_token, without 'Bearer '"]),
        ({"api_token": ENCODED}, ["api_token looks base64-encoded: it decodes to me@acme.example:...", "raw API"]),
        ({"api_token": ENCODED_BY_HAND}, ["api_token looks base64-encoded: it decodes to me@acme.example:..."]),
        (
            {"api_token": DC_LOGIN, "username": "jdoe", "url": "https://jira.acme.example"},
            ["api_token looks base64-encoded: it decodes to jdoe:..."],
        ),
        ({"api_token": None, "bearer_token": f"Bearer {RAW}"}, ["bearer_token starts with 'Bearer '", "alone"]),
        ({"api_token": None, "bearer_token": ENCODED}, ["bearer_token looks base64-encoded"]),
    ],
)
def test_a_token_that_is_visibly_not_the_raw_token_is_refused_without_showing_it(secrets, fragments):
    with pytest.raises(ConfigurationError) as err:
        settings_for({**GOOD, **secrets})
    for fragment in fragments:
        assert fragment in err.value.message
    # Neither the token nor any part of it (as given or decoded) is in the message.
    for secret in (RAW, ENCODED, "correct horse", RAW[:12]):
        assert secret not in err.value.message and secret not in repr(err.value)


@pytest.mark.parametrize(
    "secrets",
    [
        {"api_token": RAW},
        {"api_token": "abcd1234"},  # a short password that happens to be base64 of bytes
        # Decodes to "jdoe:...", not this login's: a password.
        {"api_token": DC_LOGIN, "username": "someone-else", "url": "https://jira.acme.example"},
        {"api_token": None, "bearer_token": DC_PAT},
        {"api_token": None, "bearer_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"},  # an OAuth JWT
    ],
)
def test_tokens_as_they_come_are_accepted(secrets):
    settings = settings_for({**GOOD, **secrets})
    assert (settings.api_token or settings.bearer_token) == (secrets.get("api_token") or secrets.get("bearer_token"))
