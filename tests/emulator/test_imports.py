# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The emulator has no import circle: its modules' imports of each other form no cycle, and every module imports on
its own in a fresh interpreter (a circle shows as "partially initialized module" only in some import orders)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tools" / "atlassian_emulator"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports when it is imported (module level, type-checking aside)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
            if isinstance(inner, ast.ImportFrom) and inner.level == 1:
                found |= {inner.module} if inner.module else {alias.name for alias in inner.names}
    return found & set(MODULES)


def test_the_modules_import_each_other_without_a_cycle():
    graph = {module: imports_of(module) for module in MODULES}
    assert graph["products"] >= {"admin", "confluence", "jira"}, "the reading of imports must see the product table's"
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import circle: {' -> '.join([*path, module])}"
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, (*path, module))
        done.add(module)

    for module in MODULES:
        visit(module, ())


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    runs = {
        module: subprocess.Popen(
            [sys.executable, "-c", f"import atlassian_emulator.{module}"],
            cwd=PACKAGE.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for module in MODULES
    }
    failed = {module: run.communicate(timeout=60)[0] for module, run in runs.items()}
    assert {m: out for m, out in failed.items() if runs[m].returncode != 0} == {}
