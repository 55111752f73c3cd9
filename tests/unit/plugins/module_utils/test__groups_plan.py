# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The pure planner of many groups (atlassian_groups): per group created / deleted / added / removed, the summary
line, what purge_prefix owns, the task's own contradictions, and (hypothesis) convergence: one plan applied reaches
the file's state, and planning again changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError
from ansible_collections.orgsync.atlassian.plugins.module_utils._groups_plan import (
    CREATE,
    DELETE,
    KEEP,
    NOTHING,
    GroupRequest,
    Totals,
    check_requests,
    group_diff,
    group_key,
    plan_group,
    purge,
    unlisted_under_prefix,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import APP_ACCOUNT_TYPE
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import KEPT_APP, KEPT_CALLER

ANA = User("a-1", "ana@acme.example", "Ana")
BEN = User("b-2", "ben@acme.example", "Ben")
CAL = User("c-3", None, "Cal")
BOT = User("bot-9", None, "Deploy Bot", account_type=APP_ACCOUNT_TYPE)
ME = User("me-0", "automation@acme.example", "Automation")


def members(*users: User) -> dict[str, User]:
    return {u.account_id: u for u in users}


def test_a_missing_group_is_created_with_its_people():
    change = plan_group(GroupRequest("team-data", ("ana",)), None, {}, [ANA, ANA], exclusive=True)
    assert (change.action, change.plan.adds, change.plan.removes, change.changed) == (CREATE, (ANA,), (), True)


def test_an_existing_group_gets_only_what_differs_and_exclusive_keeps_the_caller_and_apps():
    group = Group("Team-Data", "g-1")
    current = members(ANA, CAL, BOT, ME)
    change = plan_group(
        GroupRequest("team-data", ()), group, current, [ANA, BEN], exclusive=True, caller_account_id=ME.account_id
    )
    # The existing group's spelling wins: it is the one the site shows.
    assert (change.name, change.action) == ("Team-Data", KEEP)
    assert change.plan.adds == (BEN,) and change.plan.removes == (CAL,)
    assert set(change.plan.kept) == {(BOT, KEPT_APP), (ME, KEPT_CALLER)}
    not_exclusive = plan_group(GroupRequest("team-data", ()), group, current, [ANA, BEN], exclusive=False)
    assert not_exclusive.plan.removes == ()


def test_unchanged_group_reports_no_change():
    change = plan_group(GroupRequest("t", ()), Group("t", "g"), members(ANA), [ANA], exclusive=True)
    assert change.action == KEEP and not change.changed


def test_absent_deletes_an_existing_group_and_ignores_a_missing_one():
    group = Group("team-old", "g-2")
    gone = plan_group(GroupRequest("team-old", state="absent"), group, members(ANA), [], exclusive=False)
    assert (gone.action, gone.changed, gone.plan.removes) == (DELETE, True, ())
    assert plan_group(GroupRequest("team-old", state="absent"), None, {}, [], exclusive=False).action == NOTHING


def test_purge_prefix_owns_only_unlisted_groups_under_it_case_insensitively():
    existing = [Group(n, f"id-{n}") for n in ("team-a", "Team-B", "team-c", "teams-x", "ops", "site-admins")]
    requests = [GroupRequest("TEAM-A"), GroupRequest("ops")]
    assert [g.name for g in unlisted_under_prefix(existing, requests, "team-")] == ["Team-B", "team-c"]
    assert unlisted_under_prefix(existing, requests, None) == []
    assert purge(existing[1], {}).listed is False


def test_summary_line():
    assert Totals(created=2, added=14, removed=3, deleted=1).summary() == (
        "2 groups created, 14 people added, 3 removed, 1 group deleted"
    )
    assert Totals(added=1).summary() == "1 person added"
    assert Totals(removed=2).summary() == "2 people removed"
    assert Totals(created=1, failed=2).summary() == "1 group created, 2 groups failed"
    assert Totals().summary() == "no changes"


def test_diff_shows_existence_and_members():
    change = plan_group(GroupRequest("t", ()), None, {}, [ANA], exclusive=False)
    diff = group_diff(change, created=True, deleted=False, added=[ANA], removed=[])
    assert diff["before"] == {"group": "t", "exists": False, "members": []}
    assert diff["after"] == {"group": "t", "exists": True, "members": ["ana@acme.example"]}
    gone = purge(Group("t2", "g"), members(CAL))
    diff = group_diff(gone, created=False, deleted=True, added=[], removed=[])
    assert diff["before"]["members"] == ["Cal (c-3)"] and diff["after"] == {
        "group": "t2",
        "exists": False,
        "members": [],
    }


@pytest.mark.parametrize(
    ("requests", "prefix", "message"),
    [
        ([GroupRequest("a"), GroupRequest("A ")], None, "groups lists A  twice (as 'a' and as 'A '"),
        ([GroupRequest(" ")], None, "groups[0] has no name"),
        ([GroupRequest("a", ("ana",), "absent")], None, "groups[0] (a) has state absent and users"),
        ([GroupRequest("a", (), "gone")], None, "groups[0] (a) has state 'gone'"),
        ([GroupRequest("a")], " ", "purge_prefix is empty"),
    ],
)
def test_contradictions_are_refused_before_any_request(requests, prefix, message):
    with pytest.raises(ConfigurationError) as caught:
        check_requests(requests, prefix)
    assert caught.value.message.startswith(message)
    assert caught.value.hint


# ------------------------------------------------------------------ convergence (hypothesis)

POOL = [User(f"id-{i}", f"u{i}@acme.example" if i % 3 else None, f"U{i}", active=bool(i % 4)) for i in range(8)]
POOL += [BOT, ME]
PEOPLE = [u for u in POOL if u not in (BOT, ME)]
NAMES = ["team-a", "team-b", "Team-C", "team-d", "ops", "ops-2"]
PREFIX = "team-"


def simulate(state: dict[str, tuple[Group, set[str]]], changes) -> None:
    """Apply the changes to a site's groups (key -> (group, member ids)), as the service's writes would."""
    for change in changes:
        key = group_key(change.name)
        if change.action == NOTHING:
            continue
        if change.action == DELETE:
            del state[key]
            continue
        if change.action == CREATE:
            state[key] = (Group(change.name, f"new-{key}"), set())
        ids = state[key][1]
        ids |= {u.account_id for u in change.plan.adds}
        ids -= {u.account_id for u in change.plan.removes}


def plan_all(state, requests, *, exclusive, prefix, caller):
    by_id = {u.account_id: u for u in POOL}
    changes = []
    for request in requests:
        group, ids = state.get(request.key, (None, set()))
        current = {i: by_id[i] for i in ids}
        users = [by_id[r] for r in request.users]
        changes.append(plan_group(request, group, current, users, exclusive=exclusive, caller_account_id=caller))
    for group in unlisted_under_prefix([g for g, _ids in state.values()], requests, prefix):
        changes.append(purge(group, {i: by_id[i] for i in state[group_key(group.name)][1]}))
    return changes


@st.composite
def sites_and_files(draw):
    ids = [u.account_id for u in POOL]
    state = {
        group_key(name): (Group(name, f"id-{name}"), draw(st.sets(st.sampled_from(ids))))
        for name in draw(st.sets(st.sampled_from(NAMES)))
    }
    listed = draw(st.lists(st.sampled_from(NAMES), unique_by=group_key))
    requests = []
    for name in listed:
        state_of = draw(st.sampled_from(["present", "present", "absent"]))
        people = draw(st.lists(st.sampled_from([u.account_id for u in PEOPLE]))) if state_of == "present" else []
        requests.append(GroupRequest(draw(st.sampled_from([name, name.upper()])), tuple(people), state_of))
    return state, requests


@settings(max_examples=300, deadline=None)
@given(
    case=sites_and_files(),
    exclusive=st.booleans(),
    prefix=st.sampled_from([None, PREFIX]),
    caller=st.sampled_from([None, ME.account_id]),
)
def test_one_plan_reaches_the_file_and_a_second_plan_changes_nothing(case, exclusive, prefix, caller):
    state, requests = case
    check_requests(requests, prefix)
    untouched = {k: set(ids) for k, (g, ids) in state.items() if not under(g.name, prefix, requests)}
    before = {k: set(ids) for k, (_g, ids) in state.items()}
    changes = plan_all(state, requests, exclusive=exclusive, prefix=prefix, caller=caller)
    simulate(state, changes)
    for request in requests:
        if request.state == "absent":
            assert request.key not in state
            continue
        ids = state[request.key][1]
        assert set(request.users) <= ids
        if exclusive:
            kept = before.get(request.key, set()) & ({caller, BOT.account_id} - {None})
            assert ids == set(request.users) | kept
        else:
            assert before.get(request.key, set()) <= ids
    for key in list(state):
        if prefix and key.startswith(prefix) and key not in {r.key for r in requests}:
            pytest.fail(f"{key} is under the prefix, unlisted, and still there")
    # What neither the file lists nor the prefix owns is never touched.
    assert {k: ids for k, (_g, ids) in state.items() if k in untouched} == untouched
    again = plan_all(state, requests, exclusive=exclusive, prefix=prefix, caller=caller)
    assert not any(change.changed for change in again)
    totals = Totals(
        created=sum(c.action == CREATE for c in changes),
        deleted=sum(c.action == DELETE for c in changes),
        added=sum(len(c.plan.adds) for c in changes),
        removed=sum(len(c.plan.removes) for c in changes),
    )
    assert (totals.summary() == "no changes") is (not any(c.changed for c in changes))


def under(name: str, prefix: str | None, requests) -> bool:
    """Listed, or owned by the prefix."""
    key = group_key(name)
    return key in {r.key for r in requests} or bool(prefix and key.startswith(prefix))
