"""Shared test helpers: run the CLI as a user would and read its streams apart."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mncost.cli import cli


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
