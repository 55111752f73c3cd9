# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Issue 18's "done when", with real ansible-playbook runs against the emulated organisation (the Admin API and the
site's Jira over one directory), in two runs: check mode first (the invitation and memberships predicted, nothing
sent), then for real: a new hire invited into three groups by one task, the same task again changing nothing,
suspension and restore round-tripping, and each refusal (Confluence Cloud, suspension on jira_cloud, what Confluence
Data Center lacks) failing before any request with the alternative named.

These run once, not per backend profile: the organisation is the subject (the in-process tests cover every backend).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

MODULE = "orgsync.atlassian.atlassian_user"
NEW_HIRE = "nina.new@acme.example"
JANE = "5b10a2844c20165700ede003"
TEAM = ["jira-software-users", "team-platform", "team-design"]
ORG_API_KEY = "org-api-key"
SITE_LOGIN = {"username": "admin@acme.example", "api_token": "admin-api-token"}
ONBOARD = "onboard a new hire into three groups"
AGAIN = "the same task again"
SUSPEND = "suspend a leaver"
RESTORE = "restore her"
# Each refused task: (name, arguments, words its message must hold).
REFUSALS = [
    ("refused: confluence_cloud", {"backend": "confluence_cloud", "user": NEW_HIRE}, "backend admin"),
    (
        "refused: suspension on jira_cloud",
        {"backend": "jira_cloud", "user": JANE, "state": "suspended"},
        "backend admin",
    ),
    ("refused: confluence_datacenter", {"backend": "confluence_datacenter", "user": "nina"}, "jira_datacenter"),
]


@pytest.fixture
def backend_profile():
    """Overrides the suite-wide parametrization: this test chooses its site itself."""
    from backend_table import JIRA_CLOUD

    return JIRA_CLOUD


def step(name: str, **args) -> dict:
    return {"name": name, MODULE: args}


def refused(name: str, url: str, args: dict) -> dict:
    # A site login of its own (the play's defaults are the organisation's key): nothing may reach any URL.
    return {"name": name, "ignore_errors": True, MODULE: {"url": url, **SITE_LOGIN, "bearer_token": None, **args}}


def playbook(org, *tasks) -> list:
    defaults = {"backend": "admin", "url": org.url, "bearer_token": ORG_API_KEY, "org_id": org.state.org.org_id}
    return [
        {
            "name": "joiners and leavers",
            "hosts": "localhost",
            "gather_facts": False,
            "module_defaults": {"group/orgsync.atlassian.atlassian": defaults},
            "tasks": list(tasks),
        }
    ]


def test_joiner_leaver_and_refusals_in_two_runs(emulator_factory, run_playbook):
    org = emulator_factory(products=("jira", "admin"))
    onboard = step(ONBOARD, user=NEW_HIRE, groups=TEAM)

    predicted = run_playbook(playbook(org, onboard), check=True, diff=True, expect_rc=0)
    assert org.writes() == [] and not org.state.users_with_email(NEW_HIRE)
    (entry,) = predicted.result(ONBOARD)["result"]["users"]
    assert predicted.result(ONBOARD)["changed"] is True
    assert entry == {
        "user": NEW_HIRE,
        "account_id": None,
        "email": NEW_HIRE,
        "display_name": None,
        "status_before": "missing",
        "status_after": "invited",
        "created": True,
        "groups_added": TEAM,
    }
    assert predicted.result(ONBOARD)["result"]["diff"] == {
        "before": {NEW_HIRE: "missing"},
        "after": {NEW_HIRE: "invited"},
    }

    tasks = [
        onboard,
        step(AGAIN, user=NEW_HIRE, groups=TEAM),
        step(SUSPEND, user="jane@acme.example", state="suspended"),
        step(RESTORE, user="jane@acme.example"),
        *(refused(name, org.url, args) for name, args, _words in REFUSALS),
    ]
    org.clear_log()
    # Transient faults on the real run (the fault matrix's kinds): a 429 on a read, a 503 refusing the invitation
    # (not applied), a suspension applied whose answer is lost (502 after). The outcome and the report are a clean
    # run's, within the retry budget.
    org_path = f"/admin/v2/orgs/{org.state.org.org_id}"
    suspend = f"{org_path}/directories/{org.state.org.directories[0].directory_id}/users/{JANE}/suspend"
    org.configure(
        faults=[
            {"action": "status", "status": 429, "retry_after": 0, "method": "POST", "path": f"{org_path}/directories"},
            {"action": "status", "status": 503, "method": "POST", "path": f"{org_path}/users/invite"},
            {"action": "status", "status": 502, "method": "POST", "phase": "after", "path": suspend},
        ]
    )
    real = run_playbook(playbook(org, *tasks), expect_rc=0)
    assert all(rule.hits == 1 for rule in org.knobs.faults), [r.to_dict() for r in org.knobs.faults]
    org.configure(faults=[])
    (made,) = real.result(ONBOARD)["result"]["users"]
    (account,) = org.state.users_with_email(NEW_HIRE)
    assert made["account_id"] == account.account_id and made["status_after"] == "invited" and made["created"]
    assert {g.name for g in org.state.groups_of(account.account_id)} == set(TEAM)
    again = real.result(AGAIN)
    assert again["changed"] is False and again["result"]["users"][0]["status_before"] == "active"
    assert real.result(SUSPEND)["result"]["users"][0]["status_after"] == "suspended"
    restored = real.result(RESTORE)["result"]["users"][0]
    assert (restored["status_before"], restored["status_after"]) == ("suspended", "active")
    assert org.state.user(JANE).active and not org.state.user(JANE).suspended
    for name, _args, words in REFUSALS:
        result = real.result(name)
        assert result["failed"] and words in result["result"]["msg"] and "nothing was sent" in result["result"]["msg"]
    # The writes of the whole run: one invitation (with its three groups), one suspension, one restore. The rerun
    # and the refusals sent none, and nothing reached the site's Jira.
    applied = [r.path.rsplit("/", 1)[-1] for r in org.writes() if r.status < 300]
    assert applied == [
        "invite",
        "suspend",
        "restore",
    ]  # the 502's suspension was applied, and its retry changed nothing
    assert [(r.path.rsplit("/", 1)[-1], r.status) for r in org.writes() if r.status >= 300] == [
        ("invite", 503),
        ("suspend", 502),
    ]
    assert not [r for r in org.log if r.path.startswith(("/rest/", "/wiki/"))]


PLAYBOOKS = __import__("harness").REPO_ROOT / "playbooks"
JOINERS = {
    "teams": {"platform": {"groups": ["jira-software-users", "team-platform"]}, "design": {"groups": ["team-design"]}},
    "new_joiners": [
        {"email": "nina.new@acme.example", "team": "platform"},
        {"email": "omar.new@acme.example", "team": "platform"},
        {"email": "pia.new@acme.example", "team": "design"},
    ],
}
LEAVER = {"leaver": {"user": "jane@acme.example", "keep": []}}


def test_onboard_and_offboard_playbooks_on_the_organisation(emulator_factory, run_playbook):
    """onboard.yml: new hires without accounts end in their team's groups in one run; offboard.yml: the leaver leaves
    every group, then is suspended, in that order; its rerun changes nothing."""
    org = emulator_factory(products=("jira", "admin"))
    env = {
        "ATLASSIAN_URL": org.url,
        "ATLASSIAN_BEARER_TOKEN": ORG_API_KEY,
        "ATLASSIAN_ORG_ID": org.state.org.org_id,
    }
    run_playbook(PLAYBOOKS / "onboard.yml", env=env, extra_vars=JOINERS, expect_rc=0)
    for joiner in JOINERS["new_joiners"]:
        (account,) = org.state.users_with_email(joiner["email"])
        groups = {g.name for g in org.state.groups_of(account.account_id)}
        assert groups == set(JOINERS["teams"][joiner["team"]]["groups"]), joiner
    # One invitation per joiner (each with its team's groups), nothing else written.
    assert [r.path.rsplit("/", 1)[-1] for r in org.writes()] == ["invite"] * 3

    org.clear_log()
    run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=LEAVER, expect_rc=0)
    assert org.state.groups_of(JANE) == [] and org.state.user(JANE).suspended
    writes = [r.method + " " + r.path.rsplit("/", 1)[-1] for r in org.writes()]
    assert writes[-1] == "POST suspend" and all(w.startswith("DELETE") for w in writes[:-1]) and len(writes) > 1
    org.clear_log()
    again = run_playbook(PLAYBOOKS / "offboard.yml", env=env, extra_vars=LEAVER, expect_rc=0)
    assert org.writes() == [] and not [r for r in again.results if r.get("changed")]
