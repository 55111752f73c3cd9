# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Jira Cloud backend against the emulator: lookups, groups, member pages and race-tolerant writes."""

from __future__ import annotations

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import CHANGED, UNCHANGED, SiteProbe
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import settings_for
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_cloud import JiraCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import secret_values
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError, ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

JANE = User("5b10a2844c20165700ede003", "jane@acme.example", "Jane Doe")
DESIGN = Group("team-design", "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f")
GATEWAY = {"url": "https://acme.atlassian.net", "username": "a@acme.example", "api_token": "t"}


@pytest.fixture
def backend(emulator, client_for):
    return JiraCloudBackend(client_for(emulator))


def test_find_group_by_name_or_id_returns_both(backend):
    assert backend.find_group(name="TEAM-DESIGN") == DESIGN
    assert backend.find_group(group_id=DESIGN.group_id) == DESIGN


def test_unknown_group_is_a_resolution_error(backend):
    with pytest.raises(ResolutionError, match="No group with name 'nope'"):
        backend.find_group(name="nope")


def test_member_pages_include_inactive_and_hidden_members(backend):
    platform = backend.find_group(name="team-platform")
    members = [u for page in backend.iter_member_pages(platform) for u in page.users]
    assert all(page.total == 4 for page in backend.iter_member_pages(platform))
    by_name = {u.display_name: u for u in members}
    assert not by_name["Ivan Former"].active
    assert by_name["Deploy Bot"].account_type == "app"
    big = [u for page in backend.iter_member_pages(backend.find_group(name="big-group")) for u in page.users]
    assert len(big) == 120 and sum(1 for u in big if u.email is None) == 17


def test_lookups(backend):
    assert backend.get_user(JANE.account_id) == JANE
    assert backend.get_user("no-such-account") is None
    assert {u.email for u in backend.find_by_email("jo@acme.example")} == {"jo@acme.example", "jo@acme.example.au"}
    assert {g.name for g in backend.groups_of(JANE.account_id)} == {
        "jira-software-users",
        "confluence-users",
        "team-platform",
    }
    assert backend.groups_of("no-such-account") is None


def test_caller_comes_from_the_response_header_without_an_extra_request(emulator, backend):
    backend.find_group(name="team-design")
    emulator.clear_log()
    assert backend.caller_account_id() == "5b10a2844c20165700ede001"
    assert emulator.log == []


def test_add_then_duplicate_add_is_unchanged(emulator, backend):
    assert backend.add_member(DESIGN, JANE) == CHANGED
    assert backend.add_member(DESIGN, JANE) == UNCHANGED  # Atlassian's 400 "already a member": a race, not a failure
    assert JANE.account_id in emulator.members("team-design")


def test_remove_then_remove_again_is_unchanged(emulator, backend):
    emulator.add_member("team-design", JANE.account_id)
    assert backend.remove_member(DESIGN, JANE) == CHANGED
    assert backend.remove_member(DESIGN, JANE) == UNCHANGED
    assert JANE.account_id not in emulator.members("team-design")


def test_add_whose_answer_was_lost_is_still_reported_as_a_change(emulator, backend):
    emulator.configure(faults=[{"action": "status", "status": 502, "path": "/rest/api/3/group/user", "phase": "after"}])
    assert backend.add_member(DESIGN, JANE) == CHANGED


def test_exhausted_write_is_read_back(emulator, client_for):
    # Every POST answer is lost although the first one was applied: the read-back sees the membership.
    emulator.configure(faults=[{"action": "reset", "path": "/rest/api/3/group/user", "phase": "after", "times": None}])
    backend = JiraCloudBackend(client_for(emulator, max_retries=1))
    assert backend.add_member(DESIGN, JANE) == CHANGED
    assert emulator.members("team-design") == {JANE.account_id}


def test_exhausted_write_that_did_not_land_raises(emulator, client_for):
    emulator.configure(
        faults=[{"action": "status", "status": 503, "retry_after": 0, "path": "/rest/api/3/group/user", "times": None}]
    )
    backend = JiraCloudBackend(client_for(emulator, max_retries=1))
    with pytest.raises(AtlassianError, match="Gave up after 2 attempts"):
        backend.add_member(DESIGN, JANE)
    assert emulator.members("team-design") == set()


def test_other_400s_are_errors(emulator, backend):
    with pytest.raises(AtlassianError) as err:
        backend.add_member(DESIGN, User("", None, None))
    assert err.value.status in (400, 404)


# ------------------------------------------------------------------ how Jira's errors read, and what they advise


@pytest.mark.parametrize(
    ("params", "hint_fragment"),
    [
        ({"api_token": "wrong"}, "username is the email address"),
        ({"bearer_token": "admin-api-token"}, "not a bearer token"),
    ],
)
def test_401_is_translated_with_a_remedy_and_no_secret(emulator, client_for, params, hint_fragment):
    backend = JiraCloudBackend(client_for(emulator, **params))
    with pytest.raises(AtlassianError) as err:
        backend.find_group(name="team-design")
    assert err.value.status == 401
    assert "Client must be authenticated" in err.value.message
    assert hint_fragment in err.value.message
    for secret in secret_values(backend.client.settings):
        assert secret not in err.value.message and secret not in repr(err.value)


def test_403_and_404_hints(emulator, client_for):
    bob = JiraCloudBackend(client_for(emulator, username="bob@acme.example", api_token="bob-api-token"))
    with pytest.raises(AtlassianError) as err:
        bob.add_member(DESIGN, JANE)
    assert err.value.status == 403 and "site administration" in err.value.message
    assert "You do not have permission to manage groups" in err.value.message  # Jira's own words, from errorMessages
    with pytest.raises(AtlassianError) as err:
        JiraCloudBackend(client_for(emulator)).add_member(Group("gone", "00000000-0000-4000-8000-000000000000"), JANE)
    assert err.value.status == 404 and "group name or group_id" in err.value.message


def test_error_collection_messages(backend):
    body = {"errorMessages": ["a"], "errors": {"f": "b"}}
    assert backend.messages(body, "") == ["a", "f: b"]
    assert backend.messages({"message": "gateway says no"}, "") == ["gateway says no"]


@pytest.mark.parametrize(
    ("status", "body", "recognised"),
    [
        (200, {"deploymentType": "Cloud", "baseUrl": "https://acme.atlassian.net"}, True),
        (200, {"deploymentType": "Server"}, False),  # Jira Data Center: another backend
        (401, None, True),  # the path exists: Jira refused the credentials
        (404, {"errorMessages": ["nope"]}, False),  # no Jira on this site
        (200, None, False),  # a web page
    ],
)
def test_recognises_a_jira_cloud_site_from_server_info(status, body, recognised):
    assert JiraCloudBackend.recognises_site(SiteProbe(status, body)) is recognised


def test_recognises_the_jira_gateway_url():
    assert JiraCloudBackend.recognises_url(settings_for({**GATEWAY, "url": "https://api.atlassian.com/ex/jira/1"}))
    assert not JiraCloudBackend.recognises_url(settings_for(GATEWAY))


def test_an_email_nobody_has_names_the_causes_and_the_remedy(backend):
    message = backend.email_not_found("ghost@acme.example").message
    for phrase in ("ghost@acme.example", "deactivated", "privacy", "Browse users and groups", "accountId"):
        assert phrase in message
    # A new hire has no account yet: the module that invites one (issue 18).
    assert "invite or create it with orgsync.atlassian.atlassian_user" in message
