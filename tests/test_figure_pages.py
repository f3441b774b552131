"""Every page is a report the format table renders (issue 20, item 4).

A figure page (``plot``, ``memory``, ``latency``, ``sweep`` and ``choose`` as HTML) is a
report in parts; the HTML renderer lays it out, and any other renderer takes the same
report. A view asks the format table for a layout and for whether a format draws charts,
never for a format by name.
"""

from __future__ import annotations

import json

from mncost.present.export import figures_page, figures_report
from mncost.present.formats import CHARTED, EXTENSIONS, LAYOUTS, REPORT_FORMATS
from mncost.present.model import Column, Table
from mncost.present.plotly_data import Figure
from mncost.present.render import render
from tests.conftest import run_cli

FIG = Figure([{"type": "scatter", "x": [1, 2], "y": [3, 4]}], {"title": {"text": "t"}})
TABLE = Table(title="Numbers", columns=[Column("n", "right")], rows=[[12345]])


def test_every_report_format_has_a_layout_and_charted_ones_are_report_formats():
    assert set(LAYOUTS) == set(REPORT_FORMATS)
    assert CHARTED <= set(REPORT_FORMATS)
    assert all(fmt in EXTENSIONS.values() for fmt in REPORT_FORMATS)


def test_a_figure_page_in_html_is_the_report_rendered():
    report = figures_report({"plot": FIG}, "T", "see `mncost plot`", ["a note"], [TABLE])
    page = render(report, "html")
    assert page == figures_page({"plot": FIG}, "T", "see `mncost plot`", ["a note"], [TABLE])
    # The intro (its backticks as code), the chart's div named by its key, the table,
    # then the note, in that order; no section of its own (a table keeps its title).
    order = [
        '<p class="caption">see <code>mncost plot</code></p>',
        '<div id="plot"',
        '<td class="r">12,345</td>',
        '<p class="note">a note</p>',
    ]
    at = [page.index(mark) for mark in order]
    assert at == sorted(at)
    assert page.count("<h1>") == 1 and "<section>" not in page


def test_the_same_figure_page_renders_in_every_other_format():
    report = figures_report({"plot": FIG}, "T", "intro", ["a note"], [TABLE])
    markdown = render(report, "markdown")
    assert markdown.startswith("# T\n\nintro\n")
    assert "Chart left out" in markdown and "12,345" in markdown and "> a note" in markdown
    assert "12,345" in render(report, "table")
    assert "12345" in render(report, "csv")
    assert json.loads(render(report, "json"))  # strict JSON of the tables


def test_a_charted_format_gets_the_heatmap_the_others_only_the_tables(tmp_path):
    page = tmp_path / "choose.html"
    done = run_cli("choose", "--model", "mobilenet-v2", "--max-macs", "300M", "-o", str(page))
    assert done.exit_code == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert '<div id="heatmap-0"' in html and "Hover a cell" in html
    text = run_cli(
        "choose", "--model", "mobilenet-v2", "--max-macs", "300M", "-f", "markdown"
    ).stdout
    assert "heatmap" not in text.lower() and "Hover a cell" not in text
