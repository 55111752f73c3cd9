# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""TLS to a server behind a private CA: ca_path trusts it (whatever REQUESTS_CA_BUNDLE says), and an untrusted
certificate fails at once with the remedy, without retries."""

from __future__ import annotations

import ssl

import pytest
import trustme

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import HttpError, RetriesExhaustedError


@pytest.fixture(scope="module")
def private_ca():
    return trustme.CA()


@pytest.fixture
def https_server(emulator_factory, private_ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    private_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return emulator_factory(products=("jira_datacenter",), ssl_context=context)


@pytest.fixture
def ca_file(private_ca, tmp_path):
    path = tmp_path / "private-ca.pem"
    private_ca.cert_pem.write_to_path(str(path))
    return str(path)


def test_ca_path_is_trusted_even_when_requests_ca_bundle_says_otherwise(https_server, client_for, ca_file, monkeypatch):
    # Execution environments often set REQUESTS_CA_BUNDLE to the system store; requests would let it win over a
    # session's verify, so the client gives ca_path with every request.
    monkeypatch.setenv(
        "REQUESTS_CA_BUNDLE", ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    )
    client = client_for(https_server, ca_path=ca_file)
    assert client.get("/rest/api/2/serverInfo").body["deploymentType"] == "Server"


def test_an_untrusted_certificate_fails_at_once_with_the_remedy(https_server, client_for, fake_clock, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    client = client_for(https_server, max_retries=3)
    with pytest.raises(HttpError) as failed:
        client.get("/rest/api/2/serverInfo")
    assert not isinstance(failed.value, RetriesExhaustedError) and fake_clock.sleeps == []
    assert failed.value.message == (
        "GET /rest/api/2/serverInfo failed: TLS certificate verification failed. For a server behind a private CA, set "
        "ca_path (or ATLASSIAN_CA_PATH) to that CA's PEM certificate; validate_certs=false turns verification off "
        "altogether and is the last resort."
    )
    assert len(https_server.log) == 0  # the handshake failed: no request reached the server


def test_a_wrong_ca_is_named(https_server, client_for, tmp_path):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(HttpError, match=r"ca_path \(.*other-ca.pem\) does not hold the CA that signed"):
        client_for(https_server, ca_path=str(other)).get("/rest/api/2/serverInfo")


def test_validate_certs_false_is_the_last_resort(https_server, client_for):
    assert client_for(https_server, validate_certs=False).get("/rest/api/2/myself").status == 200


def test_a_ca_bundle_from_the_environment_is_still_honoured_and_named(https_server, client_for, ca_file, monkeypatch):
    # requests no longer reads its environment (trust_env is off, to keep ~/.netrc out), so the client does: an
    # execution environment's REQUESTS_CA_BUNDLE keeps working where ca_path is not set, and ca_path still wins.
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    assert client_for(https_server).get("/rest/api/2/serverInfo").status == 200
    other = ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", other)
    with pytest.raises(HttpError) as failed:
        client_for(https_server).get("/rest/api/2/serverInfo")
    assert f"The CA bundle that REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE names ({other}) does not hold" in str(failed.value)
    assert client_for(https_server, ca_path=ca_file).get("/rest/api/2/serverInfo").status == 200
