# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Jira Data Center backend against the emulated server (seeds/datacenter.yaml): users by username or exact email,
groups by name, Data Center's refusals, and its advice. What every backend shares is tested on this one too, by the
parametrized suites (test__membership*.py and the module tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import CHANGED, UNCHANGED, SiteProbe
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_datacenter import JiraDataCenterBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import HttpError, ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

SEED = Path(__file__).resolve().parents[4] / "tools" / "atlassian_emulator" / "seeds" / "datacenter.yaml"
ADMIN = {"username": "admin", "api_token": "admin-password"}
JDOE = User("jdoe", "jane.doe@acme.example", "Jane Doe", username="jdoe")


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(str(SEED), products=("jira_datacenter",))


@pytest.fixture
def backend(server, client_for):
    return JiraDataCenterBackend(client_for(server, **ADMIN))


def test_a_group_is_its_name_spelt_as_the_server_spells_it(backend, server):
    assert backend.find_group(name="TEAM-PLATFORM") == Group("team-platform", "team-platform")
    assert backend.find_group(group_id="team design") == Group("team design", "team design")  # the id is the name
    assert [r.path for r in server.log][-1] == "/rest/api/2/groups/picker"
    with pytest.raises(ResolutionError, match="No group with name 'nope' exists"):
        backend.find_group(name="nope")


def test_a_group_the_picker_cuts_off_is_checked_by_its_members(emulator_factory, client_for):
    # 121 groups contain "ops": the picker shows 100 of them, not "ops" itself, which is then checked directly.
    groups = [{"name": f"a-ops-{i:03d}", "members": []} for i in range(120)] + [{"name": "ops", "members": []}]
    server = emulator_factory(
        {"users": [{"account_id": "a", "username": "admin", "display_name": "A", "email": "a@acme.example"}],
         "groups": groups,
         "credentials": [{"account_id": "a", "email": "admin", "api_token": "pw", "site_admin": True}]},
        products=("jira_datacenter",),
    )  # fmt: skip
    backend = JiraDataCenterBackend(client_for(server, username="admin", api_token="pw"))
    assert backend.find_group(name="ops") == Group("ops", "ops")
    assert [r.path for r in server.log] == ["/rest/api/2/groups/picker", "/rest/api/2/group/member"]
    with pytest.raises(ResolutionError, match="No group with name 'ps'"):
        backend.find_group(name="ps")


def test_users_are_usernames_with_exact_emails(backend):
    assert backend.get_user("jdoe") == JDOE
    assert backend.get_user("nobody") is None
    # The search matches username, name and email prefixes; only the exact address (or username) counts.
    assert [u.username for u in backend.find_by_email("jo@acme.example")] == ["jmarch"]
    assert [u.username for u in backend.find_by_email("JO@ACME.example.au")] == ["jbloggs"]
    assert backend.find_by_email("jo@acme") == []
    # A username that is an email address names its account too.
    assert [u.username for u in backend.find_by_email("zoe@acme.example")] == ["zoe@acme.example"]
    assert backend.get_user("k.o'brien").display_name == "Kate O'Brien"  # a username with a dot and an apostrophe


def test_a_leaver_is_found_only_among_the_deactivated(backend, server):
    assert backend.find_by_email("ivan.former@acme.example") == []
    (ivan,) = backend.find_deactivated_by_email("ivan.former@acme.example")
    assert (ivan.username, ivan.active) == ("iformer", False)
    searches = [r.query for r in server.log if r.path == "/rest/api/2/user/search"]
    assert searches[-1]["includeInactive"] == ["true"] and searches[-1]["includeActive"] == ["false"]


def test_groups_of_and_the_caller(backend, server):
    assert sorted(g.name for g in backend.groups_of("jsmith")) == ["confluence-users", "jira-software-users",
                                                                   "team-platform"]  # fmt: skip
    assert backend.groups_of("nobody") is None
    assert backend.caller_account_id() == "admin"
    backend.caller_account_id()
    assert sum(r.path == "/rest/api/2/myself" for r in server.log) == 1


def test_member_pages_by_username_with_inactive_members(backend):
    pages = list(backend.iter_member_pages(backend.find_group(name="jira-software-users")))
    members = {u.username: u for page in pages for u in page.users}
    assert len(members) == 9 and pages[0].total == 9
    assert members["iformer"].active is False and members["jdoe"].email == "jane.doe@acme.example"
    assert members["jdoe"].as_result() == {
        "account_id": None,
        "email": "jane.doe@acme.example",
        "display_name": "Jane Doe",
        "username": "jdoe",
    }


def test_writes_tolerate_races_and_refusals_name_the_cause(backend, server, client_for):
    design = backend.find_group(name="team design")  # a space in a group name travels in the query
    assert backend.add_member(design, JDOE) == CHANGED
    assert backend.add_member(design, JDOE) == UNCHANGED  # 400 "already a member": someone else did it
    assert server.members("team design") == {"dc-jdoe"}
    assert backend.remove_member(design, JDOE) == CHANGED
    assert backend.remove_member(design, JDOE) == UNCHANGED  # 400 "not a member"
    jsmith = JiraDataCenterBackend(client_for(server, username="jsmith", api_token="jsmith-password"))
    with pytest.raises(HttpError) as refused:
        jsmith.add_member(design, JDOE)
    assert refused.value.status == 403
    assert "Jira Administrators" in refused.value.message and "external user management" in refused.value.message


def test_groups_are_created_and_deleted_by_name(backend, server):
    created = backend.create_group("team-new")
    assert created == Group("team-new", "team-new") and backend.find_group(name="team-new") == created
    backend.delete_group(created)
    assert all(g.name != "team-new" for g in server.state.all_groups())
    assert backend.access_of(created) is None  # the REST API does not tell; the name guard does


@pytest.mark.parametrize(
    ("credentials", "fragment"),
    [
        ({"username": "admin", "api_token": "wrong"}, "After several failed logins the server asks for a CAPTCHA"),
        ({"bearer_token": "expired-token"}, "personal access token (your profile > Personal Access Tokens)"),
    ],
)
def test_a_refused_login_gets_data_center_advice(server, client_for, credentials, fragment):
    backend = JiraDataCenterBackend(client_for(server, **credentials))
    with pytest.raises(HttpError) as refused:
        backend.caller_account_id()
    assert refused.value.status == 401 and fragment in refused.value.message
    assert "api.atlassian.com" not in refused.value.message  # no Cloud advice for a server


def test_a_personal_access_token_works(server, client_for):
    backend = JiraDataCenterBackend(client_for(server, bearer_token="svc-personal-access-token"))
    assert backend.caller_account_id() == "svc-ansible"


@pytest.mark.parametrize(
    ("probe", "recognised"),
    [
        (SiteProbe(200, {"deploymentType": "Server"}, cloud=False), True),
        (SiteProbe(200, {"deploymentType": "DataCenter"}, cloud=False), True),
        (SiteProbe(200, {"deploymentType": "Cloud"}, cloud=True), False),
        (SiteProbe(401, None, cloud=False), True),
        (SiteProbe(401, None, cloud=True), False),
        (SiteProbe(404, None, cloud=False), False),
    ],
)
def test_recognises_a_jira_server(probe, recognised):
    assert JiraDataCenterBackend.recognises_site(probe) is recognised
