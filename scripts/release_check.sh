#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
#
# `make release-check`: the collection docsite, built the way docs.ansible.com builds collection docs (antsibull-docs
# sphinx-init + Sphinx), from the built and installed collection, with the guides of docs/*.md as its extra docs.
# Not part of `make test` (its gates already run galaxy-importer, antsibull-docs lint and scripts/docsite.py --check);
# this adds the rendered site. Fails if
#   - Sphinx warns about anything but what an offline build cannot have (Ansible's and Python's intersphinx
#     inventories, so the two labels of Ansible's own docs that the generated pages point to);
#   - a guide of docs/*.md has no page, or its page lost a table or a code block of the Markdown.
# Environment: VENV (default .venv), RELEASE_VENV (default .venv-release), KEEP=1 keeps build/release-check/run.*.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 2
VENV="${VENV:-$REPO_ROOT/.venv}"
RELEASE_VENV="${RELEASE_VENV:-$REPO_ROOT/.venv-release}"
mkdir -p "$REPO_ROOT/build/release-check"
WORK="$(mktemp -d "$REPO_ROOT/build/release-check/run.XXXXXX")"
[[ "${KEEP:-0}" == "1" ]] || trap 'rm -rf "$WORK"' EXIT
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(ANSIBLE_[A-Za-z0-9_]*\)=.*/\1/p')
export ANSIBLE_HOME="$WORK/ansible_home" ANSIBLE_COLLECTIONS_PATH="$WORK/collections" ANSIBLE_NOCOLOR=1
export PATH="$RELEASE_VENV/bin:$PATH"
START=$SECONDS

if ! { "$VENV/bin/ansible-galaxy" collection build --force --output-path "$WORK/dist" . >"$WORK/build.log" 2>&1 \
    && "$VENV/bin/ansible-galaxy" collection install --offline --force --no-deps -p "$WORK/collections" \
        "$WORK"/dist/*.tar.gz >>"$WORK/build.log" 2>&1; }; then
    cat "$WORK/build.log"
    exit 1
fi

SITE="$WORK/docsite"
mkdir -m 0755 "$SITE"
antsibull-docs sphinx-init --use-current --lenient --dest-dir "$SITE" orgsync.atlassian >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log"; exit 1; }
# --lenient: no -W, so that the offline intersphinx warnings do not stop the build; the warnings are judged below.
(cd "$SITE" && ./build.sh) >"$WORK/sphinx.log" 2>&1 || { cat "$WORK/sphinx.log"; exit 1; }

"$RELEASE_VENV/bin/python" - "$SITE" "$WORK/sphinx.log" <<'PY'
import re
import sys
from pathlib import Path

site, log = Path(sys.argv[1]), Path(sys.argv[2]).read_text()
# What an offline build always says: the inventories of docs.ansible.com, docs.python.org and Jinja cannot be fetched,
# so the generated module pages' links to Ansible's "common_return_values" and "ansible_configuration_settings" have
# no target. Anything else is a problem of this collection's docs.
OFFLINE = re.compile(
    r"failed to reach any of the inventories|intersphinx inventory|"
    r"undefined label: '(common_return_values|ansible_configuration_settings)'"
)
problems = [line for line in log.splitlines() if "WARNING" in line and not OFFLINE.search(line)]
problems += [line for line in log.splitlines() if "ERROR" in line]
pages = site / "build" / "html" / "collections" / "orgsync" / "atlassian"
index = (pages / "index.html").read_text()
for md in sorted(Path("docs").glob("*.md")):
    page = pages / "docsite" / f"{md.stem}.html"
    if not page.is_file():
        problems.append(f"{md}: no page in the docsite")
        continue
    if f"docsite/{md.stem}.html" not in index:
        problems.append(f"{md}: the collection's index does not link docsite/{md.stem}.html")
    text, html = md.read_text(), page.read_text()
    fences = len(re.findall(r"^```", text, re.M)) // 2
    tables = len(re.findall(r"^\|[-| :]+\|$", text, re.M))
    if html.count("<pre") != fences or html.count("<table") != tables:
        problems.append(
            f"{md}: {fences} code blocks and {tables} tables in the Markdown, "
            f"{html.count('<pre')} and {html.count('<table')} on its page"
        )
for problem in problems:
    print(problem)
if not problems:
    print(f"docsite built: {len(list((pages / 'docsite').glob('*.html')))} guides and the module pages, no warning "
          "but the offline ones")
sys.exit(1 if problems else 0)
PY
rc=$?
echo "release-check: $([[ $rc -eq 0 ]] && echo PASS || echo FAIL) in $((SECONDS - START))s"
exit "$rc"
