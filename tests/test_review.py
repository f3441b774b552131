"""`mncost report`: the design-review page as HTML and Markdown, and its bad inputs.

Figures expected here come from the independent formula engine of
tests/test_core_numbers.py and the published tables as printed. The page as a browser
shows it is checked in tests/test_browser.py; the page's order, footer, "same task" and
"nearest published models" rules in tests/test_review_page.py.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import pytest

import mncost
from mncost.analysis.review import review_data
from mncost.present.views.review import plain, review_html, review_markdown, review_page
from tests.conftest import SCRIPT_NAME, XSS_SPEC, needs_images, run_cli
from tests.oracle import table1_count


def build_review(result, source, audit=False):
    """The page as `mncost report` builds it: the analysis works it out, the view lays it out."""
    return review_page(review_data(result, source, audit=audit))


SECTIONS = [
    "Summary",
    "Against the nearest published models",
    "Among published results (Pareto plot)",
    "By layer type",
    "Per-layer cost",
]
APPENDIX = "Appendix: reproduction of the paper's cost figures"


@pytest.fixture(scope="module")
def review_075_160():
    return build_review(mncost.cost(alpha="0.75", resolution=160), "built-in model")


def _section(review, title):
    return next(s for s in review.sections if s.title == title)


def test_sections_in_order(review_075_160):
    assert [s.title for s in review_075_160.sections] == SECTIONS


def _v1_config(label):
    """(alpha, resolution) of a MobileNet v1 row's label, paper's or TF-slim's, else None."""
    import re

    found = re.fullmatch(r"(\d\.\d+) MobileNet-(\d+)", label) or re.fullmatch(
        r"MobileNet_v1_(\d\.\d+)_(\d+)", label
    )
    return (Fraction(found[1]), int(found[2])) if found else None


def _cells(table, row):
    return {column.header: value for column, value in zip(table.columns, row, strict=True)}


def test_ratios_against_mobilenet_v1_rows_are_the_formulas_ratios():
    # Each MobileNet v1 row near 0.75 MobileNet-192 (1.0 MobileNet-160, 290 M, at least)
    # has as ratios this configuration's counts / that row's, by the formula.
    review = build_review(mncost.cost(alpha="0.75", resolution=192), "built-in model")
    table = _section(review, "Against the nearest published models").tables[0]
    this = table1_count(Fraction(3, 4), 192)
    checked = 0
    for row in table.rows:
        config = _v1_config(row[0])
        if config is None:
            continue
        that = table1_count(*config)
        cells = _cells(table, row)
        assert cells["MACs ratio"] == Fraction(this[0], that[0])
        assert cells["Params ratio"] == Fraction(this[1], that[1])
        checked += 1
    assert checked >= 1


def test_ratios_count_the_paper_model_under_the_same_conventions():
    review = build_review(mncost.cost(alpha="0.75", resolution=224, bn="all"), "built-in")
    table = _section(review, "Against the nearest published models").tables[0]
    rows = {row[0]: _cells(table, row) for row in table.rows}
    # bn=all adds 4 params per output channel. At alpha 1 the 27 convs have 10,944 output
    # channels (tests/test_core_numbers.py): 4,210,088 + 43,776 = 4,253,864, at any
    # resolution. At 0.75 every count is 3/4 of that: 8,208 channels -> 2,569,144 +
    # 32,832 = 2,601,976. 1.0 MobileNet-160 (290 M) is among the nearest of 0.75/224 (325 M).
    assert rows["1.0 MobileNet-160"]["Params ratio"] == Fraction(2_601_976, 4_253_864)


def test_the_summary_states_this_configurations_published_accuracy(review_075_160):
    rows = dict(_section(review_075_160, "Summary").tables[0].rows)
    # No paper row for 0.75/160; the float checkpoint prints 65.3 (checkpoints.csv).
    assert rows["Published top-1 (ImageNet)"].startswith("65.3% (MobileNet_v1_0.75_160")
    assert rows["Mult-adds"].startswith(f"{table1_count(Fraction(3, 4), 160)[0]:,} MACs")


def test_pareto_marks_this_configuration_with_the_published_accuracy(review_075_160):
    section = _section(review_075_160, "Among published results (Pareto plot)")
    intro = plain(section.intro)
    assert "65.3%" in intro and "MobileNet_v1_0.75_160" in intro


def test_no_appendix_unless_asked(review_075_160):
    assert all(
        "Reproduction" not in s.title and "Appendix" not in s.title for s in review_075_160.sections
    )


def test_appendix_has_every_table_and_a_total():
    review = build_review(mncost.cost(), "built-in model", audit=True)
    assert review.sections[-1].title == APPENDIX
    table = review.sections[-1].tables[0]
    assert table.footer[0][0] == "All"
    assert table.footer[0][1] == sum(row[1] for row in table.rows)
    assert "Table 6" in [row[0] for row in table.rows]


def test_appendix_survives_a_missing_engine(monkeypatch):
    monkeypatch.setitem(sys.modules, "mncost.analysis.reproduce", None)
    review = build_review(mncost.cost(), "built-in model", audit=True)
    assert "Reproduction summary unavailable" in plain(review.sections[-1].notes[0])


def test_html_is_one_offline_file_with_plotly_inlined_once(review_075_160):
    from plotly.offline import get_plotlyjs

    page = review_html(review_075_160)
    assert page.count(get_plotlyjs()[:2000]) == 1  # two charts, one copy of plotly.js
    assert page.count("Plotly.newPlot(") == 2
    assert "<script src=" not in page and "<link" not in page
    for title in SECTIONS:
        assert title.replace("'", "&#x27;") in page
    assert "166,396,800" in page  # 0.75 MobileNet-160 total, the formula's count


def test_markdown_without_images_says_why(review_075_160):
    text = review_markdown(review_075_160, {}, "no Chromium here")
    assert text.startswith("# Design review: mobilenet-v1")
    for title in SECTIONS:
        assert f"# {title}" in text
    assert text.count("Chart left out") == 2 and "no Chromium here" in text
    assert "| conv\\_0 |" in text or "| conv_0 |" in text


def test_markdown_links_images(review_075_160):
    text = review_markdown(
        review_075_160, {"by_type": "my review-by-type.png", "pareto": "my review-pareto.png"}
    )
    assert "![Share of the cost by layer type](my%20review-by-type.png)" in text
    assert "Chart left out" not in text


# --- the command ----------------------------------------------------------------------


def test_report_html_from_a_spec_escapes_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.yaml").write_text(XSS_SPEC)
    result = run_cli("report", "--spec", "net.yaml", "-o", "net.html")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "net.html").read_text(encoding="utf-8")
    assert SCRIPT_NAME not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/" in page  # the renderer may allow a break after "/"
    assert "spec file net.yaml" in page


def test_report_markdown_from_a_spec_escapes_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.yaml").write_text(XSS_SPEC)
    result = run_cli("report", "--spec", "net.yaml", "-o", "net.md", "--no-images")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "net.md").read_text(encoding="utf-8")
    assert SCRIPT_NAME not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "fc\\|\\*x\\*" in text  # a pipe would break the table row
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.md", "net.yaml"]
    assert result.stderr.count("warning") == 0  # --no-images: no charts, as asked


def test_report_default_is_review_html_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("report", "--alpha", "0.5", "--res", "128")
    assert result.exit_code == 0
    assert str(tmp_path / "review.html") in result.stderr
    # 0.5 MobileNet-128 by the independent formula.
    assert f"{table1_count(Fraction(1, 2), 128)[0]:,}" in (tmp_path / "review.html").read_text(
        encoding="utf-8"
    )


def test_report_audit_flag_adds_the_appendix_last(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("report", "-o", "plain.md", "--no-images").exit_code == 0
    assert run_cli("report", "-o", "audit.md", "--no-images", "--audit").exit_code == 0
    plain_text = (tmp_path / "plain.md").read_text(encoding="utf-8")
    audit_text = (tmp_path / "audit.md").read_text(encoding="utf-8")
    assert "Appendix" not in plain_text and "Reproduction" not in plain_text
    headings = [line for line in audit_text.splitlines() if line.startswith("## ")]
    assert headings[-1] == "## " + APPENDIX


@needs_images
def test_report_markdown_writes_png_charts_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("report", "-a", "0.75", "-r", "160", "-o", "review.md")
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    text = (tmp_path / "review.md").read_text(encoding="utf-8")
    for name in ("review-by-type.png", "review-pareto.png"):
        assert f"]({name})" in text
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    # A PNG cannot be hovered: the Markdown never says to.
    assert "hover a point" not in text.lower()


def test_report_markdown_without_kaleido_warns_and_leaves_charts_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "kaleido", None)
    result = run_cli("report", "-o", "review.md")
    assert result.exit_code == 0
    text = (tmp_path / "review.md").read_text(encoding="utf-8")
    # Three charts: the memory profile, the Pareto plot, the by-type bars.
    assert text.count("Chart left out") == 3 and "`pip install kaleido`" in text
    assert "\\`" not in text  # the reason's commands are code spans, not escaped ticks
    assert [p.name for p in tmp_path.iterdir()] == ["review.md"]
    # One warning line on stderr, after the line saying where the page went.
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("wrote ") and "review.md" in lines[0]
    assert lines[1].startswith("cli report: warning: review.md has no charts: ")
    assert "pip install kaleido" in lines[1]


def test_report_in_every_format_of_the_format_table(tmp_path, monkeypatch):
    # The review is one report in parts: HTML and Markdown lay it out, the other formats
    # give its tables. 0.5 MobileNet-128's first conv, 3x3x3x16 on a 64x64 output:
    # 3*3*3*16*64*64 = 1,769,472 MACs and 3*3*3*16 = 432 params.
    monkeypatch.chdir(tmp_path)
    for name in ("r.txt", "r.csv", "r.json"):
        result = run_cli("report", "-a", "0.5", "-r", "128", "-o", name)
        assert result.exit_code == 0, result.stderr
    text = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert text.startswith("Design review: mobilenet-v1  alpha=0.5  128x128")
    assert "Per-layer cost" in text and "Made with mncost" in text
    rows = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("name,") and rows[1].startswith("conv_0,") and len(rows) > 20
    assert ",1769472,432," in rows[1]
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {"Summary", "By layer type", "Per-layer cost"} <= set(data)
    first = data["Per-layer cost"][0]
    assert first["name"] == "conv_0" and first["mult_adds"] == 1_769_472
    # --format wins over the ending; '-' is standard output.
    result = run_cli("report", "-a", "0.5", "-r", "128", "-f", "markdown", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("# Design review: mobilenet-v1")


@pytest.mark.parametrize(
    "args, words",
    [
        (["-o", "review.pdf"], "use one of .txt, .csv, .json, .md, .markdown, .html"),
        (
            ["-o", "review"],
            "no file ending; use one of .txt .csv .json .md .html, or give --format",
        ),
        (["-f", "pdf"], "'pdf' is not one of"),
        (["-o", "missing/review.html"], "does not exist"),
        (["--alpha", "0"], "alpha must be greater than 0"),
        (["resnet"], "unknown model 'resnet'"),
        (["--spec", "nope.yaml"], "nope.yaml"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("report", *args)
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
