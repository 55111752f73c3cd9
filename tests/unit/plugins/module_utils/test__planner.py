# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The pure planner: idempotence, exclusive mode, the caller's protection and duplicates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import (
    groups_diff,
    members_after,
    membership_diff,
    plan_membership,
    plan_user_groups,
    unique_users,
)

ANA = User("a-1", "ana@acme.example", "Ana")
BEN = User("b-2", "ben@acme.example", "Ben")
CAL = User("c-3", None, "Cal")  # email hidden
DOT = User("d-4", "dot@acme.example", "Dot", active=False)


def members(*users: User) -> dict[str, User]:
    return {u.account_id: u for u in users}


def test_present_adds_only_missing_users():
    plan = plan_membership(members(ANA), [ANA, BEN], state="present")
    assert plan.adds == (BEN,)
    assert plan.removes == ()
    assert plan.unchanged == (ANA,)
    assert plan.changed


def test_present_when_all_in_group_changes_nothing():
    plan = plan_membership(members(ANA, BEN), [BEN, ANA], state="present")
    assert not plan.changed


def test_absent_removes_only_members():
    plan = plan_membership(members(ANA, BEN), [BEN, CAL], state="absent")
    assert plan.removes == (BEN,)
    assert plan.adds == ()
    assert plan.unchanged == (CAL,)


def test_exclusive_removes_unlisted_members_including_inactive():
    plan = plan_membership(members(ANA, BEN, DOT), [ANA], state="present", exclusive=True)
    assert set(plan.removes) == {BEN, DOT}


def test_exclusive_never_removes_the_caller():
    plan = plan_membership(members(ANA, BEN), [ANA], state="present", exclusive=True, caller_account_id=BEN.account_id)
    assert plan.removes == ()
    assert plan.protected == (BEN,)
    assert not plan.changed


def test_exclusive_keeps_app_accounts_unless_they_are_listed():
    # Issue 16, case 3: removing an app from a product or add-on group breaks the app.
    bot = User("bot-1", "bot@acme.example", "Bot", account_type="app")
    plan = plan_membership(
        members(ANA, BEN, bot), [ANA], state="present", exclusive=True, caller_account_id=BEN.account_id
    )
    assert plan.removes == () and plan.kept == ((BEN, "calling account"), (bot, "app account"))  # by label
    assert plan.protected == (BEN,)
    listed = plan_membership(members(ANA, bot, DOT), [ANA, bot], state="present", exclusive=True)
    assert listed.removes == (DOT,) and listed.kept == () and bot in listed.unchanged
    assert plan_membership(members(ANA, bot), [bot], state="absent").removes == (bot,)  # named: removed


def test_explicit_absent_may_remove_the_caller():
    plan = plan_membership(members(ANA, BEN), [BEN], state="absent", caller_account_id=BEN.account_id)
    assert plan.removes == (BEN,)


def test_same_user_twice_counts_once():
    by_email = User("b-2", "ben@acme.example", "Ben")
    by_id = User("b-2", "ben@acme.example", "Ben")
    plan = plan_membership({}, [by_email, by_id], state="present")
    assert plan.adds == (by_email,)
    assert unique_users([ANA, BEN, ANA]) == [ANA, BEN]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(state="absent", exclusive=True),
        dict(state="present", exclusive=True, membership_complete=False),
        dict(state="maybe"),
    ],
)
def test_invalid_combinations_are_refused(kwargs):
    with pytest.raises(ValueError):
        plan_membership({}, [], **kwargs)


def test_diff_lists_labels_before_and_after():
    plan = plan_membership(members(ANA, CAL), [ANA, BEN], state="present", exclusive=True)
    diff = membership_diff("team", members(ANA, CAL), plan.adds, plan.removes)
    # Cal hides his email: his name stands beside his accountId, so a reviewer can tell who it is (issue 22).
    assert diff["before"] == {"group": "team", "members": ["ana@acme.example", "Cal (c-3)"]}
    assert diff["after"] == {"group": "team", "members": ["ana@acme.example", "ben@acme.example"]}


POOL = [User(f"id-{i}", f"u{i}@acme.example" if i % 3 else None, f"U{i}", active=bool(i % 4)) for i in range(12)]


@settings(max_examples=300, deadline=None)
@given(
    current=st.sets(st.sampled_from(POOL)),
    desired=st.lists(st.sampled_from(POOL)),
    state=st.sampled_from(["present", "absent"]),
    exclusive=st.booleans(),
    caller=st.sampled_from([None] + [u.account_id for u in POOL]),
)
def test_plan_reaches_the_desired_state_and_is_then_idempotent(current, desired, state, exclusive, caller):
    exclusive = exclusive and state == "present"
    before = members(*current)
    plan = plan_membership(before, desired, state=state, exclusive=exclusive, caller_account_id=caller)
    after = members_after(before, plan.adds, plan.removes)
    wanted = {u.account_id for u in desired}
    if state == "present":
        assert wanted <= set(after)
        if exclusive:
            assert set(after) - wanted <= ({caller} & set(before))
    else:
        assert not wanted & set(after)
    # Nothing outside the request is touched unless exclusive.
    if not exclusive:
        assert {u.account_id for u in plan.adds + plan.removes} <= wanted
    again = plan_membership(after, desired, state=state, exclusive=exclusive, caller_account_id=caller)
    assert not again.changed


# ------------------------------------------------------------------ a person's groups (atlassian_user_groups)

A, B, C, ADMINS = (Group(n, f"id-{n}") for n in ("a", "b", "c", "site-admins"))


def keep_admins(group: Group) -> bool:
    return group.name == "site-admins"


@pytest.mark.parametrize(
    ("current", "desired", "state", "exclusive", "adds", "removes", "kept"),
    [
        ([A], [A, B], "present", False, [B], [], []),
        ([A, C], [A, B], "present", True, [B], [C], []),
        ([A, ADMINS], [], "present", True, [], [A], [ADMINS]),  # the leaver: all but keep
        ([A, B], [B, C], "absent", False, [], [B], []),  # C: not a member, nothing to do
        ([A], [A, A], "present", False, [], [], []),  # the same group twice counts once
    ],
)
def test_plan_user_groups(current, desired, state, exclusive, adds, removes, kept):
    plan = plan_user_groups(current, desired, state=state, exclusive=exclusive, keep=keep_admins)
    assert (list(plan.adds), list(plan.removes), list(plan.kept)) == (adds, removes, kept)
    assert plan.changed is bool(adds or removes)


def test_plan_user_groups_converges():
    plan = plan_user_groups([A, C, ADMINS], [A, B], state="present", exclusive=True, keep=keep_admins)
    after = [g for g in [A, C, ADMINS] if g not in plan.removes] + list(plan.adds)
    again = plan_user_groups(after, [A, B], state="present", exclusive=True, keep=keep_admins)
    assert not again.changed and again.kept == (ADMINS,)


def test_plan_user_groups_refuses_exclusive_removal():
    with pytest.raises(ValueError):
        plan_user_groups([A], [A], state="absent", exclusive=True)


def test_groups_diff():
    diff = groups_diff("jane@acme.example", [A, C], added=[B], removed=[C])
    assert diff == {
        "before": {"user": "jane@acme.example", "groups": ["a", "c"]},
        "after": {"user": "jane@acme.example", "groups": ["a", "b"]},
    }
