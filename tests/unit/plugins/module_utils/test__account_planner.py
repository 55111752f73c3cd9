# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The pure account planner (issue 18): every status before, every state wanted, on the abilities of each kind of
backend; refusals before any request; and convergence (a second run plans nothing)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import (
    ACTIVE,
    CREATE,
    DEACTIVATED,
    INVITED,
    MISSING,
    NOTHING,
    PRESENT,
    REACTIVATE,
    RESTORE,
    STATES,
    STATUSES,
    SUSPEND,
    SUSPENDED,
    AccountAbilities,
    plan_account,
    refusal_for,
)

ADMIN = AccountAbilities(
    "admin", create=True, suspend_as=SUSPENDED, restore=True, restore_remedy="user management API lifecycle/enable"
)
JIRA_CLOUD = AccountAbilities(
    "jira_cloud", create=True, suspend_remedy="use backend admin", restore_remedy="restore it with backend admin"
)
DATACENTER = AccountAbilities(
    "jira_datacenter", create=True, created_status=ACTIVE, suspend_as=DEACTIVATED, reactivate=True
)
NOTHING_AT_ALL = AccountAbilities("confluence_cloud", create_remedy="use backend admin or jira_cloud")
BACKENDS = (ADMIN, JIRA_CLOUD, DATACENTER, NOTHING_AT_ALL)

# (backend, status before, state) -> (action, status after, refused?)
EXPECTED = {
    (ADMIN, MISSING, PRESENT): (CREATE, INVITED, False),
    (ADMIN, ACTIVE, PRESENT): (NOTHING, ACTIVE, False),
    (ADMIN, INVITED, PRESENT): (NOTHING, INVITED, False),
    (ADMIN, SUSPENDED, PRESENT): (RESTORE, ACTIVE, False),
    (ADMIN, DEACTIVATED, PRESENT): (NOTHING, DEACTIVATED, True),
    (ADMIN, MISSING, SUSPENDED): (NOTHING, MISSING, False),
    (ADMIN, ACTIVE, SUSPENDED): (SUSPEND, SUSPENDED, False),
    (ADMIN, INVITED, SUSPENDED): (SUSPEND, SUSPENDED, False),
    (ADMIN, SUSPENDED, SUSPENDED): (NOTHING, SUSPENDED, False),
    (ADMIN, DEACTIVATED, SUSPENDED): (NOTHING, DEACTIVATED, False),
    (JIRA_CLOUD, MISSING, PRESENT): (CREATE, INVITED, False),
    (JIRA_CLOUD, ACTIVE, PRESENT): (NOTHING, ACTIVE, False),
    (JIRA_CLOUD, SUSPENDED, PRESENT): (NOTHING, SUSPENDED, True),
    (JIRA_CLOUD, ACTIVE, SUSPENDED): (NOTHING, ACTIVE, True),
    (DATACENTER, MISSING, PRESENT): (CREATE, ACTIVE, False),
    (DATACENTER, DEACTIVATED, PRESENT): (REACTIVATE, ACTIVE, False),
    (DATACENTER, ACTIVE, SUSPENDED): (SUSPEND, DEACTIVATED, False),
    (DATACENTER, DEACTIVATED, SUSPENDED): (NOTHING, DEACTIVATED, False),
    (NOTHING_AT_ALL, MISSING, PRESENT): (NOTHING, MISSING, True),
    (NOTHING_AT_ALL, ACTIVE, PRESENT): (NOTHING, ACTIVE, False),
}


@pytest.mark.parametrize(("backend", "status", "state"), list(EXPECTED), ids=lambda v: getattr(v, "backend", v))
def test_each_status_and_state(backend, status, state):
    step = plan_account(backend, status, state)
    action, after, refused = EXPECTED[(backend, status, state)]
    assert (step.action, step.status_after, step.refusal is not None) == (action, after, refused)
    assert step.changed == (action != NOTHING)
    if refused:
        if status == MISSING:
            assert step.remedy == backend.create_remedy
        else:
            assert step.remedy == (backend.restore_remedy if state == PRESENT else backend.suspend_remedy)
        assert step.remedy


def test_refusals_before_any_request_name_the_remedy():
    assert refusal_for(JIRA_CLOUD, SUSPENDED) == (
        "backend jira_cloud cannot suspend or deactivate an account: its API has no such operation",
        "use backend admin",
    )
    message, remedy = refusal_for(NOTHING_AT_ALL, PRESENT)
    assert "cannot create, invite or restore" in message and remedy == "use backend admin or jira_cloud"
    assert refusal_for(NOTHING_AT_ALL, SUSPENDED)[1] == ""
    assert [refusal_for(b, s) for b in (ADMIN, DATACENTER) for s in STATES] == [None] * 4
    assert refusal_for(JIRA_CLOUD, PRESENT) is None


def test_unknown_values_are_bugs():
    with pytest.raises(ValueError):
        plan_account(ADMIN, "pending", PRESENT)
    with pytest.raises(ValueError):
        plan_account(ADMIN, ACTIVE, "absent")


def read_back(status: str) -> str:
    """What the API shows on the next run: an invitation reads as an active account."""
    return ACTIVE if status == INVITED else status


@given(st.sampled_from(BACKENDS), st.sampled_from(STATUSES), st.lists(st.sampled_from(STATES), min_size=1, max_size=4))
def test_a_second_run_plans_nothing(backend, status, states):
    """Whatever the status and the sequence of states asked, each run that is not refused leaves a status the same
    state then keeps without any action, and a refused step changes nothing."""
    for state in states:
        step = plan_account(backend, status, state)
        if step.refusal is not None:
            assert step.action == NOTHING and step.status_after == status
            continue
        status = read_back(step.status_after)
        again = plan_account(backend, status, state)
        assert again.action == NOTHING and again.refusal is None
        if state == PRESENT:
            assert status in (ACTIVE, INVITED)
        else:
            assert status in (SUSPENDED, DEACTIVATED, MISSING)
