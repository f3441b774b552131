"""Text in outputs: hostile names, narrow encodings, spreadsheets (issue 7: 15-18).

The spec loader refuses control characters in names, so the renderers are tested here
on reports built in Python (an Architecture made with ``model_construct``, which skips
validation, or a hand-made Report): whatever reaches a renderer, no control character
reaches the output raw. Encodings are tested on the real console script in a
subprocess, as a Latin-1 or ASCII locale would run it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess

import pytest

import mncost
from mncost.arch.ops import (
    Architecture,
    AvgPool,
    Conv,
    DepthwiseConv,
    FullyConnected,
    PointwiseConv,
    Softmax,
)
from mncost.present.model import Column, Report, Table
from mncost.present.render import csv_safe, render
from mncost.present.terminal import compose, render_terminal
from mncost.present.views.cost_table import cost_report
from tests.conftest import run_cli

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;T\x07"
LINK = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
INJECT = "t\r# INJECTED"
BACKSPACE = "ab\b\bXY"
CSI_C1 = "\x9b31mred"
SEPARATOR = "a\u2028# b"
HOSTILE = [INJECT, CLEAR, LINK, TITLE, BACKSPACE, CSI_C1]

# Any control character but the newline that ends a line.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _hostile_result() -> mncost.CostResult:
    """A six-layer network whose every name is a terminal or Markdown attack."""
    layers = [
        Conv.model_construct(name=INJECT, kernel=3, stride=1, filters=8),
        DepthwiseConv.model_construct(name=CLEAR),
        PointwiseConv.model_construct(name=LINK, filters=16),
        AvgPool.model_construct(name=TITLE),
        FullyConnected.model_construct(name=BACKSPACE),
        Softmax.model_construct(name=CSI_C1),
    ]
    arch = Architecture.model_construct(
        name=SEPARATOR + TITLE, resolution=8, classes=4, layers=layers
    )
    return mncost.cost(arch)


def _hand_report() -> Report:
    """Hostile text in every place a report holds text."""
    table = Table(
        title=TITLE + "tbl",
        columns=[Column(CLEAR + "head"), Column("n", "right")],
        rows=[[INJECT, 1], [LINK, 2]],
        footer=[[BACKSPACE, 3]],
        caption="# caption\r# more" + CSI_C1,
    )
    return Report(title=SEPARATOR, tables=[table], notes=["- note" + TITLE, "1. x" + CLEAR])


@pytest.fixture(scope="module")
def cost_rep() -> Report:
    return cost_report(_hostile_result())


# -- 16: every renderer shows controls escaped ----------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html"])
@pytest.mark.parametrize("which", ["cost", "hand"])
def test_no_raw_control_reaches_any_format(fmt, which, cost_rep):
    report = cost_rep if which == "cost" else _hand_report()
    text = render(report, fmt)
    assert RAW.search(text) is None, repr(RAW.search(text))
    assert "x1b" in text and "x0d" in text  # shown, as escapes, not dropped


@pytest.mark.parametrize("which", ["cost", "hand"])
@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "ascii"])
def test_terminal_text_has_no_raw_control(which, encoding, cost_rep):
    report = cost_rep if which == "cost" else _hand_report()
    text = render_terminal(report, width=100, color=False, encoding=encoding)
    assert RAW.search(text) is None, repr(RAW.search(text))
    assert "\\x1b[2J" in text and "\\x0d# INJECTED" in text
    text.encode(encoding)  # raises if the fallback missed a character


def test_styled_terminal_text_keeps_only_its_own_escapes(cost_rep):
    # With colour, rich writes SGR sequences (ESC [ ... m) of its own; nothing else.
    text = render_terminal(cost_rep, width=100, color=True, encoding="utf-8")
    without_styles = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert RAW.search(without_styles) is None, repr(RAW.search(without_styles))
    for attack in HOSTILE:
        assert attack not in text


def test_html_escapes_controls_and_markup():
    report = _hand_report()
    report.tables[0].rows.append(["<script>alert(1)</script>", 4])
    page = render(report, "html")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "\\x1b]8;;http://evil.example/" in page


def test_json_escapes_controls_and_keeps_the_names_exactly(cost_rep):
    text = render(cost_rep, "json")
    assert RAW.search(text) is None, repr(RAW.search(text))
    names = [layer["name"] for layer in json.loads(text)["layers"]]
    assert names == [INJECT, CLEAR, LINK, TITLE, BACKSPACE, CSI_C1]
    assert json.loads(text)["model"] == SEPARATOR + TITLE


# -- 17: a CR in a name cannot add a Markdown heading or split a table ----------------


def _table_lines(markdown: str, heading: str) -> list[str]:
    lines = markdown.splitlines()
    start = lines.index(heading) + 2  # the heading, then a blank line
    end = lines.index("", start)
    return lines[start:end]


def test_markdown_keeps_one_line_per_row_and_no_injected_heading(cost_rep):
    markdown = render(cost_rep, "markdown")
    lines = markdown.splitlines()
    # The only headings are the report's title and its two tables' titles.
    headings = [line for line in lines if line.startswith("#")]
    assert len(headings) == 3 and headings[1:] == [
        "## Layers",
        "## By layer type (the paper's Table 2)",
    ]
    assert not any(re.match(r"\s*#", line) for line in lines if line not in headings)
    layers = _table_lines(markdown, "## Layers")
    # Header, rule, the six layers, the total.
    assert len(layers) == 2 + 6 + 1
    assert all(line.startswith("| ") and line.endswith(" |") for line in layers)
    assert "INJECTED" in layers[2]


def test_markdown_captions_and_notes_start_no_block():
    markdown = render(_hand_report(), "markdown")
    lines = markdown.splitlines()
    # Markdown escapes the backslash of "\x1b" and the "]": it renders as \x1b]0;T\x07.
    assert [line for line in lines if line.startswith("#")][1:] == [r"## \\x1b\]0;T\\x07tbl"]
    caption = next(line for line in lines if "caption" in line)
    assert caption.startswith("\\# caption")
    notes = [line for line in lines if line.startswith(">")]
    assert notes[0].startswith("> \\- note") and notes[1].startswith("> 1\\. x")


# -- 18: formula triggers after any separator ------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_SPEC = """\
name: sheet
resolution: 32
classes: 10
layers:
  - {kind: conv, name: "conv;=1+2", kernel: 3, stride: 1, filters: 16}
  - {kind: dw, name: "a,@SUM(1)", stride: 1}
  - {kind: pw, name: "x| +cmd", filters: 32}
  - {kind: avgpool, name: "-p;  -2"}
  - {kind: fc, name: "=fc"}
"""


def test_csv_cells_read_with_comma_or_semicolon_start_no_formula(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(CSV_SPEC)
    result = run_cli("table", "--spec", "s.yaml", "-o", "out.csv")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "out.csv").read_text()
    for delimiter in (",", ";"):
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert len(rows) == 1 + 5 + 1  # header, 5 layers, totals
        for row in rows:
            for cell in row:
                assert not cell.lstrip(" ").startswith(TRIGGERS), (delimiter, cell)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == [
        "conv;'=1+2",
        "a,'@SUM(1)",
        "x| '+cmd",
        "'-p;  '-2",
        "'=fc",
        "Total",
    ]
    # Numbers untouched: the 3x3 conv, 3 -> 16 channels on 32x32, stride 1:
    # 3*3*3*16 = 432 weights, each used 32*32 times.
    assert rows[0]["mult_adds"] == "442368" and rows[0]["params"] == "432"


@pytest.mark.parametrize(
    "cell,safe",
    [
        ("=1+2", "'=1+2"),
        ("conv;=1+2", "conv;'=1+2"),
        ("a, @x", "a, '@x"),
        ("a\t-1", "a\t'-1"),
        ("a|+b", "a|'+b"),
        ("  =x", "  '=x"),
        ("Mult-adds", "Mult-adds"),
        ("1/N + 1/D_K^2", "1/N + 1/D_K^2"),
        ("x=1", "x=1"),
    ],
)
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


def test_csv_safe_leaves_numbers_alone():
    assert csv_safe(-5) == -5 and csv_safe(-0.5) == -0.5
    table = Table(title="", columns=[Column("n"), Column("f")], rows=[[-5, -0.25]])
    assert render(Report(title="t", tables=[table]), "csv") == "n,f\n-5,-0.25\n"


# -- 15: a Latin-1 or ASCII stdout gets ASCII stand-ins, laid out before printing -----

MNCOST = shutil.which("mncost")


def _run(args: list[str], encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    return subprocess.run([MNCOST, *args], capture_output=True, env=env, timeout=120)


@pytest.mark.skipif(MNCOST is None, reason="the mncost console script is not installed")
@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
@pytest.mark.parametrize("args", [["table"], ["published"], ["reproduce", "7"]], ids=" ".join)
def test_narrow_encodings_print_every_table(args, encoding):
    result = _run(args, encoding)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stderr == b""
    text = result.stdout.decode(encoding)  # raises if a byte is not of the encoding
    assert len(text.splitlines()) > 10
    assert "─" not in text and re.search(r"^-{20,}$", text, re.M)


@pytest.mark.skipif(MNCOST is None, reason="the mncost console script is not installed")
def test_latin1_table_is_the_utf8_table_with_ascii_rules():
    utf8 = _run(["table"], "utf-8").stdout.decode("utf-8")
    latin = _run(["table"], "latin-1").stdout.decode("latin-1")
    assert "─" in utf8 and latin == utf8.replace("─", "-")


@pytest.mark.skipif(MNCOST is None, reason="the mncost console script is not installed")
@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_columns_stay_aligned_after_the_fallback(encoding):
    # Table 3's rows "α = 0.75" and "ρ = 0.714" become "alpha = 0.75" and "rho = 0.714",
    # four and two characters longer: the column after them must still line up.
    text = _run(["reproduce", "3"], encoding).stdout.decode(encoding)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Table ") and "Unit" in line)
    column = header.index("Unit")
    # The cell table's rows: from its header to the first blank line (the misprints table
    # further down also has rows that start "3  ").
    start = lines.index(header) + 2
    body = [line for line in lines[start : lines.index("", start)] if re.match(r"3 {2,}", line)]
    assert any("alpha = 0.75" in line for line in body)
    assert any("rho = 0.714" in line for line in body)
    assert body and all(line.index(" M ") + 1 == column for line in body)


def test_compose_falls_back_before_layout():
    table = Table(
        title="α", columns=[Column("Δ x"), Column("n", "right")], rows=[["α = 1", 1], ["b", 22]]
    )
    lines = [text for text, _ in compose(Report(title="ρ", tables=[table]), 80, "ascii")]
    assert lines[:3] == ["rho", "", "alpha"]
    header, rule, first, second = lines[3:7]
    assert set(rule) == {"-"} and len(rule) == len("alpha = 1") + 3 + 2
    # Every line of the grid puts the number column's right edge at the same place.
    assert len(header) == len(first) == len(second) == len(rule)
