#!/usr/bin/env bash
# `make demo`: onboard the demo org's new joiners with the built collection, against the local Atlassian emulator.
#
# 1. starts the emulator (tools/atlassian_emulator) seeded with seeds/demo.yaml on a free loopback port;
# 2. builds the collection and installs it into build/collections;
# 3. runs playbooks/onboard.yml -e @playbooks/vars/demo.yml, then runs it again to show it is idempotent (changed=0);
# 4. stops the emulator, however the script ends.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
VENV="${VENV:-$REPO_ROOT/.venv}"
SEED="${DEMO_SEED:-tools/atlassian_emulator/seeds/demo.yaml}"
PLAYBOOK="${DEMO_PLAYBOOK:-playbooks/onboard.yml}"
VARS_FILE="${DEMO_VARS:-playbooks/vars/demo.yml}"
COLLECTIONS_PATH="$REPO_ROOT/build/collections"
DIST="$REPO_ROOT/build/dist"

if [[ ! -x "$VENV/bin/ansible-playbook" ]]; then
    echo "demo: $VENV/bin/ansible-playbook not found: run 'make venv' first" >&2
    exit 2
fi
for f in "$SEED" "$PLAYBOOK" "$VARS_FILE"; do
    if [[ ! -e "$f" ]]; then
        echo "demo: $f not found" >&2
        exit 2
    fi
done

if [[ -t 1 ]]; then
    step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
    step() { printf '\n== %s\n' "$*"; }
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/orgsync-demo.XXXXXX")"
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
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. emulator ------------------------------------------------------------------------------------------------
step "Starting the Atlassian emulator (seed: $SEED)"
start_emulator "$SEED" "$WORK"
URL="$EMULATOR_URL"
echo "emulator: $URL (pid $EMULATOR_PID)"

# Connection for the modules' environment fallbacks (the demo seed's site admin), and Ansible pointed at the
# installed collection; modules run with the venv's Python, which has requests.
export ATLASSIAN_URL="$URL"
export ATLASSIAN_USERNAME="admin@acme.example"
export ATLASSIAN_API_TOKEN="demo-api-token"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_PATH"
export ANSIBLE_LOCALHOST_WARNING=False
export ANSIBLE_INVENTORY_UNPARSED_WARNING=False
export ANSIBLE_RETRY_FILES_ENABLED=False
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"

# --- 2. build + install -----------------------------------------------------------------------------------------
step "Building and installing the collection into build/collections"
mkdir -p "$DIST" "$COLLECTIONS_PATH"
rm -f "$DIST"/orgsync-atlassian-*.tar.gz
ansible-galaxy collection build --force --output-path "$DIST" .
TARBALL="$(ls "$DIST"/orgsync-atlassian-*.tar.gz)"
ansible-galaxy collection install --offline --force --no-deps -p "$COLLECTIONS_PATH" "$TARBALL"

# --- 3. the playbook, twice ---------------------------------------------------------------------------------------
step "First run: ansible-playbook $PLAYBOOK -e @$VARS_FILE"
ansible-playbook "$PLAYBOOK" -e "@$VARS_FILE"

step "Second run: nothing left to do, so every task reports ok and changed=0"
SECOND_LOG="$WORK/second-run.log"
ansible-playbook "$PLAYBOOK" -e "@$VARS_FILE" | tee "$SECOND_LOG"
if grep -Eq 'changed=[1-9]' "$SECOND_LOG"; then
    echo "demo: the second run changed something: the playbook is not idempotent" >&2
    exit 1
fi

step "Done: the second run changed nothing"
echo "To run your own playbooks against the emulator: make emulator (it keeps running, and prints what to export)."
