# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Secret hygiene: with ``ansible-playbook -vvvv --diff``, in check mode and for real, on success and on every
failure path, no credential appears in stdout, stderr, the registered results or the diffs.

The credentials are given every way the collection accepts them (task options, ATLASSIAN_* environment,
module_defaults), and the forms searched for are the raw API and bearer tokens and the base64 Basic credential
(with and without padding). The failure paths: rejected token (401), not an admin (403), unresolvable user, both
tokens set, unreachable site, a response slower than the timeout, and a write whose retries run out.
"""

from __future__ import annotations

import base64
import copy
import json
import socket
from typing import Any
from urllib.parse import quote

import harness
import pytest
from group_member_support import MODULE

from atlassian_emulator import DEFAULT_SEED_PATH, load_seed

pytestmark = [pytest.mark.slow, pytest.mark.backends("confluence_cloud", "jira_cloud", "jira_datacenter")]

ADMIN_EMAIL = "admin@acme.example"
BOB_EMAIL = "bob@acme.example"
API_TOKEN = "ATATT3xFfGF0-adm1n-T0ken-7Qz9"
BOB_TOKEN = "ATATT3xFfGF0-b0b-T0ken-4Kw2"
WRONG_TOKEN = "ATATT3xFfGF0-wr0ng-T0ken-8Lm3"
BEARER_TOKEN = "eyJhbGciOiJSUzI1NiJ9.0tt0-Bearer-T0ken.5Yx1"
TEAM_DESIGN = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
BIG_GROUP = "b16b16b1-6b16-4b16-8b16-b16b16b16b16"
CONFLUENCE_USERS = "6e87dc72-4f1f-421f-9382-2fee8b652487"


def secret_forms() -> dict[str, str]:
    forms = {}
    for name, value in (("api token", API_TOKEN), ("bob token", BOB_TOKEN), ("wrong token", WRONG_TOKEN)):
        forms[name] = value
        forms[f"{name} url-quoted"] = quote(value, safe="")
    forms["bearer token"] = BEARER_TOKEN
    for user, token in ((ADMIN_EMAIL, API_TOKEN), (BOB_EMAIL, BOB_TOKEN), (ADMIN_EMAIL, WRONG_TOKEN)):
        credential = base64.b64encode(f"{user}:{token}".encode()).decode()
        forms[f"basic credential of {user}:{token[-4:]}"] = credential
        forms[f"basic credential of {user}:{token[-4:]} unpadded"] = credential.rstrip("=")
    return forms


def seed_with_secret_tokens() -> dict[str, Any]:
    seed = copy.deepcopy(load_seed(DEFAULT_SEED_PATH))
    seed["credentials"] = [
        {"email": ADMIN_EMAIL, "api_token": API_TOKEN, "site_admin": True},
        {"email": BOB_EMAIL, "api_token": BOB_TOKEN, "site_admin": False},
        {"bearer_token": BEARER_TOKEN, "account_id": "712020:0f7d3c5e-6a1b-4c8e-9e2f-5d4b3a2c1b0a", "site_admin": True},
    ]
    return seed


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def task(title: str, module: str = MODULE, /, **args: Any) -> dict[str, Any]:
    return {"name": title, module: args, "register": "out", "ignore_errors": True}


def show(name: str) -> dict[str, Any]:
    return {"name": f"show {name}", "ansible.builtin.debug": {"var": "out"}}


BASIC = {"url": "{{ url }}", "username": ADMIN_EMAIL, "api_token": API_TOKEN}
# name: (task, fails?). In check mode no write is sent, so the paths that fail at a write succeed there.
WRITE_FAILURES = ("not an admin", "write retries run out")
PATHS: dict[str, tuple[dict[str, Any], bool]] = {
    "add by options": (task("add by options", **BASIC, group="team-design", users=["zoe@acme.example"]), False),
    "exclusive sync with bearer": (
        # api_token set but empty counts as unset, so the ATLASSIAN_API_TOKEN of the environment does not apply
        task("exclusive sync with bearer", url="{{ url }}", api_token="", bearer_token=BEARER_TOKEN,
             group="team-platform", users=["jane@acme.example"], exclusive=True),
        False,
    ),
    # The ATLASSIAN_* variables are in the environment of ansible-playbook itself, as AWX injects them. (Not through
    # the task's ``environment`` keyword: Ansible prints that environment at -vvv, see docs/testing.md.)
    "remove with environment credentials": (
        task("remove with environment credentials", group="confluence-users", user="zoe@acme.example", state="absent"),
        False,
    ),
    "rejected token": (task("rejected token", **{**BASIC, "api_token": WRONG_TOKEN}, group="team-design",
                            user="jane@acme.example"), True),
    "not an admin": (task("not an admin", **{**BASIC, "username": BOB_EMAIL, "api_token": BOB_TOKEN},
                          group="team-design", user="jane@acme.example"), True),
    "unresolvable user": (task("unresolvable user", **BASIC, group="team-design", user="nobody@acme.example"), True),
    "both tokens": (task("both tokens", **BASIC, bearer_token=BEARER_TOKEN, group="team-design",
                         user="jane@acme.example"), True),
    "unreachable site": (task("unreachable site", **{**BASIC, "url": "{{ closed_url }}"}, group="team-design",
                              user="jane@acme.example", max_retries=1), True),
    "slower than timeout": (task("slower than timeout", **BASIC, group="confluence-users", user="jane@acme.example",
                                 timeout=0.5, max_retries=1), True),
    # Zoë by accountId: an earlier task takes her out of confluence-users, where Confluence would find her email.
    "write retries run out": (task("write retries run out", **BASIC, group="big-group",
                                   user="5b10a2844c20165700ede013", max_retries=1), True),
    # The person's and the group's modules, on a success and on a refusal each.
    "a leaver's groups": (task("a leaver's groups", "orgsync.atlassian.atlassian_user_groups", **BASIC,
                               user="john.smith@acme.example", groups=[], exclusive=True), False),
    "a person's groups, rejected token": (task("a person's groups, rejected token",
                                               "orgsync.atlassian.atlassian_user_groups",
                                               **{**BASIC, "api_token": WRONG_TOKEN}, user="jane@acme.example",
                                               groups=["team-design"]), True),
    "a group created": (task("a group created", "orgsync.atlassian.atlassian_group", **BASIC, name="team-secret"),
                        False),
    "site-admins deletion refused": (task("site-admins deletion refused", "orgsync.atlassian.atlassian_group", **BASIC,
                                          name="site-admins", state="absent"), True),
    # Many groups in one task (issue 19): a file applied, and a file whose one group fails.
    "a teams file": (task("a teams file", "orgsync.atlassian.atlassian_groups", **BASIC,
                          groups=[{"name": "team-secret-2", "users": ["jane@acme.example"]}]), False),
    "a teams file, one group failing": (task("a teams file, one group failing", "orgsync.atlassian.atlassian_groups",
                                             **BASIC, groups=[{"name": "team-design", "users": ["zoe@acme.example"]},
                                                              {"name": "team-x", "users": ["nobody@acme.example"]}],
                                             purge_prefix="site-"), True),
    # The account module (issue 18): an invitation where the site can (Jira Cloud; products is refused elsewhere
    # before any request, so it fails on every other backend), and a refusal everywhere.
    "a new hire invited": (task("a new hire invited", "orgsync.atlassian.atlassian_user", **BASIC,
                                user="nina.secret@acme.example", products=[], groups=["team-design"]),
                           frozenset({"admin", "confluence_cloud", "jira_datacenter", "confluence_datacenter"})),
    "an account refused": (task("an account refused", "orgsync.atlassian.atlassian_user", **BASIC,
                                backend="confluence_cloud", user="zoe@acme.example", state="suspended"), True),
}  # fmt: skip
# Paths whose writes another path's lookup depends on: run in this order on one host, then DEFAULTS_BLOCK.
IN_ORDER = ("add by options", "remove with environment credentials")
DEFAULTS_BLOCK = {
    "name": "module_defaults",
    "module_defaults": {"group/orgsync.atlassian.atlassian": BASIC},
    "block": [task("add by module_defaults", group="team-design", user="jane@acme.example"), show("defaults")],
}


def faults(profile) -> list[dict[str, Any]]:
    return [
        # "slower than timeout": every read of confluence-users' members takes 1.5 s, the task waits 0.5 s.
        {"action": "delay", "method": "GET", "path": profile.member_path(CONFLUENCE_USERS), "delay_ms": 1500,
         "times": None},
        # "write retries run out": every add to big-group answers 503.
        {"action": "status", "status": 503, "retry_after": 0, "method": "POST", "path": profile.write_path,
         "query": profile.group_query("big-group", BIG_GROUP), "times": None},
    ]  # fmt: skip


def host(index: int) -> str:
    return f"path_{index}"


@pytest.mark.parametrize("check", [True, False], ids=["check-mode", "real-run"])
def test_no_secret_in_any_output(emulator_factory, run_playbook, backend_profile, check, tmp_path):
    emulator = emulator_factory(seed_with_secret_tokens(), faults=faults(backend_profile))
    # The paths run side by side, a host each, on the one emulator, except the writes one of which would change what
    # another resolves (on Confluence an email is found in the access groups' listings, which the removal edits):
    # those run in order on one host, as they did in one sequential play.
    ordered = [name for name in PATHS if name in IN_ORDER]
    tasks = {
        host(i): [entry, show(name)] for i, (name, (entry, _fails)) in enumerate(PATHS.items()) if name not in IN_ORDER
    }
    tasks["in_order"] = [item for name in ordered for item in (PATHS[name][0], show(name))] + [DEFAULTS_BLOCK]
    workdir = tmp_path / "secrets"
    playbook, inventory_args = harness.side_by_side(workdir, tasks)
    run = run_playbook(
        playbook,
        workdir=workdir,
        extra_args=inventory_args,
        env={
            "ATLASSIAN_URL": emulator.url,
            "ATLASSIAN_USERNAME": ADMIN_EMAIL,
            "ATLASSIAN_API_TOKEN": API_TOKEN,
            "ANSIBLE_FORKS": "8",
        },
        extra_vars={"url": emulator.url, "closed_url": f"http://127.0.0.1:{closed_port()}"},
        check=check,
        diff=True,
        verbosity=4,
    )
    assert run.rc == 0, run.describe()

    # Every path ran as intended, really at -vvvv, with diffs, and the options were masked, not dropped.
    for name, (_entry, fails) in PATHS.items():
        if isinstance(fails, frozenset):  # fails on these backends only
            fails = backend_profile.name in fails
        expected = fails and not (check and name in WRITE_FAILURES)
        assert run.result(name)["failed"] is expected, (name, run.result(name)["result"])
    assert run.result("add by module_defaults")["failed"] is False
    output = run.stdout + run.stderr
    assert "ESTABLISH LOCAL CONNECTION" in output and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    assert run.result("add by options")["diff"], "diff mode produced no diff"
    if not check:
        assert run.result("write retries run out")["result"]["failed_users"]

    registered = json.dumps(run.results, ensure_ascii=False)
    leaks = {
        f"{form} in {where}"
        for form, value in secret_forms().items()
        for where, text in (
            ("stdout", run.stdout),
            ("stderr", run.stderr),
            ("registered results and diffs", registered),
        )
        if value in text
    }
    assert not leaks, sorted(leaks)
    if not check:
        assert emulator.members("team-design") >= {"5b10a2844c20165700ede013"}  # the successful paths did write
