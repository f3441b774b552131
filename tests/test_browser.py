"""The generated HTML pages, opened in a real headless Chromium (Debian's, via playwright).

Each page must load with no console error and no request beyond the file itself, draw
its plots (one marker per published point), and show a layer named ``<script>`` as text
without running it. Screenshots go to $MNCOST_SHOTS (default /tmp/shots) for a person to
look at. Skipped, with the reason, when /usr/bin/chromium or playwright is missing;
no browser is ever downloaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import SCRIPT_NAME, XSS_SPEC, run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
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
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium "
                    "(apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser tests need playwright (pip install playwright)")
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


def _trace_index(plot: Any, name_start: str) -> int:
    names = plot.evaluate("(div) => div.data.map((t) => t.name)")
    return next(i for i, name in enumerate(names) if name.startswith(name_start))


def _open(browser: Any, path: Path, plots: int) -> LoadedPage:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loaded = LoadedPage(page)
    page.on("console", lambda m: loaded.console_errors.append(m.text)
            if m.type == "error" else None)
    page.on("pageerror", lambda e: loaded.console_errors.append(str(e)))
    page.on("request", lambda r: loaded.requests.append(r.url))

    def on_dialog(dialog: Any) -> None:
        loaded.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {plots}",
        timeout=30_000)
    page.wait_for_load_state("networkidle")
    return loaded


def _offline(loaded: LoadedPage, path: Path) -> list[str]:
    """Requests other than the file itself and inline data."""
    own = path.resolve().as_uri()
    return [url for url in loaded.requests
            if url != own and not url.startswith(("data:", "blob:"))]


def _shot(loaded: LoadedPage, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    loaded.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    for i, plot in enumerate(loaded.page.locator(".js-plotly-plot").all()):
        plot.screenshot(path=str(SHOTS / f"{name}-plot{i}.png"))


def test_pareto_page(chromium_browser, tmp_path):
    out = tmp_path / "pareto.html"
    result = run_cli("plot", "pareto", "--highlight", "0.75/160", "--highlight", "0.6/150",
                     "-o", str(out))
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
        titles = plot.evaluate("(div) => Array.from(div.querySelectorAll('.modebar-btn'),"
                               " (b) => b.getAttribute('data-title'))")
        assert "Download plot as a PNG" in titles
        assert not any("Share" in title or "Cloud" in title for title in titles)
        text = loaded.page.inner_text("body")
        assert "ImageNet top-1 accuracy vs mult-adds" in text
        assert "Pareto frontier" in text and "Large dm=1 (float)" in text  # the most accurate point on the frontier
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
        _shot(loaded, "pareto")
    finally:
        loaded.page.close()


def test_review_page_of_a_spec_with_a_script_layer_name(chromium_browser, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(XSS_SPEC)
    out = tmp_path / "review.html"
    result = run_cli("report", "--spec", str(spec), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    loaded = _open(chromium_browser, out, plots=2)
    try:
        assert loaded.console_errors == [] and loaded.dialogs == []
        assert _offline(loaded, out) == []
        body = loaded.page.inner_text("body")
        assert SCRIPT_NAME in body and "<b>bold</b>-net" in body
        assert loaded.page.locator("b", has_text="bold").count() == 0
        assert loaded.page.locator(".js-plotly-plot").count() == 2
        _shot(loaded, "review-spec")
    finally:
        loaded.page.close()


def test_review_page_of_a_paper_configuration(chromium_browser, tmp_path):
    out = tmp_path / "review.html"
    result = run_cli("report", "--alpha", "0.75", "--res", "160", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    loaded = _open(chromium_browser, out, plots=2)
    try:
        assert loaded.console_errors == [] and _offline(loaded, out) == []
        plots = loaded.page.locator(".js-plotly-plot")
        assert plots.nth(1).evaluate(_COUNT_PUBLISHED_MARKERS) == 77
        # The by-type chart: one bar per type and measure (4 types x 2) for this model.
        assert plots.nth(0).locator(".barlayer path").count() == 8
        body = loaded.page.inner_text("body")
        assert "0.29x the mult-adds" in body and "Reproduction of the paper" in body
        _shot(loaded, "review")
    finally:
        loaded.page.close()
