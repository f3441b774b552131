"""The budget options of the command line (`choose`, `sweep`) are the engine's budgets:
one decorator declares them, in the order of mncost.analysis.choose.BUDGETS."""

from __future__ import annotations

from mncost.analysis.choose import BUDGETS
from mncost.cli.options import BUDGET_OPTIONS
from tests.conftest import run_cli


def test_the_cli_lists_the_engines_budgets_in_its_order():
    assert list(BUDGET_OPTIONS) == [kind.option for kind in BUDGETS]


def test_choose_and_sweep_take_every_budget_and_read_them_alike(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in ("choose", "sweep"):
        text = run_cli(command, "--help").stdout
        for name in BUDGET_OPTIONS:
            assert "--" + name.replace("_", "-") in text, (command, name)
    # The same reading of a bad value in both: one line, exit 2, the option named.
    for command in ("choose", "sweep"):
        result = run_cli(command, "--max-macs", "lots")
        assert result.exit_code == 2 and "max-macs" in result.stderr, (command, result.stderr)
