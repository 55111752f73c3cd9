# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The README's quick start as a new user follows it (issue 22): `make emulator`, its exports pasted into another
shell, the README's own playbook run with the README's commands there, then `ansible-doc`; and `make doc`.

The shell that runs the README's commands has nothing of this test's environment: no ANSIBLE_*, ATLASSIAN_* or
virtual environment on PATH, and a HOME of its own (so ~/.ansible holds no collection). What makes the commands work
is what `make emulator` printed, and nothing else.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import harness
import pytest

pytestmark = pytest.mark.slow

README = harness.REPO_ROOT / "README.md"
VENV = Path(sys.executable).parent.parent
# Frank Fischer hides his email in the demo seed: the diff names him beside his accountId.
FRANK = "Frank Fischer (5c8e0d1a2b3c4d5e6f700007)"


def quick_start() -> tuple[str, list[str]]:
    """The README's quick-start playbook (the YAML block that starts with ``# mine.yml``) and the commands of the
    console block after it."""
    text = README.read_text()
    playbook = re.search(r"```yaml\n(# mine\.yml\n.*?)```", text, re.S)
    assert playbook, "README.md: no ```yaml block starting with '# mine.yml' in the quick start"
    console = re.search(r"```console\n(.*?)```", text[playbook.end() :], re.S)
    assert console, "README.md: no ```console block after the quick-start playbook"
    commands = [line[2:].split("  #")[0].strip() for line in console.group(1).splitlines() if line.startswith("$ ")]
    return playbook.group(1), commands


def user_env(home: Path) -> dict[str, str]:
    """A shell of a user's own: PATH without the venv, a HOME of its own, no ANSIBLE_* or ATLASSIAN_* variables."""
    env = {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "ANSIBLE_NOCOLOR": "1"}
    for name in ("LANG", "LC_ALL", "TMPDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """What ``proc`` printed up to and including the line that starts with ``marker`` (read by a thread: the process
    keeps running, so its output never ends)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line)
            if line.startswith(marker):
                return
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if line.startswith(marker):
            return "".join(seen)
    raise AssertionError(f"no line starting with {marker!r} within {timeout} s; output so far:\n{''.join(seen)}")


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/_emulator/health", timeout=2).close()
        return True
    except (urllib.error.URLError, OSError):
        return False


def test_make_emulator_then_my_own_playbook_then_ansible_doc(tmp_path):
    # The Makefile's targets are these scripts (make's own part: creating .venv, which the tests' run already did).
    dry = subprocess.run(
        ["make", "-n", "-C", str(harness.REPO_ROOT), "emulator", "doc", "MODULE=atlassian_group_member"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "scripts/emulator.sh" in dry.stdout and "scripts/doc.sh atlassian_group_member" in dry.stdout

    home = tmp_path / "home"
    home.mkdir()
    emulator = subprocess.Popen(
        [str(harness.REPO_ROOT / "scripts" / "emulator.sh")],
        env={**user_env(home), "VENV": str(VENV)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group, which Ctrl-C reaches as a whole
    )
    try:
        printed = read_until(emulator, "# Ctrl-C")
        exports = [line for line in printed.splitlines() if line.startswith("export ")]
        names = [line.split("=", 1)[0].removeprefix("export ") for line in exports]
        assert names == [
            "ATLASSIAN_URL",
            "ATLASSIAN_USERNAME",
            "ATLASSIAN_API_TOKEN",
            "ATLASSIAN_BACKEND",
            "PATH",
            "ANSIBLE_COLLECTIONS_PATH",
            "ANSIBLE_PYTHON_INTERPRETER",
        ], printed
        url = exports[0].split("=", 1)[1]
        assert answers(url)

        # The user's shell: the exports pasted, then the README's playbook and commands, in a directory of theirs.
        playbook, commands = quick_start()
        assert [c.split()[0] for c in commands] == ["ansible-playbook", "ansible-playbook", "ansible-doc"], commands
        work = tmp_path / "mine"
        work.mkdir()
        (work / "mine.yml").write_text(playbook)
        outputs = []
        for command in commands:
            script = "\n".join([*exports, command])
            run = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script],
                cwd=work,
                env=user_env(home),
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert run.returncode == 0, f"$ {command}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
            outputs.append(run.stdout)
        check, real, doc = outputs
        assert "changed=1" in check and FRANK in check and "heidi@acme.example" in check
        assert "changed=1" in real and "failed=0" in real
        assert "orgsync.atlassian.atlassian_group_member" in doc and "exclusive" in doc

        # `make doc`, from a shell without the exports.
        module_doc = subprocess.run(
            [str(harness.REPO_ROOT / "scripts" / "doc.sh"), "atlassian_user_info"],
            env={**user_env(home), "VENV": str(VENV)},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert "orgsync.atlassian.atlassian_user_info" in module_doc.stdout and "include_groups" in module_doc.stdout
        assert module_doc.stderr == ""
    finally:
        # Ctrl-C: SIGINT to the foreground process group.
        if emulator.poll() is None:
            os.killpg(emulator.pid, signal.SIGINT)
        rest = emulator.communicate(timeout=20)[0]
    assert emulator.returncode == 0, rest
    assert "emulator stopped" in rest
    assert not answers(url)
