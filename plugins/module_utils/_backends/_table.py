# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The table of backends (the ``backend`` option's values), what each can do, and how ``backend: auto`` picks one.

Like community.hashi_vault's table of auth methods: adding a backend is adding its file and one line here. (Not in the
package's ``__init__.py``: ansible-test's sanity requires a module_utils ``__init__.py`` to be empty.) What a
backend can do is read from its class (the capabilities of ``_base`` it inherits), never repeated here; a module asks
for what it needs with ``require``, which refuses a backend without it before any request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    CAPABILITIES,
    Backend,
    SiteProbe,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.admin import AdminBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.confluence_cloud import ConfluenceCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.confluence_datacenter import (
    ConfluenceDataCenterBackend,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_cloud import JiraCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_datacenter import JiraDataCenterBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ADMIN_URL, AUTO, ORG_KEY_REMEDY
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError, operation

# In the order ``auto`` asks them: on a site with both products, the first that recognises it wins.
BACKENDS: dict[str, type[Backend]] = {
    "jira_cloud": JiraCloudBackend,
    "jira_datacenter": JiraDataCenterBackend,
    "confluence_cloud": ConfluenceCloudBackend,
    "confluence_datacenter": ConfluenceDataCenterBackend,
    "admin": AdminBackend,
}

# The one request ``auto`` may send. Jira (Cloud and Data Center) answers it with its deploymentType, anonymously
# allowed; a site without Jira answers 404. v2, because Data Center has no v3.
PROBE_PATH = "/rest/api/2/serverInfo"
# Atlassian Cloud's edge puts a trace id on every answer (reference §4.2); a Data Center server does not. Its host
# names tell too, when the trace id is stripped by a proxy.
CLOUD_TRACE_HEADER = "atl-traceid"
CLOUD_HOSTS = (".atlassian.net", ".jira.com", "api.atlassian.com")
# Any refusal is an answer worth reading, except 429, which is retried like any rate-limited request.
PROBE_ACCEPT = tuple(status for status in range(400, 500) if status != 429)


# What the table says of a backend and a capability (``capability_table``, docs/architecture.md).
HAS = "yes"
NOT_YET = "not implemented yet"
NOT_IN_API = "not in its API"


def capabilities_of(backend: type[Backend]) -> tuple[type, ...]:
    """The capabilities a backend class has: the contracts of ``_base.CAPABILITIES`` it inherits."""
    return tuple(capability for capability in CAPABILITIES if issubclass(backend, capability))


def capability_table() -> dict[str, dict[str, str]]:
    """Backend name -> capability name -> ``HAS``, ``NOT_YET`` (its API offers it; the collection does not implement
    it yet: ``Declarations.not_implemented_yet``) or ``NOT_IN_API``."""
    return {
        name: {
            capability.__name__: HAS
            if capability in capabilities_of(backend)
            else NOT_YET
            if capability in backend.declares.not_implemented_yet
            else NOT_IN_API
            for capability in CAPABILITIES
        }
        for name, backend in BACKENDS.items()
    }


def name_of(backend: Backend) -> str:
    """The table's name of a backend (``type(backend)`` or the backend it derives from, as a test may subclass it)."""
    return next(name for name, cls in BACKENDS.items() if isinstance(backend, cls))


def require(backend: Backend, *capabilities: type) -> None:
    """Refuse, before any request, a backend that lacks one of these capabilities, naming the backends that have it
    (and saying so when its API has it but the collection does not implement it yet)."""
    for capability in capabilities:
        if isinstance(backend, capability):
            continue
        name = name_of(backend)
        having = [other for other, cls in BACKENDS.items() if issubclass(cls, capability)]
        why = (
            "its API offers it, but this collection does not implement it yet"
            if capability in backend.declares.not_implemented_yet
            else "its API does not offer it"
        )
        raise ConfigurationError(
            f"backend {name} cannot {capability.ability} ({capability.__name__}): {why}",
            hint=f"Use a backend that can: {', '.join(having)}"
            if having
            else "No backend of this collection can yet; nothing was sent",
        )


def check_backend_name(name: str) -> None:
    if name != AUTO and name not in BACKENDS:
        raise ConfigurationError(
            f"backend '{name}' is not one this collection knows",
            hint=f"Set backend to one of {', '.join([AUTO, *BACKENDS])} (or leave it unset for {AUTO})",
        )


def open_backend(client: AtlassianClient) -> tuple[str, Backend]:
    """The backend named by the ``backend`` option, or the one ``auto`` recognises, on ``client``.

    ``auto`` costs at most one request (``PROBE_PATH``), and none when the URL alone tells (a gateway URL names its
    product); an explicit ``backend`` costs none.
    """
    name = client.settings.backend
    check_backend_name(name)
    if name == AUTO:
        name = detect(client)
    return name, BACKENDS[name](client)


def detect(client: AtlassianClient) -> str:
    settings = client.settings
    for name, backend in BACKENDS.items():
        if backend.recognises_url(settings):
            return name
    # A bearer token alone may be an organisation API key whose org_id was forgotten: say what it needs.
    org_key = f". {ORG_KEY_REMEDY}" if settings.bearer_token and not settings.api_token else ""
    if urlsplit(settings.base_url)._replace(path="").geturl() == ADMIN_URL and "/ex/" not in settings.base_url:
        # The Admin API's host, and the gateway's without a product and cloudId: no site answers there (a probe
        # would find "no Jira", which reads like a Confluence site, and the group would then "not exist").
        raise ConfigurationError(
            f"url {settings.base_url} is not a site: it is the host of the Admin API, and of the API gateway when "
            "followed by /ex/jira/<cloudId> or /ex/confluence/<cloudId>",
            hint="For a site, give its URL (for example https://acme.atlassian.net) or the gateway URL with its "
            f"product and cloudId{org_key}",
        )
    probe = probe_site(client)
    for name, backend in BACKENDS.items():
        if backend.recognises_site(probe):
            return name
    url = settings.base_url
    seen = f"HTTP {probe.status}" if probe.body is not None else f"HTTP {probe.status} without a JSON body"
    raise ConfigurationError(
        f"{url} does not answer like an Atlassian site this collection knows (GET {PROBE_PATH} gave {seen})",
        hint=f"Check url (the site URL, for example https://acme.atlassian.net, or a Data Center server's base URL with "
        f"its context path, for example https://jira.acme.com/jira), or set the backend option to one of "
        f"{', '.join(BACKENDS)} to say which API it is{org_key}",
    )


def probe_site(client: AtlassianClient) -> SiteProbe:
    with operation(f"finding out which Atlassian API {client.settings.base_url} serves (backend: {AUTO})"):
        response = client.request("GET", PROBE_PATH, accept=PROBE_ACCEPT, non_json_ok=True)
    host = (urlsplit(client.settings.base_url).hostname or "").lower()
    cloud = any(name.lower() == CLOUD_TRACE_HEADER for name in response.headers) or host.endswith(CLOUD_HOSTS)
    return SiteProbe(response.status, response.body, cloud)
