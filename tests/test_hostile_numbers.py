"""Hostile numbers on the command line, and specs that cost nothing (issue 7: 7, 9-12).

Every bad value gets one line on stderr, exit code 2 and no traceback, fast: the
messages state the ranges the issue gives (0 < alpha <= 16, resolution 1 to 16,384,
classes 0 to 100,000,000, the layer command's bounds), read here from mncost.limits.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from fractions import Fraction

import pytest

import mncost
from mncost.cost.scaling import ScalingError, parse_multiplier
from mncost.limits import (
    MAX_CHANNELS,
    MAX_CLASSES,
    MAX_KERNEL,
    MAX_MULTIPLIER,
    MAX_NUMBER_CHARS,
    MAX_RESOLUTION,
)
from tests.conftest import needs_images, run_cli
from tests.plotly_view import as_plotly

ALPHA_RANGE = f"0 < alpha <= {MAX_MULTIPLIER}"
RHO_RANGE = f"0 < rho <= {MAX_MULTIPLIER}"
RES_RANGE = f"1 to {MAX_RESOLUTION:,}"
CLASSES_RANGE = f"0 to {MAX_CLASSES:,}"
LAYER = ("layer", "--in", "32", "--out", "64", "--size", "112")


def _refused(args: tuple[str, ...], needle: str, seconds: float = 2.0) -> str:
    """Run the CLI; assert one error line holding ``needle``, exit 2, within ``seconds``."""
    start = time.perf_counter()
    result = run_cli(*args)
    elapsed = time.perf_counter() - start
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.stderr[-500:]
    assert result.stdout == ""
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-500:]
    assert needle in lines[0], lines[0]
    # A bounded message: a 5,000-digit value is quoted cut, not echoed whole.
    assert len(lines[0]) < 400
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return lines[0]


# -- 7: huge exponents are refused before any power of ten is built --------------------


@pytest.mark.parametrize(
    "args,needle",
    [
        (("table", "--alpha", "1e1000000000"), ALPHA_RANGE),
        (("table", "--alpha", "1e10000000"), ALPHA_RANGE),
        (("table", "--rho", "1e1000000000"), RHO_RANGE),
        (("table", "--alpha", "1e-1000000000"), ALPHA_RANGE),
        (("table", "--rho", "-1e1000000000"), RHO_RANGE),
        (LAYER + ("--alpha", "1e1000000000"), ALPHA_RANGE),
        (LAYER + ("--rho", "1e1000000000"), RHO_RANGE),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_huge_exponents_fail_fast(args, needle):
    _refused(args, needle, seconds=1.0)


def test_huge_exponent_highlight_fails_fast(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _refused(("plot", "pareto", "--highlight", "1e1000000000/160"), ALPHA_RANGE, seconds=1.0)
    assert not (tmp_path / "pareto.html").exists()


def test_the_message_names_the_range_and_the_value():
    line = _refused(("table", "--alpha", "1e400"), "")
    assert f"alpha must be in {ALPHA_RANGE}, got '1e400'" in line


def test_python_api_gets_the_same_checks():
    start = time.perf_counter()
    for bad in (
        "1e1000000000",
        "1e-1000000000",
        Decimal("1e1000000000"),
        Decimal("-1e-1000000000"),
        Fraction(MAX_MULTIPLIER + 1),
        10**5000,
        "1" * (MAX_NUMBER_CHARS + 1),
    ):
        with pytest.raises(ScalingError):
            parse_multiplier(bad)
        with pytest.raises(ScalingError):
            mncost.cost("mobilenet-v1", alpha=bad)
    with pytest.raises(ScalingError, match="rho"):
        mncost.cost("mobilenet-v1", rho="1e1000000000")
    assert time.perf_counter() - start < 2.0


def test_the_range_is_inclusive_and_fractions_still_work():
    assert parse_multiplier(str(MAX_MULTIPLIER)) == MAX_MULTIPLIER
    assert parse_multiplier("3/4") == Fraction(3, 4)
    assert parse_multiplier("7.5e-1") == Fraction(3, 4)
    # 0.75/160: 166,396,800 MACs by the independent formula of tests/test_core_numbers.py.
    for alpha in ("3/4", "0.75"):
        data = json.loads(run_cli("table", "--alpha", alpha, "--res", "160", "-f", "json").stdout)
        assert data["total"]["mult_adds"] == 166_396_800


def test_the_largest_accepted_values_count_exactly():
    result = run_cli(
        "table",
        "--alpha",
        str(MAX_MULTIPLIER),
        "--res",
        str(MAX_RESOLUTION),
        "--classes",
        str(MAX_CLASSES),
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    fc = next(layer for layer in json.loads(result.stdout)["layers"] if layer["kind"] == "fc")
    # The fc layer sees 1024 * alpha = 16,384 channels: weights 16,384 x classes + bias.
    assert fc["params"] == 1024 * MAX_MULTIPLIER * MAX_CLASSES + MAX_CLASSES
    assert fc["mult_adds"] == 1024 * MAX_MULTIPLIER * MAX_CLASSES


# -- 9 and 10: overflows and int-conversion limits become range errors -----------------


@pytest.mark.parametrize(
    "args,needle",
    [
        (("table", "--alpha", "1e400"), ALPHA_RANGE),
        (("table", "--rho", "1e400"), RHO_RANGE),
        (("table", "--alpha", "1e5000"), ALPHA_RANGE),
        (("table", "--alpha", "17"), ALPHA_RANGE),
        (("table", "--alpha", "1" * (MAX_NUMBER_CHARS + 1)), f"at most {MAX_NUMBER_CHARS}"),
        (("table", "--res", "9" * 160), RES_RANGE),
        (("table", "--res", "9" * 5000), RES_RANGE),
        (("table", "--res", str(MAX_RESOLUTION + 1)), RES_RANGE),
        (("table", "--res", "\u0661\u0666\u0660"), RES_RANGE),  # Arabic-Indic 160: not ASCII
        (("table", "--res", "1_60"), RES_RANGE),
        (("table", "--classes", "9" * 400), CLASSES_RANGE),
        (("table", "--classes", str(MAX_CLASSES + 1)), CLASSES_RANGE),
        (LAYER + ("--alpha", "1e400"), ALPHA_RANGE),
        (LAYER + ("--rho", "1e400"), RHO_RANGE),
        (("layer", "--in", "9" * 160, "--out", "8", "--size", "8"), f"1 to {MAX_CHANNELS:,}"),
        (
            ("layer", "--in", "8", "--out", str(MAX_CHANNELS + 1), "--size", "8"),
            f"1 to {MAX_CHANNELS:,}",
        ),
        (("layer", "--in", "8", "--out", "8", "--size", str(MAX_RESOLUTION + 1)), RES_RANGE),
        (
            ("layer", "--in", "8", "--out", "8", "--size", "8", "--kernel", str(MAX_KERNEL + 1)),
            f"1 to {MAX_KERNEL:,}",
        ),
        (
            ("layer", "--in", "8", "--out", "8", "--size", "8", "--stride", "9" * 5000),
            f"1 to {MAX_KERNEL:,}",
        ),
        (
            ("layer", "--in", "8", "--out", "8", "--size", "8", "--kernel", "0"),
            f"1 to {MAX_KERNEL:,}",
        ),
    ],
    ids=lambda v: " ".join(a[:12] for a in v) if isinstance(v, tuple) else None,
)
def test_out_of_range_numbers_are_one_line_errors(args, needle):
    _refused(args, needle)


def test_rho_16_is_refused_only_where_it_leaves_the_resolution_range(tmp_path):
    # 224 * 16 = 3,584 pixels is fine; a spec at 2,048 pixels times 16 is 32,768.
    assert run_cli("table", "--rho", str(MAX_MULTIPLIER), "-f", "json").exit_code == 0
    spec = tmp_path / "big.yaml"
    spec.write_text(
        "name: big\nresolution: 2048\nclasses: 10\nlayers:\n"
        "  - {kind: conv, name: c, kernel: 3, stride: 2, filters: 8}\n"
    )
    _refused(("table", "--spec", str(spec), "--rho", str(MAX_MULTIPLIER)), "32,768")


@pytest.mark.parametrize(
    "highlight,needle",
    [
        ("1e400/160", ALPHA_RANGE),
        ("0.75/" + "9" * 160, RES_RANGE),
        ("0.75/" + "9" * 5000, RES_RANGE),
        ("0.75/" + str(MAX_RESOLUTION + 1), RES_RANGE),
        # 11: '²' passes str.isdigit() but int() refuses it.
        ("0.75/\u00b2", RES_RANGE),
        ("0.75/1\u00b2", RES_RANGE),
    ],
    ids=lambda v: v[:20],
)
def test_bad_highlights_are_one_line_errors(highlight, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _refused(("plot", "pareto", "--highlight", highlight), needle)
    assert list(tmp_path.iterdir()) == []


def test_help_states_the_ranges():
    text = " ".join(run_cli("table", "--help").stdout.split())
    assert RES_RANGE in text and CLASSES_RANGE in text and ALPHA_RANGE in text
    text = " ".join(run_cli("layer", "--help").stdout.split())
    for bound in (MAX_KERNEL, MAX_CHANNELS, MAX_RESOLUTION):
        assert f"1 to {bound:,}" in text


# -- 12: a valid spec that costs nothing still renders --------------------------------

# A net that costs nothing has no classifier either (a pool and a softmax have no
# weights), so no published result is of its task: the review has no Pareto section
# (issue 8 item 17), and the zero-cost highlight on a log axis is tested on the figure.
ZERO_SPEC = """\
name: zero
resolution: 224
classes: 1000
layers:
  - {kind: avgpool, name: pool}
  - {kind: softmax, name: prob}
"""
FC_ONLY_SPEC = """\
name: fc-only
resolution: 8
classes: 10
layers:
  - {kind: fc, name: fc}
"""


@pytest.mark.parametrize(
    "spec,extra",
    [(ZERO_SPEC, ()), (FC_ONLY_SPEC, ("--classes", "0"))],
    ids=["pool-softmax", "fc-classes-0"],
)
def test_zero_cost_report_renders_as_html(spec, extra, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(spec)
    result = run_cli("report", "--spec", "s.yaml", *extra, "-o", "r.html")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "r.html").read_text()
    assert "no classifier, so no published accuracy applies" in page
    assert "nothing to chart" in page  # the by-type chart says why it has no bars


@needs_images
def test_zero_cost_report_renders_png_charts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(ZERO_SPEC)
    result = run_cli("report", "--spec", "s.yaml", "-o", "r.md")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "r-by-type.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](r-by-type.png)" in (tmp_path / "r.md").read_text()
    assert not (tmp_path / "r-pareto.png").exists()  # nothing published to plot it among


def test_zero_cost_highlight_on_a_linear_axis_is_drawn_at_zero():
    from mncost.analysis.pareto import highlight_from_cost, pareto_data
    from mncost.analysis.published import published_points
    from mncost.present.figures import pareto_figure

    points = published_points(dataset="imagenet")
    data = pareto_data(
        points, "imagenet", highlights=[highlight_from_cost("zero", 0, 0, "mult_adds", None)]
    )
    linear = as_plotly(pareto_figure(data, log_x=False))
    marks = [t for t in linear.data if (t.meta or {}).get("kind") == "highlight"]
    assert marks and set(marks[0].x) == {0.0}
    logged = as_plotly(pareto_figure(data, log_x=True))
    assert not [t for t in logged.data if (t.meta or {}).get("kind") == "highlight"]
    assert any("not drawn on the log scale" in (a.text or "") for a in logged.layout.annotations)
