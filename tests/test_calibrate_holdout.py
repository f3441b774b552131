"""`mncost calibrate --holdout FAMILY`: fit without a family, then predict it (issue 17,
section 2), and the optional columns that `mncost measure` writes.

The measurements are made up for a device whose time is exactly proportional to MACs,
0.01 ms per million. The MACs are the published ones: MobileNet v1 at 224 and widths
1, 0.75, 0.5, 0.25 is 569, 325, 149 and 41 million, and at width 1 and resolutions 192,
160, 128 is 418, 290 and 186 million (Howard et al. 2017, arXiv:1704.04861, Tables 6
and 7); MobileNet v2 1.0/224 is 300 million and 0.5/224 97 million (Sandler et al.
2018, arXiv:1801.04381, Table 4 and the TF-slim checkpoint table). Fitted on v1 alone,
the profile predicts v2 from mncost's own count of v2; against the rounded published
figures its error is under 1%.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

V1 = [  # alpha, resolution, million MACs (the paper)
    ("1.0", 224, 569),
    ("0.75", 224, 325),
    ("0.5", 224, 149),
    ("0.25", 224, 41),
    ("1.0", 192, 418),
    ("1.0", 160, 290),
    ("1.0", 128, 186),
]
V2 = [("1.0", 224, 300), ("0.5", 224, 97)]


def _csv(folder: Path, extra: str = "") -> Path:
    lines = ["model,alpha,resolution,latency_ms" + extra]
    for model, rows in (("mobilenet-v1", V1), ("mobilenet-v2", V2)):
        for alpha, r, macs in rows:
            cells = f"{model},{alpha},{r},{macs * 0.01:.4f}"
            lines.append(cells + (",1.5,36" if extra else ""))
    path = folder / "measured.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rows(text: str, title: str) -> list[list[str]]:
    block = text.split(title, 1)[1].split("\n\n", 1)[0]
    return [line.split() for line in block.splitlines() if "measured.csv line" in line]


def test_a_held_out_family_is_fitted_without_and_predicted(tmp_path: Path):
    path = _csv(tmp_path)
    result = run_cli(
        "calibrate", str(path), "--holdout", "mobilenet-v2", "-o", str(tmp_path / "d.json")
    )
    assert result.exit_code == 0, result.stderr
    assert "Fitted on 7 measured configurations: 7 of mobilenet-v1" in " ".join(
        result.stdout.split()
    )
    held = _rows(result.stdout, "Held out (mobilenet-v2)")
    assert [(r[3], r[4], r[5]) for r in held] == [
        ("mobilenet-v2", "1.0", "224"),
        ("mobilenet-v2", "0.5", "224"),
    ]
    for row in held:
        assert abs(float(row[-1].rstrip("%"))) < 1.0, row
    assert "Held out: mobilenet-v2, fitted without and predicted after" in result.stdout


def test_a_family_name_works_in_either_spelling(tmp_path: Path):
    path = _csv(tmp_path)
    for name in ("mobilenet_v2", "MobileNet-V2"):
        result = run_cli("calibrate", str(path), "--holdout", name, "-o", str(tmp_path / "d.json"))
        assert result.exit_code == 0, result.stderr
        assert len(_rows(result.stdout, "Held out (")) == 2


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (("resnet",), "matches no measured configuration"),
        (("mobilenet_v1", "mobilenet_v2"), "nothing to fit"),
    ],
)
def test_a_holdout_that_cannot_work_is_one_line(tmp_path: Path, names, words):
    path = _csv(tmp_path)
    args = [a for n in names for a in ("--holdout", n)]
    result = run_cli("calibrate", str(path), *args, "-o", str(tmp_path / "d.json"))
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d.json").exists()


def test_the_columns_measure_writes_are_read(tmp_path: Path):
    path = _csv(tmp_path, ",spread_percent,runs")
    result = run_cli("calibrate", str(path), "-o", str(tmp_path / "d.json"))
    assert result.exit_code == 0, result.stderr
    path.write_text(path.read_text().replace("runs", "rounds", 1), encoding="utf-8")
    result = run_cli("calibrate", str(path), "-o", str(tmp_path / "e.json"))
    assert result.exit_code == 2 and "unknown column 'rounds'" in result.stderr
    assert "optionally spread_percent, runs" in result.stderr
