"""One layer, standard vs depthwise separable (`mncost layer`), against Table 3 and by hand."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import pytest

from mncost.analysis.layer import compare_layer
from mncost.cost.scaling import ScalingError
from tests.conftest import cli_json, run_cli

# Table 3's layer: D_K = 3, M = N = 512, D_F = 14, by hand.
#   standard:  3*3*512*512*14*14 = 2,359,296 * 196 = 462,422,016 MACs; 2,359,296 weights
#   depthwise: 3*3*512*14*14     =     4,608 * 196 =     903,168 MACs;     4,608 weights
#   pointwise: 512*512*14*14     =   262,144 * 196 =  51,380,224 MACs;   262,144 weights
#   separable: 903,168 + 51,380,224 = 52,283,392 MACs; 4,608 + 262,144 = 266,752 weights
# alpha 0.75: 512 -> 384 channels:
#   3*3*384*196 + 384*384*196 = 677,376 + 28,901,376 = 29,578,752 MACs
#   3*3*384 + 384*384 = 3,456 + 147,456 = 150,912 weights
# rho 0.714: D_F = round(14 * 0.714) = round(9.996) = 10:
#   3*3*384*100 + 384*384*100 = 345,600 + 14,745,600 = 15,091,200 MACs; 150,912 weights
# Table 3 prints 462 / 52.3 / 29.6 / 15.1 million mult-adds, 2.36 / 0.27 / 0.15 / 0.15
# million parameters: each rounds from the figures above.
TABLE3 = [
    # (alpha, rho, separable?, MACs, params, printed M mult-adds, printed M params)
    (Fraction(1), Fraction(1), False, 462_422_016, 2_359_296, "462", "2.36"),
    (Fraction(1), Fraction(1), True, 52_283_392, 266_752, "52.3", "0.27"),
    (Fraction(3, 4), Fraction(1), True, 29_578_752, 150_912, "29.6", "0.15"),
    (Fraction(3, 4), Fraction("0.714"), True, 15_091_200, 150_912, "15.1", "0.15"),
]


@pytest.mark.parametrize("alpha,rho,separable,macs,params,printed_macs,printed_params", TABLE3)
def test_table3_rows(alpha, rho, separable, macs, params, printed_macs, printed_params):
    comparison = compare_layer(3, 512, 512, 14, alpha=alpha, rho=rho)
    counts = comparison.separable if separable else comparison.standard
    assert (counts.mult_adds, counts.params) == (macs, params)
    places = len(printed_macs.partition(".")[2])
    assert round(Fraction(macs, 10**6), places) == Fraction(printed_macs)
    assert round(Fraction(params, 10**6), len(printed_params.partition(".")[2])) == Fraction(
        printed_params
    )


def test_parts_and_scaled_sizes():
    c = compare_layer(3, 512, 512, 14, alpha=Fraction(3, 4), rho=Fraction("0.714"))
    assert (c.m, c.n, c.d_f, c.d_g) == (384, 384, 10, 10)
    assert (c.depthwise.mult_adds, c.pointwise.mult_adds) == (345_600, 14_745_600)
    assert c.separable.mult_adds == c.depthwise.mult_adds + c.pointwise.mult_adds


@pytest.mark.parametrize(
    "kernel,m,n,size,stride",
    [
        (3, 512, 512, 14, 1),
        (3, 32, 64, 112, 1),
        (5, 64, 128, 56, 2),
        (1, 7, 9, 3, 1),
        (7, 3, 1000, 225, 3),
    ],
)
def test_reduction_is_exactly_one_over_n_plus_one_over_dk_squared(kernel, m, n, size, stride):
    # (D_K^2 M D_G^2 + M N D_G^2) / (D_K^2 M N D_G^2) = 1/N + 1/D_K^2, for MACs and weights.
    c = compare_layer(kernel, m, n, size, stride)
    expected = Fraction(1, n) + Fraction(1, kernel * kernel)
    assert c.ratio == c.params_ratio == c.paper_ratio == expected
    side = -(-size // stride)
    assert c.standard.mult_adds == kernel * kernel * m * n * side * side


def test_table3_reduction_is_521_over_4608():
    # 1/512 + 1/9 = (9 + 512) / 4608 = 521/4608: 8.84 times fewer.
    assert compare_layer(3, 512, 512, 14).ratio == Fraction(521, 4608)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"kernel": 0}, "kernel"),
        ({"in_channels": -1}, "input channels"),
        ({"size": 0}, "size"),
        ({"stride": 0}, "stride"),
        ({"alpha": Fraction(-1, 2)}, "alpha"),
        ({"rho": Fraction(0)}, "rho"),
        ({"alpha": Fraction(1, 10000)}, "0 channels"),
    ],
)
def test_bad_layers_are_refused(kwargs, message):
    args = {"kernel": 3, "in_channels": 512, "out_channels": 512, "size": 14, **kwargs}
    with pytest.raises(ScalingError, match=message):
        compare_layer(**args)


# --- the command -------------------------------------------------------------------------


def test_cli_table_output_shows_both_forms_formula_and_ratio():
    result = run_cli(
        "layer",
        "--kernel",
        "3",
        "--in",
        "512",
        "--out",
        "512",
        "--size",
        "14",
        env={"COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "462,422,016",
        "2,359,296",
        "52,283,392",
        "266,752",
        "903,168",
        "51,380,224",
        "D_K·D_K·M·N·D_G·D_G",
        "D_K·D_K·M·D_G·D_G + M·N·D_G·D_G",
        "3·3·512·512·14·14",
        "521/4608",
        "1/512 + 1/3^2",
        "8.84x",
        "MACs",
    ):
        assert text in out, text


def test_cli_alpha_and_rho_give_table3_last_row():
    data = cli_json(
        "layer", "--in", "512", "--out", "512", "--size", "14", "--alpha", "0.75", "--rho", "0.714"
    )
    assert (data["m"], data["n"], data["d_f"]) == (384, 384, 10)
    assert data["separable"]["mult_adds"] == 15_091_200
    assert data["separable"]["params"] == 150_912
    assert data["ratio"]["exact"] == "131/1152" and data["ratio"]["equal"] is True
    result = run_cli(
        "layer", "--in", "512", "--out", "512", "--size", "14", "--alpha", "0.75", "--rho", "0.714"
    )
    assert "round(14*0.714) = 10" in result.stdout and "M 512 -> 384" in result.stdout


def test_cli_rounding_rule():
    # alpha 0.1 of 3 and 8 channels: round gives 0 (refused); floor = max(int(c*a), 8)
    # gives 8 and 8: standard 3*3*8*8*5*5 = 14,400 MACs, 576 weights.
    assert run_cli("layer", "--in", "3", "--out", "8", "--size", "5", "-a", "0.1").exit_code == 2
    data = cli_json(
        "layer", "--in", "3", "--out", "8", "--size", "5", "-a", "0.1", "--rounding", "floor"
    )
    assert (data["m"], data["n"]) == (8, 8)
    assert data["standard"] == {**data["standard"], "mult_adds": 14_400, "params": 576}


def test_cli_table3_flag_lists_the_four_rows():
    data = cli_json("layer", "--table3")
    assert [row["row"] for row in data] == [
        "Convolution",
        "Depthwise Separable Conv",
        "α = 0.75",
        "ρ = 0.714",
    ]
    assert [row["mult_adds"] for row in data] == [r[3] for r in TABLE3]
    assert [row["params"] for row in data] == [r[4] for r in TABLE3]
    # The printed figures: JSON numbers, and the text as printed beside them.
    assert [row["paper_million_mult_adds_text"] for row in data] == [r[5] for r in TABLE3]
    assert [row["paper_million_mult_adds"] for row in data] == [float(r[5]) for r in TABLE3]
    assert [row["paper_million_params"] for row in data] == [float(r[6]) for r in TABLE3]
    assert {row["citation"] for row in data} == {"Howard et al. 2017, arXiv:1704.04861, Table 3"}
    out = run_cli("layer", "--table3", env={"COLUMNS": "80"}).stdout
    assert "15,091,200" in out and "15.1" in out
    assert max(len(line) for line in out.split("\n\n")[1].splitlines()) <= 80


def test_cli_csv_markdown_html():
    args = ("layer", "--in", "32", "--out", "64", "--size", "112")
    rows = list(csv.DictReader(io.StringIO(run_cli(*args, "-f", "csv").stdout)))
    # 3*3*32*64*112^2 = 231,211,008 standard; 3*3*32*112^2 + 32*64*112^2 =
    # 3,612,672 + 25,690,112 = 29,302,784 separable.
    assert [int(r["mult_adds"]) for r in rows] == [231_211_008, 3_612_672, 25_690_112, 29_302_784]
    assert "| Standard conv |" in run_cli(*args, "-f", "markdown").stdout
    html = run_cli(*args, "-f", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "231,211,008" in html


def test_cli_writes_a_file(tmp_path):
    target = tmp_path / "layer.json"
    result = run_cli("layer", "--in", "512", "--out", "512", "--size", "14", "-o", str(target))
    assert result.exit_code == 0
    assert json.loads(target.read_text())["standard"]["mult_adds"] == 462_422_016


@pytest.mark.parametrize(
    "args,message",
    [
        (["--out", "512", "--size", "14"], "missing --in"),
        (["--in", "512"], "missing --out, --size"),
        (["--in", "512", "--out", "512", "--size", "0"], "--size"),
        (["--in", "512", "--out", "512", "--size", "14", "--alpha", "-1"], "alpha"),
        (["--in", "512", "--out", "512", "--size", "14", "--alpha", "0.0001"], "0 channels"),
        (["--table3", "--in", "512"], "--table3"),
        (["--in", "x", "--out", "512", "--size", "14"], "--in"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args, message):
    result = run_cli("layer", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_help_has_examples():
    result = run_cli("layer", "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout and "--table3" in result.stdout
    assert "standard" in run_cli("--help").stdout
