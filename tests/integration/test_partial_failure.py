# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Partial failure in bulk tasks.

- Users that cannot be resolved stop the task before any write, and the message lists each of them with its reason.
- When some writes fail (here one refused with 403, one whose retries run out), each failure is reported with its
  reason, every other change is applied and reported, and a re-run converges with no duplicate write.
"""

from __future__ import annotations

import pytest
from group_member_support import ADMIN, play, task
from reliability_support import DEPLOY_BOT, IVAN, JANE, JOHN, PAT, ZOE, ids, settle, writes

pytestmark = [pytest.mark.slow, pytest.mark.backends("admin", "confluence_cloud", "jira_cloud", "jira_datacenter")]

UNKNOWN_ID = "5b10a2844c20165700edefff"

FORBIDDEN = "You cannot remove this user: the membership is managed by your identity provider."


def test_unresolvable_users_fail_before_any_write_listing_each(emulator, run_playbook, connection_env, backend_profile):
    users = ["jane@acme.example", "nobody@acme.example", "pat@acme.example", UNKNOWN_ID, ZOE]
    run = run_playbook(
        play(task("onboard", group="team-design", users=users, ignore_errors=True)),
        env=connection_env(emulator, *ADMIN),
    )
    recorded = run.result("onboard")
    result = recorded["result"]
    assert recorded["failed"] is True and result["changed"] is False
    expected = [f"{backend_profile.email_not_found} 'nobody@acme.example'"]
    if not backend_profile.unique_emails:
        # Pat's email is two users' on Data Center only (on Cloud an address is one Atlassian account's).
        expected.append("'pat@acme.example' is ambiguous: 2 accounts have this email")
    expected.append(f"'{UNKNOWN_ID}'")
    assert result["msg"].startswith(f"{len(expected)} of 5 users could not be resolved, so nothing was changed: ")
    problems = result["msg"].split(": ", 1)[1].split(" | ")
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem, (problem, fragment)
    assert "jane@acme.example" not in result["msg"] and ZOE not in result["msg"]
    assert emulator.writes() == []
    assert emulator.members("team-design") == set()


def test_failed_writes_are_reported_the_others_applied_and_a_rerun_converges(
    emulator_factory, run_playbook, connection_env, backend_profile
):
    if not backend_profile.knows_caller:
        pytest.skip(
            "this sync is exclusive, which the Admin API refuses (test_admin_site.py); its failed writes are reported "
            "and the others applied in the in-process suites (test_a_failed_write_fails_the_task_but_keeps_the_others)"
        )
    writes_to = backend_profile.write_path
    ok_add, ok_remove = backend_profile.added, backend_profile.removed
    emulator = emulator_factory(
        faults=[
            # John's removal is refused for good; Ivan's keeps failing with 503 until the retry budget (1) runs out.
            {"action": "status", "status": 403, "body": backend_profile.error_body(403, FORBIDDEN), "method": "DELETE",
             "path": writes_to, "query": backend_profile.user_query(JOHN), "times": None},
            {"action": "status", "status": 503, "method": "DELETE", "path": writes_to,
             "query": backend_profile.user_query(IVAN), "times": None},
        ]
    )  # fmt: skip
    sync = play(
        task(
            "sync",
            group="team-platform",
            users=["jane@acme.example", "zoe@acme.example", PAT],
            exclusive=True,
            max_retries=1,
            ignore_errors=True,
        )
    )
    env = connection_env(emulator, *ADMIN)
    run = run_playbook(sync, env=env)

    recorded = run.result("sync")
    result = recorded["result"]
    assert recorded["failed"] is True
    # Everything else was applied, and reported as changed although the task failed. Deploy Bot is an app's
    # account: exclusive keeps it where accounts have types (on Data Center it is a user, and removed).
    app = {DEPLOY_BOT} if backend_profile.account_types else set()
    bot_removed = {DEPLOY_BOT} - app
    assert result["changed"] is True
    assert ids(result["added"]) == {ZOE, PAT} and ids(result["removed"]) == bot_removed
    assert emulator.members("team-platform") == {JANE, ZOE, PAT, JOHN, IVAN} | app
    failed = {backend_profile.ident(f): f for f in result["failed_users"]}
    assert set(failed) == {JOHN, IVAN} and {f["action"] for f in failed.values()} == {"remove"}
    assert failed[JOHN]["reason"].startswith(
        f"removing john.smith@acme.example from team-platform failed: DELETE {writes_to} answered HTTP 403. "
        f"Atlassian said: {FORBIDDEN} The account is authenticated but lacks permission."
    )
    assert failed[IVAN]["reason"] == (
        f"removing ivan.former@acme.example from team-platform failed: DELETE {writes_to} kept failing "
        "(HTTP 503). Gave up after 2 attempts (max_retries=1). Run again later, or raise max_retries."
    )
    assert result["msg"].startswith(f"2 of {4 + len(bot_removed)} membership changes failed; the others were applied")
    assert "removing john.smith@acme.example from team-platform failed: DELETE" in result["msg"]
    assert "removing ivan.former@acme.example from team-platform failed: DELETE" in result["msg"]
    # One attempt per write, except the 503s retried within the budget; the 403 is not retried.
    assert sorted(writes(settle(emulator))) == sorted(
        [
            ("POST", ZOE, ok_add),
            ("POST", PAT, ok_add),
            *[("DELETE", bot, ok_remove) for bot in bot_removed],
            ("DELETE", JOHN, 403),
            ("DELETE", IVAN, 503),
            ("DELETE", IVAN, 503),
        ]
    )

    # The causes are fixed: the re-run sends exactly the two missing writes, once each, and then nothing is left.
    emulator.configure(faults=[])
    emulator.clear_log()
    rerun = run_playbook(sync, env=env).result("sync")
    assert rerun["failed"] is False and rerun["result"]["changed"] is True
    assert rerun["result"]["added"] == [] and ids(rerun["result"]["removed"]) == {JOHN, IVAN}
    assert sorted(writes(settle(emulator))) == sorted([("DELETE", JOHN, ok_remove), ("DELETE", IVAN, ok_remove)])
    assert emulator.members("team-platform") == {JANE, ZOE, PAT} | app
