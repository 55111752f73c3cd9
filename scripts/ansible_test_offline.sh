#!/usr/bin/env bash
# Run ansible-test on this collection without network access beyond the package index.
#
#   scripts/ansible_test_offline.sh sanity --python 3.11
#   scripts/ansible_test_offline.sh units --python 3.11 --venv
#
# 1. Installs scripts/get_pip_standin.py as ansible-test's cached pip bootstrap script (see that file for why).
# 2. Lays the collection out as build/ansible_test/run.*/ansible_collections/orgsync/atlassian/ (ansible-test only runs
#    from such a tree; the repository root is the collection root). Only git-tracked files and untracked files that
#    are not ignored are copied, so .venv/, build/ and caches never reach ansible-test.
# 3. Runs the venv's ansible-test there with the given arguments, then removes the tree (see KEEP_ANSIBLE_TEST_TREE).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"
ANSIBLE_TEST="$VENV/bin/ansible-test"
NAMESPACE=orgsync
NAME=atlassian
# pip version ansible-test asks its bootstrap script for (ansible-core 2.19: 24.2). Read from ansible-test itself so an
# ansible-core upgrade does not silently bring back the download.
if [[ ! -x "$ANSIBLE_TEST" ]]; then
    echo "ansible_test_offline: $ANSIBLE_TEST not found (run 'make venv' first)" >&2
    exit 2
fi
PIP_VERSION="$("$VENV/bin/python" - <<'PY'
import pathlib, re, ansible_test
src = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
match = re.search(r"default_packages = dict\(\s*pip='([0-9.]+)'", src.read_text())
print(match.group(1) if match else "")
PY
)"
if [[ -z "$PIP_VERSION" ]]; then
    echo "ansible_test_offline: could not find the pip version ansible-test bootstraps; assuming 24.2" >&2
    PIP_VERSION=24.2
fi

# --- 1. the get-pip stand-in -------------------------------------------------------------------------------------
STANDIN="$REPO_ROOT/scripts/get_pip_standin.py"
MARKER="$(head -n 1 "$STANDIN")"
CACHE_DIR="$HOME/.ansible/test/cache"
CACHED="$CACHE_DIR/get_pip_${PIP_VERSION//./_}.py"
mkdir -p "$CACHE_DIR"
if [[ ! -e "$CACHED" ]]; then
    cp "$STANDIN" "$CACHED"
    echo "ansible_test_offline: installed get-pip stand-in at $CACHED"
elif ! cmp -s "$STANDIN" "$CACHED"; then
    if [[ "$(head -n 1 "$CACHED")" == "$MARKER"* || "$(head -n 1 "$CACHED")" == "# orgsync-get-pip-standin"* ]]; then
        cp "$STANDIN" "$CACHED"
        echo "ansible_test_offline: updated get-pip stand-in at $CACHED"
    else
        echo "ansible_test_offline: keeping the existing (not ours) bootstrap script at $CACHED"
    fi
fi

# --- 2. the ansible_collections/<ns>/<name> tree ----------------------------------------------------------------
# One tree per run, removed afterwards: several people (and their `make test`) share this work tree, and one run
# must not delete the files another is testing. KEEP_ANSIBLE_TEST_TREE=1 keeps it (tests/output/ has the reports).
mkdir -p "$REPO_ROOT/build/ansible_test"
TREE_ROOT="$(mktemp -d "$REPO_ROOT/build/ansible_test/run.XXXXXX")"
DEST="$TREE_ROOT/ansible_collections/$NAMESPACE/$NAME"
mkdir -p "$DEST"
cleanup() {
    if [[ "${KEEP_ANSIBLE_TEST_TREE:-0}" == "1" ]]; then
        echo "ansible_test_offline: kept $DEST"
    else
        rm -rf "$TREE_ROOT"
    fi
}
trap cleanup EXIT
cd "$REPO_ROOT"
if git -C "$REPO_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked + untracked-but-not-ignored files that exist in the work tree (a tracked file deleted but not yet
    # committed is skipped).
    git ls-files -z --cached --others --exclude-standard \
        | "$VENV/bin/python" -c '
import os, sys
for p in sys.stdin.buffer.read().split(b"\0"):
    if p and os.path.lexists(p):
        sys.stdout.buffer.write(p + b"\0")
' \
        | tar --null --no-recursion -T - -cf - \
        | tar -xf - -C "$DEST"
else
    tar --exclude=./.venv --exclude=./build --exclude=./.git --exclude='*/__pycache__' \
        --exclude=./.pytest_cache --exclude=./.ruff_cache --exclude=./.hypothesis --exclude=./tests/output \
        -cf - . | tar -xf - -C "$DEST"
fi

# ansible-test finds its file list through the nearest .git above the working directory. Without one of its own,
# the copy would resolve to this repository, whose .gitignore hides build/, and every target would be skipped.
# An empty repository makes the copy its own content root; its files count as untracked-not-ignored.
git -C "$DEST" init -q

# --- 3. ansible-test ---------------------------------------------------------------------------------------------
cd "$DEST"
export PATH="$VENV/bin:$PATH"
# ansible-test runs its sanity tests in their own virtual environments; never let the caller's pip config, a
# PYTHONPATH or an outer virtualenv leak in.
unset PYTHONPATH VIRTUAL_ENV
"$ANSIBLE_TEST" "$@"
