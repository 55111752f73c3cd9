# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Bad-input table: each wrong task fails with one exact message that names the cause and the remedy, and writes
nothing.

All cases run as tasks of ONE ansible-playbook run (each with ``ignore_errors``), against one emulator, so the table
costs one playbook start; each case is still its own test, reading its task's result. The run's environment has no
ATLASSIAN_* variable even though the test process sets some (a developer's own site must never leak in), so the
"missing" cases really are missing.

Plain ``http://`` to a host that is not this machine is REFUSED, not warned about: Basic credentials are only
base64, so the API token would cross the network readable (see docs/testing.md).
"""

from __future__ import annotations

import json
from typing import Any

import contract_check
import harness
import pytest
from group_member_support import ADMIN, BOB, MODULE, play
from reliability_support import PAT, PAT_OLD, not_atlassian_site

from atlassian_emulator import Emulator

pytestmark = pytest.mark.slow

EMULATOR = "{{ emulator_url }}"
CONN = {"url": EMULATOR, "username": ADMIN[0], "api_token": ADMIN[1]}
GROUP = {"group": "team-design"}
UNKNOWN_ID = "5b10a2844c20165700edefff"
WRONG_TOKEN = "wrong-token-Zx9qK"
SECRET = "hunter2-secret"

ZOE = {"user": "zoe@acme.example"}
RESOLUTION_REMEDY_ACCOUNT_ID = (
    "Pass the user's accountId instead (admin.atlassian.com > Directory > Users: it is the last part of the profile "
    "URL), or look it up with orgsync.atlassian.atlassian_user_info."
)
REFERENCE_REMEDY = (
    "Give each user as an email address (jane@acme.com) or an accountId (for example 5b10ac8d82e05b22cc7d4ef5; on "
    "Data Center, a username such as jdoe), one value per entry (user: takes one; users: takes a list); remove empty "
    "entries."
)
# Carol's Jira Service Management customer account (the seed's): neither a person's Atlassian account nor an app's.
CAROL_CUSTOMER = "qm:0b9d2a4e-2f7c-4f1e-8a6d-3c5b7e9f1a2d:5c8e1f3a-7b2d-4e6f-9a1c-2d4b6f8e0a13"
UNRESOLVED = "1 of 1 users could not be resolved, so nothing was changed: "

# case: (task arguments, the exact message; "{url}" is the emulator's URL). Cases before the not-Atlassian site are
# found without sending any request; the rest by reading, and only the 403 one gets as far as a (refused) write.
BAD_INPUT: dict[str, tuple[dict[str, Any], str]] = {
    "missing-url": (
        {"username": ADMIN[0], "api_token": ADMIN[1], **GROUP, **ZOE},
        "No Atlassian site URL was given. Set the url option (or the ATLASSIAN_URL environment variable), for example "
        "https://acme.atlassian.net.",
    ),
    "missing-credentials": (
        {"url": EMULATOR, **GROUP, **ZOE},
        "No credentials were given. Set username and api_token (or ATLASSIAN_USERNAME and ATLASSIAN_API_TOKEN) for an "
        "Atlassian Cloud API token, or bearer_token (ATLASSIAN_BEARER_TOKEN) for an OAuth 2.0 access token or Data "
        "Center PAT.",
    ),
    "api-token-without-username": (
        {"url": EMULATOR, "api_token": ADMIN[1], **GROUP, **ZOE},
        "api_token is set but username is not. Set username (or ATLASSIAN_USERNAME) to the email address of the "
        "account that owns the API token; the collection builds the Basic credential from both.",
    ),
    "api-token-and-bearer-token": (
        {**CONN, "bearer_token": "oauth-bearer-token", **GROUP, **ZOE},
        "Both api_token and bearer_token are set, so it is unclear how to authenticate. Set only one: api_token (with "
        "username, Basic auth) or bearer_token (OAuth 2.0 / Data Center PAT); check the ATLASSIAN_API_TOKEN and "
        "ATLASSIAN_BEARER_TOKEN environment variables too.",
    ),
    "cloud-username-not-an-email": (
        {**CONN, "url": "https://acme.atlassian.net", "username": "admin", **GROUP, **ZOE},
        "username 'admin' is not an email address, but Atlassian Cloud API tokens authenticate with the account's "
        "email. Set username to the email address of the account that created the API token.",
    ),
    "url-without-scheme": (
        {**CONN, "url": "acme.atlassian.net", **GROUP, **ZOE},
        "url 'acme.atlassian.net' has no http(s) scheme or host. Give the site URL with its scheme, for example "
        "https://acme.atlassian.net (or https://api.atlassian.com/ex/jira/<cloudId> for scoped tokens and OAuth).",
    ),
    "url-doubling-rest-api-3": (
        {**CONN, "url": EMULATOR + "/rest/api/3", **GROUP, **ZOE},
        "url '{url}/rest/api/3' already contains a REST API path. Give only the site URL, for example "
        "https://acme.atlassian.net; the collection adds the API path (/rest/api/3, /wiki/rest/api) itself.",
    ),
    "http-to-a-remote-host": (
        {**CONN, "url": "http://acme.atlassian.net", **GROUP, **ZOE},
        "url 'http://acme.atlassian.net' uses plain http to a host that is not this machine, which would send the "
        "credentials unencrypted. Use https:// (plain http is accepted only for loopback addresses such as a local "
        "emulator).",
    ),
    "timeout-not-positive": (
        {**CONN, "timeout": 0, **GROUP, **ZOE},
        "timeout must be positive and finite (seconds, at most 3600), got 0.0. Use for example 30 (the default). To "
        "bound a whole task, use the task's timeout keyword.",
    ),
    # Hostile input (issue 21): refused before any request, never retried as a network failure, never echoed.
    "timeout-nan": (
        {**CONN, "timeout": "nan", **GROUP, **ZOE},
        "timeout must be positive and finite (seconds, at most 3600), got nan. Use for example 30 (the default). To "
        "bound a whole task, use the task's timeout keyword.",
    ),
    "password-in-url": (
        {**CONN, "url": "{{ emulator_url | replace('http://', 'http://automation:" + SECRET + "@') }}", **GROUP, **ZOE},
        "url 'http://***@{host}' holds a user name or password (the part before '@'), which would replace the "
        "credentials the task gives. Remove it from url and give the credentials as username and api_token (or "
        "bearer_token); if a password was in url, consider it exposed wherever url was stored, and change it.",
    ),
    "token-with-a-line-break": (
        {**CONN, "api_token": ADMIN[1] + "\r\n", **GROUP, **ZOE},
        "api_token contains a line break or another control character. Give api_token without it: a value read from "
        "a file or pasted often ends with a line break (the file lookup strips it; a shell's $(cat ...) does too).",
    ),
    "group-given-a-mapping": (
        {**CONN, "group": {"a": 1}, **ZOE},
        "group must be a string, not a mapping or a list. Check the YAML: a value such as {{a: 1}} or [a] is a "
        "mapping or a list; quote it if it is meant as text, or give the name it should be.",
    ),
    "group-and-group-id": (
        {**CONN, **GROUP, "group_id": "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f", **ZOE},
        "Both group and group_id are set. Set only one of them, for example group: jira-software-users.",
    ),
    "neither-group-nor-group-id": (
        {**CONN, **ZOE},
        "Neither group nor group_id is set. Set one of them, for example group: jira-software-users.",
    ),
    "user-and-users": (
        {**CONN, **GROUP, **ZOE, "users": ["jane@acme.example"]},
        "Both user and users are set. Set only one of them, for example user: jane@acme.com, or users: a list of them.",
    ),
    "neither-user-nor-users": (
        {**CONN, **GROUP},
        "Neither user nor users is set. Set one of them, for example user: jane@acme.com, or users: a list of them.",
    ),
    "empty-users-list": (
        {**CONN, **GROUP, "users": []},
        "users is empty. List at least one user, or use exclusive=true to empty the group.",
    ),
    "empty-string-in-users": (
        {**CONN, **GROUP, "users": ["jane@acme.example", ""]},
        "Invalid user reference: users[1] is empty. " + REFERENCE_REMEDY,
    ),
    "malformed-email": (
        {**CONN, **GROUP, "users": ["jane@acme"]},
        "Invalid user reference: 'jane@acme' is not a valid email address. " + REFERENCE_REMEDY,
    ),
    # Issue 16, case 4: a one-element list given to user (a string) reaches the module as the list's text; it names
    # nobody, and a removal must not "succeed" with Jane still in the group.
    "a-list-given-to-user": (
        {**CONN, **GROUP, "user": ["jane@acme.example"], "state": "absent"},
        "user must be a string, not a mapping or a list. Check the YAML: a value such as {{a: 1}} or [a] is a mapping or "
        "a list; quote it if it is meant as text, or give the name it should be. user takes one value: give a list to "
        "users instead.",
    ),
    "exclusive-with-state-absent": (
        {**CONN, **GROUP, "users": ["jane@acme.example"], "state": "absent", "exclusive": True},
        "exclusive=true cannot be combined with state=absent. Use state=present with exclusive=true to make the listed "
        "users the only members, or drop exclusive to remove the listed users.",
    ),
    "url-of-a-site-that-is-not-atlassian": (
        {**CONN, "url": "{{ html_site }}", **GROUP, **ZOE},
        "{html_site} does not answer like an Atlassian site this collection knows (GET /rest/api/2/serverInfo gave "
        "HTTP 200 without a JSON body). Check url (the site URL, for example https://acme.atlassian.net, or a Data "
        "Center server's base URL with its context path, for example https://jira.acme.com/jira), or set the backend "
        "option to one of jira_cloud, jira_datacenter, confluence_cloud, confluence_datacenter, admin to say which API it is.",
    ),
    "unknown-group": (
        {**CONN, "group": "team-desing", **ZOE},
        "No group with name 'team-desing' exists on {url}. Check the spelling (Jira > Settings > User management > "
        "Groups, or admin.atlassian.com); groups are not created by this module.",
    ),
    "unknown-email": (
        {**CONN, **GROUP, "user": "nobody@acme.example"},
        UNRESOLVED + "No active Atlassian account was found with email 'nobody@acme.example'. Likely causes: there is "
        "no such user (or it is deactivated: user search only finds active users); the user's privacy settings hide "
        "the email; or the calling account lacks the Browse users and groups permission. "
        + RESOLUTION_REMEDY_ACCOUNT_ID.rstrip(".")
        + ". If the person has no account yet (a new hire), invite or create it with orgsync.atlassian.atlassian_user, "
        "whose groups option also adds it to groups in the same task.",
    ),
    # Users share an email on a Data Center server only (on Cloud an address is one Atlassian account's): SERVED.
    "two-users-with-the-same-email": (
        {**CONN, **GROUP, "user": "pat@acme.example"},
        UNRESOLVED + f"'pat@acme.example' is ambiguous: 2 accounts have this email ({PAT}, {PAT_OLD}), and an email "
        "is never guessed. Pass the accountId of the intended account instead of the email.",
    ),
    "app-account": (
        {**CONN, **GROUP, "user": "deploy-bot@acme.example"},
        UNRESOLVED + "'deploy-bot@acme.example' belongs to an account of type app, not a person's Atlassian account. "
        "An app's account can be given by its accountId; remove customer accounts from the list.",
    ),
    # An app's account given by its accountId is accepted (issue 16, case 3); a customer's is not.
    "customer-account-by-accountid": (
        {**CONN, **GROUP, "user": CAROL_CUSTOMER},
        UNRESOLVED + f"accountId '{CAROL_CUSTOMER}' is an account of type customer, not a person's Atlassian account "
        "or an app's. This module manages people and apps; remove customer accounts from the list.",
    ),
    "accountid-that-does-not-exist": (
        {**CONN, **GROUP, "user": UNKNOWN_ID},
        UNRESOLVED + f"No Atlassian account has accountId '{UNKNOWN_ID}' (or the calling account may not see it). "
        "Check the accountId, or pass the user's email instead.",
    ),
    "wrong-token-401": (
        {**CONN, "api_token": WRONG_TOKEN, **GROUP, **ZOE},
        "looking up group team-design failed: GET /rest/api/3/group/bulk answered HTTP 401. Atlassian said: Client "
        "must be authenticated to access this resource. Atlassian rejected the credentials. Check that username is the email address of the account that "
        "created the API token and api_token is the token itself, not base64-encoded and without 'Basic' (the "
        "collection builds base64(email:api_token) itself); that the token has not expired or been revoked; and that "
        "a scoped API token (service accounts) is used with the gateway URL https://api.atlassian.com/ex/jira/"
        "<cloudId>, not the site URL. An OAuth 2.0 token or Data Center personal access token belongs in "
        "bearer_token.",
    ),
    "caller-not-an-admin-403": (
        {**CONN, "username": BOB[0], "api_token": BOB[1], **GROUP, **ZOE},
        "1 of 1 membership changes failed, so nothing was changed; fix the cause given for each and re-run: adding "
        "zoe@acme.example to team-design failed: POST /rest/api/3/group/user answered HTTP 403. Atlassian said: You do not have "
        "permission to manage groups. Site administration permission is required. The account is authenticated but "
        "lacks permission. Changing group membership needs site administration (a member of site-admins, or "
        "Administer Jira); reading users and groups needs the Browse users and groups permission. OAuth tokens need "
        "the manage:jira-configuration (or write:group:jira) scope.",
    ),
}
# atlassian_user's rows (issue 18): every one refused before any request, so they join the NO_REQUEST part.
ACCOUNT_MODULE = "orgsync.atlassian.atlassian_user"
NINA = {"user": "nina.new@acme.example"}
ACCOUNT_BAD_INPUT: dict[str, tuple[dict[str, Any], str]] = {
    "account-state-absent": (
        {**CONN, **NINA, "state": "absent"},
        "value of state must be one of: present, suspended, got: absent",
    ),
    "account-products-missing-on-jira-cloud": (
        {**CONN, **NINA, "backend": "jira_cloud"},
        "backend jira_cloud needs products to create accounts: Jira's createUser requires the field. Set products to "
        "the products a new account may use (jira-software, jira-core, jira-servicedesk, jira-product-discovery), or "
        "to [] for an account without product access.",
    ),
    "account-products-on-data-center": (
        {**CONN, **NINA, "backend": "jira_datacenter", "products": ["jira-core"]},
        "products is an option of backend jira_cloud, not of jira_datacenter. Leave products out for backend "
        "jira_datacenter.",
    ),
    "account-unknown-product": (
        {**CONN, **NINA, "backend": "jira_cloud", "products": ["confluence"]},
        "products confluence is not a product Jira's createUser takes. Use jira-software, jira-core, "
        "jira-servicedesk, jira-product-discovery, or [] for an account without product access.",
    ),
    "account-on-confluence-cloud": (
        {**CONN, **NINA, "backend": "confluence_cloud"},
        "backend confluence_cloud cannot create, invite or restore accounts; nothing was sent. Confluence Cloud "
        "offers only an experimental site invitation by email (POST /wiki/api/v2/user/access/invite-by-email), which "
        "answers no account id and cannot grant groups or suspend anyone. Use backend admin (invite, suspend and "
        "restore in the organisation's directory) or jira_cloud (invite) with the same site's accounts: Confluence "
        "shares them.",
    ),
    "account-suspended-on-jira-cloud": (
        {**CONN, **NINA, "backend": "jira_cloud", "state": "suspended"},
        "backend jira_cloud cannot suspend or deactivate an account: its API has no such operation; nothing was sent. "
        "Use backend admin with an organisation API key (admin.atlassian.com > Settings > API keys, created without "
        "scopes): it suspends and restores a user's access in the organisation's directory (the Jira Cloud REST API "
        "has no suspension or deactivation).",
    ),
    "account-groups-when-suspending": (
        {**CONN, **NINA, "backend": "jira_datacenter", "state": "suspended", "groups": ["team-design"]},
        "groups is only for state=present (the groups new and existing accounts join). To take a leaver out of every "
        "group, run orgsync.atlassian.atlassian_user_groups with groups: [] and exclusive: true before suspending "
        "(playbooks/offboard.yml).",
    ),
    "account-malformed-users-entry": (
        {**CONN, "backend": "jira_datacenter", "users": [{"name": "nina"}]},
        "users[0] must be a string (an email, accountId or username) or a mapping with user (or username, or email) "
        "and, to create a Data Center user, email and display_name. For example users: [nina@acme.com] or users: "
        "[{{user: nina, email: nina@acme.com, display_name: Nina New}}].",
    ),
    "account-user-and-users": (
        {**CONN, **NINA, "users": ["jane@acme.example"], "products": []},
        "Both user and users are set. Set only one of them, for example user: jane@acme.com, or users: a list of them.",
    ),
}
_FIRST_REQUEST = list(BAD_INPUT).index("url-of-a-site-that-is-not-atlassian")
BAD_INPUT = dict(
    [*list(BAD_INPUT.items())[:_FIRST_REQUEST], *ACCOUNT_BAD_INPUT.items(), *list(BAD_INPUT.items())[_FIRST_REQUEST:]]
)
NO_REQUEST = list(BAD_INPUT)[: list(BAD_INPUT).index("url-of-a-site-that-is-not-atlassian")]
# The products a case's emulator serves, where it is not a Jira Cloud site.
SERVED = {"two-users-with-the-same-email": ("jira_datacenter",)}


def _table_run(installed_collection, contract_validator, workdir):
    """One playbook with every case as a task, each against its own emulator (so its log is the case's alone)."""
    emulators = {name: Emulator(products=SERVED.get(name)).start() for name in BAD_INPUT}
    watches = [
        contract_check.ContractWatch(
            e, contract_check.validator_for(SERVED[name]) if name in SERVED else contract_validator
        )
        for name, e in emulators.items()
    ]
    tasks: list[dict[str, Any]] = [
        {"name": "ambient", "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.env', 'ATLASSIAN_URL') }}"}}
    ]
    for name, (args, _message) in BAD_INPUT.items():
        module = ACCOUNT_MODULE if name in ACCOUNT_BAD_INPUT else MODULE
        tasks.append({"name": name, module: args, "vars": {"emulator_url": emulators[name].url}, "ignore_errors": True})
    try:
        with pytest.MonkeyPatch.context() as env, not_atlassian_site() as html_site:
            # What a developer's shell might hold: it must not reach the run.
            env.setenv("ATLASSIAN_URL", "https://acme.atlassian.net")
            env.setenv("ATLASSIAN_USERNAME", ADMIN[0])
            env.setenv("ATLASSIAN_API_TOKEN", ADMIN[1])
            run = harness.run_playbook(
                play(*tasks), collection=installed_collection, workdir=workdir, extra_vars={"html_site": html_site}
            )
        contract_check.fail_on_violations(watches)
        urls = {
            name: {"url": e.url, "host": e.url.removeprefix("http://"), "html_site": html_site}
            for name, e in emulators.items()
        }
        return run, {name: e.log for name, e in emulators.items()}, urls
    finally:
        for emulator in emulators.values():
            emulator.stop()


@pytest.fixture(scope="module")
def table_run(installed_collection, contract_validator, tmp_path_factory):
    return _table_run(installed_collection, contract_validator, tmp_path_factory.mktemp("bad_input"))


def test_ambient_atlassian_variables_do_not_reach_the_run(table_run):
    run, _logs, _urls = table_run
    assert run.result("ambient")["result"]["msg"] == ""


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_bad_input(table_run, name):
    run, logs, urls = table_run
    recorded = run.result(name)
    result = recorded["result"]
    assert recorded["failed"] is True, result
    assert result["changed"] is False and result.get("added", []) == [] and result.get("removed", []) == []
    assert result["msg"] == BAD_INPUT[name][1].format(**urls[name])
    assert SECRET not in json.dumps(recorded)  # a password in url shows nowhere, the invocation included

    sent = logs[name]
    writes = [r for r in sent if r.is_write]
    if name in NO_REQUEST:
        assert sent == [], "found without sending any request"
    elif name == "caller-not-an-admin-403":
        # Nothing tells a non-admin apart before a write: the one write is refused, and nothing changed.
        assert [(w.method, w.status) for w in writes] == [("POST", 403)]
    else:
        assert writes == []
