# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Reading state and applying plans: strategy choice, resolution from member pages, partial failures."""

from __future__ import annotations

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._jira_cloud import JiraCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import (
    ALL_PAGES,
    PER_USER,
    MembershipService,
    choose_strategy,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import plan_membership

JANE_ID = "5b10a2844c20165700ede003"


@pytest.fixture
def service(emulator, client_for):
    return MembershipService(JiraCloudBackend(client_for(emulator, workers=4)))


@pytest.mark.parametrize(
    ("total", "first", "users", "complete", "expected"),
    [
        (120, 50, 1, False, PER_USER),  # 2 more pages vs 1 user: check the user
        (120, 50, 2, False, ALL_PAGES),  # 2 pages vs 2 users: pages also resolve emails
        (120, 50, 1, True, ALL_PAGES),  # exclusive/diff must see everyone
        (30, 30, 5, False, ALL_PAGES),  # one page holds everybody
        (None, 50, 1, False, ALL_PAGES),
    ],
)
def test_choose_strategy(total, first, users, complete, expected):
    assert choose_strategy(total=total, first_page_size=first, distinct_users=users, need_complete=complete) == expected


def test_member_emails_resolve_without_user_search(emulator, service):
    group = service.resolve_group(name="big-group", group_id=None)
    # On pages 2 and 3: as many users as pages left to read, so reading them is never dearer than checking each.
    refs = ["big-group-0061@bulk.example", "big-group-0102@bulk.example"]
    emulator.clear_log()
    snapshot = service.snapshot(group, refs, need_complete=False)
    assert snapshot.strategy == ALL_PAGES and snapshot.complete
    assert {u.email for u in snapshot.users} == set(refs)
    assert not [r for r in emulator.log if r.path.endswith("/user/search")]
    assert len(emulator.log) == 3  # three member pages, nothing else


def test_one_user_in_a_big_group_is_checked_per_user(emulator, service):
    group = service.resolve_group(name="big-group", group_id=None)
    emulator.clear_log()
    snapshot = service.snapshot(group, ["jane@acme.example"], need_complete=False)
    assert snapshot.strategy == PER_USER and not snapshot.complete
    assert snapshot.current == {}
    paths = sorted(r.path for r in emulator.log)
    assert paths == ["/rest/api/3/group/member", "/rest/api/3/user/groups", "/rest/api/3/user/search"]


def test_every_unresolvable_user_is_named_at_once(service):
    group = service.resolve_group(name="team-design", group_id=None)
    with pytest.raises(ResolutionError) as err:
        service.snapshot(
            group,
            ["ghost@acme.example", "pat@acme.example", "deploy-bot@acme.example", JANE_ID, "no-such-id"],
            need_complete=False,
        )
    message = err.value.message
    assert message.startswith("4 of 5 users could not be resolved, so nothing was changed")
    for fragment in ("ghost@acme.example", "pat@acme.example", "deploy-bot@acme.example", "no-such-id"):
        assert fragment in message


def test_apply_reports_each_failure_and_applies_the_rest(emulator, service):
    group = service.resolve_group(name="team-design", group_id=None)
    snapshot = service.snapshot(group, ["jane@acme.example", "zoe@acme.example"], need_complete=False)
    plan = plan_membership(snapshot.current, snapshot.users, state="present")
    # The first of the two writes is refused; the other must still be applied.
    emulator.configure(faults=[{"action": "status", "status": 403, "method": "POST", "path": "/rest/api/3/group/user"}])
    result = service.apply(group, plan)
    assert len(result.added) == 1 and len(result.failures) == 1
    action, user, reason = result.failures[0]
    assert action == "add" and "HTTP 403" in reason and "site administration" in reason
    assert emulator.members("team-design") == {result.added[0].account_id}
