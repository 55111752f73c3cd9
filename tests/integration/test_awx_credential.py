# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The AWX credential type in extensions/awx/: valid for AWX, named so that an upgrade works, and a job run the way AWX
runs it works.

- AWX's validation of a custom credential type, re-implemented from its source, accepts the definition and refuses
  each of a set of broken variants (so it is not a rubber stamp);
- inputs that differ from a released type's come with a new name (extensions/awx/credential_type_history.yml), since
  AWX refuses to change the inputs of a type in use, and the record of galaxy.yml's version is the definition;
- docs/awx.md's upgrade commands, replayed against a model of AWX's rules, are accepted, where the in-place update
  the docs used to give is refused;
- a job run through ansible-runner with the injected environment works (below).

AWX turns a credential into environment variables by rendering each ``injectors.env`` template with a Jinja2
sandbox over the credential's inputs; inputs that are unset or empty are left out of the namespace, so they render
as empty strings (awx/main/models/credential.py, ``CredentialType.inject_credential``). It then runs the
playbook with ansible-runner. This test does the same against the emulator: the playbook has no connection options,
so the credential arrives only through the environment.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ansible_runner
import harness
import pytest
import yaml
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jsonschema import Draft4Validator
from packaging.version import Version

pytestmark = pytest.mark.slow

DEFINITION = harness.REPO_ROOT / "extensions" / "awx" / "credential_type.yml"
HIDDEN = "**********"  # what AWX stores in the job's safe_env for a secret input
JANE = "jane@acme.example"
JANE_ID = "5b10a2844c20165700ede003"


def load_definition() -> dict:
    return yaml.safe_load(DEFINITION.read_text())


def render_env(definition: dict, inputs: dict, *, safe: bool = False, files_dir: Path | None = None) -> dict[str, str]:
    """AWX's env injection: secrets hidden when ``safe`` (the copy stored with the job); empty inputs left out. The
    ``file`` injectors are rendered first, each written to a file (in ``files_dir``) whose path the env templates
    reach as ``tower.filename.<name>``, as AWX does (even for an empty input)."""
    secret = {f["id"] for f in definition["inputs"]["fields"] if f.get("secret")}
    namespace: dict = {}
    for name, value in inputs.items():
        if isinstance(value, bool):
            namespace[name] = value
        elif value:
            namespace[name] = HIDDEN if safe and name in secret else value
    sandbox = ImmutableSandboxedEnvironment()
    filenames = {}
    for label, tmpl in definition["injectors"].get("file", {}).items():
        name = label.split(".", 1)[1]
        path = Path(files_dir or "/nonexistent") / f"{name}.pem"
        if files_dir is not None:
            path.write_text(sandbox.from_string(tmpl).render(**namespace))
        filenames[name] = str(path)
    namespace["tower"] = {"filename": filenames}
    return {var: sandbox.from_string(tmpl).render(**namespace) for var, tmpl in definition["injectors"]["env"].items()}


# ---------------------------------------------------------------------------------------------------------------
# AWX's validation of a custom credential type, re-implemented (ansible/awx: awx/main/fields.py
# CredentialTypeInputField and CredentialTypeInjectorField, awx/api/serializers.py CredentialTypeSerializer,
# awx/main/constants.py ENV_BLOCKLIST, awx/main/models/credential.py CredentialType: unique (name, kind)).
# ---------------------------------------------------------------------------------------------------------------
FIELD_NAME = r"^[a-zA-Z_]+[a-zA-Z0-9_]*$"
INPUTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "label"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": FIELD_NAME},
                    "label": {"type": "string"},
                    "help_text": {"type": "string"},
                    "type": {"enum": ["string", "boolean"]},
                    "format": {"enum": ["ssh_private_key", "url"]},
                    "choices": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string"}},
                    "multiline": {"type": "boolean"},
                    "secret": {"type": "boolean"},
                    "ask_at_runtime": {"type": "boolean"},
                    "default": {},
                },
            },
        },
    },
}
INJECTORS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "object",
            "patternProperties": {r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}},
            "additionalProperties": False,
        },
        "env": {
            "type": "object",
            # A POSIX shell variable name; the value plain ASCII (pexpect's limit).
            "patternProperties": {FIELD_NAME: {"type": "string", "pattern": "^[\x00-\x7f]*$"}},
            "additionalProperties": False,
        },
        "extra_vars": {"type": "object"},
    },
}
# Variables AWX sets for its own use; a credential may not inject them (nor any ANSIBLE_*).
AWX_ENV_BLOCKLIST = frozenset(
    "VIRTUAL_ENV PATH PYTHONPATH JOB_ID INVENTORY_ID INVENTORY_SOURCE_ID INVENTORY_UPDATE_ID AD_HOC_COMMAND_ID "
    "REST_API_URL REST_API_TOKEN MAX_EVENT_RES CALLBACK_QUEUE CALLBACK_CONNECTION CACHE JOB_CALLBACK_DEBUG "
    "INVENTORY_HOSTVARS AWX_HOST PROJECT_REVISION SUPERVISOR_CONFIG_PATH".split()
)


class _Unrenderable:
    """AWX's stand-in for ``tower`` and ``tower.filename`` when they are not a file's path: rendering it fails."""

    def __init__(self, what: str, **attributes: Any):
        self._what = what
        self.__dict__.update(attributes)

    def __str__(self) -> str:
        raise UndefinedError(self._what)


def awx_problems(definition: dict) -> list[str]:
    """What AWX says about a custom credential type it is given (an empty list: it accepts it)."""
    problems = []
    if definition.get("kind") not in ("cloud", "net"):
        problems.append(f"kind: must be 'cloud' or 'net', not {definition.get('kind')}")
    if not definition.get("name"):
        problems.append("name: required")
    inputs, injectors = definition.get("inputs", {}), definition.get("injectors", {})
    problems += [f"inputs: {e.message}" for e in Draft4Validator(INPUTS_SCHEMA).iter_errors(inputs)]
    problems += [f"injectors: {e.message}" for e in Draft4Validator(INJECTORS_SCHEMA).iter_errors(injectors)]
    if problems:
        return problems  # AWX checks the templates only against valid inputs
    if "dependencies" in inputs:
        problems.append("inputs: 'dependencies' is not supported for custom credentials")
    ids: list[str] = []
    for field in inputs.get("fields", []):
        ids.append(field["id"])
        kind = field.get("type", "string")
        if field["id"] == "tower":
            problems.append('inputs: "tower" is a reserved field name')
        if field.get("ask_at_runtime"):
            problems.append("inputs: 'ask_at_runtime' is not supported for custom credentials")
        if "default" in field and not isinstance(field["default"], {"string": str, "boolean": bool}[kind]):
            problems.append(f"inputs: {field['default']} is not a {kind}")
        for key in ("choices", "multiline", "format", "secret"):
            if key in field and kind != "string":
                problems.append(f"inputs: {key} not allowed for {kind} type ({field['id']})")
    problems += [f"inputs: field IDs must be unique ({i})" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for var in injectors.get("env", {}):
        if var.startswith("ANSIBLE_") or var in AWX_ENV_BLOCKLIST:
            problems.append(f"injectors: environment variable {var} is not allowed in credentials")
    # Every template renders over the defined fields (and tower.filename.<name> for each file) with StrictUndefined.
    files = [name for name in injectors.get("file", {}) if name.startswith("template")]
    if "template" in files and len(files) > 1:
        problems.append("injectors: must use multi-file syntax when injecting multiple files")
    filename: Any = "EXAMPLE_FILENAME"
    if "template" not in files:
        names = {name.split(".", 1)[1]: "EXAMPLE_FILENAME" for name in files}
        filename = _Unrenderable("Must define unnamed file injector in order to reference `tower.filename`.", **names)
    namespace = {
        **{i: "EXAMPLE" for i in ids},
        "tower": _Unrenderable("Cannot directly reference reserved `tower` namespace container.", filename=filename),
    }
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for section in ("file", "env"):
        for key, template in injectors.get(section, {}).items():
            try:
                strict.from_string(template).render(**namespace)
            except (UndefinedError, SecurityError, TemplateSyntaxError) as exc:
                problems.append(f"injectors: {key} uses an undefined field or is not a valid template ({exc})")
    return problems


def awx_inputs_fingerprint(definition: dict) -> str:
    """SHA-256 of the inputs as AWX stores them: a field without a type gets "string"."""
    inputs = json.loads(json.dumps(definition["inputs"]))
    for field in inputs.get("fields", []):
        field.setdefault("type", "string")
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def test_definition_is_a_valid_awx_custom_credential_type():
    assert awx_problems(load_definition()) == []


MUTATIONS = {
    "kind ssh": lambda d: d.update(kind="ssh"),
    "an ANSIBLE_ variable": lambda d: d["injectors"]["env"].update(ANSIBLE_CONFIG="{{ url }}"),
    "a variable AWX reserves": lambda d: d["injectors"]["env"].update(PATH="{{ url }}"),
    "a field named tower": lambda d: d["inputs"]["fields"].append({"id": "tower", "label": "T"}),
    "a field id twice": lambda d: d["inputs"]["fields"].append({"id": "url", "label": "Again"}),
    "a field id with a hyphen": lambda d: d["inputs"]["fields"].append({"id": "org-id", "label": "O"}),
    "a field without label": lambda d: d["inputs"]["fields"].append({"id": "x"}),
    "an unknown field key": lambda d: d["inputs"]["fields"][0].update(placeholder="https://"),
    "ask at runtime": lambda d: d["inputs"]["fields"][0].update(ask_at_runtime=True),
    "choices on a boolean": lambda d: d["inputs"]["fields"].append(
        {"id": "flag", "label": "F", "type": "boolean", "choices": ["a"]}
    ),
    "a template naming no field": lambda d: d["injectors"]["env"].update(ATLASSIAN_X="{{ nothing }}"),
    "tower.filename of no file": lambda d: d["injectors"]["env"].update(ATLASSIAN_X="{{ tower.filename.nope }}"),
    "a non-ASCII value": lambda d: d["injectors"]["env"].update(ATLASSIAN_X="{{ url }} \u2192"),
    "an extra top-level inputs key": lambda d: d["inputs"].update(dependencies={"api_token": ["username"]}),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_the_awx_rules_refuse_what_awx_refuses(mutation):
    """The re-implementation is not a rubber stamp: each of these changes makes AWX refuse the type."""
    definition = load_definition()
    MUTATIONS[mutation](definition)
    assert awx_problems(definition), mutation


def test_the_definition_is_what_the_modules_and_docs_expect():
    definition = load_definition()
    fields = definition["inputs"]["fields"]
    ids = [f["id"] for f in fields]
    assert all(f.get("type", "string") == "string" and f.get("label") for f in fields)
    assert definition["inputs"]["required"] == ["url"]
    assert next(f for f in fields if f["id"] == "backend")["choices"] == [
        "auto",
        "jira_cloud",
        "jira_datacenter",
        "confluence_cloud",
        "confluence_datacenter",
        "admin",
    ]
    # Not a boolean field: AWX injects False for a boolean a credential leaves unset, which would turn certificate
    # checks off for every credential made without the field; an unset string injects "", the modules' default.
    assert next(f for f in fields if f["id"] == "validate_certs")["choices"] == ["true", "false"]
    assert {f["id"] for f in fields if f.get("secret")} == {"api_token", "bearer_token"}
    assert set(definition["injectors"]) == {"env", "file"}
    assert set(definition["injectors"]["file"]) == {"template.ca_cert"}
    assert set(definition["injectors"]["env"]) == {
        "ATLASSIAN_URL",
        "ATLASSIAN_USERNAME",
        "ATLASSIAN_API_TOKEN",
        "ATLASSIAN_BEARER_TOKEN",
        "ATLASSIAN_BACKEND",
        "ATLASSIAN_VALIDATE_CERTS",
        "ATLASSIAN_CA_PATH",
        "ATLASSIAN_ORG_ID",
        "ATLASSIAN_DIRECTORY_ID",
    }
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------------------------------------------------
# Releases: inputs that differ from a released type's need a new name (AWX refuses to change inputs in use).
# ---------------------------------------------------------------------------------------------------------------
HISTORY = harness.REPO_ROOT / "extensions" / "awx" / "credential_type_history.yml"


def released_types() -> dict[str, dict]:
    return yaml.safe_load(HISTORY.read_text())["releases"]


def naming_problems(current_version: str, definition: dict, releases: dict[str, dict]) -> list[str]:
    """The rules a definition must keep against the record of released types."""
    problems = []
    fingerprint = awx_inputs_fingerprint(definition)
    ids = [f["id"] for f in definition["inputs"]["fields"]]
    for version, released in releases.items():
        if Version(version) >= Version(current_version):
            continue
        same_type = (released["name"], released["kind"]) == (definition["name"], definition["kind"])
        if same_type and released["inputs_sha256"] != fingerprint:
            problems.append(
                f"the inputs differ from those {version} shipped as {released['name']!r}, under the same name: AWX "
                "refuses to change the inputs of a type in use; give the type a new name (and an Upgrading row in "
                "docs/awx.md)"
            )
    entry = releases.get(current_version)
    if entry is None:
        problems.append(f"{HISTORY.name} has no entry for {current_version}, the version in galaxy.yml")
    elif (entry["name"], entry["kind"], entry["input_ids"], entry["inputs_sha256"]) != (
        definition["name"],
        definition["kind"],
        ids,
        fingerprint,
    ):
        problems.append(
            f"{HISTORY.name}'s entry for {current_version} is not the definition: name {definition['name']!r}, "
            f"input_ids {ids}, inputs_sha256 {fingerprint}"
        )
    names: dict[tuple[str, str], str] = {}
    for released in releases.values():
        key = (released["name"], released["kind"])
        if names.setdefault(key, released["inputs_sha256"]) != released["inputs_sha256"]:
            problems.append(f"{HISTORY.name}: {released['name']!r} names two different inputs")
    return problems


def test_a_changed_input_set_comes_with_a_new_name():
    version = str(yaml.safe_load((harness.REPO_ROOT / "galaxy.yml").read_text())["version"])
    releases = released_types()
    assert naming_problems(version, load_definition(), releases) == []
    # Every release of the changelog has its type on record.
    changelog = yaml.safe_load((harness.REPO_ROOT / "changelogs" / "changelog.yaml").read_text())
    assert set(changelog["releases"]) <= set(releases)


def test_the_naming_rules_catch_an_in_place_change():
    """What the rules would say to a release that added a field (or reworded a help text) under the old name."""
    version = str(yaml.safe_load((harness.REPO_ROOT / "galaxy.yml").read_text())["version"])
    releases = released_types()
    renamed = {**load_definition(), "name": releases["1.0.0"]["name"]}
    assert any("same name" in p for p in naming_problems(version, renamed, releases))
    reworded = load_definition()
    reworded["inputs"]["fields"][0]["help_text"] += " Reworded."
    assert naming_problems(version, reworded, releases)  # the record no longer matches
    assert any("same name" in p for p in naming_problems("9.9.9", reworded, {**releases, "9.9.9": releases[version]}))


def test_docs_name_every_released_type():
    text = (harness.REPO_ROOT / "docs" / "awx.md").read_text()
    upgrading = text[text.index("## Upgrading from an earlier version") :]
    for version, released in released_types().items():
        assert f"| {version} | `{released['name']}` |" in upgrading
    assert f'--credential_type "{load_definition()["name"]}"' in text


# ---------------------------------------------------------------------------------------------------------------
# docs/awx.md's upgrade steps, replayed against a model of AWX's rules.
# ---------------------------------------------------------------------------------------------------------------
class AWXRefused(Exception):
    """What AWX answers with an HTTP 4xx."""


@dataclass
class ModelAWX:
    """The parts of AWX's API an upgrade touches, with AWX's rules: unique (name, kind) types; the inputs of a type
    in use are immutable; a type in use cannot be deleted; a credential that jobs used cannot change its type; a
    credential's inputs are the type's fields, its required ones set."""

    types: dict[str, dict] = dataclasses.field(default_factory=dict)
    credentials: dict[str, dict] = dataclasses.field(default_factory=dict)
    templates: dict[str, set] = dataclasses.field(default_factory=dict)
    used_by_jobs: set = dataclasses.field(default_factory=set)

    def credential_types_create(self, name, kind, inputs, injectors, description=""):
        definition = {"name": name, "kind": kind, "inputs": inputs, "injectors": injectors}
        if problems := awx_problems(definition):
            raise AWXRefused(f"400 {problems}")
        if any((t["name"], t["kind"]) == (name, kind) for t in self.types.values()):
            raise AWXRefused("400 Credential type with this Name and Kind already exists.")
        self.types[name] = definition

    def credential_types_modify(self, name, inputs=None, injectors=None, **other):
        in_use = any(c["credential_type"] == name for c in self.credentials.values())
        if inputs is not None and inputs != self.types[name]["inputs"] and in_use:
            raise AWXRefused("403 Modifications to inputs are not allowed for credential types that are in use")
        self.types[name].update({k: v for k, v in (("inputs", inputs), ("injectors", injectors)) if v is not None})

    def credential_types_delete(self, name):
        if any(c["credential_type"] == name for c in self.credentials.values()):
            raise AWXRefused("403 Credential types that are in use cannot be deleted")
        del self.types[name]

    def credentials_create(self, name, organization, credential_type, inputs):
        fields = self.types[credential_type]["inputs"]["fields"]
        unknown = set(inputs) - {f["id"] for f in fields}
        missing = set(self.types[credential_type]["inputs"].get("required", [])) - set(inputs)
        if (
            unknown
            or missing
            or any((c["credential_type"], n) == (credential_type, name) for n, c in self.credentials.items())
        ):
            raise AWXRefused(f"400 unknown {unknown} or missing {missing} inputs, or the name is taken")
        self.credentials[name] = {"credential_type": credential_type, "inputs": inputs}

    def credentials_modify(self, name, credential_type=None, new_name=None):
        if credential_type not in (None, self.credentials[name]["credential_type"]) and name in self.used_by_jobs:
            raise AWXRefused("400 You cannot change the credential type of the credential")
        if credential_type:
            self.credentials[name]["credential_type"] = credential_type

    def credentials_delete(self, name):
        del self.credentials[name]
        for attached in self.templates.values():
            attached.discard(name)

    def job_templates_associate(self, template, credential):
        self.templates[template].add(credential)

    def job_templates_disassociate(self, template, credential):
        self.templates[template].discard(credential)


def documented_cli_steps() -> list[list[str]]:
    """The awx commands of docs/awx.md's Upgrading section, as argument lists (shell quoting resolved)."""
    text = (harness.REPO_ROOT / "docs" / "awx.md").read_text()
    section = text[text.index("## Upgrading from an earlier version") :]
    block = section[section.index("```console") : section.index("```", section.index("```console") + 3)]
    commands = re.sub(r"\\\n\s*", " ", block).splitlines()
    return [shlex.split(line[len("$ awx ") :]) for line in commands if line.startswith("$ awx ")]


def replay(awx: ModelAWX, argv: list[str], definition: dict, secrets: dict[str, str]) -> None:
    def value(text: str) -> str:
        for key, part in definition.items():
            text = text.replace(f"$(part {key})", part if isinstance(part, str) else json.dumps(part))
        for var, secret in secrets.items():
            text = text.replace(f"${var}", secret)
        return text

    resource, action, *rest = argv
    options, positional, i = {}, [], 0
    while i < len(rest):
        if rest[i].startswith("--"):
            options[rest[i][2:]] = value(rest[i + 1])
            i += 2
        else:
            positional.append(value(rest[i]))
            i += 1
    for key in ("inputs", "injectors"):
        if key in options:
            options[key] = json.loads(options[key])
    if resource == "job_templates":
        getattr(awx, f"job_templates_{action}")(positional[0], options["credential"])
    else:
        getattr(awx, f"{resource}_{action}")(*positional, **options)


def test_the_documented_upgrade_steps_are_accepted_by_awx_rules():
    old = released_types()["1.0.0"]
    old_inputs = {"fields": [{"id": i, "label": i, "type": "string"} for i in old["input_ids"]], "required": ["url"]}
    old_injectors = {"env": {f"ATLASSIAN_{i.upper()}": f"{{{{ {i} }}}}" for i in old["input_ids"]}}
    awx = ModelAWX()
    awx.credential_types_create(old["name"], "cloud", old_inputs, old_injectors)
    awx.credentials_create("Atlassian automation", "Default", old["name"],
                           {"url": "https://acme.atlassian.net", "username": "automation@acme.com", "api_token": "t"})  # fmt: skip
    awx.templates["Onboard new joiners"] = {"Atlassian automation"}
    awx.used_by_jobs.add("Atlassian automation")
    definition = load_definition()

    # The upgrade the docs used to give, and what AWX answers to it.
    with pytest.raises(AWXRefused, match="403 Modifications to inputs"):
        awx.credential_types_modify(old["name"], inputs=definition["inputs"], injectors=definition["injectors"])
    with pytest.raises(AWXRefused, match="already exists"):
        awx.credential_types_create(old["name"], "cloud", definition["inputs"], definition["injectors"])
    with pytest.raises(AWXRefused, match="cannot change the credential type"):
        awx.credentials_modify("Atlassian automation", credential_type=definition["name"])

    steps = documented_cli_steps()
    assert len(steps) >= 5
    for argv in steps:
        replay(awx, argv, definition, {"ATLASSIAN_API_TOKEN": "new-token"})
    assert awx.templates["Onboard new joiners"] == {"Atlassian automation v2"}
    assert awx.credentials["Atlassian automation v2"]["credential_type"] == definition["name"]
    assert awx.credentials["Atlassian automation v2"]["inputs"]["api_token"] == "new-token"
    assert set(awx.types) == {definition["name"]}


def test_the_env_vars_are_the_ones_the_modules_read():
    # The options every backend reads (_connection.py), and those a backend adds (its file in _backends/).
    module_utils = harness.REPO_ROOT / "plugins" / "module_utils"
    source = "".join(
        p.read_text() for p in [module_utils / "_connection.py", *(module_utils / "_backends").glob("*.py")]
    )
    for var in load_definition()["injectors"]["env"]:
        assert f'"{var}"' in source, f"{var} is not an env fallback of the connection options"


def test_unset_inputs_render_as_empty_strings_and_secrets_are_hidden_in_safe_env():
    definition = load_definition()
    inputs = {"url": "https://acme.atlassian.net", "bearer_token": "tok"}
    assert render_env(definition, inputs) == {
        "ATLASSIAN_URL": "https://acme.atlassian.net",
        "ATLASSIAN_USERNAME": "",
        "ATLASSIAN_API_TOKEN": "",
        "ATLASSIAN_BEARER_TOKEN": "tok",
        "ATLASSIAN_BACKEND": "",  # unset: the modules' default, auto
        "ATLASSIAN_VALIDATE_CERTS": "",  # unset: the modules' default, true
        "ATLASSIAN_CA_PATH": "",  # no CA: not the path of the empty file AWX writes anyway
        "ATLASSIAN_ORG_ID": "",  # unset: not the Admin API
        "ATLASSIAN_DIRECTORY_ID": "",
    }
    assert render_env(definition, inputs, safe=True)["ATLASSIAN_BEARER_TOKEN"] == HIDDEN


def test_an_admin_api_credential_injects_the_organisation_and_directory():
    """backend admin: an organisation API key as bearer_token, org_id and, for an organisation with several
    directories, directory_id; the ids are not secrets, so the job's safe_env shows them."""
    definition = load_definition()
    inputs = {"url": "https://api.atlassian.com", "bearer_token": "org-api-key", "backend": "admin",
              "org_id": "0fe4a1c2-org", "directory_id": "7d1e9b30-dir"}  # fmt: skip
    injected = render_env(definition, inputs)
    assert injected["ATLASSIAN_ORG_ID"] == "0fe4a1c2-org"
    assert injected["ATLASSIAN_DIRECTORY_ID"] == "7d1e9b30-dir"
    assert injected["ATLASSIAN_BACKEND"] == "admin"
    assert injected["ATLASSIAN_USERNAME"] == injected["ATLASSIAN_API_TOKEN"] == ""
    safe = render_env(definition, inputs, safe=True)
    assert safe["ATLASSIAN_BEARER_TOKEN"] == HIDDEN
    assert safe["ATLASSIAN_ORG_ID"] == "0fe4a1c2-org" and safe["ATLASSIAN_DIRECTORY_ID"] == "7d1e9b30-dir"
    # directory_id left blank (an organisation with one directory): empty, which the modules treat as unset.
    assert render_env(definition, {**inputs, "directory_id": ""})["ATLASSIAN_DIRECTORY_ID"] == ""


JOB_PLAYBOOK = """
- name: AWX job template
  hosts: localhost
  gather_facts: false
  tasks:
    - name: look up the new joiner
      orgsync.atlassian.atlassian_user_info:
        user: jane@acme.example

    - name: onboard the new joiner
      orgsync.atlassian.atlassian_group_member:
        group: team-design
        user: jane@acme.example
"""

CREDENTIALS = {
    "basic": {"username": "admin@acme.example", "api_token": "admin-api-token"},
    # AWX sends the unused Basic inputs as empty strings.
    "bearer": {"bearer_token": "oauth-bearer-token"},
}


def _secrets(inputs: dict) -> list[str]:
    found = [v for k, v in inputs.items() if k in ("api_token", "bearer_token")]
    if inputs.get("api_token"):
        found.append(base64.b64encode(f"{inputs['username']}:{inputs['api_token']}".encode()).decode())
    return found


@pytest.mark.parametrize("kind", sorted(CREDENTIALS))
def test_job_through_ansible_runner_with_the_credential_only_in_env(
    kind, emulator, backend_profile, installed_collection, tmp_path, monkeypatch
):
    for var in [v for v in os.environ if v.startswith(("ATLASSIAN_", "ANSIBLE_"))]:
        monkeypatch.delenv(var)
    # The Basic credential leaves backend empty (auto finds it); the bearer one names it.
    backend = {"backend": backend_profile.name} if kind == "bearer" else {}
    inputs = {"url": emulator.url, **CREDENTIALS[kind], **backend}
    injected = render_env(load_definition(), inputs)

    private_data_dir = tmp_path / "job"
    (private_data_dir / "project").mkdir(parents=True)
    (private_data_dir / "project" / "site.yml").write_text(JOB_PLAYBOOK)
    (private_data_dir / "inventory").mkdir()
    (private_data_dir / "inventory" / "hosts").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={harness.PYTHON}\n"
    )
    ansible_home = tmp_path / "ansible_home"
    envvars = {
        **injected,
        "ANSIBLE_COLLECTIONS_PATH": str(installed_collection.collections_path),
        "ANSIBLE_HOME": str(ansible_home),
        "ANSIBLE_LOCAL_TEMP": str(ansible_home / "tmp"),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        # The execution environment's ansible-playbook: this venv's.
        "PATH": f"{harness.VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir),
        playbook="site.yml",
        envvars=envvars,
        ident="job",
        verbosity=3,  # module invocations in the output too: the no_log masking must hold there as well
        quiet=True,
        suppress_env_files=True,  # as AWX does: no env/ files with the secrets on disk
        timeout=240,
    )
    stdout = runner.stdout.read()
    assert runner.status == "successful" and runner.rc == 0, stdout
    ok = {e["event_data"]["task"]: e["event_data"]["res"] for e in runner.events if e["event"] == "runner_on_ok"}
    assert ok["look up the new joiner"]["users"][0]["account_id"] == JANE_ID
    assert ok["onboard the new joiner"]["changed"] is True
    assert ok["onboard the new joiner"]["backend"] == backend_profile.name
    assert JANE_ID in emulator.members("team-design")

    secrets = _secrets(inputs)
    assert secrets
    for secret in secrets:
        assert secret not in stdout
    artifacts = Path(runner.config.artifact_dir)
    command = json.loads((artifacts / "command").read_text())
    # ansible-runner records the environment it launched with; that is where the credential came in, and the only
    # place it may appear.
    assert command["env"]["ATLASSIAN_URL"] == emulator.url
    command.pop("env")
    leaks = []
    for path in sorted(p for p in private_data_dir.rglob("*") if p.is_file()):
        text = json.dumps(command) if path == artifacts / "command" else path.read_text(errors="replace")
        leaks += [f"{path.relative_to(private_data_dir)}" for secret in secrets if secret in text]
    assert leaks == []
    assert not (private_data_dir / "env" / "envvars").exists()


@pytest.mark.backends("jira_datacenter")
def test_a_data_center_job_with_a_password_and_a_private_ca(emulator_factory, installed_collection, tmp_path):
    """The fields a Data Center user needs: the server URL, username and password, and the CA certificate pasted into
    the credential, which AWX writes to a file for ATLASSIAN_CA_PATH."""
    import ssl

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    seed = harness.REPO_ROOT / "tools" / "atlassian_emulator" / "seeds" / "datacenter.yaml"
    server = emulator_factory(str(seed), products=("jira_datacenter",), ssl_context=context)
    inputs = {"url": server.url, "username": "svc-ansible", "api_token": "svc-password",
              "ca_cert": ca.cert_pem.bytes().decode()}  # fmt: skip
    files = tmp_path / "awx-files"
    files.mkdir()
    injected = render_env(load_definition(), inputs, files_dir=files)
    assert injected["ATLASSIAN_CA_PATH"] == str(files / "ca_cert.pem")

    private_data_dir = tmp_path / "job"
    (private_data_dir / "project").mkdir(parents=True)
    (private_data_dir / "project" / "site.yml").write_text(DC_JOB_PLAYBOOK)
    (private_data_dir / "inventory").mkdir()
    (private_data_dir / "inventory" / "hosts").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={harness.PYTHON}\n"
    )
    envvars = {
        **injected,
        "ANSIBLE_COLLECTIONS_PATH": str(installed_collection.collections_path),
        "ANSIBLE_HOME": str(tmp_path / "ansible_home"),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "PATH": f"{harness.VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir), playbook="site.yml", envvars=envvars, ident="job", quiet=True,
        suppress_env_files=True, timeout=240,
    )  # fmt: skip
    stdout = runner.stdout.read()
    assert runner.status == "successful" and runner.rc == 0, stdout
    ok = {e["event_data"]["task"]: e["event_data"]["res"] for e in runner.events if e["event"] == "runner_on_ok"}
    assert ok["onboard by username"]["backend"] == "jira_datacenter"
    assert ok["onboard by username"]["added"][0]["username"] == "jdoe"
    assert "svc-password" not in stdout


DC_JOB_PLAYBOOK = """
- name: AWX job template on a Data Center server
  hosts: localhost
  gather_facts: false
  tasks:
    - name: onboard by username
      orgsync.atlassian.atlassian_group_member:
        group: team design
        user: jdoe
"""
