# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Confluence Cloud backend against a Confluence-only emulated site: groups, 200-member pages, emails resolved
without an email search, writes whose answers cannot tell a change, and Confluence's error bodies."""

from __future__ import annotations

import copy

import pytest
from backend_table import kinds

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import CHANGED, UNCHANGED, SiteProbe
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.confluence_cloud import ConfluenceCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import settings_from_params
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    ResolutionError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

JANE_ID = "5b10a2844c20165700ede003"
DESIGN = Group("team-design", "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f")
CONFLUENCE_USERS = Group("confluence-users", "6e87dc72-4f1f-421f-9382-2fee8b652487")
JANE = User(JANE_ID, "jane@acme.example", "Jane Doe", active=None)
SITE = {"url": "https://acme.atlassian.net", "username": "a@acme.example", "api_token": "t"}


@pytest.fixture
def emulator(emulator_factory):
    return emulator_factory(products=("confluence",))


@pytest.fixture
def backend(emulator, client_for):
    return ConfluenceCloudBackend(client_for(emulator, workers=4))


def test_find_group_by_name_or_id_returns_both(backend):
    assert backend.find_group(name="team-design") == DESIGN
    assert backend.find_group(group_id=DESIGN.group_id) == DESIGN
    with pytest.raises(ResolutionError, match="No group with name 'nope' exists"):
        backend.find_group(name="nope")


def test_members_come_200_a_page_and_the_total_is_asked_once(emulator_factory, client_for):
    from atlassian_emulator import DEFAULT_SEED_PATH, load_seed

    seed = copy.deepcopy(load_seed(DEFAULT_SEED_PATH))
    seed["generate"].append({"group": "huge", "members": 450, "email_domain": "bulk.example"})
    emulator = emulator_factory(seed, products=("confluence",))
    backend = ConfluenceCloudBackend(client_for(emulator, workers=4))
    huge = backend.find_group(name="huge")
    emulator.clear_log()
    pages = list(backend.iter_member_pages(huge))
    assert [len(p.users) for p in pages] == [200, 200, 50] and pages[0].total == 450
    assert len({u.account_id for p in pages for u in p.users}) == 450
    reads = sorted(emulator.log, key=lambda r: int(r.query["start"][0]))
    assert [(r.query["start"], r.query["limit"]) for r in reads] == [
        (["0"], ["200"]),
        (["200"], ["200"]),
        (["400"], ["200"]),
    ]
    assert [r.query.get("shouldReturnTotalSize") for r in reads] == [["true"], None, None]


def test_hidden_emails_and_missing_status_are_none(backend):
    members = {u.display_name: u for p in backend.iter_member_pages(CONFLUENCE_USERS) for u in p.users}
    assert members["Hana Hidden"].email is None
    assert {u.active for u in members.values()} == {None}


def test_emails_resolve_from_the_access_listings_read_once(emulator, backend):
    emulator.clear_log()
    found = backend.concurrently(backend.find_by_email, ["zoe@acme.example", "jane@acme.example", "ZOE@acme.example"])
    assert [[u.display_name for u in f] for f in found] == [["Zoë Ångström"], ["Jane Doe"], ["Zoë Ångström"]]
    # One listing of the groups that grant Confluence access, then confluence-users' members: once, for all three.
    assert kinds(emulator.log) == ["access_groups", "members"]


def test_an_email_outside_the_listings_is_checked_against_a_name_search(emulator, backend):
    # Bob has no Confluence access group; "bob@" suggests the name "bob", and the result shows that very email.
    (bob,) = backend.find_by_email("bob@acme.example")
    assert bob.display_name == "Bob Builder"
    assert emulator.log[-1].query["cql"] == ['user.fullname~"bob"']
    # jo@acme.example suggests "jo": Jo March and Jo Bloggs are found, only Jo March's email is exact.
    assert [u.display_name for u in backend.find_by_email("jo@acme.example")] == ["Jo March"]


def test_a_hidden_email_is_never_guessed(backend):
    # Hana hides her email: the listings show "" and the name search cannot confirm it.
    assert backend.find_by_email("hana.hidden@acme.example") == []
    error = backend.email_not_found("hana.hidden@acme.example")
    assert isinstance(error, UnknownUserError)
    assert "Confluence Cloud has no email search" in error.message and "(confluence-users)" in error.message
    assert "accountId" in error.message


def test_users_groups_and_caller(emulator, backend):
    assert backend.get_user(JANE_ID) == JANE
    assert backend.get_user("no-such-account") is None
    assert {g.name for g in backend.groups_of(JANE_ID)} == {
        "jira-software-users",
        "confluence-users",
        "team-platform",
    }
    emulator.clear_log()
    assert backend.caller_account_id() == "5b10a2844c20165700ede001"
    assert kinds(emulator.log) == ["caller"]  # Confluence sends no X-AAccountId: asked once, then remembered
    assert backend.caller_account_id() == "5b10a2844c20165700ede001" and len(emulator.log) == 1


def test_writes(emulator, backend):
    assert backend.add_member(DESIGN, JANE) == CHANGED
    assert JANE_ID in emulator.members("team-design")
    assert backend.remove_member(DESIGN, JANE) == CHANGED
    assert JANE_ID not in emulator.members("team-design")
    # The answer cannot tell a removal from a no-op (204 either way, documented): the read before the plan does.
    assert backend.remove_member(DESIGN, JANE) == CHANGED
    assert [(r.method, r.status) for r in emulator.writes()] == [("POST", 201), ("DELETE", 204), ("DELETE", 204)]


def test_an_existing_member_refused_with_already_is_unchanged(emulator, backend):
    emulator.configure(confluence_add_member_status=400)
    emulator.add_member("team-design", JANE_ID)
    assert backend.add_member(DESIGN, JANE) == UNCHANGED


def test_exhausted_write_is_read_back(emulator, client_for):
    emulator.configure(faults=[{"action": "reset", "method": "POST", "phase": "after", "times": None}])
    backend = ConfluenceCloudBackend(client_for(emulator, max_retries=1))
    assert backend.add_member(DESIGN, JANE) == CHANGED
    assert emulator.members("team-design") == {JANE_ID}


def test_errors_read_confluence_bodies_with_confluence_remedies(emulator, client_for):
    bob = ConfluenceCloudBackend(client_for(emulator, username="bob@acme.example", api_token="bob-api-token"))
    with pytest.raises(AtlassianError) as err:
        bob.add_member(DESIGN, JANE)
    assert err.value.status == 403
    assert err.value.api_messages == ("Only site admins and org admins can manage groups",)
    assert "write:confluence-groups" in err.value.message
    wrong = ConfluenceCloudBackend(client_for(emulator, api_token="wrong"))
    with pytest.raises(AtlassianError) as err:
        wrong.find_group(name="team-design")
    assert err.value.status == 401 and "/ex/confluence/<cloudId>" in err.value.message


def test_messages_take_the_translations_too():
    backend = ConfluenceCloudBackend.__new__(ConfluenceCloudBackend)
    body = {
        "statusCode": 400,
        "data": {"errors": [{"message": {"translation": "groupId is invalid", "args": []}}]},
        "message": "Bad request",
    }
    assert backend.messages(body, "") == ["Bad request", "groupId is invalid"]


@pytest.mark.parametrize(
    ("url", "api"),
    [
        ("https://acme.atlassian.net", "/wiki/rest/api"),
        ("https://acme.atlassian.net/wiki", "/rest/api"),
        ("https://api.atlassian.com/ex/confluence/1122", "/wiki/rest/api"),
    ],
)
def test_the_api_path_fits_the_url_given(url, api, client_for):
    from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient

    client = AtlassianClient(settings_from_params({**SITE, "url": url}))
    assert ConfluenceCloudBackend(client).api == api
    client.close()


def test_recognises_a_site_without_jira_or_a_confluence_url():
    assert ConfluenceCloudBackend.recognises_site(SiteProbe(404, None))
    assert not ConfluenceCloudBackend.recognises_site(SiteProbe(200, {"deploymentType": "Cloud"}))
    assert ConfluenceCloudBackend.recognises_url(settings_from_params({**SITE, "url": SITE["url"] + "/wiki"}))
    assert not ConfluenceCloudBackend.recognises_url(settings_from_params(SITE))
