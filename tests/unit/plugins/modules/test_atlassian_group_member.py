# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The module's real main() with real arguments, against the emulator."""

from __future__ import annotations

import pytest
from backend_table import ORG_API_KEY, login, write_rule

from ansible_collections.orgsync.atlassian.plugins.modules.atlassian_group_member import main

# On Data Center, the seed's usernames are its accountIds: these name the same people there.
JANE_ID = "5b10a2844c20165700ede003"
ZOE_ID = "5b10a2844c20165700ede013"
ADMIN_ID = "5b10a2844c20165700ede001"
HANA_ID = "5b10a2844c20165700ede008"  # her email is hidden


@pytest.fixture
def args(emulator):
    def make(**task):
        return {
            **login(emulator),
            "max_retries": 1,
            **task,
        }

    return make


@pytest.mark.emails
def test_add_by_email_then_idempotent(emulator, args, run_module, facts):
    result = run_module(main, args(group="team-design", user="Jane@Acme.example"))
    assert result["changed"] is True
    assert result["added"] == [facts.user_result(JANE_ID, "jane@acme.example", "Jane Doe")]
    assert result["group"] == facts.group_result("team-design", "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f")
    assert emulator.members("team-design") == {JANE_ID}
    emulator.clear_log()
    again = run_module(main, args(group="team-design", user=JANE_ID))
    assert again["changed"] is False and again["added"] == []
    assert emulator.writes() == []


@pytest.mark.emails
def test_check_mode_predicts_without_writing(emulator, args, run_module, facts):
    # The Admin API refuses exclusive (see below): there the prediction covers an add alone.
    exclusive = facts.knows_caller
    task = args(group="team-platform", users=["jane@acme.example", "zoe@acme.example"], exclusive=exclusive)
    predicted = run_module(main, task, check_mode=True, diff=True)
    assert emulator.writes() == []
    real = run_module(main, task, diff=True)
    for key in ("changed", "added", "removed", "diff"):
        assert predicted[key] == real[key]
    if exclusive and facts.account_types:
        # Deploy Bot is an app's account: exclusive keeps it, and says so (issue 16, case 3).
        assert real["diff"]["after"]["members"] == ["deploy-bot@acme.example", "jane@acme.example", "zoe@acme.example"]
        assert {u["display_name"] for u in real["removed"]} == {"John Smith", "Ivan Former"}
        assert [(u["display_name"], u["reason"]) for u in real["kept"]] == [("Deploy Bot", "app account")]
        assert predicted["kept"] == real["kept"]
    elif exclusive:  # Data Center has no account types: the bot's account is a user like any other
        assert real["diff"]["after"]["members"] == ["jane@acme.example", "zoe@acme.example"]
        assert {u["display_name"] for u in real["removed"]} == {"John Smith", "Ivan Former", "Deploy Bot"}
    else:
        assert [u["display_name"] for u in real["added"]] == ["Zoë Ångström"] and real["removed"] == []
        assert set(real["diff"]["after"]["members"]) - set(real["diff"]["before"]["members"]) == {"zoe@acme.example"}


def test_someone_who_hides_their_email_is_named_beside_their_id(emulator, args, run_module, facts):
    # Issue 22: Hana hides her email. added[] carries her display name, and the diff shows it beside her id, so a
    # reviewer can tell who the change is about.
    result = run_module(main, args(group="team-design", user=HANA_ID), check_mode=True, diff=True)
    (added,) = result["added"]
    assert added == facts.user_result(HANA_ID, facts.hidden_email("hana.hidden@acme.example"), "Hana Hidden")
    assert result["diff"]["after"]["members"] == [added["email"] or f"Hana Hidden ({HANA_ID})"]


def test_exclusive_keeps_the_caller_and_says_so_in_kept(emulator, args, run_module, facts):
    result = run_module(main, args(group="site-admins", users=[], exclusive=True))
    if not facts.knows_caller:
        # An organisation API key belongs to no account the Admin API names: exclusive is refused, not guessed.
        assert result["failed"] is True and "exclusive cannot be used with backend admin" in result["msg"]
        assert emulator.writes() == [] and len(emulator.members("site-admins")) == 2
        return
    assert ADMIN_ID in emulator.members("site-admins")
    assert [u["display_name"] for u in result["removed"]] == ["Otto Automation"]
    # The calling account is kept as exclusive promises: kept says so, and no warning does (issue 22).
    assert [(u["display_name"], u["reason"]) for u in result["kept"]] == [("Ada Admin", "calling account")]
    assert not result.get("warnings")


# What a backend that resolves no emails says (Confluence Data Center): a value with '@' is a username there.
NO_EMAILS = "No Confluence user has username 'jane@acme.example'"


@pytest.mark.parametrize(
    ("task", "fragment", "fragment_without_emails"),
    [
        ({"group": "team-design", "group_id": "x", "user": "jane@acme.example"}, "Both group and group_id", None),
        ({"group": "team-design", "user": "jane@acme.example", "api_token": ""}, "No credentials", None),
        ({"group": "team-design", "user": "jane@acme.example", "api_token": "wrong"}, "HTTP 401", None),
        ({"group": "nope", "user": "jane@acme.example"}, "No group with name 'nope'", None),
        # One reference that names nobody stops the others too. On Confluence Data Center every value is a username
        # (issue 16, case 9).
        (
            {"group": "team-design", "users": ["jane@acme.example", "ghost@acme.example"]},
            "1 of 2 users could not be resolved, so nothing was changed",
            NO_EMAILS,
        ),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(
    emulator, args, run_module, facts, backend_name, task, fragment, fragment_without_emails
):
    if "api_token" in task and backend_name == "admin":  # the Admin API's secret is the organisation API key
        task = {**{k: v for k, v in task.items() if k != "api_token"}, "bearer_token": task["api_token"]}
    result = run_module(main, args(**task))
    assert result["failed"] is True
    assert (fragment if facts.emails else fragment_without_emails or fragment) in result["msg"]
    assert emulator.writes() == []
    assert "admin-api-token" not in str(result) and "org-api-key" not in str(result)


def test_a_pasted_authorization_header_fails_before_any_request(emulator, args, run_module, backend_name):
    # base64("admin@acme.example:admin-api-token"), as a Basic Authorization header carries it (issue 22).
    header = "Basic YWRtaW5AYWNtZS5leGFtcGxlOmFkbWluLWFwaS10b2tlbg=="
    secret = {"bearer_token": header} if backend_name == "admin" else {"api_token": header}
    result = run_module(main, args(group="team-design", user=JANE_ID, **secret))
    assert result["failed"] is True and "starts with 'Basic '" in result["msg"]
    assert emulator.log == []
    assert "YWRtaW5AYWNtZS5leGFtcGxl" not in str(result) and "admin-api-token" not in str(result)


def test_an_organisation_api_key_without_org_id_is_told_what_it_needs(emulator_factory, run_module):
    # Issue 22: the organisation's Admin API alone (no site APIs), its key given as bearer_token, org_id forgotten.
    # auto finds no Jira there and takes the URL for a Confluence site, where the group then does not exist: the
    # message says what an organisation API key needs.
    org = emulator_factory(products=("admin",))
    result = run_module(
        main, {"url": org.url, "bearer_token": ORG_API_KEY, "group": "team-design", "user": JANE_ID, "max_retries": 0}
    )
    assert result["failed"] is True and result["backend"] == "confluence_cloud"
    assert "No group with name 'team-design'" in result["msg"]
    assert "set org_id (or ATLASSIAN_ORG_ID)" in result["msg"] and "backend: admin" in result["msg"]
    # With org_id, the same task reaches the group.
    fixed = run_module(main, {**login(org), "group": "team-design", "user": JANE_ID, "max_retries": 0})
    assert fixed["changed"] is True and fixed["backend"] == "admin"


def test_a_failed_write_fails_the_task_but_keeps_the_others(emulator, args, run_module, backend_name):
    emulator.configure(faults=[{"action": "status", "status": 403, **write_rule(backend_name, "add")}])
    result = run_module(main, args(group="team-design", users=[JANE_ID, ZOE_ID]))
    assert result["failed"] is True and result["changed"] is True
    assert len(result["added"]) == 1 and len(result["failed_users"]) == 1
    assert "1 of 2 membership changes failed" in result["msg"]
    assert len(emulator.members("team-design")) == 1
    rerun = run_module(main, args(group="team-design", users=[JANE_ID, ZOE_ID]))
    assert rerun["changed"] is True and len(rerun["added"]) == 1
    assert len(emulator.members("team-design")) == 2


def test_empty_env_vars_do_not_hide_the_others(emulator, run_module, monkeypatch, backend_name):
    # AWX injects every credential field, unset ones as "": they must count as unset.
    admin_api = backend_name == "admin"
    monkeypatch.setenv("ATLASSIAN_URL", emulator.url)
    monkeypatch.setenv("ATLASSIAN_USERNAME", "")
    monkeypatch.setenv("ATLASSIAN_EMAIL", "" if admin_api else "admin@acme.example")
    monkeypatch.setenv("ATLASSIAN_API_TOKEN", "" if admin_api else "admin-api-token")
    monkeypatch.setenv("ATLASSIAN_BEARER_TOKEN", login(emulator)["bearer_token"] if admin_api else "")
    monkeypatch.setenv("ATLASSIAN_ORG_ID", emulator.state.org.org_id if admin_api else "")
    monkeypatch.setenv("ATLASSIAN_DIRECTORY_ID", "")
    monkeypatch.setenv("ATLASSIAN_VALIDATE_CERTS", "")
    result = run_module(main, {"group": "team-design", "user": JANE_ID})
    assert result["changed"] is True, result
    assert emulator.members("team-design") == {JANE_ID}
