#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
#
# `make matrix`: ansible-test sanity and the unit tests on every ansible-core the collection claims
# (meta/runtime.yml requires_ansible) that installs on this machine's Python. Not part of `make test`, which runs one
# ansible-core (requirements-dev.txt's) for everything.
#
#   scripts/matrix.sh                 # every version in VERSIONS
#   MATRIX="2.17 2.18" scripts/matrix.sh
#
# One plain venv per version under build/matrix/ansible-core-<version>/ (kept between runs, reinstalled when the
# requirements change): that ansible-core, plus the unit tests' requirements from requirements-dev.txt (its pins, less
# the Ansible tools that would pull another ansible-core). In each: scripts/ansible_test_offline.sh sanity (the first
# run of a version also builds ansible-test's sanity venvs, a few minutes), then pytest tests/unit. ansible-core 2.20
# and later need Python 3.12 or newer; on an older Python they are reported as not tested, not as passed.
# Environment: MATRIX (versions), PYTHON (default python3), ANSIBLE_TEST_PYTHON (default 3.11), XDIST (default -n auto).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 2
# Every ansible-core from requires_ansible's minimum to the newest released; README "Supported versions" lists them.
VERSIONS=(2.17 2.18 2.19 2.20 2.21)
read -r -a SELECTED <<<"${MATRIX:-${VERSIONS[*]}}"
PYTHON="${PYTHON:-python3}"
ANSIBLE_TEST_PYTHON="${ANSIBLE_TEST_PYTHON:-3.11}"
XDIST="${XDIST:--n auto}"
PY_VERSION="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
MATRIX_DIR="$REPO_ROOT/build/matrix"
mkdir -p "$MATRIX_DIR"
# The unit tests' requirements: requirements-dev.txt without the tools that bring their own ansible-core.
UNIT_REQS="$MATRIX_DIR/unit-requirements.txt"
grep -Ev '^(ansible-|antsibull-|ruff|schemathesis)' requirements-dev.txt >"$UNIT_REQS"

declare -a ROWS=()
FAILED=0

# needs_python VERSION: the oldest Python the ansible-core release supports on the controller.
needs_python() {
    case "$1" in
        2.17 | 2.18 | 2.19) echo 3.11 ;;  # 2.17: 3.10+, 2.18 and 2.19: 3.11+
        *) echo 3.12 ;;                   # 2.20 and later
    esac
}

run_version() {
    local version="$1" venv="$MATRIX_DIR/ansible-core-$1" need start=$SECONDS sanity_rc=0 unit_rc=0
    need="$(needs_python "$version")"
    if ! "$PYTHON" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$need'.split('.'))))"; then
        ROWS+=("$(printf '%-6s %-12s %s' "$version" "NOT TESTED" "needs Python >= $need; this machine's is $PY_VERSION")")
        return 0
    fi
    printf '\n== ansible-core %s\n' "$version"
    local stamp
    stamp="$venv/.installed-$(cat "$UNIT_REQS" <(echo "$version") | sha256sum | cut -c1-16)"
    if [[ ! -e "$stamp" ]]; then
        rm -rf "$venv"
        if ! { "$PYTHON" -m venv "$venv" \
            && "$venv/bin/python" -m pip install --disable-pip-version-check -q \
                "ansible-core==$version.*" -r "$UNIT_REQS" 2>&1 | { grep -v '^WARNING: Location' || true; }; }; then
            ROWS+=("$(printf '%-6s %-12s %s' "$version" "FAIL" "could not install")")
            FAILED=1
            return 0
        fi
        touch "$stamp"
    fi
    local core
    core="$("$venv/bin/python" -c 'import ansible; print(ansible.__version__)')"
    echo "-- sanity (ansible-core $core)"
    VENV="$venv" scripts/ansible_test_offline.sh sanity --python "$ANSIBLE_TEST_PYTHON" --color no \
        >"$MATRIX_DIR/sanity-$version.log" 2>&1 || sanity_rc=$?
    grep -E '^(Running sanity test|ERROR|FATAL)' "$MATRIX_DIR/sanity-$version.log" || true
    echo "-- unit tests (ansible-core $core)"
    # shellcheck disable=SC2086  # XDIST is deliberately word-split
    "$venv/bin/python" -m pytest $XDIST -q -p no:cacheprovider tests/unit >"$MATRIX_DIR/units-$version.log" 2>&1 \
        || unit_rc=$?
    tail -n 1 "$MATRIX_DIR/units-$version.log"
    local status="PASS"
    if [[ $sanity_rc -ne 0 || $unit_rc -ne 0 ]]; then
        status="FAIL"
        FAILED=1
    fi
    ROWS+=("$(printf '%-6s %-12s ansible-core %s: sanity rc=%s, units: %s (%ss; logs build/matrix/*-%s.log)' \
        "$version" "$status" "$core" "$sanity_rc" "$(tail -n 1 "$MATRIX_DIR/units-$version.log")" \
        "$((SECONDS - start))" "$version")")
}

for version in "${SELECTED[@]}"; do
    run_version "$version"
done

printf '\n== matrix (Python %s)\n' "$PY_VERSION"
printf '%s\n' "${ROWS[@]}"
exit "$FAILED"
