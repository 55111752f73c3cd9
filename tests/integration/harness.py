"""Integration-test harness: build and install the collection, run real ansible-playbook against it.

Tests exercise the collection the way a user gets it: ``ansible-galaxy collection build`` of this repository, then
``ansible-galaxy collection install`` of that tarball into a private collections path. Playbooks run as real
``ansible-playbook`` subprocesses from this virtual environment against ``localhost`` (``connection: local``), with a
test-only callback (``callback_plugins/record_results.py``) that records every task result as JSON.

Use it through the fixtures in ``conftest.py`` (``installed_collection``, ``run_playbook``) or directly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"
RECORD_ENV_VAR = "ORGSYNC_RECORD_RESULTS_PATH"
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable
NAMESPACE, NAME = "orgsync", "atlassian"

# Variables of the test process that would change how Ansible behaves if they leaked into a run.
_SCRUBBED_PREFIXES = ("ANSIBLE_", "ATLASSIAN_")


def tool(name: str) -> str:
    """Path of an executable of this virtual environment (ansible-playbook, ansible-galaxy, ...)."""
    path = VENV_BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run the tests with the project's venv (make venv)")
    return str(path)


def base_env(ansible_home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for Ansible commands: no ANSIBLE_*/ATLASSIAN_* from the caller, a private ANSIBLE_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env.update(
        ANSIBLE_HOME=str(ansible_home),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_LOCAL_TEMP=str(ansible_home / "tmp"),
        ANSIBLE_REMOTE_TEMP=str(ansible_home / "remote_tmp"),
        ANSIBLE_GALAXY_CACHE_DIR=str(ansible_home / "galaxy_cache"),
        ANSIBLE_PYTHON_INTERPRETER=PYTHON,
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("PYTHONPATH", None)
    if extra:
        env.update({k: str(v) for k, v in extra.items()})
    return env


# --------------------------------------------------------------------------------------------------------------
# build + install
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstalledCollection:
    """Where the built collection was installed. ``collections_path`` is what ANSIBLE_COLLECTIONS_PATH takes."""

    collections_path: Path
    tarball: Path

    @property
    def root(self) -> Path:
        return self.collections_path / "ansible_collections" / NAMESPACE / NAME

    def to_json(self) -> str:
        return json.dumps({"collections_path": str(self.collections_path), "tarball": str(self.tarball)})

    @classmethod
    def from_json(cls, text: str) -> InstalledCollection:
        data = json.loads(text)
        return cls(collections_path=Path(data["collections_path"]), tarball=Path(data["tarball"]))


def _run(cmd: list[str], *, env: dict[str, str], cwd: Path | None = None, timeout: float = 300) -> None:
    proc = subprocess.run(
        cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
    )
    if proc.returncode != 0:
        output = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        raise RuntimeError(f"command failed with rc={proc.returncode}: {' '.join(cmd)}\n{output}")


def build_and_install(workdir: Path, source: Path = REPO_ROOT) -> InstalledCollection:
    """``ansible-galaxy collection build`` ``source`` into ``workdir/dist``, install it into ``workdir/collections``."""
    dist = workdir / "dist"
    collections_path = workdir / "collections"
    ansible_home = workdir / "ansible_home"
    for d in (dist, collections_path, ansible_home):
        d.mkdir(parents=True, exist_ok=True)
    env = base_env(ansible_home)
    _run([tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dist), str(source)], env=env)
    tarballs = sorted(dist.glob(f"{NAMESPACE}-{NAME}-*.tar.gz"))
    if len(tarballs) != 1:
        raise RuntimeError(f"expected one collection tarball in {dist}, found {tarballs}")
    _run(
        [
            tool("ansible-galaxy"),
            "collection",
            "install",
            "--offline",
            "--force",
            "--no-deps",
            "-p",
            str(collections_path),
            str(tarballs[0]),
        ],
        env=env,
    )
    installed = InstalledCollection(collections_path=collections_path, tarball=tarballs[0])
    if not (installed.root / "MANIFEST.json").is_file():
        raise RuntimeError(f"collection not installed at {installed.root}")
    return installed


# --------------------------------------------------------------------------------------------------------------
# running playbooks
# --------------------------------------------------------------------------------------------------------------
@dataclass
class PlaybookRun:
    """One ansible-playbook run. ``results`` are the recorded task results, in order (see record_results.py)."""

    rc: int
    stdout: str
    stderr: str
    results: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)

    def result(self, task: str) -> dict[str, Any]:
        """The one recorded result of the task named ``task`` (raises if there is none or more than one)."""
        found = [r for r in self.results if r["task"] == task]
        if len(found) != 1:
            names = [r["task"] for r in self.results]
            raise KeyError(f"expected one result for task {task!r}, found {len(found)}; tasks: {names}")
        return found[0]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["failed"] and not r["ignore_errors"]]

    @property
    def changed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["changed"]]

    def describe(self) -> str:
        """Everything needed to understand a failed assertion."""
        return f"rc={self.rc}\ncommand: {' '.join(self.command)}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def side_by_side(
    workdir: Path,
    tasks: Mapping[str, list[Mapping[str, Any]]],
    host_vars: Mapping[str, Mapping[str, Any]] | None = None,
    **play_keywords: Any,
) -> tuple[list[dict[str, Any]], list[str]]:
    """A playbook that runs each host's own ``tasks`` side by side, and the ``extra_args`` that give its inventory.

    Every host is local and runs its tasks (written to ``tasks_<host>.yml`` in ``workdir``) in order; the play's free
    strategy lets the hosts run at once, up to ``ANSIBLE_FORKS``. Many cases in one ansible-playbook run cost one
    start-up of Ansible instead of one each. ``host_vars`` adds variables per host; ``play_keywords`` to the play.
    Give ``workdir`` to run_playbook too: the play includes the task files from beside the playbook.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    hosts: dict[str, dict[str, Any]] = {}
    for host, host_tasks in tasks.items():
        (workdir / f"tasks_{host}.yml").write_text(yaml.safe_dump(list(host_tasks), sort_keys=False))
        hosts[host] = {
            "ansible_connection": "local",
            "ansible_python_interpreter": PYTHON,
            **(host_vars or {}).get(host, {}),
        }
    inventory = workdir / "side_by_side.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": hosts}}, sort_keys=False))
    play = {
        "name": "side by side",
        "hosts": ",".join(hosts),
        "gather_facts": False,
        "strategy": "free",
        **play_keywords,
        "tasks": [{"ansible.builtin.include_tasks": "tasks_{{ inventory_hostname }}.yml"}],
    }
    return [play], ["-i", str(inventory)]


def connection_env(url: str, username: str | None = None, api_token: str | None = None, **extra: str) -> dict[str, str]:
    """ATLASSIAN_URL / ATLASSIAN_USERNAME / ATLASSIAN_API_TOKEN for the modules' env fallbacks.

    ``url`` may also be an object with ``.url`` (the emulator fixture). ``extra`` adds more variables as given.
    """
    emulator, url = url, getattr(url, "url", url)
    env = {"ATLASSIAN_URL": str(url)}
    org_key = _org_api_key(emulator)
    if org_key is not None and api_token is not None:
        # An organisation's Admin API takes no site login: the seed's site admin stands for the organisation's
        # admin, who holds its API key (one per seed), so the suites written for sites run on it unchanged.
        env["ATLASSIAN_BEARER_TOKEN"], env["ATLASSIAN_ORG_ID"] = org_key
        username = api_token = None
    if username is not None:
        env["ATLASSIAN_USERNAME"] = username
    if api_token is not None:
        env["ATLASSIAN_API_TOKEN"] = api_token
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _org_api_key(emulator: Any) -> tuple[str, str] | None:
    """(key, org id) of the organisation API key of an emulator that serves only the Admin API, else None."""
    if getattr(emulator, "products", None) != ("admin",):
        return None
    keys = [c for c in emulator.state.credentials if c.org_id is not None]
    return (keys[0].bearer_token, keys[0].org_id) if keys else None


def _playbook_text(playbook: str | Path | Iterable[Mapping[str, Any]]) -> str:
    if isinstance(playbook, Path):
        return playbook.read_text()
    if isinstance(playbook, str):
        return playbook
    return yaml.safe_dump(list(playbook), sort_keys=False)


def run_playbook(
    playbook: str | Path | Iterable[Mapping[str, Any]],
    *,
    collection: InstalledCollection,
    workdir: Path | None = None,
    env: Mapping[str, str] | None = None,
    extra_vars: Mapping[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    expect_rc: int | None = None,
    timeout: float = 240,
    extra_args: Iterable[str] = (),
) -> PlaybookRun:
    """Run a playbook with the venv's ``ansible-playbook`` against localhost and return what happened.

    ``playbook``: YAML text, a path to a playbook file (copied, so relative includes resolve from the copy's
    directory only if they are absolute), a list of plays as Python data, or the name of an installed collection's
    playbook (``orgsync.atlassian.offboard``).
    ``env``: extra environment (e.g. ``connection_env(emulator, ...)``). ``expect_rc``: assert the exit code.
    """
    workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="orgsync-play-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ansible_home = workdir / "ansible_home"
    ansible_home.mkdir(exist_ok=True)

    if isinstance(playbook, Path) and playbook.is_absolute() and playbook.parent != workdir:
        playbook_path = playbook  # run in place, so relative vars_files / includes resolve next to it
    elif isinstance(playbook, str) and re.fullmatch(r"\w+\.\w+\.\w+", playbook):
        playbook_path = playbook  # a collection's playbook by name (ansible-playbook orgsync.atlassian.offboard)
    else:
        playbook_path = workdir / "playbook.yml"
        playbook_path.write_text(_playbook_text(playbook))

    inventory = workdir / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={PYTHON}\n")
    record_path = workdir / "results.json"
    record_path.unlink(missing_ok=True)

    cmd = [tool("ansible-playbook"), "-i", str(inventory), str(playbook_path)]
    if extra_vars:
        extra_vars_path = workdir / "extra_vars.json"
        extra_vars_path.write_text(json.dumps(dict(extra_vars)))
        cmd += ["-e", f"@{extra_vars_path}"]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    cmd += list(extra_args)

    run_env = base_env(
        ansible_home,
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collection.collections_path),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
            "ANSIBLE_CALLBACKS_ENABLED": "record_results",
            RECORD_ENV_VAR: str(record_path),
        },
    )
    if env:
        run_env.update({k: str(v) for k, v in env.items()})

    proc = subprocess.run(
        cmd,
        env=run_env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    recorded: dict[str, Any] = {"results": [], "stats": {}}
    if record_path.exists():
        recorded = json.loads(record_path.read_text())
    run = PlaybookRun(
        rc=proc.returncode,
        stdout=proc.stdout,
        stderr=proc.stderr,
        results=recorded["results"],
        stats=recorded["stats"],
        command=cmd,
    )
    if expect_rc is not None and run.rc != expect_rc:
        raise AssertionError(f"ansible-playbook exited {run.rc}, expected {expect_rc}\n{run.describe()}")
    return run
