# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (d): a script on atlassian-python-api (``from atlassian import Jira``), what people use today.

A careful script: it reads the group's members first (so a re-run writes nothing), then, one user after the other,
searches each email that is not a member yet and adds the account; for an exclusive sync it then removes every member
not listed. The library's default retry (one retry of a 429, after Retry-After) is kept.

The same script for both Jiras (the spec's ``backend``). ``atlassian.Jira`` is the library's Server/Data Center
client (REST v2); ``cloud=True`` makes it speak to Jira Cloud. On Cloud users are ``accountId``s and found with
``user_find_by_user_string(query=email)``; on Data Center they are usernames (``name``), found with
``user_find_by_user_string(username=email)`` (a prefix search: the script keeps the exact email), logged in with
username and password, and added and removed with the library's own ``add_user_to_group(username=...)`` and
``remove_user_from_group(username=...)``.

Workarounds a user of atlassian-python-api 5.0.5 needs, marked ``WORKAROUND`` below:
- ``get_all_users_from_group`` returns one page only (50 members): the script loops on ``start`` itself.
- Cloud only: ``add_user_to_group`` / ``remove_user_from_group`` send ``accountId`` only when the site URL contains
  "atlassian.net", else the Server-style ``name``/``username``, which Cloud rejects. Against the emulator's
  ``http://127.0.0.1:PORT`` the script sends the request those methods send for a real ``*.atlassian.net`` site
  (same path, query and body), through the client's own ``post``/``delete``. On Data Center the Server-style
  request is the right one, so the methods are called as they are.
- A 400 "already a member" raises ``HTTPError``; the script checks membership first, so it does not meet one.

Run as its own process: ``python apa_script.py SPEC.json``. ``run()`` at the bottom is the benchmark's glue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(spec_path: str) -> int:
    from atlassian import Jira

    spec = json.loads(Path(spec_path).read_text())
    data_center = spec.get("backend") == "jira_datacenter"
    jira = Jira(url=spec["url"], username=spec["username"], password=spec["api_token"], cloud=not data_center)
    group = spec["group"]
    on_atlassian_net = "atlassian.net" in spec["url"]
    # A user's id in the answers: Data Center's username ("name"), Cloud's accountId.
    key = "name" if data_center else "accountId"
    errors = []

    # WORKAROUND: one page per call, so page through the members by hand.
    members: dict[str, str | None] = {}
    start = 0
    while True:
        page = jira.get_all_users_from_group(group, include_inactive_users=True, start=start, limit=50)
        for user in page["values"]:
            members[user[key]] = (user.get("emailAddress") or "").lower() or None
        if page.get("isLast", True) or not page["values"]:
            break
        start += len(page["values"])
    member_by_email = {email: account_id for account_id, email in members.items() if email}

    wanted = set()
    for email in spec["emails"]:
        if email.lower() in member_by_email:
            wanted.add(member_by_email[email.lower()])
            continue
        if data_center:
            found = jira.user_find_by_user_string(username=email)
        else:
            found = jira.user_find_by_user_string(query=email)
        exact = [u for u in found if (u.get("emailAddress") or "").lower() == email.lower()]
        if not exact:
            errors.append(f"{email}: not found")
            continue
        account_id = exact[0][key]
        wanted.add(account_id)
        try:
            if data_center:
                jira.add_user_to_group(username=account_id, group_name=group)
            elif on_atlassian_net:
                jira.add_user_to_group(group_name=group, account_id=account_id)
            else:  # WORKAROUND: what add_user_to_group sends to a *.atlassian.net site
                jira.post(jira.resource_url("group/user"), params={"groupname": group}, data={"accountId": account_id})
        except Exception as exc:  # noqa: BLE001 - the library raises requests' HTTPError and its own ApiError types
            errors.append(f"{email}: add failed: {exc}")

    if spec["exclusive"]:
        for account_id in members:
            if account_id in wanted:
                continue
            try:
                if data_center:
                    jira.remove_user_from_group(username=account_id, group_name=group)
                elif on_atlassian_net:
                    jira.remove_user_from_group(group_name=group, account_id=account_id)
                else:  # WORKAROUND: what remove_user_from_group sends to a *.atlassian.net site
                    jira.delete(jira.resource_url("group/user"), params={"groupname": group, "accountId": account_id})
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{account_id}: remove failed: {exc}")
    print(json.dumps({"errors": len(errors), "first_errors": errors[:5]}))
    return 1 if errors else 0


def available() -> str | None:
    """None when atlassian-python-api can be imported, else why not."""
    try:
        import atlassian  # noqa: F401
    except ImportError as exc:
        return f"atlassian-python-api is not installed ({exc}); `make bench` installs bench/requirements.txt"
    return None


def run(ctx):
    from bench.measure import Result, measure_script

    missing = available()
    if missing:
        return Result(0.0, 0, 0, failed=True, problem=missing)
    return measure_script(ctx, Path(__file__))


def not_applicable(workload) -> str | None:
    """The script speaks Jira's REST API (Cloud's and Data Center's); a Confluence-only site has none. On the Admin
    API the library's client (``atlassian.CloudAdmin``, 5.0.5) searches directory users and groups but has no call
    that adds a group membership, so there is no script on it to write."""
    from bench.workloads import ADMIN, CONFLUENCE

    if workload.backend == CONFLUENCE:
        return "a Jira REST script; a Confluence-only site has no /rest/api/3"
    if workload.backend == ADMIN:
        return "atlassian-python-api 5.0.5's CloudAdmin has no call to add a group membership (Admin API v2)"
    return None


NAME = "d"
LABEL = "atlassian-python-api script"

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
