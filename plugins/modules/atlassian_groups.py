#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_groups
short_description: Make many Atlassian groups and their members match a file of teams, in one task
version_added: 1.1.0
description:
  - States the groups of a whole file of teams at once (O(groups)), each with its people and whether it exists, on an
    Atlassian Cloud site, a Data Center server or the organisation's directory (O(backend)). Groups that do not exist
    are created; groups with O(groups[].state=absent) are deleted.
  - One module process reads, resolves and writes every group, concurrently within the one rate limit. Each member
    page is read once and each person resolved once per task, even when a person is in many groups; a person a member
    listing already shows needs no lookup (on Atlassian Cloud, an email one account has; everywhere, an accountId).
  - Check mode is the plan. RV(groups) says per group whether it would be created or deleted and who would be added
    and removed, RV(totals) the counts, and RV(summary) one line a CI job can post on a pull request ("2 groups
    created, 14 people added, 3 removed, 1 group deleted"). With C(--diff), each changing group's members before and
    after.
  - With O(purge_prefix), the file owns every group whose name starts with it; such a group that O(groups) does not
    list is deleted, so removing a team from the file removes its group. Without it, nothing the file does not list is
    touched.
  - Deleting a group that grants product or admin access is refused unless O(allow_access_group_deletion=true), as
    M(orgsync.atlassian.atlassian_group) refuses it; that group fails, the others still converge.
  - Partial failure. When a group fails (it cannot be found, one of its people cannot be resolved, its deletion is
    refused, a write fails), the other groups still converge, RV(failed_groups) says which failed and why, and the
    task fails. Running it again finishes the job.
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
attributes:
  check_mode:
    description:
      - No write request is sent; RV(groups), RV(totals), RV(summary) and C(changed) are what a real run would do (the
        plan). The guard for groups that grant access and the check that a group can be changed run in check mode too.
    support: full
  diff_mode:
    description:
      - For each group that changes (in check mode, would change), whether it exists and its members, before and
        after; C(after) is the expected state, not read again.
    support: full
options:
  groups:
    description:
      - The groups, each with its people. Group names compare case-insensitively; a group listed twice is refused.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The group's name. A group that does not exist is created with it.
        type: str
        required: true
      users:
        description:
          - The group's people, as in M(orgsync.atlassian.atlassian_group_member)'s O(orgsync.atlassian.atlassian_group_member#module:users),
            each an email address or an accountId (on Data Center, a username).
          - With O(exclusive=true), the group's only members (besides the calling account and app accounts, which
            are kept). Without it, they are added and nobody is removed.
          - Not allowed with O(groups[].state=absent).
        type: list
        elements: str
        default: []
      state:
        description:
          - V(present) makes sure the group exists with these people; V(absent) makes sure it does not exist.
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description:
      - Each listed group holds exactly its O(groups[].users), inactive members removed too. The calling account and
        app accounts are kept, as by M(orgsync.atlassian.atlassian_group_member) with
        O(orgsync.atlassian.atlassian_group_member#module:exclusive=true); RV(groups[].kept) lists them.
      - Refused with O(backend=admin), where the calling account cannot be told.
    type: bool
    default: false
  purge_prefix:
    description:
      - Groups whose names start with this prefix (case-insensitive) are owned by O(groups). Such a group that
        O(groups) does not list is deleted (named after C(purge_tags) in amazon.aws).
      - Unset (the default), no group that O(groups) does not list is touched.
      - On Jira Data Center, whose REST API has no listing of every group, the groups are found with the group
        picker, which shows 100 matches at most; a prefix that more groups share is refused.
    type: str
  allow_access_group_deletion:
    description:
      - Allow deleting (by O(groups[].state=absent) or O(purge_prefix)) a group that grants product or admin access.
    type: bool
    default: false
notes:
  - Adopting the module starts from today's truth. M(orgsync.atlassian.atlassian_group_member_info) with
    O(orgsync.atlassian.atlassian_group_member_info#module:groups) exports a set of groups in exactly the shape
    O(groups) takes.
seealso:
  - module: orgsync.atlassian.atlassian_group_member
    description: One group's people, with the same rules.
  - module: orgsync.atlassian.atlassian_group
    description: One group's existence, with the same guard for groups that grant access.
  - module: orgsync.atlassian.atlassian_group_member_info
    description: Today's groups in the shape O(groups) takes.
"""

EXAMPLES = r"""
- name: The teams file, applied (connection from ATLASSIAN_* environment variables)
  orgsync.atlassian.atlassian_groups:
    groups:
      - name: team-platform
        users: [jane@acme.com, 5b10ac8d82e05b22cc7d4ef5]
      - name: team-design
        users: [bob@acme.com]
      - name: team-legacy
        state: absent
    exclusive: true
    purge_prefix: team-
  register: teams

- name: Say what was done (in check mode, the plan), e.g. as a pull-request comment
  ansible.builtin.debug:
    msg: "{{ teams.summary }}"

- name: The same, from a vars file of teams
  orgsync.atlassian.atlassian_groups:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    groups: "{{ teams_file.groups }}"
    exclusive: true
  vars:
    teams_file:
      groups:
        - name: team-platform
          users: [jane@acme.com, 5b10ac8d82e05b22cc7d4ef5]
"""

RETURN = r"""
backend:
  description: The backend used, as named by O(backend) or found by O(backend=auto).
  returned: always, once it is known (failures about the options come before)
  type: str
  sample: jira_cloud
summary:
  description:
    - One line for a reviewer or a pull-request comment. Additions and removals count memberships.
  returned: always
  type: str
  sample: 2 groups created, 14 people added, 3 removed, 1 group deleted
totals:
  description: The counts of RV(summary).
  returned: always
  type: dict
  sample: {"created": 2, "deleted": 1, "added": 14, "removed": 3, "failed": 0}
  contains:
    created:
      description: Groups created (in check mode, that would be).
      type: int
    deleted:
      description: Groups deleted.
      type: int
    added:
      description: Memberships added.
      type: int
    removed:
      description: Memberships removed.
      type: int
    failed:
      description: Groups that failed.
      type: int
groups:
  description:
    - Every group of O(groups), in the order given, then the groups O(purge_prefix) deletes.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "team-data", "group_id": "276f955c-63d7-42c8-9520-92d01dca0625", "listed": true, "created": true,
            "deleted": false, "added": [{"account_id": "5b10ac8d82e05b22cc7d4ef5", "email": "jane@acme.com",
            "display_name": "Jane Doe"}], "removed": [], "kept": [], "changed": true, "failed": false}]
  contains:
    name:
      description: The group's name (the site's spelling when it exists).
      type: str
    group_id:
      description: Its id (on Data Center, its name); null for a group that does not exist (or, in check mode, would
        be created).
      type: str
    listed:
      description: False for a group that O(groups) does not list, deleted by O(purge_prefix).
      type: bool
    created:
      description: Whether it was (would be) created.
      type: bool
    deleted:
      description: Whether it was (would be) deleted.
      type: bool
    added:
      description: People added, as RV(orgsync.atlassian.atlassian_group_member#module:added) lists them.
      type: list
      elements: dict
    removed:
      description: People removed.
      type: list
      elements: dict
    kept:
      description: Members O(exclusive=true) kept although not listed, each with the reason.
      type: list
      elements: dict
    changed:
      description: Whether this group changed.
      type: bool
    failed:
      description: Whether this group failed.
      type: bool
    msg:
      description: Why it failed.
      returned: when it failed
      type: str
failed_groups:
  description: The groups that failed, each with its name and the reason. The task fails when this is not empty.
  returned: when a group failed
  type: list
  elements: dict
  sample: [{"name": "team-x", "reason": "1 of 2 users could not be resolved, so team-x was not changed: ..."}]
diff:
  description: Per changing group, whether it exists and its members, before and after. Only with C(--diff).
  returned: when diff mode is on
  type: list
  elements: dict
"""

from ansible_collections.orgsync.atlassian.plugins.module_utils._groups_plan import GroupRequest, check_requests
from ansible_collections.orgsync.atlassian.plugins.module_utils._groups_sync import (
    GroupsSync,
    failure_message,
    totals,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import check_references
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule

ARGUMENT_SPEC = dict(
    groups=dict(
        type="list",
        elements="dict",
        required=True,
        options=dict(
            name=dict(type="str", required=True),
            users=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
    ),
    exclusive=dict(type="bool", default=False),
    purge_prefix=dict(type="str"),
    allow_access_group_deletion=dict(type="bool", default=False),
)


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC, result={"groups": [], "summary": "no changes", "totals": {}})
    params = module.params
    with module.errors_reported():
        requests = [
            GroupRequest(g["name"], tuple(check_references(g["users"], f"groups[{i}].users")), g["state"])
            for i, g in enumerate(params["groups"])
        ]
        check_requests(requests, params["purge_prefix"])

    with module.service(GroupsSync) as sync:
        outcomes = sync.run(
            requests,
            exclusive=params["exclusive"],
            purge_prefix=params["purge_prefix"],
            allow_access_group_deletion=params["allow_access_group_deletion"],
            check_mode=module.check_mode,
            diff=module.diff_mode,
        )

    counts = totals(outcomes)
    module.result.update(
        changed=any(o.changed for o in outcomes),
        groups=[o.as_result() for o in outcomes],
        totals=counts.as_result(),
        summary=counts.summary(),
    )
    if module.diff_mode:
        module.result["diff"] = [d for d in (o.diff() for o in outcomes) if d is not None]
    failed = [o for o in outcomes if o.error is not None]
    if failed:
        module.fail(failure_message(outcomes), failed_groups=[{"name": o.name, "reason": o.error} for o in failed])
    module.exit()


if __name__ == "__main__":
    main()
