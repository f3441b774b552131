"""Writing figures: one offline HTML file (plotly.js inlined), or PNG/SVG through kaleido.

Nothing here fetches anything: HTML carries plotly.js inline and no MathJax; image
export runs kaleido with MathJax disabled (its default would load MathJax from a CDN)
and the plotly.js that ships with plotly. Every file is rendered in memory first and
then written atomically.

A figure is anything with plotly's ``to_dict()``: mncost's plain
:class:`~mncost.present.plotly_data.Figure` or a ``plotly.graph_objects.Figure``. The
HTML is written here, as plotly's ``to_html`` writes it, so that an HTML page never
imports plotly's Python package (only its plotly.js file is read).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mncost.present.plotly_data import FigureLike, figure_json, plotly_js
from mncost.present.style import PLOT_CONFIG

if TYPE_CHECKING:
    from mncost.present.model import Table

__all__ = [
    "IMAGE_FORMATS",
    "IMAGE_SCALE",
    "IMAGE_SIZE",
    "PlotOutputError",
    "check_writable",
    "figure_div",
    "figure_images",
    "figure_page",
    "figures_page",
    "plot_format",
    "plotly_script",
    "write_figure",
]

IMAGE_FORMATS: tuple[str, ...] = ("png", "svg")
IMAGE_SIZE = (1280, 720)
"""Width and height, in CSS pixels, of exported images (16:9, a slide's shape); a
figure's own layout width or height wins."""
IMAGE_SCALE = 2.0
"""Device pixels per CSS pixel in a PNG: 2 gives 2560 x 1440, sharp on a slide or a
high-density screen. The HTML page's "download as PNG" button uses it too."""

NEEDS_CHROMIUM = (
    "image export needs kaleido and a Chromium browser: install Chromium "
    "(e.g. `apt-get install chromium`) and `pip install kaleido`, "
    "or write .html instead"
)


class PlotOutputError(Exception):
    """A figure that cannot be written: bad ending, unwritable path, no image exporter."""


def plot_format(path: Path) -> str:
    """The format ``path``'s ending asks for; PlotOutputError names the supported ones."""
    from mncost.present.files import display_path
    from mncost.present.formats import FIGURE_FORMATS, FormatError, format_from_path
    from mncost.text import quote

    try:
        fmt = format_from_path(path, FIGURE_FORMATS)
    except FormatError as exc:
        raise PlotOutputError(f"cannot write {quote(display_path(path.name))}: {exc}") from None
    if fmt is None:
        raise PlotOutputError(
            f"cannot write {quote(display_path(path.name))}: no file ending; "
            "use .html, .png or .svg"
        )
    return fmt


def plotly_script() -> str:
    """plotly.js as one inline <script> element, for the <head> of a page."""
    js = plotly_js()
    # The minified bundle contains no "</script" to end the element; checked, not trusted.
    if re.search("</script", js, re.IGNORECASE):
        raise PlotOutputError("the installed plotly.js contains '</script': cannot inline it")
    return f'<script type="text/javascript">{js}</script>\n'


_DIV_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def _css_size(value: Any) -> str:
    """A div's width or height as plotly's to_html writes it: a number gets "px"."""
    try:
        float(value)
    except (ValueError, TypeError):
        return str(value)
    return f"{value}px"


def figure_div(fig: FigureLike, div_id: str, scale: float = IMAGE_SCALE) -> str:
    """A figure as a <div> plus the script that draws it (plotly.js must be on the page);
    its "download as PNG" button renders at ``scale``.

    The markup is plotly's ``fig.to_html(full_html=False, include_plotlyjs=False,
    include_mathjax=False, config=..., div_id=div_id)``, byte for byte, written without
    plotly: the outer div as wide and tall as the layout (or its template) says, in px,
    else 100%; the JSON strict and escaped (:func:`figure_json`).
    """
    if not _DIV_ID.match(div_id):
        raise ValueError(f"not an HTML id for a figure: {div_id!r}")
    config: dict[str, Any] = {
        **PLOT_CONFIG,
        "toImageButtonOptions": {"format": "png", "scale": scale},
    }
    config.setdefault("responsive", True)
    if not config.get("showSendToCloud", False):
        config.pop("plotlyServerURL", None)  # as plotly: no Plotly URL in the page
    figure = fig.to_dict()
    layout = figure.get("layout", {})
    template = layout.get("template", {}).get("layout", {})
    width = _css_size(layout.get("width", template.get("width", "100%")))
    height = _css_size(layout.get("height", template.get("height", "100%")))
    # plotly's to_html joins the lines of its templates with backslashes, keeping their
    # indents: the same spaces here, so that the page is the same bytes.
    script = _indented(
        (16, f'if (document.getElementById("{div_id}")) {{'),
        (20, "Plotly.newPlot("),
        (24, f'"{div_id}",'),
        (24, figure_json(figure.get("data", [])) + ","),
        (24, figure_json(layout) + ","),
        (24, json.dumps(config)),
        (20, ")"),
        (16, "}"),
    )
    return _indented(
        (0, f'<div style="height:{height}; width:{width};">'),
        (8, ""),  # where plotly puts MathJax (none)
        (8, ""),  # and plotly.js (on the page once, not in every figure)
        (12, f'<div id="{div_id}" class="plotly-graph-div" {_FILL}></div>'),
        (12, "<script>"),
        (16, "window.PLOTLYENV=window.PLOTLYENV || {};"),
        (16, script + ";"),
        (12, "</script>"),
        (8, "</div>"),
    )


_FILL = 'style="height:100%; width:100%;"'


def _indented(*lines: tuple[int, str]) -> str:
    return "".join(" " * indent + text for indent, text in lines)


def figure_page(
    fig: FigureLike,
    title: str,
    intro: str = "",
    notes: Sequence[str] = (),
    tables: Sequence[Table] = (),
    scale: float = IMAGE_SCALE,
) -> str:
    """A complete offline HTML page: title, a line of intro, the figure (its div's id
    ``plot``), tables, notes."""
    return figures_page({"plot": fig}, title, intro, notes, tables, scale)


def figures_page(
    figs: Mapping[str, FigureLike],
    title: str,
    intro: str = "",
    notes: Sequence[str] = (),
    tables: Sequence[Table] = (),
    scale: float = IMAGE_SCALE,
) -> str:
    """A complete offline HTML page: title, a line of intro, the figures (``figs``: each
    one's div id, in page order; plotly.js once for them all), tables, notes. The one
    writer of a figure page: :func:`figure_page` is its one-figure case."""
    from mncost.present.render import html_page, html_prose, html_table

    body = (
        (f'<p class="caption">{html_prose(intro)}</p>\n' if intro else "")
        + "\n".join(figure_div(fig, div_id, scale) for div_id, fig in figs.items())
        + "".join("\n" + html_table(t) for t in tables)
        + "".join(f'\n<p class="note">{html_prose(note)}</p>' for note in notes)
    )
    return html_page(title, body, head=plotly_script())


def figure_images(
    figs: Sequence[FigureLike],
    fmt: str,
    size: tuple[int, int] = IMAGE_SIZE,
    scale: float = IMAGE_SCALE,
) -> list[bytes]:
    """Render figures as PNG or SVG with one headless Chromium (kaleido), offline.

    Each image is ``size`` CSS pixels unless the figure's layout sets its own width or
    height, times ``scale`` device pixels per CSS pixel (an SVG scales its dimensions).
    """
    import asyncio

    if fmt not in IMAGE_FORMATS:
        raise PlotOutputError(f"unsupported image format {fmt!r}; use png or svg")
    try:
        import kaleido
    except ImportError:
        raise PlotOutputError(NEEDS_CHROMIUM) from None

    async def render() -> list[bytes]:
        async with kaleido.Kaleido(n=1, mathjax=False) as engine:
            images = []
            for fig in figs:
                figure = fig.to_dict()
                layout = figure.get("layout", {})
                width = layout.get("width") or size[0]
                height = layout.get("height") or size[1]
                images.append(
                    await engine.calc_fig(
                        figure,
                        opts={"format": fmt, "width": width, "height": height, "scale": scale},
                    )
                )
            return images

    try:
        return asyncio.run(render())
    except Exception as exc:  # kaleido's errors are plain RuntimeErrors with long texts
        text = str(exc)
        if (
            "chrome" in text.lower()
            or "browser" in text.lower()
            or isinstance(exc, (FileNotFoundError, PermissionError))
        ):
            raise PlotOutputError(NEEDS_CHROMIUM) from None
        first = next((line for line in text.splitlines() if line.strip()), type(exc).__name__)
        raise PlotOutputError(f"{fmt.upper()} export failed: {first.strip()}") from None


def write_figure(
    fig: FigureLike,
    path: Path,
    title: str,
    intro: str = "",
    notes: Sequence[str] = (),
    tables: Sequence[Table] = (),
    inputs: Mapping[Path, str] | None = None,
    size: tuple[int, int] = IMAGE_SIZE,
    scale: float = IMAGE_SCALE,
) -> str:
    """Write ``fig`` to ``path`` as its ending says; returns the format.

    .html is a page (``title``, ``intro``, the figure, ``tables``, ``notes``); .png and
    .svg are the figure alone, ``size`` CSS pixels (unless the figure sets its own) at
    ``scale``. ``path`` is never one of ``inputs`` (files the command reads, mapped to
    their option).
    """
    from mncost.present.files import OutputError, write_atomic

    fmt = plot_format(path)
    check_writable(path, inputs)
    content: str | bytes = (
        figure_page(fig, title, intro, notes, tables, scale)
        if fmt == "html"
        else figure_images([fig], fmt, size, scale)[0]
    )
    try:
        write_atomic(path, content, inputs)
    except OutputError as exc:
        raise PlotOutputError(str(exc)) from None
    return fmt


def check_writable(path: Path, inputs: Mapping[Path, str] | None = None) -> None:
    """Fail before the slow part (rendering an image) when ``path`` cannot be written."""
    from mncost.present.files import OutputError, check_output

    try:
        check_output(path, inputs)
    except OutputError as exc:
        raise PlotOutputError(str(exc)) from None
