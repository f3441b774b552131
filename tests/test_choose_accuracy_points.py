"""choose --accuracy: your own checkpoints' top-1, fitted per model with the published
checkpoints' estimator and its leave-one-out error (issue 16, item 3)."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

pytest.importorskip("numpy")

import mncost  # noqa: E402
from tests.conftest import run_cli  # noqa: E402


def _surface(alpha: float, resolution: float) -> float:
    """A made-up accuracy surface, quadratic in ln alpha and ln R with a cross term: the
    estimator's own family, so a fit to its points must reproduce it exactly, with a
    leave-one-out error of zero."""
    la, lr = math.log(alpha), math.log(resolution)
    return 40 + 9 * la + 14 * (lr - 5) - 3 * la * la - 2 * (lr - 5) ** 2 + 1.5 * la * (lr - 5)


GRID = [(a, r) for a in ("0.5", "0.75", "1.0") for r in (128, 160, 224)]


def _csv(path: Path, model: str, grid=GRID) -> Path:
    lines = ["model,alpha,resolution,top1"]
    lines += [f"{model},{a},{r},{_surface(float(a), r)!r}" for a, r in grid]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    source = Path(__file__).resolve().parent.parent / "examples" / "mobilenet-v1.yaml"
    target = tmp_path / "mine.yaml"
    target.write_text(source.read_text())
    return target


def test_your_points_fit_the_estimator_and_its_loo_error_is_reported(tmp_path, spec):
    points = _csv(tmp_path / "points.csv", "mine.yaml")
    result = mncost.choose(models=[spec], accuracy=points, max_macs="400M", top=5)
    grid = result.grids[0]
    assert grid.accuracy.fitted_on.own and grid.accuracy.fitted_on.n_points == 9
    assert grid.accuracy.loo_mae == pytest.approx(0, abs=1e-6)
    # The default grid is your points' range: alpha 0.5..1 by 0.05, 128..224 by 16.
    assert result.searched[0].alphas[0] == Fraction(1, 2)
    assert result.searched[0].alphas[-1] == 1
    assert result.searched[0].resolutions == (128, 144, 160, 176, 192, 208, 224)
    for pick in result.candidates:
        assert pick.top1 == pytest.approx(_surface(float(pick.alpha), pick.resolution))
        at_point = (str(pick.alpha), pick.resolution) in {(str(Fraction(a)), r) for a, r in GRID}
        assert (pick.status == "measured") == at_point
        assert pick.own_top1
    words = " ".join(
        run_cli(
            "choose", "--model", str(spec), "--accuracy", str(points), "--max-macs", "400M"
        ).stdout.split()
    )
    assert "from 9 of your own checkpoints of mine.yaml (points.csv)" in words
    assert "leave-one-out error 0.00 mean, 0.00 max" in words


def test_a_built_in_models_points_replace_its_published_ones(tmp_path):
    points = _csv(tmp_path / "v2.csv", "mobilenet-v2")
    data = json.loads(
        run_cli(
            "choose", "--family", "mobilenet-v2", "--accuracy", str(points), "-f", "json"
        ).stdout
    )
    best = data["candidates"][0]
    assert best["top1_yours"] is True
    assert best["top1"] == pytest.approx(_surface(best["alpha"], best["resolution"]))


def test_a_model_file_is_matched_by_its_reference_or_its_file_name(tmp_path, spec):
    (tmp_path / "nets").mkdir()
    inner = tmp_path / "nets" / "mine.yaml"
    inner.write_text(spec.read_text())
    points = _csv(tmp_path / "p.csv", "mine.yaml")
    result = mncost.choose(models=[inner], accuracy=points, top=1)
    assert result.candidates[0].own_top1


def test_too_few_points_give_top1_at_those_points_alone(tmp_path, spec):
    points = _csv(tmp_path / "few.csv", "mine.yaml", GRID[:4])
    result = mncost.choose(models=[spec], accuracy=points, top=50)
    assert {p.status for p in result.candidates} == {"measured"}
    assert len(result.candidates) == 4
    words = " ".join(
        run_cli("choose", "--model", str(spec), "--accuracy", str(points)).stdout.split()
    )
    assert "only at those points (no estimate between them: 4 points" in words


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "is empty"),
        ("model,alpha,resolution\n", "missing the column top1"),
        ("model,alpha,resolution,top1,extra\n", "unknown column 'extra'"),
        ("model,alpha,resolution,top1\n", "has a header but no points"),
        ("model,alpha,resolution,top1\nmine.yaml,0.5,160,abc\n", "line 2, top1: cannot read"),
        ("model,alpha,resolution,top1\nmine.yaml,0.5,160,101\n", "at most 100"),
        ("model,alpha,resolution,top1\nmine.yaml,0.5,160,nan\n", "line 2, top1"),
        ("model,alpha,resolution,top1\nmine.yaml,0,160,50\n", "line 2, alpha"),
        ("model,alpha,resolution,top1\nmine.yaml,0.5,9e9,50\n", "line 2, resolution"),
        (
            "model,alpha,resolution,top1\nmine.yaml,0.5,160,50\nmine.yaml,0.50,160,51\n",
            "given twice (also on line 2)",
        ),
        ("model,alpha,resolution,top1\nother.onnx,0.5,160,50\n", "'other.onnx' is not searched"),
        ("model,alpha,resolution,top1\n\x1b[31m,0.5,160,50\n", "is not searched"),
    ],
)
def test_bad_points_are_one_line(tmp_path, spec, body, message):
    points = tmp_path / "bad.csv"
    points.write_text(body)
    result = run_cli("choose", "--model", str(spec), "--accuracy", str(points))
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "\x1b" not in result.stderr


def test_a_missing_or_special_points_file_is_one_line(tmp_path, spec):
    for path in (tmp_path / "absent.csv", Path("/dev/zero"), tmp_path):
        result = run_cli("choose", "--model", str(spec), "--accuracy", str(path))
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
