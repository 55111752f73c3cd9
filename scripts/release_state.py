# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Is the version in galaxy.yml consistent with the changelog? (a gate of scripts/quality_gates.sh)

- galaxy.yml's version is either released in changelogs/changelog.yaml, or newer than every release there (the
  version of the release being prepared);
- if it is released, its release holds every fragment of changelogs/fragments/ and every module whose
  ``version_added`` is that version: a fragment or a module that lands after ``antsibull-changelog release`` is
  added with ``scripts/rerelease_changelog.sh``;
- no module claims a ``version_added`` newer than galaxy.yml's version.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import yaml
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[1]
# Re-releases the version from its fragments: takes a new fragment in, and an edited one too (--update-existing
# alone never re-reads a fragment it has already taken).
UPDATE = "scripts/rerelease_changelog.sh"


def module_versions() -> dict[str, str]:
    found = {}
    for path in sorted((REPO_ROOT / "plugins" / "modules").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
                found[path.stem] = str(yaml.safe_load(node.value.value).get("version_added"))
    return found


def problems() -> list[str]:
    version = str(yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["version"])
    releases = yaml.safe_load((REPO_ROOT / "changelogs" / "changelog.yaml").read_text())["releases"] or {}
    found = []
    for module, added in module_versions().items():
        if Version(added) > Version(version):
            found.append(f"{module}: version_added {added} is newer than galaxy.yml's version {version}")
    if version not in releases:
        newest = max(releases, key=Version, default=None)
        if newest is not None and Version(version) <= Version(newest):
            found.append(f"galaxy.yml says {version}, older than the released {newest}: give it the next version")
        return found
    release = releases[version]
    released_fragments = {f for r in releases.values() for f in r.get("fragments", [])}
    for fragment in sorted(p.name for p in (REPO_ROOT / "changelogs" / "fragments").glob("*.y*ml")):
        if fragment not in released_fragments:
            found.append(
                f"changelogs/fragments/{fragment} is in no release, but galaxy.yml's {version} is released: add it "
                f"with `{UPDATE}`, or give galaxy.yml the next version"
            )
    listed = {m["name"] for m in release.get("modules", [])}
    for module, added in module_versions().items():
        if added == version and module not in listed:
            found.append(f"{module} (version_added {version}) is not in the {version} release: run `{UPDATE}`")
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem)
    if not found:
        print("galaxy.yml's version, the modules' version_added and the changelog's releases agree")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
