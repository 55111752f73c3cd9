# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The table of backends and ``backend: auto``: which backend a site gets, and at what cost (at most one request).

A small real HTTP server stands in for sites the emulator does not play (a web site that is not Atlassian, a Jira
Data Center server), and counts the requests.
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import (
    BACKENDS,
    PROBE_PATH,
    check_backend_name,
    open_backend,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.confluence_cloud import ConfluenceCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.confluence_datacenter import (
    ConfluenceDataCenterBackend,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_cloud import JiraCloudBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends.jira_datacenter import JiraDataCenterBackend
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import AtlassianClient
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ORG_KEY_REMEDY, settings_from_params
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError


class Site:
    """Answers every GET with one status, body and content type; records the paths asked for. ``cloud``: each answer
    carries the trace id Atlassian Cloud's edge adds."""

    def __init__(self, status: int, body: Any, content_type: str = "application/json", cloud: bool = False) -> None:
        self.paths: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.paths.append(self.path)
                data = (json.dumps(body) if content_type == "application/json" else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if cloud:
                    self.send_header("atl-traceid", "5f0b1c2d3e4f5a6b")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site_factory():
    sites: list[Site] = []

    def make(status: int, body: Any, content_type: str = "application/json", cloud: bool = False) -> Site:
        sites.append(Site(status, body, content_type, cloud))
        return sites[-1]

    yield make
    for site in sites:
        site.close()


def client(url: str, **params: Any) -> AtlassianClient:
    return AtlassianClient(
        settings_from_params({"url": url, "username": "a@acme.example", "api_token": "t", "max_retries": 0, **params})
    )


UNAUTHENTICATED = {"message": "Client must be authenticated to access this resource.", "status-code": 401}
NULL_FOR_URI = {"statusCode": 404, "message": "null for uri: http://wiki.acme.example/rest/api/2/serverInfo"}


@pytest.mark.parametrize(
    ("status", "body", "cloud", "expected"),
    [
        (200, {"deploymentType": "Cloud", "baseUrl": "https://acme.atlassian.net"}, True, JiraCloudBackend),
        (404, {"errorMessages": ["Not found"]}, True, ConfluenceCloudBackend),  # no Jira on this Cloud site
        (401, UNAUTHENTICATED, True, JiraCloudBackend),
        (200, {"deploymentType": "Server", "version": "9.12.0"}, False, JiraDataCenterBackend),
        (200, {"deploymentType": "DataCenter", "version": "10.3.24"}, False, JiraDataCenterBackend),
        (401, UNAUTHENTICATED, False, JiraDataCenterBackend),  # a Jira server that refuses anonymous callers
        (404, NULL_FOR_URI, False, ConfluenceDataCenterBackend),  # no Jira on this server
    ],
)
def test_auto_asks_the_site_once(site_factory, status, body, cloud, expected):
    site = site_factory(status, body, cloud=cloud)
    name, backend = open_backend(client(site.url))
    assert isinstance(backend, expected) and BACKENDS[name] is expected
    assert site.paths == [PROBE_PATH]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ex/jira/11223344-a1b2-3b33-c444-def123456789", JiraCloudBackend),
        ("/ex/confluence/11223344-a1b2-3b33-c444-def123456789", ConfluenceCloudBackend),
        ("/wiki", ConfluenceCloudBackend),
    ],
)
def test_a_url_that_names_its_product_costs_no_request(site_factory, path, expected):
    site = site_factory(500, {"never": "asked"})
    assert isinstance(open_backend(client(site.url + path))[1], expected)
    assert site.paths == []


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_an_explicit_backend_costs_no_request(site_factory, name):
    site = site_factory(500, {"never": "asked"})
    # The Admin API takes an organisation and its API key, nothing else.
    credentials = {"org_id": "org-1", "bearer_token": "key", "api_token": None} if name == "admin" else {}
    assert isinstance(open_backend(client(site.url, backend=name, **credentials))[1], BACKENDS[name])
    assert site.paths == []


def test_an_organisation_id_means_the_admin_api_and_costs_no_request(site_factory):
    site = site_factory(500, {"never": "asked"})
    name, backend = open_backend(client(site.url, org_id="org-1", bearer_token="key", api_token=None))
    assert name == "admin" and isinstance(backend, BACKENDS["admin"])
    assert site.paths == []


@pytest.mark.parametrize(
    ("status", "body", "content_type", "seen"),
    [
        (200, "<!doctype html><title>Acme intranet</title>", "text/html", "HTTP 200 without a JSON body"),
        # A server's web page for a path it does not have: a wrong context path, not a Confluence server.
        (404, "<!doctype html><title>404 Not Found</title>", "text/html", "HTTP 404 without a JSON body"),
        (200, {"deploymentType": "Bamboo", "version": "9.6.0"}, "application/json", "HTTP 200"),
        (400, {"whatever": True}, "application/json", "HTTP 400"),
    ],
)
def test_a_site_that_no_backend_recognises_gets_a_clear_error(site_factory, status, body, content_type, seen):
    site = site_factory(status, body, content_type)
    with pytest.raises(ConfigurationError) as caught:
        open_backend(client(site.url))
    assert caught.value.message == (
        f"{site.url} does not answer like an Atlassian site this collection knows (GET {PROBE_PATH} gave {seen}). "
        "Check url (the site URL, for example https://acme.atlassian.net, or a Data Center server's base URL with its "
        "context path, for example https://jira.acme.com/jira), or set the backend option to one of "
        "jira_cloud, jira_datacenter, confluence_cloud, confluence_datacenter, admin to say which API it is."
    )
    assert site.paths == [PROBE_PATH]


def test_a_bearer_token_alone_is_told_about_org_id_when_no_site_answers(site_factory):
    # An organisation admin who forgot org_id (issue 22): the remedy names org_id and the admin backend.
    site = site_factory(200, "<!doctype html><title>Acme intranet</title>", "text/html")
    with pytest.raises(ConfigurationError) as caught:
        open_backend(client(site.url, bearer_token="org-key", api_token=None))
    assert caught.value.message.startswith(f"{site.url} does not answer like an Atlassian site")
    assert caught.value.message.endswith(f"to say which API it is. {ORG_KEY_REMEDY}.")
    assert "set org_id (or ATLASSIAN_ORG_ID)" in ORG_KEY_REMEDY and "backend: admin" in ORG_KEY_REMEDY


@pytest.mark.parametrize("url", ["https://api.atlassian.com", "https://api.atlassian.com/admin"])
@pytest.mark.parametrize("credentials", [{"bearer_token": "org-key", "api_token": None}, {}])
def test_the_admin_api_host_without_org_id_is_no_site_and_costs_no_request(url, credentials):
    # No request could be answered here (the test sends none): the host is refused before the probe. A probe there
    # would find no Jira, which reads like a Confluence site, and the group would then "not exist".
    with pytest.raises(ConfigurationError) as caught:
        open_backend(client(url, **credentials))
    assert caught.value.message.startswith(f"url {url} is not a site: it is the host of the Admin API")
    assert caught.value.message.endswith(f"{ORG_KEY_REMEDY}." if credentials else "product and cloudId.")


def test_an_unknown_backend_name_is_refused_before_any_request():
    with pytest.raises(ConfigurationError) as caught:
        check_backend_name("jira")
    assert caught.value.message == (
        "backend 'jira' is not one this collection knows. Set backend to one of auto, jira_cloud, jira_datacenter, "
        "confluence_cloud, confluence_datacenter, admin (or leave it unset for auto)."
    )
