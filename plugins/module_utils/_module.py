# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

# This file is internal to the orgsync.atlassian collection; its API may change without notice.

"""What every module of the collection does the same way: connection options, secrets, client, error reporting."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping, TypeVar

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._base import Backend
from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import (
    check_backend_name,
    open_backend,
    require,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._client import (
    REQUESTS_IMPORT_ERROR,
    AtlassianClient,
    secret_values,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._connection import (
    connection_argument_spec,
    settings_from_params,
    url_userinfo,
)
from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import AtlassianError

S = TypeVar("S")


class AtlassianModule:
    """An ``AnsibleModule`` with the connection options added and validated, and typed errors turned into failures.

    ``result`` holds the keys a failure must still return (for example ``added: []``); modules add to it as they go.
    """

    def __init__(self, argument_spec: dict, *, result: dict | None = None) -> None:
        spec = {**connection_argument_spec(), **argument_spec}
        # The task's arguments as written, before AnsibleModule turns a mapping given for a string option into the
        # string of a Python dict. (basic._load_params is the documented way to read them; it is looked up on the
        # module, where ansible-test's validate-modules replaces it.)
        try:
            given = basic._load_params()
        except Exception:  # AnsibleModule reports unreadable arguments itself
            given = None
        self.ansible = AnsibleModule(argument_spec=spec, supports_check_mode=True)
        self.result: dict = {"changed": False, **(result or {})}
        # A password inside url is refused below; it must not show in the result's invocation either.
        userinfo = url_userinfo(str(self.params.get("url") or ""))
        if userinfo:
            self.ansible.no_log_values.add(userinfo)
        wrong = not_strings(spec, given if isinstance(given, Mapping) else {})
        if wrong:
            self.fail(not_strings_message(wrong, spec))
        if REQUESTS_IMPORT_ERROR:
            self.ansible.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR, **self.result)
        with self.errors_reported():
            self.settings = settings_from_params(self.params)
            check_backend_name(self.settings.backend)
        # Mask the derived base64 Basic credential too: Ansible only knows the raw no_log values.
        self.ansible.no_log_values.update(secret_values(self.settings))
        if not self.settings.validate_certs:
            self.warn(
                "validate_certs is false: the server's certificate is not checked, so anyone on the network path can "
                "pose as it and receive the credentials. Set ca_path to the CA's PEM certificate instead."
            )

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
    def backend(self, *capabilities: type) -> Iterator[Backend]:
        """The backend (named by the ``backend`` option, or found by ``auto``) on a fresh client session, closed
        afterwards; its errors are reported as failures, and the result says which backend was used.

        ``capabilities`` are the contracts the module needs (``_backends._base``: ``Membership``, ...): a backend
        without one is refused before any request (after ``auto``'s probe, when it takes one)."""
        client = AtlassianClient(self.settings)
        try:
            with self.errors_reported():
                name, backend = open_backend(client)
                self.result["backend"] = name
                require(backend, *capabilities)
                yield backend
        finally:
            client.close()

    @contextmanager
    def service(self, service: type[S]) -> Iterator[S]:
        """A service (``MembershipService``, ``GroupService``, ...) on ``backend()``, which is asked for the
        capabilities the service needs (its ``needs``)."""
        with self.backend(*service.needs) as backend:
            yield service(backend)

    def exit(self, **result) -> None:
        self.ansible.exit_json(**{**self.result, **result})


def not_strings_message(wrong: list[str], spec: dict) -> str:
    """What to fix when options that take one string were given a mapping or a list (``not_strings``)."""
    message = (
        f"{', '.join(wrong)} must be {'a string' if len(wrong) == 1 else 'strings'}, not a mapping or a list. "
        "Check the YAML: a value such as {a: 1} or [a] is a mapping or a list; quote it if it is meant as text, or "
        "give the name it should be."
    )
    # The usual slip: a one-element list under the singular option of a singular/plural pair (user: [jane@...]).
    plurals = [name for name in wrong if f"{name}s" in spec and spec[f"{name}s"].get("type") == "list"]
    if plurals:
        message += " " + "; ".join(f"{name} takes one value: give a list to {name}s instead" for name in plurals) + "."
    return message


def not_strings(spec: dict, given: Mapping[str, Any]) -> list[str]:
    """The options of type ``str`` (or ``path``, or a list of ``str``) that the task gives a mapping or a list.

    AnsibleModule would turn ``name: {a: 1}`` into the string "{'a': 1}", and the task would act on a group of that
    name. The values are not shown: one of them may be a secret.
    """
    wrong = []
    for name, option in spec.items():
        kind = option.get("type", "str")
        for key in (name, *option.get("aliases", ())):
            value = given.get(key)
            if kind in ("str", "path") and isinstance(value, (Mapping, list)):
                wrong.append(key)
            elif kind == "list" and option.get("elements") == "str" and isinstance(value, list):
                wrong.extend(f"{key}[{i}]" for i, item in enumerate(value) if isinstance(item, (Mapping, list)))
    return wrong
