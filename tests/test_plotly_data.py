"""HTML figures written without plotly's Python package (issue 14, start-up targets).

mncost's figures are plain data (:class:`mncost.present.plotly_data.Figure`) and its pages
write them as plotly's ``to_html`` would, reading only plotly's package data (plotly.js,
the white template). Every expected value here comes from plotly itself: its
``to_html``, ``get_plotlyjs``, ``templates`` and ``to_json_plotly``.
"""

from __future__ import annotations

import ast
import base64
import json
import math
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs

import mncost
from mncost.analysis.choose import budget_masks, parse_budgets
from mncost.analysis.explore import explore_grid
from mncost.analysis.pareto import pareto_data, parse_highlight, resolve_highlight
from mncost.analysis.published import published_points
from mncost.arch.registry import get_model
from mncost.cost.execution import Execution
from mncost.cost.memory import count_memory
from mncost.present.export import figure_div, figure_page, figures_page, plotly_script
from mncost.present.figures import pareto_figure
from mncost.present.heatmap import choose_figures, heatmap_page, picks_figure, sweep_figure
from mncost.present.memory_figure import memory_figure
from mncost.present.plotly_data import Figure, figure_json, plotly_js, white_template
from mncost.present.style import PLOT_CONFIG

ROOT = Path(__file__).resolve().parents[1]
SCALE = 2.0
CONFIG = {**PLOT_CONFIG, "toImageButtonOptions": {"format": "png", "scale": SCALE}}


def _plotly_div(fig: Any, div_id: str, *, validate: bool = True) -> str:
    """What plotly's own to_html writes for ``fig`` (its dict, validated or as it is)."""
    config = dict(CONFIG)  # plotly's to_html changes the config it is given
    options = dict(full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=div_id)
    if validate:
        return str(go.Figure(fig.to_dict()).to_html(config=config, **options))
    return str(pio.to_html(fig.to_dict(), config=config, validate=False, **options))


_NEW_PLOT = "Plotly.newPlot("


def _split(html: str) -> tuple[list[str], list[list[Any]]]:
    """A page's markup with every Plotly.newPlot call cut out, and each call's arguments
    (id, data, layout, config) parsed as strict JSON."""
    decoder = json.JSONDecoder(parse_constant=_refuse)
    markup: list[str] = []
    calls: list[list[Any]] = []
    pos = 0
    while (start := html.find(_NEW_PLOT, pos)) >= 0:
        markup.append(html[pos:start])
        at = start + len(_NEW_PLOT)
        args: list[Any] = []
        for _ in range(4):
            while html[at] in " ,":
                at += 1
            value, at = decoder.raw_decode(html, at)
            args.append(value)
        calls.append(args)
        pos = at
    markup.append(html[pos:])
    return markup, calls


def _refuse(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


@pytest.fixture(scope="module")
def pareto() -> Figure:
    points = published_points(dataset="imagenet")
    marked = [resolve_highlight(parse_highlight(t), points) for t in ("0.75/160", "0.6/150")]
    return pareto_figure(pareto_data(points, "imagenet", highlights=marked), width=1100)


@pytest.fixture(scope="module")
def memory() -> Figure:
    model = get_model("mobilenet-v2")
    layer = count_memory(model, execution=Execution(dtype="int8"))
    patched = count_memory(
        model,
        execution=Execution(dtype="int8", schedule="patch", split="block_4", patches=(4, 4)),
    )
    return memory_figure([("layer by layer", layer), ("patch-based", patched)], budget=256 << 10)


# --- the HTML is plotly's ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["pareto", "memory"])
def test_figure_div_is_what_plotly_writes(name: str, request: pytest.FixtureRequest) -> None:
    fig = request.getfixturevalue(name)
    ours = figure_div(fig, "plot", SCALE)
    # plotly's to_html of the same dict, unvalidated: the same bytes.
    assert ours == _plotly_div(fig, "plot", validate=False)
    # plotly's to_html of the figure validated: the same markup and the same JSON (plotly
    # orders a validated object's keys its own way, so the bytes differ).
    markup, calls = _split(ours)
    plotly_markup, plotly_calls = _split(_plotly_div(fig, "plot"))
    assert markup == plotly_markup
    assert calls == plotly_calls
    (call,) = calls
    assert call[0] == "plot" and call[3] == {
        k: v for k, v in CONFIG.items() if k != "plotlyServerURL"
    }


def test_the_outer_div_takes_the_figures_size_as_plotly_does() -> None:
    sized = Figure([], {"width": 640, "height": 480.5})
    from_template = Figure([], {"template": {"layout": {"width": 300, "height": "40em"}}})
    unsized = Figure([], {})
    for fig in (sized, from_template, unsized):
        assert figure_div(fig, "f") == _plotly_div(fig, "f", validate=False)
    assert figure_div(sized, "f").startswith('<div style="height:480.5px; width:640px;">')
    assert figure_div(unsized, "f").startswith('<div style="height:100%; width:100%;">')


def test_a_plotly_figure_with_numpy_data_is_written_as_plotly_writes_it() -> None:
    # A validated plotly figure is a FigureLike too (mncost builds none: its figures are
    # plain data); its numpy arrays are plotly's typed arrays, passed on.
    z = np.array([[1.0, np.nan], [np.inf, 4.0]])
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(2), y=["a", "b"]), layout={"width": 500})
    config = dict(CONFIG)
    expected = fig.to_html(
        full_html=False, include_plotlyjs=False, include_mathjax=False, config=config, div_id="h"
    )
    assert figure_div(fig, "h", SCALE) == expected
    assert '"z":{"dtype":"f8","bdata":' in expected  # plotly's typed arrays, passed on


# --- the heatmaps: plain data that plotly's validation leaves as it is ------------------


def _read_typed_arrays(value: Any) -> Any:
    """plotly's typed arrays ({"dtype": "f8", "bdata": base64, "shape": "3, 4"}, what it
    writes for a validated numpy array) read back as numpy arrays."""
    if isinstance(value, dict):
        if "dtype" in value and "bdata" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
        return {k: _read_typed_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_read_typed_arrays(v) for v in value]
    return value


@pytest.fixture(scope="module")
def heatmaps() -> dict[str, Figure]:
    """Sweep and choose figures with every kind of trace and layout they draw."""
    v2 = get_model("mobilenet-v2")
    budgets = parse_budgets({"max_macs": "300M", "max_peak_bytes": "1MiB"})
    alphas = [Fraction(n, 20) for n in range(4, 31, 2)]  # 0.2 to 1.5: some withheld
    withheld = explore_grid(v2, alphas, [64, 96, 128, 160, 224, 320], model="mobilenet-v2")
    extrapolated = explore_grid(
        v2, alphas, [96, 160, 224, 288], model="mobilenet-v2", extrapolate=True
    )
    sizes = explore_grid(v2, [Fraction(1, 2), Fraction(1)], [(160, 240), 224, (240, 320)])
    chosen = mncost.choose(max_macs="300M", max_latency_ms=30, device="pixel1-cpu", top=8)
    picks = picks_figure(chosen)
    assert picks is not None
    return {
        "sweep top-1, withheld cells, budgets": sweep_figure(
            withheld, "top1", budgets, budget_masks(withheld, budgets)
        ),
        "sweep, the published grid's edge": sweep_figure(extrapolated, "top1"),
        "sweep, peak memory on a log scale": sweep_figure(withheld, "peak_activation_bytes"),
        "sweep, non-square rows": sweep_figure(
            sizes, "mult_adds", budgets[:1], budget_masks(sizes, budgets[:1])
        ),
        "choose, the picks against a budget": picks,
        **{f"choose heatmap {n}": fig for n, fig in enumerate(choose_figures(chosen))},
    }


def test_plotly_validation_leaves_the_heatmaps_as_they_are(heatmaps: dict[str, Figure]) -> None:
    # What plotly's validation wrote for the figures heatmap.py built with plotly (its
    # named colour scale spelled out, its typed arrays, every default it adds) is what
    # the plain data says: the pages draw as they did. The template is plotly's white.
    typed = nulls = 0
    for name, fig in heatmaps.items():
        figure = fig.to_dict()
        assert figure["layout"]["template"] == white_template(), name
        ours = json.loads(figure_json(figure))
        written = json.loads(to_json_plotly(go.Figure(figure), engine="json"))
        typed += json.dumps(written).count('"bdata"')
        theirs = json.loads(figure_json(_read_typed_arrays(written)))
        assert ours == theirs, name
        nulls += sum(
            v is None for t in ours["data"] if t["type"] == "heatmap" for row in t["z"] for v in row
        )
    assert typed and nulls  # numpy arrays compared, and the empty cells written as null
    # Every kind of trace the pages draw was among them.
    names = {t.get("name") for fig in heatmaps.values() for t in fig.data}
    assert {
        "equal MACs (millions)",
        "edge of the published grid (outside: extrapolated)",
        "over a budget",
        "MACs <= 300M (boundary)",
        "no top-1 (outside the checkpoints' range)",
        "picks (rank)",
        "released checkpoint",
    } <= names
    assert any("ticktext" in fig.layout["yaxis"] for fig in heatmaps.values())  # HxW rows
    assert any("ticktext" in fig.data[0].get("colorbar", {}) for fig in heatmaps.values())
    viridis = go.Heatmap(colorscale="Viridis").colorscale
    heat = heatmaps["sweep top-1, withheld cells, budgets"].data[0]
    assert heat["colorscale"] == [list(stop) for stop in viridis]


def test_the_picks_budget_line_is_plotlys_add_vline(heatmaps: dict[str, Figure]) -> None:
    # The budget's line on the picks chart, with its label, as plotly's add_vline drew it.
    layout = heatmaps["choose, the picks against a budget"].to_dict()["layout"]
    (shape,), (label,) = layout["shapes"], layout["annotations"]
    assert label["text"] == "latency <= 30 ms" and shape["x0"] == 30
    drawn = go.Figure()
    drawn.add_vline(
        x=shape["x0"],
        line=shape["line"],
        annotation={k: label[k] for k in ("text", "font", "bgcolor")},
    )
    written = json.loads(to_json_plotly(drawn, engine="json"))["layout"]
    assert written["shapes"] == [shape] and written["annotations"] == [label]


def test_a_page_of_figures_writes_each_figure_once_with_plotly_js_once() -> None:
    a, b = Figure([{"type": "scatter", "x": [1]}], {}), Figure([], {"height": 300})
    page = figures_page({"first": a, "second": b}, "T", "intro", ["a note"], scale=3.0)
    assert page.count(plotly_script()) == 1
    body = page[page.index('<p class="caption">') :]
    expected = (
        '<p class="caption">intro</p>\n'
        + figure_div(a, "first", 3.0)
        + "\n"
        + figure_div(b, "second", 3.0)
        + '\n<p class="note">a note</p>'
    )
    assert body.startswith(expected)
    assert figure_page(a, "T", "intro", ["a note"]) == figures_page(
        {"plot": a}, "T", "intro", ["a note"]
    )


def test_a_heatmap_page_is_a_figure_page_with_the_thinning_said_first() -> None:
    v2 = get_model("mobilenet-v2")
    wide = explore_grid(v2, [Fraction(n, 400) for n in range(140, 561)], [96, 224])
    fig = sweep_figure(wide, "mult_adds")
    page = heatmap_page([fig, fig], [wide], "T", "intro", notes=["last"])
    thinned = "The heatmap of mobilenet-v2 draws one alpha in 2 and every resolution"
    assert thinned in page
    note = thinned + page.split(thinned, 1)[1].split("</p>", 1)[0]
    assert page == figures_page({"heatmap-0": fig, "heatmap-1": fig}, "T", "intro", [note, "last"])


def test_a_figure_id_must_be_a_plain_html_id() -> None:
    with pytest.raises(ValueError, match="not an HTML id"):
        figure_div(Figure([], {}), 'x");alert(1);("')


# --- what is read from plotly's package data --------------------------------------------


def test_plotly_js_is_plotlys_bundle() -> None:
    assert plotly_js() == get_plotlyjs()


def test_the_white_template_is_plotlys() -> None:
    assert white_template() == pio.templates["plotly_white"].to_plotly_json()
    # A new dict each time: a figure that changes its template changes no other's.
    changed = white_template()
    changed["layout"]["width"] = 10
    assert "width" not in white_template()["layout"]


# --- strict, safe JSON ------------------------------------------------------------------

_HOSTILE_NAME = "</script><b>bold</b> <!-- \u2028line\u2029para /x"
_HOSTILE = {
    "name": _HOSTILE_NAME,
    "x": [1, 2.5, float("nan"), float("inf"), -float("inf")],
    "y": np.array([1.0, np.nan, np.inf]),
    "z": [np.float32(0.5), np.int64(3), np.bool_(True), np.float64("nan")],
    "text": ("tuple", "caf\u00e9", "\u2603"),
    "meta": {"kind": "NaN", "Infinity": -0.0},
}


def test_figure_json_is_plotlys_json() -> None:
    assert figure_json(_HOSTILE) == to_json_plotly(_HOSTILE, engine="json")
    assert figure_json([]) == to_json_plotly([], engine="json")


def test_figure_json_is_strict_and_cannot_end_a_script() -> None:
    text = figure_json(_HOSTILE)
    assert not re.search(r"[<>/\u2028\u2029]", text)
    parsed = json.loads(text, parse_constant=_refuse)
    assert parsed["name"] == _HOSTILE_NAME
    assert parsed["x"] == [1, 2.5, None, None, None]
    assert parsed["y"] == [1.0, None, None]
    assert parsed["z"] == [0.5, 3, True, None]


@pytest.mark.parametrize("value", [Fraction(1, 3), object(), {1, 2}, b"bytes"])
def test_figure_json_refuses_what_is_not_json(value: object) -> None:
    with pytest.raises(TypeError, match="not JSON"):
        figure_json({"x": [value]})


def test_a_page_with_hostile_figure_data_parses_strictly() -> None:
    trace = {"type": "scatter", **_HOSTILE, "hovertext": ["</SCRIPT >\u2028", "</script"]}
    layout = {
        "template": white_template(),
        "title": {"text": "</script><script>alert(1)</script>"},
        "annotations": [{"text": "a\u2029b</script>", "x": math.nan, "y": 1}],
    }
    fig = Figure([trace], layout)
    div = figure_div(fig, "plot")
    # The figure's one script element holds the whole call: no "</script" before its end.
    script = div[div.index("<script>") + len("<script>") : div.rindex("</script>")]
    assert not re.search("</script", script, re.IGNORECASE) and "\u2028" not in script
    assert script.rstrip().endswith("};")
    # And the page's JSON parses strictly (no NaN, no Infinity), the text as it was.
    _, calls = _split(figure_page(fig, "t"))
    ((div_id, data, parsed_layout, _),) = calls
    assert div_id == "plot"
    assert data[0]["name"] == _HOSTILE_NAME and data[0]["x"][2:] == [None, None, None]
    assert data[0]["hovertext"] == ["</SCRIPT >\u2028", "</script"]
    assert parsed_layout["title"]["text"] == "</script><script>alert(1)</script>"
    assert parsed_layout["annotations"][0] == {"text": "a\u2029b</script>", "x": None, "y": 1}


# --- no plotly on the HTML path ---------------------------------------------------------

_IMPORTS = """
import sys
sys.argv = ["mncost", *sys.argv[1:]]
from mncost.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = [m for m in ("plotly", "narwhals") if m in sys.modules]
print("EXIT", code, "IMPORTED", ",".join(heavy) or "-")
"""


@pytest.mark.parametrize(
    "args",
    [
        ["plot", "pareto", "--highlight", "0.75/160"],
        ["report", "-a", "0.75", "-r", "160"],
        ["memory", "mobilenet-v2", "--schedule", "patch", "--split", "block_4"],
        ["latency", "mobilenet-v2", "--device", "pixel1-cpu"],
        ["sweep", "mobilenet-v2", "--alpha", "0.5,1", "--res", "128,224"],
        ["choose", "--max-macs", "300M"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_an_html_figure_never_imports_plotly(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *args, "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.stdout.splitlines()[-1] == "EXIT 0 IMPORTED -", done.stdout + done.stderr
    page = out.read_text(encoding="utf-8")
    assert get_plotlyjs()[:2000] in page and _NEW_PLOT in page
    _split(page)  # and its figures' JSON is strict


_PLAIN_MODULES = sorted(
    str(path.relative_to(ROOT / "mncost" / "present"))
    for path in (ROOT / "mncost" / "present").rglob("*.py")
)
"""Every module of the present layer, found, not listed: a module split off a figure
module is checked too."""


def test_every_figure_module_is_checked() -> None:
    for name in ("figures.py", "memory_figure.py", "memory_traces.py", "heatmap_layers.py"):
        assert name in _PLAIN_MODULES


@pytest.mark.parametrize("module", _PLAIN_MODULES)
def test_the_figure_modules_import_no_plotly_at_all(module: str) -> None:
    # Not even lazily, in a function or under TYPE_CHECKING: read from the source.
    tree = ast.parse((ROOT / "mncost" / "present" / module).read_text("utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    assert not [m for m in imported if m.split(".")[0] in ("plotly", "_plotly_utils")]
