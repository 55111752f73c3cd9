# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Property-based convergence of atlassian_groups (hypothesis), end to end over real HTTP to the emulator, on every
backend: for random team groups (some existing, with random members among the pool of
test_atlassian_group_member_convergence.py: inactive people, hidden emails, an app, the caller) and a random file
(groups listed present with people named every way, or absent; exclusive or not; purge_prefix or not):

- check mode writes nothing, and its plan (summary, totals, each group) is what the real run then reports;
- after one real run the site is the file's state: listed groups exist with their people (exactly, with exclusive,
  but for the caller and app accounts), absent ones do not, unlisted ones under the prefix are gone, others untouched;
- a second run reports no change and sends no write;
- and the same holds under transient faults that the client retries (429/503 with Retry-After, 5xx and resets before
  the server acted, reads whose answer is lost), within the retry budget.

A few examples per backend: each runs the module three times, and the single-group property test already covers
the membership rules at length; this one covers many groups, creation, deletion and ownership.
"""

from __future__ import annotations

import copy
import json

import pytest
from backend_table import FACTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_atlassian_group_member_convergence import (
    APP,
    BY_ID,
    CALLER,
    PEOPLE,
    SEED,
    VirtualClock,
    login,
    references,
)

from ansible_collections.orgsync.atlassian.plugins.modules.atlassian_groups import main

PER_BACKEND = 8
NAMES = ["team-p1", "team-p2", "team-p3", "ops-p4"]
PREFIX = "team-"
ANY = ("*", "GET", "POST", "PUT", "DELETE")
# Faults the client retries safely: the server did not act (a 429 or 503 with Retry-After, a 5xx or a reset before
# it acted), or a read's answer was lost. A creation whose answer is lost is atlassian_group's concern (its own tests).
FAULT = st.one_of(
    st.builds(lambda m, code: {"action": "status", "status": code, "retry_after": 0, "method": m},
              st.sampled_from(ANY), st.sampled_from([429, 503])),
    st.builds(lambda m, code: {"action": "status", "status": code, "method": m, "phase": "before"},
              st.sampled_from(ANY), st.sampled_from([500, 502, 503])),
    st.builds(lambda m: {"action": "reset", "method": m, "phase": "before"}, st.sampled_from(ANY)),
    st.builds(lambda code, skip: {"action": "status", "status": code, "method": "GET", "phase": "after", "skip": skip},
              st.sampled_from([500, 502]), st.integers(0, 3)),
)  # fmt: skip


def group_id(index: int) -> str:
    return f"9e0a7c1e-5d4b-4c3a-8b2a-1f0e9d8c7c{index:02d}"


@st.composite
def scenarios(draw, backend_name: str):
    initial = {
        name: draw(st.sets(st.sampled_from(sorted(BY_ID)), max_size=5))
        for name in draw(st.sets(st.sampled_from(NAMES)))
    }
    files = []
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True)):
        if draw(st.booleans()) or draw(st.booleans()):
            desired = draw(st.lists(st.sampled_from([u["account_id"] for u in PEOPLE]), unique=True, max_size=4))
            refs = [draw(st.sampled_from(references(BY_ID[a], backend_name))) for a in desired]
            files.append({"name": name, "users": refs, "state": "present", "_ids": set(desired)})
        else:
            files.append({"name": name, "state": "absent", "_ids": set()})
    exclusive = FACTS[backend_name].knows_caller and draw(st.booleans())
    prefix = draw(st.sampled_from([None, PREFIX]))
    return {"initial": initial, "file": files, "exclusive": exclusive, "prefix": prefix}


@pytest.fixture
def site(emulator_factory, backend_name):
    from backend_table import SITE_PRODUCTS

    return emulator_factory(copy.deepcopy(SEED), products=SITE_PRODUCTS[backend_name])


def expected(case: dict, backend_name: str) -> dict[str, set[str]]:
    """The groups (name -> member ids) the file means, starting from ``initial``."""
    kept = {CALLER} | ({APP["account_id"]} if FACTS[backend_name].account_types else set())
    after = {name: set(ids) for name, ids in case["initial"].items()}
    listed = {entry["name"] for entry in case["file"]}
    for entry in case["file"]:
        if entry["state"] == "absent":
            after.pop(entry["name"], None)
            continue
        before = after.get(entry["name"], set())
        after[entry["name"]] = entry["_ids"] | ((before & kept) if case["exclusive"] else before)
    if case["prefix"]:
        after = {name: ids for name, ids in after.items() if name in listed or not name.startswith(case["prefix"])}
    return after


def site_groups(site) -> dict[str, set[str]]:
    return {g.name: site.members(g.group_id) for g in site.state.all_groups() if g.name in NAMES}


def run_case(site, run_module, case: dict, backend_name: str, faults=None) -> None:
    seed = copy.deepcopy(SEED)
    seed["groups"] = [
        {"name": name, "group_id": group_id(i), "members": sorted(case["initial"][name])}
        for i, name in enumerate(NAMES)
        if name in case["initial"]
    ]
    site.reseed(seed)
    args = {
        **login(site),
        "groups": [{k: v for k, v in entry.items() if k != "_ids"} for entry in case["file"]],
        "exclusive": case["exclusive"],
        "purge_prefix": case["prefix"],
        "max_retries": 3 if faults else 0,
    }
    plan = run_module(main, args, check_mode=True, diff=True)
    assert not plan.get("failed"), plan
    assert site.writes() == [], "check mode sent a write"

    site.configure(faults=faults or [])
    real = run_module(main, args, diff=True)
    site.configure(faults=[])
    assert not real.get("failed"), real
    assert site_groups(site) == expected(case, backend_name)
    for key in ("changed", "summary", "totals"):
        assert plan[key] == real[key], key
    strip = [{**g, "group_id": None} for g in plan["groups"]], [{**g, "group_id": None} for g in real["groups"]]
    assert strip[0] == strip[1]

    site.clear_log()
    again = run_module(main, args)
    assert again["changed"] is False and again["summary"] == "no changes", json.dumps(again)[:2000]
    assert site.writes() == []


SETTINGS = settings(
    max_examples=PER_BACKEND,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)


@SETTINGS
@given(data=st.data())
def test_many_groups_converge_in_one_run_and_check_mode_is_the_plan(site, run_module, backend_name, data):
    run_case(site, run_module, data.draw(scenarios(backend_name), label="case"), backend_name)


@SETTINGS
@given(data=st.data())
def test_transient_faults_change_neither_the_outcome_nor_the_plan(site, run_module, monkeypatch, backend_name, data):
    case = data.draw(scenarios(backend_name), label="case")
    faults = data.draw(st.lists(FAULT, max_size=3), label="faults")
    VirtualClock().install(monkeypatch)
    run_case(site, run_module, case, backend_name, faults=faults)
