# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The layout holds (docs/architecture.md): read from the source, without running it.

- no function in plugins/ is longer than 50 lines;
- a backend (a file of module_utils/_backends/ without a leading underscore) imports no other backend;
- the client layer (_client.py, _connection.py, _paging.py, _retry.py, _answers.py) names no backend and none of the
  options a backend adds: it is product-neutral;
- the emulator's pipeline asks a product's record, never compares its name (no ``g.product ==``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ansible_collections.orgsync.atlassian.plugins.module_utils._backends._table import BACKENDS

REPO_ROOT = Path(__file__).resolve().parents[2]
PLUGINS = REPO_ROOT / "plugins"
MODULE_UTILS = PLUGINS / "module_utils"
BACKEND_FILES = sorted(p for p in (MODULE_UTILS / "_backends").glob("*.py") if not p.name.startswith("_"))
CLIENT_LAYER = ("_client.py", "_connection.py", "_paging.py", "_retry.py", "_answers.py")
LONGEST = 50


def functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_no_function_in_plugins_is_longer_than_50_lines():
    long = [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in sorted(PLUGINS.rglob("*.py"))
        for node in functions(path)
        if node.end_lineno - node.lineno + 1 > LONGEST
    ]
    assert long == []


def test_every_backend_of_the_table_is_one_file_and_each_file_is_a_backend():
    assert sorted(p.stem for p in BACKEND_FILES) == sorted(BACKENDS)
    for name, backend in BACKENDS.items():
        assert backend.__module__.endswith(f"._backends.{name}")


@pytest.mark.parametrize("path", BACKEND_FILES, ids=lambda p: p.stem)
def test_a_backend_imports_no_sibling_backend(path):
    imported = {
        node.module.rsplit(".", 1)[-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and "._backends." in node.module
    }
    assert imported & set(BACKENDS) == set()


@pytest.mark.parametrize("filename", CLIENT_LAYER)
def test_the_client_layer_names_no_backend_and_no_backend_option(filename):
    """Code only (identifiers and string constants): a docstring may name a product as an example."""
    tree = ast.parse((MODULE_UTILS / filename).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    words = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            words.add(node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.update(re.findall(r"[\w-]+", node.value))
    specific = {*BACKENDS, *(option for b in BACKENDS.values() for option in b.declares.options), "X-RateLimit-Reset"}
    assert {w for w in words if w.lower() in {s.lower() for s in specific}} == set()


def test_the_emulator_pipeline_never_compares_a_product_name():
    found = [
        f"{path.name}:{number}"
        for path in sorted((REPO_ROOT / "tools" / "atlassian_emulator").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"""g\.(product|get\(["']product["']\))\s*(==|!=|in\b)""", line)
    ]
    assert found == []
