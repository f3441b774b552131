"""A caution on the report page reads as a sentence (issue 16 §5): labelled, and ended
with a full stop, as every other output gives it."""

from __future__ import annotations

import re

from tests.conftest import run_cli


def test_the_report_pages_latency_caution_is_a_labelled_sentence(tmp_path):
    # ResNet-18 is not a MobileNet v2, the only family pixel1-cpu was fitted on: its
    # latency estimate carries a caution.
    page = tmp_path / "rep.html"
    assert run_cli("report", "resnet-18", "-o", str(page)).exit_code == 0
    notes = re.findall(r'<p class="note">(.*?)</p>', page.read_text(), re.DOTALL)
    cautions = [n for n in notes if "crosses families" in n]
    assert cautions
    for note in cautions:
        assert note.startswith("Caution (latency): ") and note.endswith(".")
