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

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mncost.present.figure_html import IMAGE_SCALE, PlotOutputError, figure_div, plotly_script
from mncost.present.files import OutputError, check_output, display_path, write_atomic
from mncost.present.formats import FIGURE_FORMATS, FormatError, format_from_path
from mncost.present.model import Report, Section, Table, code_spans
from mncost.present.plotly_data import FigureLike
from mncost.present.render import render
from mncost.text import quote

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
    "figures_report",
    "plot_format",
    "plotly_script",
    "write_figure",
]

IMAGE_FORMATS: tuple[str, ...] = ("png", "svg")
IMAGE_SIZE = (1280, 720)
"""Width and height, in CSS pixels, of exported images (16:9, a slide's shape); a
figure's own layout width or height wins."""
NEEDS_CHROMIUM = (
    "image export needs kaleido and a Chromium browser: install Chromium "
    "(e.g. `apt-get install chromium`) and `pip install kaleido`, "
    "or write .html instead"
)


def plot_format(path: Path) -> str:
    """The format ``path``'s ending asks for; PlotOutputError names the supported ones."""
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
    one's div id, in page order; plotly.js once for them all), tables, notes: the
    :func:`figures_report` rendered by the format table. :func:`figure_page` is its
    one-figure case."""
    return render(figures_report(figs, title, intro, notes, tables, scale), "html")


def figures_report(
    figs: Mapping[str, FigureLike],
    title: str,
    intro: str = "",
    notes: Sequence[str] = (),
    tables: Sequence[Table] = (),
    scale: float = IMAGE_SCALE,
) -> Report:
    """A figure page as a report in parts: untitled sections holding the intro and each
    figure (keyed by its div id), then the tables and the notes (mncost's words,
    `backticks` as code)."""
    keys = list(figs)
    sections = [
        Section(
            title="",
            tables=[],
            intro=code_spans(intro) if intro and n == 0 else (),
            figure=key,
        )
        for n, key in enumerate(keys)
    ]
    rest = Section(title="", tables=list(tables), notes=[code_spans(note) for note in notes])
    if not sections:
        rest.intro = code_spans(intro) if intro else ()
    sections.append(rest)
    report = Report.in_parts(title, sections, {key: _given(fig) for key, fig in figs.items()})
    report.figure_scale = scale
    return report


def _given(fig: FigureLike) -> Callable[[], FigureLike]:
    return lambda: fig


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
    try:
        check_output(path, inputs)
    except OutputError as exc:
        raise PlotOutputError(str(exc)) from None
