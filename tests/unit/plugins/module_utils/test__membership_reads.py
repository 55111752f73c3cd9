# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""What reading a group costs: the planner's choice between member pages and per-user checks, the group lookup, and
no reads after writes, on every backend. Request counts come from the emulator's log (pages of 50 on both APIs)."""

from __future__ import annotations

import pytest
from backend_table import FACTS, SITE_PRODUCTS, kinds, write_method

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import (
    ALL_PAGES,
    PER_USER,
    MembershipService,
    choose_strategy,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import plan_membership

BIG_ID = "b16b16b1-6b16-4b16-8b16-b16b16b16b16"  # big-group: 120 members, pages of 50, 50, 20
ZOE = "zoe@acme.example"
JANE = "jane@acme.example"
JANE_ID = "5b10a2844c20165700ede003"  # on Data Center, the seed's usernames are its accountIds
ZOE_ID = "5b10a2844c20165700ede013"


@pytest.fixture
def emulator(emulator_factory, backend_name):
    return emulator_factory(products=SITE_PRODUCTS[backend_name], confluence_page_cap=50)


@pytest.fixture
def service(emulator, backend_for):
    return MembershipService(backend_for(emulator, workers=4))


@pytest.mark.parametrize(
    ("total", "first", "users", "expected"),
    [
        (2000, 50, 500, ALL_PAGES),  # onboarding 500 into 2,000: 39 pages beat 500 user/groups calls
        (2500, 50, 500, ALL_PAGES),  # the same run again
        (2000, 50, 39, ALL_PAGES),  # as many pages left as users: pages are never dearer
        (2000, 50, 38, PER_USER),  # one page more than users: check each user
        (2000, 50, 1, PER_USER),  # one user in a big group (a loop: task)
        (2000, 50, 0, PER_USER),  # every user was on the first page: nothing more to read
        (50, 50, 0, ALL_PAGES),  # the first page was everything
        (0, 0, 3, ALL_PAGES),  # an empty group
        (100, 25, 2, PER_USER),  # Atlassian lowered the page size to 25: 3 pages left, not 2
        (100, 25, 3, ALL_PAGES),
        (None, 50, 2, ALL_PAGES),  # no total: cannot count pages against users, read on
        (None, 50, 1, PER_USER),  # ...except for one user after a full first page (at worst one request more)
    ],
)
def test_planner_picks_the_cheaper_membership_check(total, first, users, expected):
    assert (
        choose_strategy(total=total, first_page_size=first, distinct_users=users, page_size=50, need_complete=False)
        == expected
    )


@pytest.mark.parametrize("users", [0, 1, 1000])
def test_exclusive_and_diff_always_read_every_page(users):
    assert (
        choose_strategy(total=5000, first_page_size=50, distinct_users=users, page_size=50, need_complete=True)
        == ALL_PAGES
    )


@pytest.mark.emails
def test_users_on_the_first_page_cost_no_more_pages(emulator, service, backend_name):
    group, pages = service.open_group(name="big-group", group_id=None)
    emulator.clear_log()
    refs = ["big-group-0001@bulk.example", "big-group-0002@bulk.example"]
    snapshot = service.snapshot(group, refs, need_complete=False, pages=pages)
    assert snapshot.strategy == PER_USER
    assert {u.account_id for u in snapshot.users} == set(snapshot.current)
    if FACTS[backend_name].unique_emails:
        # On Atlassian Cloud an address is one account's: the members showing them are their holders.
        assert kinds(emulator.log) == ["members"]
    else:
        # Jira Data Center users may share an address: the emails are still looked up (whether another user has one
        # too), though their membership is known.
        assert sorted(kinds(emulator.log)) == ["email_search", "email_search", "members"]


@pytest.mark.emails
def test_many_users_read_the_pages_and_search_the_emails_no_member_answers(emulator, service, backend_name):
    group, pages = service.open_group(name="big-group", group_id=None)
    refs = ["big-group-0061@bulk.example", "big-group-0102@bulk.example", "big-group-0003@bulk.example", ZOE]
    snapshot = service.snapshot(group, refs, need_complete=False, pages=pages)
    assert snapshot.strategy == ALL_PAGES and snapshot.complete
    pages = FACTS[backend_name].big_group_pages
    if FACTS[backend_name].email_search:
        searched = [
            r.query.get("query") or r.query.get("username") or (r.body or {}).get("emails")
            for r in emulator.log
            if kinds([r]) == ["email_search"]
        ]
        if FACTS[backend_name].unique_emails:
            # Only Zoë, who is not a member, is searched: the members showing the other addresses are their holders.
            assert sorted(kinds(emulator.log)) == ["email_search", "group"] + ["members"] * pages
            assert searched == [[ZOE]]
        else:
            # Jira Data Center: every email, the members' too (users may share an address).
            assert sorted(kinds(emulator.log)) == ["email_search"] * 4 + ["group"] + ["members"] * pages
            assert sorted(searched) == sorted([ref] for ref in refs)
    else:
        # Zoë is not a member: she shows in the listing of a group that grants Confluence access, read once.
        assert kinds(emulator.log) == ["group"] + ["members"] * 3 + ["access_groups", "members"]
    assert [u.email for u in snapshot.users] == refs


def test_by_name_the_group_is_looked_up_first(emulator, service, backend_name):
    group, pages = service.open_group(name="big-group", group_id=None)
    list(pages)
    assert group.group_id == FACTS[backend_name].group_id("big-group", BIG_ID)
    assert kinds(emulator.log) == ["group"] + ["members"] * FACTS[backend_name].big_group_pages


def test_by_id_the_lookup_runs_alongside_the_first_page(emulator, service, backend_name):
    big_id = FACTS[backend_name].group_id("big-group", BIG_ID)
    group, pages = service.open_group(name=None, group_id=big_id)
    # The name comes from the lookup; the first page is already read, the rest only when asked for.
    assert group.as_result() == {"name": "big-group", "group_id": big_id}
    assert sorted(kinds(emulator.log)) == ["group", "members"]
    assert len(list(pages)) == FACTS[backend_name].big_group_pages
    assert sorted(kinds(emulator.log)) == ["group"] + ["members"] * FACTS[backend_name].big_group_pages


def test_by_id_an_unknown_group_fails_with_the_lookups_message(service, backend_name):
    with pytest.raises(ResolutionError) as err:
        service.open_group(name=None, group_id="00000000-0000-4000-8000-000000000000")
    # Data Center groups have no ids: a group_id is taken as the name, and the message says so.
    expected = "No group with id '{}'" if FACTS[backend_name].group_ids else "No group with name '{}'"
    assert expected.format("00000000-0000-4000-8000-000000000000") in err.value.message


def test_writes_are_not_followed_by_reads(emulator, service, backend_name):
    group, pages = service.open_group(name="team-design", group_id=None)
    snapshot = service.snapshot(group, [ZOE_ID, JANE_ID], need_complete=False, pages=pages)
    plan = plan_membership(snapshot.current, snapshot.users, state="present")
    emulator.clear_log()
    result = service.apply(group, plan)
    assert len(result.added) == 2
    assert [(r.method, kind) for r, kind in zip(emulator.log, kinds(emulator.log), strict=True)] == [
        (write_method(backend_name, "add"), "write")
    ] * 2
