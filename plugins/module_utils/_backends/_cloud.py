# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What the Atlassian Cloud site backends share: the advice for a site's credentials, permissions and URL.

A site (``https://acme.atlassian.net``) takes an API token with the account's email (Basic), or an OAuth 2.0 token or
a scoped API token through the API gateway. Each site backend names its gateway URL and what a 403 means in its
product; the wording is here, out of the capability contracts.
"""

from __future__ import annotations

from typing import ClassVar

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import Backend
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import ORG_KEY_REMEDY


class CloudBackend(Backend):
    #: The API gateway URL for scoped API tokens and OAuth 2.0, as remedies name it.
    gateway_url: ClassVar[str]
    #: What a 403 means in this product: the permission (and OAuth scope) the operations need.
    permission_hint: ClassVar[str]

    def hint(self, status: int) -> str | None:
        if status == 401:
            bearer = self.client.settings.bearer_token
            if bearer:
                hint = (
                    "Atlassian rejected the bearer_token. bearer_token is for an OAuth 2.0 access token (with the "
                    f"gateway URL {self.gateway_url}) or a Data Center personal access token; an Atlassian Cloud API "
                    "token is not a bearer token: pass it as api_token with username set to the account's email"
                )
                if bearer.startswith("ATATT"):
                    hint += " (the bearer_token given looks like an Atlassian API token)"
                return f"{hint}. {ORG_KEY_REMEDY}"
            return (
                "Atlassian rejected the credentials. Check that username is the email address of the account that "
                "created the API token and api_token is the token itself, not base64-encoded and without 'Basic' "
                "(the collection builds base64(email:api_token) itself); that the token has not expired or been "
                "revoked; and that a scoped API token (service accounts) is used with the gateway URL "
                f"{self.gateway_url}, not the site URL. An OAuth 2.0 token or Data Center personal access token "
                "belongs in bearer_token"
            )
        if status == 403:
            return self.permission_hint
        if status == 404:
            return "The group or user was not found. Check the group name or group_id, and the user's accountId"
        return None

    def url_hint(self, base_url: str) -> str:
        return (
            super().url_hint(base_url) + ": it is the site URL, for example https://acme.atlassian.net, or the "
            f"gateway URL {self.gateway_url}"
        )
