#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_user_groups
short_description: Make sure a person is in, or out of, Atlassian groups, stated from the person's side
version_added: 1.1.0
description:
  - The person's view of membership, where M(orgsync.atlassian.atlassian_group_member) is the group's view. One read
    of the person's groups, then the writes that differ, sent concurrently within the rate limits.
  - O(state=present) makes sure the person is in O(groups); with O(exclusive=true) also takes them out of every other
    group, except the O(keep) groups. O(groups=[]) with O(exclusive=true) takes a leaver out of everything in one task.
  - O(state=absent) makes sure the person is in none of O(groups).
  - The person is given by email or accountId, resolved with the same rules as
    M(orgsync.atlassian.atlassian_group_member). When the task only removes (O(state=absent), or O(exclusive=true)
    with no O(groups)), a deactivated person given by email is looked for where the backend sees deactivated
    accounts (Jira's list of all users, Confluence's group listings), and a person no account answers to is already
    in no group, so the task succeeds with C(changed=false) and a warning.
  - If some writes fail, the others are still applied; the task fails listing each failed group in RV(failed_groups).
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
attributes:
  check_mode:
    description: No write request is sent; RV(added_to), RV(removed_from) and C(changed) predict what a real run would do.
    support: full
  diff_mode:
    description:
      - Shows the person's groups before and after.
      - C(after) is the expected state, the groups read before the writes with the writes that succeeded applied;
        it is not read again afterwards, so a change another writer makes at the same time does not show in it.
    support: full
options:
  user:
    description:
      - The person, as an email address (anything containing V(@)) or an accountId, resolved with the rules of
        M(orgsync.atlassian.atlassian_group_member) (an email several accounts have fails, whatever the state).
    type: str
    required: true
  groups:
    description:
      - Group names (case-insensitive, surrounding whitespace ignored) or group ids. An entry shaped like a UUID is an
        id, anything else a name, whatever the state, so a group named like another group's id is never taken for it.
      - With O(state=present), groups that do not exist fail the task before any write; with O(state=absent), each
        one is reported in a warning naming it.
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) makes sure the person is in O(groups); V(absent) that they are in none of them.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also take the person out of every group not in O(groups), except the O(keep) groups.
      - Not allowed with O(state=absent).
    type: bool
    default: false
  keep:
    description:
      - Groups (names or ids) that O(exclusive=true) never takes the person out of. Each group kept is returned in
        RV(kept), without a warning (keeping it is what the task asks for).
      - The default protects the admin groups whose loss would lock an automation account out of administering the
        site or the organisation. Set it to V([]) to let a leaver lose those too.
      - An entry of a O(keep) given to the task that names no group at all (a typo such as V(site-admin)) is
        reported in a warning naming it, with the closest of the person's group names; it does not stop the task
        (it protects nothing). Each entry that is not one of the person's groups costs a lookup.
    type: list
    elements: str
    default: [site-admins, org-admins, administrators, jira-admins, jira-administrators, jira-system-administrators,
              confluence-admins, confluence-administrators]
seealso:
  - module: orgsync.atlassian.atlassian_group_member
  - module: orgsync.atlassian.atlassian_group
  - module: orgsync.atlassian.atlassian_user_info
"""

EXAMPLES = r"""
- name: A leaver leaves every group in one task, admin groups too (keep is empty; by default they are kept)
  orgsync.atlassian.atlassian_user_groups:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    user: gone@acme.com
    groups: []
    exclusive: true
    keep: []
  register: offboarded

- name: Jane is in exactly these groups (connection from ATLASSIAN_* environment variables)
  orgsync.atlassian.atlassian_user_groups:
    user: jane@acme.com
    groups: [jira-software-users, confluence-users, team-platform]
    exclusive: true

- name: Bob leaves two groups, whatever else he is in
  orgsync.atlassian.atlassian_user_groups:
    user: bob@acme.com
    groups: [team-platform, c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f]
    state: absent
"""

RETURN = r"""
backend:
  description: The backend used, as named by O(backend) or found by O(backend=auto).
  returned: always, once it is known (failures about the options come before)
  type: str
  sample: jira_cloud
user:
  description:
    - The person, or V(null) when no account answers to O(user) (only with removals).
    - On Data Center, C(account_id) is V(null) and C(username) names the person.
  returned: success
  type: dict
  sample: {"account_id": "5b10ac8d82e05b22cc7d4ef5", "email": "jane@acme.com", "display_name": "Jane Doe"}
added_to:
  description: Groups the person was added to (in check mode, would be).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "team-platform", "group_id": "3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20"}]
  contains:
    name:
      description: Group name.
      type: str
      sample: team-platform
    group_id:
      description: Group id (on Data Center, where groups have none, the group name).
      type: str
      sample: 3f9c1a7e-2b4d-4c6f-8e1a-9b7d5c3e1f20
removed_from:
  description: Groups the person was taken out of (in check mode, would be). Same fields as RV(added_to).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "team-design", "group_id": "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"}]
kept:
  description: Groups that O(exclusive=true) did not take the person out of because O(keep) names them, each with the
    reason (V(keep)).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "site-admins", "group_id": "a5f4c6b2-0d1e-4f3a-9b8c-7d6e5f4a3b21", "reason": "keep"}]
failed_groups:
  description: Groups whose write failed, with the reason. The task fails when this is not empty.
  returned: when a write failed
  type: list
  elements: dict
  sample: [{"name": "team-design", "group_id": "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f", "action": "remove",
            "reason": "..."}]
diff:
  description:
    - The person's group names before and after. Only with C(--diff).
    - C(after) is the expected state (the groups read before the writes, with the writes that succeeded applied),
      not a second reading.
  returned: when diff mode is on and the person was found
  type: dict
  sample: {"before": {"user": "jane@acme.com", "groups": ["team-a"]}, "after": {"user": "jane@acme.com",
           "groups": ["team-a", "team-b"]}}
"""

import difflib

from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import user_groups_request
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import (
    KEPT_BY_KEEP,
    groups_diff,
    plan_user_groups,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._user_groups import (
    ADMIN_GROUPS,
    NOUN,
    UserGroupsService,
    names_group,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._writes import ApplyResult

ARGUMENT_SPEC = dict(
    user=dict(type="str", required=True),
    groups=dict(type="list", elements="str", default=[]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    exclusive=dict(type="bool", default=False),
    keep=dict(type="list", elements="str", default=list(ADMIN_GROUPS)),
)


def custom_keep(wanted) -> bool:
    return sorted(ref.casefold() for ref in wanted.keep) != sorted(ADMIN_GROUPS)


def closest(ref: str, groups) -> str:
    """The person's groups whose names are closest to a ``keep`` entry that names no group (a likely typo)."""
    names = {(g.name or g.group_id).casefold(): g.label for g in groups}
    close = difflib.get_close_matches(ref.casefold(), list(names), n=3, cutoff=0.6)
    return f" (the closest of the person's groups: {', '.join(names[n] for n in close)})" if close else ""


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC, result={"user": None, "added_to": [], "removed_from": [], "kept": []})
    with module.errors_reported():
        wanted = user_groups_request(module.params)

    with module.service(UserGroupsService) as service:
        user = service.resolve_user(wanted.user, removal_only=wanted.removal_only)
        if user is None:
            module.warn(
                f"No account was found for '{wanted.user}', so it is in no group: nothing to remove. A person whose "
                "privacy settings hide their email can only be named by accountId."
            )
            module.exit()
        module.result["user"] = user.as_result()
        current = service.groups_of(user)
        desired, unknown = service.resolve_groups(wanted.groups, current, must_exist=wanted.state == "present")
        plan = plan_user_groups(
            current,
            desired,
            state=wanted.state,
            exclusive=wanted.exclusive,
            keep=lambda group: any(names_group(ref, group) for ref in wanted.keep),
        )
        # The default keep names admin groups a site may not have; a keep the task gives is checked for typos.
        unknown_keep = service.unknown_keep(wanted.keep, current) if wanted.exclusive and custom_keep(wanted) else []
        service.check_can_change(plan)
        if module.check_mode:
            outcome = ApplyResult.predicted(NOUN, plan.adds, plan.removes)
        else:
            outcome = service.apply(user, plan)

    for error in unknown:
        module.warn(f"{error.summary}, so {user.label} is not in it: nothing to remove.")
    for ref, error in unknown_keep:
        module.warn(f"keep: {error.summary}, so '{ref}' protects nothing{closest(ref, current)}.")
    module.result.update(
        changed=outcome.changed,
        added_to=[g.as_result() for g in outcome.added],
        removed_from=[g.as_result() for g in outcome.removed],
        kept=[dict(g.as_result(), reason=KEPT_BY_KEEP) for g in plan.kept],
    )
    if module.diff_mode:
        module.result["diff"] = groups_diff(user.label, current, outcome.added, outcome.removed)
    if outcome.failures:
        module.fail(outcome.failure_message(), failed_groups=outcome.failure_details())
    module.exit()


if __name__ == "__main__":
    main()
