#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
#
# The collection's ecosystem gates, a step of `make test` (scripts/test.sh); also runs on its own.
#
#   build+install  ansible-galaxy collection build, then install the tarball into a scratch build/quality/run.*/
#   action-group   every module in plugins/modules/ is in the action group of meta/runtime.yml
#   ansible-doc    ansible-doc orgsync.atlassian.<module> renders every module: exit 0, nothing on stderr
#   ansible-lint   ansible-lint --offline --profile production on the whole collection, against the installed one
#   galaxy-importer  the built tarball through galaxy-importer twice, in parallel: with galaxy.ansible.com's settings
#                  and with Automation Hub's (scripts/galaxy_importer/*.cfg); no error, no warning but flake8's
#                  W503/W504 (ruff format's line breaks), and every code block of README.md and docs/*.md rendered
#                  as code by Galaxy's Markdown renderer
#   antsibull-docs antsibull-docs lint-collection-docs --plugin-docs (module docs, the docsite's extra docs)
#   docsite-sources  docs/docsite/ is what scripts/docsite.py makes of docs/*.md (the guides in the docsite)
#   changelog      antsibull-changelog lint (fragments), lint-changelog-yaml, CHANGELOG.md is what
#                  changelogs/changelog.yaml generates, and the release is complete: when galaxy.yml's version is
#                  released, its release holds every fragment and every module whose version_added names it
#
# Every gate runs even if an earlier one failed (the doc and lint gates need the install); the exit status is
# non-zero if any failed. The galaxy-importer, antsibull-docs and docsite gates use .venv-release's tools
# (requirements-release.txt). Environment: VENV (default .venv), RELEASE_VENV (default .venv-release).
# The gate functions below are called through gate(), which shellcheck cannot see.
# shellcheck disable=SC2329
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 2
VENV="${VENV:-$REPO_ROOT/.venv}"
RELEASE_VENV="${RELEASE_VENV:-$REPO_ROOT/.venv-release}"
# One scratch directory per run (removed at the end), so concurrent runs in a shared work tree do not collide.
mkdir -p "$REPO_ROOT/build/quality"
WORK="$(mktemp -d "$REPO_ROOT/build/quality/run.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
COLLECTIONS="$WORK/collections"
FQCN_PREFIX="orgsync.atlassian"

mkdir -p "$WORK/dist" "$COLLECTIONS" "$WORK/ansible_home"
# A private, clean Ansible setup: nothing from the caller's ANSIBLE_* variables or ~/.ansible leaks in.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(ANSIBLE_[A-Za-z0-9_]*\)=.*/\1/p')
export ANSIBLE_HOME="$WORK/ansible_home" ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ANSIBLE_NOCOLOR=1
export ANSIBLE_LOCAL_TEMP="$WORK/ansible_home/tmp" ANSIBLE_GALAXY_CACHE_DIR="$WORK/ansible_home/galaxy_cache"
export PATH="$VENV/bin:$PATH" NO_COLOR=1

declare -a NAMES=() RESULTS=() TIMES=()
FAILED=0

# gate NAME COMMAND...: run one gate, print its output, record PASS/FAIL and its seconds.
gate() {
    local name="$1" start=$SECONDS; shift
    printf -- '--- %s\n' "$name"
    if "$@"; then
        RESULTS+=("PASS")
    else
        RESULTS+=("FAIL")
        FAILED=1
    fi
    NAMES+=("$name")
    TIMES+=("$((SECONDS - start))")
}

build_and_install() {
    ansible-galaxy collection build --force --output-path "$WORK/dist" . >"$WORK/build.log" 2>&1 \
        && ansible-galaxy collection install --offline --force --no-deps -p "$COLLECTIONS" "$WORK"/dist/*.tar.gz \
            >>"$WORK/build.log" 2>&1 \
        && test -f "$COLLECTIONS/ansible_collections/orgsync/atlassian/MANIFEST.json" \
        || { cat "$WORK/build.log"; return 1; }
    echo "built and installed $(basename "$WORK"/dist/*.tar.gz)"
}

modules() {
    local path
    for path in plugins/modules/*.py; do
        basename "$path" .py
    done
}

action_group_lists_every_module() {
    "$VENV/bin/python" - "$(modules)" <<'PY'
import sys

import yaml

modules = set(sys.argv[1].split())
group = set(yaml.safe_load(open("meta/runtime.yml"))["action_groups"]["atlassian"])
missing = sorted(modules - group)
print(f"missing from action_groups.atlassian: {missing}" if missing else f"all {len(modules)} modules listed")
sys.exit(1 if missing else 0)
PY
}

ansible_doc_renders_every_module() {
    local module rc=0 err
    for module in $(modules); do
        err="$WORK/ansible-doc-$module.stderr"
        if ! ansible-doc "$FQCN_PREFIX.$module" >"$WORK/ansible-doc-$module.txt" 2>"$err"; then
            echo "ansible-doc $FQCN_PREFIX.$module failed:"; cat "$err"; rc=1
        elif [[ -s "$err" ]]; then
            echo "ansible-doc $FQCN_PREFIX.$module wrote to stderr:"; cat "$err"; rc=1
        else
            echo "ansible-doc $FQCN_PREFIX.$module: ok ($(wc -l <"$WORK/ansible-doc-$module.txt") lines)"
        fi
    done
    return "$rc"
}

ansible_lint_collection() {
    ansible-lint --offline --profile production --nocolor .
}

# One galaxy-importer run per settings file, both at once (each takes 15-25 s, mostly ansible-doc and ansible-lint).
galaxy_importer_galaxy_and_hub() {
    local settings pids=() rc=0
    for settings in galaxy hub; do
        mkdir -p "$WORK/importer-$settings"
        (
            cd "$WORK/importer-$settings" \
                && GALAXY_IMPORTER_CONFIG="$REPO_ROOT/scripts/galaxy_importer/$settings.cfg" \
                    PATH="$RELEASE_VENV/bin:$PATH" "$RELEASE_VENV/bin/python" -m galaxy_importer.main \
                    "$WORK"/dist/*.tar.gz >output.log 2>&1
        ) &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || rc=1
    done
    for settings in galaxy hub; do
        "$VENV/bin/python" scripts/galaxy_importer/judge.py "$settings" "$WORK/importer-$settings" || rc=1
    done
    return "$rc"
}

antsibull_docs_lint() {
    PATH="$RELEASE_VENV/bin:$PATH" antsibull-docs lint-collection-docs --plugin-docs \
        "$COLLECTIONS/ansible_collections/orgsync/atlassian" \
        && echo "antsibull-docs lint-collection-docs: no problem"
}

docsite_sources_are_current() {
    "$RELEASE_VENV/bin/python" scripts/docsite.py --check
}

changelog_is_consistent() {
    antsibull-changelog lint || return 1
    antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || return 1
    "$VENV/bin/python" scripts/release_state.py || return 1
    # Regenerate CHANGELOG.md from changelogs/changelog.yaml in a scratch copy; it must match the committed one.
    local scratch="$WORK/changelog"
    mkdir -p "$scratch"
    cp -r changelogs galaxy.yml CHANGELOG.md "$scratch/"
    (cd "$scratch" && antsibull-changelog generate) || return 1
    if ! diff -u CHANGELOG.md "$scratch/CHANGELOG.md"; then
        echo "CHANGELOG.md is not what changelogs/changelog.yaml generates: run antsibull-changelog generate"
        return 1
    fi
    echo "changelog fragments and CHANGELOG.md are consistent"
}

gate "build+install" build_and_install
gate "action-group" action_group_lists_every_module
gate "ansible-doc" ansible_doc_renders_every_module
gate "ansible-lint" ansible_lint_collection
gate "galaxy-importer" galaxy_importer_galaxy_and_hub
gate "antsibull-docs" antsibull_docs_lint
gate "docsite-sources" docsite_sources_are_current
gate "changelog" changelog_is_consistent

echo
for i in "${!NAMES[@]}"; do
    printf '  %-16s %-5s %4ss\n' "${NAMES[$i]}" "${RESULTS[$i]}" "${TIMES[$i]}"
done
exit "$FAILED"
