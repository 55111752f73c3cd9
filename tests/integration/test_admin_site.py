# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Issue 11's "done when", with real ansible-playbook runs against the emulated organisation (seeds/admin.yaml) and no
backend set (org_id says it): a user whose email the site hides is added by email, a deactivated member is removed
by email, a rerun changes nothing, a SCIM-synced group is refused before any write with the remedy; and what an
organisation API key cannot do (exclusive) refused clearly, the key never shown, the memberships shared with the
site's own API, and a person's groups and groups themselves managed through the directory.

These run once, not per backend profile: the organisation is the subject.
"""

from __future__ import annotations

import pytest
from group_member_support import play, task

from atlassian_emulator import load_seed
from atlassian_emulator.seed import DEFAULT_SEED_PATH

pytestmark = pytest.mark.slow

SEED = load_seed(DEFAULT_SEED_PATH.parent / "admin.yaml")
ORG_ID = SEED["org"]["org_id"]
ORG_API_KEY = "acme-org-api-key"
SITE_ADMIN = ("it-admin@acme.example", "it-admin-api-token")
HANA = "5b10a2844c20165700ad0004"  # her profile hides her email
IVAN = "5b10a2844c20165700ad0005"  # deactivated
OMAR = "5b10a2844c20165700ad0007"


@pytest.fixture
def backend_profile():
    """Overrides the suite-wide parametrization: these tests choose their site themselves."""
    from backend_table import JIRA_CLOUD

    return JIRA_CLOUD


@pytest.fixture
def org(emulator_factory):
    # The organisation's Admin API and the site's Jira over one directory.
    return emulator_factory(SEED, products=("jira", "admin"))


def org_env(emulator, connection_env, **extra):
    return {**connection_env(emulator, ATLASSIAN_BEARER_TOKEN=ORG_API_KEY, ATLASSIAN_ORG_ID=ORG_ID), **extra}


def onboarding_and_offboarding():
    return play(
        task("add a user whose email the site hides, by email", group="team-design", user="hana.hidden@acme.example"),
        task("remove a deactivated member by email", group="team-platform", user="ivan.former@acme.example",
             state="absent"),
    )  # fmt: skip


def test_hidden_emails_and_deactivated_leavers_through_the_directory(org, run_playbook, connection_env):
    env = org_env(org, connection_env)
    predicted = run_playbook(onboarding_and_offboarding(), env=env, check=True, diff=True, expect_rc=0)
    assert org.writes() == [] and [r["task"] for r in predicted.changed] == [
        "add a user whose email the site hides, by email",
        "remove a deactivated member by email",
    ]

    run = run_playbook(onboarding_and_offboarding(), env=env, diff=True, expect_rc=0)
    added = run.result("add a user whose email the site hides, by email")["result"]
    assert added["backend"] == "admin"
    assert added["added"] == [{"account_id": HANA, "email": "hana.hidden@acme.example", "display_name": "Hana Hidden"}]
    removed = run.result("remove a deactivated member by email")["result"]
    assert [(u["account_id"], u["email"]) for u in removed["removed"]] == [(IVAN, "ivan.former@acme.example")]
    for name in ("add a user whose email the site hides, by email", "remove a deactivated member by email"):
        assert predicted.result(name)["result"]["diff"] == run.result(name)["result"]["diff"], name
    assert org.members("team-design") == {HANA} and org.members("team-platform") == {"5b10a2844c20165700ad0003"}
    assert {r.path.split("/directories/")[0] for r in org.log} == {f"/admin/v2/orgs/{ORG_ID}"}

    org.clear_log()
    again = run_playbook(onboarding_and_offboarding(), env=env, expect_rc=0)
    assert again.changed == [] and org.writes() == []

    # The site's own API sees the change the Admin API made (one directory); it hides Hana's email, as her profile
    # asks, so the listing names her by accountId.
    site_view = run_playbook(
        [
            {
                "name": "the site's view",
                "hosts": "localhost",
                "gather_facts": False,
                "tasks": [
                    {
                        "name": "members of team-design on Jira",
                        "orgsync.atlassian.atlassian_group_member_info": {"group": "team-design"},
                    }
                ],
            }
        ],
        env=connection_env(org, *SITE_ADMIN),
        expect_rc=0,
    )
    on_site = site_view.result("members of team-design on Jira")["result"]
    assert on_site["backend"] == "jira_cloud" and on_site["users"] == [HANA]


def test_a_scim_synced_group_is_refused_before_any_write(org, run_playbook, connection_env):
    env = org_env(org, connection_env)
    synced = play(task("add to the synced group", group="okta-engineering", user="jane@acme.example",
                       ignore_errors=True))  # fmt: skip
    for check in (True, False):
        outcome = run_playbook(synced, env=env, check=check).result("add to the synced group")
        result = outcome["result"]
        assert outcome["failed"] is True and result["changed"] is False, check
        assert "okta-engineering is synced from an identity provider (SCIM)" in result["msg"]
        assert "Change the membership in your identity provider" in result["msg"]
    assert org.writes() == [] and org.members("okta-engineering") == {OMAR}


def test_exclusive_is_refused_and_the_key_never_shows(org, run_playbook, connection_env):
    env = org_env(org, connection_env)
    run = run_playbook(
        play(task("exactly these", group="team-design", users=["jane@acme.example"], exclusive=True,
                  ignore_errors=True)),
        env=env,
        verbosity=4,
    )  # fmt: skip
    outcome = run.result("exactly these")
    assert outcome["failed"] is True and "exclusive cannot be used with backend admin" in outcome["result"]["msg"]
    assert org.writes() == []
    wrong = run_playbook(
        play(task("a revoked key", group="team-design", user="jane@acme.example", ignore_errors=True)),
        env=org_env(org, connection_env, ATLASSIAN_BEARER_TOKEN="revoked-org-key-9f3a"),
        verbosity=4,
    )
    refused = wrong.result("a revoked key")["result"]
    assert refused["status"] == 401 and "organisation API key" in refused["msg"]
    for output in (run.stdout + run.stderr, wrong.stdout + wrong.stderr):
        assert ORG_API_KEY not in output and "revoked-org-key-9f3a" not in output


def test_a_persons_groups_and_groups_themselves(org, run_playbook, connection_env):
    env = org_env(org, connection_env)
    people_and_groups = [
        {
            "name": "groups as code through the directory",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "create a team",
                    "orgsync.atlassian.atlassian_group": {"name": "team-new", "state": "present"},
                },
                {
                    "name": "Jane's groups",
                    "orgsync.atlassian.atlassian_user_groups": {
                        "user": "jane@acme.example",
                        "groups": ["team-new", "team-design"],
                    },
                },
                {
                    "name": "delete the default group",
                    "orgsync.atlassian.atlassian_group": {
                        "name": "jira-software-users",
                        "state": "absent",
                        "allow_access_group_deletion": True,
                    },
                    "ignore_errors": True,
                },
            ],
        }
    ]
    run = run_playbook(people_and_groups, env=env)
    assert run.result("create a team")["changed"] is True
    assert org.state.find_group(name="team-new").directory_id == SEED["org"]["directories"][0]["directory_id"]
    janes = run.result("Jane's groups")["result"]
    assert sorted(g["name"] for g in janes["added_to"]) == ["team-design", "team-new"]
    refused = run.result("delete the default group")
    assert refused["failed"] is True and "ADMIN-403-6" in refused["result"]["msg"]
    assert "make another group the default first" in refused["result"]["msg"]
    assert org.state.find_group(name="jira-software-users") is not None
