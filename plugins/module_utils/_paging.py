# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The three ways Atlassian's REST APIs page a listing, each as one small object the client's pager drives.

- ``OffsetPaging``: ``startAt``/``maxResults`` asked, ``values``/``isLast``/``total``/``nextPage`` answered (Jira).
- ``StartLimitPaging``: ``start``/``limit`` asked, ``results``/``_links.next`` (and ``totalSize`` on request)
  answered (Confluence).
- ``CursorPaging``: ``cursor`` asked, ``data``/``links.next`` answered, no total (the Admin API).

A position is where a page starts: an offset for the first two, a cursor (``None`` for the first page) for the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ansible_collections.orgsync.atlassian.plugins.module_utils._answers import MalformedAnswer, describe, items, obj

# What a paged answer is, for the message when it is not one.
PAGE = "a page of the listing"


@dataclass(frozen=True)
class Page:
    values: list
    # The listing's size when the answer says (it "may change" between pages), else None.
    total: int | None
    # Where the next page starts, or None when this page is the last.
    next_position: Any
    # The request that got it ("GET /rest/api/3/group/member (startAt=50)"), for messages about its values.
    request: str = ""


class Paging:
    """One paging style. ``random_access``: any page can be asked for by its offset, so once the first page tells the
    total, the others can be fetched together."""

    random_access = True
    first_position: Any = 0
    position_params: tuple[str, ...] = ()
    #: Whether the listing is a search: each page a POST of the listing's fields (given as its params) with the
    #: paging fields added, instead of a GET with them in the query (the Admin API's ``users/search``). A search only
    #: reads, so it is retried like a GET.
    in_body = False

    @property
    def method(self) -> str:
        return "POST" if self.in_body else "GET"

    def params(self, position: Any, page_size: int) -> dict:
        raise NotImplementedError

    def read(self, body: Any, position: Any) -> Page:
        """The page in ``body``; ``_answers.MalformedAnswer`` when it is not a page of this style."""
        raise NotImplementedError

    def describe(self, position: Any) -> str:
        """The position as the request shows it, for messages."""
        return ", ".join(f"{k}={v}" for k, v in self.params(position, 0).items() if k in self.position_params)

    def claims_more(self, page: Page, position: Any) -> bool:
        """An empty page that says more follow: asked for again rather than trusted (see ``AtlassianClient``)."""
        return not page.values and page.next_position is not None and (page.total is None or position < page.total)


class OffsetPaging(Paging):
    """Jira's ``PageBean``: the end is ``isLast: true``, or a page with neither ``isLast`` nor ``nextPage``, or an
    empty page that does not claim more. The next ``startAt`` counts the values received, because Jira may lower
    ``maxResults`` silently (group members come 50 at most)."""

    position_params = ("startAt",)

    def params(self, position: int, page_size: int) -> dict:
        return {"startAt": position, "maxResults": page_size}

    def read(self, body: Any, position: int) -> Page:
        body = obj(body, PAGE)
        values = items(body, "values", PAGE)
        last = body.get("isLast") is True or ("isLast" not in body and not body.get("nextPage"))
        if not values and not last and body.get("isLast") is not False:
            last = True
        total = body.get("total") if isinstance(body.get("total"), int) else None
        return Page(values, total, None if last else position + len(values))


class StartLimitPaging(Paging):
    """Confluence's ``start``/``limit``: a next page exists exactly when ``_links.next`` is there. ``totalSize`` is
    only sent when asked for (``total_param``, "an expensive operation" says Atlassian), so it is asked for on the
    first page only, which is where the strategy and the concurrent fetch need it."""

    def __init__(self, total_param: str | None = None) -> None:
        self.total_param = total_param

    position_params = ("start",)

    def params(self, position: int, page_size: int) -> dict:
        params = {"start": position, "limit": page_size}
        if self.total_param and position == 0:
            params[self.total_param] = "true"
        return params

    def read(self, body: Any, position: int) -> Page:
        body = obj(body, PAGE)
        values = items(body, "results", PAGE)
        links = body.get("_links") if isinstance(body.get("_links"), dict) else {}
        total = body.get("totalSize") if isinstance(body.get("totalSize"), int) else None
        return Page(values, total, position + len(values) if links.get("next") else None)


class CursorPaging(Paging):
    """A cursor listing: follow ``links.next`` (a URL carrying ``cursor=``, or the cursor itself) until it is absent.
    There is no total, so pages are read one after the other."""

    random_access = False
    first_position = None

    def __init__(self, values_key: str = "data", size_param: str | None = None, *, in_body: bool = False) -> None:
        self.values_key = values_key
        # The parameter that asks for a page size, where the API takes one (the Admin API's ``limit``).
        self.size_param = size_param
        self.in_body = in_body

    position_params = ("cursor",)

    def params(self, position: str | None, page_size: int) -> dict:
        params: dict = {self.size_param: page_size} if self.size_param and page_size else {}
        if position:
            params["cursor"] = position
        return params

    def describe(self, position: str | None) -> str:
        return f"cursor={position}" if position else "the first page"

    def read(self, body: Any, position: str | None) -> Page:
        body = obj(body, PAGE)
        links = body.get("links") if isinstance(body.get("links"), dict) else {}
        link = links.get("next")
        if link is not None and not isinstance(link, str):
            raise MalformedAnswer(f"{PAGE} whose 'links.next' is {describe(link)}, not a string")
        return Page(items(body, self.values_key, PAGE), None, cursor_of(link))

    def claims_more(self, page: Page, position: Any) -> bool:
        # An empty page with a next cursor is simply followed: the cursor moves, so there is nothing to ask again.
        return False


def cursor_of(link: str | None) -> str | None:
    """The cursor in a ``links.next`` value: the ``cursor`` query parameter of a URL, or the value itself."""
    if not link:
        return None
    if "?" in link or link.startswith(("http://", "https://", "/")):
        found = parse_qs(urlsplit(link).query).get("cursor")
        return found[0] if found else None
    return link
