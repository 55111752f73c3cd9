# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_group_member failures in real ansible-playbook runs: each says what went wrong and what to do, and
nothing is written.

Each test starts its own emulator. The messages are checked for the cause (what Atlassian or the module found) and
the remedy (what the user should change); the emulator's log proves that no membership write was accepted.
"""

from __future__ import annotations

import pytest
from group_member_support import (
    ADMIN,
    BOB,
    DEPLOY_BOT,
    GROUP_IDS,
    IVAN,
    JANE,
    JOHN,
    PAT_TWIN,
    ZOE,
    all_memberships,
    basic_credential,
    group,
    play,
    summary,
    task,
    write_calls,
)

pytestmark = pytest.mark.slow

UNKNOWN_ID = "5b10a2844c20165700edefff"
# Carol's Jira Service Management customer account (the seed's): not a person's Atlassian account, nor an app's.
CAROL_CUSTOMER = "qm:0b9d2a4e-2f7c-4f1e-8a6d-3c5b7e9f1a2d:5c8e1f3a-7b2d-4e6f-9a1c-2d4b6f8e0a13"


def failure(run, name: str) -> dict:
    """The failed, ignored result of task ``name``: nothing reported as changed."""
    recorded = run.result(name)
    assert recorded["failed"] is True, (name, recorded["result"])
    result = recorded["result"]
    assert result["changed"] is False, (name, result)
    assert result.get("added", []) == [] and result.get("removed", []) == [], (name, result)
    return result


def assert_mentions(message: str, *phrases: str) -> None:
    missing = [p for p in phrases if p.lower() not in message.lower()]
    assert not missing, f"{missing} not in: {message}"


# -------------------------------------------------------------------------------------------------- credentials

WRONG_TOKEN = "wrong-token-Zx9qK"
BEARER_API_TOKEN = "ATATT3xFfGF0-admin-api-token-as-bearer"


def test_rejected_credentials_explain_the_fix_and_never_leak_the_secret(emulator, run_playbook, backend_profile):
    url = emulator.url
    auth_play = play(
        task(
            "wrong api token",
            ignore_errors=True,
            url=url,
            username=ADMIN[0],
            api_token=WRONG_TOKEN,
            group="team-design",
            user=ZOE[1],
        ),
        task(
            "api token sent as bearer",
            ignore_errors=True,
            url=url,
            bearer_token=BEARER_API_TOKEN,
            group="team-design",
            user=ZOE[1],
        ),
    )
    run = run_playbook(auth_play, verbosity=4, expect_rc=0)

    wrong = failure(run, "wrong api token")
    assert wrong["status"] == 401
    # Cause (Atlassian's words) and remedy: username is the email, the token is raw, the collection does base64.
    assert_mentions(
        wrong["msg"], "HTTP 401", "Client must be authenticated", "username", "email", "api_token", "base64", "itself"
    )
    bearer = failure(run, "api token sent as bearer")
    assert bearer["status"] == 401
    assert_mentions(bearer["msg"], "HTTP 401", "bearer_token", "api_token", "username", "email", "looks like")

    # Nothing authenticated, so nothing was read or written (a Confluence-only site's 404 to auto's probe of Jira
    # is not an API answer: no Jira there).
    api = [r for r in emulator.log if backend_profile.serves(r.path)]
    assert api and all(r.status == 401 and r.account_id is None for r in api)
    assert emulator.writes() == []
    assert emulator.members("team-design") == set()

    output = run.stdout + run.stderr
    assert "<localhost> ESTABLISH LOCAL CONNECTION" in output  # really -vvvv
    for secret in (WRONG_TOKEN, basic_credential(ADMIN[0], WRONG_TOKEN), BEARER_API_TOKEN):
        assert secret not in output
        assert secret not in str(run.results)


def test_non_admin_writes_fail_per_user_with_the_permission_needed(
    emulator, run_playbook, connection_env, backend_profile
):
    before = all_memberships(emulator)
    bob_play = play(
        task("Bob adds Zoë", ignore_errors=True, group="team-design", user=ZOE[1]),
        task("Bob removes Jane", ignore_errors=True, group="confluence-users", user=JANE[1], state="absent"),
    )
    run = run_playbook(bob_play, env=connection_env(emulator, *BOB), expect_rc=0)

    for name, user, action, group_name in (
        ("Bob adds Zoë", ZOE, "add", "team-design"),
        ("Bob removes Jane", JANE, "remove", "confluence-users"),
    ):
        result = failure(run, name)
        # An apply-time failure: the group and user were found, the write was refused.
        assert result["group"] == group(group_name)
        assert_mentions(result["msg"], "1 of 1 membership changes failed", user[1], "HTTP 403", "site administration")
        [failed_user] = result["failed_users"]
        assert {k: failed_user[k] for k in ("account_id", "email", "display_name")} == summary(user)
        assert failed_user["action"] == action
        assert_mentions(failed_user["reason"], "HTTP 403", *backend_profile.permission_words[:2])

    # The writes were sent and refused (403); nothing changed.
    assert sorted(write_calls(emulator)) == sorted(
        [
            ("POST", GROUP_IDS["team-design"], ZOE[0], 403),
            ("DELETE", GROUP_IDS["confluence-users"], JANE[0], 403),
        ]
    )
    assert all_memberships(emulator) == before


# ----------------------------------------------------------------------------------------- unresolvable input


def resolution_cases(profile) -> dict:
    """RESOLUTION_CASES, as the backend words them. A deactivated user's email resolves on Confluence (its name
    search shows deactivated accounts, and the email is exact), so that case is Jira's alone."""
    cases = {}
    for name, (args, phrases) in RESOLUTION_CASES.items():
        if name == "inactive user by email" and profile.finds_deactivated_by_email:
            continue
        phrases = [p.replace(JIRA_NOT_FOUND, profile.email_not_found) for p in phrases]
        if name == "unknown email" and not profile.name == "jira_cloud":
            phrases = [p for p in phrases if p != "Browse users"]
        if name == "customer account by accountId" and profile.name == "confluence_cloud":
            # Confluence does not know Jira Service Management's portal-only accounts at all.
            phrases = [f"No Atlassian account has accountId '{CAROL_CUSTOMER}'"]
        cases[name] = (args, phrases)
    return cases


JIRA_NOT_FOUND = "No active Atlassian account was found with email"
RESOLUTION_CASES = {
    "unknown group": (
        dict(group="no-such-group", user=JANE[1]),
        ["No group with name 'no-such-group'", "Check the spelling"],
    ),
    "unknown group id": (
        dict(group_id="00000000-0000-4000-8000-000000000000", user=JANE[1]),
        ["No group with id '00000000-0000-4000-8000-000000000000'", "Check the spelling"],
    ),
    "unknown email": (
        dict(group="team-design", user="nobody@acme.example"),
        ["No active Atlassian account was found with email 'nobody@acme.example'", "Browse users", "accountId"],
    ),
    "inactive user by email": (
        dict(group="team-design", user="ivan.former@acme.example"),
        ["'ivan.former@acme.example'", "deactivated", "accountId"],
    ),
    # An email two users share (Jira Data Center only): test_bad_input.py, test_identity_playbooks.py.
    "app account by email": (
        dict(group="team-design", user=DEPLOY_BOT[1]),
        [f"'{DEPLOY_BOT[1]}' belongs to an account of type app", "An app's account can be given by its accountId"],
    ),
    # An app's account by its accountId is accepted (test_identity_playbooks.py); a customer's is not.
    "customer account by accountId": (
        dict(group="team-design", user=CAROL_CUSTOMER),
        [f"accountId '{CAROL_CUSTOMER}' is an account of type customer", "remove customer accounts"],
    ),
    "unknown accountId": (
        dict(group="team-design", user=UNKNOWN_ID),
        [f"No Atlassian account has accountId '{UNKNOWN_ID}'", "Check the accountId"],
    ),
}
PARTIAL = "partially unresolvable list"
PARTIAL_USERS = [JANE[1], "nobody@acme.example", PAT_TWIN[1], ZOE[1], DEPLOY_BOT[1], UNKNOWN_ID]


def test_unresolvable_users_and_groups_fail_before_any_write(emulator, run_playbook, connection_env, backend_profile):
    before = all_memberships(emulator)
    cases = resolution_cases(backend_profile)
    tasks = [task(name, ignore_errors=True, **args) for name, (args, _phrases) in cases.items()]
    # With exclusive, writing the resolvable part would remove every real member whose reference had a typo.
    tasks.append(task(PARTIAL, ignore_errors=True, group="jira-software-users", users=PARTIAL_USERS, exclusive=True))
    run = run_playbook(play(*tasks), env=connection_env(emulator, *ADMIN), expect_rc=0)

    for name, (_args, phrases) in cases.items():
        result = failure(run, name)
        assert_mentions(result["msg"], *phrases)
        if name.startswith("unknown group"):
            assert result["status"] == 404
            assert "group" not in result
        else:
            assert result["group"] == group("team-design")

    partial = failure(run, PARTIAL)
    assert_mentions(
        partial["msg"],
        "3 of 6 users could not be resolved, so nothing was changed",
        "'nobody@acme.example'",
        f"'{DEPLOY_BOT[1]}' belongs to an account of type app",
        f"accountId '{UNKNOWN_ID}'",
    )
    # Pat's address is one Atlassian account's on Cloud: it resolves like Jane's and Zoë's.
    assert all(ref not in partial["msg"] for ref in (JANE[1], ZOE[1], PAT_TWIN[1]))
    assert partial["group"] == group("jira-software-users")

    assert emulator.writes() == []
    assert all_memberships(emulator) == before


# ------------------------------------------------------------------------------------------------------ retries

RETRY_FAULT = {
    "action": "status",
    "status": 503,
    "retry_after": 1,
    "method": "POST",
    "times": None,  # every membership POST (the path is the backend's: backend_profile.write_path)
}


def test_retries_exhausted_names_attempts_and_retry_after(
    emulator_factory, run_playbook, connection_env, backend_profile
):
    emulator = emulator_factory(faults=[{**RETRY_FAULT, "path": backend_profile.write_path}])
    retry_play = play(
        task("add Zoë under a 503 storm", ignore_errors=True, group="team-design", user=ZOE[1], max_retries=1)
    )
    run = run_playbook(retry_play, env=connection_env(emulator, *ADMIN), expect_rc=0)

    result = failure(run, "add Zoë under a 503 storm")
    assert result["group"] == group("team-design")
    assert_mentions(
        result["msg"],
        "1 of 1 membership changes failed",
        ZOE[1],
        "HTTP 503",
        "Gave up after 2 attempts (max_retries=1)",
        "the last Retry-After asked for 1 s",
        "raise max_retries",
    )
    [failed_user] = result["failed_users"]
    assert failed_user["account_id"] == ZOE[0] and failed_user["action"] == "add"
    assert_mentions(failed_user["reason"], "2 attempts", "Retry-After asked for 1 s")

    # Two attempts (1 + max_retries), both refused by the fault; Zoë is not a member, and nothing claims she is.
    assert write_calls(emulator) == [("POST", GROUP_IDS["team-design"], ZOE[0], 503)] * 2
    first, second = emulator.writes()
    assert first.fault == second.fault == "status"
    assert second.started - first.started >= 0.95  # the Retry-After of 1 s was waited out
    assert emulator.members("team-design") == set()


def test_a_failed_write_does_not_stop_the_others_and_a_rerun_converges(
    emulator_factory, run_playbook, connection_env, backend_profile
):
    # Every DELETE of John keeps answering 503; the other writes of the same task go through.
    john_fault = {
        **RETRY_FAULT,
        "path": backend_profile.write_path,
        "method": "DELETE",
        "retry_after": 0,
        "query": {"accountId": JOHN[0]},
    }
    emulator = emulator_factory(faults=[john_fault])
    sync_play = play(
        task(
            "sync team-platform",
            ignore_errors=True,
            group="team-platform",
            users=[JANE[1], ZOE[1]],
            exclusive=True,
            max_retries=1,
        )
    )
    env = connection_env(emulator, *ADMIN)
    run = run_playbook(sync_play, env=env, expect_rc=0)

    recorded = run.result("sync team-platform")
    assert recorded["failed"] is True
    result = recorded["result"]
    # What did change is reported as changed, even though the task failed.
    assert recorded["changed"] is True and result["changed"] is True
    assert result["added"] == [summary(ZOE)]
    assert result["removed"] == [summary(IVAN)]  # Deploy Bot, an app's account, is kept
    assert result["kept"] == [dict(summary(DEPLOY_BOT), reason="app account")]
    [failed_user] = result["failed_users"]
    assert {k: failed_user[k] for k in ("account_id", "email", "display_name", "action")} == {
        **summary(JOHN),
        "action": "remove",
    }
    assert_mentions(
        result["msg"], "1 of 3 membership changes failed", "the others were applied", "re-run", JOHN[1], "HTTP 503"
    )
    assert emulator.members("team-platform") == {JANE[0], ZOE[0], JOHN[0], DEPLOY_BOT[0]}
    tp = GROUP_IDS["team-platform"]
    assert sorted(write_calls(emulator)) == sorted(
        [
            ("POST", tp, ZOE[0], backend_profile.added),
            ("DELETE", tp, IVAN[0], backend_profile.removed),
            ("DELETE", tp, JOHN[0], 503),
            ("DELETE", tp, JOHN[0], 503),
        ]
    )

    # The outage is over: the same task removes only John, then nothing is left to do.
    emulator.configure(faults=[])
    emulator.clear_log()
    rerun = run_playbook(sync_play, env=env, expect_rc=0)
    fixed = rerun.result("sync team-platform")
    assert fixed["failed"] is False and fixed["changed"] is True
    assert fixed["result"]["added"] == [] and fixed["result"]["removed"] == [summary(JOHN)]
    assert write_calls(emulator) == [("DELETE", tp, JOHN[0], backend_profile.removed)]
    assert emulator.members("team-platform") == {JANE[0], ZOE[0], DEPLOY_BOT[0]}
