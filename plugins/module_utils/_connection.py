# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The connection options every module shares: argument spec, env fallbacks and validation without network."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import os
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

from ansible.module_utils.common.parameters import AnsibleFallbackNotFound

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ConfigurationError

URL_ENV = "ATLASSIAN_URL"
USERNAME_ENVS = ("ATLASSIAN_USERNAME", "ATLASSIAN_EMAIL")
API_TOKEN_ENV = "ATLASSIAN_API_TOKEN"
BEARER_TOKEN_ENV = "ATLASSIAN_BEARER_TOKEN"
BACKEND_ENV = "ATLASSIAN_BACKEND"
CA_PATH_ENV = "ATLASSIAN_CA_PATH"
ORG_ID_ENV = "ATLASSIAN_ORG_ID"
DIRECTORY_ID_ENV = "ATLASSIAN_DIRECTORY_ID"
AUTO = "auto"
ADMIN = "admin"
# The Admin API's only host: its URL may be left out.
ADMIN_URL = "https://api.atlassian.com"
# The longest timeout a request may be given: an hour is already far beyond any answer of these APIs, and a larger
# one would only hide a hung connection.
MAX_TIMEOUT = 3600.0
# Control characters (CR and LF among them) and, for url, spaces: never part of a token or a URL, usually a line
# break pasted with it. Refused up front: sent, they would fail inside requests as if the network had failed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")
# userinfo (``user:password@``) at the start of a URL, with or without its scheme: hidden from every message.
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?[^/?#@]*@")
# What a PEM file of certificates holds (OpenSSL's "TRUSTED CERTIFICATE" form too).
_PEM_CERTIFICATE = re.compile(rb"-----BEGIN (TRUSTED )?CERTIFICATE-----")
# A CA bundle is a few hundred kilobytes; reading more of a file than this to find a PEM header is pointless.
_CA_READ_LIMIT = 16 * 1024 * 1024
# For a task given a bearer token and nothing that says which API it is for: an organisation admin who forgot org_id
# is otherwise sent looking for a site URL.
ORG_KEY_REMEDY = (
    "If bearer_token is an organisation API key (admin.atlassian.com > Settings > API keys), it is for the Admin API: "
    f"set org_id (or {ORG_ID_ENV}) and leave url unset, and backend auto picks admin (or set backend: admin)"
)


def non_empty_env_fallback(*names: str) -> str:
    """The first of these environment variables that is set and not empty.

    Unlike Ansible's ``env_fallback``, an empty variable does not count: AWX injects every field of a credential,
    rendering unset ones as "", which would otherwise hide ATLASSIAN_EMAIL behind an empty ATLASSIAN_USERNAME, or
    turn an unused ATLASSIAN_BEARER_TOKEN into a conflict with the API token.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def connection_argument_spec() -> dict:
    """Options documented in the ``orgsync.atlassian.connection`` doc fragment."""
    return dict(
        # Not `required=True`: Ansible's own message would not mention the env var, ours does.
        url=dict(type="str", fallback=(non_empty_env_fallback, [URL_ENV])),
        username=dict(type="str", aliases=["email"], fallback=(non_empty_env_fallback, list(USERNAME_ENVS))),
        # "password": what a Data Center server's Basic authentication takes in its place.
        api_token=dict(
            type="str", no_log=True, aliases=["password"], fallback=(non_empty_env_fallback, [API_TOKEN_ENV])
        ),
        bearer_token=dict(type="str", no_log=True, fallback=(non_empty_env_fallback, [BEARER_TOKEN_ENV])),
        validate_certs=dict(type="bool", default=True, fallback=(non_empty_env_fallback, ["ATLASSIAN_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(non_empty_env_fallback, [CA_PATH_ENV])),
        timeout=dict(type="float", default=30.0),
        max_retries=dict(type="int", default=5),
        # Not `choices`: the valid names come from the backend table (_backends._table.BACKENDS), checked with a message
        # that lists them.
        backend=dict(type="str", default=AUTO, fallback=(non_empty_env_fallback, [BACKEND_ENV])),
        # The Admin API's organisation and, when it has several, directory.
        org_id=dict(type="str", fallback=(non_empty_env_fallback, [ORG_ID_ENV])),
        directory_id=dict(type="str", fallback=(non_empty_env_fallback, [DIRECTORY_ID_ENV])),
    )


@dataclass(frozen=True)
class ConnectionSettings:
    """Validated connection options. ``repr`` hides the secrets so that a settings object can be logged."""

    base_url: str
    username: str | None = None
    api_token: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    validate_certs: bool = True
    # A PEM bundle of the CA that signed a Data Center server's certificate (a private CA), or None for the system's.
    ca_path: str | None = None
    timeout: float = 30.0
    max_retries: int = 5
    # "auto", or a name from the backend table.
    backend: str = AUTO
    # The Admin API: the organisation, and the directory when the option names one.
    org_id: str | None = None
    directory_id: str | None = None
    # The proxies the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) gives for base_url, as requests takes them;
    # empty: connect directly. See ``environment_proxies``. Not in repr: a proxy URL may hold the proxy's password.
    proxies: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)
    # A CA bundle named by REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, honoured when ca_path is not set (what requests did
    # before the collection stopped it reading the environment for credentials); None: the system's.
    environment_ca_bundle: str | None = None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redact_url(url: str) -> str:
    """The URL with any ``user:password@`` replaced, for messages: the URL itself may be shown, credentials never."""
    return _USERINFO.sub(lambda m: (m.group(1) or "") + "***@", url, count=1)


def url_userinfo(url: str) -> str | None:
    """The ``user:password`` part of a URL (before the ``@`` of its host), with or without a scheme; None if none."""
    authority = url.strip().split("?", 1)[0].split("#", 1)[0].split("//", 1)[-1].split("/", 1)[0]
    return authority.rpartition("@")[0] if "@" in authority else None


def normalise_base_url(url: str) -> str:
    """Return the site or gateway base URL without a trailing slash, or raise naming what is wrong."""
    url = url.strip()
    if url_userinfo(url) is not None:
        # requests would build Basic auth from it, replacing the configured credentials; and it would show in every
        # message that names the URL. Only the credentials of the task may be sent, so it is refused, unechoed.
        raise ConfigurationError(
            f"url '{redact_url(url)}' holds a user name or password (the part before '@'), which would replace the "
            "credentials the task gives",
            hint="Remove it from url and give the credentials as username and api_token (or bearer_token); "
            "if a password was in url, consider it exposed wherever url was stored, and change it",
        )
    if _URL_FORBIDDEN.search(url):
        raise ConfigurationError(
            f"url {redact_url(url)!r} contains a space, line break or other control character",
            hint="Give the site URL on one line, without spaces (percent-encode them, %20, if the path really has one)",
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            f"url '{url}' has no http(s) scheme or host",
            hint="Give the site URL with its scheme, for example https://acme.atlassian.net "
            "(or https://api.atlassian.com/ex/jira/<cloudId> for scoped tokens and OAuth)",
        )
    path = parts.path.rstrip("/")
    if "/rest/" in path + "/" or path.endswith("/rest"):
        raise ConfigurationError(
            f"url '{url}' already contains a REST API path",
            hint="Give only the site URL, for example https://acme.atlassian.net; "
            "the collection adds the API path (/rest/api/3, /wiki/rest/api) itself",
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"url '{url}' has a query string or fragment", hint="Give only the site URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
        # Basic credentials are only base64, so plain http would send the token readable to anyone on the path.
        raise ConfigurationError(
            f"url '{url}' uses plain http to a host that is not this machine, which would send the credentials "
            "unencrypted",
            hint="Use https:// (plain http is accepted only for loopback addresses such as a local emulator)",
        )
    return f"{parts.scheme}://{parts.netloc}{path}"


def settings_from_params(params: dict) -> ConnectionSettings:
    """Validate the module parameters that describe the connection. Sends nothing."""
    backend = (params.get("backend") or AUTO).strip()
    org_id = (params.get("org_id") or "").strip() or None
    admin = backend == ADMIN or (backend == AUTO and org_id is not None and _may_be_admin(params))
    if admin:
        _check_admin(params, org_id)
        params = {**params, "url": params.get("url") or ADMIN_URL}
    if not params.get("url"):
        hint = f"Set the url option (or the {URL_ENV} environment variable), for example https://acme.atlassian.net"
        if params.get("bearer_token") and not params.get("api_token"):
            hint += f". {ORG_KEY_REMEDY}"
        raise ConfigurationError("No Atlassian site URL was given", hint=hint)
    base_url = normalise_base_url(params["url"])
    username = params.get("username") or None
    api_token = params.get("api_token") or None
    bearer_token = params.get("bearer_token") or None

    check_token_shapes(api_token, bearer_token, username)
    if api_token and bearer_token:
        raise ConfigurationError(
            "Both api_token and bearer_token are set, so it is unclear how to authenticate",
            hint=f"Set only one: api_token (with username, Basic auth) or bearer_token (OAuth 2.0 / Data Center PAT); "
            f"check the {API_TOKEN_ENV} and {BEARER_TOKEN_ENV} environment variables too",
        )
    if not api_token and not bearer_token:
        raise ConfigurationError(
            "No credentials were given",
            hint=f"Set username and api_token (or {USERNAME_ENVS[0]} and {API_TOKEN_ENV}) for an Atlassian Cloud "
            f"API token, or bearer_token ({BEARER_TOKEN_ENV}) for an OAuth 2.0 access token or Data Center PAT",
        )
    if api_token and not username:
        raise ConfigurationError(
            "api_token is set but username is not",
            hint=f"Set username (or {USERNAME_ENVS[0]}) to the email address of the account that owns the API token; "
            "the collection builds the Basic credential from both",
        )
    host = urlsplit(base_url).hostname or ""
    if api_token and host.endswith(".atlassian.net") and "@" not in username:
        raise ConfigurationError(
            f"username '{username}' is not an email address, but Atlassian Cloud API tokens authenticate with the "
            "account's email",
            hint="Set username to the email address of the account that created the API token",
        )
    check_credential_text(username, api_token, bearer_token)
    ca_path = params.get("ca_path") or None
    if ca_path:
        check_ca_path(ca_path)
    timeout = params.get("timeout")
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise ConfigurationError(
            f"timeout must be positive and finite (seconds, at most {MAX_TIMEOUT:g}), got {timeout}",
            hint="Use for example 30 (the default). To bound a whole task, use the task's timeout keyword",
        )
    if params.get("max_retries") is not None and params["max_retries"] < 0:
        raise ConfigurationError(
            f"max_retries must be 0 or more, got {params['max_retries']}", hint="Use for example 5"
        )
    return ConnectionSettings(
        base_url=base_url,
        username=username if api_token else None,
        api_token=api_token,
        bearer_token=bearer_token,
        validate_certs=params.get("validate_certs", True),
        ca_path=ca_path,
        timeout=float(params.get("timeout") or 30.0),
        max_retries=int(params["max_retries"]) if params.get("max_retries") is not None else 5,
        backend=backend,
        # Kept only where it means something: with backend auto, an org_id beside a site's credentials or URL is
        # ignored (see _may_be_admin).
        org_id=org_id if admin or backend != AUTO else None,
        directory_id=(params.get("directory_id") or "").strip() or None,
        proxies=environment_proxies(base_url),
        environment_ca_bundle=os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None,
    )


def check_credential_text(username: str | None, api_token: str | None, bearer_token: str | None) -> None:
    """Credentials that cannot be sent are bad input, said so before any request (requests would fail on them as
    if the network had, and they would be retried as such). Nothing of their value is shown."""
    for option, value in (("username", username), ("api_token", api_token), ("bearer_token", bearer_token)):
        if value and _CONTROL.search(value):
            raise ConfigurationError(
                f"{option} contains a line break or another control character",
                hint=f"Give {option} without it: a value read from a file or pasted often ends with a line break "
                "(the file lookup strips it; a shell's $(cat ...) does too)",
            )
    # A bearer token goes into the Authorization header as it is, where HTTP allows Latin-1 only; no OAuth token, PAT
    # or organisation API key holds anything but ASCII, so another character is a copy-paste mistake. (username and
    # api_token are sent base64-encoded, so any character goes: a Data Center password may well hold an umlaut.)
    if bearer_token and not bearer_token.isascii():
        raise ConfigurationError(
            "bearer_token contains characters that are not ASCII, which no Atlassian token holds",
            hint="Copy bearer_token again from where it was created; look for typographic quotes or dashes, or a "
            "non-breaking space, picked up on the way",
        )


def check_ca_path(ca_path: str) -> None:
    """ca_path must be a readable PEM file of certificates; said before any request, so that a TLS failure later
    is about the server's certificate and not about the file."""
    if not os.path.isfile(ca_path):
        raise ConfigurationError(
            f"ca_path '{ca_path}' is not a file",
            hint=f"Set ca_path (or {CA_PATH_ENV}) to a PEM file holding the certificate of the CA that signed the "
            "server's certificate, on the machine the task runs on",
        )
    try:
        with open(ca_path, "rb") as handle:
            head = handle.read(_CA_READ_LIMIT)
    except OSError as exc:
        raise ConfigurationError(
            f"ca_path '{ca_path}' cannot be read ({exc.strerror or type(exc).__name__})",
            hint="Make the file readable by the user the task runs as",
        ) from None
    if not _PEM_CERTIFICATE.search(head):
        raise ConfigurationError(
            f"ca_path '{ca_path}' is not a PEM file of certificates (it has no '-----BEGIN CERTIFICATE-----' line)",
            hint="Give the CA's certificate in PEM form. A DER (binary .cer/.crt) file converts with: openssl x509 "
            "-inform der -in ca.cer -out ca.pem",
        )


def environment_proxies(base_url: str) -> dict[str, str]:
    """The proxy the environment names for base_url: HTTPS_PROXY (or HTTP_PROXY for an http:// URL, or ALL_PROXY),
    unless NO_PROXY covers the host; {} for a direct connection.

    Read deliberately, because the client tells requests to ignore its environment (``trust_env`` off), which is
    how ~/.netrc credentials are kept out; users behind a corporate proxy need the proxy still. Plain http is
    accepted only to this machine (``normalise_base_url``) and that must hold through a proxy too: an http:// URL
    whose proxy is another host would carry the credentials to it unencrypted, so it is refused. (An https:// URL
    goes through a proxy in a CONNECT tunnel: the proxy sees the host, never the credentials.)
    """
    try:
        from requests.utils import get_environ_proxies, select_proxy
    except ImportError:  # pragma: no cover - the module reports missing requests itself
        return {}
    proxies = {k: v for k, v in get_environ_proxies(base_url).items() if k != "no" and v}
    proxy = select_proxy(base_url, proxies)
    if proxy and urlsplit(base_url).scheme == "http":
        proxy_host = urlsplit(proxy if "//" in proxy else f"http://{proxy}").hostname or ""
        if not _is_loopback(proxy_host):
            raise ConfigurationError(
                f"url '{base_url}' uses plain http, and the environment sends it through the proxy "
                f"{redact_url(proxy)} (HTTP_PROXY or ALL_PROXY), which would receive the credentials unencrypted",
                hint=f"Add {urlsplit(base_url).hostname} to NO_PROXY (a loopback address needs no proxy), or use "
                "https://",
            )
    return proxies


def _may_be_admin(params: dict) -> bool:
    """With ``backend: auto``, whether an ``org_id`` means the Admin API. Not with a site's credentials (Basic) or
    any URL but the Admin API's own (or a local one, an emulator's): an ``ATLASSIAN_ORG_ID`` left in the environment
    (or in an AWX credential) must not turn a site task into an Admin API one, and a Data Center server with a
    personal access token (a bearer token too) is a site."""
    if params.get("api_token") and not params.get("bearer_token"):
        return False
    parts = urlsplit(params.get("url") or ADMIN_URL)
    host = (parts.hostname or "").lower()
    return (host == urlsplit(ADMIN_URL).hostname and not parts.path.startswith("/ex/")) or _is_loopback(host)


def _check_admin(params: dict, org_id: str | None) -> None:
    """The Admin API wants an organisation and an organisation API key (a bearer token), nothing else."""
    if org_id is None:
        raise ConfigurationError(
            "backend admin needs org_id",
            hint=f"Set org_id (or {ORG_ID_ENV}) to the organisation's id: admin.atlassian.com > Settings > API keys "
            "shows it next to the key",
        )
    if params.get("api_token") and not params.get("bearer_token"):
        raise ConfigurationError(
            "The Admin API does not take username and api_token (Basic authentication)",
            hint=f"Pass the organisation API key as bearer_token (or {BEARER_TOKEN_ENV}); create one in "
            "admin.atlassian.com > Settings > API keys. A personal API token (id.atlassian.com) does not work there",
        )


# What base64 text looks like; ``base64`` wraps its output, so whitespace inside is dropped before this is asked.
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_LOOKS_LIKE_EMAIL = re.compile(r"^[^@\s:]+@[^@\s:]+\.[^@\s:]+$")


def check_token_shapes(api_token: str | None, bearer_token: str | None, username: str | None) -> None:
    """Refuse, before any request, a secret that is visibly not the raw token: the value of an Authorization header
    (``Basic ...``, ``Bearer ...``), or base64 of ``email:token`` (what curl examples build by hand). Atlassian
    would answer only 401, whose checklist cannot tell which slip it was.

    The message never holds the secret: of a decoded value, only the part before the colon, and only when it is an
    email address or the username given (a value that decodes to anything else is taken for a token as it is: a
    Data Center personal access token is base64 too, of an id and random bytes).
    """
    for option, value in (("api_token", api_token), ("bearer_token", bearer_token)):
        scheme = (value or "").lstrip()[:7].lower()
        if scheme.startswith("basic "):
            raise ConfigurationError(
                f"{option} starts with 'Basic ': that is the value of an Authorization header, not a token",
                hint="Pass the raw API token as api_token and the account's email as username: the collection "
                "builds base64(email:api_token) and the header itself",
            )
        if scheme.startswith("bearer "):
            where = "alone in bearer_token" if option == "bearer_token" else "in bearer_token, without 'Bearer '"
            raise ConfigurationError(
                f"{option} starts with 'Bearer ': that is the value of an Authorization header, not a token",
                hint=f"Pass an OAuth 2.0 access token or a Data Center personal access token {where} (the collection "
                "adds 'Bearer ' itself); an Atlassian API token goes in api_token, as it is",
            )
        name = _encoded_login(value or "", username)
        if name is not None:
            raise ConfigurationError(
                f"{option} looks base64-encoded: it decodes to {name}:..., a login and a secret, as an Authorization "
                "header's Basic credential holds them",
                hint="Pass the raw API token (what followed the colon before encoding) as api_token and "
                f"{name} as username: the collection encodes them itself",
            )


def _encoded_login(value: str, username: str | None) -> str | None:
    """The login that ``value`` holds as base64 of ``login:secret`` (an email address, or ``username``), else None."""
    text = "".join(value.split())
    if len(text) < 8 or not _BASE64.match(text):
        return None
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    decoded = decoded.rstrip("\r\n")
    login, colon, secret = decoded.partition(":")
    if not colon or not secret or not decoded.isprintable():
        return None
    if _LOOKS_LIKE_EMAIL.match(login) or (username and login.casefold() == username.strip().casefold()):
        return login
    return None
