# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Membership options: every bad combination is refused with the fix, before any request."""

from __future__ import annotations

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import membership_request

BASE = {"group": "team-a", "user": "jane@acme.example", "state": "present", "exclusive": False}


def test_a_valid_request_is_normalised():
    request = membership_request({**BASE, "user": None, "users": ["a@acme.example", "A@acme.example", "abc"]})
    assert request.users == ["a@acme.example", "abc"]
    assert request.group == "team-a" and request.group_id is None


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"group_id": "g-1"}, "Both group and group_id"),
        ({"group": None}, "Neither group nor group_id"),
        ({"users": ["b@acme.example"]}, "Both user and users"),
        ({"user": None}, "Neither user nor users"),
        ({"user": None, "users": []}, "users is empty"),
        ({"state": "absent", "exclusive": True}, "exclusive=true cannot be combined with state=absent"),
        ({"user": "not-an-email@"}, "not a valid email"),
    ],
)
def test_bad_combinations(change, fragment):
    with pytest.raises(ConfigurationError) as err:
        membership_request({**BASE, **change})
    assert fragment in err.value.message
    assert err.value.hint


def test_exclusive_with_an_empty_list_is_allowed():
    assert membership_request({**BASE, "user": None, "users": [], "exclusive": True}).users == []
