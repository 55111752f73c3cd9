# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""The backend contract: what a backend is, what it declares, and the capabilities it may have.

A backend is one file of this package (``jira_cloud.py``, ``admin.py``, ...) holding a subclass of ``Backend`` and of
the capabilities its API has, and one line in the table of ``__init__.py``. A capability is one small contract:

- ``Membership``: find a group, read its members, find users, add and remove members, know the caller;
- ``GroupLifecycle``: create and delete groups, and say what a group grants;
- ``AccountLifecycle``: find accounts with their status, create (invite) them, suspend and restore them.

A module asks for the capabilities it needs (``_backends._table.require``), and a backend without one is refused before any
request, with the backends that have it named. Everything above a backend (the services, the planner, the modules)
speaks only these contracts; everything below it (``_client.py``) knows only HTTP. A backend owns its product's
knowledge: paths, paging style, how error bodies read and what to advise for each status (worded by the Cloud and
Data Center bases, ``_cloud.py`` and ``_datacenter.py``), how the caller is identified, and how a user reference
becomes an account.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Iterator, Mapping, TypeVar

from ansible_collections.orgsync.atlassian.plugins.module_utils._client import ApiResponse, AtlassianClient, ErrorReader
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    AtlassianError,
    RetriesExhaustedError,
    UnknownGroupError,
    UnknownUserError,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._identity import is_email
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group, User
from ansible_collections.orgsync.atlassian.plugins.module_utils._paging import Page, Paging
from ansible_collections.orgsync.atlassian.plugins.module_utils._retry import WaitReader

T = TypeVar("T")
R = TypeVar("R")

# Outcomes of one membership write.
CHANGED = "changed"
UNCHANGED = "unchanged"

# Kinds of user reference a backend may accept.
EMAIL = "email"
ACCOUNT_ID = "account_id"
USERNAME = "username"  # Data Center, which has no accountIds


@dataclass(frozen=True)
class MemberPage:
    """One page of a group's members, and the group's size when the API says (``None`` otherwise)."""

    users: tuple[User, ...]
    total: int | None


@dataclass(frozen=True)
class SiteProbe:
    """The one answer ``auto`` asks a site for (see ``_backends._table.detect``): its status and JSON body, if any, and
    whether Atlassian Cloud answered (its edge marks every answer with a trace id; a Data Center server does not)."""

    status: int | None
    body: Any
    cloud: bool = True


def group_not_found(name: str | None, group_id: str | None, *, where: str, hint: str) -> UnknownGroupError:
    """The error for a group reference that names no group, by id or by name, saying where it was looked for."""
    wanted = f"id '{group_id}'" if group_id else f"name '{name}'"
    return UnknownGroupError(f"No group with {wanted} exists {where}", hint=hint, status=404)


@dataclass(frozen=True)
class Declarations:
    """What a backend declares about itself, once (``Backend.declares``): what the services plan with. Whatever the
    pages themselves tell (a total, whether the pages after the first can be fetched together) is read from them."""

    #: Members a page of ``iter_member_pages`` holds at most (the API may lower it; pages are counted as received).
    member_page_size: int
    #: The kinds of user reference it resolves (``EMAIL``, and ``ACCOUNT_ID`` on Cloud or ``USERNAME`` on Data
    #: Center: whatever is not an email is taken as that; without ``EMAIL``, every reference is, '@' or not).
    reference_kinds: frozenset[str]
    #: Whether an email resolves with one search request. When it does not (Confluence has no email search), the
    #: group's own member listing is the first place to look, so reading it beats checking users one by one.
    email_search: bool
    #: Whether an email belongs to one person's account at most. Atlassian Cloud's accounts are email identities:
    #: one address, one Atlassian account (docs/identity.md). Where it holds, a member of the group the task read
    #: that shows the email on a person's account is its holder, with no lookup; where it does not (Jira Data Center
    #: lets users share an address), every email is looked up, so that a second holder is found. False, the strict
    #: path, unless a backend declares otherwise.
    unique_emails: bool = False
    #: Whether ``find_deactivated_by_email`` costs one search (the Admin API). A removal then asks it about an email
    #: no listing showed, to tell a deactivated non-member from nobody; elsewhere that would read the whole site.
    deactivated_email_search: bool = False
    #: The options it adds to the connection options, as an argument spec (documented in the connection doc
    #: fragment): read and checked by ``Backend.own_options``, carried in ``ConnectionSettings.options``.
    options: Mapping[str, dict] = field(default_factory=dict)
    #: Capabilities the product's API offers that the collection does not implement yet: ``require`` says so rather
    #: than "its API cannot", and docs/architecture.md's table shows them as "not implemented yet".
    not_implemented_yet: tuple[type, ...] = ()


class Backend(ErrorReader, ABC):
    """One product API: its declarations, how ``auto`` recognises it, and the mechanics its capabilities share.

    A backend is also its client's ``ErrorReader``: it knows how its product's error bodies read and what to advise
    for each status, so every ``HttpError`` raised while it is in use speaks that product's language. The wording
    lives in the Cloud and Data Center bases (``_cloud.py``, ``_datacenter.py``) and in the backends themselves.
    """

    #: What it declares about itself (``Declarations``).
    declares: ClassVar[Declarations]
    #: What the API calls the identifier in ``User.account_id``, as messages name it.
    user_id_name: ClassVar[str] = "accountId"

    #: How its API says how long to wait (Retry-After unless a backend reads more).
    waits: ClassVar[WaitReader] = WaitReader()

    def __init__(self, client: AtlassianClient) -> None:
        # The client it sends through: the given one's session and rate gate, with this product's error wording and
        # wait reading (``AtlassianClient.speaking``).
        self.client = client.speaking(self, self.waits)

    # -- its own options -----------------------------------------------------------------------------------------

    @classmethod
    def own_options(cls, params: dict) -> tuple[dict, dict]:
        """The task's parameters as this backend leaves them (the Admin API's url defaults to its host) and its own
        options (``Declarations.options``), read and checked: a ``ConfigurationError`` names what is wrong. Called
        for every backend, whichever the task names (with ``auto``, an option may say which backend is meant);
        nothing by default."""
        return params, {}

    @classmethod
    def url_remedy(cls, params: dict) -> str | None:
        """What this backend adds to the advice when no URL was given (an organisation API key needs no URL)."""
        return None

    # -- choosing a backend (``backend: auto``) ------------------------------------------------------------------

    @classmethod
    def recognises_url(cls, settings: ConnectionSettings) -> bool:
        """Whether the URL alone says this backend is meant (an API gateway URL names its product). No request."""
        return False

    @classmethod
    def recognises_site(cls, probe: SiteProbe) -> bool:
        """Whether the site's answer to the probe (``_backends._table.PROBE_PATH``) says this backend is meant."""
        return False

    # -- shared mechanics ----------------------------------------------------------------------------------------

    def takes_as_email(self, ref: str) -> bool:
        """Whether ``ref`` is looked up as an email here: a value with '@' where emails resolve; where they do not
        (Confluence Data Center, whose users are usernames only) every value is a username, '@' or not."""
        return EMAIL in self.declares.reference_kinds and is_email(ref)

    def read_answer(self, response: ApiResponse, read: Callable[[Any], R]) -> R:
        """``read(response.body)``, where ``read`` checks the shape it reads (``_answers``): an answer without it is
        an ``HttpError`` naming the request, never a traceback, and never read as "nothing"."""
        with self.client.reading(response):
            return read(response.body)

    def caller_from(self, path: str, read: Callable[[Any], User]) -> str:
        """The identifier of the account the credentials belong to, asked of ``path`` once a task (or known already:
        Jira Cloud names it in a header of every answer)."""
        if getattr(self, "_caller", None) is None:
            self._caller = self.read_answer(self.client.get(path), read).account_id
        return self._caller

    def read_or_none(self, path: str, params: dict, read: Callable[[Any], R]) -> R | None:
        """``read`` of a GET's answer (checked like ``read_answer``), or ``None`` where the API answers 404: there is
        no such user."""
        response = self.client.get(path, params, accept=(404,))
        return None if response.status == 404 else self.read_answer(response, read)

    def read_values(self, page: Page, read: Callable[[Any], R]) -> tuple[R, ...]:
        """``read`` applied to each value of a page, checked like ``read_answer``."""
        with self.client.reading(page):
            return tuple(read(value) for value in page.values)

    def read_pages(self, path: str, params: dict, paging: Paging, page_size: int) -> Iterator[Page]:
        """A listing's pages: the pages after the first fetched together when the paging style allows it and the
        first page tells how many there are, else one after the other (``AtlassianClient.iter_pages_concurrently``)."""
        return self.client.iter_pages_concurrently(path, params, paging, page_size=page_size)

    def concurrently(self, func: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[func(item) ...]`` within this backend's concurrency and rate limits; order kept."""
        return self.client.map_concurrently(func, items)


@dataclass(frozen=True)
class QueryWrites:
    """How a site API names the group and the user of a membership write when both go in the query (a removal) or the
    user in the body (an add): Jira Cloud and Data Center, Confluence Cloud (``Membership.write_by_query``)."""

    group_param: str
    user_param: str
    user_field: str
    #: What its refusal of an existing member says.
    already: str


class Membership(ABC):
    """Capability: a group's membership. Find a group, read its members, find users, add and remove members, and know
    the caller (``exclusive`` never removes it). What ``atlassian_group_member``, ``atlassian_user_groups`` and the
    info modules need."""

    #: What it lets a task do, as a refusal says it ("backend X cannot ...").
    ability: ClassVar[str] = "read or change group membership"

    # -- groups --------------------------------------------------------------------------------------------------

    @abstractmethod
    def find_group(self, *, name: str | None = None, group_id: str | None = None) -> Group:
        """The group with this name (case-insensitive) or id, with both filled in. ``UnknownGroupError`` if there is
        none; another ``ResolutionError`` if the reference names several (it never means "none")."""

    def same_group(self, first: Group, second: Group) -> bool:
        """Whether two groups are one, the way the server compares them: by id (Cloud's are exact)."""
        return first.group_id == second.group_id

    @abstractmethod
    def iter_member_pages(self, group: Group) -> Iterator[MemberPage]:
        """Every member of the group, deactivated ones included, page by page (lazily: a caller that stops after
        the first page pays one request)."""

    def check_can_change(self, group: Group) -> None:
        """Raise ``RefusedError`` when the API says this group's membership cannot be changed through it (a group
        synced from an identity provider), so that a task is refused before any write rather than half applied.
        Nothing by default: the site APIs say so only by refusing the write."""
        return None

    # -- users ---------------------------------------------------------------------------------------------------

    @abstractmethod
    def find_by_email(self, email: str) -> list[User]:
        """The accounts this email may name, for ``_identity.pick_user_for_email`` to choose from: every account it
        can see with the email, so that a shared email is found to be shared.

        May include accounts whose email only starts the same way (Jira's search is a prefix search), and accounts
        whose email is hidden when nothing but the whole address explains the match; must not include an account
        that hides its email and that something else (its name) may have matched. Called concurrently:
        implementations that read shared listings must read each at most once per task.
        """

    def prefetch_emails(self, emails: list[str]) -> None:
        """Before ``find_by_email`` is asked about each of these: look them up together where the API can (the Admin
        API takes a hundred emails a search). Nothing by default."""
        return None

    def find_deactivated_by_email(self, email: str) -> list[User]:
        """For removals only: accounts with exactly this (visible) email among those ``find_by_email`` cannot see,
        deactivated ones included. Nothing by default; a backend whose search skips deactivated accounts looks
        where they show."""
        return []

    def email_not_found(self, email: str) -> UnknownUserError:
        """The error for an email that names no account: what was searched, the likely causes, and the remedy."""
        return UnknownUserError(f"No account was found with email '{email}'")

    def account_not_found(self, ref: str) -> UnknownUserError:
        """The error for a non-email reference that names no account."""
        return UnknownUserError(
            f"No Atlassian account has accountId '{ref}' (or the calling account may not see it)",
            hint="Check the accountId, or pass the user's email instead",
        )

    @abstractmethod
    def get_user(self, account_id: str) -> User | None:
        """The account with this id (deactivated ones too), or ``None`` when there is none."""

    @abstractmethod
    def groups_of(self, account_id: str) -> list[Group] | None:
        """Every group the user is in (one listing), or ``None`` when the API says the user does not exist."""

    @abstractmethod
    def caller_account_id(self) -> str:
        """The accountId of the account the credentials belong to (``exclusive`` never removes it)."""

    # -- writes --------------------------------------------------------------------------------------------------

    @abstractmethod
    def add_member(self, group: Group, user: User) -> str:
        """Make the user a member. ``CHANGED``, or ``UNCHANGED`` when the API says it already was (a race with
        another writer); raises ``HttpError`` otherwise."""

    @abstractmethod
    def remove_member(self, group: Group, user: User) -> str:
        """Make the user not a member. ``CHANGED``, or ``UNCHANGED`` when the API says it already was not."""

    def write_membership(
        self,
        method: str,
        path: str,
        group: Group,
        user: User,
        *,
        params: dict,
        json: dict | None = None,
        already: str,
        race_status: int = 400,
    ) -> str:
        """Send one membership write (POST adds, DELETE removes) and say whether it changed anything.

        A ``race_status`` answer (400 on Jira) whose message contains ``already`` ("already a member", "not a member")
        means the membership already was as wanted: a race with another writer, or our own earlier attempt whose
        answer was lost (``unclear_earlier``), which did change it. A write whose retries ran out is read back
        instead of guessed.
        """
        adding = method == "POST"
        try:
            response = self.client.request(method, path, params=params, json=json, accept=(race_status,))
        except RetriesExhaustedError as exc:
            return self.read_back(group, user, want_member=adding, error=exc)
        if response.status == race_status:
            if not any(already in m.lower() for m in self.messages(response.body, "")):
                raise self.client.error_for(method, path, race_status, response.body, "")
            return CHANGED if response.unclear_earlier else UNCHANGED
        return CHANGED

    def write_by_query(self, adding: bool, path: str, group: Group, user: User, names: QueryWrites) -> str:
        """An add (POST, the user in the body) or a removal (DELETE, the user in the query) at ``path``, the group in
        the query: ``write_membership`` with the parameters ``names`` says."""
        params = {names.group_param: group.group_id}
        if not adding:
            params[names.user_param] = user.account_id
        body = {names.user_field: user.account_id} if adding else None
        method, already = ("POST", names.already) if adding else ("DELETE", "not a member")
        return self.write_membership(method, path, group, user, params=params, json=body, already=already)

    def read_back(self, group: Group, user: User, *, want_member: bool, error: AtlassianError) -> str:
        """After a write whose outcome is unknown (its retries ran out), look at the membership instead of guessing:
        ``CHANGED`` if it holds as wanted, else the write's own error."""
        try:
            groups = self.groups_of(user.account_id)
        except AtlassianError:
            raise error from None
        if groups is not None and any(self.same_group(g, group) for g in groups) == want_member:
            return CHANGED
        raise error


class GroupLifecycle(ABC):
    """Capability: groups themselves. Create and delete a group, and say what a group grants (deleting one that
    grants access locks people out, so ``atlassian_group`` guards it). Finding a group is ``Membership``'s."""

    ability: ClassVar[str] = "create or delete groups"

    @abstractmethod
    def create_group(self, name: str) -> Group:
        """Create the group and return it with its id."""

    @abstractmethod
    def delete_group(self, group: Group) -> None:
        """Delete the group (its memberships go with it)."""

    @abstractmethod
    def access_of(self, group: Group) -> str | None:
        """What membership of the group grants: ``"site-admin"``, ``"admin"``, ``"user"`` (product access), or
        ``None``. Deleting such a group locks people out, so ``atlassian_group`` guards it."""

    @abstractmethod
    def groups_with_prefix(self, prefix: str) -> list[Group]:
        """Every group whose name starts with ``prefix`` (case-insensitive), for ``atlassian_groups``' purge_prefix,
        which deletes those a file does not list. The listing must be complete (every page, or a refusal when the API
        cannot list them all): a group it missed would silently escape, and one it invented would be deleted. It may
        hold more groups than asked (a listing of the whole site); callers filter by name."""


# What an account's status is (``Account.status``), as ``atlassian_user`` reports it: ``_account_planner``'s ACTIVE,
# INVITED, SUSPENDED and DEACTIVATED (defined there, beside the planning that uses them).


@dataclass(frozen=True)
class Account:
    """An account and its status (``ACTIVE``, ``INVITED``, ``SUSPENDED`` or ``DEACTIVATED``)."""

    user: User
    status: str


class AccountLifecycle(ABC):
    """Capability: accounts themselves (joiners and leavers, ``atlassian_user``). Find accounts with their status,
    create (invite) one, suspend and restore one. admin, jira_cloud (which refuses suspension naming admin) and
    jira_datacenter implement it; each also declares ``account_abilities`` (``_account_planner.AccountAbilities``),
    what its API can do to an account, which ``_accounts`` plans with (Confluence's backends declare it too, to refuse
    with the way to do it instead)."""

    ability: ClassVar[str] = "create, suspend or restore accounts"

    @abstractmethod
    def find_accounts(self, refs: list[str]) -> dict[str, Account | None]:
        """Each reference's account with its status, ``None`` for a reference that names no account (where a
        missing account may be created from it)."""

    @abstractmethod
    def create_account(self, email: str, options: dict) -> Account:
        """Create (or invite) the account of this email, with the backend's own options (products, notification,
        display name ...); its status after (``INVITED`` or ``ACTIVE``)."""

    @abstractmethod
    def suspend_account(self, account: Account) -> str:
        """Take the account's access away without deleting anything. ``CHANGED``, or ``UNCHANGED`` when it already
        had none."""

    @abstractmethod
    def restore_account(self, account: Account) -> str:
        """Give a suspended (or deactivated, where the API can) account its access back. ``CHANGED`` or
        ``UNCHANGED``."""


# Every capability, in the order the backend table (docs/architecture.md) shows them.
CAPABILITIES: tuple[type, ...] = (Membership, GroupLifecycle, AccountLifecycle)
