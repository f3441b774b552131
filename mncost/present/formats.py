"""The one table of output formats: each format's name, the file endings that ask for
it, what it is, and the layout of a report it wants. Commands list the formats they can
write; everything else (telling a format from ``-o FILE``'s ending, the errors, which
layout a view builds) reads this table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = [
    "CHARTED",
    "EXTENSIONS",
    "FIGURE_FORMATS",
    "FormatError",
    "LAYOUTS",
    "Layout",
    "REPORT_FORMATS",
    "format_from_path",
]

REPORT_FORMATS: tuple[str, ...] = ("table", "csv", "json", "markdown", "html")
"""Formats of a report (tables and notes), each with a renderer in mncost.present.render."""
Layout = Literal["terminal", "data", "document"]
"""How a view lays a report out for a format: ``terminal``, compact cells for a screen;
``data``, one value per field (a CSV's columns); ``document``, the readable cells of a
page (JSON, Markdown, HTML: JSON reads the payload, not the cells)."""
LAYOUTS: dict[str, Layout] = {
    "table": "terminal",
    "csv": "data",
    "json": "document",
    "markdown": "document",
    "html": "document",
}
"""Each report format's layout: a view asks for a layout, never for a format."""
assert tuple(LAYOUTS) == REPORT_FORMATS, "every report format has one layout"
CHARTED: frozenset[str] = frozenset({"html"})
"""The report formats that draw a page's charts inline: a view builds its figures (a
heatmap page's, say) only for these. Markdown shows charts as image files, which only
``mncost report`` writes."""
FIGURE_FORMATS: tuple[str, ...] = ("html", "png", "svg")
"""Formats of a figure: an offline HTML page, or an image drawn by kaleido."""

EXTENSIONS: dict[str, str] = {
    ".txt": "table",
    ".csv": "csv",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".png": "png",
    ".svg": "svg",
}
"""File ending -> format, for every format mncost writes."""


class FormatError(ValueError):
    """A file ending that names no format the command writes; the message lists them."""


def format_from_path(path: Path, allowed: tuple[str, ...]) -> str | None:
    """The format ``path``'s ending asks for, if the command writes it.

    None when the path has no ending (the caller decides: --format, or its default);
    FormatError for an ending the command cannot write.
    """
    suffix = path.suffix.lower()
    if not suffix:
        return None
    fmt = EXTENSIONS.get(suffix)
    if fmt in allowed:
        return fmt
    endings = ", ".join(e for e, f in EXTENSIONS.items() if f in allowed and e != ".htm")
    raise FormatError(f"unsupported file ending {suffix!r}; use one of {endings}")
