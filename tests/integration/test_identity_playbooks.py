# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Issue 16's cases 1-7 replayed through ansible-playbook, the way the adversarial review found them: one playbook
run per backend, each case a task (or two) of it with ignore_errors, and the emulator's write log asserted as a whole,
so that nothing is written where it must not be. The in-process tests (test_identity_cases.py) hold each case on
every backend; this is the same with the built collection and Ansible's own argument handling (case 4 exists only
there: a YAML list given to user).

Which cases run on which backend: 1 is Jira Cloud's search (hidden emails matched by a display name); 2, an email two
users share, fails on Jira Data Center, the only backend where users can share one (on Cloud an address is one
Atlassian account's, so there the member that shows it is its holder, found without a lookup); 3 needs account types
(Cloud); 6 is Jira Data Center's group picker; 7 is the Admin API's directories. 4 and 5 run everywhere.
"""

from __future__ import annotations

import copy
import json

import pytest
from group_member_support import (
    ADMIN,
    DEPLOY_BOT,
    GROUP_IDS,
    IVAN,
    JANE,
    JOHN,
    PAT_TWIN,
    PAT_TWIN_OLD,
    play,
    write_calls,
)

from atlassian_emulator import load_seed
from atlassian_emulator.seed import DEFAULT_SEED_PATH

pytestmark = [pytest.mark.slow, pytest.mark.backends("jira_cloud", "confluence_cloud", "jira_datacenter", "admin")]

MEMBER = "orgsync.atlassian.atlassian_group_member"
USER_GROUPS = "orgsync.atlassian.atlassian_user_groups"
GROUP = "orgsync.atlassian.atlassian_group"
SAM = "5b10a2844c20165700ede101"  # a deactivated leaver, email visible
SAMANTHA = "5b10a2844c20165700ede102"  # hides her email; her display name is Sam's address
LABS = "labs-directory"
LABS_PLATFORM = "5e1d2c3b-0000-4000-8000-00000000abcd"  # a second team-platform, in the organisation's other directory


def seed_for(backend: str) -> dict:
    seed = copy.deepcopy(load_seed(DEFAULT_SEED_PATH))
    seed["users"] += [
        {"account_id": SAM, "display_name": "Sam Leaver", "email": "sam@acme.example", "active": False},
        {
            "account_id": SAMANTHA,
            "display_name": "sam@acme.example",
            "email": "samantha@acme.example",
            "email_hidden": True,
        },
    ]
    extra = {"team-design": [SAM, SAMANTHA, PAT_TWIN[0]], "team-platform": [SAM]}
    for group in seed["groups"]:
        group["members"] = [*group["members"], *extra.get(group["name"], [])]
    if backend == "admin":
        seed["org"]["directories"].append({"directory_id": LABS, "name": "acme labs"})
        seed["groups"].append({"name": "team-platform", "group_id": LABS_PLATFORM, "directory_id": LABS})
    if backend == "jira_datacenter":
        # The group picker shows 100 of the 121 groups that contain "ops", and not ops itself; ops spans 3 pages.
        seed["groups"] += [{"name": f"a-ops-{i:03d}", "members": []} for i in range(120)]
        seed["generate"].append({"group": "ops", "members": 120, "email_domain": "ops.example"})
    return seed


def cases(backend: str) -> list[dict]:
    """The playbook's tasks for this backend, in order."""
    tasks = []
    if backend == "jira_cloud":
        tasks += [
            # Case 1: Jira's search for Sam's address finds Samantha, by her name only; she is never taken for him.
            {
                "name": "1 offboard sam by email",
                USER_GROUPS: {"user": "sam@acme.example", "groups": [], "exclusive": True, "keep": []},
            },
            {"name": "1 add sam by email", MEMBER: {"group": "site-admins", "user": "sam@acme.example"}},
            {
                "name": "1 remove sam again",
                MEMBER: {"group": "team-design", "user": "sam@acme.example", "state": "absent"},
            },
        ]
    if backend != "confluence_datacenter":
        # Case 2: Pat Twin is in team-design. On Data Center, Pat Twin (old) has the same email and is not.
        tasks += [
            {"name": "2 add pat by email", MEMBER: {"group": "team-design", "user": "pat@acme.example"}},
            {
                "name": "2 remove pat by email",
                MEMBER: {"group": "team-design", "user": "pat@acme.example", "state": "absent"},
            },
        ]
    if backend in ("jira_cloud", "confluence_cloud"):
        # Case 3: exclusive keeps Deploy Bot (an app), and an app given by accountId is accepted.
        tasks += [
            {"name": "3 exactly jane", MEMBER: {"group": "team-platform", "users": [JANE[1]], "exclusive": True}},
            {"name": "3 add the bot by accountId", MEMBER: {"group": "team-design", "user": DEPLOY_BOT[0]}},
        ]
    tasks += [
        # Case 4: a one-element list given to user: is refused before any request, naming the option.
        {"name": "4 a list given to user", MEMBER: {"group": "confluence-users", "user": [JANE[1]], "state": "absent"}},
        # Case 5: leaving a group whose name is misspelt is said, not skipped.
        {
            "name": "5 leave a misspelt group",
            USER_GROUPS: {"user": JANE[0], "groups": ["team-platfrom"], "state": "absent"},
        },
    ]
    if backend == "jira_datacenter":
        # Case 6: OPS is ops (the server compares names case-insensitively), though the picker does not show it.
        tasks += [
            {"name": "6 ops-0111 stays in OPS", MEMBER: {"group": "OPS", "user": "ops-0111"}},
            {"name": "6 ops-0110 leaves OPS", MEMBER: {"group": "OPS", "user": "ops-0110", "state": "absent"}},
        ]
    if backend == "admin":
        # Case 7: team-platform is a name of two directories: never "no such group", in check mode or not.
        tasks += [
            {"name": "7 delete team-platform", GROUP: {"name": "team-platform", "state": "absent"}},
            {"name": "7 create team-platform (check)", GROUP: {"name": "team-platform"}, "check_mode": True},
            {"name": "7 add jane to team-platform", MEMBER: {"group": "team-platform", "user": JANE[0]}},
        ]
    for entry in tasks:
        entry["ignore_errors"] = True
    return tasks


def test_cases_1_to_7_in_one_playbook_per_backend(emulator_factory, run_playbook, connection_env, backend_profile):
    backend = backend_profile.name
    emulator = emulator_factory(seed_for(backend))
    run = run_playbook(play(*cases(backend)), env=connection_env(emulator, *ADMIN))
    result = {r["task"]: r for r in run.results}

    def failed(name: str, *fragments: str) -> None:
        assert result[name]["failed"] is True, result[name]
        for fragment in fragments:
            assert fragment in result[name]["result"]["msg"], result[name]["result"]["msg"]

    def ok(name: str) -> dict:
        assert result[name]["failed"] is False, result[name]["result"]
        return result[name]["result"]

    expected_writes = []
    team_platform = backend_profile.group_ref("team-platform", GROUP_IDS["team-platform"])
    team_design = backend_profile.group_ref("team-design", GROUP_IDS["team-design"])
    if backend == "jira_cloud":
        offboarded = ok("1 offboard sam by email")
        assert offboarded["user"]["account_id"] == SAM
        assert sorted(g["name"] for g in offboarded["removed_from"]) == ["team-design", "team-platform"]
        failed("1 add sam by email", "No active Atlassian account was found with email 'sam@acme.example'")
        assert ok("1 remove sam again")["removed"] == []
        assert SAMANTHA in emulator.members("team-design")
        expected_writes += [("DELETE", team_design, SAM), ("DELETE", team_platform, SAM)]
    if backend == "jira_datacenter":
        for name in ("2 add pat by email", "2 remove pat by email"):
            failed(
                name, f"'pat@acme.example' is ambiguous: 2 accounts have this email ({PAT_TWIN[0]}, {PAT_TWIN_OLD[0]})"
            )
        assert PAT_TWIN[0] in emulator.members("team-design")
    elif backend != "confluence_datacenter":
        # One address, one Atlassian account: the member showing it is Pat, and no request asks about the address.
        assert ok("2 add pat by email")["changed"] is False
        assert [u["account_id"] for u in ok("2 remove pat by email")["removed"]] == [PAT_TWIN[0]]
        assert PAT_TWIN[0] not in emulator.members("team-design")
        asked = [r for r in emulator.log if "pat@acme.example" in json.dumps([r.query, r.body]).lower()]
        assert asked == [], asked
        expected_writes += [("DELETE", team_design, PAT_TWIN[0])]
    if backend in ("jira_cloud", "confluence_cloud"):
        exact = ok("3 exactly jane")
        assert [k["account_id"] for k in exact["kept"]] == [DEPLOY_BOT[0]] and exact["kept"][0]["reason"] == (
            "app account"
        )
        removed = {JOHN[0], IVAN[0]} | ({SAM} if backend == "confluence_cloud" else set())
        assert {u["account_id"] for u in exact["removed"]} == removed
        assert emulator.members("team-platform") == {JANE[0], DEPLOY_BOT[0]}
        assert ok("3 add the bot by accountId")["added"][0]["account_id"] == DEPLOY_BOT[0]
        expected_writes += [("DELETE", team_platform, account) for account in removed]
        expected_writes += [("POST", team_design, DEPLOY_BOT[0])]
    failed("4 a list given to user", "user takes one value: give a list to users instead")
    assert JANE[0] in emulator.members("confluence-users")
    (warning,) = ok("5 leave a misspelt group")["warnings"]
    assert "No group with name 'team-platfrom' exists" in warning and "nothing to remove" in warning
    if backend == "jira_datacenter":
        assert result["6 ops-0111 stays in OPS"]["changed"] is False
        assert [u["username"] for u in ok("6 ops-0110 leaves OPS")["removed"]] == ["ops-0110"]
        expected_writes += [("DELETE", "OPS", "ops-0110")]
    if backend == "admin":
        for name in ("7 delete team-platform", "7 create team-platform (check)", "7 add jane to team-platform"):
            failed(name, "2 directories of the organisation have a group named 'team-platform'", "directory_id")
        assert emulator.state.find_group(group_id=LABS_PLATFORM).name == "team-platform"

    # Nothing else was written: every write above, once, and no other.
    writes = [(method, group_id, account) for method, group_id, account, _status in write_calls(emulator)]
    assert sorted(writes) == sorted(expected_writes), run.describe()
