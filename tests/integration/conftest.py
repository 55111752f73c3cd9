"""Fixtures of the integration tests: the built-and-installed collection and a playbook runner bound to it.

The emulator fixture (``emulator``) comes from tests/conftest.py. A typical test:

    def test_adds_member(emulator, run_playbook):
        run = run_playbook(PLAY, env=connection_env(emulator.url, "admin@acme.example", "token"), expect_rc=0)
        assert run.result("add alice")["changed"]
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from filelock import FileLock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contract_check  # noqa: E402
import harness  # noqa: E402  (the directory above is on sys.path now, also under --import-mode=importlib)
from backend_table import DEFAULT_PROFILES, PROFILES, BackendProfile  # noqa: E402


@pytest.fixture(scope="session")
def installed_collection(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> harness.InstalledCollection:
    """This repository built with ``ansible-galaxy collection build`` and installed into a private collections path.

    Built once per test session: under pytest-xdist the workers share the session's temporary root and a file lock,
    so the first worker builds and the others reuse its install.
    """
    if not hasattr(request.config, "workerinput"):  # not an xdist worker
        return harness.build_and_install(tmp_path_factory.mktemp("collection"))
    shared_root = tmp_path_factory.getbasetemp().parent  # one per session, shared by its workers
    workdir = shared_root / "orgsync_collection"
    marker = shared_root / "orgsync_collection.json"
    with FileLock(str(shared_root / "orgsync_collection.lock")):
        if marker.exists():
            return harness.InstalledCollection.from_json(marker.read_text())
        installed = harness.build_and_install(workdir)
        marker.write_text(installed.to_json())
        return installed


@pytest.fixture
def run_playbook(
    installed_collection: harness.InstalledCollection, tmp_path: Path
) -> Callable[..., harness.PlaybookRun]:
    """``run_playbook(playbook, *, env=None, extra_vars=None, check=False, diff=False, verbosity=0, expect_rc=None)``.

    Runs against the installed collection; each call gets its own directory under the test's tmp_path.
    See ``harness.run_playbook`` for the arguments and ``harness.PlaybookRun`` for the result.
    """
    counter = itertools.count(1)

    def _run(playbook: Any, **kwargs: Any) -> harness.PlaybookRun:
        kwargs.setdefault("workdir", tmp_path / f"run{next(counter)}")
        return harness.run_playbook(playbook, collection=installed_collection, **kwargs)

    return _run


@pytest.fixture
def connection_env() -> Callable[..., dict[str, str]]:
    """``connection_env(emulator_or_url, username, api_token, **extra)``: the ATLASSIAN_* environment for a run."""
    return harness.connection_env


@pytest.fixture(scope="session")
def contract_validator() -> Any:
    """openapi-core validator for tests/contract/jira-groups-users.contract.json (see contract_check.py)."""
    return contract_check.load_validator()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend_profile``: each backend in turn, so that every test that starts an emulator runs once per backend
    (see tests/backend_table.py). A playbook run costs seconds, so the Data Center profile runs only where a module (or a
    test) asks for it with ``@pytest.mark.backends(...)``; the in-process suites run everything on every backend."""
    if "backend_profile" not in metafunc.fixturenames or _overrides_backend_profile(metafunc):
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = list(marker.args) if marker else sorted(DEFAULT_PROFILES)
    metafunc.parametrize("backend_profile", [PROFILES[name] for name in names], ids=names)


def _overrides_backend_profile(metafunc: pytest.Metafunc) -> bool:
    """A test module that chooses its site itself defines its own ``backend_profile`` fixture."""
    return "backend_profile" in vars(metafunc.module)


@pytest.fixture
def emulator_factory(emulator_factory: Callable[..., Any], backend_profile: BackendProfile) -> Any:
    """tests/conftest.py's factory for a site of the backend under test (``products`` may still be given), plus
    contract validation: every request the collection sends and every answer the emulator gives must match the API
    contracts, or the test fails (issue 3; ``emulator`` uses this too)."""
    watches: list[Any] = []

    def start(seed: Any = None, **knobs: Any) -> Any:
        knobs.setdefault("products", backend_profile.products)
        emulator = emulator_factory(seed, **knobs)
        watches.append(contract_check.ContractWatch(emulator, contract_check.validator_for(emulator.products)))
        return emulator

    yield start
    contract_check.fail_on_violations(watches)
