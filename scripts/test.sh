#!/usr/bin/env bash
# Run every check of the project, phase by phase, and print one summary at the end (`make test`; what CI runs).
#
#   1. static:      ruff check, ruff format --check, ansible-test sanity --python 3.11 (offline),
#                   scripts/quality_gates.sh (ansible-doc, ansible-lint on the whole collection, galaxy-importer with
#                   Galaxy's and Automation Hub's settings, antsibull-docs lint, the docsite's sources, changelog)
#   2. unit:        pytest tests/unit tests/emulator
#   3. integration: pytest tests/integration tests/bench (built + installed collection, real ansible-playbook,
#                   emulator; tests/bench smoke-tests `make bench` on tiny sizes)
#
# A failing step does not stop the others (so one run shows every problem); the exit status is non-zero if any failed.
# Environment: VENV (default .venv), PYTEST_XDIST (default "-n auto"), PYTEST_ARGS (extra pytest arguments),
# SKIP_SANITY=1 (skip ansible-test, e.g. for a quick local loop; CI never sets it).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 2
VENV="${VENV:-$REPO_ROOT/.venv}"
PYTEST_XDIST="${PYTEST_XDIST:--n auto}"
PYTHON_VERSION="${ANSIBLE_TEST_PYTHON:-3.11}"
# Reports of this run (JUnit XML, the full sanity log); one directory per run, so concurrent runs in a shared work
# tree do not overwrite each other's. build/test-results/latest points at the newest.
mkdir -p "$REPO_ROOT/build/test-results"
RESULTS_DIR="$(mktemp -d "$REPO_ROOT/build/test-results/$(date +%Y%m%d-%H%M%S).XXXX")"
ln -sfn "$(basename "$RESULTS_DIR")" "$REPO_ROOT/build/test-results/latest"

if [[ ! -x "$VENV/bin/pytest" ]]; then
    echo "test.sh: $VENV/bin/pytest not found: run 'make venv' first" >&2
    exit 2
fi

declare -a STEP_NAMES=() STEP_STATUS=() STEP_SECONDS=() STEP_NOTES=()
OVERALL=0
RUN_START=$SECONDS

banner() {
    printf '\n======================================================================\n'
    printf '== %s\n' "$*"
    printf '======================================================================\n'
}

# record NAME RC SECONDS NOTE
record() {
    STEP_NAMES+=("$1")
    STEP_SECONDS+=("$3")
    STEP_NOTES+=("$4")
    case "$2" in
        0) STEP_STATUS+=("PASS") ;;
        skip) STEP_STATUS+=("SKIP") ;;
        *) STEP_STATUS+=("FAIL (rc=$2)"); OVERALL=1 ;;
    esac
}

# step NAME COMMAND...: run a command, time it, record the outcome.
step() {
    local name="$1"; shift
    banner "$name: $*"
    local start=$SECONDS rc=0
    "$@" || rc=$?
    record "$name" "$rc" "$((SECONDS - start))" ""
    return 0
}

# pytest_step NAME PATH...: pytest with a JUnit report, so the summary can count tests.
pytest_step() {
    local name="$1"; shift
    local paths=() p
    for p in "$@"; do
        [[ -e "$p" ]] && paths+=("$p")
    done
    if [[ ${#paths[@]} -eq 0 ]]; then
        record "$name" skip 0 "no test directory among: $*"
        return 0
    fi
    local junit="$RESULTS_DIR/$name.xml"
    # shellcheck disable=SC2086  # PYTEST_XDIST and PYTEST_ARGS are deliberately word-split
    banner "$name: pytest $PYTEST_XDIST ${paths[*]} ${PYTEST_ARGS:-}"
    local start=$SECONDS rc=0
    # shellcheck disable=SC2086
    "$VENV/bin/pytest" $PYTEST_XDIST ${PYTEST_ARGS:-} --junitxml="$junit" "${paths[@]}" || rc=$?
    local note
    note="$(junit_counts "$junit")"
    if [[ $rc -eq 5 ]]; then
        # pytest's "no tests collected": not a failure of the code, but say so loudly.
        record "$name" 0 "$((SECONDS - start))" "no tests collected"
    else
        record "$name" "$rc" "$((SECONDS - start))" "$note"
    fi
    return 0
}

junit_counts() {
    "$VENV/bin/python" - "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET

totals = dict(tests=0, failures=0, errors=0, skipped=0)
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
failed = totals["failures"] + totals["errors"]
print(f"{passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
}

# ansible-test sanity, with pip's chatter from building its per-test virtual environments (first run only) kept in
# build/test-results/<run>/sanity.log instead of on screen. Everything else, each test's name and every ERROR, is shown.
PIP_NOISE='^(WARNING: Location |Looking in |Collecting |Downloading |Processing |Installing collected |Successfully |Attempting uninstall|Found existing installation|Uninstalling |Requirement already| +(━|-|Downloading|Using cached|Found existing|Uninstalling|Successfully))'
# shellcheck disable=SC2329  # invoked through step()
run_sanity() {
    local log="$RESULTS_DIR/sanity.log"
    scripts/ansible_test_offline.sh sanity --python "$PYTHON_VERSION" --color no 2>&1 \
        | tee "$log" | { grep -Ev "$PIP_NOISE" || true; }
    local rc=${PIPESTATUS[0]}
    echo "(full output: ${log#"$REPO_ROOT"/})"
    return "$rc"
}

# ---------------------------------------------------------------------------------------------------------------
banner "phase 1/3: static checks"
step "ruff-check" "$VENV/bin/ruff" check --no-cache .
step "ruff-format" "$VENV/bin/ruff" format --no-cache --check .
if [[ "${SKIP_SANITY:-0}" == "1" ]]; then
    record "sanity" skip 0 "SKIP_SANITY=1"
else
    step "sanity" run_sanity
fi
# Ecosystem gates: build+install, ansible-doc of every module, ansible-lint of the collection, galaxy-importer (Galaxy
# and Automation Hub settings), antsibull-docs lint, docs/docsite/ up to date, changelog and version consistency.
step "quality-gates" scripts/quality_gates.sh

banner "phase 2/3: unit tests"
pytest_step "unit" tests/unit tests/emulator

banner "phase 3/3: integration tests"
pytest_step "integration" tests/integration tests/bench

# ---------------------------------------------------------------------------------------------------------------
banner "summary"
for i in "${!STEP_NAMES[@]}"; do
    printf '%-14s %-12s %5ss  %s\n' "${STEP_NAMES[$i]}" "${STEP_STATUS[$i]}" "${STEP_SECONDS[$i]}" "${STEP_NOTES[$i]}"
done
printf '%-14s %-12s %5ss\n' "total" "$([[ $OVERALL -eq 0 ]] && echo PASS || echo FAIL)" "$((SECONDS - RUN_START))"
echo
# One closing line over every pytest test of the run, in the form CI and people read.
echo "pytest: $(junit_counts "$RESULTS_DIR"/*.xml)"
exit "$OVERALL"
