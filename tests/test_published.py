"""The published set (paper Tables 4-10 + released checkpoints) and `mncost published`.

Expected figures are the sources' own, typed in as printed (checkpoints.csv, the paper's
tables in shared/paper/001), counts made by hand in comments, or mncost's cost from the
independent formula engine of tests/test_core_numbers.py.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from mncost.analysis.published import PublishedQueryError, published_points
from mncost.sources.points import relative_gap, within_rounding
from tests.conftest import run_cli
from tests.oracle import table1_count

SHARED_CSV = Path(__file__).resolve().parents[2] / "shared" / "published" / "checkpoints.csv"
PACKAGED_CSV = (
    Path(__file__).resolve().parents[1] / "mncost" / "sources" / "data" / "checkpoints.csv"
)


def _by_label(points, label, dataset="imagenet"):
    found = [p for p in points if p.label == label and p.dataset == dataset]
    assert len(found) == 1, (label, found)
    return found[0]


# --- the data -------------------------------------------------------------------------


@pytest.mark.skipif(
    not SHARED_CSV.exists(),
    reason=(
        "maintainers only: compares the packaged checkpoint table with the team's source "
        "copy, which a public clone does not have (the packaged table is tested on its own)"
    ),
)
def test_packaged_checkpoints_are_a_copy_of_the_shared_file():
    assert PACKAGED_CSV.read_bytes() == SHARED_CSV.read_bytes()


def test_checkpoints_as_printed():
    points = published_points(source="checkpoints")
    # checkpoints.csv: 16 v1 models x (float32, int8) + v2's 22 rows = 54; then
    # checkpoints_v3.csv's 9 rows (tests/test_zoo_mobilenet_v3.py checks them).
    assert len(points) == 54 + 9
    assert sum(p.family == "mobilenet_v3" for p in points) == 9
    v1 = [p for p in points if p.family == "mobilenet_v1"]
    assert sum(p.precision == "int8" for p in v1) == 16 == sum(p.precision == "float32" for p in v1)
    assert sum(p.family == "mobilenet_v2" for p in points) == 22
    p = _by_label(points, "MobileNet_v1_0.75_160")
    assert (p.alpha, p.resolution, p.top1, p.top5, p.mult_adds_m, p.params_m) == (
        Fraction(3, 4),
        160,
        Decimal("65.3"),
        Decimal("86.0"),
        Decimal("162"),
        Decimal("2.59"),
    )
    assert "mobilenet_v1.md" in p.provenance[0].document
    v2 = _by_label(points, "MobileNet_v2_1.4_224")
    assert (v2.top1, v2.mult_adds_m, v2.latency_ms) == (
        Decimal("75.0"),
        Decimal("582"),
        Decimal("138.0"),
    )


def test_paper_rows_grouped_into_points_with_provenance():
    points = published_points(source="paper")
    # Table 6 as printed: 0.75 MobileNet-224, 68.4%, 325 M mult-adds, 2.6 M params.
    p = _by_label(points, "0.75 MobileNet-224")
    assert (p.top1, p.mult_adds_m, p.params_m) == (Decimal("68.4"), Decimal("325"), Decimal("2.6"))
    # Table 5 prints it again ("0.75 MobileNet", same figures): one point, both tables.
    assert {s.table for s in p.provenance} == {"Table 5", "Table 6"}
    # 1.0 MobileNet-224 (70.6%, 569, 4.2) is in Tables 4 ("MobileNet"), 6, 7 and 8.
    base = _by_label(points, "1.0 MobileNet-224")
    assert {s.table for s in base.provenance} == {"Table 4", "Table 6", "Table 7", "Table 8"}
    # The transcription stays in the data; what is shown cites the paper itself.
    assert all(s.document.endswith(".txt") for s in base.provenance)
    assert base.citation == "Howard et al. 2017, arXiv:1704.04861, Tables 4, 6, 7, 8"
    # Distinct ImageNet results in Tables 4-9, counted by hand: Conv MobileNet, 1.0-224,
    # 0.75-224, Shallow, 0.5-224, 0.25-224, 1.0-192, 1.0-160, 1.0-128, GoogleNet, VGG 16,
    # 0.50-160, Squeezenet, AlexNet = 14 (from 18 printed rows).
    assert len([p for p in points if p.dataset == "imagenet"]) == 14


def test_table10_is_stanford_dogs_not_imagenet():
    dogs = published_points(source="paper", dataset="stanford_dogs")
    assert sorted(p.label for p in dogs) == sorted(
        [
            "Inception V3",
            "1.0 MobileNet-224",
            "0.75 MobileNet-224",
            "1.0 MobileNet-192",
            "0.75 MobileNet-192",
        ]
    )
    assert _by_label(dogs, "1.0 MobileNet-224", "stanford_dogs").top1 == Decimal("83.3")
    assert all(s.table == "Table 10" for p in dogs for s in p.provenance)


def test_families():
    others = {p.label for p in published_points(source="paper", families=["other"])}
    assert {"GoogleNet", "VGG 16", "Squeezenet", "AlexNet", "Inception V3"} <= others
    assert not any("MobileNet-" in label for label in others)


def test_mncost_count_is_the_independent_formula_for_every_v1_point():
    # The v1 family also files the paper's Conv and Shallow MobileNet (Tables 4, 5: other
    # architectures); the formula is of the Table 1 body, counted by mobilenet-v1.
    points = [p for p in published_points() if p.model == "mobilenet-v1"]
    # 32 checkpoints; the paper's scaled MobileNets: 8 on ImageNet (Tables 6, 7, 9), 4 on
    # Stanford Dogs (Table 10, 120 classes).
    assert len(points) == 32 + 8 + 4
    for p in points:
        assert p.computed is not None, p.label
        assert (p.computed.mult_adds, p.computed.params) == table1_count(
            p.alpha, p.resolution, p.classes
        ), p.label


def test_v2_checkpoints_carry_mncost_count_and_undefined_models_say_why():
    v2 = published_points(families=["mobilenet_v2"])
    assert len(v2) == 22 and all(p.computed is not None for p in v2)
    # torchvision's documented MobileNet V2 (alpha 1, 224): 300,774,272 MACs; TF-slim
    # prints 3.47 M parameters (no batch norm), 3,470,760 exactly.
    one = _by_label(v2, "MobileNet_v2_1.0_224").computed
    assert (one.mult_adds, one.params) == (300_774_272, 3_470_760)
    # The paper's comparison models are counted as the originals they quote: VGG 16 is
    # torchvision's documented 138,357,544 parameters (no batch norm in VGG 16).
    vgg = _by_label(published_points(source="paper"), "VGG 16").computed
    assert vgg.params == 138_357_544


def test_disagreements_are_shown_not_hidden():
    points = published_points(source="checkpoints")
    # The 0.75-width checkpoints print ~2.5% fewer mult-adds than an exact count
    # (shared/published/README.md): 317 M vs 325,400,448, so mncost counts
    # (325,400,448 - 317,000,000) / 317,000,000 = +2.65% more.
    p = _by_label(points, "MobileNet_v1_0.75_224")
    gap = relative_gap(p.mult_adds_m, p.computed.mult_adds)
    assert gap == Fraction(325_400_448 - 317_000_000, 317_000_000)
    assert Fraction(2, 100) < gap < Fraction(3, 100)
    assert within_rounding(p.mult_adds_m, p.computed.mult_adds) is False
    # 1.0_224: 569 printed, 568,740,352 counted: within the printed rounding.
    base = _by_label(points, "MobileNet_v1_1.0_224")
    assert within_rounding(base.mult_adds_m, base.computed.mult_adds) is True


def test_within_rounding_is_half_a_unit_of_the_last_printed_digit():
    assert within_rounding(Decimal("569"), 568_500_000) is True
    assert within_rounding(Decimal("569"), 568_499_999) is False
    assert within_rounding(Decimal("4.2"), 4_250_000) is True
    assert within_rounding(Decimal("4.2"), 4_250_001) is False
    assert within_rounding(Decimal("1.32"), 1_320_648) is True
    assert within_rounding(None, 5) is None
    # mncost minus published, relative to published: 1 M counted against 2 M printed.
    assert relative_gap(Decimal("2"), 1_000_000) == Fraction(-1, 2)
    assert relative_gap(None, 5) is None and relative_gap(Decimal("0"), 5) is None


@pytest.mark.parametrize(
    "kwargs", [{"source": "arxiv"}, {"families": ["resnet"]}, {"dataset": "cifar"}]
)
def test_unknown_query_values_name_the_choices(kwargs):
    with pytest.raises(PublishedQueryError, match="choose from"):
        published_points(**kwargs)


# --- the command ----------------------------------------------------------------------


def test_published_json_keeps_both_costs_and_provenance():
    result = run_cli(
        "published",
        "--source",
        "paper",
        "--family",
        "mobilenet-v1",
        "--dataset",
        "imagenet",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # Tables 6, 7, 9: 1.0/0.75/0.5/0.25 at 224, 1.0 at 192/160/128, 0.50 at 160 = 8,
    # and the v1 variants of Tables 4 and 5 (Conv MobileNet, Shallow MobileNet) = 10.
    assert len(data) == 10
    row = next(r for r in data if r["model"] == "1.0 MobileNet-160")
    assert row["published"]["million_mult_adds"] == 290
    assert row["published"]["million_mult_adds_text"] == "290"
    assert row["mncost"]["mult_adds"] == table1_count(Fraction(1), 160)[0]
    # 290,675,200 rounds to 291: the printed 290 is outside its rounding.
    assert row["mncost"]["mult_adds_within_rounding"] is False
    assert row["citation"] == "Howard et al. 2017, arXiv:1704.04861, Table 7"
    assert row["provenance"] == [
        {
            "citation": "Howard et al. 2017, arXiv:1704.04861, Table 7",
            "table": "Table 7",
            "row": "1.0 MobileNet-160",
        }
    ]


def test_published_csv_has_exact_integers():
    result = run_cli(
        "published", "--source", "checkpoints", "--family", "mobilenet_v1", "-f", "csv"
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 32
    row = next(r for r in rows if r["model"] == "MobileNet_v1_0.75_160")
    # 0.75 MobileNet-160 by the independent formula: 166,396,800 MACs, 2,569,144 params.
    assert (row["mult_adds_mncost"], row["params_mncost"]) == ("166396800", "2569144")
    assert row["mult_adds_published_m"] == "162"
    # (166,396,800 - 162,000,000) / 162,000,000 = +2.714...%: mncost counts more.
    assert float(row["mult_adds_diff_percent"]) == pytest.approx(
        (166_396_800 - 162_000_000) / 162_000_000 * 100
    )
    assert row["citation"] == (
        "tensorflow/models research/slim/nets/mobilenet_v1.md (commit 02c04f49)"
    )


def test_published_terminal_at_80_columns():
    result = run_cli("published", "--source", "paper", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "0.75 MobileNet-224" in result.stdout and "Stanford Dogs" in result.stdout
    # Every result of the paper's Tables 4-10 is counted now, the quoted baselines too.
    assert "No mncost count for" not in result.stdout and "GoogleNet" in result.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--family", "resnet"], "unknown family 'resnet'"),
        (["--source", "arxiv"], "unknown source 'arxiv'"),
        (["--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["-o", "out.xyz"], "cannot tell the format"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("published", *args)
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_leaves_nothing(tmp_path):
    target = tmp_path / "missing" / "out.csv"
    result = run_cli("published", "-o", str(target))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not target.parent.exists()
