# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The Confluence Data Center backend against the emulated server (seeds/datacenter.yaml): users by username only,
groups by name in the path, the idempotent PUT/DELETE of 8.2+, and what an older server gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import CHANGED, SiteProbe
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.confluence_datacenter import (
    ConfluenceDataCenterBackend,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import HttpError, ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import MembershipService
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User

SEED = Path(__file__).resolve().parents[4] / "tools" / "atlassian_emulator" / "seeds" / "datacenter.yaml"
ADMIN = {"username": "admin", "api_token": "admin-password"}
JDOE = User("jdoe", None, "Jane Doe", active=None, username="jdoe")
DESIGN = Group("team design", "team design")


@pytest.fixture
def server(emulator_factory):
    return emulator_factory(str(SEED), products=("confluence_datacenter",))


@pytest.fixture
def backend(server, client_for):
    return ConfluenceDataCenterBackend(client_for(server, **ADMIN))


def test_groups_and_users_by_name(backend, server):
    assert backend.find_group(name="Team Design") == DESIGN
    assert server.log[-1].path == "/rest/api/group/Team Design"  # one path segment, space and all (decoded)
    with pytest.raises(ResolutionError, match="No group with name 'nope' exists"):
        backend.find_group(name="nope")
    assert backend.get_user("jdoe") == JDOE  # Data Center shows no email, and not whether the user is active
    assert backend.get_user("nobody") is None
    assert sorted(g.name for g in backend.groups_of("jsmith")) == ["confluence-users", "jira-software-users",
                                                                   "team-platform"]  # fmt: skip
    assert backend.groups_of("nobody") is None
    assert backend.caller_account_id() == "admin"


def test_member_pages_follow_the_next_link(emulator_factory, client_for):
    server = emulator_factory(str(SEED), products=("confluence_datacenter",), confluence_page_cap=4)
    backend = ConfluenceDataCenterBackend(client_for(server, **ADMIN))
    pages = list(backend.iter_member_pages(Group("jira-software-users", "jira-software-users")))
    assert [len(p.users) for p in pages] == [4, 4, 1] and all(p.total is None for p in pages)
    assert {u.username for p in pages for u in p.users} == {
        "admin", "svc-ansible", "jdoe", "jsmith", "jmarch", "jbloggs", "iformer", "k.o'brien", "zoe@acme.example",
    }  # fmt: skip


def test_memberships_are_put_and_deleted_by_username(backend, server):
    assert backend.add_member(DESIGN, JDOE) == CHANGED
    assert server.members("team design") == {"dc-jdoe"}
    assert server.log[-1].method == "PUT" and server.log[-1].path == "/rest/api/user/jdoe/group/team design"
    assert backend.remove_member(DESIGN, JDOE) == CHANGED
    assert server.members("team design") == set()
    obrien = backend.get_user("k.o'brien")
    assert backend.add_member(DESIGN, obrien) == CHANGED and server.members("team design") == {"dc-obrien"}


def test_groups_are_created_and_deleted(backend, server):
    created = backend.create_group("team-new")
    assert created == Group("team-new", "team-new")
    backend.delete_group(created)
    assert all(g.name != "team-new" for g in server.state.all_groups())


def test_a_server_before_8_2_gets_a_clear_error(emulator_factory, client_for):
    server = emulator_factory(str(SEED), products=("confluence_datacenter",), confluence_dc_membership_api=False)
    backend = ConfluenceDataCenterBackend(client_for(server, **ADMIN))
    with pytest.raises(HttpError) as old:
        backend.add_member(DESIGN, JDOE)
    assert old.value.status == 404
    assert "this Confluence server has no REST endpoint to change groups or their members" in old.value.message
    assert "Confluence Data Center added it in 8.2" in old.value.message
    with pytest.raises(HttpError, match="added it in 8.2"):
        backend.create_group("team-new")
    assert server.members("team design") == set()


def test_a_value_with_an_at_sign_is_a_username(backend, server):
    # Issue 16, case 9: the server shows no emails, so '@' cannot mean one; a login name may hold it, and
    # atlassian_group_member_info exports it as it is.
    service = MembershipService(backend)
    snap = service.snapshot(DESIGN, ["jdoe", "zoe@acme.example"], need_complete=False)
    assert [u.username for u in snap.users] == ["jdoe", "zoe@acme.example"]
    server.clear_log()
    absent = service.snapshot(DESIGN, ["jane.doe@acme.example"], need_complete=False, missing_ok=True)
    assert absent.not_found == [("jane.doe@acme.example", False)]
    (warning,) = absent.not_found_warnings()
    assert "username 'jane.doe@acme.example' ('jane.doe@acme.example' is taken as a username" in warning
    with pytest.raises(ResolutionError) as unknown:
        service.snapshot(DESIGN, ["jane.doe@acme.example"], need_complete=False)
    assert "No Confluence user has username 'jane.doe@acme.example'" in unknown.value.message
    assert "a value with '@' is taken as a username: give the user's login name" in unknown.value.message


def test_a_group_name_with_a_slash_is_one_path_segment(backend, server):
    server.state.create_group("team/ops")
    group = backend.find_group(name="team/ops")
    assert group == Group("team/ops", "team/ops")
    assert backend.add_member(group, JDOE) == CHANGED and server.members("team/ops") == {"dc-jdoe"}
    pages = list(backend.iter_member_pages(group))
    assert [u.username for p in pages for u in p.users] == ["jdoe"]
    assert backend.remove_member(group, JDOE) == CHANGED and server.members("team/ops") == set()


def test_a_refused_write_names_the_permission(server, client_for):
    jsmith = ConfluenceDataCenterBackend(client_for(server, username="jsmith", api_token="jsmith-password"))
    with pytest.raises(HttpError) as refused:
        jsmith.add_member(DESIGN, JDOE)
    assert refused.value.status == 403 and "Confluence Administrator" in refused.value.message


@pytest.mark.parametrize(
    ("probe", "recognised"),
    [
        (SiteProbe(404, {"message": "null for uri: https://wiki.acme.example/rest/api/2/serverInfo"}, False), True),
        (SiteProbe(404, None, cloud=True), False),  # no Jira on an Atlassian Cloud site: Confluence Cloud
        (SiteProbe(200, {"deploymentType": "Server"}, cloud=False), False),  # a Jira server
    ],
)
def test_recognises_a_confluence_server(probe, recognised):
    assert ConfluenceDataCenterBackend.recognises_site(probe) is recognised
