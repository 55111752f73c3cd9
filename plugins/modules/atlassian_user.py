#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations

DOCUMENTATION = r"""
module: atlassian_user
short_description: Make sure Atlassian accounts exist and may use the products, or are suspended
version_added: 1.1.0
description:
  - States whether people's accounts exist and have access (joiners and leavers). With O(state=present) a missing
    account is invited (Atlassian Cloud) or created (Jira Data Center), and a suspended one is restored where the
    API can; with O(state=suspended) the account stays but loses its access. Nothing is ever deleted.
  - O(groups) takes a new hire from nothing to "invited and in the team's groups" in one task. The accounts,
    new and existing, are added to each group they are not in yet.
  - What each backend can do (the collection's docs/joiners_leavers.md has the table and the sources) follows.
  - V(admin) (Admin API v2, an organisation API key created without scopes) invites, suspends and restores access in
    the organisation's directory. The invitation needs at least one paid subscription in the organisation (else HTTP
    402).
  - V(jira_cloud) invites with Jira's createUser (O(products) required) but cannot suspend; use V(admin) for that.
  - V(jira_datacenter) creates users (username, email and display name; no password, the server generates one and
    O(notification) sends the set-up email) and deactivates or reactivates them (Jira 8.3 and later).
  - V(confluence_cloud) is refused. Confluence Cloud offers only an experimental site invitation by email, which
    returns no account id and cannot grant groups; use V(admin) or V(jira_cloud).
  - V(confluence_datacenter) is refused in this release (its admin user resource, Confluence 8.4 and later, is not
    supported yet); use V(jira_datacenter) or Confluence's administration pages.
  - O(state=absent) is not offered. The one clean removal, the Admin API's removal of a user from a directory, loses
    the person's roles and groups and can only be undone by inviting them again; the site APIs' deletions remove the
    user from one product only, or delete their history (Data Center). Suspend instead.
  - Everything that cannot be done is refused before any request (what the backend cannot do, options it does not
    take) or, when it depends on the accounts read, before any write, naming the way to do it instead.
  - Idempotent. It reads every account's status first and writes only what differs; an invitation reads as an
    active account on the next run, which then changes nothing.
  - Many users in one task are read and changed concurrently within the rate limit, like
    M(orgsync.atlassian.atlassian_group_member).
author:
  - orgsync founding engineers (@orgsync)
extends_documentation_fragment:
  - orgsync.atlassian.connection
  - orgsync.atlassian.attributes
attributes:
  check_mode:
    description:
      - No write request is sent. RV(users) and C(changed) predict what a real run would do; a new account's
        C(account_id) is V(null) (it is only known once invited) and its RV(users[].groups_added) are all of
        O(groups).
    support: full
  diff_mode:
    description: Shows each account's status before and after (V(missing) before for an account to create).
    support: full
options:
  user:
    description:
      - One account, by email, accountId (Cloud) or username (Data Center).
      - A missing account can only be created from an email; on Data Center from a username, an email and a display
        name, which only O(users) can give (a mapping).
      - Exactly one of O(user) and O(users) is required.
    type: str
  users:
    description:
      - Several accounts, each as O(user) takes one, or (to create Data Center users) a mapping with C(user) (the
        username; C(username) is taken too), C(email) and C(display_name), for example C(user=nina),
        C(email=nina@acme.com) and C(display_name=Nina New). Cloud ignores C(display_name), the person sets theirs.
    type: list
    elements: raw
  state:
    description:
      - V(present) the account exists and has access; V(suspended) it exists without access (Admin API, suspended
        in the directory; Data Center, deactivated). A missing account is left missing by V(suspended), with a
        warning.
    type: str
    choices: [present, suspended]
    default: present
  groups:
    description:
      - Group names the accounts join (O(state=present) only). A new account on V(admin) joins them in its
        invitation request; elsewhere each membership is one request.
    type: list
    elements: str
    default: []
  products:
    description:
      - V(jira_cloud) only, and required there with O(state=present) (Jira's createUser requires the field). The
        products a new account may use, V(jira-software), V(jira-core), V(jira-servicedesk) or
        V(jira-product-discovery); V([]) creates an account without product access.
    type: list
    elements: str
  notification:
    description:
      - Whether the new account's person gets an email, the invitation (V(admin)) or the set-up email (Data Center).
        Jira Cloud always emails a person who has no Atlassian account yet.
    type: bool
    default: true
  notification_text:
    description: V(admin) only. A message added to the invitation email.
    type: str
  roles:
    description:
      - V(admin) only. Roles the invitation grants, each a C(resource) (an app's ARI, as the Admin API's
        workspaces list them) and a C(role) (for example V(atlassian/user)).
    type: list
    elements: dict
    suboptions:
      resource:
        description: The resource's ARI.
        type: str
        required: true
      role:
        description: The role on it.
        type: str
        required: true
seealso:
  - module: orgsync.atlassian.atlassian_user_groups
  - module: orgsync.atlassian.atlassian_group_member
  - module: orgsync.atlassian.atlassian_user_info
"""

EXAMPLES = r"""
- name: A new hire is invited and in the team's three groups after one task
  orgsync.atlassian.atlassian_user:
    url: https://acme.atlassian.net
    username: automation@acme.com
    api_token: "{{ atlassian_api_token }}"
    user: nina.new@acme.com
    products: [jira-software]
    groups: [jira-software-users, team-platform, team-design]
  register: joined

- name: Several new hires without product access yet (connection from ATLASSIAN_* environment variables)
  orgsync.atlassian.atlassian_user:
    users: [omar.new@acme.com, pia.new@acme.com]
    products: []
    groups: [team-platform]

# Suspension needs the Admin API (backend admin, an organisation API key created without scopes):
#   orgsync.atlassian.atlassian_user:
#     backend: admin
#     bearer_token: "{{ atlassian_org_api_key }}"
#     org_id: "{{ atlassian_org_id }}"
#     user: gone@acme.com
#     state: suspended
"""

RETURN = r"""
backend:
  description: The backend used, as named by O(backend) or found by O(backend=auto).
  returned: always, once it is known
  type: str
  sample: admin
users:
  description: Each account the task names, in the order given (in check mode, as a real run would leave it).
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The reference as given.
      type: str
      sample: nina.new@acme.example
    account_id:
      description: The accountId; V(null) on Data Center, and for an account that does not exist yet (check mode).
      type: str
      sample: 712020:3b0f7a6e-2c1d-4e5f-9a8b-7c6d5e4f3a21
    username:
      description: The username.
      returned: on Data Center only
      type: str
      sample: nina
    email:
      description: The account's email (null when hidden and unknown).
      type: str
      sample: nina.new@acme.example
    display_name:
      description: The display name (an invitation's is the address's local part until the person sets one).
      type: str
      sample: Nina New
    status_before:
      description: V(active), V(suspended), V(deactivated) or V(missing) (no account). Jira Cloud shows a suspended
        or deactivated account as inactive, reported V(suspended).
      type: str
      sample: missing
    status_after:
      description: V(active), V(invited) (this task invited it; the next run reads V(active)), V(suspended),
        V(deactivated) or V(missing).
      type: str
      sample: invited
    created:
      description: Whether this task invited or created the account (in check mode, would).
      type: bool
      sample: true
    groups_added:
      description: Names of the groups the account joined (in check mode, would join).
      type: list
      elements: str
      sample: [jira-software-users, team-platform]
diff:
  description: Each account's status before and after. Only with C(--diff).
  returned: when diff mode is on
  type: dict
  sample: {"before": {"nina.new@acme.example": "missing"}, "after": {"nina.new@acme.example": "invited"}}
"""

from ansible_collections.orgsync.atlassian.plugins.module_utils._account_planner import MISSING, PRESENT
from ansible_collections.orgsync.atlassian.plugins.module_utils._accounts import (
    AccountService,
    abilities_of,
    check_request,
    entries_from,
    failure_message,
    statuses_diff,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import AccountLifecycle, Membership
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import require
from ansible_collections.orgsync.atlassian.plugins.module_utils._module import AtlassianModule

ARGUMENT_SPEC = dict(
    user=dict(type="str"),
    users=dict(type="list", elements="raw"),
    state=dict(type="str", choices=["present", "suspended"], default="present"),
    groups=dict(type="list", elements="str", default=[]),
    # Checked against Jira's valid products in _accounts.check_request: argument choices would make ansible-lint refuse
    # a templated value ("{{ onboard_products }}").
    products=dict(type="list", elements="str"),
    notification=dict(type="bool", default=True),
    notification_text=dict(type="str"),
    roles=dict(
        type="list",
        elements="dict",
        options=dict(resource=dict(type="str", required=True), role=dict(type="str", required=True)),
    ),
)


def main() -> None:
    module = AtlassianModule(ARGUMENT_SPEC, result={"users": []})
    params = module.params
    with module.errors_reported():
        entries = entries_from(params)
    state = params["state"]
    options = {k: params.get(k) for k in ("products", "notification", "notification_text", "roles")}
    with module.backend() as backend:
        name = module.result["backend"]
        abilities = abilities_of(name, backend)
        # The account refusals first: they name what the product's API offers and the backends that can.
        check_request(name, abilities, state, entries, params)
        require(backend, Membership, AccountLifecycle)
        service = AccountService(name, backend)
        groups = service.resolve_groups(params["groups"]) if state == PRESENT and params["groups"] else []
        outcomes = service.plan(entries, service.read(entries), state)
        service.plan_groups(outcomes, groups)
        if module.check_mode:
            service.predict(outcomes)
        else:
            service.apply(outcomes, options)

    for outcome in outcomes:
        if outcome.status_before == MISSING and state != PRESENT:
            module.warn(f"No account answers to '{outcome.entry.ref}': nothing to suspend")
    module.result.update(changed=any(o.changed for o in outcomes), users=[o.as_result() for o in outcomes])
    if module.diff_mode:
        module.result["diff"] = statuses_diff(outcomes)
    message = failure_message(outcomes)
    if message:
        module.fail(message)
    module.exit()


if __name__ == "__main__":
    main()
