# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Fault matrix: real ansible-playbook runs while the emulator injects one kind of fault each.

Every case asserts that the run
- ends in the right membership (read from the emulator's state, not from what the module says);
- reports ``changed``, ``added`` and ``removed`` truthfully (what this run changed, nothing else);
- stays within the retry budget: no request is sent more than ``max_retries + 1`` times, and every repeat of a
  request answers a fault that calls for one (so there are no wasted or duplicate writes);
- and a second, fault-free run converges: no change and no write left to do (or exactly the writes that failed).

Retry-After is 0 or 1 second and the timeout 1 second, so the whole matrix stays fast. Each case has its own
emulator and is one host of a single playbook run per backend (then one fault-free re-run), the cases side by side:
two ansible-playbook runs a backend instead of two a case. Each case is reported as a subtest of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import harness
import pytest
from group_member_support import ADMIN, GROUP_IDS, task
from reliability_support import (
    ADA,
    BOB_ID,
    DEPLOY_BOT,
    HANA,
    IVAN,
    JANE,
    JO_BLOGGS,
    JO_MARCH,
    JOHN,
    OTTO,
    PAT,
    ZOE,
    attempts_per_request,
    ids,
    logical_key,
    settle,
    writes,
)

pytestmark = [pytest.mark.slow, pytest.mark.backends("confluence_cloud", "jira_cloud", "jira_datacenter")]

# Placeholders for the backend's own paths, filled in per backend profile by ``for_backend``.
MEMBER = "{members}"
LOOKUP = "{lookup}"
WRITE = "{write}"
# Cases run at once, one ansible-playbook host each: enough to overlap their waits and retries on two cores without
# slowing any answer towards the 1 s timeout of the slow-answer cases.
FORKS = 8


@dataclass(frozen=True)
class Scenario:
    group: str
    args: dict[str, Any]
    start: frozenset[str]
    end: frozenset[str]
    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    knobs: dict[str, Any] = field(default_factory=dict)


# An exclusive sync of a small group: every kind of read (group, member page, email search, accountId lookup) and
# both kinds of write (2 adds, 3 removes, one of them an inactive member and one an app account; where accounts have
# types, exclusive keeps the app: see for_backend).
SYNC = Scenario(
    group="team-platform",
    args={"users": ["jane@acme.example", "zoe@acme.example", PAT], "exclusive": True},
    start=frozenset({JANE, JOHN, IVAN, DEPLOY_BOT}),
    end=frozenset({JANE, ZOE, PAT}),
    added=frozenset({ZOE, PAT}),
    removed=frozenset({JOHN, IVAN, DEPLOY_BOT}),
)
# An exclusive sync that must read three member pages (the emulator caps pages at 3): a page lost or cut short
# leaves members behind. The caller (Ada) is a member and is kept.
PAGED = Scenario(
    group="jira-software-users",
    args={"users": ["jane@acme.example", "zoe@acme.example"], "exclusive": True},
    start=frozenset({ADA, BOB_ID, OTTO, JANE, JOHN, JO_MARCH, JO_BLOGGS, IVAN, HANA}),
    end=frozenset({ADA, JANE, ZOE}),
    added=frozenset({ZOE}),
    removed=frozenset({BOB_ID, OTTO, JOHN, JO_MARCH, JO_BLOGGS, IVAN, HANA}),
    knobs={"page_cap": 3},  # the backend's own page-cap knob (for_backend)
)
# One add and one remove, for the races (another writer touches the same user between our read and our write).
ADD_ONE = Scenario(
    group="team-design",
    args={"users": ["zoe@acme.example"]},
    start=frozenset(),
    end=frozenset({ZOE}),
    added=frozenset({ZOE}),
)
REMOVE_ONE = Scenario(
    group="confluence-users",
    args={"users": ["zoe@acme.example"], "state": "absent"},
    start=frozenset({JANE, HANA, ZOE}),
    end=frozenset({JANE, HANA}),
    removed=frozenset({ZOE}),
)


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    faults: list[dict[str, Any]]
    max_retries: int = 3
    timeout: float = 5
    # What the faulted run reports when it differs from the scenario's clean outcome (races, exhausted budgets).
    changed: bool | None = None
    added: frozenset[str] | None = None
    removed: frozenset[str] | None = None
    end: frozenset[str] | None = None
    failed_users: frozenset[str] = frozenset()
    fails_with: str | None = None  # the task fails as a whole, before any write
    waits: float = 0.0  # a Retry-After the client must honour between a faulted attempt and its retry
    # Another writer makes this run's change between its read and its write. Jira's answer then says "already
    # done" (changed=false); Confluence's answer is the same either way, so the change read before is reported.
    race: bool = False


def status(code: int, method: str = "*", *, path: str = "*", times: int | None = 1, **extra: Any) -> dict:
    return {"action": "status", "status": code, "method": method, "path": path, "times": times, **extra}


CASES = {
    "429-burst-on-reads": Case(SYNC, [status(429, "GET", times=3, retry_after=0)]),
    "429-burst-on-writes": Case(
        SYNC, [status(429, "POST", times=2, retry_after=0), status(429, "DELETE", times=2, retry_after=0)]
    ),
    "429-retry-after-1s-is-honoured": Case(SYNC, [status(429, "GET", path=MEMBER, retry_after=1)], waits=1.0),
    **{f"{code}-on-reads": Case(SYNC, [status(code, "GET", times=2)]) for code in (500, 502, 503)},
    # The DELETE is applied and only its answer is lost: the retry hears "not a member" and must still count it.
    **{
        f"{code}-on-writes": Case(SYNC, [status(code, "POST"), status(code, "DELETE", phase="after")])
        for code in (500, 502, 503)
    },
    "503-with-retry-after-on-a-read-and-a-write": Case(
        SYNC, [status(503, "GET", path=MEMBER, retry_after=1), status(503, "POST", retry_after=1)], waits=1.0
    ),
    "connection-reset-on-a-read": Case(SYNC, [{"action": "reset", "method": "GET", "path": MEMBER}]),
    "connection-reset-after-a-write-was-applied": Case(SYNC, [{"action": "reset", "method": "POST", "phase": "after"}]),
    "read-slower-than-timeout": Case(SYNC, [{"action": "delay", "path": LOOKUP, "delay_ms": 2500}], timeout=1),
    "write-slower-than-timeout": Case(SYNC, [{"action": "delay", "method": "DELETE", "delay_ms": 2500}], timeout=1),
    "empty-page-in-the-middle-of-paging": Case(PAGED, [{"action": "empty_page", "path": MEMBER, "skip": 1}]),
    # A page that keeps coming back empty although it says more follow (isLast false, total beyond it). Trusting it
    # would skip the members after it, and leave them in a group an exclusive sync should have emptied: it is asked
    # again within the retry budget, and when that runs out the task fails before any write.
    "a-page-empty-4-times": Case(PAGED, [{"action": "empty_page", "path": MEMBER, "skip": 1, "times": 4}]),
    "pages-keep-coming-back-empty": Case(
        PAGED,
        [{"action": "empty_page", "path": MEMBER, "skip": 1, "times": None}],
        max_retries=2,
        changed=False,
        added=frozenset(),
        removed=frozenset(),
        end=PAGED.start,
        fails_with=(
            f"reading the members of jira-software-users failed: GET {MEMBER} kept answering an empty page at "
            "{page_start}=3 that claims more follow ({claimed}). Gave up after 3 attempts (max_retries=2) rather "
            "than act on part of the listing. Run again later, or raise max_retries."
        ),
    ),
    "total-changes-between-pages": Case(
        PAGED,
        [
            {"action": "shift_total", "path": MEMBER, "total_delta": -6},
            {"action": "shift_total", "path": MEMBER, "total_delta": 5},
        ],
    ),
    # Another writer adds / removes the very user between our read and our write: our write finds it done, so the
    # state is right and this run changed nothing.
    "race-another-writer-adds-the-same-user": Case(
        ADD_ONE,
        [{"action": "mutate", "method": "POST", "path": WRITE, "add": ["team-design", ZOE]}],
        race=True,
        changed=False,
        added=frozenset(),
    ),
    "race-another-writer-removes-the-same-user": Case(
        REMOVE_ONE,
        [
            {
                "action": "mutate",
                "method": "DELETE",
                "path": WRITE,
                "remove": ["confluence-users", ZOE],
            }
        ],
        race=True,
        changed=False,
        removed=frozenset(),
    ),
    # Every answer to every add is lost although each add was applied: the module reads the membership back
    # instead of guessing, and reports the adds.
    "answers-to-writes-lost-until-the-budget-runs-out": Case(
        SYNC, [status(500, "POST", times=None, phase="after")], max_retries=2
    ),
    "retry-budget-runs-out-on-a-read": Case(
        SYNC,
        [status(429, "GET", path=MEMBER, times=None, retry_after=0)],
        max_retries=2,
        changed=False,
        added=frozenset(),
        removed=frozenset(),
        end=SYNC.start,
        fails_with=(
            f"reading the members of team-platform failed: GET {MEMBER} kept failing (HTTP 429). Gave up after 3 "
            "attempts (max_retries=2); the last Retry-After asked for 0 s. Run again later, or raise max_retries."
        ),
    ),
    "retry-budget-runs-out-on-writes": Case(
        SYNC,
        [status(503, "POST", times=None)],
        max_retries=1,
        added=frozenset(),
        end=frozenset({JANE}),
        failed_users=frozenset({ZOE, PAT}),
    ),
}


def for_backend(case: Case, profile) -> Case:
    """The case with the backend's own paths, page-cap knob and wording filled in."""
    group_id = GROUP_IDS[case.scenario.group]
    fill = {
        "{members}": profile.member_path(group_id),
        "{lookup}": profile.group_lookup_path,
        "{write}": profile.write_path,
        "{page_start}": profile.page_start,
        "{claimed}": "total 9" if profile.totals_on_every_page else "no total",
    }

    def filled(text: str) -> str:
        for placeholder, value in fill.items():
            text = text.replace(placeholder, value)
        return text

    faults = [{k: filled(v) if isinstance(v, str) else v for k, v in fault.items()} for fault in case.faults]
    knobs = {profile.page_cap_knob if k == "page_cap" else k: v for k, v in case.scenario.knobs.items()}
    scenario = replace(case.scenario, knobs=knobs)
    changes: dict[str, Any] = {"faults": faults}
    if profile.account_types and scenario.args.get("exclusive") and DEPLOY_BOT in scenario.start:
        # exclusive keeps an app's account (Data Center has no account types: the bot is a user there).
        app = frozenset({DEPLOY_BOT})
        scenario = replace(scenario, end=scenario.end | app, removed=scenario.removed - app)
        if case.end is not None:
            changes["end"] = case.end | app
        if case.removed is not None:
            changes["removed"] = case.removed - app
    changes["scenario"] = scenario
    if case.fails_with:
        changes["fails_with"] = filled(case.fails_with)
    if case.race and not profile.write_answers_tell_races:
        changes.update(changed=None, added=None, removed=None)
    return replace(case, **changes)


def _run_all(installed_collection, workdir: Path, emulators: dict[str, Any], cases: dict[str, Case]):
    """Every case's sync as one host of one playbook, side by side, each against its own emulator."""
    tasks = {
        host: [
            {
                **task(
                    "sync",
                    group=case.scenario.group,
                    max_retries=case.max_retries,
                    timeout=case.timeout,
                    ignore_errors=True,
                    **case.scenario.args,
                ),
                "environment": harness.connection_env(emulators[host], *ADMIN),
            }
        ]
        for host, case in cases.items()
    }
    playbook, inventory_args = harness.side_by_side(workdir, tasks)
    run = harness.run_playbook(
        playbook, collection=installed_collection, workdir=workdir, env={"ANSIBLE_FORKS": str(FORKS)},
        extra_args=inventory_args,
    )  # fmt: skip
    return run, {r["host"]: r for r in run.results if r["task"] == "sync"}


def host(name: str) -> str:
    return "case_" + name.replace("-", "_")


def test_fault_matrix(emulator_factory, installed_collection, backend_profile, tmp_path, subtests):
    """Each case of CASES, on its own emulator; all of them in one playbook run, then in one fault-free re-run."""
    cases = {host(name): for_backend(case, backend_profile) for name, case in CASES.items()}
    emulators = {}
    for name, case in cases.items():
        emulators[name] = emulator_factory(**case.scenario.knobs)
        assert emulators[name].members(case.scenario.group) == case.scenario.start
        emulators[name].configure(faults=case.faults)

    run, records = _run_all(installed_collection, tmp_path / "faulted", emulators, cases)
    for name, case in cases.items():
        with subtests.test(msg=name):
            assert name in records, run.describe()
            _check_faulted_run(case, emulators[name], records[name], run)

    for emulator in emulators.values():
        emulator.configure(faults=[])
        emulator.clear_log()
    rerun, again = _run_all(installed_collection, tmp_path / "rerun", emulators, cases)
    for name, case in cases.items():
        with subtests.test(msg=f"{name} (re-run)"):
            assert name in again, rerun.describe()
            _check_rerun(case, emulators[name], again[name])


def _check_faulted_run(case: Case, emulator, record: dict[str, Any], run) -> None:
    scenario = case.scenario
    log = settle(emulator)
    result = record["result"]

    # --- the faults really happened
    for rule in emulator.knobs.faults:
        assert rule.hits >= 1 and (rule.times is None or rule.hits == rule.times), rule

    # --- the outcome, reported truthfully and matching the emulator's state
    expected_end = _expected_end(case)
    expected_added = case.added if case.added is not None else scenario.added
    expected_removed = case.removed if case.removed is not None else scenario.removed
    assert emulator.members(scenario.group) == expected_end, run.describe()
    assert ids(result.get("added")) == expected_added, result
    assert ids(result.get("removed")) == expected_removed, result
    expected_changed = case.changed if case.changed is not None else bool(expected_added or expected_removed)
    assert result["changed"] is expected_changed, result
    if case.fails_with:
        assert record["failed"] is True and result["msg"] == case.fails_with, result
        assert writes(log) == []
    elif case.failed_users:
        assert record["failed"] is True, result
        assert ids(result["failed_users"]) == case.failed_users
        for failure in result["failed_users"]:
            assert "kept failing (HTTP 503)" in failure["reason"] and "raise max_retries" in failure["reason"]
    else:
        assert record["failed"] is False, result

    # --- within the retry budget, and a write is repeated only to retry a faulted attempt (no duplicate writes;
    # a read may be repeated, e.g. a page re-read after a paging anomaly)
    for key, (attempts, faulted) in attempts_per_request(log).items():
        assert attempts <= case.max_retries + 1, key
        if not key.startswith('["GET"'):
            assert attempts - faulted <= 1, f"{key} sent {attempts} times for {faulted} faults"
    if case.waits:
        by_key: dict[str, list[Any]] = {}
        for entry in log:
            by_key.setdefault(logical_key(entry), []).append(entry)
        gaps = [
            later.started - earlier.started
            for entries in by_key.values()
            for earlier, later in zip(entries, entries[1:], strict=False)
            if earlier.fault == "status"
        ]
        assert gaps and min(gaps) >= case.waits * 0.95, gaps


def _check_rerun(case: Case, emulator, record: dict[str, Any]) -> None:
    """A fault-free re-run converges: nothing left to do, or exactly what failed, once."""
    scenario, again = case.scenario, record["result"]
    expected_end = _expected_end(case)
    assert emulator.members(scenario.group) == scenario.end
    leftover_adds, leftover_removes = scenario.added - expected_end, scenario.removed & expected_end
    assert ids(again.get("added")) == leftover_adds and ids(again.get("removed")) == leftover_removes, again
    assert again["changed"] is bool(leftover_adds or leftover_removes) and record["failed"] is False, again
    assert sorted(w[1] for w in writes(settle(emulator))) == sorted(leftover_adds | leftover_removes)


def _expected_end(case: Case) -> frozenset[str]:
    return case.end if case.end is not None else case.scenario.end
