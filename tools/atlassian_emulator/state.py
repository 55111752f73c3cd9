# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The emulated site's directory: users, groups, memberships and credentials.

Pure data and operations, no HTTP. Every public method takes the one state lock, so a threaded server can call them
from concurrent requests; callers that need several operations to be consistent hold ``state.lock`` (an RLock) around
them.
"""

from __future__ import annotations

import hmac
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any


class StateError(Exception):
    """Base class for the directory's refusals; the app maps each subclass to an HTTP answer."""


class UnknownUser(StateError, LookupError):
    pass


class AmbiguousUser(StateError, LookupError):
    pass


class UnknownGroup(StateError, LookupError):
    pass


class AlreadyMember(StateError):
    pass


class NotMember(StateError):
    pass


class GroupNameInUse(StateError):
    pass


class UnknownDirectory(StateError, LookupError):
    pass


class UserNameInUse(StateError):
    """An account with this username (or, on Cloud, email) exists already."""


ACCOUNT_TYPES = ("atlassian", "app", "customer", "unknown")


@dataclass(frozen=True)
class User:
    account_id: str
    display_name: str
    email: str | None = None
    active: bool = True
    account_type: str = "atlassian"
    email_hidden: bool = False
    time_zone: str = "Etc/UTC"
    locale: str = "en_US"
    app_type: str | None = None
    # Data Center's name for the account (Cloud no longer shows one); the seed's, or the accountId.
    username: str = ""
    # False: a managed account the organisation has not added to its directory (never invited); the Admin API finds it
    # with status not_invited and refuses to add it to a group (404 "User not found").
    in_directory: bool = True
    # The account lifecycle (issue 18). suspended: the organisation suspended its access in the directory (the Admin
    # API's status suspended; the site APIs show it inactive: ``active`` is False while it lasts). invited: created
    # by an invitation not yet accepted (the Admin API shows emailVerified false; nothing else tells). product_access:
    # whether the account may use the site's Jira (Jira Cloud's createUser answers 400 for an account without it).
    suspended: bool = False
    invited: bool = False
    product_access: bool = True

    def __post_init__(self) -> None:
        if not self.username:
            object.__setattr__(self, "username", self.account_id)

    @property
    def sort_key(self) -> tuple[str, str]:
        # Jira orders members by username, which Cloud no longer reveals; display name then accountId is a stable
        # stand-in that a client cannot mistake for a meaningful order.
        return (self.display_name.casefold(), self.account_id)

    @property
    def visible_email(self) -> str | None:
        return None if self.email_hidden else self.email


# What a group can grant in a product: Jira's and Confluence's accessType values.
ACCESS_TYPES = ("user", "admin", "site-admin")


@dataclass(frozen=True)
class GroupRef:
    """A snapshot of a group's identity, safe to use after the lock is released."""

    name: str
    group_id: str
    # product ("jira", "confluence") -> access type the group grants there (ACCESS_TYPES)
    access: tuple[tuple[str, str], ...] = ()
    # What the organisation's directory (the Admin API) says besides: the directory that holds the group, its
    # description, whether an identity provider syncs it (SCIM: its members are changed there, never here), and
    # whether it is a role's default group (which cannot be deleted).
    directory_id: str = ""
    description: str = ""
    external_synced: bool = False
    default_group: bool = False

    def grants(self, product: str) -> str | None:
        return dict(self.access).get(product)

    @property
    def grants_admin(self) -> bool:
        """Membership makes its members admins of a product (or of the site)."""
        return any(level in ("admin", "site-admin") for _product, level in self.access)


@dataclass
class _Group:
    name: str
    group_id: str
    members: set[str] = field(default_factory=set)
    # Members in listing order, rebuilt after a change: paging through a big group must not re-sort per page.
    ordered: list[User] | None = None
    access: tuple[tuple[str, str], ...] = ()
    directory_id: str = ""
    description: str = ""
    external_synced: bool = False
    default_group: bool = False

    def ref(self) -> GroupRef:
        return GroupRef(
            self.name,
            self.group_id,
            self.access,
            self.directory_id,
            self.description,
            self.external_synced,
            self.default_group,
        )


@dataclass(frozen=True)
class Directory:
    directory_id: str
    name: str


@dataclass(frozen=True)
class Org:
    """The Atlassian organisation the site belongs to, as the Admin API shows it: its id, name and directories. The
    site's users and groups are its first directory's unless a group names another."""

    org_id: str
    name: str
    directories: tuple[Directory, ...]

    def directory(self, directory_id: str) -> Directory | None:
        return next((d for d in self.directories if d.directory_id == directory_id), None)


@dataclass(frozen=True)
class Credential:
    """One way to authenticate: Basic (email + API token), Bearer (OAuth access token / PAT), or an organisation API
    key (a Bearer token the Admin API takes, and only it): ``org_id`` set. A key need not name an account."""

    account_id: str
    site_admin: bool = False
    email: str | None = None
    api_token: str | None = None
    bearer_token: str | None = None
    org_id: str | None = None
    # An organisation API key created with scopes: the Admin API's user and group endpoints are not among the scopes
    # one can choose (Atlassian AX-1798), so such a key is refused on the account writes (knob-free: the seed says).
    scopes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.org_id is not None:
            return "org_api_key"
        return "bearer" if self.bearer_token is not None else "basic"


def _same_secret(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


class State:
    """Users, groups and credentials of one emulated site."""

    def __init__(
        self,
        users: Iterable[User],
        groups: Iterable[tuple[str, str, Iterable[str]]],
        credentials: Iterable[Credential],
        site: str = "https://acme.atlassian.net",
        access: dict[str, dict[str, str]] | None = None,
        org: Org | None = None,
        group_details: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """``groups`` are (name, groupId, member accountIds); ``access`` maps a groupId to what the group grants in
        each product, e.g. ``{"6e87dc72-...": {"confluence": "user"}}``; ``group_details`` maps a groupId to what the
        directory says besides (``_Group`` fields: directory_id, description, external_synced, default_group).
        ``org`` is the organisation (one directory named after the site unless given). A name is unique within a
        directory; the organisation's directories may each have a group of one name (the Admin API shows them all;
        a lookup by name without a directory finds the first)."""
        self.lock = threading.RLock()
        self.site = site
        self.org = org or default_org(site)
        self.users: dict[str, User] = {}
        for user in users:
            if user.account_id in self.users:
                raise ValueError(f"duplicate accountId {user.account_id!r}")
            if any(u.username.casefold() == user.username.casefold() for u in self.users.values()):
                raise ValueError(f"duplicate username {user.username!r}")
            self.users[user.account_id] = user
        self.groups: dict[str, _Group] = {}
        for name, group_id, members in groups:
            details = dict((group_details or {}).get(group_id, {}))
            directory_id = details.pop("directory_id", None) or self.org.directories[0].directory_id
            if self.org.directory(directory_id) is None:
                raise ValueError(f"group {name!r}: unknown directory {directory_id!r}")
            group = self._insert_group(name, group_id, directory_id)
            group.access = tuple(sorted((access or {}).get(group_id, {}).items()))
            for key, value in details.items():
                setattr(group, key, value)
            for account_id in members:
                if account_id not in self.users:
                    raise ValueError(f"group {name!r}: unknown member {account_id!r}")
                if not self.users[account_id].in_directory:
                    raise ValueError(f"group {name!r}: {account_id!r} is not in the organisation's directory")
                self.groups[group_id].members.add(account_id)
        self.credentials: list[Credential] = list(credentials)
        for cred in self.credentials:
            if cred.org_id is not None and cred.org_id != self.org.org_id:
                raise ValueError(f"an organisation API key for unknown organisation {cred.org_id!r}")
            if cred.org_id is not None and not cred.account_id:
                continue  # an organisation API key that names no account
            if cred.account_id not in self.users:
                raise ValueError(f"credential for unknown accountId {cred.account_id!r}")

    # -- lookups -------------------------------------------------------------------------------------------------

    def user(self, account_id: str) -> User | None:
        with self.lock:
            return self.users.get(account_id)

    def all_users(self) -> list[User]:
        with self.lock:
            return sorted(self.users.values(), key=lambda u: u.sort_key)

    def user_named(self, username: str) -> User | None:
        """The account with this Data Center username (case-insensitive, as Data Center's are)."""
        wanted = username.casefold()
        with self.lock:
            return next((u for u in self.users.values() if u.username.casefold() == wanted), None)

    def users_with_email(self, email: str) -> list[User]:
        wanted = email.casefold()
        with self.lock:
            return sorted(
                (u for u in self.users.values() if u.email is not None and u.email.casefold() == wanted),
                key=lambda u: u.sort_key,
            )

    def resolve_user(self, ref: str) -> User:
        """An accountId, or an email that belongs to exactly one account."""
        with self.lock:
            if ref in self.users:
                return self.users[ref]
            found = self.users_with_email(ref)
        if not found:
            raise UnknownUser(ref)
        if len(found) > 1:
            raise AmbiguousUser(f"{ref!r} is the email of {len(found)} accounts; use an accountId")
        return found[0]

    def find_group(self, name: str | None = None, group_id: str | None = None) -> GroupRef:
        """By groupId (exact), or by name (case-insensitive, as Jira's group names are)."""
        with self.lock:
            if group_id is not None:
                group = self.groups.get(group_id)
            else:
                group = self._group_by_name(name or "")
            if group is None:
                raise UnknownGroup(group_id if group_id is not None else name)
            return group.ref()

    def lookup_group(self, ref: str) -> GroupRef:
        """A groupId or a group name, for the Python API where callers do not say which."""
        with self.lock:
            if ref in self.groups:
                return self.groups[ref].ref()
            return self.find_group(name=ref)

    def all_groups(self) -> list[GroupRef]:
        with self.lock:
            return sorted((g.ref() for g in self.groups.values()), key=lambda g: (g.name.casefold(), g.group_id))

    def directory_groups(self, directory_id: str | None) -> list[GroupRef]:
        """The groups of one of the organisation's directories (None: of every directory), in listing order."""
        return [g for g in self.all_groups() if directory_id is None or g.directory_id == directory_id]

    def licensed_users(self, product: str) -> set[str]:
        """Active accounts that some group gives access to ``product`` (what an app's user limit counts)."""
        with self.lock:
            return {
                account_id
                for group in self.groups.values()
                if dict(group.access).get(product)
                for account_id in group.members
                if self.users[account_id].active
            }

    def member_ids(self, group_id: str) -> set[str]:
        with self.lock:
            return set(self._group(group_id).members)

    def members(self, group_id: str, include_inactive: bool = True) -> list[User]:
        """The group's members in listing order (display name, then accountId)."""
        with self.lock:
            group = self._group(group_id)
            if group.ordered is None:
                group.ordered = sorted((self.users[a] for a in group.members), key=lambda u: u.sort_key)
            ordered = group.ordered
        return list(ordered) if include_inactive else [u for u in ordered if u.active]

    def groups_of(self, account_id: str) -> list[GroupRef]:
        with self.lock:
            if account_id not in self.users:
                raise UnknownUser(account_id)
            refs = [g.ref() for g in self.groups.values() if account_id in g.members]
        return sorted(refs, key=lambda g: (g.name.casefold(), g.group_id))

    def search_users(self, query: str) -> list[User]:
        """Active users whose display name, a word of it, or email starts with ``query`` (case-insensitive).

        A user who hides their email is found by email only when the query is the whole address, which is how
        Atlassian's privacy controls behave ("an exact match is required").
        """
        q = query.strip().casefold()
        if not q:
            return []
        with self.lock:
            users = list(self.users.values())
        found = []
        for user in users:
            if not user.active:
                continue
            name = user.display_name.casefold()
            hit = name.startswith(q) or any(word.startswith(q) for word in name.split())
            if not hit and user.email:
                email = user.email.casefold()
                hit = email == q if user.email_hidden else email.startswith(q)
            if hit:
                found.append(user)
        return sorted(found, key=lambda u: u.sort_key)

    # -- mutations -----------------------------------------------------------------------------------------------

    def create_user(self, user: User, *, unique_email: bool = True) -> User:
        """Add an account (an invitation or a Data Center creation). With ``unique_email`` (Cloud: one address, one
        Atlassian account) an email already held is refused like a duplicate id or username."""
        with self.lock:
            if user.account_id in self.users:
                raise ValueError(f"duplicate accountId {user.account_id!r}")
            if any(u.username.casefold() == user.username.casefold() for u in self.users.values()):
                raise UserNameInUse(user.username)
            if unique_email and user.email and self.users_with_email(user.email):
                raise UserNameInUse(user.email)
            self.users[user.account_id] = user
            return user

    def update_user(self, account_id: str, **changes: Any) -> User:
        """Replace fields of an account (suspend, restore, deactivate, accept an invitation); every cached member
        listing it appears in is rebuilt."""
        with self.lock:
            user = self.users.get(account_id)
            if user is None:
                raise UnknownUser(account_id)
            updated = replace(user, **changes)
            self.users[account_id] = updated
            for group in self.groups.values():
                if account_id in group.members:
                    group.ordered = None
            return updated

    def add_member(self, group_id: str, account_id: str) -> None:
        with self.lock:
            group = self._group(group_id)
            if account_id not in self.users:
                raise UnknownUser(account_id)
            if account_id in group.members:
                raise AlreadyMember(account_id)
            group.members.add(account_id)
            group.ordered = None

    def remove_member(self, group_id: str, account_id: str) -> None:
        with self.lock:
            group = self._group(group_id)
            if account_id not in self.users:
                raise UnknownUser(account_id)
            if account_id not in group.members:
                raise NotMember(account_id)
            group.members.discard(account_id)
            group.ordered = None

    def create_group(
        self, name: str, group_id: str | None = None, *, description: str = "", directory_id: str | None = None
    ) -> GroupRef:
        """A new, empty group. In a directory given (the Admin API), its name must be new there; another directory
        may have a group of that name. Without one (the site APIs), it must be new to the whole site."""
        with self.lock:
            if directory_id is not None and self.org.directory(directory_id) is None:
                raise UnknownDirectory(directory_id)
            if self._group_by_name(name, directory_id) is not None:
                raise GroupNameInUse(name)
            group = self._insert_group(name, group_id or str(uuid.uuid4()), directory_id)
            group.description = description
            return group.ref()

    def delete_group(self, group_id: str) -> None:
        with self.lock:
            self._group(group_id)
            del self.groups[group_id]

    # -- credentials ---------------------------------------------------------------------------------------------

    def credential_for_basic(self, login: str, secret: str) -> Credential | None:
        """Basic auth: the login is the credential's email (Cloud) or its account's username (Data Center)."""
        wanted = login.casefold()
        with self.lock:
            for cred in self.credentials:
                user = self.users.get(cred.account_id)
                logins = {cred.email.casefold() if cred.email else None, user.username.casefold() if user else None}
                if wanted in logins and _same_secret(secret, cred.api_token):
                    return cred
        return None

    def credential_for_bearer(self, token: str, *, org_api_key: bool = False) -> Credential | None:
        """The Bearer credential with this token: a site's (OAuth token, PAT), or with ``org_api_key`` an
        organisation API key. Neither kind works where the other is expected."""
        with self.lock:
            for cred in self.credentials:
                if (cred.org_id is not None) == org_api_key and _same_secret(token, cred.bearer_token):
                    return cred
        return None

    # -- views ---------------------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Groups with their member accountIds and the users, for /_emulator/state. Never includes secrets."""
        with self.lock:
            groups = [
                {"name": g.name, "groupId": g.group_id, "members": sorted(self.groups[g.group_id].members)}
                for g in self.all_groups()
            ]
            users = [
                {
                    "accountId": u.account_id,
                    "username": u.username,
                    "displayName": u.display_name,
                    "email": u.email,
                    "active": u.active,
                    "accountType": u.account_type,
                    "emailHidden": u.email_hidden,
                    "inDirectory": u.in_directory,
                    "suspended": u.suspended,
                    "invited": u.invited,
                }
                for u in sorted(self.users.values(), key=lambda u: u.sort_key)
            ]
        return {"site": self.site, "groups": groups, "users": users}

    # -- internals -----------------------------------------------------------------------------------------------

    def _group(self, group_id: str) -> _Group:
        group = self.groups.get(group_id)
        if group is None:
            raise UnknownGroup(group_id)
        return group

    def _group_by_name(self, name: str, directory_id: str | None = None) -> _Group | None:
        """The group with this name (case-insensitive): in the directory given, else the first of any directory."""
        wanted = name.casefold()
        for group in self.groups.values():
            if group.name.casefold() == wanted and directory_id in (None, group.directory_id):
                return group
        return None

    def _insert_group(self, name: str, group_id: str, directory_id: str | None = None) -> _Group:
        if not name:
            raise ValueError("a group needs a name")
        if group_id in self.groups:
            raise ValueError(f"duplicate groupId {group_id!r}")
        directory_id = directory_id or self.org.directories[0].directory_id
        if self._group_by_name(name, directory_id) is not None:
            raise ValueError(f"duplicate group name {name!r} in directory {directory_id!r}")
        group = _Group(name, group_id, directory_id=directory_id)
        self.groups[group_id] = group
        return group


# Ids of an organisation the seed does not describe are derived from the site, so they are the same every run.
_ORG_NAMESPACE = uuid.UUID("0c9a3f52-6d1e-4b7a-8f2c-5e4d3c2b1a09")


def default_org(site: str) -> Org:
    """The organisation of a seed that names none: one directory, named after the site's host."""
    host = site.split("://", 1)[-1].split("/", 1)[0] or "site"
    org_id = str(uuid.uuid5(_ORG_NAMESPACE, f"org:{host}"))
    directory = Directory(str(uuid.uuid5(_ORG_NAMESPACE, f"directory:{host}")), host.split(".", 1)[0])
    return Org(org_id, host.split(".", 1)[0], (directory,))
