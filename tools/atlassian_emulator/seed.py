# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Seed files: YAML (or a dict) describing the site's users, groups, credentials and knobs.

Seeds are validated strictly (unknown keys are errors) because a typo in a seed silently changes what a test proves.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .products import CLOUD_PRODUCTS, PRODUCTS
from .state import ACCESS_TYPES, ACCOUNT_TYPES, Credential, Directory, Org, State, User

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
DEFAULT_SEED_PATH = SEEDS_DIR / "default.yaml"
DEMO_SEED_PATH = SEEDS_DIR / "demo.yaml"

# groupIds that a seed leaves out are derived from the name, so a seed always yields the same ids.
_GROUP_ID_NAMESPACE = uuid.UUID("6f1c1c52-3a43-4c4e-9d0a-6b0c5d3e9a10")

_SEED_KEYS = {"site", "products", "org", "users", "groups", "credentials", "generate", "knobs"}
# The product APIs a site can serve are products.PRODUCTS; a site serves Jira unless its seed says otherwise. A site is
# Atlassian Cloud (Jira and/or Confluence, and the organisation's Admin API, over one directory) or one Data Center
# server (one product).
DEFAULT_PRODUCTS = ("jira",)
_USER_KEYS = {
    "account_id",
    "username",
    "email",
    "display_name",
    "active",
    "account_type",
    "email_hidden",
    "time_zone",
    "locale",
    "app_type",
    "in_directory",
    "datacenter_only",
    "suspended",
    "invited",
    "product_access",
}
# directory_id .. default_group: what the organisation's directory (the Admin API) says of a group besides.
_GROUP_KEYS = {
    "name",
    "group_id",
    "members",
    "access",
    "directory_id",
    "description",
    "external_synced",
    "default_group",
}
_CREDENTIAL_KEYS = {"email", "api_token", "bearer_token", "account_id", "site_admin", "org_id", "scopes"}
_ORG_KEYS = {"org_id", "name", "directories"}
_DIRECTORY_KEYS = {"directory_id", "name"}
_GENERATE_KEYS = {
    "group",
    "group_id",
    "members",
    "email_domain",
    "inactive_every",
    "hidden_every",
    "display_prefix",
    "access",
}


class SeedError(ValueError):
    """The seed is malformed; the message names the offending entry."""


def load_seed(path: str | Path) -> dict[str, Any]:
    """Read a YAML seed file into a dict (validation happens when an Emulator is built from it)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise SeedError(f"{path}: a seed must be a mapping")
    return data


def _check_keys(where: str, entry: Any, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where}: expected a mapping, got {entry!r}")
    unknown = set(entry) - allowed
    if unknown:
        raise SeedError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    return entry


def check_products(where: str, products: Any) -> tuple[str, ...]:
    """A non-empty list of known products, in the order given, without repeats."""
    if isinstance(products, str) or not products or any(p not in PRODUCTS for p in products):
        raise SeedError(f"{where}: products must be a non-empty list of {list(PRODUCTS)}, got {products!r}")
    products = tuple(dict.fromkeys(products))
    if len(products) > 1 and any(p not in CLOUD_PRODUCTS for p in products):
        raise SeedError(f"{where}: a Data Center server serves one product, got {list(products)}")
    return products


def _access(where: str, value: Any) -> dict[str, str]:
    """{product: access type} for a group: what membership grants in each product."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or any(p not in PRODUCTS or a not in ACCESS_TYPES for p, a in value.items()):
        raise SeedError(f"{where}: access must map products {list(PRODUCTS)} to one of {list(ACCESS_TYPES)}")
    return dict(value)


def default_group_id(name: str) -> str:
    return str(uuid.uuid5(_GROUP_ID_NAMESPACE, name))


def _user(where: str, entry: Mapping[str, Any]) -> User:
    for key in ("account_id", "display_name"):
        if not entry.get(key):
            raise SeedError(f"{where}: {key} is required")
    account_type = entry.get("account_type", "atlassian")
    if account_type not in ACCOUNT_TYPES:
        raise SeedError(f"{where}: account_type must be one of {ACCOUNT_TYPES}")
    return User(
        account_id=str(entry["account_id"]),
        display_name=str(entry["display_name"]),
        email=entry.get("email"),
        active=bool(entry.get("active", True)) and not entry.get("suspended", False),
        account_type=account_type,
        email_hidden=bool(entry.get("email_hidden", False)),
        time_zone=str(entry.get("time_zone", "Etc/UTC")),
        locale=str(entry.get("locale", "en_US")),
        app_type=entry.get("app_type"),
        username=str(entry.get("username") or ""),
        in_directory=bool(entry.get("in_directory", True)),
        # A suspended account is inactive on the site APIs while it lasts (state.User.suspended).
        suspended=bool(entry.get("suspended", False)),
        invited=bool(entry.get("invited", False)),
        product_access=bool(entry.get("product_access", True)),
    )


def _org(entry: Any) -> Org | None:
    """The organisation the Admin API shows (None: one derived from the site, with one directory)."""
    if entry is None:
        return None
    _check_keys("org", entry, _ORG_KEYS)
    directories = []
    for i, item in enumerate(entry.get("directories") or []):
        where = f"org.directories[{i}]"
        _check_keys(where, item, _DIRECTORY_KEYS)
        if not item.get("directory_id") or not item.get("name"):
            raise SeedError(f"{where}: directory_id and name are required")
        directories.append(Directory(str(item["directory_id"]), str(item["name"])))
    if not entry.get("org_id") or not entry.get("name") or not directories:
        raise SeedError("org: org_id, name and at least one directory are required")
    return Org(str(entry["org_id"]), str(entry["name"]), tuple(directories))


def _generated(where: str, spec: Mapping[str, Any]) -> tuple[str, str | None, list[User]]:
    group = spec.get("group")
    count = spec.get("members")
    if not group or not isinstance(count, int) or count < 0:
        raise SeedError(f"{where}: needs group and a non-negative integer members")
    domain = spec.get("email_domain", "bulk.example")
    inactive_every = int(spec.get("inactive_every") or 0)
    hidden_every = int(spec.get("hidden_every") or 0)
    prefix = spec.get("display_prefix") or f"{group} member"
    users = []
    for i in range(1, count + 1):
        # 24 hex digits, the shape of classic Atlassian accountIds, derived from the group and index so that
        # regenerating a seed gives the same ids.
        account_id = hashlib.sha1(f"{group}:{i}".encode()).hexdigest()[:24]
        users.append(
            User(
                account_id=account_id,
                display_name=f"{prefix} {i:04d}",
                email=f"{group}-{i:04d}@{domain}",
                active=not (inactive_every and i % inactive_every == 0),
                email_hidden=bool(hidden_every and i % hidden_every == 0),
                username=f"{group}-{i:04d}",
            )
        )
    return str(group), spec.get("group_id"), users


def _check_unique_emails(users: list[User], origin: dict[str, str]) -> None:
    """On Atlassian Cloud an Atlassian account is an email identity: one address, one account (app and customer
    accounts are not Atlassian accounts, and may share one). A seed that gives two of them one email describes a
    site Atlassian cannot have."""
    holders: dict[str, User] = {}
    for user in users:
        if user.account_type != "atlassian" or not user.email:
            continue
        first = holders.setdefault(user.email.casefold(), user)
        if first is not user:
            raise SeedError(
                f"{origin[user.account_id]}: {user.account_id!r} ({user.display_name}) has the email {user.email!r} of "
                f"{first.account_id!r} ({first.display_name}, {origin[first.account_id]}), but on Atlassian Cloud an "
                "email address belongs to one Atlassian account at most; mark an account that only a Data Center "
                "server may have with datacenter_only: true"
            )


def state_from_seed(seed: Mapping[str, Any], products: tuple[str, ...] = DEFAULT_PRODUCTS) -> State:
    """Build a fresh State from a seed dict (see seeds/default.yaml for the format), for a site serving
    ``products``: on Atlassian Cloud (jira, confluence, admin) the users marked ``datacenter_only`` do not exist
    (nor their memberships), and two Atlassian accounts may not share an email."""
    _check_keys("seed", seed, _SEED_KEYS)
    cloud = any(p in CLOUD_PRODUCTS for p in products)
    users: list[User] = []
    origin: dict[str, str] = {}  # accountId -> the seed entry that made it, for messages
    # accountIds and usernames (casefolded) of the users this site does not have, so that their memberships go too.
    skipped: set[str] = set()
    for i, entry in enumerate(seed.get("users") or []):
        user = _user(f"users[{i}]", _check_keys(f"users[{i}]", entry, _USER_KEYS))
        if cloud and entry.get("datacenter_only"):
            skipped.update({user.account_id.casefold(), user.username.casefold()})
            continue
        users.append(user)
        origin.setdefault(user.account_id, f"users[{i}]")

    groups: dict[str, tuple[str, list[str]]] = {}  # name -> (group_id, member accountIds)
    access: dict[str, dict[str, str]] = {}
    generated_members: dict[str, list[str]] = {}
    for i, spec in enumerate(seed.get("generate") or []):
        where_generated = f"generate[{i}]"
        name, group_id, made = _generated(where_generated, _check_keys(where_generated, spec, _GENERATE_KEYS))
        access[name] = {**access.get(name, {}), **_access(where_generated, spec.get("access"))}
        users.extend(made)
        for user in made:
            origin.setdefault(user.account_id, where_generated)
        generated_members.setdefault(name, []).extend(u.account_id for u in made)
        if group_id:
            groups[name] = (str(group_id), [])

    by_id = {u.account_id: u for u in users}
    if len(by_id) != len(users):
        raise SeedError("duplicate account_id in users")
    if cloud:
        _check_unique_emails(users, origin)

    def resolve(where: str, ref: str) -> str:
        """A user named by accountId, Data Center username (a seed written for a server names people so) or email."""
        if ref in by_id:
            return ref
        named = [u.account_id for u in users if u.username and u.username.casefold() == str(ref).casefold()]
        if len(named) == 1:
            return named[0]
        matches = [u.account_id for u in users if u.email and u.email.casefold() == str(ref).casefold()]
        if len(matches) != 1:
            problem = (
                "is not a known accountId, username or email"
                if not matches
                else "is an email shared by several accounts"
            )
            raise SeedError(f"{where}: {ref!r} {problem}")
        return matches[0]

    # Groups by key: the name, or for a name given again in another directory of the organisation (the Admin API
    # allows one name in several directories), "<name>@<directory_id>".
    listed: dict[str, list[str | None]] = {}  # name -> the directory_id of each of its entries
    details: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for i, entry in enumerate(seed.get("groups") or []):
        where = f"groups[{i}]"
        _check_keys(where, entry, _GROUP_KEYS)
        name = entry.get("name")
        if not name:
            raise SeedError(f"{where}: name is required")
        directory = entry.get("directory_id")
        seen = listed.setdefault(name, [])
        if directory in seen:
            raise SeedError(
                f"{where}: group {name!r} is listed twice (a name may be given again only in another directory of "
                "the organisation: directory_id)"
            )
        key = f"{name}@{directory}" if seen else name
        seen.append(directory)
        names[key] = name
        access[key] = {**access.get(key, {}), **_access(where, entry.get("access"))}
        # A generate entry may already have named this group's id.
        default = default_group_id(name) if key == name else default_group_id(f"{directory}/{name}")
        group_id = entry.get("group_id") or (groups[key][0] if key in groups else default)
        members = [m for m in entry.get("members") or [] if str(m).casefold() not in skipped]
        groups[key] = (str(group_id), [resolve(where, m) for m in members])
        details[key] = {
            field: entry[field]
            for field in ("directory_id", "description", "external_synced", "default_group")
            if field in entry
        }
    for name, members in generated_members.items():
        group_id, listed_members = groups.get(name, (default_group_id(name), []))
        groups[name] = (group_id, listed_members + members)

    credentials = []
    for i, entry in enumerate(seed.get("credentials") or []):
        where = f"credentials[{i}]"
        _check_keys(where, entry, _CREDENTIAL_KEYS)
        admin = bool(entry.get("site_admin", False))
        if entry.get("org_id"):
            # An organisation API key: a bearer token for the Admin API only, which need not name an account.
            if not entry.get("bearer_token") or entry.get("email") or entry.get("api_token"):
                raise SeedError(f"{where}: an organisation API key is a bearer_token with org_id, nothing else")
            credentials.append(
                Credential(
                    str(entry.get("account_id") or ""),
                    bearer_token=str(entry["bearer_token"]),
                    org_id=str(entry["org_id"]),
                    scopes=tuple(str(scope) for scope in entry.get("scopes") or ()),
                )
            )
        elif entry.get("bearer_token"):
            if not entry.get("account_id") or entry["account_id"] not in by_id:
                raise SeedError(f"{where}: a bearer credential needs the account_id of a seeded user")
            credentials.append(Credential(str(entry["account_id"]), admin, bearer_token=str(entry["bearer_token"])))
        elif entry.get("email") and entry.get("api_token"):
            # account_id disambiguates an email shared by several accounts.
            account_id = entry.get("account_id") or resolve(where, entry["email"])
            if account_id not in by_id:
                raise SeedError(f"{where}: unknown account_id {account_id!r}")
            credentials.append(
                Credential(str(account_id), admin, email=str(entry["email"]), api_token=str(entry["api_token"]))
            )
        else:
            raise SeedError(f"{where}: needs email + api_token (Basic) or bearer_token + account_id (Bearer)")

    try:
        return State(
            users,
            [(names.get(key, key), gid, members) for key, (gid, members) in groups.items()],
            credentials,
            site=str(seed.get("site") or "https://acme.atlassian.net"),
            access={groups[key][0]: value for key, value in access.items() if key in groups},
            org=_org(seed.get("org")),
            group_details={groups[key][0]: value for key, value in details.items()},
        )
    except ValueError as exc:
        raise SeedError(str(exc)) from exc
