# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Choosing the one account an email or accountId names, and refusing everything else clearly."""

from __future__ import annotations

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    ConfigurationError,
    ResolutionError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    check_account,
    check_references,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    pick_user_for_email as pick_from,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User

JO = User("jo-1", "jo@acme.example", "Jo")
JO_AU = User("jo-2", "jo@acme.example.au", "Jo AU")
HIDDEN = User("hid-1", None, "Hidden")
APP = User("app-1", "bot@acme.example", "Bot", account_type="app")
NOT_FOUND = "the backend's own words for an email nobody has"


def pick_user_for_email(email, candidates):
    return pick_from(email, candidates, UnknownUserError(NOT_FOUND))


def test_exact_email_wins_over_prefix_matches():
    assert pick_user_for_email("JO@acme.example", [JO_AU, JO]) == JO


def test_prefix_only_match_is_not_accepted():
    with pytest.raises(UnknownUserError, match=NOT_FOUND):
        pick_user_for_email("jo@acme.example", [JO_AU])


def test_single_hidden_email_result_is_accepted():
    assert pick_user_for_email("secret@acme.example", [HIDDEN]) == HIDDEN


def test_two_hidden_results_are_ambiguous():
    with pytest.raises(ResolutionError, match="is ambiguous: 2 accounts have this email, 2 of them hiding it"):
        pick_user_for_email("secret@acme.example", [HIDDEN, User("hid-2", None, "Other")])


def test_a_hidden_holder_beside_a_visible_one_makes_the_email_ambiguous():
    # Issue 16, case 2: a backend returns a hidden-email account only when the address alone explains the match,
    # so it holds the address too; neither is picked.
    with pytest.raises(ResolutionError, match=r"2 accounts have this email, 1 of them hiding it \(hid-1, jo-1\)"):
        pick_user_for_email("jo@acme.example", [JO, HIDDEN])


def test_a_data_center_username_that_is_the_address_is_a_holder():
    # Issue 16, case 9: on Jira Data Center a value with '@' names the account whose email or username it is.
    login = User("zoe@acme.example", "zoe.private@acme.example", "Zoe", username="zoe@acme.example")
    assert pick_user_for_email("Zoe@acme.example", [login]) == login
    other = User("zoe2", "zoe@acme.example", "Zoe Two", username="zoe2")
    with pytest.raises(ResolutionError, match=r"2 accounts have this email \(zoe2, zoe@acme.example\)"):
        pick_user_for_email("zoe@acme.example", [login, other])


def test_the_same_account_given_twice_is_one_holder():
    # The backend's lookup and the group's listing may both show the member.
    assert pick_user_for_email("jo@acme.example", [JO, JO_AU, JO]) == JO


def test_two_accounts_with_one_email_are_ambiguous_and_name_both():
    twin = User("jo-3", "jo@acme.example", "Jo Twin")
    with pytest.raises(ResolutionError) as err:
        pick_user_for_email("jo@acme.example", [JO, twin])
    assert "jo-1" in err.value.message and "jo-3" in err.value.message
    assert "accountId" in err.value.message


def test_app_account_is_refused():
    with pytest.raises(ResolutionError, match="type app"):
        pick_user_for_email("bot@acme.example", [APP])


def test_no_result_raises_the_backends_own_error():
    # What was searched, and so the likely causes, is the backend's to say (test__jira_cloud, test__confluence_cloud).
    with pytest.raises(UnknownUserError) as err:
        pick_user_for_email("ghost@acme.example", [])
    assert err.value.message == NOT_FOUND + "."


def test_account_lookup_must_find_a_person_or_an_app():
    missing = UnknownUserError("No user named 'nope'")
    assert check_account(JO, "jo-1", missing) == JO
    with pytest.raises(UnknownUserError) as err:
        check_account(None, "nope", missing)
    assert err.value is missing
    # Issue 16, case 3: an app named by its id is meant (an app cannot be named by email).
    assert check_account(APP, "app-1", missing) == APP
    customer = User("qm:1", "jo@acme.example", "Jo", account_type="customer")
    with pytest.raises(ResolutionError, match="username 'qm:1' is an account of type customer"):
        check_account(customer, "qm:1", missing, "username")


def test_references_are_deduplicated_case_insensitively_for_emails():
    assert check_references(["Jane@Acme.example", "jane@acme.example", "abc123", "abc123"], "users") == [
        "Jane@Acme.example",
        "abc123",
    ]


@pytest.mark.parametrize(
    ("refs", "fragment"),
    [
        (["", "jane@acme.example"], "users[0] is empty"),
        ([None], "users[0] is empty"),
        (["jane@acme"], "not a valid email"),
        (["jane@@acme.example"], "not a valid email"),
        (["jane doe"], "holds characters that no email address, accountId or username holds (' ')"),
        (["jane"], None),
        (["jane/doe"], "neither an email"),
        # Issue 16, case 4: a one-element YAML list given to user: arrives as its Python text.
        (["['jane@acme.example']"], "users received \"['jane@acme.example']\", which holds characters"),
        (["jane@acme.example, bob@acme.example"], "(',' ' ')"),
        (["<jane@acme.example>"], "('<' '>')"),
    ],
)
def test_bad_references_are_named(refs, fragment):
    if fragment is None:
        assert check_references(refs, "users") == refs
        return
    with pytest.raises(ConfigurationError) as err:
        check_references(refs, "users")
    assert fragment in err.value.message
    assert "accountId" in err.value.message
