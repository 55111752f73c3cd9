# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The AWX credential type in extensions/awx/: valid for AWX, and a job run the way AWX runs it works.

AWX turns a credential into environment variables by rendering each ``injectors.env`` template with a Jinja2
sandbox over the credential's inputs; inputs that are unset or empty are left out of the namespace, so they render
as empty strings (awx/main/models/credential/__init__.py, ``CredentialType.inject_credential``). It then runs the
playbook with ansible-runner. This test does the same against the emulator: the playbook has no connection options,
so the credential arrives only through the environment.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import ansible_runner
import harness
import pytest
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

pytestmark = pytest.mark.slow

DEFINITION = harness.REPO_ROOT / "extensions" / "awx" / "credential_type.yml"
HIDDEN = "**********"  # what AWX stores in the job's safe_env for a secret input
JANE = "jane@acme.example"
JANE_ID = "5b10a2844c20165700ede003"
# AWX refuses custom credential types of other kinds, and injectors that set these (awx/main/fields.py).
CUSTOM_KINDS = ("cloud", "net")
FIELD_ID = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")


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


def test_definition_is_a_valid_awx_custom_credential_type():
    definition = load_definition()
    assert definition["kind"] in CUSTOM_KINDS
    fields = definition["inputs"]["fields"]
    ids = [f["id"] for f in fields]
    # New fields are only ever appended, and optional: credentials saved with an older definition keep working.
    assert ids == ["url", "username", "api_token", "bearer_token", "backend", "ca_cert", "org_id", "directory_id"]
    assert all(FIELD_ID.match(i) for i in ids) and len(set(ids)) == len(ids)
    assert all(f["type"] == "string" and f.get("label") for f in fields)
    assert not any(i in definition["inputs"]["required"] for i in ids[1:])
    assert next(f for f in fields if f["id"] == "backend")["choices"] == [
        "auto",
        "jira_cloud",
        "jira_datacenter",
        "confluence_cloud",
        "confluence_datacenter",
        "admin",
    ]
    assert {f["id"] for f in fields if f.get("secret")} == {"api_token", "bearer_token"}
    assert set(definition["inputs"]["required"]) <= set(ids)
    env = definition["injectors"]["env"]
    assert set(env) == {
        "ATLASSIAN_URL",
        "ATLASSIAN_USERNAME",
        "ATLASSIAN_API_TOKEN",
        "ATLASSIAN_BEARER_TOKEN",
        "ATLASSIAN_BACKEND",
        "ATLASSIAN_CA_PATH",
        "ATLASSIAN_ORG_ID",
        "ATLASSIAN_DIRECTORY_ID",
    }
    assert definition["inputs"]["required"] == ["url"]
    assert not any(var.startswith("ANSIBLE_") for var in env)
    assert set(definition["injectors"]) == {"env", "file"}
    assert set(definition["injectors"]["file"]) == {"template.ca_cert"}
    # AWX validates the templates against the defined fields and the files with StrictUndefined: no unknown names.
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    namespace = {**{i: "EXAMPLE" for i in ids}, "tower": {"filename": {"ca_cert": "/runner/env/ca_cert"}}}
    for tmpl in [*env.values(), *definition["injectors"]["file"].values()]:
        strict.from_string(tmpl).render(**namespace)


def test_the_env_vars_are_the_ones_the_modules_read():
    source = (harness.REPO_ROOT / "plugins" / "module_utils" / "_connection.py").read_text()
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
