# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""atlassian_user (issue 18): the real main() against the emulated site of each backend (the default test seed):
joiners invited or created into their groups in one task, check mode and reruns without writes, suspension and
restore, and every refusal before any request."""

from __future__ import annotations

import pytest
from backend_table import login

from ansible_collections.orgsync.atlassian.plugins.modules import atlassian_user

JANE = "5b10a2844c20165700ede003"
TEAM = ["jira-software-users", "team-platform", "team-design"]
MANAGES_ACCOUNTS = ("admin", "jira_cloud", "jira_datacenter")
CREATED_STATUS = {"admin": "invited", "jira_cloud": "invited", "jira_datacenter": "active"}


@pytest.fixture
def user(emulator, run_module, backend_name):
    def _run(check_mode=False, diff=False, **args):
        base = {**login(emulator), "backend": backend_name}
        if backend_name == "jira_cloud" and args.get("state", "present") == "present":
            base["products"] = ["jira-software"]
        return run_module(atlassian_user.main, {**base, **args}, check_mode=check_mode, diff=diff)

    return _run


def new_hire(backend_name: str) -> dict:
    if backend_name in ("jira_datacenter", "confluence_datacenter"):
        return {"users": [{"user": "nina", "email": "nina.new@acme.example", "display_name": "Nina New"}]}
    return {"user": "nina.new@acme.example"}


def group_names(emulator, ref: str) -> set[str]:
    found = emulator.state.users_with_email("nina.new@acme.example")
    assert len(found) == 1, ref
    return {g.name for g in emulator.state.groups_of(found[0].account_id)}


def test_a_new_hire_is_in_their_groups_after_one_task_predicted_and_rerun(user, emulator, backend_name):
    if backend_name not in MANAGES_ACCOUNTS:
        pytest.skip("refused: test_refusals_come_before_any_request")
    task = {**new_hire(backend_name), "groups": TEAM}
    ref = task["user"] if "user" in task else task["users"][0]["user"]
    predicted = user(check_mode=True, diff=True, **task)
    assert emulator.writes() == [] and not emulator.state.users_with_email("nina.new@acme.example")
    assert not predicted.get("failed"), predicted["msg"]
    (entry,) = predicted["users"]
    assert (entry["account_id"], entry["status_before"], entry["status_after"], entry["created"]) == (
        None,
        "missing",
        CREATED_STATUS[backend_name],
        True,
    )
    assert entry["groups_added"] == TEAM and predicted["changed"] is True
    real = user(diff=True, **task)
    (made,) = real["users"]
    for key in ("status_before", "status_after", "created", "groups_added"):
        assert made[key] == entry[key], key
    assert (
        real["diff"]
        == predicted["diff"]
        == {
            "before": {ref: "missing"},
            "after": {ref: CREATED_STATUS[backend_name]},
        }
    )
    assert group_names(emulator, ref) == set(TEAM)
    if backend_name != "jira_datacenter":
        assert made["account_id"] == emulator.state.users_with_email("nina.new@acme.example")[0].account_id
    if backend_name == "admin":
        # One request invites her into the three groups (additionalGroups).
        assert [r.path.rsplit("/", 2)[-2:] for r in emulator.writes()] == [["users", "invite"]]
    emulator.clear_log()
    again = user(**task)
    assert again["changed"] is False and emulator.writes() == []
    assert again["users"][0]["status_before"] == "active" and again["users"][0]["groups_added"] == []


def test_suspend_and_restore_round_trip(user, emulator, backend_name):
    if backend_name not in ("admin", "jira_datacenter"):
        pytest.skip("only the Admin API suspends and only Data Center deactivates")
    jane = "jane@acme.example"
    taken = "suspended" if backend_name == "admin" else "deactivated"
    suspended = user(user=jane, state="suspended", diff=True)
    assert suspended["changed"] is True and suspended["users"][0]["status_after"] == taken
    assert suspended["diff"] == {"before": {jane: "active"}, "after": {jane: taken}}
    assert emulator.state.user(JANE) is None or emulator.state.user(JANE).active is False
    emulator.clear_log()
    assert user(user=jane, state="suspended")["changed"] is False and emulator.writes() == []
    restored = user(user=jane)
    assert restored["users"][0]["status_before"] == taken and restored["users"][0]["status_after"] == "active"
    assert user(user=jane)["changed"] is False


@pytest.mark.parametrize(
    ("backend", "args", "words"),
    [
        ("confluence_cloud", {"user": "nina.new@acme.example"}, "experimental site invitation"),
        ("confluence_cloud", {"user": "jane@acme.example", "state": "suspended"}, "backend admin"),
        ("jira_cloud", {"user": "jane@acme.example", "state": "suspended"}, "backend admin"),
        ("confluence_datacenter", {"user": "nina"}, "jira_datacenter"),
        ("jira_datacenter", {"user": "nina", "products": ["jira-core"]}, "products is an option of backend jira_cloud"),
        ("jira_cloud", {"user": "nina.new@acme.example", "products": None}, "needs products"),
        ("admin", {"user": "jane@acme.example", "state": "suspended", "groups": ["team-a"]}, "only for state=present"),
    ],
)
def test_refusals_come_before_any_request(emulator_factory, run_module, backend, args, words):
    from backend_table import SITE_PRODUCTS

    site = emulator_factory(products=SITE_PRODUCTS[backend])
    task = {**login(site), "backend": backend, **args}
    result = run_module(atlassian_user.main, {k: v for k, v in task.items() if v is not None})
    assert result["failed"] and words in result["msg"] and site.log == []


def test_what_cannot_be_done_for_one_account_is_refused_before_any_write(user, emulator, backend_name):
    if backend_name != "jira_cloud":
        pytest.skip("jira_cloud reads a suspended account it cannot restore")
    emulator.state.update_user(JANE, suspended=True, active=False)
    result = user(users=["jane@acme.example", "nina.new@acme.example"])
    assert result["failed"] and "Use backend admin" in result["msg"] and "cannot restore it" in result["msg"]
    assert emulator.writes() == [] and not emulator.state.users_with_email("nina.new@acme.example")
