#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_group_member_info
short_description: List the members of an Atlassian group
version_added: 1.0.0
description:
  - Returns every member of an Atlassian group (of a Cloud site, a Data Center server or the organisation's
    directory, O(backend)), given by name or id, reading all pages (Jira returns at most 50
    members a page, Confluence 200).
  - Inactive (deactivated) members are included unless O(include_inactive=false). Confluence Cloud does not say which
    members are deactivated, so there every member is listed.
  - RV(users) lists the members in the form M(orgsync.atlassian.atlassian_group_member) takes, so that today's
    membership can be written into a playbook and managed with
    O(orgsync.atlassian.atlassian_group_member#module:exclusive=true) from then on, like C(terraform import). App
    accounts (bots) are listed apart, in RV(apps), and RV(people) says who each entry of RV(users) is.
  - Read-only; never changes anything.
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
  - orgsync.atlassian.attributes.info_module
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
  include_inactive:
    description:
      - Whether to include deactivated accounts.
      - Keep the default when exporting the membership for
        O(orgsync.atlassian.atlassian_group_member#module:exclusive=true), which removes inactive members that are
        not listed.
    type: bool
    default: true
notes:
  - Members that are neither people's accounts nor apps' (Jira Service Management customers) are listed in RV(users)
    too, but M(orgsync.atlassian.atlassian_group_member) refuses them; the module warns when a group has any. An
    app's account is listed in RV(apps) by its accountId, which M(orgsync.atlassian.atlassian_group_member) accepts.
seealso:
  - module: orgsync.atlassian.atlassian_group_member
  - module: orgsync.atlassian.atlassian_user_info
"""

EXAMPLES = r"""
- name: Who is in jira-software-users?
  orgsync.atlassian.atlassian_group_member_info:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    group: jira-software-users
  register: jsu

- name: Show the active members' names
  ansible.builtin.debug:
    msg: "{{ jsu.members | selectattr('active') | map(attribute='display_name') | list }}"

# "terraform import" for a group: export today's members once, commit the file, then manage the group from it.
- name: Read the group's current members (connection from ATLASSIAN_* environment variables)
  orgsync.atlassian.atlassian_group_member_info:
    group: confluence-admins
  register: current

- name: The playbook's group_vars/all directory exists
  ansible.builtin.file:
    path: "{{ playbook_dir }}/group_vars/all"
    state: directory
    mode: "0755"
  delegate_to: localhost

# people, beside the list, says who each entry is (an accountId stands for someone whose email is hidden).
- name: Write them out as variables for the playbook that will own the group
  ansible.builtin.copy:
    content: "{{ {'confluence_admins': current.users, 'confluence_admins_who': current.people} | to_nice_yaml }}"
    dest: "{{ playbook_dir }}/group_vars/all/confluence_admins.yml"
    mode: "0644"
  delegate_to: localhost

# Ansible reads group_vars when the playbook starts: on the run that writes the file, the list just read stands in.
- name: From now on the file is the truth; unchanged, this reports changed=false
  orgsync.atlassian.atlassian_group_member:
    group: confluence-admins
    users: "{{ confluence_admins | default(current.users) }}"
    exclusive: true
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
  returned: success
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
members:
  description: Every member, in the order Atlassian lists them.
  returned: success
  type: list
  elements: dict
  contains:
    account_id:
      description: The member's accountId; null on Data Center, which has none (see RV(members[].username)).
      type: str
      sample: 5b10ac8d82e05b22cc7d4ef5
    username:
      description: The member's username.
      returned: on Data Center only
      type: str
      sample: jdoe
      version_added: 1.1.0
    email:
      description: The member's email, or V(null) when the member's privacy settings hide it.
      type: str
      sample: jane@acme.com
    display_name:
      description: The member's display name.
      type: str
      sample: Jane Doe
    active:
      description: Whether the account is active; V(null) where the API does not say (Confluence Cloud).
      type: bool
      sample: true
    account_type:
      description: V(atlassian) for a person's account, V(app) or V(customer) otherwise.
      type: str
      sample: atlassian
users:
  description:
    - The members that are not app accounts, as a list of strings for
      O(orgsync.atlassian.atlassian_group_member#module:users), in the order of RV(members).
    - Each is the member's email when it is visible, the account is a person's and active, and no other member
      shares it; otherwise the accountId. That way each entry names exactly that member again (user search finds
      active accounts only, an email shared by two accounts is ambiguous, and an app is named by accountId only).
      On Jira Data Center, where users may share an address, an email that a user outside the group has too is
      ambiguous as well, and the membership module then fails naming both accounts (give that member's username). On
      Atlassian Cloud an address belongs to one Atlassian account, so the email of a member is that member's.
    - Fed back with O(orgsync.atlassian.atlassian_group_member#module:exclusive=true), it changes nothing, because
      the membership module keeps the app accounts it is not given (and lists them in its C(kept)); give it
      C(users + apps) to name them as members.
    - Earlier releases listed app accounts here too.
  returned: success
  type: list
  elements: str
  sample: ["jane@acme.com", "5b10a2844c20165700ede008"]
apps:
  description:
    - The app accounts (bots, such as a deployment service's) among the members, by accountId, the only way
      O(orgsync.atlassian.atlassian_group_member#module:users) names an app.
    - Empty on Data Center, where every account is a user, and on the Admin API, whose directory holds people only.
  returned: success
  type: list
  elements: str
  sample: ["5b10ac8d82e05b22cc7d4ef9"]
  version_added: 1.1.0
people:
  description:
    - Who each entry of RV(users) is, in the same order, with the member's display name and email (null when
      hidden), so that a reviewer of an exported list can tell who an accountId is. Written out next to RV(users),
      it round-trips unchanged through a vars file.
  returned: success
  type: list
  elements: dict
  version_added: 1.1.0
  sample: [{"reference": "5b10a2844c20165700ede008", "account_id": "5b10a2844c20165700ede008", "email": null,
            "display_name": "Hana Hidden"}]
  contains:
    reference:
      description: The entry of RV(users).
      type: str
      sample: 5b10a2844c20165700ede008
    account_id:
      description: The member's accountId; null on Data Center (see RV(people[].username)).
      type: str
      sample: 5b10a2844c20165700ede008
    username:
      description: The member's username.
      returned: on Data Center only
      type: str
      sample: jdoe
    email:
      description: The member's email, or null when hidden.
      type: str
      sample: null
    display_name:
      description: The member's display name.
      type: str
      sample: Hana Hidden
"""

from ansible_collections.orgsync.atlassian.plugins.module_utils._info_output import (
    exported,
    group_members,
    non_person_members,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._membership import MembershipService
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import group_selector

ARGUMENT_SPEC = dict(
    group=dict(type="str"),
    group_id=dict(type="str"),
    include_inactive=dict(type="bool", default=True),
)


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC)
    with module.errors_reported():
        name, group_id = group_selector(module.params)

    with module.service(MembershipService) as service:
        group = service.resolve_group(name=name, group_id=group_id)
        members = group_members(service.backend, group, include_inactive=module.params["include_inactive"])

    others = non_person_members(members)
    if others:
        labels = ", ".join(f"{m.display_name} ({m.account_id}, {m.account_type})" for m in others)
        module.warn(
            f"{group.label} has {len(others)} members that are neither people's nor apps' accounts: {labels}. "
            "orgsync.atlassian.atlassian_group_member refuses such accounts, so feeding 'users' back to it fails "
            "until they are removed from the list (and exclusive=true would then remove them from the group)."
        )
    module.exit(group=group.as_result(), members=[m.as_result(detailed=True) for m in members], **exported(members))


if __name__ == "__main__":
    main()
