"""The memory profile (`mncost memory -o memory.html|png|svg`): MCUNetV2's Figure 1
(Lin et al. 2021, arXiv:2110.15352) for any model.

The figure is checked as data: one step trace per schedule, the peak marked at the op
whose live bytes are the most (found here from the result's ops, and for MobileNetV2
from a hand derivation), the budget line at its height, the patch stage shaded, names
from a spec file shown as text. Then the command: an offline page with the chart and
the tables, images through kaleido (skipped without Chromium), --budget's errors. And
the drawn page in a headless Chromium (skipped without it or playwright): no console
error, no request, no label on another.
"""

from __future__ import annotations

import dataclasses
import json
import re
import struct
from pathlib import Path

import pytest

from mncost.arch.registry import get_model
from mncost.cost.execution import Execution
from mncost.cost.memory import count_memory
from mncost.present.memory_figure import memory_figure, memory_title
from tests.conftest import (
    SCRIPT_NAME,
    XSS_SPEC,
    chain_spec,
    needs_images,
    require_browser,
    run_cli,
)
from tests.plotly_view import as_plotly

KIB = 1024
PATCH_ARGS = [
    "mobilenet-v2",
    "--dtype",
    "int8",
    "--dw-inplace",
    "--add-inplace",
    "--schedule",
    "patch",
    "--split",
    "block_4",
    "--patches",
    "4x4",
    "--stream-input",
]
INT8_DW = Execution(dtype="int8", dw_inplace=True)
PATCHED = Execution(
    dtype="int8",
    dw_inplace=True,
    add_inplace=True,
    schedule="patch",
    split="block_4",
    patches=(4, 4),
    stream_input=True,
)


def _v2(execution: Execution):
    return count_memory(get_model("mobilenet-v2"), execution=execution)


def _traces(fig, kind):
    return [t for t in fig.data if (t.meta or {}).get("kind") == kind]


def _notes(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


def _shapes(fig, name):
    return [s for s in fig.layout.shapes if s.name == name]


def _texts(fig) -> list[str]:
    """Every text of the figure plotly shows: names, hovers, ticks, annotations."""
    out = [a.text for a in fig.layout.annotations]
    out += list(fig.layout.xaxis.ticktext or ())
    for t in fig.data:
        out.append(t.name or "")
        out += list(t.hovertext or ())
    return [t for t in out if t]


# --- the figure ------------------------------------------------------------------------


def test_one_step_trace_of_every_op_that_runs():
    r = _v2(INT8_DW)
    fig = as_plotly(memory_figure([("layer by layer", r)]))
    (line,) = _traces(fig, "memory")
    assert line.line.shape == "hv" and line.mode == "lines"
    ops = [op for op in r.layers if not op.aux]
    # Op k's step spans k - 0.5 to k + 0.5: one x per op, and one closing the last step.
    assert list(line.x) == [k - 0.5 for k in range(1, len(ops) + 2)]
    assert list(line.y) == [op.live_bytes / KIB for op in ops] + [ops[-1].live_bytes / KIB]
    assert fig.layout.yaxis.title.text == "Live activation memory, KiB (1,024 bytes)"
    # The hover marker sits at each step's middle and names its op with its exact bytes.
    (hover,) = _traces(fig, "hover")
    assert list(hover.x) == list(range(1, len(ops) + 1))
    k = next(i for i, op in enumerate(ops, start=1) if op.name == "block_3.add")
    text = hover.hovertext[k - 1]
    assert "block_3.add" in text and "(add, in block_3)" in text
    assert f"{ops[k - 1].live_bytes:,} bytes" in text
    assert fig.layout.showlegend is False  # one trace: nothing to tell apart


def _cycling(n: int):
    """A spec of n ops whose 1x1 convs cycle through 8, 16 and 24 channels (so runs of
    ops differ)."""
    from mncost.arch.load import parse_spec

    return parse_spec(chain_spec(n, widths=(8, 16, 24)))


def test_a_deep_model_is_drawn_in_runs_of_ops_at_their_most():
    # 5,000 ops: at most 2,000 steps, so 3 ops a step (ceil(5000 / 2000)); each step's
    # height is the most its 3 ops hold, found here from the result's own ops.
    r = count_memory(_cycling(5000), execution=INT8_DW)
    ops = [op for op in r.layers if not op.aux]
    assert len(ops) == 5000
    fig = as_plotly(memory_figure([("layer by layer", r)]))
    (line,) = _traces(fig, "memory")
    runs = [ops[k : k + 3] for k in range(0, 5000, 3)]
    assert len(runs) == 1667 and line.meta["ops_per_step"] == 3
    assert list(line.x) == [k + 0.5 for k in range(0, 5000, 3)] + [5000.5]
    heights = [max(op.live_bytes for op in run) / KIB for run in runs]
    assert list(line.y) == heights + heights[-1:]
    # The peak stays exact: its marker at its own op, at the highest step.
    (marker,) = _traces(fig, "peak")
    assert marker.y[0] == max(line.y) == r.peak.bytes / KIB
    assert ops[marker.x[0] - 1].name == r.peak.layer
    # One hover marker per step, naming its first and last op and the most it holds.
    (hover,) = _traces(fig, "hover")
    assert len(hover.x) == 1667 and hover.x[0] == 2.0
    first = hover.hovertext[0]
    assert first.startswith("<b>ops 1-3</b>: c0 to p1")  # c0, d0, p1
    top = max(runs[0], key=lambda op: op.live_bytes)
    assert f"({top.live_bytes:,} bytes) at {top.name}" in first
    assert "each step: 3 ops" in fig.layout.xaxis.title.text
    # 2,000 ops or fewer: op by op, as every other test here draws them.
    small = count_memory(_cycling(2000), execution=INT8_DW)
    (line,) = _traces(as_plotly(memory_figure([("layer by layer", small)])), "memory")
    assert len(line.x) == 2001 and "ops_per_step" not in line.meta


def test_the_peak_is_marked_at_the_op_holding_the_most():
    # MobileNetV2, int8, depthwise convs in place, layer by layer: MCUNetV2's 1,372 kB
    # (kB = 1,024 bytes). By hand: block 2's expansion reads block 1's 112x112x16 output
    # and writes 112x112x(16*6 = 96), one byte a value:
    #   112*112*16 = 200,704  +  112*112*96 = 1,204,224  =  1,404,928 bytes = 1,372.0 KiB.
    r = _v2(INT8_DW)
    fig = as_plotly(memory_figure([("layer by layer", r)]))
    ops = [op for op in r.layers if not op.aux]
    most = max(range(len(ops)), key=lambda i: (ops[i].live_bytes, -i))  # first on a tie
    assert ops[most].name == "block_2.expand"
    assert ops[most].live_bytes == 112 * 112 * 16 + 112 * 112 * 96 == 1_404_928
    (marker,) = _traces(fig, "peak")
    assert list(marker.x) == [most + 1] and list(marker.y) == [1_404_928 / KIB]
    (line,) = _traces(fig, "memory")
    assert line.meta["peak_op"] == most + 1
    (note,) = _notes(fig, "peak")
    assert "peak 1,372.0 KiB</b> at block_2.expand" in note.text
    assert (note.x, note.y) == (most + 1, 1372.0)
    assert "budget" not in note.text


def test_patch_based_overlays_layer_by_layer_and_shades_the_patch_stage():
    patched = _v2(PATCHED)
    layer = _v2(PATCHED.layer_by_layer())
    fig = as_plotly(
        memory_figure([("layer by layer", layer), ("patch-based 4x4, split block_4", patched)])
    )
    lines = _traces(fig, "memory")
    assert [t.name for t in lines] == ["layer by layer", "patch-based 4x4, split block_4"]
    assert fig.layout.showlegend is True
    # The anchor of tests/test_patch.py: 1,404,928 / 8 = 175,616 bytes = 171.5 KiB, at
    # block 5's expansion, the first op after the patch stage.
    markers = {m.meta["label"]: (m.x[0], m.y[0]) for m in _traces(fig, "peak")}
    ops = [op.name for op in patched.layers if not op.aux]
    assert markers["patch-based 4x4, split block_4"] == (ops.index("block_5.expand") + 1, 171.5)
    assert markers["layer by layer"] == (ops.index("block_2.expand") + 1, 1372.0)
    texts = " | ".join(n.text for n in _notes(fig, "peak"))
    assert "peak 171.5 KiB</b> at block_5.expand" in texts
    # The stage is ops 1-13: conv_0, block_1 (dw, project), block_2 and block_4
    # (expand, dw, project) and block_3 (expand, dw, project, add) = 1 + 2 + 3 + 4 + 3.
    (band,) = _shapes(fig, "patch stage")
    assert (band.x0, band.x1) == (0.5, 13.5) and ops[12] == "block_4.project"
    (label,) = _notes(fig, "patch stage")
    assert label.text.startswith("patch stage: ops 1-13, 4x4 patches")
    title, subtitle = memory_title([("layer by layer", layer), ("patch-based", patched)])
    assert title.startswith("Activation memory op by op: mobilenet-v2, alpha 1.0, 224x224, int8")
    assert "layer by layer vs patch-based" in title
    assert subtitle.startswith(
        "int8, depthwise convs in place, residual adds in place: layer by layer vs "
        "patch-based up to block_4 (4x4 patches, input streamed)"
    )


def test_the_budget_is_a_line_at_its_height_and_a_peak_over_it_says_so():
    patched = _v2(PATCHED)
    layer = _v2(PATCHED.layer_by_layer())
    fig = as_plotly(
        memory_figure([("layer by layer", layer), ("patch-based", patched)], budget=256 * KIB)
    )
    (line,) = _shapes(fig, "budget")
    assert line.y0 == line.y1 == 256.0 and line.line.dash == "dash"
    (label,) = _notes(fig, "budget")
    assert label.text == "budget 256.0 KiB"
    notes = {n.text.split(":")[0]: n.text for n in _notes(fig, "peak")}
    # 1,372.0 - 256.0 = 1,116.0 over; 256.0 - 171.5 = 84.5 to spare.
    assert "over the budget by 1,116.0 KiB" in notes["layer by layer"]
    assert "fits the budget: 84.5 KiB to spare" in notes["patch-based"]
    over = {m.meta["label"]: m.marker.color for m in _traces(fig, "peak")}
    assert over["layer by layer"] != over["patch-based"]  # the one over it in the budget's red
    assert fig.layout.yaxis.range[1] > 1372.0


def test_a_budget_far_above_the_data_is_named_not_drawn():
    fig = as_plotly(memory_figure([("layer by layer", _v2(INT8_DW))], budget=10**12))
    assert _shapes(fig, "budget") == []
    (label,) = _notes(fig, "budget")
    assert "above the chart (every peak fits)" in label.text
    assert fig.layout.yaxis.range[1] < 2 * 1372.0  # the data keeps the chart


def test_auxiliary_ops_are_left_out():
    r = count_memory(get_model("inception-v3"), execution=Execution(dtype="int8"))
    running = [op for op in r.layers if not op.aux]
    assert len(running) < len(r.layers)  # its auxiliary classifier
    fig = as_plotly(memory_figure([("layer by layer", r)]))
    (hover,) = _traces(fig, "hover")
    assert len(hover.x) == len(running)
    shown = [t.split("</b>")[0] for t in hover.hovertext]  # "<b>op k: NAME"
    assert shown == [f"<b>op {k}: {op.name}" for k, op in enumerate(running, start=1)]


def test_block_starts_are_ticks_named_sparsely_the_peaks_block_among_them():
    r = _v2(INT8_DW)
    for width in (800, 1280):
        fig = as_plotly(memory_figure([("layer by layer", r)], width=width, height=720))
        named = [t for t in fig.layout.xaxis.ticktext if t]
        # 17 blocks and 5 top-level ops, each a tick; not all named side by side.
        assert len(fig.layout.xaxis.tickvals) == 22
        assert 5 <= len(named) < 22 and "block_2" in named
        # Named ticks are at least a name's width apart (about 6 px a character).
        scale = (width - 96) / (fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0])
        xs = [x for x, t in zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext) if t]
        gaps = [(b - a) * scale for a, b in zip(xs, xs[1:])]
        assert min(gaps) >= 6 * 8


def _hostile(result, name: str):
    """``result`` with its peak op renamed ``name`` (a spec file's names come from strangers)."""
    old = result.peak.layer
    layers = tuple(
        dataclasses.replace(op, name=name, block=name) if op.name == old else op
        for op in result.layers
    )
    return dataclasses.replace(
        result, layers=layers, peak=dataclasses.replace(result.peak, layer=name)
    )


def test_names_are_shown_as_text_never_as_markup():
    name = "<img src=x>\x1b[31m\u202e"
    r = _hostile(_v2(INT8_DW), name)
    fig = as_plotly(memory_figure([("<i>mine</i>", r), ("layer by layer", _v2(INT8_DW))]))
    joined = " ".join(_texts(fig))
    assert "<img" not in joined and "<i>" not in joined and "\x1b" not in joined
    assert "\u202e" not in joined
    assert "&lt;img src=x&gt;\\x1b[31m\\u202e" in joined
    assert "&lt;i&gt;mine&lt;/i&gt;" in joined
    title, _ = memory_title([("<i>mine</i>", r)])  # plain text: the page escapes it
    assert "<i>mine</i>" not in title


def test_a_long_name_is_cut_in_labels():
    r = _hostile(_v2(INT8_DW), "n" * 5000)
    fig = as_plotly(memory_figure([("layer by layer", r)]))
    (note,) = _notes(fig, "peak")
    assert "n" * 39 + "…" in note.text and "n" * 41 not in note.text
    assert all(len(t) <= 16 for t in fig.layout.xaxis.ticktext)


def test_a_spec_files_names_are_escaped(tmp_path):
    spec = tmp_path / "x.yaml"
    spec.write_text(XSS_SPEC)
    out = tmp_path / "m.html"
    result = run_cli("memory", "--spec", str(spec), "--budget", "10KiB", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert SCRIPT_NAME not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "\\u0026lt;script" in page


# --- the command -----------------------------------------------------------------------


def _figure_json(page: str) -> dict:
    """The figure's data and layout, from the page's Plotly.newPlot call."""
    marker = "Plotly.newPlot("
    at = page.index(marker, page.index('<div id="plot"'))
    body = page[at + len(marker) :]
    decoder = json.JSONDecoder()
    body = body[body.index(",") + 1 :].lstrip()  # past the div id
    data, end = decoder.raw_decode(body)
    body = body[end:].lstrip()[1:].lstrip()
    layout, _ = decoder.raw_decode(body)
    return {"data": data, "layout": layout}


def test_html_is_one_offline_page_with_the_chart_and_the_tables(tmp_path):
    out = tmp_path / "memory.html"
    result = run_cli("memory", *PATCH_ARGS, "--budget", "256KiB", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"wrote {out}") or "wrote " in result.stderr
    assert "175,616 bytes" in result.stderr and "layer by layer overlaid" in result.stderr
    page = out.read_text(encoding="utf-8")
    # Offline: plotly.js inline, no script or stylesheet fetched.
    assert "<script src=" not in page and "<link" not in page and "MathJax.js" not in page
    assert [tag for tag in re.findall(r"<script[^>]*>", page) if "src" in tag] == []
    assert "Plotly.newPlot(" in page and len(page) > 3_000_000  # plotly.js is in it
    assert "Layers (bytes held while each op runs)" in page  # the report's tables
    assert "Patch-based schedule (4x4 patches" in page
    assert "The peak, 171.5 KiB, fits, with 84.5 KiB to spare" in page
    assert "layer by layer (1,372.0 KiB) it would not fit" in page
    fig = _figure_json(page)
    lines = [t for t in fig["data"] if (t.get("meta") or {}).get("kind") == "memory"]
    assert [t["name"] for t in lines] == ["layer by layer", "patch-based 4x4, split block_4"]
    budget = [s for s in fig["layout"]["shapes"] if s.get("name") == "budget"]
    assert [s["y0"] for s in budget] == [256.0]
    # The page has its own heading: the chart carries none.
    assert not any(a.get("name") == "title" for a in fig["layout"]["annotations"])


def test_layer_by_layer_html_draws_one_trace(tmp_path):
    out = tmp_path / "m.html"
    result = run_cli("memory", "mobilenet-v2", "--dtype", "int8", "--dw-inplace", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    fig = _figure_json(out.read_text(encoding="utf-8"))
    lines = [t for t in fig["data"] if (t.get("meta") or {}).get("kind") == "memory"]
    assert len(lines) == 1 and lines[0]["meta"]["peak_op"] == 4  # conv_0, block_1 x2, then it
    assert not any(s.get("name") == "budget" for s in fig["layout"].get("shapes", []))


def test_budget_adds_a_note_to_text_and_leaves_json_alone():
    text = run_cli("memory", "mobilenet-v2", "--dtype", "int8", "--dw-inplace", "--budget", "2MB")
    assert text.exit_code == 0, text.stderr
    out = " ".join(text.stdout.split())
    # 2 MB = 2,000,000 bytes = 1,953.1 KiB; the peak is 1,372.0 KiB: 581.1 to spare.
    assert "Budget (--budget): 2,000,000 bytes (1,953.1 KiB)" in out
    assert "fits, with 581.1 KiB to spare" in out
    plain = run_cli("memory", "mobilenet-v2", "--dtype", "int8", "--dw-inplace", "-f", "json")
    budgeted = run_cli(
        "memory", "mobilenet-v2", "--dtype", "int8", "--dw-inplace", "-f", "json", "--budget", "1B"
    )
    assert json.loads(plain.stdout) == json.loads(budgeted.stdout)
    csv = run_cli("memory", "mobilenet-v2", "--dtype", "int8", "--budget", "1KiB", "-f", "csv")
    assert csv.exit_code == 0 and "Budget" not in csv.stdout


def test_html_to_standard_output_stays_the_tables_page():
    result = run_cli("memory", "mobilenet-v2", "--dtype", "int8", "-f", "html")
    assert result.exit_code == 0, result.stderr
    assert "Layers (bytes held while each op runs)" in result.stdout
    assert "Plotly" not in result.stdout


@pytest.mark.parametrize(
    "budget, words",
    [
        ("256K", "'K' alone is not a byte unit"),
        ("abc", "cannot read --budget 'abc'"),
        ("-5KiB", "cannot read --budget '-5KiB'"),
        ("1e99999", "--budget"),
        ("5 parsecs", "--budget"),
    ],
)
def test_a_bad_budget_is_one_line_and_exit_2(budget, words, tmp_path):
    out = tmp_path / "m.html"
    result = run_cli("memory", "--budget", budget, "-o", str(out))
    assert result.exit_code == 2
    assert result.stdout == "" and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr


def test_an_image_needs_a_file():
    result = run_cli("memory", "-f", "png")
    assert result.exit_code == 2 and result.stdout == ""
    assert "give -o FILE.png" in result.stderr


def test_the_chart_never_overwrites_the_spec_file(tmp_path):
    spec = tmp_path / "net.html"
    spec.write_text(XSS_SPEC)
    result = run_cli("memory", "--spec", str(spec), "-o", str(spec))
    assert result.exit_code == 2  # refused: it is the file the command reads
    assert spec.read_text() == XSS_SPEC


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_images
def test_png_and_svg_are_the_chart_alone(tmp_path):
    png, svg = tmp_path / "m.png", tmp_path / "m.svg"
    result = run_cli("memory", *PATCH_ARGS, "--budget", "256KiB", "-o", str(png))
    assert result.exit_code == 0, result.stderr
    assert _png_size(png) == (2560, 1440)  # 1280 x 720 CSS px at scale 2
    result = run_cli("memory", *PATCH_ARGS, "-o", str(svg))
    assert result.exit_code == 0, result.stderr
    head = svg.read_text(encoding="utf-8")
    assert 'width="1280" height="720"' in head[:400]
    assert "Activation memory op by op" in head and "patch stage" in head


# --- in a browser ----------------------------------------------------------------------

_LABELS = """(div) => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom]; };
  const d = div.getBoundingClientRect();
  return {
    figure: [d.left, d.top, d.right, d.bottom],
    notes: Array.from(div.querySelectorAll('.annotation')).map(
      (a) => ({text: a.textContent, box: box(a.querySelector('.annotation-text-g') || a)})),
    ticks: Array.from(div.querySelectorAll('.xtick text')).filter((t) => t.textContent)
      .map((t) => box(t)),
  };
}"""


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


@pytest.mark.parametrize("width", [1280, 800])
def test_the_drawn_page_is_offline_and_no_label_covers_another(width, tmp_path):
    chromium = Path("/usr/bin/chromium")
    require_browser()
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    out = tmp_path / "memory.html"
    result = run_cli("memory", *PATCH_ARGS, "--budget", "256KiB", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg")
        drawn = page.eval_on_selector(".plotly-graph-div", _LABELS)
        browser.close()
    assert errors == [] and [r for r in requests if r != out.as_uri()] == []
    notes = drawn["notes"]
    assert {n["text"].split(":")[0] for n in notes} >= {"patch stage", "budget 256.0 KiB"}
    for i, a in enumerate(notes):
        for b in notes[i + 1 :]:
            assert not _overlap(a["box"], b["box"]), (a["text"], b["text"])
        left, top, right, bottom = drawn["figure"]
        assert left <= a["box"][0] and a["box"][2] <= right + 1, a["text"]  # not clipped
    ticks = drawn["ticks"]
    assert len(ticks) >= 5
    for a, b in zip(ticks, ticks[1:]):
        assert not _overlap(a, b)


def _chain(n: int):
    """A chain of ``n`` layers of 8 channels (:func:`tests.conftest.chain_spec`)."""
    from mncost.arch.load import parse_spec

    return parse_spec(chain_spec(n))


def test_a_chart_of_many_ops_places_its_labels_in_few_calls_per_op():
    # 100,000 ops used to draw 200,000 line boxes, and every label's 70 candidate places
    # were costed against all of them: 314 Python calls per op, 24 s of `report`. Ops
    # narrower than a pixel now make one box per pixel column (the band they draw), and a
    # label is costed against what its candidates can reach.
    import sys

    result = count_memory(_chain(20_000))
    calls = 0

    def profiler(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profiler)
    try:
        fig = memory_figure([("chain", result)])
    finally:
        sys.setprofile(None)
    assert calls / 20_000 < 100, calls
    # The chart still marks its peak.
    assert _notes(as_plotly(fig), "peak")
