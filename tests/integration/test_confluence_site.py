# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Issue 9's "done when", on the sites it names: a Confluence-only Cloud site with no backend set, a site with both
products over one directory, and what Confluence cannot do (a hidden email) said plainly.

These run once, not per backend profile: the site is the subject.
"""

from __future__ import annotations

import copy

import pytest
from group_member_support import ADMIN, GROUP_IDS, HANA, HANA_EMAIL, JANE, ZOE, play, summary, task, write_calls

from atlassian_emulator import DEFAULT_SEED_PATH, load_seed

pytestmark = pytest.mark.slow

HUGE = "huge-group"
HUGE_ID = "4a6e6d65-0000-4000-8000-000000000250"


@pytest.fixture
def backend_profile():
    """Overrides the suite-wide parametrization: these tests choose their sites themselves."""
    from backend_table import CONFLUENCE_CLOUD

    return CONFLUENCE_CLOUD


def huge_seed() -> dict:
    seed = copy.deepcopy(load_seed(DEFAULT_SEED_PATH))
    seed["generate"].append({"group": HUGE, "group_id": HUGE_ID, "members": 250, "email_domain": "bulk.example"})
    return seed


def test_a_confluence_only_site_with_no_backend_set(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(huge_seed(), products=("confluence",))
    env = connection_env(emulator, *ADMIN)
    members = emulator.state.members(HUGE_ID)
    dropped = [members[10], members[210]]  # one on each of the two pages of 200
    keep = [m.account_id for m in members if m not in dropped]
    site_play = play(
        task("add by accountId", group="team-design", user=ZOE[0]),
        task("add by a visible email", group="team-design", user=JANE[1]),
        task("remove", group="confluence-users", user=ZOE[1], state="absent"),
        task("exclusive on more than 200 members", group=HUGE, users=keep, exclusive=True),
    )
    run = run_playbook(site_play, env=env, expect_rc=0)
    for name in ("add by accountId", "add by a visible email", "remove", "exclusive on more than 200 members"):
        assert run.result(name)["changed"] is True, name
        assert run.result(name)["result"]["backend"] == "confluence_cloud"
    assert run.result("add by accountId")["result"]["added"][0]["account_id"] == ZOE[0]
    assert run.result("add by a visible email")["result"]["added"][0]["account_id"] == JANE[0]
    assert run.result("remove")["result"]["removed"][0]["account_id"] == ZOE[0]
    removed = run.result("exclusive on more than 200 members")["result"]["removed"]
    assert sorted(u["account_id"] for u in removed) == sorted(m.account_id for m in dropped)
    assert emulator.members("team-design") == {ZOE[0], JANE[0]}
    assert emulator.members(HUGE) == set(keep)
    # auto asked once per task (the 404 of a site without Jira), and the exclusive task read both pages.
    assert [r.status for r in emulator.log if r.path == "/rest/api/2/serverInfo"] == [404] * 4
    huge_pages = sorted(
        int(r.query["start"][0]) for r in emulator.log if f"/group/{HUGE_ID}/membersByGroupId" in r.path
    )
    assert huge_pages == [0, 200]

    emulator.clear_log()
    again = run_playbook(site_play, env=env, expect_rc=0)
    assert [r["task"] for r in again.changed] == [] and emulator.writes() == []


def test_a_site_with_both_products_shares_one_directory(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(products=("jira", "confluence"))
    env = connection_env(emulator, *ADMIN)
    both = play(
        task("add through Jira (auto)", group="team-design", user=ZOE[1]),
        task("remove through Confluence", group="team-design", user=ZOE[0], state="absent", backend="confluence_cloud"),
        task("add again through Confluence", group="team-design", user=JANE[0], backend="confluence_cloud"),
        task("Jira sees it", group="team-design", user=JANE[1]),
    )
    run = run_playbook(both, env=env, expect_rc=0)
    assert run.result("add through Jira (auto)")["result"]["backend"] == "jira_cloud"  # Jira answers the probe
    assert run.result("remove through Confluence")["result"]["removed"] == [summary(ZOE)]
    assert run.result("Jira sees it")["changed"] is False  # Jane, added through Confluence, is a member for Jira
    assert write_calls(emulator) == [
        ("POST", GROUP_IDS["team-design"], ZOE[0], 201),
        ("DELETE", GROUP_IDS["team-design"], ZOE[0], 204),
        ("POST", GROUP_IDS["team-design"], JANE[0], 201),
    ]
    paths = [r.path for r in emulator.writes()]
    assert paths[0].startswith("/rest/api/3/") and all(p.startswith("/wiki/rest/api/") for p in paths[1:])


def test_a_hidden_email_is_refused_on_confluence_with_the_remedy(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(products=("confluence",))
    run = run_playbook(
        play(task("add Hana by email", group="team-design", user=HANA_EMAIL, ignore_errors=True)),
        env=connection_env(emulator, *ADMIN),
    )
    result = run.result("add Hana by email")
    assert result["failed"] is True
    assert result["result"]["msg"].startswith(
        f"1 of 1 users could not be resolved, so nothing was changed: No Confluence account was found with email "
        f"'{HANA_EMAIL}'. Confluence Cloud has no email search"
    )
    assert "Pass the user's accountId instead" in result["result"]["msg"]
    assert emulator.writes() == [] and HANA[0] not in emulator.members("team-design")
