"""The thin command line (issue 9 item 7; issue 10 item 6): one scenario decorator shared
by every costing command, `mncost models` read from the registry, and the "Type / Stride"
wording of composite ops in `mncost table`.

Expected figures: the MobileNets paper's Table 1 (its wording and its check figures, via
the independent formula engine of tests/test_core_numbers.py), the public MobileNet V2
figures quoted in issue 9 (torchvision and TF-slim), and hand derivations in comments.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import click
import pytest

from mncost.arch import ops, registry
from mncost.cli.options import SCENARIO_PARAMETERS
from tests.conftest import cli_json, run_cli
from tests.oracle import table1_count

COSTING_COMMANDS = ("table", "verify", "report")
"""Every command that costs one model under one scenario."""


# --- one scenario decorator --------------------------------------------------------------


def _command(name: str) -> click.Command:
    from mncost.cli import cli

    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


def _scenario_params(name: str) -> list[tuple]:
    # What a user sees of each parameter: its names, default, help and type.
    return [
        (
            p.name,
            tuple(p.opts),
            tuple(p.secondary_opts),
            p.default,
            getattr(p, "help", None),
            p.type.name,
            p.required,
        )
        for p in _command(name).params
        if p.name in SCENARIO_PARAMETERS
    ]


def test_every_costing_command_takes_the_same_scenario_options():
    first = _scenario_params(COSTING_COMMANDS[0])
    assert [p[0] for p in first] == list(SCENARIO_PARAMETERS)
    for name in COSTING_COMMANDS[1:]:
        assert _scenario_params(name) == first, name


@pytest.mark.parametrize("command", COSTING_COMMANDS)
def test_res_and_rho_together_are_refused_by_every_costing_command(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(command, "--res", "160", "--rho", "0.714")
    assert result.exit_code == 2
    # One line, naming the command (CliRunner calls the program "cli").
    assert result.stderr.strip() == f"cli {command}: error: give --res or --rho, not both"
    assert list(tmp_path.iterdir()) == []  # report wrote nothing


@pytest.mark.parametrize("command", COSTING_COMMANDS)
def test_model_and_spec_together_are_refused_by_every_costing_command(
    command, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.yaml").write_text("name: net\nlayers: []\n")
    result = run_cli(command, "mobilenet-v2", "--spec", "net.yaml")
    assert result.exit_code == 2
    assert (
        "give a MODEL or --spec, not both (got 'mobilenet-v2' and --spec 'net.yaml')"
        in result.stderr
    )


def test_rho_resolves_against_the_models_own_resolution():
    # The paper's rho 0.714 at 224: round(224 * 0.714) = round(159.936) = 160, and 0.75
    # MobileNet-160 is 166,396,800 MACs and 2,569,144 params by the independent formula.
    data = cli_json("table", "--alpha", "0.75", "--rho", "0.714")
    assert data["resolution"] == 160
    assert (data["total"]["mult_adds"], data["total"]["params"]) == table1_count(
        Fraction(3, 4), 160
    )


# --- mncost models -----------------------------------------------------------------------

FIELDS = ["name", "family", "source", "description", "resolution", "classes", "mult_adds", "params"]


def test_models_json_lists_every_registered_model_with_every_field():
    listed = cli_json("models")
    assert [m["name"] for m in listed] == [e.name for e in registry.list_models()]
    for model in listed:
        assert list(model) == FIELDS
        assert isinstance(model["mult_adds"], int) and isinstance(model["params"], int)
        assert isinstance(model["resolution"], int) and isinstance(model["classes"], int)


def test_models_gives_the_published_figures_at_the_defaults():
    listed = {m["name"]: m for m in cli_json("models")}
    # The paper's check figures: 1.0 MobileNet-224 (Table 1 counted by the formula).
    v1 = listed["mobilenet-v1"]
    assert (v1["mult_adds"], v1["params"]) == table1_count(Fraction(1), 224)
    assert (v1["mult_adds"], v1["params"]) == (568_740_352, 4_210_088)
    assert (v1["family"], v1["resolution"], v1["classes"]) == ("mobilenet_v1", 224, 1000)
    # MobileNet V2 at 1.0/224: 300,774,272 MACs and 3,470,760 params without batch norm
    # (torchvision's and TF-slim's figures, quoted in issue 9).
    v2 = listed["mobilenet-v2"]
    assert (v2["mult_adds"], v2["params"]) == (300_774_272, 3_470_760)
    assert v2["source"].startswith("Sandler et al. 2018")


@pytest.mark.parametrize("name", [e.name for e in registry.list_models()])
def test_models_listing_agrees_with_the_table_of_each_model(name):
    listed = {m["name"]: m for m in cli_json("models")}[name]
    total = cli_json("table", name)["total"]
    assert (listed["mult_adds"], listed["params"]) == (total["mult_adds"], total["params"])


def _toy() -> ops.Architecture:
    return ops.Architecture.model_validate(
        {
            "name": "zz-toy",
            "resolution": 8,
            "classes": 10,
            "layers": [
                {"kind": "conv", "name": "conv", "kernel": 3, "stride": 1, "filters": 8},
                {"kind": "avgpool", "name": "pool"},
                {"kind": "fc", "name": "fc"},
            ],
        }
    )


def test_a_newly_registered_model_is_listed_and_counted(monkeypatch):
    registry.list_models()  # every def registered first, so only the toy is new
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register("zz-toy", "a toy for this test", "this test", family="toy")(_toy)
    toy = cli_json("models")[-1]
    # conv 3x3, 3 -> 8 channels on 8x8 (SAME, stride 1): 3*3*3*8 = 216 weights,
    # 216 * 8*8 = 13,824 MACs; global pool free; fc 8 -> 10: 80 MACs, 80 + 10 params.
    assert toy == {
        "name": "zz-toy",
        "family": "toy",
        "source": "this test",
        "description": "a toy for this test",
        "resolution": 8,
        "classes": 10,
        "mult_adds": 13_904,
        "params": 306,
    }


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_models_in_every_format_names_every_model(fmt):
    result = run_cli("models", "--format", fmt, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    for entry in registry.list_models():
        assert entry.name in result.stdout


def test_models_csv_keeps_exact_integers():
    rows = list(csv.DictReader(io.StringIO(run_cli("models", "-f", "csv").stdout)))
    v1 = next(row for row in rows if row["name"] == "mobilenet-v1")
    assert (v1["mult_adds"], v1["params"]) == ("568740352", "4210088")


# --- Type / Stride of composite ops ------------------------------------------------------

# The paper's Table 1, column "Type / Stride", top to bottom, with its one misprint fixed:
# the 13th "Conv dw / s2" runs at stride 1 (its input and the next row's are both 7x7).
TABLE1_TYPES = (
    ["Conv / s2"]
    + ["Conv dw / s1", "Conv / s1", "Conv dw / s2", "Conv / s1"] * 3
    + ["Conv dw / s1", "Conv / s1"] * 5
    + [
        "Conv dw / s2",
        "Conv / s1",
        "Conv dw / s1",
        "Conv / s1",
        "Avg Pool / s1",
        "FC / s1",
        "Softmax / s1",
    ]
)


def _types(*args: str) -> list[str]:
    # The CSV has kind and stride apart (and a totals row); the wording joins them again.
    from mncost.present.views.cost_table import table1_type

    rows = csv.DictReader(io.StringIO(run_cli("table", *args, "-f", "csv").stdout))
    return [table1_type(row["kind"], int(row["stride"])) for row in rows if row["kind"] != "total"]


def test_mobilenet_v1_rows_read_as_the_papers_table_1():
    assert _types() == TABLE1_TYPES


def test_inverted_residual_rows_read_as_convs_with_their_role():
    rows = dict(
        zip(
            (
                r["name"]
                for r in csv.DictReader(
                    io.StringIO(run_cli("table", "mobilenet-v2", "-f", "csv").stdout)
                )
            ),
            _types("mobilenet-v2"),
        )
    )
    # Sandler et al. 2018, Table 1: a bottleneck is 1x1 conv2d (expand), 3x3 dwise s=s,
    # linear 1x1 conv2d (project); Table 2's second row (t 6, c 24, n 2, s 2) opens with
    # stride 2, and its second block (stride 1, 24 -> 24) adds its input.
    assert [rows[f"block_2.{op}"] for op in ("expand", "dw", "project")] == [
        "Conv expand / s1",
        "Conv dw / s2",
        "Conv project / s1",
    ]
    assert rows["block_3.add"] == "Residual add"


def test_every_op_kind_has_a_wording_of_its_own():
    from mncost.present.views.cost_table import table1_type

    kinds = [
        "conv",
        "dw",
        "pw",
        "expand",
        "project",
        "se_reduce",
        "se_expand",
        "avgpool",
        "maxpool",
        "fc",
        "add",
        "concat",
        "scale",
        "softmax",
    ]
    labels = {kind: table1_type(kind, 2) for kind in kinds}
    assert all(not label.startswith(kind + " ") for kind, label in labels.items())
    # A join of feature maps has no stride to show; everything else keeps the paper's.
    for kind in ("add", "concat", "scale"):
        assert "/ s" not in labels[kind]
    for kind in set(kinds) - {"add", "concat", "scale"}:
        assert labels[kind].endswith(" / s2")


# --- Table 3 through analysis ------------------------------------------------------------


def test_table3_rows_come_from_analysis_with_the_printed_figures():
    from mncost.analysis.layer import table3_rows

    rows = table3_rows()
    # By hand (tests/test_layer.py): 462,422,016 / 52,283,392 / 29,578,752 / 15,091,200
    # MACs; Table 3 prints 462 / 52.3 / 29.6 / 15.1 million.
    assert [(r.row, r.counts.mult_adds, r.printed_mult_adds) for r in rows] == [
        ("Convolution", 462_422_016, "462"),
        ("Depthwise Separable Conv", 52_283_392, "52.3"),
        ("α = 0.75", 29_578_752, "29.6"),
        ("ρ = 0.714", 15_091_200, "15.1"),
    ]
    assert [r.printed_params for r in rows] == ["2.36", "0.27", "0.15", "0.15"]
    assert json.loads(run_cli("layer", "--table3", "-f", "json").stdout)[3]["d_f"] == 10
