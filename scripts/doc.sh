#!/usr/bin/env bash
# `make doc MODULE=atlassian_group_member`: ansible-doc of a module of this checkout's collection (without MODULE, the
# list of its modules). Nothing is built: Ansible finds the collection through build/checkout, a link to this checkout
# (checkout_collection in common.sh), so the docs shown are those of the work tree.
#
#   scripts/doc.sh atlassian_user_info      # or orgsync.atlassian.atlassian_user_info
#   scripts/doc.sh                          # the modules
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"
if [[ ! -x "$VENV/bin/ansible-doc" ]]; then
    echo "doc: $VENV/bin/ansible-doc not found: run 'make venv' first" >&2
    exit 2
fi
# shellcheck source=scripts/common.sh
source "$REPO_ROOT/scripts/common.sh"
ANSIBLE_COLLECTIONS_PATH="$(checkout_collection)"
export ANSIBLE_COLLECTIONS_PATH

MODULE="${1:-}"
if [[ -z "$MODULE" ]]; then
    exec "$VENV/bin/ansible-doc" --list orgsync.atlassian
fi
exec "$VENV/bin/ansible-doc" "orgsync.atlassian.${MODULE#orgsync.atlassian.}"
