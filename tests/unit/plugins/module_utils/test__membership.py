# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Reading state and applying plans: strategy choice, resolution from member pages, partial failures, on every backend.

Confluence pages are capped at 50 here (``confluence_page_cap``) so that big-group spans three pages on both APIs and
the strategies can be compared; test__confluence_cloud.py covers Confluence's own 200.
"""

from __future__ import annotations

import pytest
from backend_table import FACTS, SITE_PRODUCTS, kinds, write_method, write_rule

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import (
    ALL_PAGES,
    PER_USER,
    MembershipService,
    choose_strategy,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import plan_membership

JANE_ID = "5b10a2844c20165700ede003"  # on Data Center, the seed's usernames are its accountIds
ZOE_ID = "5b10a2844c20165700ede013"


@pytest.fixture
def emulator(emulator_factory, backend_name):
    """The site of ``backend_name`` (every test here runs on each backend), pages of 50 on both APIs."""
    return emulator_factory(products=SITE_PRODUCTS[backend_name], confluence_page_cap=50)


@pytest.fixture
def service(emulator, backend_for):
    return MembershipService(backend_for(emulator, workers=4))


@pytest.mark.parametrize(
    ("total", "first", "users", "complete", "expected"),
    [
        (120, 50, 1, False, PER_USER),  # 2 more pages vs 1 user: check the user
        (120, 50, 2, False, ALL_PAGES),  # 2 pages vs 2 users: pages also resolve emails
        (120, 50, 1, True, ALL_PAGES),  # exclusive/diff must see everyone
        (30, 30, 5, False, ALL_PAGES),  # one page holds everybody
        (None, 50, 3, False, ALL_PAGES),  # no total: the pages cannot be counted against users
        (None, 50, 0, False, PER_USER),  # ...but the first page answered everyone
        (None, 50, 1, False, PER_USER),  # ...or left one user, and was full: more pages follow
        (None, 30, 1, False, ALL_PAGES),  # a first page that is not full was the last: reading on costs nothing
        (None, 50, 2, False, ALL_PAGES),
    ],
)
def test_choose_strategy(total, first, users, complete, expected):
    assert (
        choose_strategy(total=total, first_page_size=first, distinct_users=users, page_size=50, need_complete=complete)
        == expected
    )


@pytest.mark.emails
def test_member_emails_resolve_from_the_pages_where_an_email_is_one_accounts(emulator, service, backend_name):
    group = service.resolve_group(name="big-group", group_id=None)
    # Two users on the last page (the third of 50, the second of 100): pages left are never more than users, so
    # reading them is never dearer than checking each.
    refs = ["big-group-0102@bulk.example", "big-group-0103@bulk.example"]
    emulator.clear_log()
    snapshot = service.snapshot(group, refs, need_complete=False)
    assert snapshot.strategy == ALL_PAGES and snapshot.complete
    assert {u.email for u in snapshot.users} == set(refs)
    expected = ["members"] * FACTS[backend_name].big_group_pages
    if not FACTS[backend_name].unique_emails:
        # Jira Data Center users may share an address: the pages show which members have it, not whether another
        # user has it too, so each email is still looked up (issue 16, case 2).
        expected += ["email_search"] * 2
    # On Atlassian Cloud an address is one account's: the member that shows it is its holder, no lookup.
    assert sorted(kinds(emulator.log)) == sorted(expected)


@pytest.mark.emails
def test_one_user_in_a_big_group_is_checked_per_user(emulator, service, backend_name):
    group = service.resolve_group(name="big-group", group_id=None)
    emulator.clear_log()
    snapshot = service.snapshot(group, ["jane@acme.example"], need_complete=False)
    (jane,) = snapshot.users
    assert jane.email == "jane@acme.example" and jane.account_id not in snapshot.current
    if FACTS[backend_name].email_search:
        # One search and that user's groups beat two more member pages (or, without a total, pages that follow a
        # full first page: the Admin API).
        assert snapshot.strategy == PER_USER and not snapshot.complete
        assert sorted(kinds(emulator.log)) == ["email_search", "groups_of", "members"]
    else:
        # No email search: the group's own listing is the first place an email can show, then the listings of the
        # groups that grant Confluence access (here confluence-users, one page).
        assert snapshot.strategy == ALL_PAGES and snapshot.complete
        assert kinds(emulator.log) == ["members"] * 3 + ["access_groups", "members"]


def test_one_account_id_in_a_big_group_is_checked_per_user(emulator, service, backend_name):
    group = service.resolve_group(name="big-group", group_id=None)
    emulator.clear_log()
    snapshot = service.snapshot(group, [JANE_ID], need_complete=False)
    if FACTS[backend_name].one_user_per_user:
        assert snapshot.strategy == PER_USER and snapshot.current == {}
        assert sorted(kinds(emulator.log)) == ["groups_of", "members", "user"]
    else:
        # Pages that do not say how many follow (Confluence Data Center, the Admin API) cannot be counted against
        # users: read on.
        assert snapshot.strategy == ALL_PAGES and len(snapshot.current) == 120 and JANE_ID not in snapshot.current
        assert sorted(kinds(emulator.log)) == ["members"] * FACTS[backend_name].big_group_pages + ["user"]


@pytest.mark.emails
def test_every_unresolvable_user_is_named_at_once(service, backend_name):
    group = service.resolve_group(name="team-design", group_id=None)
    with pytest.raises(ResolutionError) as err:
        service.snapshot(
            group,
            ["ghost@acme.example", "pat@acme.example", "deploy-bot@acme.example", JANE_ID, "no-such-id"],
            need_complete=False,
        )
    message = err.value.message
    # The bot's account is refused on Cloud (an app); Data Center has no account types, so it is a user there. Pat's
    # email is two users' on Data Center only (on Cloud an address is one account's).
    unresolved = ["ghost@acme.example", "no-such-id"]
    if not FACTS[backend_name].unique_emails:
        unresolved.append("pat@acme.example")
    if FACTS[backend_name].account_types or not FACTS[backend_name].apps_listed:  # refused, or nobody's
        unresolved.append("deploy-bot@acme.example")
    assert message.startswith(f"{len(unresolved)} of 5 users could not be resolved, so nothing was changed")
    for fragment in unresolved:
        assert fragment in message


def test_apply_reports_each_failure_and_applies_the_rest(emulator, service, backend_name):
    group = service.resolve_group(name="team-design", group_id=None)
    snapshot = service.snapshot(group, [JANE_ID, ZOE_ID], need_complete=False)
    plan = plan_membership(snapshot.current, snapshot.users, state="present")
    # The first of the two writes is refused; the other must still be applied.
    emulator.configure(faults=[{"action": "status", "status": 403, **write_rule(backend_name, "add")}])
    result = service.apply(group, plan)
    assert len(result.added) == 1 and len(result.failures) == 1
    action, user, reason = result.failures[0]
    assert action == "add" and FACTS[backend_name].admin_words in reason
    method = write_method(backend_name, "add")
    assert reason.startswith(f"adding {user.label} to team-design failed: {method} /") and "answered HTTP 403" in reason
    assert emulator.members("team-design") == {result.added[0].account_id}


# ------------------------------------------------------------------ removals of leavers and of nobody (issue 8)

LEAVER = "big-group-0110@bulk.example"  # deactivated, email visible, on the third member page of big-group


@pytest.mark.emails
def test_a_deactivated_leaver_is_found_for_removal_in_the_member_listing(emulator, service, backend_name):
    group = service.resolve_group(name="big-group", group_id=None)
    emulator.clear_log()
    snapshot = service.snapshot(group, [LEAVER], need_complete=False, missing_ok=True)
    (leaver,) = snapshot.users
    assert leaver.email == LEAVER and leaver.active is not True  # False on Jira; Confluence does not say
    assert snapshot.complete and leaver.account_id in snapshot.current and snapshot.not_found == []
    if FACTS[backend_name].email_search and FACTS[backend_name].one_user_per_user:
        # One user in a 120-member group takes the per-user path; the search cannot see a deactivated account, so
        # the other member pages are read once, and they show the leaver.
        assert sorted(kinds(emulator.log)) == ["email_search"] + ["members"] * FACTS[backend_name].big_group_pages
    else:
        # The listing is where Confluence looks first, and there the leaver shows the address: an address is one
        # account's on Cloud, so nothing more is read.
        assert kinds(emulator.log) == ["members"] * FACTS[backend_name].big_group_pages
    plan = plan_membership(snapshot.current, snapshot.users, state="absent", membership_complete=snapshot.complete)
    assert plan.removes == (leaver,)


def test_adding_a_deactivated_user_by_email_still_fails_on_jira(emulator_factory, client_for):
    # Jira's user search cannot see the deactivated account; with state=present nothing falls back to the listing.
    from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_cloud import JiraCloudBackend

    service = MembershipService(JiraCloudBackend(client_for(emulator_factory())))
    group = service.resolve_group(name="team-design", group_id=None)
    with pytest.raises(ResolutionError, match="No active Atlassian account was found with email"):
        service.snapshot(group, [LEAVER], need_complete=False)


@pytest.mark.emails
def test_removing_references_that_name_nobody_is_not_an_error(emulator, service, backend_name):
    group = service.resolve_group(name="big-group", group_id=None)
    refs = ["ghost@acme.example", "5b10a2844c20165700edefff", "jane@acme.example"]
    snapshot = service.snapshot(group, refs, need_complete=False, missing_ok=True)
    assert snapshot.not_found == [("ghost@acme.example", True), ("5b10a2844c20165700edefff", False)]
    assert [u.email for u in snapshot.users] == ["jane@acme.example"]
    plan = plan_membership(snapshot.current, snapshot.users, state="absent", membership_complete=snapshot.complete)
    assert plan.removes == () and not plan.changed
    warnings = snapshot.not_found_warnings()
    assert warnings[0] == (
        "No member of big-group has the email 'ghost@acme.example': no active account was found with it and no member "
        "of big-group shows it (deactivated members included), so there is nothing to remove. A member whose privacy "
        f"settings hide their email can only be removed by {FACTS[backend_name].id_name}."
    )
    assert warnings[1] == (
        f"No account has {FACTS[backend_name].id_name} '5b10a2844c20165700edefff', so it is not a member of big-group: "
        "nothing to remove."
    )


def test_an_unknown_account_id_alone_costs_no_member_pages(emulator, service, backend_name):
    group = service.resolve_group(name="big-group", group_id=None)
    emulator.clear_log()
    snapshot = service.snapshot(group, ["5b10a2844c20165700edefff"], need_complete=False, missing_ok=True)
    assert snapshot.not_found == [("5b10a2844c20165700edefff", False)]
    if FACTS[backend_name].one_user_per_user:
        assert not snapshot.complete and sorted(kinds(emulator.log)) == ["members", "user"]
    else:  # the pages cannot be counted (see above)
        pages = FACTS[backend_name].big_group_pages
        assert snapshot.complete and sorted(kinds(emulator.log)) == ["members"] * pages + ["user"]


@pytest.mark.emails(unique=False)
def test_ambiguity_is_never_guessed_when_removing(service):
    group = service.resolve_group(name="jira-software-users", group_id=None)
    with pytest.raises(ResolutionError) as err:
        service.snapshot(group, ["pat@acme.example", "ghost@acme.example"], need_complete=False, missing_ok=True)
    assert err.value.message.startswith("1 of 2 users could not be resolved, so nothing was changed")
    assert "'pat@acme.example' is ambiguous" in err.value.message
