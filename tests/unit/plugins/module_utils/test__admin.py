# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Admin API backend against the emulated organisation (seeds/admin.yaml): the directory found or chosen, groups
and users through the v2 searches, what the Admin API refuses said plainly, its rate limit's reset time, and the
options it needs. The shared suites run on it too (backend_table.FACTS["admin"])."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import CHANGED, UNCHANGED
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import open_backend, settings_for
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.admin import AdminBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    ConfigurationError,
    HttpError,
    RefusedError,
    ResolutionError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import MembershipService
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import plan_membership

SEED_PATH = Path(__file__).resolve().parents[4] / "tools" / "atlassian_emulator" / "seeds" / "admin.yaml"
SEED = yaml.safe_load(SEED_PATH.read_text())
ORG = SEED["org"]["org_id"]
DIRECTORY = SEED["org"]["directories"][0]["directory_id"]
KEY = {"bearer_token": "acme-org-api-key", "org_id": ORG}
HANA = "5b10a2844c20165700ad0004"  # hides her email from the site
IVAN = "5b10a2844c20165700ad0005"  # deactivated
OMAR = "5b10a2844c20165700ad0007"  # in the SCIM-synced group
DESIGN = Group("team-design", "4a5f6e7d-8c9b-4dae-9f2a-3b4c5d6e7f80")
SYNCED = Group("okta-engineering", "5b6a7f8e-9d0c-4ebf-8a3b-4c5d6e7f8091")


@pytest.fixture
def org(emulator_factory):
    return emulator_factory(copy.deepcopy(SEED))


@pytest.fixture
def backend(org, client_for):
    return AdminBackend(client_for(org, **KEY))


def test_searches_name_every_directory_and_writes_the_groups_own(backend, org):
    jane = backend.find_by_email("JANE@acme.example")[0]
    assert backend.find_group(name="Team-Design") == DESIGN
    assert backend.add_member(DESIGN, jane) == CHANGED
    searches = [r.path for r in org.log if r.path.endswith("/search")]
    assert searches == [
        f"/admin/v2/orgs/{ORG}/directories/-/users/search",
        f"/admin/v2/orgs/{ORG}/directories/-/groups/search",
    ]
    write = org.writes()[0]
    assert (write.method, write.path, write.body) == (
        "POST",
        f"/admin/v2/orgs/{ORG}/directories/{DIRECTORY}/groups/{DESIGN.group_id}/memberships",
        {"accountId": jane.account_id},
    )
    assert "5b10a2844c20165700ad0002" in org.members("team-design")


def test_the_organisation_sees_hidden_emails_and_deactivated_accounts(backend, org):
    (hana,) = backend.find_by_email("hana.hidden@acme.example")
    assert (hana.account_id, hana.email, hana.active) == (HANA, "hana.hidden@acme.example", True)
    assert backend.find_by_email("ivan.former@acme.example") == []  # not active: never added by email
    (ivan,) = backend.find_deactivated_by_email("ivan.former@acme.example")
    assert (ivan.account_id, ivan.active) == (IVAN, False)
    searched = [(r.body or {}).get("emails") for r in org.log if (r.body or {}).get("emails")]
    assert searched == [["hana.hidden@acme.example"], ["ivan.former@acme.example"]]  # one search per email


def test_an_account_not_in_the_directory_gets_the_invite_remedy(backend):
    assert backend.find_by_email("nora.newhire@acme.example") == []
    error = backend.email_not_found("nora.newhire@acme.example")
    assert isinstance(error, UnknownUserError) and "must be invited first" in error.hint
    assert "orgsync.atlassian.atlassian_user (backend admin; its groups option" in error.hint  # issue 18


def test_member_pages_follow_the_cursor_and_count_nothing(emulator_factory, client_for):
    seed = copy.deepcopy(SEED)
    seed["generate"] = [{"group": "crowd", "members": 250, "email_domain": "crowd.example"}]
    org = emulator_factory(seed)
    backend = AdminBackend(client_for(org, **KEY))
    pages = list(backend.iter_member_pages(backend.find_group(name="crowd")))
    assert [len(p.users) for p in pages] == [100, 100, 50] and all(p.total is None for p in pages)
    cursors = [(r.body or {}).get("cursor") for r in org.log if (r.body or {}).get("groupIds")]
    assert cursors[0] is None and all(cursors[1:])  # the opaque token from links.next, passed back as is


def test_groups_of_comes_with_what_the_directory_says_of_each(backend, org):
    groups = backend.groups_of(OMAR)
    assert sorted(g.name for g in groups) == ["jira-software-users", "okta-engineering"]
    org.clear_log()
    with pytest.raises(RefusedError):  # known from the listing: no further request to learn that it is synced
        backend.check_can_change(SYNCED)
    assert org.log == []


def test_a_scim_synced_group_is_refused_before_any_write(backend, org):
    service = MembershipService(backend)
    group = service.resolve_group(name="okta-engineering", group_id=None)
    snapshot = service.snapshot(group, ["jane@acme.example"], need_complete=False)
    plan = plan_membership(snapshot.current, snapshot.users, state="present")
    with pytest.raises(RefusedError) as err:
        service.check_can_change(group, plan)
    assert "synced from an identity provider (SCIM)" in err.value.message
    assert "Change the membership in your identity provider" in err.value.hint
    assert org.writes() == []
    unchanged = plan_membership(snapshot.current, [], state="present")
    service.check_can_change(group, unchanged)  # nothing to change: nothing to refuse


@pytest.mark.parametrize(
    ("setup", "call", "code", "words"),
    [
        (None, lambda b: b.delete_group(b.find_group(name="jira-software-users")), "ADMIN-403-6", "default group"),
        (None, lambda b: b.delete_group(b.find_group(name="org-admins")), "ADMIN-403-7", "grants admin access"),
        (
            {"admin_user_limit": 4},  # Jira has 4 active users already
            lambda b: b.add_member(
                b.find_group(name="jira-software-users"), b.find_by_email("hana.hidden@acme.example")[0]
            ),
            "ADMIN-409-3",
            "user limit",
        ),
    ],
)
def test_each_refusal_names_its_code_cause_and_remedy(org, backend, setup, call, code, words):
    if setup:
        org.configure(**setup)
    with pytest.raises(HttpError) as err:
        call(backend)
    assert code in err.value.message and words in err.value.hint


def test_an_account_the_directory_does_not_hold_is_refused_with_the_invite_remedy(backend):
    from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User

    nora = User("5b10a2844c20165700ad0006", "nora.newhire@acme.example", "Nora Newhire")
    with pytest.raises(HttpError) as err:
        backend.add_member(DESIGN, nora)
    assert err.value.status == 404 and "ADMIN-404-8" in err.value.message and "invited first" in err.value.hint


def test_a_new_group_goes_to_the_only_directory(backend, org):
    created = backend.create_group("team-new")
    assert created.name == "team-new"
    assert [r.path for r in org.log if r.path.endswith("/directories")] == [f"/admin/v2/orgs/{ORG}/directories"]
    assert org.state.find_group(name="team-new").directory_id == DIRECTORY


def test_several_directories_need_directory_id(emulator_factory, client_for):
    seed = copy.deepcopy(SEED)
    seed["org"]["directories"].append({"directory_id": "contractors-dir", "name": "Contractors"})
    org = emulator_factory(seed)
    with pytest.raises(ConfigurationError) as err:
        AdminBackend(client_for(org, **KEY)).create_group("team-new")
    assert "2 directories (Acme (9f8e7d6c" in err.value.message and "directory_id" in err.value.hint
    chosen = AdminBackend(client_for(org, **KEY, directory_id="contractors-dir"))
    chosen.create_group("team-new")
    assert org.state.find_group(name="team-new").directory_id == "contractors-dir"
    with pytest.raises(ResolutionError):  # searches stay in the chosen directory
        chosen.find_group(name="team-design")


def test_exclusive_is_refused_since_a_key_has_no_account(backend, org):
    with pytest.raises(RefusedError) as err:
        backend.caller_account_id()
    assert "exclusive cannot be used with backend admin" in err.value.message and org.log == []


def test_the_rate_limit_waits_until_the_reset_time(org, backend, fake_clock):
    # The Admin API's 429 says when the budget refills (X-RateLimit-Reset, ISO 8601), not Retry-After.
    org.configure(faults=[{"action": "status", "status": 429, "retry_after": 3, "times": 1}])
    backend.find_group(name="team-design")
    response = next(r for r in org.log if r.status == 429)
    assert response is not None
    assert len(fake_clock.sleeps) == 1 and 1.5 <= fake_clock.sleeps[0] <= 4.5


def test_a_wrong_key_is_a_401_with_the_remedy_and_no_secret(org, client_for):
    backend = AdminBackend(client_for(org, bearer_token="not-the-key-42", org_id=ORG))
    with pytest.raises(HttpError) as err:
        backend.find_group(name="team-design")
    assert err.value.status == 401 and "organisation API key" in err.value.hint
    assert "not-the-key-42" not in str(err.value) + err.value.hint


def test_a_site_token_is_refused_by_the_admin_api(org, client_for):
    # A site's OAuth token or PAT is not an organisation API key.
    backend = AdminBackend(client_for(org, bearer_token="oauth-bearer-token", org_id=ORG))
    with pytest.raises(HttpError) as err:
        backend.find_group(name="team-design")
    assert err.value.status == 401


def test_another_organisations_id_is_not_found(org, client_for):
    backend = AdminBackend(
        client_for(org, bearer_token="acme-org-api-key", org_id="00000000-0000-0000-0000-000000000000")
    )
    with pytest.raises(HttpError) as err:
        backend.find_group(name="team-design")
    assert err.value.status == 404 and "ADMIN-404-2" in err.value.message and "org_id" in err.value.hint


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"backend": "admin", "bearer_token": "k"}, "backend admin needs org_id"),
        (
            {"backend": "admin", "org_id": ORG, "username": "a@b.c", "api_token": "t"},
            "does not take username and api_token",
        ),
    ],
)
def test_options_the_admin_api_needs(params, message):
    with pytest.raises(ConfigurationError, match=message):
        settings_for(params)


def test_the_url_defaults_to_the_admin_gateway():
    settings = settings_for({"backend": "admin", "org_id": ORG, "bearer_token": "k"})
    assert settings.base_url == "https://api.atlassian.com"


@pytest.mark.parametrize(
    ("params", "admin"),
    [
        ({"org_id": ORG, "bearer_token": "k"}, True),  # no url: the Admin API's
        ({"org_id": ORG, "bearer_token": "k", "url": "https://acme.atlassian.net"}, False),  # a site's URL
        ({"org_id": ORG, "username": "a@b.c", "api_token": "t", "url": "https://jira.acme.example"}, False),  # Basic
        ({"org_id": ORG, "bearer_token": "k", "url": "https://api.atlassian.com/ex/jira/abc"}, False),  # a gateway
    ],
)
def test_auto_takes_org_id_for_the_admin_api_only_where_nothing_says_site(params, admin):
    settings = settings_for(params)
    assert (settings.options.get("org_id") is not None) is admin
    if admin:  # recognised from the options alone: no request is sent
        client = AtlassianClient(settings)
        try:
            assert open_backend(client)[0] == "admin"
        finally:
            client.close()


def test_offboarding_stops_at_a_synced_group_unless_it_is_kept(org, run_module):
    from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_user_groups

    task = {"url": org.url, **KEY, "user": "omar@acme.example", "groups": [], "exclusive": True}
    refused = run_module(atlassian_user_groups.main, task)
    assert refused["failed"] is True and "synced from an identity provider (SCIM)" in refused["msg"]
    assert "list it in keep" in refused["msg"] and org.writes() == []
    kept = run_module(atlassian_user_groups.main, {**task, "keep": ["okta-engineering"]})
    assert [g["name"] for g in kept["removed_from"]] == ["jira-software-users"]
    assert OMAR in org.members("okta-engineering") and OMAR not in org.members("jira-software-users")


def test_a_user_someone_else_just_added_is_a_race_not_an_error(backend, org):
    jane = backend.find_by_email("jane@acme.example")[0]
    org.add_member("team-design", jane.account_id)  # another writer, between our read and our write
    assert backend.add_member(DESIGN, jane) == UNCHANGED  # the spec's 409 "already in the group"
    assert [r.status for r in org.writes()] == [409]


def test_emails_are_looked_up_a_hundred_a_search_each_once(backend, org):
    emails = [f"person-{i:03d}@acme.example" for i in range(205)] + ["JANE@acme.example", "jane@acme.example"]
    org.clear_log()
    backend.prefetch_emails(emails)
    sent = [r.body["emails"] for r in org.log if r.path.endswith("/users/search")]
    # 206 distinct addresses (letter case aside): 100, 100 and 6, each sent once, in the first spelling given.
    assert sorted(len(chunk) for chunk in sent) == [6, 100, 100]
    assert sorted(e for chunk in sent for e in chunk) == sorted(emails[:-1])
    assert [u.account_id for u in backend.find_by_email("jane@ACME.example")] != []
    assert backend.find_by_email("person-204@acme.example") == [] and len(org.log) == 3  # answered from the searches
