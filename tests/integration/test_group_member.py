# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_group_member in real ansible-playbook runs of the built and installed collection, against the emulator.

Every test starts its own emulator with the default seed, asserts on the recorded task results and on the emulator's
state and request log, then runs the same play again to prove it converged (no change, no write request).
Error cases are in test_group_member_errors.py.
"""

from __future__ import annotations

import pytest
from group_member_support import (
    ADA,
    ADMIN,
    BOB_USER,
    CAROL,
    DEPLOY_BOT,
    GROUP_IDS,
    HANA,
    HANA_EMAIL,
    IVAN,
    JANE,
    JO_BLOGGS,
    JO_MARCH,
    JOHN,
    OTTO,
    ZOE,
    all_memberships,
    group,
    play,
    summary,
    task,
    write_calls,
)

pytestmark = pytest.mark.slow


def assert_converged(run, emulator, tasks: list[str]) -> None:
    """A repeated run: every task ok and unchanged, nothing added or removed, and no write request sent."""
    assert run.rc == 0, run.describe()
    for name in tasks:
        result = run.result(name)
        assert result["changed"] is False, (name, result["result"])
        assert result["result"]["added"] == [] and result["result"]["removed"] == [], (name, result["result"])
    assert run.stats["localhost"]["changed"] == 0
    assert emulator.writes() == []


# ---------------------------------------------------------------------------------------------------- add / remove

ROUND_TRIP = play(
    task("add by email, group by name", group="team-design", user=CAROL[1]),
    task("add by accountId, group by id", group_id=GROUP_IDS["team-design"], user=ZOE[0]),
    task("remove by email, group by id", group_id=GROUP_IDS["confluence-users"], user=JANE[1], state="absent"),
    task("remove by accountId, group by name", group="confluence-users", user=HANA[0], state="absent"),
)


def test_add_and_remove_by_email_and_account_id_then_converge(emulator, run_playbook, connection_env, backend_profile):
    ok_add, ok_remove = backend_profile.added, backend_profile.removed
    env = connection_env(emulator, *ADMIN)
    run = run_playbook(ROUND_TRIP, env=env, expect_rc=0)

    expected = {
        # carol@acme.example is also a JSM customer account's email: only the person's account counts.
        "add by email, group by name": ("team-design", [CAROL], []),
        "add by accountId, group by id": ("team-design", [ZOE], []),
        "remove by email, group by id": ("confluence-users", [], [JANE]),
        # Hana hides her email: null in the result, never guessed.
        "remove by accountId, group by name": ("confluence-users", [], [HANA]),
    }
    for name, (group_name, added, removed) in expected.items():
        result = run.result(name)
        assert result["changed"] is True, (name, result["result"])
        assert result["result"]["group"] == group(group_name), name
        assert result["result"]["added"] == [summary(u) for u in added], name
        assert result["result"]["removed"] == [summary(u) for u in removed], name
    assert run.stats["localhost"]["changed"] == 4

    assert emulator.members("team-design") == {CAROL[0], ZOE[0]}
    assert emulator.members("confluence-users") == {ZOE[0]}
    # One write each, by groupId and accountId, all accepted.
    assert sorted(write_calls(emulator)) == sorted(
        [
            ("POST", GROUP_IDS["team-design"], CAROL[0], ok_add),
            ("POST", GROUP_IDS["team-design"], ZOE[0], ok_add),
            ("DELETE", GROUP_IDS["confluence-users"], JANE[0], ok_remove),
            ("DELETE", GROUP_IDS["confluence-users"], HANA[0], ok_remove),
        ]
    )

    before = all_memberships(emulator)
    emulator.clear_log()
    again = run_playbook(ROUND_TRIP, env=env)
    assert_converged(again, emulator, list(expected))
    for name, (group_name, _added, _removed) in expected.items():
        assert again.result(name)["result"]["group"] == group(group_name)
    assert all_memberships(emulator) == before


def identity_play(profile) -> list:
    # Hana hides her email: by the exact address where the backend can find her so (Jira), else by accountId
    # (Confluence refuses the address rather than guess: test_confluence_site.py).
    return play(
        task("same person by email and accountId", group="team-design", users=[ZOE[1], ZOE[0], ZOE[1].upper()]),
        task("hidden email by exact address", group="team-design", user=profile.hidden_email_ref(HANA[0], HANA_EMAIL)),
        task("prefix trap", group="team-design", user=JO_MARCH[1]),
    )


def test_user_references_resolve_to_exactly_one_person(emulator, run_playbook, connection_env, backend_profile):
    env = connection_env(emulator, *ADMIN)
    IDENTITY = identity_play(backend_profile)
    run = run_playbook(IDENTITY, env=env, expect_rc=0)

    twice = run.result("same person by email and accountId")
    assert twice["changed"] is True
    assert twice["result"]["added"] == [summary(ZOE)]
    hidden = run.result("hidden email by exact address")
    assert hidden["result"]["added"] == [summary(HANA)]  # email null: Atlassian never shows it
    prefix = run.result("prefix trap")
    # user/search is prefix-based, so jo@acme.example also finds jo@acme.example.au (Jo Bloggs).
    assert prefix["result"]["added"] == [summary(JO_MARCH)]

    # Zoë listed three times is one write; Jo Bloggs is never touched.
    assert write_calls(emulator) == [
        ("POST", GROUP_IDS["team-design"], ZOE[0], backend_profile.added),
        ("POST", GROUP_IDS["team-design"], HANA[0], backend_profile.added),
        ("POST", GROUP_IDS["team-design"], JO_MARCH[0], backend_profile.added),
    ]
    assert emulator.members("team-design") == {ZOE[0], HANA[0], JO_MARCH[0]}

    # Hana is now a member whose email the member pages do not show: she must still be recognised.
    emulator.clear_log()
    assert_converged(run_playbook(IDENTITY, env=env), emulator, [t["name"] for t in IDENTITY[0]["tasks"]])
    assert emulator.members("team-design") == {ZOE[0], HANA[0], JO_MARCH[0]}


# ------------------------------------------------------------------------------------------------ check and diff

SYNC_PLATFORM = "make team-platform exactly Jane and Zoë"
DROP_JANE = "drop Jane from confluence-users"
CHECK_DIFF = play(
    task(SYNC_PLATFORM, group="team-platform", users=[JANE[1], ZOE[1]], exclusive=True),
    task(DROP_JANE, group="confluence-users", user=JANE[1], state="absent"),
)
EXPECTED_CHANGES = {
    # removed in the module's order: by email (accountId when hidden), case-insensitively. Deploy Bot is an app's
    # account, which exclusive keeps (these profiles are Cloud's, where accounts have types).
    SYNC_PLATFORM: ([ZOE], [IVAN, JOHN]),
    DROP_JANE: ([], [JANE]),
}
EXPECTED_DIFF = {
    SYNC_PLATFORM: {
        "before": {
            "group": "team-platform",
            "members": ["deploy-bot@acme.example", "ivan.former@acme.example", JANE[1], JOHN[1]],
        },
        "after": {"group": "team-platform", "members": ["deploy-bot@acme.example", JANE[1], ZOE[1]]},
    },
    # Hana hides her email: her name stands beside her accountId (issue 22).
    DROP_JANE: {
        "before": {"group": "confluence-users", "members": [f"{HANA[2]} ({HANA[0]})", JANE[1], ZOE[1]]},
        "after": {"group": "confluence-users", "members": [f"{HANA[2]} ({HANA[0]})", ZOE[1]]},
    },
}


def outcome(run, name: str) -> tuple[bool, list, list]:
    result = run.result(name)
    return result["changed"], result["result"]["added"], result["result"]["removed"]


def test_check_mode_predicts_the_real_run_and_diff_shows_members(
    emulator, run_playbook, connection_env, backend_profile
):
    ok_add, ok_remove = backend_profile.added, backend_profile.removed
    env = connection_env(emulator, *ADMIN)
    before = all_memberships(emulator)

    # --check --diff: the prediction and the diff, without a single write.
    predicted = run_playbook(CHECK_DIFF, env=env, check=True, diff=True, expect_rc=0)
    for name, (added, removed) in EXPECTED_CHANGES.items():
        assert outcome(predicted, name) == (True, [summary(u) for u in added], [summary(u) for u in removed])
        assert predicted.result(name)["diff"] == EXPECTED_DIFF[name]
    assert "--- before" in predicted.stdout and "+++ after" in predicted.stdout
    assert emulator.writes() == []
    assert all_memberships(emulator) == before

    # --check alone: the same prediction, no diff, still no write.
    checked = run_playbook(CHECK_DIFF, env=env, check=True, expect_rc=0)
    for name in EXPECTED_CHANGES:
        assert outcome(checked, name) == outcome(predicted, name)
        assert "diff" not in checked.result(name)["result"]
    assert emulator.writes() == []
    assert all_memberships(emulator) == before

    # The real run (with --diff) reports exactly what check mode predicted.
    real = run_playbook(CHECK_DIFF, env=env, diff=True, expect_rc=0)
    for name in EXPECTED_CHANGES:
        assert outcome(real, name) == outcome(predicted, name)
        assert real.result(name)["diff"] == EXPECTED_DIFF[name]
    assert sorted(write_calls(emulator)) == sorted(
        [
            ("POST", GROUP_IDS["team-platform"], ZOE[0], ok_add),
            ("DELETE", GROUP_IDS["team-platform"], IVAN[0], ok_remove),
            ("DELETE", GROUP_IDS["team-platform"], JOHN[0], ok_remove),
            ("DELETE", GROUP_IDS["confluence-users"], JANE[0], ok_remove),
        ]
    )
    assert emulator.members("team-platform") == {JANE[0], ZOE[0], DEPLOY_BOT[0]}
    assert emulator.members("confluence-users") == {HANA[0], ZOE[0]}
    assert real.result(SYNC_PLATFORM)["result"]["kept"] == [dict(summary(DEPLOY_BOT), reason="app account")]

    # Converged: check+diff now predicts nothing, and before == after.
    emulator.clear_log()
    settled = run_playbook(CHECK_DIFF, env=env, check=True, diff=True)
    assert_converged(settled, emulator, list(EXPECTED_CHANGES))
    for name in EXPECTED_CHANGES:
        diff = settled.result(name)["diff"]
        assert diff["before"] == diff["after"] == EXPECTED_DIFF[name]["after"]


# ----------------------------------------------------------------------------------------------------- exclusive


def exclusive_play(profile) -> list:
    return play(
        task(
            "exclusive jira-software-users",
            group="jira-software-users",
            users=[JANE[1], profile.hidden_email_ref(HANA[0], HANA_EMAIL), JO_MARCH[0], ZOE[1]],
            exclusive=True,
        ),
        task("exclusive site-admins without the caller", group="site-admins", users=[OTTO[1]], exclusive=True),
    )


def test_exclusive_removes_unlisted_members_but_never_the_caller(
    emulator, run_playbook, connection_env, backend_profile
):
    EXCLUSIVE = exclusive_play(backend_profile)
    env = connection_env(emulator, *ADMIN)  # Ada: in both groups, and listed in neither
    run = run_playbook(EXCLUSIVE, env=env, expect_rc=0)

    synced = run.result("exclusive jira-software-users")
    assert synced["changed"] is True
    assert synced["result"]["group"] == group("jira-software-users")
    assert synced["result"]["added"] == [summary(ZOE)]
    # Every unlisted member, Ivan (inactive) included, and Ada kept.
    assert synced["result"]["removed"] == [summary(u) for u in (BOB_USER, IVAN, JO_BLOGGS, JOHN, OTTO)]
    kept = run.result("exclusive site-admins without the caller")
    assert kept["changed"] is False
    assert kept["result"]["added"] == [] and kept["result"]["removed"] == []
    # Ada is kept and says so in kept, not in a warning: the task asked for that (issue 22: converged runs are quiet).
    for result in (synced, kept):
        assert [(u["email"], u["reason"]) for u in result["result"]["kept"]] == [(ADA[1], "calling account")]
        assert not result["result"].get("warnings"), result["result"].get("warnings")
    assert "[WARNING]" not in run.stdout + run.stderr

    assert emulator.members("jira-software-users") == {ADA[0], JANE[0], HANA[0], JO_MARCH[0], ZOE[0]}
    assert emulator.members("site-admins") == {ADA[0], OTTO[0]}
    jsu = GROUP_IDS["jira-software-users"]
    assert sorted(write_calls(emulator)) == sorted(
        [("POST", jsu, ZOE[0], backend_profile.added)]
        + [("DELETE", jsu, u[0], backend_profile.removed) for u in (BOB_USER, JO_BLOGGS, IVAN, JOHN, OTTO)]
    )
    assert all(account_id != ADA[0] for _m, _g, account_id, _s in write_calls(emulator))

    emulator.clear_log()
    again = run_playbook(EXCLUSIVE, env=env)
    assert_converged(again, emulator, [t["name"] for t in EXCLUSIVE[0]["tasks"]])
    # The converged run is quiet: no warning for what the task asked for (issue 22).
    assert "[WARNING]" not in again.stdout + again.stderr
    assert again.result("exclusive site-admins without the caller")["result"]["kept"][0]["email"] == ADA[1]
    assert emulator.members("jira-software-users") == {ADA[0], JANE[0], HANA[0], JO_MARCH[0], ZOE[0]}


# -------------------------------------------------------------------------------------------- more than 50 members

BIG = "big-group"


def test_group_of_more_than_50_members_is_read_to_the_last_page(
    emulator, run_playbook, connection_env, backend_profile
):
    profile = backend_profile
    env = connection_env(emulator, *ADMIN)
    members = emulator.state.members(GROUP_IDS[BIG])  # in the API's order: 120 members, pages of 50 (Jira) or 200
    assert len(members) == 120
    # Two members only the third page shows: 0105 hides its email, 0110 is inactive.
    dropped = [m for m in members if m.display_name in ("big-group member 0105", "big-group member 0110")]
    assert [members.index(m) for m in dropped] == [104, 109]
    keep = [m.account_id for m in members if m not in dropped]
    big_play = play(
        task("add a new member", group_id=GROUP_IDS[BIG], user=ZOE[1]),
        task("exclusive sync", group=BIG, users=keep + [ZOE[1]], exclusive=True),
    )
    run = run_playbook(big_play, env=env, expect_rc=0)

    added = run.result("add a new member")
    assert added["changed"] is True
    assert added["result"]["added"] == [summary(ZOE)]
    assert added["result"]["group"] == group(BIG)
    synced = run.result("exclusive sync")
    assert synced["changed"] is True
    assert synced["result"]["added"] == []
    assert sorted(synced["result"]["removed"], key=lambda u: u["display_name"]) == [
        {"account_id": dropped[0].account_id, "email": None, "display_name": "big-group member 0105"},
        {
            "account_id": dropped[1].account_id,
            "email": "big-group-0110@bulk.example",
            "display_name": "big-group member 0110",
        },
    ]
    assert emulator.members(BIG) == set(keep) | {ZOE[0]}
    assert sorted(write_calls(emulator)) == sorted(
        [("POST", GROUP_IDS[BIG], ZOE[0], profile.added)]
        + [("DELETE", GROUP_IDS[BIG], m.account_id, profile.removed) for m in dropped]
    )

    # The exclusive task (everything after the first task's POST) read every page of the 121 members before its
    # first DELETE: 0, 50 and 100 on Jira, in any order (later pages may be fetched concurrently); 0 on Confluence.
    pages = list(range(0, 121, profile.page_size))
    log = emulator.log
    assert all(profile.reads_every_member_of(r, GROUP_IDS[BIG]) for r in profile.member_reads(emulator, GROUP_IDS[BIG]))
    post = next(i for i, r in enumerate(log) if r.method == "POST")
    first_delete = next(i for i, r in enumerate(log) if r.method == "DELETE" and r.path == profile.write_path)
    exclusive_reads = [r for r in log[post:] if profile.is_member_read(r, GROUP_IDS[BIG])]
    assert profile.page_starts(exclusive_reads) == pages
    assert all(log.index(r) < first_delete for r in exclusive_reads)

    emulator.clear_log()
    again = run_playbook(big_play, env=env)
    assert_converged(again, emulator, ["add a new member", "exclusive sync"])
    # Again every page, each once (the first task may also have read the first page).
    starts = profile.page_starts(profile.member_reads(emulator, GROUP_IDS[BIG]))
    assert set(starts) == set(pages) and all(starts.count(start) == 1 for start in pages[1:])
    assert emulator.members(BIG) == set(keep) | {ZOE[0]}


def test_member_pages_are_followed_when_atlassian_lowers_max_results(
    emulator_factory, run_playbook, connection_env, backend_profile
):
    # Atlassian may silently cap the page size below what was asked: the next page must start at what came back.
    emulator = emulator_factory(**{backend_profile.page_cap_knob: 20})
    members = emulator.state.members(GROUP_IDS[BIG])
    dropped = [members[19], members[119]]  # the last of the first page, the last of all
    keep = [m.account_id for m in members if m not in dropped]
    run = run_playbook(
        play(task("exclusive sync", group=BIG, users=keep, exclusive=True)),
        env=connection_env(emulator, *ADMIN),
        expect_rc=0,
    )
    removed = run.result("exclusive sync")["result"]["removed"]
    assert sorted(u["account_id"] for u in removed) == sorted(m.account_id for m in dropped)
    assert emulator.members(BIG) == set(keep)
    reads = backend_profile.member_reads(emulator)
    assert backend_profile.page_starts(reads) == list(range(0, 120, 20))
    assert all(r.query[backend_profile.page_size_param] == [str(backend_profile.page_size)] for r in reads)


# ---------------------------------------------------------------------------------------------------- connection


def test_module_defaults_action_group_sets_the_connection(emulator, run_playbook, backend_profile):
    defaults_play = play(
        task("add Zoë", group="team-design", user=ZOE[1]),
        module_defaults={
            "group/orgsync.atlassian.atlassian": {
                "url": "{{ atlassian_url }}",
                "username": "{{ atlassian_username }}",
                "api_token": "{{ atlassian_api_token }}",
            }
        },
    )
    # No ATLASSIAN_* variable reaches the run (the harness scrubs them): only module_defaults can connect it.
    extra_vars = {"atlassian_url": emulator.url, "atlassian_username": ADMIN[0], "atlassian_api_token": ADMIN[1]}
    run = run_playbook(defaults_play, extra_vars=extra_vars, expect_rc=0)
    result = run.result("add Zoë")
    assert result["changed"] is True
    assert result["result"]["added"] == [summary(ZOE)]
    assert result["result"]["invocation"]["module_args"]["url"] == emulator.url
    assert emulator.members("team-design") == {ZOE[0]}
    # Every request to the backend's API authenticated as Ada.
    assert {r.account_id for r in emulator.log if backend_profile.serves(r.path)} == {ADA[0]}
    assert ADMIN[1] not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("credentials", "caller"),
    [
        pytest.param({"ATLASSIAN_EMAIL": ADMIN[0], "ATLASSIAN_API_TOKEN": ADMIN[1]}, ADA, id="email-api-token"),
        pytest.param({"ATLASSIAN_BEARER_TOKEN": "oauth-bearer-token"}, OTTO, id="bearer"),
    ],
)
def test_connection_from_environment_only(emulator, run_playbook, connection_env, backend_profile, credentials, caller):
    env_play = play(task("add Zoë", group="team-design", user=ZOE[1]))
    run = run_playbook(env_play, env=connection_env(emulator, **credentials), expect_rc=0)
    result = run.result("add Zoë")
    assert result["changed"] is True
    assert result["result"]["added"] == [summary(ZOE)]
    assert result["result"]["group"] == group("team-design")
    assert emulator.members("team-design") == {ZOE[0]}
    assert {r.account_id for r in emulator.log if backend_profile.serves(r.path)} == {caller[0]}
    assert write_calls(emulator) == [("POST", GROUP_IDS["team-design"], ZOE[0], backend_profile.added)]
