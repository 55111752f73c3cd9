# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Judge one galaxy-importer run (scripts/quality_gates.sh): ``judge.py SETTINGS RUN_DIR``.

RUN_DIR holds the importer's ``output.log`` and ``importer_result.json``. Fails on any ERROR, on any WARNING but
flake8's W503/W504 (the pair contradicts itself; ruff format, the project's formatter, breaks lines before binary
operators) and E203 (ruff format puts spaces around the colon of a slice with complex bounds, as PEP 8 asks), and
when Galaxy's Markdown renderer (Python-Markdown, as the importer calls it) would show a fenced code block of
README.md or docs/*.md as text: it does not recognise a fence nested in a list item.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def main(settings: str, run: Path) -> int:
    log = (run / "output.log").read_text()
    lines = log.splitlines()
    problems = [line for line in lines if line.startswith("ERROR")]
    problems += [line for line in lines if line.startswith("WARNING") and not re.search(r": (W50[34]|E203) ", line)]
    result_file = run / "importer_result.json"
    if not result_file.is_file():
        problems.append("it wrote no importer_result.json")
    else:
        docs = json.loads(result_file.read_text())["docs_blob"]
        rendered = {"README.md": docs["collection_readme"]["html"]}
        rendered |= {f"docs/{doc['name']}": doc["html"] for doc in docs["documentation_files"]}
        for name in sorted({f"docs/{p.name}" for p in Path("docs").glob("*.md")} - rendered.keys()):
            problems.append(f"{name} is not among Galaxy's documentation files")
        for name, html in sorted(rendered.items()):
            fences = len(re.findall(r"^ *```", Path(name).read_text(), re.M)) // 2
            if html.count("<pre>") != fences:
                problems.append(f"{name}: {fences} fenced code blocks, {html.count('<pre>')} of them shown as code")
    for problem in problems:
        print(f"galaxy-importer ({settings} settings): {problem}")
    if not problems:
        version = re.search(r"Importing with galaxy-importer (\S+)", log)
        print(f"galaxy-importer {version.group(1) if version else ''} ({settings} settings): imported, no warning")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
