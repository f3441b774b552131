"""Tests use mncost's public names (issue 20): no test imports a name that starts with an
underscore from an mncost module, so a refactor of a module's inside cannot break a test
that checks its behaviour. (`import x as _x`, a private alias of a public name, is fine.)"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mncost"):
            found += [
                f"{path.name}:{node.lineno}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            ]
    return found


def test_no_test_imports_a_private_name_of_mncost():
    found = [hit for path in sorted(TESTS.glob("*.py")) for hit in _private_imports(path)]
    assert found == []


def test_the_check_finds_a_private_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from mncost.present.terminal import _fold, compose\n")
    assert _private_imports(sample) == ["sample.py:1: mncost.present.terminal._fold"]
