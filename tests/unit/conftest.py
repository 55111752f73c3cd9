"""Unit-test wiring: import the collection as ``ansible_collections.orgsync.atlassian`` from a plain checkout.

The repository root *is* the collection root, so there is no ``ansible_collections/orgsync/atlassian/`` directory to put
on ``sys.path``. At import time (before pytest collects any test module) this file:

1. makes ``build/unit_collections/ansible_collections/orgsync/atlassian`` a relative symlink to the repository root;
2. installs ansible-core's collection finder for ``build/unit_collections`` (what ``ansible-test units`` does), so
   ``ansible_collections.*`` imports resolve exactly as they do when Ansible runs the collection, and puts the same
   directory on ``sys.path`` so plain namespace-package resolution agrees with it.

It also provides the ``run_module`` fixture: run a module's ``main()`` in-process with real arguments and get back the
result dict it passed to ``exit_json`` / ``fail_json``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT_COLLECTIONS = REPO_ROOT / "build" / "unit_collections"
COLLECTION_LINK = UNIT_COLLECTIONS / "ansible_collections" / "orgsync" / "atlassian"
COLLECTION_NAME = "orgsync.atlassian"


def _ensure_collection_link() -> None:
    """Create the symlink, safely when several xdist workers race to do it."""
    target = os.path.relpath(REPO_ROOT, COLLECTION_LINK.parent)
    if COLLECTION_LINK.is_symlink() and os.readlink(COLLECTION_LINK) == target:
        return
    COLLECTION_LINK.parent.mkdir(parents=True, exist_ok=True)
    tmp = COLLECTION_LINK.with_name(f".atlassian.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target, target_is_directory=True)
    if COLLECTION_LINK.exists() and not COLLECTION_LINK.is_symlink():
        raise RuntimeError(f"{COLLECTION_LINK} exists and is not a symlink; remove it (make clean)")
    os.replace(tmp, COLLECTION_LINK)  # atomic: a concurrent reader sees the old or the new link, never none


def _install_collection_finder() -> None:
    if str(UNIT_COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(UNIT_COLLECTIONS))
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    if any(type(finder).__name__ == "_AnsibleCollectionFinder" for finder in sys.meta_path):
        return  # someone (e.g. ansible-test's own pytest plugin) already did
    _AnsibleCollectionFinder(paths=[str(UNIT_COLLECTIONS)])._install()


_ensure_collection_link()
_install_collection_finder()


class ModuleRunError(AssertionError):
    """The module returned from main() without calling exit_json/fail_json, or printed no result."""


def _parse_result(stdout: str) -> dict[str, Any]:
    """The module prints its result as the last JSON object on stdout (after a newline)."""
    text = stdout.strip()
    if not text:
        raise ModuleRunError("the module printed nothing")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    # Something else was printed before the result: take the last line that parses as a JSON object.
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                return json.loads(line)
    raise ModuleRunError(f"no JSON result in the module's output:\n{stdout}")


def _summary_message(item: Any) -> Any:
    """ansible-core 2.19 serialises warnings as tagged ``WarningSummary`` objects; return the message as a string."""
    if isinstance(item, dict) and isinstance(item.get("event"), dict) and "msg" in item["event"]:
        return item["event"]["msg"]
    return item


def _normalise_result(result: dict[str, Any]) -> dict[str, Any]:
    """Present warnings/deprecations as the message strings a playbook run shows, not the wire format."""
    if "warnings" in result:
        result["warnings"] = [_summary_message(w) for w in result["warnings"]]
    if "deprecations" in result:
        normalised = []
        for dep in result["deprecations"]:
            if isinstance(dep, dict) and isinstance(dep.get("event"), dict):
                extra = {k: v for k, v in dep.items() if k not in ("event", "__ansible_type")}
                dep = {"msg": _summary_message(dep), **extra}
            normalised.append(dep)
        result["deprecations"] = normalised
    return result


def _module_args(
    args: dict[str, Any] | None, *, check_mode: bool, diff: bool, extra: dict[str, Any] | None
) -> dict[str, Any]:
    full = dict(args or {})
    full.setdefault("_ansible_check_mode", check_mode)
    full.setdefault("_ansible_diff", diff)
    full.setdefault("_ansible_remote_tmp", "/tmp")
    full.setdefault("_ansible_keep_remote_files", False)
    if extra:
        full.update(extra)
    return full


def _clear_module_warnings(module_warnings: Any) -> None:
    for name in ("_global_warnings", "_global_deprecations"):  # ansible-core 2.19 internals; absent elsewhere
        getattr(module_warnings, name, {}).clear()


@contextlib.contextmanager
def _patch_module_args_before_2_19(args: dict[str, Any]) -> Any:
    """What ``ansible.module_utils.testing.patch_module_args`` (ansible-core 2.19+) does, for older ansible-core
    (``make matrix`` runs these tests on every supported release): AnsibleModule reads its arguments from
    ``basic._ANSIBLE_ARGS``."""
    from ansible.module_utils import basic

    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


def run_module_main(
    module_main: Callable[[], Any],
    args: dict[str, Any] | None = None,
    *,
    check_mode: bool = False,
    diff: bool = False,
    extra_internal_args: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``module_main()`` as Ansible would run the module and return its result.

    ``args`` are the task's module arguments. Internal ``_ansible_*`` arguments (check mode, diff) are added.
    The result is what the module passed to ``exit_json`` (``failed`` absent or false) or ``fail_json``
    (``failed: true``); the SystemExit code is checked against it. ``warnings`` are plain message strings.
    """
    from ansible.module_utils.common import warnings as module_warnings

    try:
        from ansible.module_utils import _internal as module_utils_internal
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core before 2.19: no controller flag, arguments through basic._ANSIBLE_ARGS
        module_utils_internal = None
        patch_module_args = _patch_module_args_before_2_19

    stdout = io.StringIO()
    exit_code: int | str | None = None
    # Module-side behaviour: warnings go into the result, not to the controller's Display, even if an earlier test
    # imported controller code (which flips this process-wide flag). Warnings are process-global: start clean.
    saved_is_controller = getattr(module_utils_internal, "is_controller", False)
    if module_utils_internal is not None:
        module_utils_internal.is_controller = False
    _clear_module_warnings(module_warnings)
    try:
        with patch_module_args(_module_args(args, check_mode=check_mode, diff=diff, extra=extra_internal_args)):
            with contextlib.redirect_stdout(stdout):
                try:
                    module_main()
                except SystemExit as exc:
                    exit_code = exc.code
    finally:
        if module_utils_internal is not None:
            module_utils_internal.is_controller = saved_is_controller
        _clear_module_warnings(module_warnings)

    output = stdout.getvalue()
    if exit_code is None:
        raise ModuleRunError(f"main() returned without exit_json/fail_json; output:\n{output}")
    result = _normalise_result(_parse_result(output))
    failed = bool(result.get("failed"))
    if failed != (exit_code != 0):
        raise ModuleRunError(f"exit code {exit_code!r} does not match failed={failed}: {result!r}")
    return result


@pytest.fixture(autouse=True)
def _no_ambient_atlassian_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own ATLASSIAN_* variables (a real site, a real token) must never reach a unit test.

    Tests of the environment fallbacks set what they need with ``monkeypatch.setenv``.
    """
    for name in list(os.environ):
        if name.startswith("ATLASSIAN_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_ambient_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's HTTP(S)_PROXY must not route the tests' loopback traffic (the client honours it on purpose, and
    refuses plain http through a proxy on another host). Tests of proxies set what they need."""
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture
def run_module() -> Callable[..., dict[str, Any]]:
    """``run_module(module_main, args, *, check_mode=False, diff=False) -> dict``: see ``run_module_main``."""
    return run_module_main


@pytest.fixture(scope="session")
def collection_root() -> Path:
    """The collection as Python sees it: ``build/unit_collections/ansible_collections/orgsync/atlassian``."""
    return COLLECTION_LINK


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend_name``: each backend in turn (backend_table.SITE_PRODUCTS says which products its emulated site
    serves); a test marked ``emails`` runs only on the backends that resolve emails, and with ``unique=True`` only on
    those where an email is one account's (Atlassian Cloud), with ``unique=False`` only on those where users may
    share one (Jira Data Center) (backend_table.FACTS)."""
    if "backend_name" not in metafunc.fixturenames:
        return
    from backend_table import FACTS, SITE_PRODUCTS

    names = list(SITE_PRODUCTS)
    emails = metafunc.definition.get_closest_marker("emails")
    if emails:
        names = [name for name in names if FACTS[name].emails]
        if emails.kwargs.get("unique") is not None:
            names = [name for name in names if FACTS[name].unique_emails is emails.kwargs["unique"]]
    metafunc.parametrize("backend_name", names)
