"""Shared test helpers: run the CLI as a user would and read its streams apart."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mncost.cli import cli

# A spec whose names would run as HTML or Markdown if a renderer forgot to escape them.
SCRIPT_NAME = "<script>alert(1)</script>"
XSS_SPEC = f"""\
name: "<b>bold</b>-net"
resolution: 32
classes: 10
layers:
  - {{kind: conv, name: "{SCRIPT_NAME}", kernel: 3, stride: 1, filters: 16}}
  - {{kind: dw, name: dw_1, stride: 1}}
  - {{kind: pw, name: pw_1, filters: 32}}
  - {{kind: avgpool, name: pool}}
  - {{kind: fc, name: "fc|*x*"}}
"""


# Outputs are compared at mncost's own default width (120 columns when no terminal
# says otherwise): a COLUMNS or LINES inherited from a shell, or set by pytest-xdist in
# its workers (COLUMNS=80), would change the text every test compares.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)

IN_CI = bool(os.environ.get("CI"))
"""Whether this run is CI's (.ci/run sets CI=1): there the image and browser tests must
run, so what they need missing is a failure, not a skip."""

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = shutil.which("chromium") is not None or CHROMIUM.exists()
HAVE_IMAGES = HAVE_CHROMIUM and importlib.util.find_spec("kaleido") is not None

needs_images = pytest.mark.skipif(
    not IN_CI and not HAVE_IMAGES,
    reason="image export needs Chromium (apt-get install chromium) and kaleido; "
    "tests/setup.sh installs both, and in CI (CI=1) these tests fail instead",
)
"""For a test that writes PNG or SVG images: skipped outside CI when it cannot run."""


def require_browser() -> None:
    """Skip (outside CI) or fail (in CI) a browser test that has no Chromium."""
    if not CHROMIUM.exists():
        why = "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why + "; in CI (CI=1) this fails instead")


_REPORTED = (
    "click",
    "rich",
    "pydantic",
    "PyYAML",
    "pandas",
    "plotly",
    "numpy",
    "torch",
    "pytest",
    "hypothesis",
    "kaleido",
    "playwright",
    "ruff",
    "mypy",
)


def pytest_report_header(config: pytest.Config) -> str:
    """The versions this run tested, at the top of every run's output: tests/setup.sh
    moves each dependency to its newest release, and a log says which ones ran."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in _REPORTED:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return "dependencies: " + ", ".join(found)


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """Invoke ``mncost ARGS`` in-process; stdout and stderr stay separate."""
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def mncost_cli():
    """The CLI runner as a fixture, for tests that prefer fixtures."""
    return run_cli


def cli_json(*args: str) -> Any:
    """Run a command with --format json and parse its stdout."""
    result = run_cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def chain_spec(n: int, widths: Sequence[int] = (8,), name: str = "chain") -> dict[str, Any]:
    """A deep spec of ``n`` layers, as data: a 3x3 stride-2 conv of 8 filters ("c0") on a
    32x32x3 input, then n - 3 layers that alternate a 3x3 depthwise conv ("d0", "d2",
    ...) and a 1x1 conv ("p1", "p3", ...; the i-th has ``widths[i % len(widths)]``
    filters), a global average pool ("pool") and a 10-class fc ("fc")."""
    layers: list[dict[str, Any]] = [
        {"kind": "conv", "name": "c0", "kernel": 3, "stride": 2, "filters": 8}
    ]
    for i in range(n - 3):
        layers.append(
            {"kind": "dw", "name": f"d{i}"}
            if i % 2 == 0
            else {"kind": "pw", "name": f"p{i}", "filters": widths[i % len(widths)]}
        )
    layers += [{"kind": "avgpool", "name": "pool"}, {"kind": "fc", "name": "fc"}]
    return {"name": name, "resolution": 32, "classes": 10, "layers": layers}
