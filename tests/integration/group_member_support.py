# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Shared pieces of the atlassian_group_member integration tests: the seed's cast, play builders, log readers.

The cast is the default test seed's (tools/atlassian_emulator/seeds/default.yaml, see its header comment).
"""

from __future__ import annotations

import base64
import re
from typing import Any

MODULE = "orgsync.atlassian.atlassian_group_member"

ADMIN = ("admin@acme.example", "admin-api-token")  # Ada, site admin
BOB = ("bob@acme.example", "bob-api-token")  # authenticated, not an admin: writes get 403

# accountId, email as Atlassian shows it (None when hidden), display name
ADA = ("5b10a2844c20165700ede001", "admin@acme.example", "Ada Admin")
BOB_USER = ("5b10a2844c20165700ede002", "bob@acme.example", "Bob Builder")
OTTO = ("712020:0f7d3c5e-6a1b-4c8e-9e2f-5d4b3a2c1b0a", "otto@acme.example", "Otto Automation")
JANE = ("5b10a2844c20165700ede003", "jane@acme.example", "Jane Doe")
JOHN = ("5b10a2844c20165700ede004", "john.smith@acme.example", "John Smith")
JO_MARCH = ("5b10a2844c20165700ede005", "jo@acme.example", "Jo March")
JO_BLOGGS = ("5b10a2844c20165700ede006", "jo@acme.example.au", "Jo Bloggs")
IVAN = ("5b10a2844c20165700ede007", "ivan.former@acme.example", "Ivan Former")  # inactive
HANA = ("5b10a2844c20165700ede008", None, "Hana Hidden")  # email hidden by privacy settings
HANA_EMAIL = "hana.hidden@acme.example"
DEPLOY_BOT = ("5b10a2844c20165700ede009", "deploy-bot@acme.example", "Deploy Bot")  # accountType app
PAT_TWIN = ("5b10a2844c20165700ede010", "pat@acme.example", "Pat Twin")
PAT_TWIN_OLD = ("5b10a2844c20165700ede011", "pat@acme.example", "Pat Twin (old)")
CAROL = ("5b10a2844c20165700ede012", "carol@acme.example", "Carol Danvers")  # + a JSM customer, same email
ZOE = ("5b10a2844c20165700ede013", "zoe@acme.example", "Zoë Ångström")

GROUP_IDS = {
    "site-admins": "a5f4c6b2-0d1e-4f3a-9b8c-7d6e5f4a3b21",
    "jira-software-users": "276f955c-63d7-42c8-9520-92d01dca0625",
    "confluence-users": "6e87dc72-4f1f-421f-9382-2fee8b652487",
    "team-platform": "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20",
    "team-design": "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f",
    "big-group": "b16b16b1-6b16-4b16-8b16-b16b16b16b16",
}


def summary(user: tuple[str, str | None, str]) -> dict[str, Any]:
    """A user as the module returns it in ``added`` / ``removed``."""
    account_id, email, display_name = user
    return {"account_id": account_id, "email": email, "display_name": display_name}


def group(name: str) -> dict[str, str]:
    """A group as the module returns it."""
    return {"name": name, "group_id": GROUP_IDS[name]}


def task(name: str, *, ignore_errors: bool = False, register: str | None = None, **args: Any) -> dict[str, Any]:
    """One atlassian_group_member task."""
    entry: dict[str, Any] = {"name": name, MODULE: args}
    if ignore_errors:
        entry["ignore_errors"] = True
    if register:
        entry["register"] = register
    return entry


def play(*tasks: dict[str, Any], **keywords: Any) -> list[dict[str, Any]]:
    """A one-play playbook on localhost (``keywords`` adds play keywords such as module_defaults)."""
    return [{"name": "group membership", "hosts": "localhost", "gather_facts": False, **keywords, "tasks": list(tasks)}]


def write_calls(emulator) -> list[tuple[str, str, str, int]]:
    """Every write request the emulator saw, as (method, groupId, accountId, status), in arrival order (Jira's and
    Confluence Cloud's membership writes both name the group in the query and the user in the body or the query;
    Jira Data Center names them by groupname and username, which stand in for the ids there)."""
    calls = []
    for record in emulator.writes():
        admin = re.fullmatch(
            r"/admin/v2/orgs/[^/]+/directories/[^/]+/groups/([^/]+)/memberships(?:/([^/]+))?", record.path
        )
        if admin:  # the Admin API names the group, and a removal the user, in the path
            account_id = admin.group(2) or (record.body or {}).get("accountId")
            calls.append((record.method, admin.group(1), account_id, record.status))
            continue
        group_id = (record.query.get("groupId") or record.query.get("groupname") or [None])[0]
        if record.method == "POST":
            account_id = (record.body or {}).get("accountId") or (record.body or {}).get("name")
        else:
            account_id = (record.query.get("accountId") or record.query.get("username") or [None])[0]
        calls.append((record.method, group_id, account_id, record.status))
    return calls


def basic_credential(username: str, api_token: str) -> str:
    return base64.b64encode(f"{username}:{api_token}".encode()).decode()


def all_memberships(emulator) -> dict[str, set[str]]:
    """Every group's member accountIds, to prove that nothing changed anywhere."""
    return {name: emulator.members(name) for name in GROUP_IDS}
