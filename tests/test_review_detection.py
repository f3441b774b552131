"""`mncost report` on a detector: compared with the published COCO results of its task,
scored by mAP (never by an ImageNet top-1), and its latency measured where the device's
time is published.

Independent figures: Sandler et al. 2018, arXiv:1801.04381, Section 6.2 and Table 6:
MNet V2 + SSDLite at 320 x 320, 22.1 mAP on COCO, 200 ms on the large core of a Pixel 1
(TF-Lite); MNet V1 + SSDLite 22.2, 270 ms. Howard et al. 2017, arXiv:1704.04861, Table
13: SSD 300 / MobileNet 19.3 mAP.
"""

from __future__ import annotations

import json

from tests.conftest import run_cli


def _report(tmp_path, *args: str) -> str:
    out = tmp_path / "review.md"
    result = run_cli("report", *args, "--no-images", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return " ".join(out.read_text(encoding="utf-8").split())


def test_a_detector_is_compared_with_coco_results_by_map(tmp_path):
    page = _report(tmp_path, "ssdlite320-mobilenet-v2")
    assert "| Published mAP (COCO) | 22.1% (MobileNet V2 + SSDLite, V2 paper Table 6) |" in page
    assert "published COCO results of the same task: object detection scored by mAP" in page
    assert "| 91 class slots (a detection model: no classifier) |" in page
    assert "| Model | Source | Input | mAP % |" in page and "Top-1" not in page
    # The nearest published detectors, with their mAP as printed.
    assert "| MobileNet V1 + SSDLite | V2 paper Table 6 | 320x320 | 22.2 | 1300 |" in page
    assert "| SSD 300 / MobileNet | paper Table 13 | 300x300 | 19.3 | 1200 |" in page
    assert "its published mAP is 22.1% (MobileNet V2 + SSDLite, V2 paper Table 6)" in page


def test_a_detectors_published_time_comes_before_the_estimate(tmp_path):
    page = _report(tmp_path, "ssdlite320-mobilenet-v2")
    measured = "| Latency on pixel1-cpu (measured) | 200.0 ms in float32 (MobileNet V2 + SSDLite;"
    assert measured in page and "Sandler et al. 2018, arXiv:1801.04381, Table 6" in page
    estimate = page.index("| Latency on pixel1-cpu (an estimate) |")
    assert page.index(measured) < estimate
    assert "against the measurement" in page[estimate : estimate + 200]
    # Where nothing was timed the estimate stands alone.
    other = _report(tmp_path, "ssdlite320-mobilenet-v2", "-a", "0.5")
    assert "(measured)" not in other and "| Latency on pixel1-cpu (an estimate) |" in other


def test_a_classifier_is_never_compared_with_detectors(tmp_path):
    # A spec with 91 classes at 300 pixels is a classifier: COCO's 91 class slots are not
    # its classes, and a spec's name proves nothing.
    spec = tmp_path / "c91.json"
    spec.write_text(
        json.dumps(
            {
                "name": "ssdlite320-mobilenet-v2",
                "resolution": 300,
                "classes": 91,
                "layers": [
                    {"kind": "conv", "name": "c", "kernel": 3, "stride": 2, "filters": 8},
                    {"kind": "avgpool", "name": "pool"},
                    {"kind": "fc", "name": "fc"},
                ],
            }
        ),
        encoding="utf-8",
    )
    page = _report(tmp_path, "--spec", str(spec))
    assert "COCO" not in page.split("mncost holds published results for")[0]
    assert "mAP" not in page
