# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What the Data Center backends share: users by username, groups by name, and the advice for a server you run.

A Data Center server has no accountIds and no group ids. Its users are known by username, which takes the place of
the accountId throughout (``User.account_id`` holds it, and results show it as ``username``); its groups by name,
which is their id too. It authenticates with Basic (username and password) or a personal access token (Bearer).
"""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import EMAIL, Backend, SiteProbe
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import UnknownGroupError, UnknownUserError
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group

USERNAME_REMEDY = (
    "Pass the user's username instead (the login name: the user's profile, or the administration's user list, "
    "shows it), or look it up with orgsync.atlassian.atlassian_user_info"
)


def group_named(name: str) -> Group:
    """A Data Center group: its name is all there is, so it is its id too (the backends address groups by
    ``group_id``, which is always set, even when only an id was given)."""
    return Group(name=name, group_id=name)


class DataCenterBackend(Backend):
    user_id_name = "username"
    #: What a 403 means in this product: the global permission the operations need.
    permission_hint: ClassVar[str]
    #: The product's name as messages say it ("Jira", "Confluence").
    product: ClassVar[str]
    #: Where an administrator finds the groups, for "no such group" messages.
    groups_page: ClassVar[str]

    @classmethod
    def recognises_site(cls, probe: SiteProbe) -> bool:
        # A refusal of the probe from a server that is not Atlassian Cloud: a Data Center server whose anonymous
        # access is off. Each Data Center backend adds what its own answer looks like.
        return probe.status in (401, 403) and not probe.cloud

    def hint(self, status: int) -> str | None:
        if status == 401:
            if self.client.settings.bearer_token:
                return (
                    f"{self.product} rejected the bearer_token. On Data Center, bearer_token is a personal access token "
                    "(your profile > Personal Access Tokens): check that it has not expired or been revoked, and that "
                    "it was created on this server"
                )
            return (
                f"{self.product} rejected the username and password. On Data Center, username is the login name (not "
                "necessarily the email address) and api_token (alias password) is that account's password. After "
                "several failed logins the server asks for a CAPTCHA and refuses Basic authentication until the user "
                "logs in through the browser once; an administrator may also have turned Basic authentication off, "
                "in which case use a personal access token as bearer_token"
            )
        if status == 403:
            return self.permission_hint
        if status == 404:
            return f"The group or user was not found. Check the group name and the username ({self.groups_page})"
        return None

    def url_hint(self, base_url: str) -> str:
        return (
            f"{base_url} does not answer like an Atlassian REST API (a login page, a proxy or another web site may "
            "have answered). Check url: it is the server's base URL with its context path, if any, for example "
            f"https://{self.product.lower()}.acme.com or https://acme.com/{self.product.lower()}"
        )

    def same_group(self, first: Group, second: Group) -> bool:
        """A group's id is its name, which the server compares case-insensitively: "DEV" is "dev" (the group
        picker may not say how the server spells a name it cut off)."""
        return first.group_id.casefold() == second.group_id.casefold()

    def account_not_found(self, ref: str) -> UnknownUserError:
        hint = "Check the username (the login name, which may differ from the display name)"
        if EMAIL in self.declares.reference_kinds:
            hint += ", or pass the user's email instead"
        elif "@" in ref:
            hint = (
                f"{self.product} Data Center shows no email addresses, so a value with '@' is taken as a username: "
                "give the user's login name (the user's profile, or the administration's user list, shows it)"
            )
        return UnknownUserError(
            f"No {self.product} user has username '{ref}' (or the calling account may not see it)", hint=hint
        )

    def group_not_found(self, name: str) -> UnknownGroupError:
        return UnknownGroupError(
            f"No group with name '{name}' exists on {self.client.settings.base_url}",
            hint=f"Check the spelling ({self.groups_page}); Data Center groups have no id: group_id, if given, is "
            "taken as the name",
            status=404,
        )
