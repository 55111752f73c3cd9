# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What every module of the collection does the same way: connection options, secrets, client, error reporting."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.orgsync.atlassian.plugins.module_utils._backend import Backend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends import check_backend_name, open_backend
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import (
    REQUESTS_IMPORT_ERROR,
    AtlassianClient,
    secret_values,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import (
    connection_argument_spec,
    settings_from_params,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError


class AtlassianModule:
    """An ``AnsibleModule`` with the connection options added and validated, and typed errors turned into failures.

    ``result`` holds the keys a failure must still return (for example ``added: []``); modules add to it as they go.
    """

    def __init__(self, argument_spec: dict, *, result: dict | None = None) -> None:
        self.ansible = AnsibleModule(
            argument_spec={**connection_argument_spec(), **argument_spec}, supports_check_mode=True
        )
        self.result: dict = {"changed": False, **(result or {})}
        if REQUESTS_IMPORT_ERROR:
            self.ansible.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR, **self.result)
        with self.errors_reported():
            self.settings = settings_from_params(self.params)
            check_backend_name(self.settings.backend)
        # Mask the derived base64 Basic credential too: Ansible only knows the raw no_log values.
        self.ansible.no_log_values.update(secret_values(self.settings))

    @property
    def params(self) -> dict:
        return self.ansible.params

    @property
    def check_mode(self) -> bool:
        return self.ansible.check_mode

    @property
    def diff_mode(self) -> bool:
        return self.ansible._diff

    def warn(self, message: str) -> None:
        self.ansible.warn(message)

    def fail(self, msg: str, **extra) -> None:
        self.ansible.fail_json(msg=msg, **{**self.result, **extra})

    @contextmanager
    def errors_reported(self) -> Iterator[None]:
        """Turn an ``AtlassianError`` into ``fail_json`` with its message (cause and remedy) and status."""
        try:
            yield
        except AtlassianError as exc:
            extra = {"status": exc.status} if exc.status is not None else {}
            self.fail(exc.message, **extra)

    @contextmanager
    def backend(self) -> Iterator[Backend]:
        """The backend (named by the ``backend`` option, or found by ``auto``) on a fresh client session, closed
        afterwards; its errors are reported as failures, and the result says which backend was used."""
        client = AtlassianClient(self.settings)
        try:
            with self.errors_reported():
                name, backend = open_backend(client)
                self.result["backend"] = name
                yield backend
        finally:
            client.close()

    def exit(self, **result) -> None:
        self.ansible.exit_json(**{**self.result, **result})
