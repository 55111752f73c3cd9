# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Connection options: validated without network, with messages naming the cause and the fix."""

from __future__ import annotations

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import (
    normalise_base_url,
    settings_from_params,
)
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
        settings_from_params(params)
    for fragment in fragments:
        assert fragment in err.value.message


def test_settings_repr_hides_secrets():
    settings = settings_from_params({**GOOD, "api_token": "super-secret-token"})
    assert "super-secret-token" not in repr(settings)
    bearer = settings_from_params({"url": "https://acme.atlassian.net", "bearer_token": "bearer-secret"})
    assert "bearer-secret" not in repr(bearer)
    assert bearer.bearer_token == "bearer-secret" and bearer.api_token is None and bearer.username is None
