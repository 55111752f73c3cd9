# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The info modules in real ansible-playbook runs of the built and installed collection, against the emulator."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

ADMIN = ("admin@acme.example", "admin-api-token")
JANE_ID = "5b10a2844c20165700ede003"
HANA_ID = "5b10a2844c20165700ede008"

LOOKUP_PLAY = """
- name: look up users
  hosts: localhost
  gather_facts: false
  tasks:
    - name: several users
      orgsync.atlassian.atlassian_user_info:
        users:
          - jane@acme.example
          - 5b10a2844c20165700ede008
        include_groups: true
      register: people

    - name: accountId by email
      ansible.builtin.debug:
        msg: "{{ (people.users | items2dict(key_name='reference', value_name='account_id'))['jane@acme.example'] }}"

    - name: unknown user
      orgsync.atlassian.atlassian_user_info:
        user: nobody@acme.example
      ignore_errors: true
"""


@pytest.mark.parametrize("check", [False, True])
def test_user_info_in_a_playbook(emulator, run_playbook, connection_env, backend_profile, check):
    run = run_playbook(LOOKUP_PLAY, env=connection_env(emulator, *ADMIN), check=check, expect_rc=0)
    people = run.result("several users")
    assert people["changed"] is False
    users = people["result"]["users"]
    assert [u["account_id"] for u in users] == [JANE_ID, HANA_ID]
    assert users[1]["email"] is None
    assert {g["name"] for g in users[0]["groups"]} == {"jira-software-users", "confluence-users", "team-platform"}
    assert run.result("accountId by email")["result"]["msg"] == JANE_ID
    unknown = run.result("unknown user")
    assert unknown["failed"] is True
    assert f"{backend_profile.email_not_found} 'nobody@acme.example'" in unknown["result"]["msg"]
    assert emulator.writes() == []


IMPORT_PLAY = """
- name: export a group and manage it from the export
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/orgsync.atlassian.atlassian:
      url: "{{ atlassian_url }}"
      username: "{{ atlassian_username }}"
      api_token: "{{ atlassian_api_token }}"
  tasks:
    - name: export
      orgsync.atlassian.atlassian_group_member_info:
        group: "{{ group_name }}"
      register: current

    - name: manage exclusively from the export
      orgsync.atlassian.atlassian_group_member:
        group: "{{ group_name }}"
        users: "{{ current.users }}"
        exclusive: true
"""


@pytest.mark.parametrize("group", ["jira-software-users", "big-group"])
def test_export_fed_back_to_exclusive_membership_is_unchanged(emulator, run_playbook, group):
    before = emulator.members(group)
    run = run_playbook(
        IMPORT_PLAY,
        extra_vars={
            "atlassian_url": emulator.url,
            "atlassian_username": ADMIN[0],
            "atlassian_api_token": ADMIN[1],
            "group_name": group,
        },
        expect_rc=0,
    )
    exported = run.result("export")
    assert exported["changed"] is False
    assert len(exported["result"]["users"]) == len(before)
    managed = run.result("manage exclusively from the export")
    assert managed["changed"] is False, managed["result"]
    assert managed["result"]["added"] == [] and managed["result"]["removed"] == []
    assert emulator.writes() == []
    assert emulator.members(group) == before
    assert ADMIN[1] not in run.stdout + run.stderr


def test_member_info_in_check_mode_by_group_id(emulator, run_playbook, connection_env, backend_profile):
    play = """
- name: members by id
  hosts: localhost
  gather_facts: false
  tasks:
    - name: active members only
      orgsync.atlassian.atlassian_group_member_info:
        group_id: b16b16b1-6b16-4b16-8b16-b16b16b16b16
        include_inactive: false
"""
    run = run_playbook(play, env=connection_env(emulator, *ADMIN), check=True, expect_rc=0)
    result = run.result("active members only")
    assert result["changed"] is False
    assert result["result"]["group"]["name"] == "big-group"
    # 12 of the 120 are deactivated; Confluence does not say which, so it keeps them all rather than guess.
    assert len(result["result"]["members"]) == (108 if backend_profile.knows_inactive else 120)
