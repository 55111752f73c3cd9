# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""W6's naive script, in plain ``requests``: the two-step dance of Atlassian's knowledge base ("A user must be invited
to the Cloud site before that user can be added to a group"), per new hire and one request after the other.

The groups are found once by name (``group/bulk``); then, per email, ``POST /rest/api/3/user`` with the products
(201: the account, new or already with access), and ``POST group/user`` with its accountId for each group (400
"already a member" shrugged off). No retry: a 429 is a failed hire.

Run as its own process: ``python joiners_script.py SPEC.json`` (see bench/variants/joiners.py).
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
    errors = []
    group_ids = {}
    for name in spec["groups"]:
        found = requests.get(f"{api}/group/bulk", params={"groupName": name}, auth=auth, timeout=30)
        values = found.json().get("values", []) if found.status_code == 200 else []
        if not values:
            print(json.dumps({"errors": 1, "first_errors": [f"group {name}: {found.status_code}"]}))
            return 1
        group_ids[name] = values[0]["groupId"]
    for email in spec["emails"]:
        made = requests.post(
            f"{api}/user", json={"emailAddress": email, "products": spec["products"]}, auth=auth, timeout=30
        )
        if made.status_code != 201:
            errors.append(f"{email}: create {made.status_code}")
            continue
        account_id = made.json()["accountId"]
        for name, group_id in group_ids.items():
            added = requests.post(
                f"{api}/group/user", params={"groupId": group_id}, json={"accountId": account_id}, auth=auth, timeout=30
            )
            if added.status_code not in (201, 400):  # 400: already a member
                errors.append(f"{email}: add to {name} {added.status_code}")
    print(json.dumps({"errors": len(errors), "first_errors": errors[:5]}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
