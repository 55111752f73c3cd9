# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""Groups themselves: whether one exists, creating it, and deleting it behind a guard for groups that grant access."""

from __future__ import annotations

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import (
    Backend,
    GroupLifecycle,
    Membership,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import (
    RefusedError,
    UnknownGroupError,
    operation,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import Group

# Groups Atlassian sites grant product or admin access through, by name. The API's own answer (``access_of``) is
# asked too; the names also cover what it cannot tell, such as the organisation's default access groups.
ACCESS_GROUP_NAMES = frozenset(
    name.casefold()
    for name in (
        "site-admins",
        "org-admins",
        "administrators",
        "jira-admins",
        "jira-administrators",
        "jira-system-administrators",
        "jira-users",
        "jira-software-users",
        "jira-core-users",
        "jira-servicemanagement-users",
        "jira-servicedesk-users",
        "jira-product-discovery-users",
        "jira-work-management-users",
        "confluence-admins",
        "confluence-administrators",
        "confluence-users",
        "trusted-users",
        "users",
    )
)
ALLOW_OPTION = "allow_access_group_deletion"


class GroupService:
    #: The capabilities it asks of a backend (``AtlassianModule.service``): finding a group is membership's.
    needs = (Membership, GroupLifecycle)

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def find(self, *, name: str | None, group_id: str | None) -> Group | None:
        """The group, or None when it does not exist. Only "no such group" means that: a name that several groups
        have (two directories of an organisation) fails, in check mode too, rather than pass for a group to create
        or one already gone."""
        try:
            with operation(f"looking up group {name or group_id}"):
                return self.backend.find_group(name=name, group_id=group_id)
        except UnknownGroupError:
            return None

    def refuse_access_group_deletion(self, group: Group) -> None:
        """Deleting a group that grants product or admin access locks its members out (or the automation itself):
        refused unless the task allows it explicitly."""
        with operation(f"finding out what {group.label} grants"):
            access = self.backend.access_of(group)
        named = (group.name or "").casefold() in ACCESS_GROUP_NAMES
        if access is None and not named:
            return
        grants = {"site-admin": "site administration", "admin": "product administration", "user": "product access"}
        why = f"grants {grants[access]}" if access else "is one of the groups Atlassian sites grant access through"
        raise RefusedError(
            f"Refusing to delete {group.label}: it {why}, so deleting it would take that from every member (and may "
            "lock the automation account out)",
            hint=f"If that is really meant, set {ALLOW_OPTION}: true; otherwise remove the task",
        )

    def create(self, name: str) -> Group:
        with operation(f"creating group {name}"):
            return self.backend.create_group(name)

    def delete(self, group: Group) -> None:
        with operation(f"deleting group {group.label}"):
            self.backend.delete_group(group)
