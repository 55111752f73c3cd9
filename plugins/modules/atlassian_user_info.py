#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_user_info
short_description: Look up Atlassian users by email or accountId
version_added: 1.0.0
description:
  - Finds Atlassian Cloud accounts by email address or accountId and returns their accountId, email, display name,
    status and account type, and optionally the groups they are in.
  - The answer to "how do I get the accountId for an email?". Several users can be looked up in one task.
  - Emails are resolved with the same rules as M(orgsync.atlassian.atlassian_group_member) uses, matching the whole
    address exactly (case-insensitive), so V(jo@acme.com) never picks V(jo@acme.com.au). A user this module finds is
    one that M(orgsync.atlassian.atlassian_group_member) accepts.
  - An email that no active account has is looked for among deactivated accounts too, where the backend sees them
    (Jira's list of every account, Jira Data Center's search of deactivated users, the organisation's directory), as
    M(orgsync.atlassian.atlassian_user_groups) does for a leaver. A deactivated person is then returned with
    RV(users[].active=false).
  - If any user cannot be resolved (no such account, an email shared by several accounts, an app's account given by
    email, a customer account), the task fails naming each of them and the reason. An app's account given by its
    accountId is found.
  - Read-only; never changes anything.
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
  - orgsync.atlassian.attributes.info_module
options:
  user:
    description:
      - One user, as an email address (anything containing V(@)) or an accountId.
      - Exactly one of O(user) and O(users) is required.
    type: str
  users:
    description:
      - Several users, each an email address or an accountId.
      - The same email given twice (in any letter case) is looked up once.
      - Exactly one of O(user) and O(users) is required. An empty list returns an empty RV(users).
    type: list
    elements: str
  include_groups:
    description:
      - Also return the groups each user is in (one more request per user).
    type: bool
    default: false
notes:
  - On a Confluence-only site (O(backend=confluence_cloud)) emails resolve from group member listings and a name
    search, as M(orgsync.atlassian.atlassian_group_member) describes; a user who hides their email is found there by
    accountId only.
  - Atlassian's user search finds active accounts only, so a deactivated account given by email costs another lookup
    (on Jira Cloud, the site's list of every account, read once a task, a thousand accounts a request); one given by
    accountId does not.
  - A user whose privacy settings hide their email is still found by the exact full email; RV(users[].email) is then
    V(null).
seealso:
  - module: orgsync.atlassian.atlassian_group_member
  - module: orgsync.atlassian.atlassian_group_member_info
"""

EXAMPLES = r"""
- name: Get the accountId for an email
  orgsync.atlassian.atlassian_user_info:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    user: jane@acme.com
  register: jane

- name: Use it
  ansible.builtin.debug:
    msg: "Jane's accountId is {{ jane.users[0].account_id }}"

- name: Look up several people at once, with their groups (connection from ATLASSIAN_* environment variables)
  orgsync.atlassian.atlassian_user_info:
    users:
      - jane@acme.com
      - 5b10ac8d82e05b22cc7d4ef5
    include_groups: true
  register: people

- name: Map each email to its accountId
  ansible.builtin.set_fact:
    account_ids: "{{ people.users | items2dict(key_name='reference', value_name='account_id') }}"
"""

RETURN = r"""
backend:
  description: The backend used, as named by O(backend) or found by O(backend=auto).
  returned: always, once it is known (failures about the options come before)
  type: str
  sample: confluence_cloud
  version_added: 1.1.0
users:
  description:
    - One entry per distinct requested user, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    reference:
      description: The email or accountId the user was looked up by, as given.
      type: str
      sample: jane@acme.com
    account_id:
      description: The user's accountId; null on Data Center, which has none (see RV(users[].username)).
      type: str
      sample: 5b10ac8d82e05b22cc7d4ef5
    username:
      description: The user's username.
      returned: on Data Center only
      type: str
      sample: jdoe
      version_added: 1.1.0
    email:
      description: The user's email, or V(null) when the user's privacy settings hide it.
      type: str
      sample: jane@acme.com
    display_name:
      description: The user's display name.
      type: str
      sample: Jane Doe
    active:
      description: Whether the account is active; V(null) where the API does not say (Confluence Cloud).
      type: bool
      sample: true
    account_type:
      description: The account type; V(atlassian) (a person's account), or V(app) for an app's account given by
        accountId (other types are refused).
      type: str
      sample: atlassian
    groups:
      description: The groups the user is in.
      returned: when O(include_groups=true)
      type: list
      elements: dict
      sample: [{"name": "jira-software-users", "group_id": "276f955c-63d7-42c8-9520-92d01dca0625"}]
      contains:
        name:
          description: Group name.
          type: str
          sample: jira-software-users
        group_id:
          description: Group id (on Data Center, where groups have none, the group name).
          type: str
          sample: 276f955c-63d7-42c8-9520-92d01dca0625
"""

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import (
    ACCOUNT_ID_REMEDY,
    USERNAME_REMEDY,
    check_references,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule
from ansible_collections.orgsync.atlassian.plugins.module_utils._module_params import exactly_one
from ansible_collections.orgsync.atlassian.plugins.module_utils._user_info import UserInfoService

ARGUMENT_SPEC = dict(
    user=dict(type="str"),
    users=dict(type="list", elements="str"),
    include_groups=dict(type="bool", default=False),
)


# The membership modules' remedy for an email that names nobody is "pass the id, or look it up with this module";
# this module's own failure says where else the id is found.
OWN_REMEDIES = {
    ACCOUNT_ID_REMEDY: "Find the person by name in admin.atlassian.com > Directory > Users: the last part of their "
    "profile URL is their accountId, which this module looks up too",
    USERNAME_REMEDY: "Find the person by name in the server's user administration: it shows their username (the "
    "login name), which this module looks up too",
}


def own_remedy(outcome):
    """``outcome``, with a remedy that points somewhere other than this module."""
    if isinstance(outcome, ResolutionError):
        for remedy, own in OWN_REMEDIES.items():
            # The membership remedy may be followed by more advice (a new hire's: atlassian_user), which stays.
            if (outcome.hint or "").startswith(remedy):
                outcome.hint = outcome.hint.replace(remedy, own, 1)
    return outcome


def requested_references(params: dict) -> list[str]:
    exactly_one(params, "user", "users", "for example user: jane@acme.com")
    if params.get("user") not in (None, ""):
        return check_references([params["user"]], "user")
    return check_references(params["users"], "users")


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC, result={"users": []})
    with module.errors_reported():
        refs = requested_references(module.params)

    if not refs:
        module.exit(users=[])  # nothing to look up: not even which backend the site speaks
    with module.service(UserInfoService) as service:
        users = service.look_up(refs, reword=own_remedy)
        entries = [dict(reference=ref, **user.as_result(detailed=True)) for ref, user in zip(refs, users, strict=True)]
        if module.params["include_groups"]:
            for entry, user_groups in zip(entries, service.groups_of_each(users), strict=True):
                entry["groups"] = [g.as_result() for g in user_groups]
    module.exit(users=entries)


if __name__ == "__main__":
    main()
