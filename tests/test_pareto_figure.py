"""The Pareto plot a new user can read (issue 8, items 9-14).

Named ticks on the cost axis, labels on the frontier and the highlights, a subtitle that
names what is plotted, the paper's v1 variants filed as v1, slide-sized images with
--width/--height/--scale, and points at mncost's count told apart from points at their
published cost. The figure is checked as data here; tests/test_browser.py checks the
drawn page (no label on another label, on a marker or on the frontier's line).
"""

from __future__ import annotations

import dataclasses
import re
import struct
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from mncost.analysis.pareto import matching_point, pareto_data
from mncost.analysis.published import published_points
from mncost.present.figures import cost_text, pareto_figure, pareto_title, tables_text
from tests.conftest import needs_images, run_cli
from tests.plotly_view import as_plotly

_NAMED_TICK = re.compile(r"^(\d+(?:\.\d+)?)([kMG])$")
_UNIT = {"k": Fraction(1, 1000), "M": Fraction(1), "G": Fraction(1000)}


def _figure(**query):
    dataset = query.pop("dataset", "imagenet")
    x_axis = query.pop("x_axis", "mult_adds")
    cost = query.pop("cost_basis", "published")
    data = pareto_data(published_points(dataset=dataset, **query), dataset, x_axis, cost)
    return data, as_plotly(pareto_figure(data, width=1280, height=720))


def _annotations(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


def _published(fig):
    return [t for t in fig.data if (t.meta or {}).get("kind") == "published"]


# --- 9: named ticks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (Fraction(10), "10M"),
        (Fraction(500), "500M"),
        (Fraction(1000), "1G"),
        (Fraction(1500), "1.5G"),
        (Fraction(20000), "20G"),
        (Fraction(1, 2), "500k"),
        (Fraction(0), "0"),
    ],
)
def test_cost_text_names_a_tick(value, text):
    assert cost_text(value) == text


@pytest.mark.parametrize(
    "query, expected",
    [
        # ImageNet, mult-adds: published points from 11 M (MobileNet_v2_0.35_96) to 15,300 M
        # (VGG 16, Table 8). The axis pads each end by 4% of the 3.14-decade span + 0.04
        # decade (0.166): 7.5 M to 22 G, so 1-2-5 ticks from 10M to 20G, 11 of them.
        ({}, ["10M", "20M", "50M", "100M", "200M", "500M", "1G", "2G", "5G", "10G", "20G"]),
        # Parameters: 0.47 M (MobileNet_v1_0.25_128) to 138 M (VGG 16): padded 0.34 M to 190 M.
        ({"x_axis": "params"}, ["500k", "1M", "2M", "5M", "10M", "20M", "50M", "100M"]),
        # Stanford Dogs (Table 10): 239 M (0.75 MobileNet-192) to 5,000 M (Inception V3):
        # padded 193 M to 6.2 G.
        ({"dataset": "stanford_dogs"}, ["200M", "500M", "1G", "2G", "5G"]),
    ],
)
def test_log_axis_has_named_ticks_only(query, expected):
    _, fig = _figure(**query)
    axis = fig.layout.xaxis
    assert axis.type == "log" and axis.tickmode == "array"
    assert list(axis.ticktext) == expected
    # Each name is its value: "20M" sits at 20 (millions), "1G" at 1000, "500k" at 0.5.
    for value, text in zip(axis.tickvals, axis.ticktext, strict=True):
        number, unit = _NAMED_TICK.match(text).groups()
        assert Fraction(number) * _UNIT[unit] == Fraction(value).limit_denominator(1000)


@pytest.mark.parametrize(
    "query",
    [
        {"source": "paper"},
        {"families": ["mobilenet_v2"]},
        {"families": ["other"]},
        {"families": ["mobilenet_v3"], "x_axis": "params"},
        {"cost_basis": "computed"},
    ],
)
def test_no_bare_minor_tick_label_under_any_filter(query):
    _, fig = _figure(**query)
    texts = list(fig.layout.xaxis.ticktext)
    assert 3 <= len(texts) <= 12
    assert all(_NAMED_TICK.match(text) for text in texts), texts  # never a bare "2" or "5"


def test_linear_axis_ticks_are_named_too():
    data = pareto_data(published_points(dataset="imagenet"), "imagenet")
    axis = as_plotly(pareto_figure(data, log_x=False)).layout.xaxis
    # 0 to 15,300 M (VGG 16) and 6% more: a step of 5,000 M gives 4 ticks.
    assert list(axis.ticktext) == ["0", "5G", "10G", "15G"]


# --- 10: labels ------------------------------------------------------------------------


def test_every_frontier_point_is_labelled_with_its_configuration():
    data, fig = _figure()
    labels = [a.text for a in _annotations(fig, "frontier")]
    assert len(labels) == len(data.frontier) == 11
    # MobileNet_v2_0.35_96 (11 M, 45.5%) is the cheapest; V3 Large at 1.0 (217 M, 75.2%)
    # the most accurate (mobilenet/README.md): a grid point shows alpha/resolution, a V3
    # point its line too.
    assert labels[0] == "0.35/96" and labels[-1] == "Large 1.0/224"
    assert "Small 0.75/224" in labels


def test_highlight_is_labelled_and_other_models_named():
    points = published_points(dataset="imagenet")
    from mncost.analysis.pareto import parse_highlight, resolve_highlight

    marked = [resolve_highlight(parse_highlight(t), points) for t in ("0.75/160", "0.6/150")]
    data = pareto_data(points, "imagenet", highlights=marked)
    fig = as_plotly(pareto_figure(data))
    assert sorted(a.text for a in _annotations(fig, "highlight")) == ["0.6/150", "0.75/160"]
    named = {a.text for a in _annotations(fig, "named")}
    # Tables 4, 5 and 8-9 (none on the frontier).
    assert named == {
        "Conv MobileNet",
        "Shallow MobileNet",
        "GoogleNet",
        "VGG 16",
        "Squeezenet",
        "AlexNet",
    }


# --- 11: the subtitle names what is plotted --------------------------------------------


def test_tables_text():
    assert tables_text([4, 5, 6, 7, 8, 9]) == "Tables 4-9"
    assert tables_text([10]) == "Table 10"
    assert tables_text([4, 6, 7, 8]) == "Tables 4, 6-8"
    assert tables_text([4, 6]) == "Tables 4, 6"


@pytest.mark.parametrize(
    "args, present, absent",
    [
        (
            ["--source", "paper"],
            ["MobileNets paper (Tables 4-9)", "MobileNet v1", "other models"],
            ["checkpoint", "MobileNet v2", "V3"],
        ),
        (
            ["--dataset", "stanford_dogs"],
            ["MobileNets paper (Table 10)", "5 published results"],
            ["checkpoint", "Tables 4", "MobileNet v2"],
        ),
        (
            ["--family", "mobilenet_v2"],
            ["MobileNet v2", "mobilenet/README.md"],
            ["paper", "MobileNet v1", "mobilenet_v1.md", "other models"],
        ),
        (
            ["--family", "mobilenet_v1", "--source", "checkpoints"],
            ["32 published results of MobileNet v1", "mobilenet_v1.md"],
            ["paper", "README.md", "MobileNet v2"],
        ),
        (
            [],
            [
                "MobileNet v1, MobileNet v2, MobileNet V3 and other models",
                "Tables 4-9",
                "mobilenet_v1.md",
                "mobilenet/README.md",
            ],
            [],
        ),
    ],
)
def test_subtitle_names_only_what_is_plotted(args, present, absent, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", *args, "-o", "-")
    assert result.exit_code == 0, result.stderr
    caption = re.search(r'<p class="caption">(.*?)</p>', result.stdout).group(1)
    for words in present:
        assert words in caption, caption
    for words in absent:
        assert words not in caption, caption


def test_static_title_draws_the_subtitle():
    data, fig = _figure(source="paper")
    title = fig.layout.title.text
    assert "ImageNet top-1 accuracy vs mult-adds" in title
    assert "14 published results of MobileNet v1 and other models" in title
    assert "from the MobileNets paper (Tables 4-9)" in title and "checkpoint" not in title
    assert "hover" not in pareto_title(data, interactive=False)[1]
    assert "hover a point" in pareto_title(data)[1]


# --- 12: the paper's v1 variants -------------------------------------------------------


def test_conv_and_shallow_mobilenet_are_v1_variants():
    points = {p.label: p for p in published_points(source="paper", dataset="imagenet")}
    # Table 4's Conv MobileNet and Table 5's Shallow MobileNet are MobileNet v1 built
    # differently (mncost's mobilenet-v1-conv and mobilenet-v1-shallow).
    for label in ("Conv MobileNet", "Shallow MobileNet"):
        assert points[label].family == "mobilenet_v1"
    assert points["GoogleNet"].family == "other"
    v1 = {p.label for p in published_points(source="paper", families=["mobilenet_v1"])}
    assert {"Conv MobileNet", "Shallow MobileNet", "1.0 MobileNet-224"} <= v1


def test_variants_share_v1_colour_with_a_marker_of_their_own():
    _, fig = _figure(source="paper")
    traces = {t.name: t for t in _published(fig)}
    variants = traces["MobileNet v1 variants, paper"]
    grid = traces["MobileNet v1, paper"]
    assert variants.marker.color == grid.marker.color
    assert variants.marker.symbol != grid.marker.symbol
    assert sorted(variants.text) == ["Conv MobileNet", "Shallow MobileNet"]
    # The other models keep their own colour; V3 has its own too.
    assert traces["other models, paper"].marker.color != grid.marker.color
    _, full = _figure()
    colours = {t.name.split(",")[0]: t.marker.color for t in _published(full)}
    assert (
        len(
            {
                colours["MobileNet v1"],
                colours["MobileNet v2"],
                colours["MobileNet V3"],
                colours["other models"],
            }
        )
        == 4
    )


# --- 14: computed and published costs told apart --------------------------------------


def test_computed_cost_marks_points_left_at_their_published_cost():
    points = published_points(dataset="imagenet")
    # Every published ImageNet point is counted today: take two counts away, as for a
    # model mncost cannot build.
    uncounted = {"GoogleNet", "MobileNet_v2_1.0_224"}
    points = [
        dataclasses.replace(p, computed=None, not_computed="for the test")
        if p.label in uncounted
        else p
        for p in points
    ]
    data = pareto_data(points, "imagenet", cost_basis="computed")
    fig = as_plotly(pareto_figure(data))
    marked = [t for t in _published(fig) if t.meta["cost"] == "published"]
    assert sorted(t.name for t in marked) == [
        "MobileNet v2, checkpoints, published cost",
        "other models, paper, published cost",
    ]
    assert all("-x" in t.marker.symbol for t in marked)
    assert sum(t.meta["points"] for t in marked) == 2
    assert not any("-x" in t.marker.symbol for t in _published(fig) if t not in marked)
    hovers = {h for t in _published(fig) for h in t.hovertext}
    google = next(h for h in hovers if "GoogleNet" in h)
    assert "x: 1550 M MACs, published (mncost cannot count it)" in google
    v1 = next(h for h in hovers if "MobileNet_v1_0.75_224<" in h)
    assert "mncost's exact count (published: 317 M MACs)" in v1
    assert (
        "mncost's exact count for 75 of 77 points; 2 (marked x) at the published cost"
        in pareto_title(data)[1]
    )


def test_computed_cost_says_every_point_is_counted():
    data, fig = _figure(cost_basis="computed")
    assert {t.meta["cost"] for t in _published(fig)} == {"mncost"}
    assert "mncost's exact count, for every point" in pareto_title(data)[1]
    published, fig = _figure()
    assert {t.meta["cost"] for t in _published(fig)} == {"published"}
    assert "cost: the published figures" in pareto_title(published)[1]


# --- highlights still find their accuracy --------------------------------------------


def test_matching_point_reads_each_checkpoint_model():
    points = published_points(dataset="imagenet")
    # mobilenet/README.md: MobileNet_v2_1.0_224 71.8%; V3 Large dm=0.75 (float) 73.3%.
    assert matching_point("mobilenet-v2", Fraction(1), 224, points).top1 == Decimal("71.8")
    large = matching_point("mobilenet-v3-large-slim", Fraction(3, 4), 224, points)
    assert (large.label, float(large.top1)) == ("Large dm=0.75 (float)", 73.3)
    # TF-slim built that checkpoint in its own layout: torchvision's 0.75 is not it.
    assert matching_point("mobilenet-v3-large", Fraction(3, 4), 224, points) is None
    # A model no result names has no match, whatever its family.
    assert matching_point("mobilenet-v1-conv", Fraction(1, 2), 224, points) is None


# --- 13: image size -------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_images
@pytest.mark.parametrize(
    "args, size",
    [
        ([], (2560, 1440)),  # 1280 x 720 CSS pixels at scale 2: slide-ready
        (["--width", "800", "--height", "500", "--scale", "1"], (800, 500)),
        (["--width", "1000", "--height", "600", "--scale", "1.5"], (1500, 900)),
    ],
)
def test_png_size(args, size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "--source", "paper", "-o", "p.png", *args)
    assert result.exit_code == 0, result.stderr
    assert _png_size(tmp_path / "p.png") == size


@needs_images
def test_svg_keeps_its_css_size(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "--source", "paper", "-o", "p.svg")
    assert result.exit_code == 0, result.stderr
    head = (tmp_path / "p.svg").read_text(encoding="utf-8")[:400]
    assert 'width="1280" height="720"' in head and 'viewBox="0 0 1280 720"' in head


def test_html_takes_the_size_and_the_download_scale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "plot",
        "pareto",
        "--source",
        "paper",
        "-o",
        "-",
        "--width",
        "900",
        "--height",
        "500",
        "--scale",
        "3",
    )
    assert result.exit_code == 0, result.stderr
    assert re.search(r'"width": ?900\b', result.stdout)
    assert re.search(r'"height": ?500\b', result.stdout)
    assert re.search(
        r'"toImageButtonOptions": ?\{"format": ?"png", ?"scale": ?3\.0\}', result.stdout
    )
    default = run_cli("plot", "pareto", "--source", "paper", "-o", "-")
    assert re.search(
        r'"toImageButtonOptions": ?\{"format": ?"png", ?"scale": ?2\.0\}', default.stdout
    )
    # Without --width the page's plot has no width of its own: it fills the page.
    data = pareto_data(published_points(dataset="imagenet"), "imagenet")
    assert as_plotly(pareto_figure(data)).layout.width is None
    assert as_plotly(pareto_figure(data)).layout.height == 720


@pytest.mark.parametrize(
    "args, words",
    [
        (["--width", "100"], "width must be a whole number from 320 to 3,840, got '100'"),
        (["--width", "12a"], "width must be a whole number"),
        (["--height", "99999"], "height must be a whole number from 240 to 2,160"),
        (["--height", "-5"], "height must be a whole number"),
        (["--scale", "0"], "scale must be a number from 0.5 to 4, got '0'"),
        (["--scale", "nan"], "scale must be a number from 0.5 to 4"),
        (["--scale", "1e1"], "scale must be a number from 0.5 to 4"),
        (["--scale", "5"], "scale must be a number from 0.5 to 4"),
        (["--scale", "٢"], "scale must be a number from 0.5 to 4"),
        (
            ["--width", "3840", "--scale", "4"],
            "--width 3,840 at --scale 4 is 15,360 pixels; at most 8,192",
        ),
    ],
)
def test_bad_size_is_one_line_exit_2(args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "-o", "p.png", *args)
    assert result.exit_code == 2, result.stdout
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_size_options_are_in_the_help():
    result = run_cli("plot", "pareto", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for words in (
        "--width PX",
        "--height PX",
        "--scale NUMBER",
        "[default: 2: 1280x720 becomes 2560x1440; 1 for .svg]",
    ):
        assert words in text, words
