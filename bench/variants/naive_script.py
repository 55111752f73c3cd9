# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Variant (c): the naive script of the problem story, in plain ``requests``.

Per user, one ``user/search`` and one POST, one after the other, with no membership check: a user who is already a
member gets Atlassian's 400 "already a member", which the script shrugs off. No retry: a 429 is a failed user. For an
exclusive sync it then reads every member page (``startAt`` loop) and DELETEs each member it did not just add.

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
    api = spec["url"].rstrip("/") + "/rest/api/3"
    auth = (spec["username"], spec["api_token"])
    group = spec["group"]
    errors = []
    wanted = set()
    for email in spec["emails"]:
        found = requests.get(f"{api}/user/search", params={"query": email}, auth=auth, timeout=30)
        if found.status_code != 200 or not found.json():
            errors.append(f"{email}: search {found.status_code}")
            continue
        account_id = found.json()[0]["accountId"]
        wanted.add(account_id)
        added = requests.post(
            f"{api}/group/user", params={"groupname": group}, json={"accountId": account_id}, auth=auth, timeout=30
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
            members += [m["accountId"] for m in body["values"]]
            if body.get("isLast", True) or not body["values"]:
                break
            start += len(body["values"])
        for account_id in members:
            if account_id not in wanted:
                gone = requests.delete(
                    f"{api}/group/user", params={"groupname": group, "accountId": account_id}, auth=auth, timeout=30
                )
                if gone.status_code != 200:
                    errors.append(f"{account_id}: remove {gone.status_code}")
    print(json.dumps({"errors": len(errors), "first_errors": errors[:5]}))
    return 1 if errors else 0


def run(ctx):
    from bench.measure import measure_script

    return measure_script(ctx, Path(__file__))


def not_applicable(workload) -> str | None:
    """The script speaks Jira's REST API (/rest/api/3); a Confluence-only site has none."""
    from bench.workloads import JIRA

    return None if workload.backend == JIRA else "a Jira REST script; a Confluence-only site has no /rest/api/3"


NAME = "c"
LABEL = "naive script (search + POST per user)"

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
