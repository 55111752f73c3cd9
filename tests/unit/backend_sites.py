# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The backends the in-process tests run on: which products the emulated site serves for each, and what each logged
request was for whichever product API served it, so one test can count requests on every backend:
``kinds(emulator.log) == ["group", "members", ...]``."""

from __future__ import annotations

import re

# backend name -> the products its emulated site serves (only its own: auto must find it there)
SITE_PRODUCTS = {"jira_cloud": ("jira",), "confluence_cloud": ("confluence",)}

_KINDS = (
    (r"/rest/api/[23]/serverInfo", "probe"),
    (r"/rest/api/3/group/bulk|/wiki/rest/api/group/by-(name|id)", "group"),
    (r"/rest/api/3/group/member|/wiki/rest/api/group/[^/]+/membersByGroupId", "members"),
    (r"/rest/api/3/user/search", "email_search"),
    (r"/wiki/rest/api/search/user", "name_search"),
    (r"/wiki/rest/api/group", "access_groups"),
    (r"/rest/api/3/user|/wiki/rest/api/user", "user"),
    (r"/rest/api/3/user/groups|/wiki/rest/api/user/memberof", "groups_of"),
    (r"/rest/api/3/group/user|/wiki/rest/api/group/userByGroupId", "write"),
    (r"/rest/api/3/myself|/wiki/rest/api/user/current", "caller"),
)


def kind(path: str) -> str:
    for pattern, name in _KINDS:
        if re.fullmatch(pattern, path):
            return name
    raise AssertionError(f"no kind for {path}")


def kinds(log) -> list[str]:
    """The kind of each request, in arrival order."""
    return [kind(record.path) for record in log]


def member_path(backend_name: str, group_id: str) -> str:
    """The path a backend reads a group's members from (for fault rules aimed at it)."""
    if backend_name == "confluence_cloud":
        return f"/wiki/rest/api/group/{group_id}/membersByGroupId"
    return "/rest/api/3/group/member"
