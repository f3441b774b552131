"""The one table of output formats: each format's name, the file endings that ask for
it, and what it is. Commands list the formats they can write; everything else (telling a
format from ``-o FILE``'s ending, the errors) reads this table.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EXTENSIONS",
    "FIGURE_FORMATS",
    "FormatError",
    "REPORT_FORMATS",
    "format_from_path",
]

REPORT_FORMATS: tuple[str, ...] = ("table", "csv", "json", "markdown", "html")
"""Formats of a report (tables and notes), each with a renderer in mncost.present.render."""
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
