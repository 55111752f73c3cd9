#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_group
short_description: Make sure an Atlassian group exists, or does not
version_added: 1.1.0
description:
  - Creates a group of an Atlassian Cloud site, a Data Center server or the organisation's directory, or deletes
    one, through the Jira, Confluence or Admin REST API (O(backend)). Idempotent; C(changed) only when a group was created or deleted.
  - Deleting a group that grants product or admin access (V(site-admins), V(jira-software-users),
    V(confluence-users), the other access groups Atlassian sites use, and any group the API says grants access) is
    refused unless O(allow_access_group_deletion=true), because its members would lose that access and the
    automation may lock itself out. Atlassian itself refuses to delete a site's default access groups.
  - Creating a group and filling it in the next task works; use M(orgsync.atlassian.atlassian_group_member) for the
    members.
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
attributes:
  check_mode:
    description: No write request is sent; C(changed) and RV(group) predict what a real run would do.
    support: full
  diff_mode:
    description: Shows whether the group exists before and after.
    support: full
options:
  name:
    description:
      - Name of the group. Needed to create it. Surrounding whitespace is ignored.
      - A name that groups of two directories have (O(backend=admin)) fails, in check mode too; set O(directory_id).
      - Exactly one of O(name) and O(group_id) is required.
    type: str
  group_id:
    description:
      - ID of the group, to delete it or check it exists by its stable id.
      - Exactly one of O(name) and O(group_id) is required.
    type: str
  state:
    description:
      - V(present) makes sure the group exists (creating it by O(name)); V(absent) makes sure it does not.
    type: str
    choices: [present, absent]
    default: present
  allow_access_group_deletion:
    description:
      - Allow O(state=absent) to delete a group that grants product or admin access.
    type: bool
    default: false
notes:
  - Jira's group deletion can move comment and worklog visibility restricted to the group to another group
    (C(swapGroup)); this module does not, so such comments and worklogs become visible to nobody but admins.
    Move the restrictions first if they matter.
  - Descriptions are not set, because neither Jira's nor Confluence's group API stores one.
seealso:
  - module: orgsync.atlassian.atlassian_group_member
  - module: orgsync.atlassian.atlassian_user_groups
"""

EXAMPLES = r"""
- name: A new team's group exists
  orgsync.atlassian.atlassian_group:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    name: team-payments
  register: team

- name: Fill it (connection from ATLASSIAN_* environment variables)
  orgsync.atlassian.atlassian_group_member:
    group_id: "{{ team.group.group_id }}"
    users: [jane@acme.com, bob@acme.com]
  # In check mode a group that is not created yet has no id, and nothing to fill.
  when: team.group.group_id is not none

- name: An old team was dissolved
  orgsync.atlassian.atlassian_group:
    name: team-legacy
    state: absent
"""

RETURN = r"""
backend:
  description: The backend used, as named by O(backend) or found by O(backend=auto).
  returned: always, once it is known (failures about the options come before)
  type: str
  sample: jira_cloud
group:
  description:
    - The group. After a deletion, the group that was deleted; when there is none, V(null).
    - In check mode, a group that would be created has no RV(group.group_id) yet (V(null)).
  returned: success
  type: dict
  contains:
    name:
      description: Group name.
      type: str
      sample: team-payments
    group_id:
      description: Group id (on Data Center, where groups have none, the group name).
      type: str
      sample: 276f955c-63d7-42c8-9520-92d01dca0625
diff:
  description: Whether the group exists before and after. Only with C(--diff).
  returned: when diff mode is on
  type: dict
  sample: {"before": {"name": "team-payments", "exists": false}, "after": {"name": "team-payments", "exists": true}}
"""

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._groups import GroupService
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import exactly_one

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    group_id=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    allow_access_group_deletion=dict(type="bool", default=False),
)


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC, result={"group": None})
    params = module.params
    with module.errors_reported():
        exactly_one(params, "name", "group_id", "for example name: team-payments")
        # Trimmed before anything is looked up or created, on every backend, so that check mode predicts the run.
        name, group_id = (params["name"] or "").strip() or None, (params["group_id"] or "").strip() or None
        present = params["state"] == "present"

    with module.service(GroupService) as groups:
        existing = groups.find(name=name, group_id=group_id)
        if present and existing is None and not name:
            raise ResolutionError(
                f"No group has id '{group_id}', and a group can only be created by name",
                hint="Set name instead of group_id to create the group",
            )
        if not present and existing is not None and not params["allow_access_group_deletion"]:
            groups.refuse_access_group_deletion(existing)
        changed = (existing is None) == present
        group = existing.as_result() if existing else None
        if changed and present:
            group = {"name": name, "group_id": None} if module.check_mode else groups.create(name).as_result()
        elif changed and not module.check_mode:
            groups.delete(existing)

    module.result["group"] = group
    if module.diff_mode:
        label = existing.label if existing else name or group_id
        module.result["diff"] = {
            "before": {"name": label, "exists": existing is not None},
            "after": {"name": label, "exists": present},
        }
    module.exit(changed=changed)


if __name__ == "__main__":
    main()
