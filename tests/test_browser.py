"""The generated HTML pages, opened in a real headless Chromium (Debian's, via playwright).

Each page must load with no console error and no request beyond the file itself, draw
its plots (one marker per published point), and show a layer named ``<script>`` as text
without running it. Screenshots go to $MNCOST_SHOTS (default /tmp/shots) for a person to
look at. Skipped, with the reason, when /usr/bin/chromium or playwright is missing;
no browser is ever downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SCRIPT_NAME, XSS_SPEC, require_browser, run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("MNCOST_SHOTS", "/tmp/shots"))

# Published markers of the plotted traces: each published trace carries meta.kind, and
# plotly draws the traces of one subplot in data order, one g.trace per trace.
_COUNT_PUBLISHED_MARKERS = """(div) => {
  const groups = div.querySelectorAll('.scatterlayer .trace');
  let n = 0;
  div.data.forEach((trace, i) => {
    if (trace.meta && trace.meta.kind === 'published') {
      n += groups[i].querySelectorAll('path.point').length;
    }
  });
  return n;
}"""


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole module (never a downloaded browser)."""
    require_browser()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests need playwright (pip install playwright)"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class LoadedPage:
    """A page opened from disk, with what it logged and fetched while loading."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


# Where the Pareto plot's labels, markers and frontier line are drawn, in page pixels:
# each annotation's text box, each marker's box, and the frontier's dashed path sampled
# every pixel along its length.
_PARETO_GEOMETRY = r"""(div) => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom]; };
  const labels = Array.from(div.querySelectorAll('g.annotation'), (g) => ({
    text: g.textContent, box: box(g.querySelector('text.annotation-text'))}));
  const markers = Array.from(div.querySelectorAll('.scatterlayer .trace path.point'), box);
  const line = [];
  const groups = div.querySelectorAll('.scatterlayer .trace');
  div.data.forEach((trace, i) => {
    if (trace.meta && trace.meta.kind === 'frontier') {
      const path = groups[i].querySelector('path.js-line');
      const m = path.getScreenCTM();
      for (let s = 0; s <= path.getTotalLength(); s += 1) {
        const p = path.getPointAtLength(s);
        line.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
      }
    }
  });
  const ticks = Array.from(div.querySelectorAll('.xtick text'), (t) => t.textContent);
  return {labels, markers, line, ticks};
}"""


def _overlap(a: list[float], b: list[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _label_clashes(plot: Any) -> list[str]:
    """Labels drawn on another label, on a marker or across the frontier's line, as the
    browser laid them out. A marker may touch a label's corner (up to 4 px²): the
    placement estimates text widths."""
    geometry = plot.evaluate(_PARETO_GEOMETRY)
    labels = geometry["labels"]
    clashes = []
    for n, label in enumerate(labels):
        clashes += [
            f"{label['text']!r} on {other['text']!r}"
            for other in labels[n + 1 :]
            if _overlap(label["box"], other["box"]) > 1
        ]
        clashes += [
            f"{label['text']!r} on a marker"
            for marker in geometry["markers"]
            if _overlap(label["box"], marker) > 4
        ]
        x0, y0, x1, y1 = label["box"]
        if any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in geometry["line"]):
            clashes.append(f"{label['text']!r} on the frontier")
    return clashes


def _trace_index(plot: Any, name_start: str) -> int:
    names = plot.evaluate("(div) => div.data.map((t) => t.name)")
    return next(i for i, name in enumerate(names) if name.startswith(name_start))


def _open(browser: Any, path: Path, plots: int) -> LoadedPage:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loaded = LoadedPage(page)
    page.on(
        "console", lambda m: loaded.console_errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: loaded.console_errors.append(str(e)))
    page.on("request", lambda r: loaded.requests.append(r.url))

    def on_dialog(dialog: Any) -> None:
        loaded.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {plots}", timeout=30_000
    )
    page.wait_for_load_state("networkidle")
    return loaded


def _offline(loaded: LoadedPage, path: Path) -> list[str]:
    """Requests other than the file itself and inline data."""
    own = path.resolve().as_uri()
    return [url for url in loaded.requests if url != own and not url.startswith(("data:", "blob:"))]


def _shot(loaded: LoadedPage, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    loaded.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    for i, plot in enumerate(loaded.page.locator(".js-plotly-plot").all()):
        plot.screenshot(path=str(SHOTS / f"{name}-plot{i}.png"))


def test_pareto_page(chromium_browser, tmp_path):
    out = tmp_path / "pareto.html"
    result = run_cli(
        "plot", "pareto", "--highlight", "0.75/160", "--highlight", "0.6/150", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    loaded = _open(chromium_browser, out, plots=1)
    try:
        assert loaded.console_errors == []
        assert _offline(loaded, out) == []
        plot = loaded.page.locator(".js-plotly-plot").first
        # 77 published ImageNet results: 14 distinct paper results + 54 v1/v2 checkpoints
        # + 9 V3 checkpoints (shared/published/checkpoints_v3.csv)
        # (see tests/test_published.py), one marker each.
        assert plot.evaluate(_COUNT_PUBLISHED_MARKERS) == 77
        # No button that would upload the data ("Share chart...", Plotly Cloud).
        titles = plot.evaluate(
            "(div) => Array.from(div.querySelectorAll('.modebar-btn'),"
            " (b) => b.getAttribute('data-title'))"
        )
        assert "Download plot as a PNG" in titles
        assert not any("Share" in title or "Cloud" in title for title in titles)
        text = loaded.page.inner_text("body")
        assert "ImageNet top-1 accuracy vs mult-adds" in text
        # The most accurate point is on the frontier.
        assert "Pareto frontier" in text and "Large dm=1 (float)" in text
        # The legend names the no-accuracy highlight; the star's label is on the plot.
        svg = plot.inner_text()
        assert "0.6/150: no published accuracy" in svg and "0.75/160" in svg
        # Hovering a point names its model, accuracy, cost and source table: GoogleNet
        # is Table 8's 69.8%, 1550 M mult-adds, 6.8 M params.
        index = _trace_index(plot, "other models")
        at = plot.evaluate(f"(div) => div.data[{index}].text.indexOf('GoogleNet')")
        group = plot.locator(".scatterlayer .trace").nth(index)
        box = group.locator("path.point").nth(at).bounding_box()
        loaded.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        loaded.page.wait_for_selector(".hoverlayer .hovertext")
        hover = plot.locator(".hoverlayer").text_content() or ""
        for words in ("GoogleNet", "top-1 69.8%", "1550 M MACs", "source: paper Table 8"):
            assert words in hover, hover
        # Issue 8: named ticks only (no bare "2" or "5"), and every label clear.
        geometry = plot.evaluate(_PARETO_GEOMETRY)
        assert geometry["ticks"][:3] == ["10M", "20M", "50M"] and "1G" in geometry["ticks"]
        assert all(t[-1] in "kMG" for t in geometry["ticks"]), geometry["ticks"]
        assert {"0.75/160", "0.35/96", "Large 1.0/224", "GoogleNet"} <= {
            label["text"] for label in geometry["labels"]
        }
        assert _label_clashes(plot) == []
        _shot(loaded, "pareto")
    finally:
        loaded.page.close()


@pytest.mark.parametrize(
    "args",
    [
        ["--source", "paper"],  # GoogleNet sat on the frontier's line here
        ["--x", "params"],
        ["--dataset", "stanford_dogs"],
        ["--family", "mobilenet_v2"],
        ["--cost", "computed", "--highlight", "0.5/160"],
        ["--width", "1280", "--height", "720"],  # laid out as the PNG is
        ["--width", "800", "--height", "600"],
    ],
)
def test_pareto_labels_never_clash(chromium_browser, tmp_path, args):
    out = tmp_path / "pareto.html"
    result = run_cli("plot", "pareto", *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    loaded = _open(chromium_browser, out, plots=1)  # once: each width resizes the page
    try:
        for width in (1280, 1000):
            loaded.page.set_viewport_size({"width": width, "height": 900})
            loaded.page.wait_for_timeout(300)  # the plot redraws for the new width
            plot = loaded.page.locator(".js-plotly-plot").first
            assert _label_clashes(plot) == [], (args, width)
            ticks = plot.evaluate(_PARETO_GEOMETRY)["ticks"]
            assert ticks and all(t[-1] in "kMG" for t in ticks), ticks
            name = "-".join(a.strip("-").replace("/", "_") for a in args)
            _shot(loaded, f"pareto-{name}-{width}")
    finally:
        loaded.page.close()


# Every <code> on the page as the browser lays it out: how many line boxes it takes
# (1: not broken across lines). A command line is one <code class="command"> made of one
# <span> per argument: it may break between arguments, never inside one.
_CODE_LINES = """() => Array.from(
  document.querySelectorAll('code:not(.command), code.command span'),
  (el) => [el.textContent, el.getClientRects().length])"""


def _no_code_is_broken(loaded: LoadedPage, widths: tuple[int, ...]) -> None:
    for width in widths:
        loaded.page.set_viewport_size({"width": width, "height": 900})
        broken = [text for text, lines in loaded.page.evaluate(_CODE_LINES) if lines != 1]
        assert broken == [], f"code broken across lines at {width} px: {broken}"


def test_review_page_of_a_spec_with_a_script_layer_name(chromium_browser, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(XSS_SPEC)
    out = tmp_path / "review.html"
    result = run_cli("report", "--spec", str(spec), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    # A 10-class 32x32 net has no published peer: the by-type chart and the memory
    # profile are the only plots.
    loaded = _open(chromium_browser, out, plots=2)
    try:
        assert loaded.console_errors == [] and loaded.dialogs == []
        assert _offline(loaded, out) == []
        body = loaded.page.inner_text("body")
        assert SCRIPT_NAME in body and "<b>bold</b>-net" in body
        assert loaded.page.locator("b", has_text="bold").count() == 0
        assert loaded.page.locator(".js-plotly-plot").count() == 2
        assert "No published result is of the same task" in body
        plots = loaded.page.locator(".js-plotly-plot")
        assert all("ImageNet" not in plots.nth(k).inner_text() for k in range(2))
        _shot(loaded, "review-spec")
    finally:
        loaded.page.close()


def test_review_page_of_a_paper_configuration(chromium_browser, tmp_path):
    out = tmp_path / "review.html"
    result = run_cli("report", "--alpha", "0.75", "--res", "160", "--audit", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    loaded = _open(chromium_browser, out, plots=3)
    try:
        page = loaded.page
        assert loaded.console_errors == [] and _offline(loaded, out) == []
        # The summary first, then the Pareto plot, the by-type breakdown, the layers,
        # and the audit (asked for) as the appendix; the footer last.
        headings = page.evaluate(
            "() => Array.from(document.querySelectorAll('h2, h3'), (h) => h.textContent)"
        )
        assert headings == [
            "Summary",
            "Against the nearest published models",
            "Memory and latency",
            "Among published results (Pareto plot)",
            "By layer type",
            "Per-layer cost",
            "Appendix: reproduction of the paper's cost figures",
        ]
        plots = page.locator(".js-plotly-plot")
        # The memory profile first (in "Memory and latency"), then the Pareto plot:
        # 160x160 admits inputs of 80 to 320, every published ImageNet result.
        assert plots.nth(1).evaluate(_COUNT_PUBLISHED_MARKERS) == 77
        # The by-type chart: one bar per type and measure (4 types x 2) for this model.
        assert plots.nth(2).locator(".barlayer path").count() == 8
        footer = page.inner_text("footer")
        assert "mncost report --alpha 0.75 --res 160 --audit -o" in " ".join(footer.split())
        assert "UTC" in footer
        # The page fits a 1,280 px window, and no command or flag breaks at any width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert page.locator("code").count() >= 4
        _shot(loaded, "review")
        _no_code_is_broken(loaded, (1280, 900, 600, 420))
        page.set_viewport_size({"width": 420, "height": 900})
        _shot(loaded, "review-narrow")
    finally:
        loaded.page.close()


# A heatmap's cell hovered through plotly.js itself (its position in the picture is
# plotly's to compute): the text the reader sees for (alpha, resolution).
_HOVER_CELL = """(div, [x, y]) => { Plotly.Fx.hover(div, {xval: x, yval: y}); }"""


def test_sweep_heatmap_page(chromium_browser, tmp_path):
    out = tmp_path / "sweep.html"
    args = ("mobilenet-v2", "--alpha", "0.2:1.5:0.05", "--res", "64:320:16", "--max-macs", "300M")
    result = run_cli("sweep", *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    loaded = _open(chromium_browser, out, plots=1)
    try:
        assert loaded.console_errors == [] and _offline(loaded, out) == []
        plot = loaded.page.locator(".js-plotly-plot").first
        # Two heatmaps drawn (the top-1 and the shading over the budget), the MAC
        # contours labelled, the budget's label on the plot.
        assert plot.locator(".hm image").count() == 2
        assert plot.locator(".contourlabels text").count() > 0
        assert "MACs <= 300M" in plot.inner_text()
        # A withheld top-1 is an empty cell: null in the data plotly.js drew.
        empty = plot.evaluate("(div) => div.data[0].z.flat().filter((v) => v === null).length")
        assert empty > 0
        plot.evaluate(_HOVER_CELL, [0.9, 224])  # a cell with no checkpoint on it
        loaded.page.wait_for_selector(".hoverlayer .hovertext")
        hover = plot.locator(".hoverlayer").text_content() or ""
        assert "alpha 0.9, 224 px" in hover and "M MACs" in hover
        assert "top-1: " in hover and "(interpolated)" in hover
        _shot(loaded, "sweep")
    finally:
        loaded.page.close()


def test_choose_heatmap_page(chromium_browser, tmp_path):
    out = tmp_path / "choose.html"
    args = ("--max-macs", "300M", "--max-latency-ms", "30", "--device", "pixel1-cpu")
    result = run_cli("choose", *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    # The picks chart, then a heatmap per model mapped (V1 and V2; V3's are single).
    loaded = _open(chromium_browser, out, plots=3)
    try:
        assert loaded.console_errors == [] and _offline(loaded, out) == []
        plots = loaded.page.locator(".js-plotly-plot")
        assert plots.count() == 3
        picks = plots.nth(0)
        assert picks.locator(".shapelayer path").count() == 1  # the budget's line
        assert "latency <= 30 ms" in picks.inner_text()
        for k in (1, 2):
            assert "over a budget" in plots.nth(k).inner_text()
            assert plots.nth(k).locator(".hm image").count() == 2
        # Every pick under these budgets is a V2 (or a V3, picked at its one size).
        assert "picks (rank)" in plots.nth(2).inner_text()
        assert plots.nth(2).locator(".scatterlayer .trace:last-child path.point").count() > 0
        _shot(loaded, "choose")
    finally:
        loaded.page.close()
