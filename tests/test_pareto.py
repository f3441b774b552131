"""The Pareto frontier, highlights, the plot's data and `mncost plot pareto`'s files and errors.

The browser checks of the HTML (drawn, offline, one marker per point) are in
tests/test_browser.py; here the figure is checked as data and as files.
"""

from __future__ import annotations

import dataclasses
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

from mncost.analysis.frontier import dominates, pareto_frontier
from mncost.analysis.pareto import (
    HighlightError,
    pareto_data,
    parse_highlight,
    resolve_highlight,
)
from mncost.analysis.published import published_points
from tests.conftest import needs_images, run_cli
from tests.oracle import table1_count

# --- the frontier, on a hand example ---------------------------------------------------


def test_frontier_hand_example():
    points = [(1, 50), (2, 60), (2, 55), (3, 60), (4, 70), (5, 65), (4, 70)]
    # (2, 55) loses to (2, 60): same cost, less accurate. (3, 60) loses to (2, 60):
    # dearer, no more accurate. (5, 65) loses to (4, 70). The two (4, 70) are equal, so
    # neither dominates the other: both stay.
    assert pareto_frontier(points) == [0, 1, 4, 6]


def test_dominates_needs_one_strict_improvement():
    assert dominates((1, 60), (2, 60)) and dominates((2, 61), (2, 60))
    assert not dominates((2, 60), (2, 60))
    assert not dominates((1, 50), (2, 60))


def test_frontier_of_nothing_and_of_exact_numbers():
    assert pareto_frontier([]) == []
    assert pareto_frontier([(Fraction(1, 3), Fraction(1)), (Fraction(1, 3), Fraction(2))]) == [1]


# --- highlights -------------------------------------------------------------------------


def test_parse_highlight():
    h = parse_highlight("0.75/160")
    assert (h.model, h.alpha, h.resolution, h.label) == (
        "mobilenet-v1",
        Fraction(3, 4),
        160,
        "0.75/160",
    )
    h = parse_highlight("mobilenet-v1-shallow@1/224")
    assert (h.model, h.alpha, h.resolution) == ("mobilenet-v1-shallow", 1, 224)
    assert h.label == "mobilenet-v1-shallow@1.0/224"
    # compare's syntax, one for both: the old MODEL:ALPHA/RES says how to write it now
    with pytest.raises(HighlightError, match="write mobilenet-v1-shallow@1/224"):
        parse_highlight("mobilenet-v1-shallow:1/224")


@pytest.mark.parametrize(
    "text",
    [
        "0.75x160",
        "0.75",
        "abc/160",
        "0.75/abc",
        "0/160",
        "-1/160",
        "0.75/0",
        "",
        "nan/224",
        "0.75/160/1",
    ],
)
def test_bad_highlights_raise(text):
    with pytest.raises(HighlightError):
        parse_highlight(text)


def test_highlight_uses_mncost_cost_and_published_accuracy():
    points = published_points(dataset="imagenet")
    h = resolve_highlight(parse_highlight("0.75/160"), points)
    # 166,396,800 MACs by the independent formula; the paper has no 0.75/160 row, so the
    # top-1 is the float checkpoint's (65.3, checkpoints.csv), not the int8 one (63.9).
    assert (h.mult_adds, h.params) == table1_count(Fraction(3, 4), 160)
    assert h.accuracy == Fraction("65.3") and h.accuracy_from.precision == "float32"
    # 1.0/224: the paper's 70.6 (Table 6) is preferred to the checkpoint's 70.9.
    assert resolve_highlight(parse_highlight("1.0/224"), points).accuracy == Fraction("70.6")
    # 0.6/150 was never published.
    assert resolve_highlight(parse_highlight("0.6/150"), points).accuracy is None


def test_highlight_on_stanford_dogs_uses_its_120_class_classifier():
    dogs = published_points(dataset="stanford_dogs")
    h = resolve_highlight(parse_highlight("0.5/160"), dogs)  # not in Table 10
    assert h.accuracy is None
    assert (h.mult_adds, h.params) == table1_count(Fraction(1, 2), 160, classes=120)
    h = resolve_highlight(parse_highlight("0.75/192"), dogs)  # Table 10: 80.5%
    assert h.accuracy == Fraction("80.5")
    assert (h.mult_adds, h.params) == table1_count(Fraction(3, 4), 192, classes=120)


def test_highlight_accuracy_ignores_the_family_filter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "--family", "mobilenet_v2", "--highlight", "0.5/128")
    assert result.exit_code == 0
    # 0.5/128 is MobileNet_v1_0.50_128 in checkpoints.csv: 56.3% top-1.
    assert "56.3" in result.stdout and "MobileNet_v1_0.50_128" in result.stdout


def test_highlight_of_an_unknown_model():
    with pytest.raises(HighlightError, match="unknown model"):
        resolve_highlight(parse_highlight("resnet@1/224"), published_points())


# --- what the plot shows -------------------------------------------------------------


def test_plotted_points_one_dataset_at_a_time():
    points = published_points()
    imagenet = pareto_data(points, "imagenet")
    # 14 distinct paper results (tests/test_published.py) + 54 v1/v2 checkpoints + 9 V3.
    assert len(imagenet.points) == 77 and not imagenet.left_out
    assert {p.point.dataset for p in imagenet.points} == {"imagenet"}
    assert len(pareto_data(points, "stanford_dogs").points) == 5


def test_frontier_of_the_published_imagenet_results():
    data = pareto_data(published_points(), "imagenet")
    on = {data.points[i].point.label for i in data.frontier}
    # The most accurate (V3 Large, 75.2% at 217 M) and the cheapest (11 M) results are on
    # it; MobileNet_v2_1.4_224 (75.0%, 582 M) is beaten by V3 Large (checkpoints_v3.csv),
    # and VGG 16 (71.5%, 15300 M) by both.
    assert {"Large dm=1 (float)", "MobileNet_v2_0.35_96"} <= on
    assert "MobileNet_v2_1.4_224" not in on
    assert "VGG 16" not in on and "AlexNet" not in on
    xs = [data.points[i].x for i in data.frontier]
    ys = [data.points[i].y for i in data.frontier]
    assert xs == sorted(xs) and ys == sorted(ys)


def test_computed_cost_basis_falls_back_for_models_mncost_cannot_count():
    data = pareto_data(published_points(), "imagenet", cost_basis="computed")
    by_label = {p.point.label: p for p in data.points}
    v1 = by_label["MobileNet_v1_0.75_224"]
    assert v1.x == Fraction(table1_count(Fraction(3, 4), 224)[0], 10**6)
    assert v1.x_basis == "mncost"
    v2 = by_label["MobileNet_v2_1.0_224"]
    assert (v2.x, v2.x_basis) == (Fraction(300_774_272, 10**6), "mncost")  # torchvision's count
    # A point mncost cannot count keeps its published cost (every published ImageNet
    # result is counted today, so one is made here without its count).
    uncounted = dataclasses.replace(
        _by_label(published_points(), "GoogleNet"), computed=None, not_computed="for the test"
    )
    data = pareto_data([uncounted], "imagenet", cost_basis="computed")
    assert (data.points[0].x, data.points[0].x_basis) == (
        1550,
        "published (mncost cannot count it)",
    )
    params = pareto_data(published_points(), "imagenet", x_axis="params")
    assert {p.point.label: p.x for p in params.points}["VGG 16"] == Decimal("138")


def _by_label(points, label):
    return next(p for p in points if p.label == label)


# --- the command ----------------------------------------------------------------------


def test_default_writes_pareto_html_here_and_lists_the_frontier(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "--highlight", "0.75/160", "--highlight", "0.6/150")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "pareto.html").read_text(encoding="utf-8")
    assert str(tmp_path / "pareto.html") in result.stderr
    assert "Pareto frontier" in result.stdout and "Large dm=1 (float)" in result.stdout
    assert "166,396,800" in result.stdout and "no published accuracy" in result.stdout
    # Offline: plotly.js inline, no script or stylesheet fetched, no MathJax.
    assert "<script src=" not in page and "<link" not in page and "MathJax.js" not in page
    assert page.count("Plotly.newPlot(") == 1 and '"displaylogo": false' in page
    assert [p.name for p in tmp_path.iterdir()] == ["pareto.html"]


def test_terminal_output_is_short_and_fits_80_columns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "--source", "paper", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and len(lines) < 25


@pytest.mark.parametrize(
    "args, words",
    [
        (["--highlight", "0.75x160"], "expected ALPHA/RES"),
        (["--highlight", "resnet@1/224"], "unknown model 'resnet'"),
        (["--family", "resnet"], "unknown family 'resnet'"),
        (["--source", "arxiv"], "unknown source 'arxiv'"),
        (["--dataset", "cifar"], "unknown dataset 'cifar'"),
        (["--x", "latency"], "unknown x axis 'latency'"),
        (["-o", "plot.pdf"], ".html, .png, .svg"),
        (["-o", "missing/plot.html"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", *args)
    assert result.exit_code == 2, result.stdout
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_existing_file_survives_a_failed_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pareto.html").write_text("old")
    result = run_cli("plot", "pareto", "--highlight", "bad")
    assert result.exit_code == 2 and (tmp_path / "pareto.html").read_text() == "old"


def test_no_kaleido_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido -> ImportError
    result = run_cli("plot", "pareto", "-o", "p.png")
    assert result.exit_code == 2
    assert "apt-get install chromium" in result.stderr and "pip install kaleido" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []


@needs_images
def test_no_chromium_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # choreographer (kaleido's browser driver) takes BROWSER_PATH before any search.
    result = run_cli(
        "plot", "pareto", "-o", "p.svg", env={"BROWSER_PATH": str(tmp_path / "no-such-chromium")}
    )
    assert result.exit_code == 2
    assert "apt-get install chromium" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []


@needs_images
@pytest.mark.parametrize("ending, magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<svg")])
def test_static_images(ending, magic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "--highlight", "0.5/128", "-o", "p" + ending)
    assert result.exit_code == 0, result.stderr
    data = (tmp_path / ("p" + ending)).read_bytes()
    assert data.startswith(magic)
    if ending == ".svg":  # the plot's own text is in the SVG
        assert b"Top-1 accuracy on ImageNet" in data and b"0.5/128" in data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is Linux's")
def test_show_never_blocks_without_a_display(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run_cli("plot", "pareto", "--source", "paper", "--show")
    assert result.exit_code == 0
    assert "--show: no graphical display" in result.stderr
