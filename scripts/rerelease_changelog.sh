#!/usr/bin/env bash
# Rebuild the current version's changelog entry from its fragments (after a fragment of an unpublished release was
# added or edited): drops the version's release from changelogs/changelog.yaml and releases it again, same date.
# antsibull-changelog's --update-existing adds new fragments but never re-reads edited ones.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
version="$(sed -n 's/^version: *//p' galaxy.yml)"
date="$("$VENV/bin/python" - "$version" <<'PY'
import sys, yaml
path = "changelogs/changelog.yaml"
data = yaml.safe_load(open(path))
release = data["releases"].pop(sys.argv[1])
yaml.safe_dump(data, open(path, "w"), sort_keys=False)
print(release["release_date"])
PY
)"
PATH="$PWD/$VENV/bin:$PATH" antsibull-changelog release --version "$version" --date "$date" --reload-plugins
