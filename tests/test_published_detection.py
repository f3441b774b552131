"""Published COCO accuracy (issue 18, part 4): detectors' mAP and segmentation models'
mIoU, listed and plotted on their own, never as an ImageNet top-1.

The expected figures are the sources' own, typed here from them:

- Howard et al. 2017, arXiv:1704.04861 ("MobileNets"), Table 13, COCO object detection,
  "mAP is reported with COCO primary challenge metric (AP at IoU=0.50:0.05:0.95)":
  SSD 300 deeplab-VGG 21.1%, Inception V2 22.0%, MobileNet 19.3%; Faster-RCNN 300 VGG
  22.9%, Inception V2 15.4%, MobileNet 16.4%; Faster-RCNN 600 VGG 25.7%, Inception V2
  21.9%, MobileNet 19.8%;
- torchvision 0.28.0's weights documentation, read from the weights' ``meta`` in
  torchvision/models/detection/ssdlite.py and ssd.py (``"_metrics": {"COCO-val2017":
  {"box_map": ...}}``, ``"num_params"``, ``"_ops"`` in GFLOPS, which are MACs) and
  torchvision/models/segmentation/lraspp.py and deeplabv3.py (``"COCO-val2017-VOC-labels":
  {"miou": ...}``): ssdlite320_mobilenet_v3_large 21.3 box mAP, 3,440,060 params, 0.583
  GFLOPS; ssd300_vgg16 25.1, 35,641,826, 34.858; lraspp_mobilenet_v3_large 57.9 mIoU,
  3,221,538, 2.086; deeplabv3_mobilenet_v3_large 60.3, 11,029,328, 10.452.

- Sandler et al. 2018, arXiv:1801.04381 ("MobileNetV2"), Section 6.2 and Table 6, COCO
  object detection ("mAP (COCO challenge metrics)", trained on trainval35k, evaluated on
  test-dev; "The input resolution of both models is 320 x 320"): MNet V1 + SSDLite 22.2,
  MNet V2 + SSDLite 22.1, SSD300 23.2 (quoted from the YOLO9000 paper).
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

import mncost
from mncost.analysis.pareto import pareto_data, parse_highlight, resolve_highlight
from mncost.analysis.published import published_points
from mncost.present.figures import pareto_figure, pareto_title
from mncost.sources import paper_cells, published_cells
from mncost.sources.points import TOP1_DATASETS, within_rounding
from tests.conftest import run_cli
from tests.plotly_view import as_plotly

# Howard et al. 2017, arXiv:1704.04861, Table 13: row -> mAP (%), as printed.
TABLE13_MAP = {
    "SSD 300 / deeplab-VGG": "21.1",
    "SSD 300 / Inception V2": "22.0",
    "SSD 300 / MobileNet": "19.3",
    "Faster-RCNN 300 / VGG": "22.9",
    "Faster-RCNN 300 / Inception V2": "15.4",
    "Faster-RCNN 300 / MobileNet": "16.4",
    "Faster-RCNN 600 / VGG": "25.7",
    "Faster-RCNN 600 / Inception V2": "21.9",
    "Faster-RCNN 600 / MobileNet": "19.8",
}

# torchvision 0.28.0, each weights' meta: builder -> (dataset, accuracy, num_params,
# GFLOPS, the built-in model that is its layout, the input side torchvision evaluates at).
TORCHVISION = {
    "ssdlite320_mobilenet_v3_large": (
        "coco",
        "21.3",
        3_440_060,
        "0.583",
        "ssdlite320-mobilenet-v3-large",
        320,
    ),
    "ssd300_vgg16": ("coco", "25.1", 35_641_826, "34.858", "ssd300-vgg16", 300),
    "lraspp_mobilenet_v3_large": (
        "coco_voc",
        "57.9",
        3_221_538,
        "2.086",
        "lraspp-mobilenet-v3-large",
        520,
    ),
    "deeplabv3_mobilenet_v3_large": (
        "coco_voc",
        "60.3",
        11_029_328,
        "10.452",
        "deeplabv3-mobilenet-v3-large",
        520,
    ),
}

# Sandler et al. 2018, arXiv:1801.04381, Table 6: row (labels as mncost files them; the
# paper prints "MNet V1 + SSDLite", "MNet V2 + SSDLite", "SSD300") -> mAP (%), as printed.
V2_TABLE6_MAP = {
    "MobileNet V1 + SSDLite": "22.2",
    "MobileNet V2 + SSDLite": "22.1",
    "SSD300 (VGG)": "23.2",
}
V2_COUNTED = {
    "MobileNet V1 + SSDLite": "ssdlite320-mobilenet-v1",
    "MobileNet V2 + SSDLite": "ssdlite320-mobilenet-v2",
}

DETECTORS = {"detection", "segmentation"}


def _coco() -> dict[str, object]:
    return {p.label: p for p in published_points(dataset="coco")}


# --- the figures are the sources' -----------------------------------------------------


def test_table13_map_is_the_papers_and_is_read_from_its_cells():
    every = {p.label: p for p in published_points(source="paper", dataset="coco")}
    points = {label: p for label, p in every.items() if label in TABLE13_MAP}
    assert {label: str(p.box_map) for label, p in every.items()} == TABLE13_MAP | V2_TABLE6_MAP
    # Not retyped: each figure is the packaged cell of Table 13 (paper_tables.csv).
    cells = {c.row: c.value for c in paper_cells(["Table 13"]) if c.quantity == "accuracy"}
    assert {label: p.box_map for label, p in points.items()} == cells
    for p in points.values():
        assert p.citation == "Howard et al. 2017, arXiv:1704.04861, Table 13"
        assert p.top1 is None and p.top5 is None and p.miou is None
        assert p.metric.name == "mAP" and p.accuracy == p.box_map


def test_v2_table6_map_is_the_papers_and_cites_it():
    points = {p.label: p for p in published_points(source="paper", dataset="coco")}
    cells = {c.row: c.value for c in published_cells(["V2 Table 6"]) if c.quantity == "accuracy"}
    assert {label: str(v) for label, v in cells.items()} == V2_TABLE6_MAP
    for label, value in V2_TABLE6_MAP.items():
        p = points[label]
        assert p.box_map == Decimal(value) and p.top1 is None and p.dataset == "coco"
        assert p.citation == "Sandler et al. 2018, arXiv:1801.04381, Table 6"
        assert p.tables == "V2 paper Table 6"
    # The SSDLite rows are counted as the paper ran them: 320 x 320 (its Section 6.2).
    for label, model in V2_COUNTED.items():
        p = points[label]
        assert (p.model, p.resolution, p.computed is not None) == (model, 320, True)
    assert points["SSD300 (VGG)"].computed is None
    assert "Liu et al. 2016" in points["SSD300 (VGG)"].not_computed


def test_torchvision_figures_are_its_documented_ones():
    points = {
        p.label: p
        for d in ("coco", "coco_voc")
        for p in published_points(source="checkpoints", dataset=d)
    }
    assert set(points) == set(TORCHVISION)
    for builder, (dataset, accuracy, params, gflops, model, side) in TORCHVISION.items():
        p = points[builder]
        assert p.dataset == dataset and p.model == model and p.resolution == side
        assert p.accuracy == Decimal(accuracy)
        assert (p.box_map, p.miou) == (
            (Decimal(accuracy), None) if dataset == "coco" else (None, Decimal(accuracy))
        )
        assert p.top1 is None
        # Published costs in millions, the printed digits kept.
        assert p.mult_adds_m == Decimal(gflops) * 1000
        assert p.params_m * 10**6 == params
        # What is shown cites torchvision's documentation of these weights.
        assert p.citation.startswith("torchvision 0.28 documentation, ")
        assert "pytorch.org/vision" in p.citation and "Weights." in p.citation
        assert p.tables == "torchvision docs"
        assert ".csv" not in p.citation and ".txt" not in p.citation


def test_segmentation_miou_is_its_own_dataset():
    voc = published_points(dataset="coco_voc")
    assert {p.label for p in voc} == {"lraspp_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large"}
    assert all(p.miou is not None and p.box_map is None and p.top1 is None for p in voc)
    assert not any(p.dataset == "coco_voc" for p in published_points(dataset="coco"))


def test_no_published_point_outside_imagenet_and_dogs_has_a_top1():
    everything = published_points(dataset="all")
    assert {p.dataset for p in everything} == {"imagenet", "stanford_dogs", "coco", "coco_voc"}
    for p in everything:
        assert (p.top1 is not None) <= (p.dataset in TOP1_DATASETS), p.label
        assert (p.box_map is not None) <= (p.dataset == "coco"), p.label
    # By default (no dataset) the listing is the top-1 datasets', as before.
    assert {p.dataset for p in published_points()} == set(TOP1_DATASETS)


# --- mncost's count beside them: the mapping to built-in layouts ----------------------


def test_counted_rows_are_their_built_in_layouts():
    points = _coco()
    # Table 13's SSD 300 / MobileNet is ssd300-mobilenet-v1 at 300 (91 class slots).
    ssd = points["SSD 300 / MobileNet"]
    exact = mncost.cost("ssd300-mobilenet-v1", resolution=300).total
    assert (ssd.model, ssd.resolution) == ("ssd300-mobilenet-v1", 300)
    assert (ssd.computed.mult_adds, ssd.computed.params) == (exact.mult_adds, exact.params)
    # The paper's 1.2 B and 6.8 M are printed figures; 1.2 B admits 1.15 B to 1.25 B.
    assert (ssd.mult_adds_m, ssd.params_m) == (Decimal("1.2E+3"), Decimal("6.8"))
    assert within_rounding(ssd.mult_adds_m, exact.mult_adds)
    assert not within_rounding(ssd.mult_adds_m, 1_250_000_001)
    for builder, (dataset, _, params, gflops, model, side) in TORCHVISION.items():
        p = {q.label: q for q in published_points(dataset=dataset)}[builder]
        exact = mncost.cost(model, resolution=side).total
        assert (p.computed.mult_adds, p.computed.params) == (exact.mult_adds, exact.params)
        # Independently: torchvision's GFLOPS (MACs, to 3 decimals) is mncost's count...
        assert abs(Fraction(exact.mult_adds, 10**9) - Fraction(gflops)) <= Fraction(1, 2000)
        # ... and its num_params is mncost's with batch norm's gamma and beta, as the
        # rows' note says.
        assert mncost.cost(model, resolution=side, bn="affine").total.params == params


def test_rows_mncost_cannot_count_say_why():
    for label, p in _coco().items():
        if label in ("SSD 300 / MobileNet", *V2_COUNTED) or p.source == "checkpoints":
            assert p.computed is not None, label
            continue
        assert p.computed is None and p.model is None, label
        reproduce = "mncost reproduce v2-6" if label in V2_TABLE6_MAP else "mncost reproduce 13"
        assert reproduce in p.not_computed, label


def test_published_coco_lists_map_with_mncost_beside_it():
    result = run_cli("published", "--dataset", "coco")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Published results (14)" in out  # Table 13's 9, V2 Table 6's 3, torchvision's 2
    header = next(line for line in out.splitlines() if line.startswith("Model"))
    assert "mAP %" in header and "Top-1" not in header
    for label, value in (TABLE13_MAP | V2_TABLE6_MAP).items():
        line = next(line for line in out.splitlines() if line.startswith(label + " "))
        assert f" {value} " in line
    assert "No mncost count for" in out and "torchvision docs = torchvision 0.28" in out

    rows = {
        row["model"]: row
        for row in json.loads(run_cli("published", "--dataset", "coco", "-f", "json").stdout)
    }
    ssd = rows["SSD 300 / MobileNet"]
    assert ssd["box_map_text"] == "19.3" and ssd["top1_percent"] is None
    assert ssd["counted_as"] == "ssd300-mobilenet-v1"
    assert (
        ssd["mncost"]["mult_adds"]
        == mncost.cost("ssd300-mobilenet-v1", resolution=300).total.mult_adds
    )
    assert ssd["published"]["million_mult_adds"] == 1200  # the paper's 1.2 billion
    lite = rows["ssdlite320_mobilenet_v3_large"]
    assert lite["box_map_percent"] == 21.3
    assert (
        lite["mncost"]["mult_adds"]
        == mncost.cost("ssdlite320-mobilenet-v3-large", resolution=320).total.mult_adds
    )
    assert rows["Faster-RCNN 300 / MobileNet"]["mncost"] is None
    assert rows["Faster-RCNN 300 / MobileNet"]["mncost_missing"]

    csv = run_cli("published", "--dataset", "coco", "-f", "csv").stdout
    assert "box_map_percent" in csv.splitlines()[0] and "E+" not in csv


def test_the_default_listing_has_no_detector():
    out = run_cli("published").stdout
    assert "Published results (82)" in out
    assert "COCO" not in out and "mAP" not in out and "SSD" not in out


# --- the Pareto figure: mAP on its own axis -------------------------------------------


def test_imagenet_pareto_has_no_detector_point():
    every = published_points(dataset="all")
    for points in (published_points(dataset="imagenet"), every):
        data = pareto_data(points, "imagenet")
        assert data.points and all(p.point.dataset == "imagenet" for p in data.points)
        assert not any(p.point.model and "ssd" in p.point.model for p in data.points)
        assert all(p.point.top1 is not None for p in data.points)
    fig = as_plotly(pareto_figure(pareto_data(every, "imagenet")))
    assert fig.layout.yaxis.title.text == "Top-1 accuracy on ImageNet (%)"


def test_coco_figure_plots_map_against_macs():
    data = pareto_data(published_points(dataset="all"), "coco")
    assert len(data.points) == 9 + 3 + 2 and {p.point.dataset for p in data.points} == {"coco"}
    assert {float(p.y) for p in data.points} == {
        float(v) for v in [*TABLE13_MAP.values(), *V2_TABLE6_MAP.values(), "21.3", "25.1"]
    }
    fig = as_plotly(pareto_figure(data, titled=True))
    y_title = fig.layout.yaxis.title.text
    assert y_title == "COCO mAP (%)" and "top-1" not in y_title.lower()
    title, _ = pareto_title(data)
    assert title == "COCO mAP vs mult-adds"
    # Every COCO point is named by its source's name, on the plot.
    named = {a.text for a in fig.layout.annotations if a.name in ("frontier", "named")}
    detectors = {b for b, (dataset, *_) in TORCHVISION.items() if dataset == "coco"}
    assert set(TABLE13_MAP) | set(V2_TABLE6_MAP) | detectors <= named
    voc = as_plotly(pareto_figure(pareto_data(published_points(dataset="coco_voc"), "coco_voc")))
    assert voc.layout.yaxis.title.text == "COCO-VOC mIoU (%)"


def test_coco_highlight_takes_the_map_of_the_same_configuration():
    points = published_points(dataset="coco")
    h = resolve_highlight(parse_highlight("ssdlite320-mobilenet-v3-large@1.0/320"), points)
    assert h.accuracy == Fraction("21.3") and h.accuracy_from.label == (
        "ssdlite320_mobilenet_v3_large"
    )
    # A classifier has no COCO mAP: a dotted line, not a star at someone's top-1.
    assert resolve_highlight(parse_highlight("0.75/160"), points).accuracy is None


def test_plot_pareto_coco_writes_its_own_figure(tmp_path):
    out = tmp_path / "coco.html"
    result = run_cli("plot", "pareto", "--dataset", "coco", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "14 published points" in result.stderr
    assert "Pareto frontier: COCO mAP vs mult-adds" in result.stdout
    assert "mAP %" in result.stdout and "Top-1" not in result.stdout
    page = out.read_text(encoding="utf-8")
    assert "COCO mAP (%)" in page and "minival" in page and "test-dev" in page
    assert "Sandler et al. 2018, arXiv:1801.04381, Table 6" in page


# --- choose ranks by ImageNet top-1: a detector has none ------------------------------


def test_choose_shows_no_top1_for_a_detector():
    args = ("choose", "--model", "ssdlite320-mobilenet-v3-large", "--objective", "macs")
    result = run_cli(*args, "--max-macs", "1G", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["candidates"] and all(c["top1"] is None for c in data["candidates"])
    assert "detection model" in data["no_top1_tasks"][0]
    text = run_cli(*args, "--max-macs", "1G").stdout
    assert "COCO mAP" in text and "not an ImageNet top-1" in text


@pytest.mark.parametrize(
    ("models", "words"),
    [
        (("ssdlite320-mobilenet-v3-large",), ("detection model", "COCO mAP (21.3%")),
        (("ssd300-mobilenet-v1",), ("detection model", "COCO mAP (19.3%, paper Table 13")),
        (("lraspp-mobilenet-v3-large",), ("segmentation model", "COCO-VOC mIoU")),
        (("ssdlite320-mobilenet-v2",), ("detection model", "COCO mAP (22.1%, V2 paper Table 6")),
    ],
)
def test_choose_by_top1_with_only_detectors_says_why(models, words):
    args = [a for m in models for a in ("--model", m)]
    result = run_cli("choose", *args, "--objective", "top1", "--alpha", "1", "--res", "320")
    assert result.exit_code == 2
    assert "no top-1 to rank by" in result.stderr
    for word in words:
        assert word in result.stderr


# Sandler et al. 2018, arXiv:1801.04381, Table 6, column CPU: "the running time is
# reported for the large core of the Google Pixel 1 phone, using an internal version of
# the TF-Lite engine": MNet V1 + SSDLite 270ms, MNet V2 + SSDLite 200ms.
V2_TABLE6_CPU_MS = {"MobileNet V1 + SSDLite": 270, "MobileNet V2 + SSDLite": 200}


def test_v2_table6_pixel1_times_are_measurements_that_latency_shows_first():
    rows = {
        row["model"]: row
        for row in json.loads(run_cli("published", "--dataset", "coco", "-f", "json").stdout)
    }
    for label, ms in V2_TABLE6_CPU_MS.items():
        assert rows[label]["published"]["pixel1_latency_ms"] == ms
        assert rows[label]["published"]["latencies_ms"] == {"Pixel 1": ms}
    assert rows["SSD300 (VGG)"]["published"]["pixel1_latency_ms"] is None
    out = run_cli("latency", "ssdlite320-mobilenet-v2", "--device", "pixel1-cpu").stdout
    flat = " ".join(out.split())
    assert "(measured 200.00 ms, estimated" in flat
    assert "published: Sandler et al. 2018, arXiv:1801.04381, Table 6" in flat
    # Only the configuration timed: at another width the figure is an estimate.
    other = run_cli("latency", "ssdlite320-mobilenet-v2", "--device", "pixel1-cpu", "-a", "0.5")
    assert "(an estimate)" in other.stdout.splitlines()[0]
