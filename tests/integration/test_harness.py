"""Smoke tests of the integration harness itself (no emulator needed)."""

from __future__ import annotations

import json

import harness


def test_collection_is_built_and_installed(installed_collection):
    manifest = json.loads((installed_collection.root / "MANIFEST.json").read_text())
    assert manifest["collection_info"]["namespace"] == "orgsync"
    assert manifest["collection_info"]["name"] == "atlassian"
    assert installed_collection.tarball.name.startswith("orgsync-atlassian-")
    # The installed copy is what runs, not the source tree.
    assert harness.REPO_ROOT not in installed_collection.root.resolve().parents


DEBUG_PLAY = """
- name: harness smoke
  hosts: localhost
  gather_facts: false
  tasks:
    - name: say hello
      ansible.builtin.debug:
        msg: "hello {{ who }}"

    - name: report interpreter
      ansible.builtin.command: "{{ ansible_python_interpreter }} -c 'import sys; print(sys.prefix)'"
      changed_when: false

    - name: echo env
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.env', 'ATLASSIAN_URL') }}"
"""


def test_debug_task_is_recorded(run_playbook, connection_env):
    run = run_playbook(
        DEBUG_PLAY,
        extra_vars={"who": "world"},
        env=connection_env("http://127.0.0.1:1", "admin@acme.example", "t0ken"),
        expect_rc=0,
    )
    hello = run.result("say hello")
    assert hello["host"] == "localhost"
    assert hello["status"] == "ok"
    assert hello["changed"] is False and hello["failed"] is False and hello["skipped"] is False
    assert hello["result"]["msg"] == "hello world"
    assert hello["play"] == "harness smoke"
    # Modules run with the venv's interpreter.
    assert run.result("report interpreter")["result"]["stdout"].strip() == str(harness.VENV_BIN.parent)
    assert run.result("echo env")["result"]["msg"] == "http://127.0.0.1:1"
    assert run.stats["localhost"]["failures"] == 0
    assert run.stats["localhost"]["ok"] == 3


FAILING_PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: broken on purpose
      ansible.builtin.fail:
        msg: intentional failure
    - name: never reached
      ansible.builtin.debug:
        msg: unreachable
"""


def test_failing_task_gives_rc2_and_failed_result(run_playbook):
    run = run_playbook(FAILING_PLAY, expect_rc=2)
    broken = run.result("broken on purpose")
    assert broken["failed"] is True and broken["status"] == "failed"
    assert broken["result"]["msg"] == "intentional failure"
    assert [r["task"] for r in run.failed] == ["broken on purpose"]
    assert not any(r["task"] == "never reached" for r in run.results)


def test_check_mode_and_diff_are_passed(run_playbook, tmp_path):
    target = tmp_path / "file.txt"
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"name": "write", "ansible.builtin.copy": {"content": "new\n", "dest": str(target)}}],
        }
    ]
    run = run_playbook(play, check=True, diff=True, expect_rc=0)
    write = run.result("write")
    assert write["changed"] is True
    assert write["diff"], "diff recorded with --diff"
    assert not target.exists(), "check mode wrote nothing"


def test_installed_collection_modules_resolve(run_playbook):
    # No emulator: the module must be found and run (then fail on its own terms), not be unknown to Ansible.
    play = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: module from the installed collection
      orgsync.atlassian.atlassian_group_member:
        group: some-group
        user: someone@example.com
"""
    run = run_playbook(play, expect_rc=2)
    result = run.result("module from the installed collection")
    assert result["failed"] is True
    assert result["action"] == "orgsync.atlassian.atlassian_group_member"
    msg = result["result"].get("msg", "")
    assert "couldn't resolve module" not in msg and "was not found" not in msg, run.describe()
