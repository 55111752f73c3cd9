# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The HTTP client over real HTTP to the emulator: auth, retries on a fake clock, paging and error translation."""

from __future__ import annotations

import http.server
import threading

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import settings_for
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import (
    USER_AGENT,
    AtlassianClient,
    ErrorReader,
    basic_credential,
    secret_values,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError, RetriesExhaustedError
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import OffsetPaging

MYSELF = "/rest/api/3/myself"
MEMBERS = "/rest/api/3/group/member"
BIG = {"groupname": "big-group", "includeInactiveUsers": "true"}
JIRA_PAGING = OffsetPaging()


def test_basic_credential_is_base64_of_the_whole_pair():
    assert basic_credential("admin@acme.example", "tok") == "YWRtaW5AYWNtZS5leGFtcGxlOnRvaw=="


def test_secret_values_cover_every_form():
    settings = settings_for({"url": "https://a.atlassian.net", "username": "a@b.example", "api_token": "t"})
    assert secret_values(settings) == {"t", basic_credential("a@b.example", "t")}


def test_basic_auth_and_user_agent_on_every_request(emulator, client_for):
    client = client_for(emulator)
    seen = []
    client.observers.append(seen.append)
    response = client.get(MYSELF)
    assert response.body["emailAddress"] == "admin@acme.example"
    assert client.session.headers["User-Agent"] == USER_AGENT
    assert [h["X-AAccountId"] for h in seen] == ["5b10a2844c20165700ede001"]  # observers see every answer's headers


def test_bearer_auth(emulator, client_for):
    client = client_for(emulator, bearer_token="oauth-bearer-token")
    assert client.get(MYSELF).body["displayName"] == "Otto Automation"


def test_401_is_an_http_error_with_the_servers_words_and_no_secret(emulator, client_for):
    client = client_for(emulator, api_token="wrong")
    with pytest.raises(AtlassianError) as err:
        client.get(MYSELF)
    # A bare client knows no product: no remedy, only what answered (the backends add theirs).
    assert err.value.message == (
        f"GET {MYSELF} answered HTTP 401. Atlassian said: Client must be authenticated to access this resource."
    )
    for secret in secret_values(client.settings):
        assert secret not in err.value.message and secret not in repr(err.value)


def test_errors_are_worded_by_the_reader_the_backend_installs(emulator, client_for):
    class Reader(ErrorReader):
        def hint(self, status):
            return f"advice for {status}"

    client = client_for(emulator)
    client.errors = Reader()
    with pytest.raises(AtlassianError) as err:
        client.get(MEMBERS, {"groupname": "no-such-group"})
    assert err.value.status == 404 and err.value.message.endswith("advice for 404.")


def test_429_waits_for_retry_after_then_succeeds(emulator, client_for, fake_clock):
    emulator.configure(faults=[{"action": "status", "status": 429, "retry_after": 3, "path": MYSELF, "times": 2}])
    client = client_for(emulator)
    assert client.get(MYSELF).status == 200
    assert len(fake_clock.sleeps) == 2 and all(3.0 <= s <= 3.3 for s in fake_clock.sleeps)
    assert [r.status for r in emulator.log if r.path == MYSELF] == [429, 429, 200]


def test_5xx_backs_off_exponentially(emulator, client_for, fake_clock):
    emulator.configure(faults=[{"action": "status", "status": 502, "path": MYSELF, "times": 3}])
    assert client_for(emulator).get(MYSELF).status == 200
    first, second, third = fake_clock.sleeps
    assert 0.35 <= first <= 0.65 and 0.7 <= second <= 1.3 and 1.4 <= third <= 2.6


def test_retry_budget_runs_out_with_attempts_and_retry_after(emulator, client_for):
    emulator.configure(faults=[{"action": "status", "status": 503, "retry_after": 2, "path": MYSELF, "times": None}])
    with pytest.raises(RetriesExhaustedError) as err:
        client_for(emulator, max_retries=2).get(MYSELF)
    assert err.value.attempts == 3
    assert "after 3 attempts" in err.value.message and "Retry-After asked for 2 s" in err.value.message
    assert len([r for r in emulator.log if r.path == MYSELF]) == 3


def test_connection_reset_is_retried(emulator, client_for):
    emulator.configure(faults=[{"action": "reset", "path": MYSELF, "times": 1}])
    assert client_for(emulator).get(MYSELF).status == 200


def test_write_after_unclear_failure_is_flagged(emulator, client_for):
    emulator.configure(faults=[{"action": "status", "status": 500, "path": "/rest/api/3/group/user", "phase": "after"}])
    response = client_for(emulator).request(
        "POST",
        "/rest/api/3/group/user",
        params={"groupname": "team-design"},
        json={"accountId": "5b10a2844c20165700ede003"},
        accept=(400,),
    )
    # The first attempt was applied but its answer lost; the retry meets "already a member".
    assert response.status == 400 and response.unclear_earlier


def test_paging_reads_every_page_despite_the_cap(emulator, client_for):
    pages = list(client_for(emulator).iter_pages(MEMBERS, BIG, JIRA_PAGING, page_size=100))
    assert [len(p.values) for p in pages] == [50, 50, 20]
    assert [p.total for p in pages] == [120, 120, 120]
    starts = [r.query["startAt"][0] for r in emulator.log if r.path == MEMBERS]
    assert starts == ["0", "50", "100"]


def test_paging_asks_again_after_an_empty_page_that_claims_more(emulator, client_for):
    emulator.configure(faults=[{"action": "empty_page", "path": MEMBERS, "skip": 1}])
    pages = list(client_for(emulator).iter_pages(MEMBERS, BIG, JIRA_PAGING, page_size=50))
    assert sum(len(p.values) for p in pages) == 120


@pytest.mark.parametrize("times", [3, None], ids=["empty-3-times", "empty-for-good"])
def test_paging_asks_again_within_the_budget_then_fails_rather_than_cut_the_listing_short(
    emulator, client_for, fake_clock, times
):
    emulator.configure(faults=[{"action": "empty_page", "path": MEMBERS, "skip": 1, "times": times}])
    pages = client_for(emulator, max_retries=3).iter_pages(MEMBERS, BIG, JIRA_PAGING, page_size=50)
    if times is None:
        with pytest.raises(RetriesExhaustedError) as caught:
            list(pages)
        assert caught.value.message == (
            f"GET {MEMBERS} kept answering an empty page at startAt=50 that claims more follow (total 120). Gave up "
            "after 4 attempts (max_retries=3) rather than act on part of the listing. Run again later, "
            "or raise max_retries."
        )
    else:
        assert sum(len(p.values) for p in pages) == 120
    starts = [r.query["startAt"][0] for r in emulator.log if r.path == MEMBERS]
    assert starts.count("50") == 4
    assert len(fake_clock.sleeps) == 3  # backed off before each new attempt


@pytest.fixture
def html_site():
    """A web site that is not Atlassian: every path answers 200 with an HTML page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>Acme intranet</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_DELETE = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/rest/api/3/group/bulk", "/rest/api/3/user/search", "/rest/api/3/user"])
def test_a_success_that_is_not_json_names_the_url_instead_of_passing_for_no_data(html_site, path):
    # Read on, None would crash find_group, or look like "no such user" to find_by_email and get_user (accept=404).
    client = AtlassianClient(settings_for({"url": html_site, "username": "a@acme.example", "api_token": "t"}))
    with pytest.raises(AtlassianError) as caught:
        client.get(path, {"query": "x"}, accept=(404,))
    assert caught.value.message == (
        f"GET {path} answered HTTP 200 with a body that is not JSON (text/html; charset=utf-8). {html_site} does not "
        "answer like an Atlassian REST API (a login page, a proxy or another web site may have answered). Check url."
    )
    # Unless the caller expects anything (backend: auto's probe): then the body is simply None.
    assert client.request("GET", path, non_json_ok=True).body is None
    client.close()


def test_paging_stops_on_an_empty_last_page(emulator, client_for):
    pages = list(client_for(emulator).iter_pages(MEMBERS, {"groupname": "team-design"}, JIRA_PAGING, page_size=50))
    assert pages == []


def test_concurrent_map_keeps_order(emulator, client_for):
    client = client_for(emulator, workers=4)
    ids = ["5b10a2844c20165700ede00" + str(i) for i in range(1, 8)]
    users = client.map_concurrently(lambda a: client.get("/rest/api/3/user", {"accountId": a}).body["accountId"], ids)
    assert users == ids


@pytest.mark.parametrize(
    ("body", "text", "expected"),
    [
        ({"message": "Client must be authenticated", "status-code": 401}, "", ["Client must be authenticated"]),
        (None, "<status><message>Nope</message></status>", ["Nope"]),
        (
            None,
            "Client must be authenticated to access this resource.",
            ["Client must be authenticated to access this resource."],
        ),
        (None, "<!doctype html><title>Login</title>", []),
        ({"something": "else"}, "", []),
    ],
)
def test_the_neutral_reader_takes_what_every_atlassian_api_may_send(body, text, expected):
    assert ErrorReader().messages(body, text) == expected


def test_user_agent_version_matches_galaxy_yml(collection_root):
    import yaml

    from ansible_collections.orgsync.atlassian.plugins.module_utils._client import COLLECTION_VERSION

    galaxy = yaml.safe_load((collection_root / "galaxy.yml").read_text())
    assert COLLECTION_VERSION == galaxy["version"]
    assert f"orgsync.atlassian/{galaxy['version']}" in USER_AGENT
