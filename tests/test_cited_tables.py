"""Issue 8, items 1-3, 7, 8, 21: consistent, machine-readable, honestly cited tables.

Expected figures come from the publications (Howard et al. 2017 as printed; TF-slim's
checkpoint tables as packaged), from torchvision's documented counts, from the
independent formula of tests/test_core_numbers.py, or from hand derivations written
next to them; never from mncost's own output.
"""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import click
import pytest

from mncost.cli import cli
from mncost.present.numbers import scaled
from mncost.present.views.cost_table import table1_type
from tests.conftest import cli_json, run_cli
from tests.oracle import table1_count

FORMATS = ("table", "csv", "json", "markdown", "html")


def _markdown(*args: str) -> str:
    result = run_cli(*args, "-f", "markdown")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _csv_rows(*args: str) -> list[dict[str, str]]:
    result = run_cli(*args, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


# --- 1. one sign convention: mncost - published, relative to published ------------------

# The pair of the issue: Table 7 prints 290 million mult-adds for 1.0 MobileNet-160; the
# paper's formulas give 290,675,200 (tests/test_core_numbers.py). mncost - published =
# 675,200 = +0.6752 M, and 675,200 / 290,000,000 = +0.232827...%.
MACS_160 = table1_count(Fraction(1), 160)[0]
GAP_160 = (MACS_160 - 290_000_000) / 290_000_000 * 100


def test_the_formula_gives_the_issue_pair():
    assert MACS_160 == 290_675_200
    assert GAP_160 == pytest.approx(0.2328, abs=1e-4)


def test_reproduce_and_published_sign_the_same_pair_alike():
    cell = next(
        c
        for c in cli_json("reproduce", "7")
        if c["row"] == "1.0 MobileNet-160" and c["quantity"] == "mult_adds"
    )
    assert cell["diff"] == pytest.approx(0.6752)
    assert cell["diff_percent"] == pytest.approx(GAP_160)
    point = next(
        p for p in cli_json("published", "--source", "paper") if p["model"] == "1.0 MobileNet-160"
    )
    assert point["mncost"]["mult_adds_diff_percent"] == pytest.approx(GAP_160)
    # Both terminals print the same signed figure.
    audit = run_cli("reproduce", "7", env={"COLUMNS": "160"}).stdout
    row = next(
        line for line in audit.splitlines() if "1.0 MobileNet-160" in line and "mult-adds" in line
    )
    assert "+0.68" in row and "+0.23%" in row
    listing = run_cli("published", "--source", "paper", env={"COLUMNS": "220"}).stdout
    row = next(line for line in listing.splitlines() if line.startswith("1.0 MobileNet-160"))
    assert "+0.23% *" in row and "-0.23%" not in row


def test_a_published_figure_above_the_count_is_negative():
    # Squeezenet: Table 9 prints 1700 M mult-adds; torchvision documents SqueezeNet 1.0
    # at 0.82 GFLOPS (MACs), so mncost counts about half: (818.9 - 1700) / 1700 = -51.8%.
    point = next(
        p for p in cli_json("published", "--source", "paper") if p["model"] == "Squeezenet"
    )
    assert point["mncost"]["mult_adds_diff_percent"] == pytest.approx(
        (point["mncost"]["mult_adds"] - 1_700_000_000) / 1_700_000_000 * 100
    )
    assert -53 < point["mncost"]["mult_adds_diff_percent"] < -51


def test_headers_and_notes_state_the_convention():
    published = _markdown("published", "--source", "paper")
    assert "| Δ MACs (mncost - pub.) |" in published
    assert "| Δ params (mncost - pub.) |" in published
    assert "(mncost - published) / published" in published
    audit = _markdown("reproduce", "7")
    assert "| Δ (mncost - pub.) | Δ % of pub. |" in audit
    assert "mncost - published" in audit


def test_json_names_say_what_the_gap_is():
    point = cli_json("published", "--source", "checkpoints")[0]
    assert set(point["mncost"]) == {
        "mult_adds",
        "params",
        "mult_adds_diff_percent",
        "mult_adds_within_rounding",
        "params_diff_percent",
        "params_within_rounding",
    }


# --- 2. numbers are numbers -------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?([eE][-+]?\d+)?%?")


def _looks_numeric(text: str) -> bool:
    return (
        bool(text.strip())
        and any(ch.isdigit() for ch in text)
        and _NUMBER.fullmatch(text.strip()) is not None
    )


def test_published_json_numbers_are_numbers_and_the_text_is_kept():
    data = cli_json("published")
    for row in data:
        for key in ("top1_percent", "top5_percent"):
            value = row[key]
            assert value is None or (
                isinstance(value, (int, float)) and not isinstance(value, bool)
            ), (row["model"], key)
        for key in ("million_mult_adds", "million_params", "pixel1_latency_ms"):
            value = row["published"][key]
            assert value is None or isinstance(value, (int, float)), (row["model"], key)
    # checkpoints.csv: MobileNet_v1_1.0_192 has top-1 70.0 and MobileNet_v2_1.0_224 71.8.
    one = next(r for r in data if r["model"] == "MobileNet_v1_1.0_192")
    assert (one["top1_percent"], one["top1_text"]) == (70.0, "70.0")
    assert (one["published"]["million_mult_adds"], one["published"]["million_mult_adds_text"]) == (
        418,
        "418",
    )
    # What `jq 'select(.top1_percent > 70)'` does: a real filter, not every row.
    above = [r for r in data if r["top1_percent"] is not None and r["top1_percent"] > 70]
    assert 0 < len(above) < len(data)
    assert "MobileNet_v1_1.0_224" in {r["model"] for r in above}  # 70.9
    assert "MobileNet_v1_1.0_192" not in {r["model"] for r in above}  # 70.0


def _strings(value: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _strings(v, k)]
    if isinstance(value, list):
        return [item for v in value for item in _strings(v, key)]
    return [(key, value)] if isinstance(value, str) else []


JSON_COMMANDS = [
    ("table",),
    ("table", "mobilenet-v2"),
    ("models",),
    ("published",),
    ("reproduce",),
    ("layer", "--in", "32", "--out", "64", "--size", "112"),
    ("layer", "--table3"),
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_no_json_number_is_a_string(args):
    # Text as printed is kept only in fields named *_text.
    numeric = [
        (key, text)
        for key, text in _strings(cli_json(*args))
        if _looks_numeric(text) and not key.endswith("_text")
    ]
    assert numeric == []


CSV_COMMANDS = JSON_COMMANDS + [("verify",), ("verify", "squeezenet-1.1")]
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=" ".join)
def test_csv_never_quotes_a_number(args):
    result = run_cli(*args, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    quoted = [
        field
        for line in result.stdout.splitlines()
        for field in _QUOTED.findall(line)
        if _looks_numeric(field)
    ]
    assert quoted == []
    # And no number is written with thousands separators (it would need quotes).
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert not any(re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", f) for r in rows for f in r)


# --- 3. no output cites a file the user does not have -----------------------------------

_TRANSCRIPTION = re.compile(r"_[0-9a-f]{16}\.txt|doc 00")


def _formats(name: str) -> tuple[str, ...]:
    command = cli.get_command(click.Context(cli), name)
    for param in getattr(command, "params", []):
        if param.name == "fmt" and isinstance(param.type, click.Choice):
            return tuple(param.type.choices)
    return ()


_INVOCATIONS = {
    "table": [("table",), ("table", "mobilenet-v2")],
    "layer": [("layer", "--in", "512", "--out", "512", "--size", "14"), ("layer", "--table3")],
    "reproduce": [("reproduce",)],
    "published": [("published",)],
    "verify": [("verify",)],
    "models": [("models",)],
}
"""Commands and the arguments they need; any other command runs with no arguments."""


def test_no_output_names_a_transcription_file(tmp_path):
    names = cli.list_commands(click.Context(cli))
    seen = []
    for name in names:
        if name in ("plot", "report", "schema"):
            continue
        for args in _INVOCATIONS.get(name, [(name,)]):
            for fmt in _formats(name):
                result = run_cli(*args, "-f", fmt, env={"COLUMNS": "200"})
                if result.exit_code != 0:  # a command that needs input of its own
                    continue
                seen.append((args, fmt))
                found = _TRANSCRIPTION.findall(result.stdout + result.stderr)
                assert found == [], (args, fmt, found)
    # Files: the Pareto plot and the review page, in their formats.
    for args, ending in (
        (("plot", "pareto"), "html"),
        (("report",), "html"),
        (("report",), "md"),
        (("schema",), "json"),
    ):
        target = tmp_path / f"{args[0]}.{ending}"
        result = run_cli(*args, "-o", str(target))
        assert result.exit_code == 0, result.stderr
        assert _TRANSCRIPTION.findall(target.read_text() + result.stderr) == [], args
    assert {args[0] for args, _ in seen} >= {
        "table",
        "layer",
        "reproduce",
        "published",
        "verify",
        "models",
    }
    assert len(seen) >= 40


def test_everything_is_cited_by_the_publication():
    audit = _markdown("reproduce", "7")
    assert "Howard et al. 2017, arXiv:1704.04861" in audit
    # The misprints cite the paper's table or section, not a transcription.
    assert "| Howard et al. 2017, arXiv:1704.04861, Table 1 |" in audit
    assert "Howard et al. 2017, arXiv:1704.04861, Section 4.5 (Face Attributes)" in audit
    cells = cli_json("reproduce", "7")
    assert {c["citation"] for c in cells} == {"Howard et al. 2017, arXiv:1704.04861, Table 7"}
    assert not any("document" in c for c in cells)
    rows = _csv_rows("reproduce", "2")
    assert "document" not in rows[0]
    assert rows[0]["citation"] == "Howard et al. 2017, arXiv:1704.04861, Table 2"
    # The checkpoint tables are cited by their repository file.
    point = next(
        p
        for p in cli_json("published", "--source", "checkpoints")
        if p["model"] == "MobileNet_v2_1.0_224"
    )
    assert point["citation"] == (
        "tensorflow/models research/slim/nets/mobilenet/README.md (commit 0ba83cf0)"
    )
    assert point["provenance"] == [
        {"citation": point["citation"], "table": None, "row": "MobileNet_v2_1.0_224"}
    ]
    layer = _markdown("layer", "--table3")
    assert "Howard et al. 2017, arXiv:1704.04861, Table 3" in layer


# --- 7. large totals in G ---------------------------------------------------------------


def test_scaled_switches_to_g_from_a_billion():
    assert scaled(14_193_932_288) == "14.19 G"
    assert scaled(1_000_000_000) == "1.00 G"
    assert scaled(999_999_999) == "1.00 G"  # never "1,000.00 M"
    assert scaled(999_990_000) == "999.99 M"
    assert scaled(568_740_352) == "568.74 M"
    assert scaled(999_999) == "999,999"


def test_summaries_print_large_totals_in_g_and_tables_keep_integers():
    # torchvision documents VGG 16 at 15.47 GFLOPS (its GFLOPS are MACs) and 138,357,544
    # parameters.
    out = run_cli("table", "vgg16", env={"COLUMNS": "160"}).stdout
    assert "Total: 15.47 G MACs, 138.36 M params" in out
    assert "15,470,264,320" in out  # the exact total stays in the table
    assert "15,470.26 M" not in out
    # 1.0 MobileNet-224: 568,740,352 MACs (the paper's 569 M) stays in M.
    assert "Total: 568.74 M MACs, 4.21 M params" in run_cli("table").stdout
    assert "Total: 15.47 G MACs" in _markdown("table", "vgg16")


# --- 8. the table's CSV, and output sizes in every format -------------------------------

TABLE_CSV_FIELDS = [
    "name",
    "kind",
    "type",
    "block",
    "stride",
    "filter_shape",
    "input_h",
    "input_w",
    "input_c",
    "output_h",
    "output_w",
    "output_c",
    "mult_adds",
    "params",
    "macs_share",
]


def test_table_csv_has_one_value_per_field_and_a_totals_row():
    rows = _csv_rows("table")
    assert list(rows[0]) == TABLE_CSV_FIELDS
    # Table 1's first row: Conv / s2, filter 3x3x3x32, input 224x224x3 -> 112x112x32.
    first = rows[0]
    assert (first["name"], first["kind"], first["type"], first["stride"]) == (
        "conv_0",
        "conv",
        "Conv 3x3",
        "2",
    )
    assert [first[f] for f in ("input_h", "input_w", "input_c")] == ["224", "224", "3"]
    assert [first[f] for f in ("output_h", "output_w", "output_c")] == ["112", "112", "32"]
    # kind and stride give back Table 1's "Type / Stride" (its 13th dw misprint fixed).
    layers, total = rows[:-1], rows[-1]
    assert [table1_type(r["kind"], int(r["stride"])) for r in layers][:4] == [
        "Conv / s2",
        "Conv dw / s1",
        "Conv / s1",
        "Conv dw / s2",
    ]
    # The totals row: kind "total", the exact totals (568,740,352 MACs and 4,210,088
    # params by the paper's formulas), the layers summing to it.
    assert (total["name"], total["kind"]) == ("Total", "total")
    assert (int(total["mult_adds"]), int(total["params"])) == table1_count(Fraction(1), 224)
    assert sum(int(r["mult_adds"]) for r in layers) == int(total["mult_adds"])
    assert total["stride"] == total["output_h"] == total["type"] == ""
    assert float(total["macs_share"]) == 1.0


def test_table_csv_names_each_ops_block_and_flops():
    rows = _csv_rows("table", "mobilenet-v2")
    # Sandler et al. 2018, Table 2, second row (t 6, c 24, n 2, s 2): block_2 opens with
    # stride 2 on 112x112 -> 56x56, 96 = 16 x 6 channels in its depthwise conv.
    dw = next(r for r in rows if r["name"] == "block_2.dw")
    assert (dw["kind"], dw["block"], dw["stride"]) == ("dw", "block_2", "2")
    assert (dw["output_h"], dw["output_w"], dw["output_c"]) == ("56", "56", "96")
    assert next(r for r in rows if r["name"] == "conv_0")["block"] == ""
    flops = _csv_rows("table", "--flops")
    assert "flops" in flops[0] and "flops_share" in flops[0]
    assert int(flops[-1]["flops"]) == 2 * 568_740_352


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_format_shows_each_ops_output_size(fmt):
    result = run_cli("table", "-f", fmt, env={"COLUMNS": "160"})
    assert result.exit_code == 0
    # Table 1: the last pointwise conv ends at 7x7x1024, the pool at 1x1x1024.
    assert "Output Size" in result.stdout
    assert "7x7x1024" in result.stdout and "1x1x1024" in result.stdout
    assert "1x1x1000" in result.stdout  # the FC's output: the 1000 classes


def test_json_layers_carry_the_output_size():
    layers = cli_json("table")["layers"]
    assert layers[0]["output"] == [112, 112, 32]
    assert layers[-2]["output"] == [1, 1, 1000]


# --- 21. the header names the classifier that is there ----------------------------------


def _spec(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return str(path)


def _title(*args: str) -> str:
    result = run_cli("table", *args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()[0]


def test_classes_without_a_classifier_say_no_classifier(tmp_path):
    spec = _spec(
        tmp_path,
        "name: body\nresolution: 32\nclasses: 10\nlayers:\n"
        "  - {kind: conv, name: c, kernel: 3, filters: 8}\n"
        "  - {kind: avgpool, name: pool}\n",
    )
    assert _title("--spec", spec).endswith("no classifier")
    assert cli_json("table", "--spec", spec)["classifier"] is None


def test_a_fixed_width_fc_reports_its_own_width(tmp_path):
    # classes is left at its default (1000); the fc has 10 units.
    spec = _spec(
        tmp_path,
        "name: ten\nresolution: 8\nlayers:\n"
        "  - {kind: conv, name: c, kernel: 3, filters: 8}\n"
        "  - {kind: avgpool, name: pool}\n"
        "  - {kind: fc, name: head, units: 10}\n",
    )
    title = _title("--spec", spec)
    assert title.endswith("10 classes") and "1000" not in title
    assert cli_json("table", "--spec", spec)["classifier"] == {
        "layer": "head",
        "outputs": 10,
        "sized_by": "units",
    }


def test_a_hidden_fc_is_not_a_classifier(tmp_path):
    # An fc with an activation is a hidden layer (V3's 1280-unit layer), not the head.
    spec = _spec(
        tmp_path,
        "name: hidden\nresolution: 8\nclasses: 10\nlayers:\n"
        "  - {kind: avgpool, name: pool}\n"
        "  - {kind: fc, name: hidden, units: 16, act: relu}\n",
    )
    assert _title("--spec", spec).endswith("no classifier")
    # MobileNet V3 Large without its classifier ends in that hidden fc.
    assert _title("mobilenet-v3-large", "--classes", "0").endswith("no classifier")
    assert _title("mobilenet-v3-large").endswith("1000 classes")


def test_a_conv_sized_by_the_classes_is_the_classifier():
    # SqueezeNet (Iandola et al. 2016, Table 1): conv10 is 1x1 to the 1000 classes, no fc.
    assert _title("squeezenet-1.0").endswith("1000 classes")
    assert cli_json("table", "squeezenet-1.0")["classifier"] == {
        "layer": "conv10",
        "outputs": 1000,
        "sized_by": "classes",
    }
    assert _title("squeezenet-1.0", "--classes", "10").endswith("10 classes")


def test_the_auxiliary_head_is_not_the_classifier():
    # Inception V3's AuxLogits fc is sized by the classes too, but never runs at inference.
    found = cli_json("table", "inception-v3", "--classes", "120")["classifier"]
    assert found == {"layer": "fc", "outputs": 120, "sized_by": "classes"}
    assert _title("--classes", "0").endswith("no classifier")


def test_verify_names_the_classifier_too(tmp_path):
    pytest.importorskip("torch")
    spec = _spec(
        tmp_path,
        "name: ten\nresolution: 8\nlayers:\n"
        "  - {kind: conv, name: c, kernel: 3, filters: 8}\n"
        "  - {kind: avgpool, name: pool}\n"
        "  - {kind: fc, name: head, units: 10}\n",
    )
    result = run_cli("verify", "--spec", spec, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "ten  alpha=1.0  8x8  10 classes: mncost vs PyTorch" in result.stdout
    config = cli_json("verify", "--spec", spec)["config"]
    assert config["classifier"] == {"layer": "head", "outputs": 10, "sized_by": "units"}


# --- the model zoo's published points: notes, latencies, width rules ----------------------


def test_point_notes_are_numbered_under_the_table_and_in_json():
    from mncost.analysis.published import published_points

    notes = {p.label: p.note for p in published_points(families=["mobilenet_v3"])}
    text = run_cli("published", "--family", "mobilenet_v3", env={"COLUMNS": "1000"}).stdout
    # The two Large dm=1 checkpoints share one note (TF-slim prints 5.4 M params for
    # 5.46 M), so they share its number.
    assert "\n[1] Large dm=1 (float), Large dm=1 (8-bit): The printed 5.4 M params" in text
    marked = [line.split("  ")[0] for line in text.splitlines() if line.endswith("  [1]")]
    assert marked == ["Large dm=1 (float)", "Large dm=1 (8-bit)"]
    assert "| \\[1\\] |" in _markdown("published", "--family", "mobilenet_v3")
    data = cli_json("published", "--family", "mobilenet_v3")
    assert {r["model"]: r["note"] or "" for r in data} == notes
    rows = _csv_rows("published", "--family", "mobilenet_v3")
    assert rows[0]["note"] == notes[rows[0]["model"]]


def test_published_json_has_every_devices_latency():
    # The TF-slim README's V3 table (checkpoints_v3.csv): Large dm=1 (float) at 51.2 ms
    # on Pixel 1, 61 on Pixel 2, 44 on Pixel 3.
    data = cli_json("published", "--family", "mobilenet_v3")
    large = next(r for r in data if r["model"] == "Large dm=1 (float)")
    assert large["published"]["latencies_ms"] == {"Pixel 1": 51.2, "Pixel 2": 61, "Pixel 3": 44}
    assert large["published"]["pixel1_latency_ms"] == 51.2


def test_the_notes_state_each_models_own_width_rule():
    text = _markdown("published")
    assert "each model's own channel rounding" in text
    assert "round(c\\*alpha)" not in text and "round(c*alpha)" not in text


def test_a_detector_names_its_class_slots_not_a_classifier():
    # torchvision's ssdlite320_mobilenet_v3_large and ssd300_vgg16 predict 91 COCO class
    # slots (90 ids and background) per anchor; neither ends in a classifier.
    for name in ("ssdlite320-mobilenet-v3-large", "ssd300-vgg16"):
        assert _title(name).endswith("91 class slots")
        assert cli_json("table", name)["classifier"] is None
