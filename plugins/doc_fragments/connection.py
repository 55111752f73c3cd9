# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations


class ModuleDocFragment:
    # The connection options shared by every module of the collection (see plugins/module_utils/_connection.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Atlassian site, for example V(https://acme.atlassian.net).
      - For scoped API tokens (service accounts) and OAuth 2.0, the API gateway URL
        V(https://api.atlassian.com/ex/jira/<cloudId>) instead.
      - For a Data Center server, its base URL with its context path, if any, for example
        V(https://tools.acme.com/jira).
      - Give it without C(/rest/api/3); a trailing slash is tolerated.
      - Plain C(http://) is refused except for loopback addresses (a local emulator), because the credentials would
        travel unencrypted; through a proxy, only when the proxy is on this machine too (see the notes).
      - A user name or password inside the URL (C(https://user:secret@host)) is refused, and never shown; the
        credentials come from O(username), O(api_token) and O(bearer_token) only.
      - Redirects are not followed. An answer that redirects (for example from C(http://) to C(https://), or to a
        site that moved) fails the task, naming where it pointed, so that the credentials and any change go only to
        this URL.
      - If not set, the value of the E(ATLASSIAN_URL) environment variable is used. One of the two is required,
        except for the Admin API (O(backend=admin), or O(org_id) with V(auto)), where it defaults to
        V(https://api.atlassian.com).
    type: str
  username:
    description:
      - The email address of the account that owns O(api_token) (Data Center, the username).
      - The collection builds the Basic credential C(base64(username:api_token)) itself.
      - If not set, the E(ATLASSIAN_USERNAME) or E(ATLASSIAN_EMAIL) environment variable is used.
    type: str
    aliases: [email]
  api_token:
    description:
      - An Atlassian API token, used with O(username) for Basic authentication.
      - Create one at U(https://id.atlassian.com/manage-profile/security/api-tokens).
      - On Data Center, the account's password (hence the alias).
      - If not set, the E(ATLASSIAN_API_TOKEN) environment variable is used.
      - Mutually exclusive with O(bearer_token).
      - The alias O(password) was added in version 1.1.0 of orgsync.atlassian.
    type: str
    aliases: [password]
  bearer_token:
    description:
      - An OAuth 2.0 access token, a Data Center personal access token, or (with O(backend=admin)) an organisation
        API key, sent in the C(Authorization) header as a C(Bearer) token.
      - An Atlassian Cloud API token is not a bearer token; use O(api_token) for it.
      - If not set, the E(ATLASSIAN_BEARER_TOKEN) environment variable is used.
      - Mutually exclusive with O(api_token).
    type: str
  validate_certs:
    description:
      - Whether to verify the site's TLS certificate. Turn off only for a site behind a private CA you trust; the
        task then warns, since anyone on the network path could pose as the site and receive the credentials.
        O(ca_path) is the better way.
      - If not set, the E(ATLASSIAN_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file holding the certificate of the CA that signed the server's certificate, for a Data Center server
        behind a private CA. It replaces the system's trust store for the task.
      - Prefer it to O(validate_certs=false), which switches verification off altogether.
      - A file that is not PEM (a binary DER C(.cer)) is refused before any request, saying so.
      - If not set, the E(ATLASSIAN_CA_PATH) environment variable is used. If neither is set, a bundle named by
        E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) is used, else the system's trust store.
    type: path
    version_added: 1.1.0
  timeout:
    description:
      - Seconds to wait for data on each HTTP request (to connect, and between two packets of an answer); at most
        3600.
      - A whole answer must also arrive within four times O(timeout), however steadily it trickles, and be at most
        64 MiB; an answer past either is abandoned and not retried.
      - Retries multiply the time a request may take. To bound a whole task, use the task keyword C(timeout).
    type: float
    default: 30
  max_retries:
    description:
      - How many times a request is retried after HTTP 429, 5xx or a connection error.
      - A C(Retry-After) answer (or the Admin API's C(X-RateLimit-Reset)) is honoured up to 300 seconds; a server
        asking to wait longer fails the task at once, saying what it asked. Other retries, and a C(Retry-After) that
        is not a number of seconds, back off exponentially with jitter.
    type: int
    default: 5
  backend:
    description:
      - Which Atlassian API to speak.
      - V(auto) finds out from the site, with at most one extra request per task (C(GET /rest/api/2/serverInfo));
        none when the URL is an API gateway URL that names its product (C(https://api.atlassian.com/ex/jira/...),
        C(.../ex/confluence/...)).
      - V(jira_cloud) is the Jira Cloud platform REST API (C(/rest/api/3)), with users by email or accountId.
      - V(confluence_cloud) is the Confluence Cloud REST API (C(/wiki/rest/api)), for sites without Jira. Confluence
        has no email search, so emails resolve from group member listings; see the module notes.
      - V(jira_datacenter) is the Jira Data Center (and Server) REST API (C(/rest/api/2)), with users by username or
        email. Groups have no ids there (a group's id is its name); results carry C(username) and a null
        C(account_id).
      - V(confluence_datacenter) is the Confluence Data Center REST API (C(/rest/api)), 8.2 or later for changes,
        with users by username only (its API shows no email addresses).
      - V(admin) is the Atlassian Admin API v2 (the organisation's directory), with an organisation API key in
        O(bearer_token) and O(org_id). It sees every user's email, hidden ones included, and deactivated accounts.
        Groups synced from an identity provider (SCIM) are refused before any change. With V(auto), O(org_id) chooses
        it without a request when O(url) is unset, V(https://api.atlassian.com) or a local address (an emulator), and
        O(api_token) is not given; with any other O(url) (a site, a gateway URL, a Data Center server) O(org_id) is
        ignored.
      - V(auto) tells a Data Center server from Atlassian Cloud by the answer to its one request. A Jira server
        says C(deploymentType) V(Server) or V(DataCenter); a Confluence server answers 404 without Atlassian Cloud's
        trace header.
      - Set it explicitly to save the extra request, or when C(auto) cannot tell.
      - If not set, the value of the E(ATLASSIAN_BACKEND) environment variable is used.
      - Every module returns the backend it used as RV(backend).
    type: str
    default: auto
    version_added: 1.1.0
  org_id:
    description:
      - The organisation's id, for O(backend=admin) (admin.atlassian.com > Settings > API keys shows it).
      - If not set, the value of the E(ATLASSIAN_ORG_ID) environment variable is used.
    type: str
    version_added: 1.1.0
  directory_id:
    description:
      - For O(backend=admin) in an organisation with several directories, the one whose groups to manage. An
        organisation with one directory needs none.
      - If not set, the value of the E(ATLASSIAN_DIRECTORY_ID) environment variable is used.
    type: str
    version_added: 1.1.0
notes:
  - The connection options can be set once for all modules with
    C(module_defaults) and the action group C(group/orgsync.atlassian.atlassian).
  - Tokens are never written to any output; the Basic credential built from them is masked too.
  - Do not hand a token to a task through the play or task C(environment) keyword, because Ansible itself prints that
    environment at C(-vvv) and above. Set the options (masked), C(module_defaults), or export the E(ATLASSIAN_*)
    variables in the environment of C(ansible-playbook) itself, as AWX credentials do.
  - Only the credentials the task gives are sent. C(~/.netrc) (or E(NETRC)) is never read.
  - A proxy is used when the environment names one for the URL (E(HTTPS_PROXY), E(HTTP_PROXY) for an C(http://) URL,
    or E(ALL_PROXY)), unless E(NO_PROXY) covers the host. An C(https://) URL goes through it in a tunnel, so the
    proxy never sees the credentials; an C(http://) URL through a proxy on another host is refused, because it would
    hand the proxy the credentials unencrypted.
requirements:
  - requests
"""
