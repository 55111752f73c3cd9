# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Property-based convergence of atlassian_user (hypothesis), end to end over real HTTP to the emulator, on the
backends that manage accounts (admin, jira_cloud, jira_datacenter).

For random starting statuses of a few people (active, suspended or deactivated, missing), a random state asked for
some of them, random groups and, half the time, transient faults on the real run (429/503 with Retry-After, 5xx,
connection resets, writes applied with their answer lost):
- check mode writes nothing, and its prediction (changed, each account's statuses, created, groups joined, diff) is
  exactly what the real run then reports, except the new accounts' ids, which only the real run knows;
- or the task is refused as a whole, in check mode and for real alike, with no write at all;
- after the real run, each account is as reported (its status, its groups);
- a second run reports no change and sends no write.

Level: the module's real ``main()`` in-process, like the membership module's convergence test (its docstring says
why); the traffic is checked against the API contracts.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import Clock
from ansible_collections.orgsync.atlassian.plugins.modules.atlassian_user import main

MAX_EXAMPLES = 30
ADMIN = ("admin@prop.example", "prop-admin-token")
ORG_ID = "0b7e2c4d-9a1f-4e3b-8c6d-5f4a3b2c1d0e"
ORG_API_KEY = "prop-org-api-key"
CONTRACTS = Path(__file__).resolve().parents[3] / "contract"
SITES = {"admin": ("jira", "admin"), "jira_cloud": ("jira",), "jira_datacenter": ("jira_datacenter",)}
# What each backend reads an account without access as.
WITHOUT_ACCESS = {"admin": "suspended", "jira_cloud": "suspended", "jira_datacenter": "deactivated"}
PEOPLE = ["ann", "bea", "cai", "dee", "eve"]
HIDDEN = "eve"  # her profile hides her email: Jira Cloud finds her by the exact address only
GROUPS = ["prop-a", "prop-b", "prop-c"]


def email(name: str) -> str:
    return f"{name}@prop.example"


def seed(initial: dict[str, str], backend: str) -> dict:
    users = [{"account_id": "prop-admin", "display_name": "Prop Admin", "email": ADMIN[0]}]
    for name, status in initial.items():
        if status == "missing":
            continue
        entry = {"account_id": f"prop-{name}", "username": name, "display_name": name.title(), "email": email(name)}
        if name == HIDDEN:
            entry["email_hidden"] = True
        if status == "deactivated":
            entry["active"] = False
        elif status == "suspended":
            entry["suspended"] = True
        users.append(entry)
    return {
        "site": "https://prop.atlassian.net",
        "users": users,
        "groups": [{"name": g, "members": []} for g in GROUPS],
        "org": {"org_id": ORG_ID, "name": "prop", "directories": [{"directory_id": "prop-directory", "name": "p"}]},
        "credentials": [
            {"email": ADMIN[0], "api_token": ADMIN[1], "site_admin": True},
            {"bearer_token": ORG_API_KEY, "org_id": ORG_ID},
        ],
    }


@st.composite
def scenarios(draw, backend: str):
    statuses = ["active", WITHOUT_ACCESS[backend], "missing"]
    initial = {name: draw(st.sampled_from(statuses)) for name in PEOPLE}
    asked = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=5, unique=True))
    state = draw(st.sampled_from(["present", "suspended"]))
    groups = draw(st.lists(st.sampled_from(GROUPS), max_size=3, unique=True)) if state == "present" else []
    return {"initial": initial, "asked": asked, "state": state, "groups": groups}


def task(site, backend: str, case: dict) -> dict:
    if backend == "jira_datacenter":
        users = [{"user": n, "email": email(n), "display_name": n.title()} for n in case["asked"]]
    else:
        users = [email(n) for n in case["asked"]]
    if backend == "admin":
        login = {"url": site.url, "bearer_token": ORG_API_KEY, "org_id": ORG_ID}
    else:
        login = {"url": site.url, "username": ADMIN[0], "api_token": ADMIN[1]}
    args = {**login, "backend": backend, "users": users, "state": case["state"], "groups": case["groups"]}
    if backend == "jira_cloud" and case["state"] == "present":
        args["products"] = ["jira-software"]
    return args


FAULT = st.one_of(
    st.builds(lambda m, code: {"action": "status", "status": code, "retry_after": 0, "method": m},
              st.sampled_from(["*", "GET", "POST", "PUT"]), st.sampled_from([429, 503])),
    st.builds(lambda m, code, phase: {"action": "status", "status": code, "method": m, "phase": phase},
              st.sampled_from(["*", "GET", "POST", "PUT"]), st.sampled_from([500, 502, 503]),
              st.sampled_from(["before", "after"])),
    st.builds(lambda m, phase: {"action": "reset", "method": m, "phase": phase},
              st.sampled_from(["*", "POST", "PUT"]), st.sampled_from(["before", "after"])),
)  # fmt: skip


class VirtualClock:
    """Back-off without waiting: sleeping moves a shared offset instead of the wall clock."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.lock = threading.Lock()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(Clock, "now", lambda clock: time.monotonic() + self.offset)

        def sleep(clock: Clock, seconds: float) -> None:
            with self.lock:
                self.offset += max(seconds, 0)

        monkeypatch.setattr(Clock, "sleep", sleep)


@pytest.fixture(params=sorted(SITES))
def backend(request):
    return request.param


@pytest.fixture
def site(emulator_factory, backend):
    from atlassian_emulator.contract import ContractSet, ContractWatch

    emulator = emulator_factory(seed({}, backend), products=SITES[backend])
    watch = ContractWatch(emulator, ContractSet.for_products(emulator.products, CONTRACTS))
    yield emulator
    watch.close()
    assert not watch.violations, watch.report()


def account_of(site, name: str):
    found = site.state.users_with_email(email(name))
    assert len(found) <= 1
    return found[0] if found else None


def observed(site, name: str, backend: str) -> str:
    user = account_of(site, name)
    if user is None:
        return "missing"
    if user.suspended:
        return "suspended"
    return "active" if user.active else WITHOUT_ACCESS[backend]


def without_ids(result: dict) -> list[dict]:
    return [{k: v for k, v in u.items() if k not in ("account_id", "display_name")} for u in result["users"]]


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)
@given(data=st.data())
def test_one_run_converges_check_mode_predicts_it_and_a_second_run_changes_nothing(
    site, run_module, backend, monkeypatch, data
):
    case = data.draw(scenarios(backend), label="case")
    faults = data.draw(st.lists(FAULT, max_size=3), label="faults")
    site.reseed(seed(case["initial"], backend))
    args = {**task(site, backend, case), "max_retries": 3}
    VirtualClock().install(monkeypatch)

    predicted = run_module(main, args, check_mode=True, diff=True)
    assert site.writes() == [], "check mode sent a write"
    site.configure(faults=faults)
    real = run_module(main, args, diff=True)
    site.configure(faults=[])
    event(f"{backend} {case['state']}: {'refused' if real.get('failed') else 'done'}; faults {len(faults)}")
    if predicted.get("failed"):
        # Refused as a whole (what the backend cannot do for someone): the same refusal, and nothing written.
        assert real.get("failed") and real["msg"] == predicted["msg"]
        assert not [r for r in site.log if r.is_write and r.status < 400]
        return
    if backend == "jira_cloud" and case["state"] == "present" and case["initial"].get(HIDDEN) == "suspended":
        if HIDDEN in case["asked"]:
            # What Jira Cloud cannot see (docs/joiners_leavers.md): an inactive account that hides its email is in no
            # search by that email, so it reads missing, and createUser then says it exists without access. The
            # task fails for her with that remedy; she is not made twice.
            assert real.get("failed") and "exists without Jira access" in real["msg"], real
            assert len(site.state.users_with_email(email(HIDDEN))) == 1
            return
    assert not real.get("failed"), real["msg"]
    assert real["changed"] is predicted["changed"] and real["diff"] == predicted["diff"]
    assert without_ids(real) == without_ids(predicted)
    for entry, name in zip(real["users"], case["asked"], strict=True):
        after = entry["status_after"]
        assert observed(site, name, backend) == ("active" if after == "invited" else after), entry
        user = account_of(site, name)
        if user is not None and case["groups"]:
            assert {g.name for g in site.state.groups_of(user.account_id)} >= set(case["groups"])
        if entry["created"]:
            assert entry["account_id"] or entry.get("username")

    site.clear_log()
    again = run_module(main, args, diff=True)
    assert again["changed"] is False and site.writes() == [], json.dumps(again["users"])
