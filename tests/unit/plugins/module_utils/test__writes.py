# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The batch of membership writes shared by both views: how its outcome is reported (the sending is covered by the
membership and person services' tests, over real HTTP)."""

from __future__ import annotations

from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._writes import ApplyResult

JANE = User("j1", "jane@acme.example", "Jane")
TEAM = Group("team-a", "g1")


def test_predicted_is_what_a_real_run_would_report():
    result = ApplyResult.predicted("group changes", [TEAM], [])
    assert (result.added, result.removed, result.attempted, result.changed) == ([TEAM], [], 1, True)
    assert not ApplyResult.predicted("group changes", [], []).changed


def test_failures_say_whether_the_others_went_through():
    partial = ApplyResult("membership changes", added=[JANE], attempted=2)
    partial.failures.append(("remove", User("b1", "bob@acme.example"), "removing bob@acme.example failed: X."))
    assert partial.failure_message() == (
        "1 of 2 membership changes failed; the others were applied, and a re-run retries only what is still missing: "
        "removing bob@acme.example failed: X."
    )
    assert partial.failure_details() == [
        {"account_id": "b1", "email": "bob@acme.example", "display_name": None, "action": "remove",
         "reason": "removing bob@acme.example failed: X."}
    ]  # fmt: skip
    total = ApplyResult("group changes", attempted=1, failures=[("add", TEAM, "adding jane to team-a failed: Y.")])
    assert total.failure_message() == (
        "1 of 1 group changes failed, so nothing was changed; fix the cause given for each and re-run: adding jane to "
        "team-a failed: Y."
    )
    assert total.failure_details() == [
        {"name": "team-a", "group_id": "g1", "action": "add", "reason": total.failures[0][2]}
    ]
