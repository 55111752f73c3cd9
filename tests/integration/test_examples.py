# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Every module's EXAMPLES, run as a user pastes them: in check mode, for real, then again unchanged.

The modules are found in plugins/modules/, so a new module's examples run here without editing this file. Each
module's EXAMPLES block becomes the tasks of one inventory host (all local, run side by side by one play with the
free strategy), and that playbook runs three times (three ansible-playbook runs in all, whatever the number of
modules); each module's examples talk to their own emulator started from tools/atlassian_emulator/seeds/examples.yaml,
the site the examples talk about. Only the connection is replaced: ``url`` and ``username`` wherever an example sets
them (in a task or in ``module_defaults``), the ``atlassian_api_token`` variable the examples use, and the
``ATLASSIAN_*`` environment the examples that say "connection from ATLASSIAN_* environment variables" rely on.

- check mode: no task fails and no write reaches any emulator;
- for real: no task fails, and every module's example ran it;
- again, unchanged: no task reports a change and no write is sent (the examples converge).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import harness
import pytest
import yaml

pytestmark = [pytest.mark.slow, pytest.mark.backends("jira_cloud")]

MODULES_DIR = harness.REPO_ROOT / "plugins" / "modules"
SEED = harness.REPO_ROOT / "tools" / "atlassian_emulator" / "seeds" / "examples.yaml"
USERNAME, API_TOKEN = "automation@acme.com", "examples-api-token"
GONE = "5b10ac8d82e05b22cc7d4a05"  # gone@acme.com, the leaver of atlassian_user_groups' example
FQCN = "orgsync.atlassian."


def modules() -> list[str]:
    return sorted(p.stem for p in MODULES_DIR.glob("*.py") if not p.name.startswith("_"))


def examples(module: str) -> list[dict[str, Any]]:
    """The module's EXAMPLES, read from its source without importing it (as ansible-doc does)."""
    tree = ast.parse((MODULES_DIR / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "EXAMPLES":
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{module} has no EXAMPLES")


def with_connection(node: Any, url: str) -> Any:
    """The tasks with the connection of every orgsync.atlassian task and module_defaults entry pointed at ``url``."""
    replace = {"url": url, "username": USERNAME, "email": USERNAME}

    def connected(args: Any) -> Any:
        return {k: replace.get(k, v) for k, v in args.items()} if isinstance(args, dict) else args

    if isinstance(node, list):
        return [with_connection(item, url) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "module_defaults":
            out[key] = {group: connected(args) for group, args in value.items()}
        elif key.startswith(FQCN):
            out[key] = connected(value)
        elif key in ("block", "rescue", "always"):
            out[key] = with_connection(value, url)
        else:
            out[key] = value
    return out


def host(module: str) -> str:
    return f"examples_{module}"


def test_every_module_s_examples_run_check_real_and_converge(emulator_factory, installed_collection, tmp_path):
    emulators = {module: emulator_factory(str(SEED)) for module in modules()}
    workdir = tmp_path / "examples"  # one directory for the three runs: an example may write a file and read it back
    workdir.mkdir()
    # One inventory host per module, all local, and one play over them with the free strategy: the modules' examples
    # run side by side, each against its own emulator, each host's tasks in their order.
    playbook, inventory_args = harness.side_by_side(
        workdir,
        {host(m): with_connection(examples(m), e.url) for m, e in emulators.items()},
        {host(m): {"emulator_url": e.url} for m, e in emulators.items()},
        name="EXAMPLES",
        # The examples that take the connection from the environment get their host's emulator.
        environment={"ATLASSIAN_URL": "{{ emulator_url }}"},
        vars={"atlassian_api_token": API_TOKEN},
    )
    env = {
        "ATLASSIAN_USERNAME": USERNAME,
        "ATLASSIAN_API_TOKEN": API_TOKEN,
        "ANSIBLE_FORKS": str(len(emulators)),
        "ANSIBLE_PIPELINING": "1",
    }

    def run(check: bool) -> harness.PlaybookRun:
        result = harness.run_playbook(
            playbook, collection=installed_collection, workdir=workdir, env=env, check=check, diff=True,
            extra_args=inventory_args,
        )  # fmt: skip
        assert result.rc == 0 and not result.failed, result.describe()
        return result

    def writes() -> dict[str, list]:
        return {module: [f"{r.method} {r.path}" for r in e.writes()] for module, e in emulators.items() if e.writes()}

    check = run(check=True)
    assert writes() == {}, "check mode sent writes"

    real = run(check=False)
    for module in modules():
        ran = [r for r in real.results if r["host"] == host(module) and r["action"] == FQCN + module]
        assert ran and all(r["status"] == "ok" for r in ran), f"{module}'s EXAMPLES do not run {FQCN}{module}"
    assert real.changed, "no example changed anything: the rerun below would prove nothing"
    # The offboarding example says the leaver loses the admin groups too (keep: []); the seed has them in site-admins.
    assert emulators["atlassian_user_groups"].state.groups_of(GONE) == []
    assert check.changed

    for emulator in emulators.values():
        emulator.clear_log()
    again = run(check=False)
    assert [(r["host"], r["task"]) for r in again.changed] == []
    assert writes() == {}


def test_the_connection_is_all_that_is_replaced():
    tasks = [
        {"name": "a", "orgsync.atlassian.atlassian_group": {"url": "https://acme.atlassian.net", "name": "x"}},
        {"name": "b", "module_defaults": {"group/orgsync.atlassian.atlassian": {"username": "u", "api_token": "t"}},
         "block": [{"name": "c", "ansible.builtin.debug": {"msg": "url"}}]},
    ]  # fmt: skip
    assert with_connection(tasks, "http://127.0.0.1:1") == [
        {"name": "a", "orgsync.atlassian.atlassian_group": {"url": "http://127.0.0.1:1", "name": "x"}},
        {"name": "b", "module_defaults": {"group/orgsync.atlassian.atlassian": {"username": USERNAME, "api_token": "t"}},
         "block": [{"name": "c", "ansible.builtin.debug": {"msg": "url"}}]},
    ]  # fmt: skip
    assert set(modules()) >= {"atlassian_group", "atlassian_group_member", "atlassian_user_info"}
    assert all(isinstance(examples(m), list) and examples(m) for m in modules())
    assert Path(SEED).is_file()
