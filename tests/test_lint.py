"""The project's own checks, run with the tests (so CI runs them): ruff's lint rules and
format check on the code, and mypy in strict mode on the package (issue 8 item 28). Their
configuration is in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = ["mncost", "tests", "benchmarks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by tests/setup.sh")
def test_ruff_lint_is_clean():
    done = _run("ruff", "check", *CODE)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by tests/setup.sh")
def test_ruff_format_is_clean():
    done = _run("ruff", "format", "--check", *CODE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean():
    pytest.importorskip("mypy", reason="mypy is installed by tests/setup.sh")
    done = _run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr
