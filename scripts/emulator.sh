#!/usr/bin/env bash
# `make emulator`: the local Atlassian emulator, for your own playbooks, until Ctrl-C.
#
# 1. makes this checkout a collection Ansible finds (build/checkout, see checkout_collection in common.sh): no build,
#    and an edit to the modules counts at the next run;
# 2. starts the emulator on loopback, seeded with SEED (default: the demo org of `make demo`), on PORT (default: a
#    free port);
# 3. prints the `export` lines to paste into another shell: the emulated site's URL, its admin's login and the backend,
#    then this checkout's ansible-playbook and ansible-doc (the venv's), the collection, and the venv's Python for the
#    modules (it has requests);
# 4. keeps it running in the foreground; Ctrl-C (or SIGTERM) stops it. Its state lives in memory: a restart starts
#    from the seed again.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
VENV="${VENV:-$REPO_ROOT/.venv}"
SEED="${SEED:-tools/atlassian_emulator/seeds/demo.yaml}"
PORT="${PORT:-0}"

if [[ ! -x "$VENV/bin/ansible-playbook" ]]; then
    echo "emulator: $VENV/bin/ansible-playbook not found: run 'make venv' first" >&2
    exit 2
fi
if [[ ! -e "$SEED" ]]; then
    echo "emulator: $SEED not found" >&2
    exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/orgsync-emulator.XXXXXX")"
# shellcheck source=scripts/common.sh
source "$REPO_ROOT/scripts/common.sh"

# shellcheck disable=SC2329  # invoked through trap
cleanup() {
    local rc=$?
    stop_emulator
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
# Ctrl-C is how this ends: a clean exit.
trap 'exit 0' INT
trap 'exit 143' TERM

COLLECTIONS="$(checkout_collection)"
start_emulator "$SEED" "$WORK" "$PORT"

# The seed's admin login, and the backend its products mean (the first it serves, as backend auto would pick).
LOGIN="$(PYTHONPATH="$REPO_ROOT/tools" "$VENV/bin/python" - "$SEED" "$EMULATOR_URL" <<'PY'
import shlex
import sys

from atlassian_emulator import Emulator

seed, url = sys.argv[1:3]
emulator = Emulator(seed)  # never started: only its products and credentials are read
backend = {"jira": "jira_cloud", "confluence": "confluence_cloud"}.get(emulator.products[0], emulator.products[0])
login = {"ATLASSIAN_URL": url}
credentials = emulator.state.credentials
if backend == "admin":
    key = next(c for c in credentials if c.org_id)
    login.update(ATLASSIAN_BEARER_TOKEN=key.bearer_token, ATLASSIAN_ORG_ID=key.org_id)
else:
    admin = next(c for c in credentials if c.site_admin and c.org_id is None)
    if admin.api_token:
        login.update(ATLASSIAN_USERNAME=admin.email, ATLASSIAN_API_TOKEN=admin.api_token)
    else:
        login.update(ATLASSIAN_BEARER_TOKEN=admin.bearer_token)
login["ATLASSIAN_BACKEND"] = backend
for name, value in login.items():
    print(f"export {name}={shlex.quote(value)}")
PY
)"

cat <<EOF
The Atlassian emulator is running at $EMULATOR_URL (seed: $SEED).
Paste these lines into another shell, then run your playbooks there (ansible-playbook, ansible-doc):

$LOGIN
export PATH="$VENV/bin:\$PATH"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"

# Ctrl-C here stops the emulator.
EOF

# Until Ctrl-C (the trap), or until the emulator stops by itself.
wait "$EMULATOR_PID" || true
echo "emulator: it stopped by itself; its log:" >&2
cat "$WORK/emulator.log" >&2
exit 1
