# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The three paging styles: what each asks for, and how each answer is read (where the listing ends, its total)."""

from __future__ import annotations

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import MalformedAnswer
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import (
    CursorPaging,
    OffsetPaging,
    StartLimitPaging,
    cursor_of,
)

JIRA = OffsetPaging()


@pytest.mark.parametrize(
    ("body", "values", "total", "next_position"),
    [
        ({"values": [1, 2], "isLast": False, "total": 5}, [1, 2], 5, 12),
        ({"values": [1, 2], "isLast": True, "total": 5}, [1, 2], 5, None),
        ({"values": [1], "nextPage": "https://x/next"}, [1], None, 11),  # no isLast: nextPage decides
        ({"values": [1]}, [1], None, None),
        ({"values": [], "isLast": False, "total": 50}, [], 50, 10),  # empty, claims more: asked again
        ({"values": [], "nextPage": "https://x/next"}, [], None, None),  # empty without isLast: the end
    ],
)
def test_offset_paging_reads_jira_page_beans(body, values, total, next_position):
    page = JIRA.read(body, 10)
    assert (page.values, page.total, page.next_position) == (values, total, next_position)


@pytest.mark.parametrize(
    ("paging", "body", "problem"),
    [
        (JIRA, None, "nothing (no JSON body, or null) where a page of the listing (a JSON object) belongs"),
        (JIRA, [1, 2, 3], "a JSON array where a page of the listing (a JSON object) belongs"),
        (JIRA, {"isLast": True}, "a page of the listing without 'values'"),
        (JIRA, {"values": {"a": 1}}, "a page of the listing whose 'values' is a JSON object, not a JSON array"),
        (StartLimitPaging(), {"size": 0}, "a page of the listing without 'results'"),
        (CursorPaging(), "page", "a JSON string where a page of the listing (a JSON object) belongs"),
        (CursorPaging(), {"data": [], "links": {"next": 7}}, "whose 'links.next' is a JSON number, not a string"),
    ],
)
def test_an_answer_that_is_not_a_page_is_malformed_never_an_empty_listing(paging, body, problem):
    # Read as "no members", a removal would report ok with the member still in the group (the client names the
    # request when it turns this into an error).
    with pytest.raises(MalformedAnswer) as caught:
        paging.read(body, paging.first_position)
    assert problem in str(caught.value)


def test_offset_paging_counts_what_came_back_and_asks_again_only_when_more_is_claimed():
    assert JIRA.params(50, 50) == {"startAt": 50, "maxResults": 50}
    assert JIRA.claims_more(JIRA.read({"values": [], "isLast": False, "total": 120}, 50), 50)
    assert not JIRA.claims_more(JIRA.read({"values": [], "isLast": False, "total": 50}, 50), 50)
    assert not JIRA.claims_more(JIRA.read({"values": [], "isLast": True}, 50), 50)
    assert JIRA.describe(50) == "startAt=50"


def test_start_limit_paging_follows_links_next_and_asks_the_total_once():
    paging = StartLimitPaging(total_param="shouldReturnTotalSize")
    assert paging.params(0, 200) == {"start": 0, "limit": 200, "shouldReturnTotalSize": "true"}
    assert paging.params(200, 200) == {"start": 200, "limit": 200}
    first = paging.read({"results": [1, 2], "size": 2, "totalSize": 3, "_links": {"next": "/rest/api/x?start=2"}}, 0)
    assert (first.values, first.total, first.next_position) == ([1, 2], 3, 2)
    last = paging.read({"results": [3], "size": 1, "_links": {"base": "https://x/wiki"}}, 2)
    assert (last.values, last.total, last.next_position) == ([3], None, None)
    assert paging.claims_more(paging.read({"results": [], "_links": {"next": "/x?start=2"}}, 2), 2)
    assert paging.describe(400) == "start=400"


def test_cursor_paging_follows_the_cursor_and_never_knows_a_total():
    paging = CursorPaging()
    assert not paging.random_access
    assert paging.params(None, 100) == {} and paging.params("abc", 100) == {"cursor": "abc"}
    page = paging.read({"data": [1], "links": {"next": "https://api.atlassian.com/admin/v2/x?cursor=n2&limit=1"}}, None)
    assert (page.values, page.total, page.next_position) == ([1], None, "n2")
    assert paging.read({"data": [2], "links": {}}, "n2").next_position is None
    # An empty page with a cursor is followed, not asked again.
    assert not paging.claims_more(paging.read({"data": [], "links": {"next": "n3"}}, "n2"), "n2")


def test_cursor_paging_asks_for_a_page_size_where_the_api_takes_one():
    paging = CursorPaging(size_param="limit")
    assert paging.params(None, 100) == {"limit": 100}
    assert paging.params("kloHX1ZQ", 100) == {"limit": 100, "cursor": "kloHX1ZQ"}


@pytest.mark.parametrize(
    ("link", "cursor"),
    [
        ("https://api.atlassian.com/admin/v1/orgs/o/users?cursor=abc%3D", "abc="),
        ("/admin/v1/orgs/o/users?cursor=abc", "abc"),
        ("opaque-cursor", "opaque-cursor"),
        ("https://api.atlassian.com/admin/v1/orgs/o/users", None),
        (None, None),
        ("", None),
    ],
)
def test_cursor_of(link, cursor):
    assert cursor_of(link) == cursor
