# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (c): the naive script of the problem story, in plain ``requests``.

Per user, one ``user/search`` and one POST, one after the other, with no membership check: a user who is already a
member gets Atlassian's 400 "already a member", which the script shrugs off. No retry: a 429 is a failed user. For an
exclusive sync it then reads every member page (``startAt`` loop) and DELETEs each member it did not just add.

The same script for both Jiras (the spec's ``backend``): on Jira Cloud REST v3, ``user/search?query=<email>`` and
the first account's ``accountId``, sent as ``{"accountId": ...}`` (DELETE: ``&accountId=``); on Jira Data Center REST
v2, ``user/search?username=<email>`` (a prefix search over usernames, names and emails) and the account whose
``emailAddress`` is that email, its username (``name``) sent as ``{"name": ...}`` (DELETE: ``&username=``), logged in
with username and password.

On the organisation's directory (Atlassian Admin API v2, ``backend: admin``) the same per-user loop in that API's
form, with the organisation API key as a bearer token: the group found once by name (``groups/search`` with
``groupNames``, in every directory, ``-``; its answer names the group's ``directoryId``, which writes need), then per
email ``users/search`` with ``{"emails": [email]}`` (an exact match) and a POST of ``{"accountId": ...}`` to the
group's ``memberships``. An existing member is answered 409 ("already in the group"), shrugged off like Jira's 400;
no retry (a 429 is a failed user). It is not written for an exclusive sync: the collection refuses ``exclusive`` on
the Admin API, so the bench asks none there.

Run as its own process: ``python naive_script.py SPEC.json`` (see ``bench.measure.script_spec``). The part above
``run()`` is the script as someone would write it; ``run()`` is the benchmark's glue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    if spec.get("backend") == "admin":
        return main_admin(spec)
    data_center = spec.get("backend") == "jira_datacenter"
    api = spec["url"].rstrip("/") + ("/rest/api/2" if data_center else "/rest/api/3")
    # How each Jira names a user: Cloud by accountId, Data Center by username ("name" in its answers).
    key, search_param, remove_param = (
        ("name", "username", "username") if data_center else ("accountId", "query", "accountId")
    )
    auth = (spec["username"], spec["api_token"])
    group = spec["group"]
    errors = []
    wanted = set()
    for email in spec["emails"]:
        found = requests.get(f"{api}/user/search", params={search_param: email}, auth=auth, timeout=30)
        hits = found.json() if found.status_code == 200 else []
        if data_center:  # a prefix search: keep the account with exactly this email
            hits = [u for u in hits if (u.get("emailAddress") or "").lower() == email.lower()]
        if not hits:
            errors.append(f"{email}: search {found.status_code}")
            continue
        account_id = hits[0][key]
        wanted.add(account_id)
        added = requests.post(
            f"{api}/group/user", params={"groupname": group}, json={key: account_id}, auth=auth, timeout=30
        )
        if added.status_code not in (201, 400):  # 400: already a member
            errors.append(f"{email}: add {added.status_code}")
    if spec["exclusive"]:
        members, start = [], 0
        while True:
            page = requests.get(
                f"{api}/group/member",
                params={"groupname": group, "includeInactiveUsers": "true", "startAt": start, "maxResults": 50},
                auth=auth,
                timeout=30,
            )
            if page.status_code != 200:
                errors.append(f"member page at {start}: {page.status_code}")
                break
            body = page.json()
            members += [m[key] for m in body["values"]]
            if body.get("isLast", True) or not body["values"]:
                break
            start += len(body["values"])
        for account_id in members:
            if account_id not in wanted:
                gone = requests.delete(
                    f"{api}/group/user", params={"groupname": group, remove_param: account_id}, auth=auth, timeout=30
                )
                if gone.status_code != 200:
                    errors.append(f"{account_id}: remove {gone.status_code}")
    print(json.dumps({"errors": len(errors), "first_errors": errors[:5]}))
    return 1 if errors else 0


def main_admin(spec: dict) -> int:
    """The Admin API v2 form: one group search, then per email one user search and one POST."""
    api = spec["url"].rstrip("/") + f"/admin/v2/orgs/{spec['org_id']}/directories"
    headers = {"Authorization": f"Bearer {spec['api_key']}"}
    group = spec["group"]
    errors = []
    if spec["exclusive"]:
        errors.append("exclusive: not written for the Admin API")
    # The group, by its exact name in every directory ("-"); the answer says which directory holds it.
    found = requests.post(f"{api}/-/groups/search", json={"groupNames": [group]}, headers=headers, timeout=30)
    groups = found.json()["data"] if found.status_code == 200 else []
    if not groups:
        print(json.dumps({"errors": 1, "first_errors": [f"group {group}: search {found.status_code}"]}))
        return 1
    memberships = f"{api}/{groups[0]['directoryId']}/groups/{groups[0]['id']}/memberships"
    for email in spec["emails"]:
        found = requests.post(f"{api}/-/users/search", json={"emails": [email]}, headers=headers, timeout=30)
        hits = found.json()["data"] if found.status_code == 200 else []
        if not hits:
            errors.append(f"{email}: search {found.status_code}")
            continue
        added = requests.post(memberships, json={"accountId": hits[0]["accountId"]}, headers=headers, timeout=30)
        if added.status_code not in (204, 409):  # 409: already in the group
            errors.append(f"{email}: add {added.status_code}")
    print(json.dumps({"errors": len(errors), "first_errors": errors[:5]}))
    return 1 if errors else 0


def run(ctx):
    from bench.measure import measure_script

    return measure_script(ctx, Path(__file__))


def not_applicable(workload) -> str | None:
    """The script speaks Jira's REST API (Cloud's /rest/api/3, Data Center's /rest/api/2) and the Admin API v2; a
    Confluence-only site has neither."""
    from bench.workloads import CONFLUENCE

    return "a Jira REST script; a Confluence-only site has no /rest/api/3" if workload.backend == CONFLUENCE else None


NAME = "c"
LABEL = "naive script (search + POST per user)"

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
