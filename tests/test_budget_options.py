"""The budget options of the command line (`choose`, `sweep`) are the engine's budgets:
one decorator declares them, in the order of mncost.analysis.choose.BUDGETS."""

from __future__ import annotations

from mncost.analysis.choose import BUDGETS, parse_budgets
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


def test_a_budget_is_shown_as_given_with_a_bare_latencys_unit():
    # The heatmaps, the choose page and the sweep's budget note all show it so.
    shown = {
        b.kind.metric: b.with_unit
        for b in parse_budgets(
            {"max_macs": "300M", "max_latency_ms": "30", "max_peak_bytes": "1MiB"}
        )
    }
    assert shown == {"mult_adds": "300M", "latency_ms": "30 ms", "peak_activation_bytes": "1MiB"}
