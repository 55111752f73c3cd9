# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Issue 10's "done when", on the servers it names, with real ansible-playbook runs and no backend set: a Jira Data
Center server under a context path (users by username and by email, Basic and a personal access token, a 400 race,
a deactivated leaver removed by email), a Confluence Data Center server (by username; emails and servers older than
8.2 refused clearly), and HTTPS behind a private CA (trusted with ca_path, refused clearly without it).

These run once, not per backend profile: the server is the subject. The seed is tools/atlassian_emulator/seeds/
datacenter.yaml (usernames such as jdoe, unrelated to the emulator's internal ids).
"""

from __future__ import annotations

import ssl

import pytest
import trustme
from group_member_support import play, task

from atlassian_emulator import load_seed
from atlassian_emulator.seed import DEFAULT_SEED_PATH

pytestmark = pytest.mark.slow

SEED = DEFAULT_SEED_PATH.parent / "datacenter.yaml"
ADMIN = ("admin", "admin-password")
PAT = "svc-personal-access-token"
DESIGN = "team design"


@pytest.fixture
def backend_profile():
    """Overrides the suite-wide parametrization: these tests choose their servers themselves."""
    from backend_table import JIRA_DATACENTER

    return JIRA_DATACENTER


def usernames(emulator, group: str) -> set[str]:
    return {emulator.state.user(i).username for i in emulator.members(group)}


def test_a_jira_server_under_a_context_path_with_no_backend_set(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(load_seed(SEED), products=("jira_datacenter",), context_path="/jira")
    assert emulator.url.endswith("/jira")
    env = connection_env(emulator, *ADMIN)
    # Someone else adds jsmith to the group just before our POST reaches the server: its 400 "already a member".
    emulator.configure(
        faults=[
            {
                "action": "mutate",
                "method": "POST",
                "add": [[DESIGN, "dc-jsmith"]],
                "query": {"groupname": DESIGN},
                "skip": 1,
            }
        ]
    )
    server_play = play(
        task("add by username", group=DESIGN, user="jdoe"),
        task("add by email, racing another writer", group=DESIGN, user="john.smith@acme.example"),
        task("add a username with an apostrophe", group=DESIGN, user="k.o'brien"),
        task("remove by username", group="confluence-users", user="jsmith", state="absent"),
        task("remove a deactivated leaver by email", group="team-platform", user="ivan.former@acme.example",
             state="absent"),
    )  # fmt: skip
    run = run_playbook(server_play, env=env, expect_rc=0)
    for name in [t["name"] for t in server_play[0]["tasks"]]:
        assert run.result(name)["result"]["backend"] == "jira_datacenter", name
    added = run.result("add by username")["result"]["added"]
    assert added == [
        {"account_id": None, "username": "jdoe", "email": "jane.doe@acme.example", "display_name": "Jane Doe"}
    ]
    # The race: the server refuses our add with 400 "already a member"; the membership holds, made by someone else,
    # so the task succeeds and changed nothing itself.
    race = run.result("add by email, racing another writer")
    assert race["changed"] is False and race["failed"] is False and race["result"]["added"] == []
    assert [r.status for r in emulator.writes() if r.method == "POST" and r.query["groupname"] == [DESIGN]][1] == 400
    assert run.result("remove by username")["result"]["removed"][0]["username"] == "jsmith"
    assert run.result("remove a deactivated leaver by email")["result"]["removed"][0]["username"] == "iformer"
    assert usernames(emulator, DESIGN) == {"jdoe", "jsmith", "k.o'brien"}
    assert usernames(emulator, "team-platform") == {"jsmith"}
    assert "jsmith" not in usernames(emulator, "confluence-users")
    assert emulator.log and all(r.path.startswith("/rest/api/2/") for r in emulator.log)  # under /jira

    # Again, with a personal access token instead of the password: nothing left to do.
    emulator.configure(faults=[])
    emulator.clear_log()
    again = run_playbook(server_play, env=connection_env(emulator, ATLASSIAN_BEARER_TOKEN=PAT))
    assert again.rc == 0, again.describe()
    assert [r["task"] for r in again.changed] == [] and emulator.writes() == []
    assert emulator.log and all(r.account_id == "dc-svc" for r in emulator.log)  # the token's owner, svc-ansible


def test_a_confluence_server_by_username(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(load_seed(SEED), products=("confluence_datacenter",))
    env = connection_env(emulator, *ADMIN)
    server_play = play(
        task("add", group=DESIGN, users=["jdoe", "jmarch"]),
        task("remove", group="confluence-users", user="jsmith", state="absent"),
        task("exactly these", group="team-platform", users=["jsmith"], exclusive=True),
    )
    run = run_playbook(server_play, env=env, expect_rc=0)
    assert [r["task"] for r in run.changed] == ["add", "remove", "exactly these"]
    assert run.result("add")["result"]["backend"] == "confluence_datacenter"
    assert sorted(u["username"] for u in run.result("add")["result"]["added"]) == ["jdoe", "jmarch"]
    assert run.result("exactly these")["result"]["removed"][0]["username"] == "iformer"
    assert usernames(emulator, DESIGN) == {"jdoe", "jmarch"} and usernames(emulator, "team-platform") == {"jsmith"}
    assert {r.method for r in emulator.writes()} == {"PUT", "DELETE"}

    emulator.clear_log()
    again = run_playbook(server_play, env=env, expect_rc=0)
    assert [r["task"] for r in again.changed] == [] and emulator.writes() == []

    # The server shows no emails: a value with '@' is a username (issue 16, case 9), one a login may be.
    at_signs = run_playbook(
        play(
            task("a username with @", group=DESIGN, user="zoe@acme.example"),
            task("an email that is nobody's username", group=DESIGN, user="jane.doe@acme.example", state="absent"),
        ),
        env=env,
        expect_rc=0,
    )
    assert [u["username"] for u in at_signs.result("a username with @")["result"]["added"]] == ["zoe@acme.example"]
    nobody = at_signs.result("an email that is nobody's username")
    assert nobody["changed"] is False and nobody["result"]["removed"] == []
    (warning,) = nobody["result"]["warnings"]
    assert "No account has username 'jane.doe@acme.example' ('jane.doe@acme.example' is taken as a username" in warning
    assert usernames(emulator, DESIGN) == {"jdoe", "jmarch", "zoe@acme.example"}
    assert [r.method for r in emulator.writes()] == ["PUT"]


def test_a_confluence_server_older_than_8_2_is_told_so(emulator_factory, run_playbook, connection_env):
    emulator = emulator_factory(
        load_seed(SEED), products=("confluence_datacenter",), confluence_dc_membership_api=False
    )
    run = run_playbook(
        play(task("add", group=DESIGN, user="jdoe", ignore_errors=True)), env=connection_env(emulator, *ADMIN)
    )
    outcome = run.result("add")
    result = outcome["result"]
    assert outcome["failed"] is True and result["added"] == []
    assert "this Confluence server has no REST endpoint to change groups or their members" in result["msg"]
    assert "Confluence Data Center added it in 8.2" in result["msg"]
    assert "Traceback" not in run.stdout + run.stderr
    assert emulator.members(DESIGN) == set()


def test_https_behind_a_private_ca(emulator_factory, run_playbook, connection_env, tmp_path):
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    ca_file = tmp_path / "acme-root-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    emulator = emulator_factory(load_seed(SEED), products=("jira_datacenter",), ssl_context=server_context)
    assert emulator.url.startswith("https://")
    one_task = play(task("add", group=DESIGN, user="jdoe", ignore_errors=True))

    untrusted = run_playbook(one_task, env=connection_env(emulator, *ADMIN))
    outcome = untrusted.result("add")
    result = outcome["result"]
    assert outcome["failed"] is True and "failed: TLS certificate verification failed" in result["msg"]
    assert "set ca_path (or ATLASSIAN_CA_PATH) to that CA's PEM certificate" in result["msg"]
    assert "Gave up after" not in result["msg"]  # a certificate problem is not retried
    assert emulator.members(DESIGN) == set()

    trusted = run_playbook(one_task, env=connection_env(emulator, *ADMIN, ATLASSIAN_CA_PATH=str(ca_file)))
    assert trusted.result("add")["changed"] is True and trusted.result("add")["failed"] is False, trusted.describe()
    assert usernames(emulator, DESIGN) == {"jdoe"}
