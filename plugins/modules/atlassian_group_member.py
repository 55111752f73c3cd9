#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_group_member
short_description: Make sure users are in, or out of, an Atlassian group
version_added: 1.0.0
description:
  - Adds users to, or removes them from, an Atlassian group (O(backend)). That is a group of an Atlassian Cloud site
    (the directory Jira and Confluence share) through the Jira Cloud or the Confluence Cloud REST API, of a Jira or
    Confluence Data Center server through its REST API, or of the organisation's directory through the Admin API.
  - Each user is given by email address or by accountId; emails are resolved to accountIds for you, matching the
    whole address exactly (case-insensitive), so V(jo@acme.com) never picks V(jo@acme.com.au). On Atlassian Cloud an
    address belongs to one Atlassian account, so a member of the group that shows the email is taken without a
    lookup; any other email is looked up. On Jira Data Center, where users may share an address, every email is
    looked up, also one a member shows, so that an email several users have fails rather than name one of them. The
    collection's docs/identity.md states every rule, per backend.
  - Idempotent. It reads the current membership first, writes only what differs, and reports C(changed) only when a
    membership really changed.
  - Every user is resolved before anything is written. If any user cannot be resolved, the task fails listing each
    of them and changes nothing.
  - With O(state=absent), a user that no account answers to (an email nobody has, an accountId that does not exist)
    is already not a member, so the task succeeds for it with C(changed=false) and a warning naming it; an
    offboarding list can be re-run and shared. An email shared by several accounts (Jira Data Center users, or an
    answer that shows two Atlassian accounts with one address) still fails, whichever of them is a member, because it
    is never guessed.
  - Deactivated users are removed by email too. Atlassian's user search finds active accounts only, so when it finds
    nobody for an email given with O(state=absent), the group's member listing (which includes deactivated members)
    is read once for all such emails before concluding.
  - If some writes fail (for example HTTP 403, or retries exhausted), the others are still applied; the task fails
    listing each failed user and its reason, and RV(added) and RV(removed) report what did change. Running it again
    converges.
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
attributes:
  check_mode:
    description: No write request is sent; RV(added), RV(removed) and C(changed) predict what a real run would do.
    support: full
  diff_mode:
    description:
      - Shows the group's members before and after, by email (when the email is hidden, by display name and
        accountId, as in "Jane Doe (5b10ac8d82e05b22cc7d4ef5)").
      - C(after) is the expected state, the members read before the writes with the writes that succeeded applied;
        it is not read again afterwards, so a change another writer makes at the same time does not show in it.
    support: full
options:
  group:
    description:
      - Name of the group, for example V(jira-software-users).
      - Exactly one of O(group) and O(group_id) is required.
    type: str
  group_id:
    description:
      - ID of the group. Unlike the name, it stays the same when the group is renamed.
      - Exactly one of O(group) and O(group_id) is required.
    type: str
  user:
    description:
      - One user, as an email address (anything containing V(@)) or an accountId (on Confluence Data Center, every
        value is a username).
      - One string; a value holding characters no email, accountId or username holds (a list given here arrives as
        V(['jane@acme.com'])) is refused before any request. Give several users in O(users).
      - Exactly one of O(user) and O(users) is required.
    type: str
  users:
    description:
      - Several users, each an email address or an accountId.
      - An app's account (a bot) is given by its accountId; an email never names one.
      - A user listed twice, once by email and once by accountId, counts once.
      - Exactly one of O(user) and O(users) is required. With O(exclusive=true), an empty list removes every member
        except the calling account.
    type: list
    elements: str
  state:
    description:
      - V(present) makes sure the users are members; V(absent) makes sure they are not.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also remove every member that is not listed, inactive members included.
      - The calling account is never removed this way, so the automation cannot lock itself out; nor is an app's
        account (removing an app from a product or add-on group breaks the app); list it by accountId to say it
        belongs. RV(kept) lists both, with the reason.
      - Not allowed with O(state=absent).
      - Refused with O(backend=admin), because the Admin API does not say which account an organisation API key
        belongs to, so the calling account could not be kept.
    type: bool
    default: false
notes:
  - On a Confluence-only site (O(backend=confluence_cloud)), Confluence has no email search. An email resolves from
    the group's own member listing, then from the member listings of the groups that grant Confluence access (read
    once per task), then from a name search whose results count only when they show that very email. A user whose
    privacy settings hide their email, or who has no Confluence access, must be given by accountId there.
seealso:
  - name: Confluence Cloud REST API, groups
    description: The endpoints this module calls with O(backend=confluence_cloud).
    link: https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-group/
  - name: Jira Cloud REST API, group membership
    description: The endpoints this module calls with O(backend=jira_cloud).
    link: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-groups/
  - name: Jira Data Center REST API, groups
    description: The endpoints this module calls with O(backend=jira_datacenter).
    link: https://developer.atlassian.com/server/jira/platform/rest/v10004/api-group-group/
  - name: Confluence Data Center REST API, user groups
    description: The endpoints this module calls with O(backend=confluence_datacenter) (Confluence 8.2 or later).
    link: https://developer.atlassian.com/server/confluence/rest/v940/api-group-user-group/
  - name: Atlassian Admin API, groups
    description: The endpoints this module calls with O(backend=admin).
    link: https://developer.atlassian.com/cloud/admin/organization/rest/api-group-groups/
  - module: orgsync.atlassian.atlassian_user_groups
    description: The same memberships, stated from a person's side (a leaver out of every group in one task).
  - module: orgsync.atlassian.atlassian_group_member_info
    description: Today's members, in the form O(users) takes, to manage a group with O(exclusive=true) from then on.
"""

EXAMPLES = r"""
- name: Add Jane to jira-software-users
  orgsync.atlassian.atlassian_group_member:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    group: jira-software-users
    user: jane@acme.com
    state: present

- name: Set the connection once for every task, then onboard a team
  module_defaults:
    group/orgsync.atlassian.atlassian:
      url: https://acme.atlassian.net
      username: automation@acme.com
      api_token: "{{ atlassian_api_token }}"
  block:
    - name: Put the platform team into their group (email or accountId)
      orgsync.atlassian.atlassian_group_member:
        group: team-platform
        users:
          - jane@acme.com
          - 5b10ac8d82e05b22cc7d4ef5

    - name: Offboard Bob from a group given by its stable id
      orgsync.atlassian.atlassian_group_member:
        group_id: 276f955c-63d7-42c8-9520-92d01dca0625
        user: bob@acme.com
        state: absent

- name: Make the group contain exactly these people (the calling account is always kept)
  orgsync.atlassian.atlassian_group_member:
    group: confluence-admins
    users:
      - jane@acme.com
      - 5b10ac8d82e05b22cc7d4ef5
    exclusive: true
  register: sync

- name: Use credentials from the environment (ATLASSIAN_URL, ATLASSIAN_USERNAME, ATLASSIAN_API_TOKEN), e.g. in AWX
  orgsync.atlassian.atlassian_group_member:
    group: jira-software-users
    user: jane@acme.com
"""

RETURN = r"""
backend:
  description: The backend used, as named by O(backend) or found by O(backend=auto).
  returned: always, once it is known (failures about the options come before)
  type: str
  sample: confluence_cloud
  version_added: 1.1.0
group:
  description: The group, with both its name and its id.
  returned: success, and failures after the group was found
  type: dict
  contains:
    name:
      description: Group name.
      type: str
      sample: jira-software-users
    group_id:
      description: Group id (on Data Center, where groups have none, the group name).
      type: str
      sample: 276f955c-63d7-42c8-9520-92d01dca0625
added:
  description: Users added to the group (in check mode, users that would be added).
  returned: always
  type: list
  elements: dict
  contains:
    account_id:
      description: The user's accountId; null on Data Center, which has none (see RV(added[].username)).
      type: str
      sample: 5b10ac8d82e05b22cc7d4ef5
    username:
      description: The user's username.
      returned: on Data Center only
      type: str
      sample: jdoe
      version_added: 1.1.0
    email:
      description: The user's email, or null when the user's privacy settings hide it.
      type: str
      sample: jane@acme.com
    display_name:
      description: The user's display name (who an accountId is, when the email is hidden).
      type: str
      sample: Jane Doe
removed:
  description: Users removed from the group (in check mode, users that would be removed). Same fields as RV(added).
  returned: always
  type: list
  elements: dict
  sample: [{"account_id": "5b10a2844c20165700ede21g", "email": "bob@acme.com", "display_name": "Bob"}]
kept:
  description:
    - Members that O(exclusive=true) did not remove although they are not listed (in check mode, would not), each with
      the reason.
  returned: always
  type: list
  elements: dict
  contains:
    account_id:
      description: The member's accountId; null on Data Center (see RV(kept[].username)).
      type: str
    username:
      description: The member's username.
      returned: on Data Center only
      type: str
    email:
      description: The member's email, or null when hidden.
      type: str
    display_name:
      description: The member's display name.
      type: str
    reason:
      description: Why it was kept, V(calling account) or V(app account).
      type: str
  sample: [{"account_id": "5b10ac8d82e05b22cc7d4ef9", "email": null, "display_name": "Deploy Bot",
            "reason": "app account"}]
failed_users:
  description: Users whose write failed, with the reason. The task fails when this is not empty.
  returned: when a write failed
  type: list
  elements: dict
  sample: [{"account_id": "5b10a2844c20165700ede21g", "email": "bob@acme.com", "action": "add", "reason": "..."}]
diff:
  description:
    - Members before and after, by email (when hidden, by display name and accountId). Only with C(--diff).
    - C(after) is the expected state (the members read before the writes, with the writes that succeeded applied),
      not a second reading.
  returned: when diff mode is on and the group was read
  type: dict
  sample: {"before": {"group": "team-a", "members": ["bob@acme.com"]},
           "after": {"group": "team-a", "members": ["bob@acme.com", "Jane Doe (5b10ac8d82e05b22cc7d4ef5)"]}}
"""

from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import NOUN, MembershipService
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import membership_request
from ansible_collections.orgsync.atlassian.plugins.module_utils._planner import membership_diff, plan_membership
from ansible_collections.orgsync.atlassian.plugins.module_utils._writes import ApplyResult

ARGUMENT_SPEC = dict(
    group=dict(type="str"),
    group_id=dict(type="str"),
    user=dict(type="str"),
    users=dict(type="list", elements="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    exclusive=dict(type="bool", default=False),
)


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC, result={"added": [], "removed": [], "kept": []})
    with module.errors_reported():
        wanted = membership_request(module.params)

    with module.service(MembershipService) as service:
        group, pages = service.open_group(name=wanted.group, group_id=wanted.group_id)
        module.result["group"] = group.as_result()
        snapshot = service.snapshot(
            group,
            wanted.users,
            need_complete=wanted.exclusive or module.diff_mode,
            pages=pages,
            missing_ok=wanted.state == "absent",
        )
        plan = plan_membership(
            snapshot.current,
            snapshot.users,
            state=wanted.state,
            exclusive=wanted.exclusive,
            caller_account_id=service.caller_account_id() if wanted.exclusive else None,
            membership_complete=snapshot.complete,
        )
        service.check_can_change(group, plan)
        if module.check_mode:
            outcome = ApplyResult.predicted(NOUN, plan.adds, plan.removes)
        else:
            outcome = service.apply(group, plan)

    for warning in snapshot.not_found_warnings():
        module.warn(warning)
    module.result.update(
        changed=outcome.changed,
        added=[u.as_result() for u in outcome.added],
        removed=[u.as_result() for u in outcome.removed],
        kept=[dict(u.as_result(), reason=reason) for u, reason in plan.kept],
    )
    if module.diff_mode and snapshot.complete:
        module.result["diff"] = membership_diff(group.label, snapshot.current, outcome.added, outcome.removed)
    if outcome.failures:
        module.fail(outcome.failure_message(), failed_users=outcome.failure_details())
    module.exit()


if __name__ == "__main__":
    main()
