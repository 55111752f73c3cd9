# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Offboarding with state=absent (issue 8): deactivated leavers by email in a big group, and references that name
nobody, in real ansible-playbook runs (check mode first, then for real, then again).

The group has 2,500 members, so one user takes the per-user path (user search + that user's groups) instead of
reading 50 member pages; user search only finds active accounts, so a deactivated leaver must be found in the member
listing instead.
"""

from __future__ import annotations

import copy

import pytest
from group_member_support import ADMIN, play, task, write_calls

from atlassian_emulator import DEFAULT_SEED_PATH, load_seed

pytestmark = [pytest.mark.slow, pytest.mark.backends("admin", "confluence_cloud", "jira_cloud", "jira_datacenter")]

STAFF = "staff"
STAFF_ID = "5ca1ab1e-0000-4000-8000-000000002500"
LEAVER = "staff-1500@bulk.example"  # every 500th generated member is deactivated; none hides their email
NOBODY_EMAIL = "nobody-here@acme.example"
NOBODY_ID = "5b10a2844c20165700edefff"

LEAVER_TASK = "remove the deactivated leaver by email"
NOBODY_TASK = "remove people who have no account"
OFFBOARD = play(
    task(LEAVER_TASK, group=STAFF, user=LEAVER, state="absent"),
    task(NOBODY_TASK, group=STAFF, users=[NOBODY_EMAIL, NOBODY_ID], state="absent"),
)


@pytest.fixture
def staff_site(emulator_factory):
    seed = copy.deepcopy(load_seed(DEFAULT_SEED_PATH))
    seed["generate"].append(
        {"group": STAFF, "group_id": STAFF_ID, "members": 2500, "email_domain": "bulk.example", "inactive_every": 500}
    )
    return emulator_factory(seed)


def leaver_of(emulator):
    (leaver,) = [u for u in emulator.state.members(STAFF_ID) if u.email == LEAVER]
    assert not leaver.active
    return leaver


def assert_nobody_is_a_warning(result, profile) -> None:
    assert result["changed"] is False and not result["failed"], result["result"]
    assert result["result"]["removed"] == []
    warnings = result["result"]["warnings"]
    assert len(warnings) == 2, warnings
    assert f"No member of {STAFF} has the email '{NOBODY_EMAIL}': no active account was found with it" in warnings[0]
    id_name = "accountId" if profile.group_ids else "username"
    assert (
        warnings[1] == f"No account has {id_name} '{NOBODY_ID}', so it is not a member of {STAFF}: nothing to remove."
    )


def test_deactivated_leaver_and_unknown_people_on_a_2500_member_group(
    staff_site, run_playbook, connection_env, backend_profile
):
    emulator = staff_site
    env = connection_env(emulator, *ADMIN)
    leaver = leaver_of(emulator)
    # On Data Center the leaver is known by username.
    ident = leaver.account_id if backend_profile.group_ids else leaver.username
    removed = [backend_profile.summary(ident, LEAVER, leaver.display_name)]

    predicted = run_playbook(OFFBOARD, env=env, check=True, expect_rc=0)
    assert predicted.result(LEAVER_TASK)["changed"] is True
    assert predicted.result(LEAVER_TASK)["result"]["removed"] == removed
    assert_nobody_is_a_warning(predicted.result(NOBODY_TASK), backend_profile)
    assert emulator.writes() == []
    assert leaver.account_id in emulator.members(STAFF)

    emulator.clear_log()
    real = run_playbook(OFFBOARD, env=env, expect_rc=0)
    assert real.result(LEAVER_TASK)["changed"] is True
    assert real.result(LEAVER_TASK)["result"]["removed"] == removed
    assert_nobody_is_a_warning(real.result(NOBODY_TASK), backend_profile)
    staff = backend_profile.group_ref(STAFF, STAFF_ID)
    assert write_calls(emulator) == [("DELETE", staff, ident, backend_profile.removed)]
    assert leaver.account_id not in emulator.members(STAFF) and len(emulator.members(STAFF)) == 2499

    emulator.clear_log()
    again = run_playbook(OFFBOARD, env=env, expect_rc=0)
    rerun = again.result(LEAVER_TASK)
    assert rerun["changed"] is False and rerun["result"]["removed"] == []
    if backend_profile.finds_deactivated_by_email:
        # Confluence's name search still shows the (deactivated) account: known, and not a member.
        assert not rerun["result"].get("warnings")
    else:
        # Now neither Jira's search nor the member listing knows the address: said, not failed.
        # (The account exists, deactivated: the warning does not say nobody has the address.)
        assert f"No member of {STAFF} has the email '{LEAVER}': no active account" in rerun["result"]["warnings"][0]
    assert_nobody_is_a_warning(again.result(NOBODY_TASK), backend_profile)
    assert emulator.writes() == []
