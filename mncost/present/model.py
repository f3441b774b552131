"""The format-neutral report: titled tables of raw values plus notes, and how each column
shows its cells.

Commands build a :class:`Report` from their results (through a view in
:mod:`mncost.present.views`); :mod:`mncost.present.render` turns it into text in any
format. Cells hold raw values (ints, strings, None); each column says how to show them, so
CSV and JSON keep exact ints while terminal, Markdown and HTML show readable numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "Align",
    "Code",
    "Column",
    "Command",
    "PAGE_ROWS",
    "Prose",
    "Report",
    "Rows",
    "Section",
    "Table",
    "code_spans",
    "plain",
]

Align = Literal["left", "right", "center"]


def _show(value: Any) -> str:
    kind = type(value)
    if kind is int:  # the usual cells: a count, a name
        return f"{value:,}"
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column: its header, alignment, and how a cell's raw value is shown."""

    header: str
    align: Align = "left"
    show: Callable[[Any], str] = _show
    data_only: bool = False
    """Kept in CSV (and other data formats) but left out of the human-readable tables."""
    csv_header: str | None = None
    """Header used in CSV (a machine-friendly name); defaults to ``header``."""
    short_header: str | None = None
    """Header used in narrow terminals (under 100 columns); defaults to ``header``."""
    hide_rank: int | None = None
    """In a terminal too narrow for every column, columns with a rank are hidden, lowest
    first, until the rest fit (a note says so); None: never hidden."""

    def shown(self, values: Iterable[Any]) -> list[str]:
        """Every value of the column as :attr:`show` shows it. The default's usual cells
        (counts and names) are shown without a call each: a 100,000-row column."""
        if self.show is not _show:
            return list(map(self.show, values))
        return [f"{v:,}" if type(v) is int else v if type(v) is str else _show(v) for v in values]


PAGE_ROWS = 2_000
"""The most rows of one table a page (HTML, Markdown) lists: past it, the first so many
and a note on where every row is (a 100,000-layer spec's table would be a 26 MB page, more
than a browser lays out at ease). The data formats (CSV, JSON) list every row."""


class Rows:
    """Rows made as they are read (a sweep's 250,000 records): iterable again and again,
    with a length, never held whole. CSV and JSON stream them; another renderer that
    needs a list gets one (``rows + footer``)."""

    def __init__(self, length: int, make: Callable[[], Iterator[Any]]) -> None:
        self._length = length
        self._make = make

    def __iter__(self) -> Iterator[Any]:
        return self._make()

    def __len__(self) -> int:
        return self._length

    def __add__(self, other: list[Any]) -> list[Any]:
        return [*self, *other]


@dataclass
class Table:
    """A titled table: columns, body rows and optional footer rows (e.g. totals)."""

    title: str
    columns: list[Column]
    rows: list[list[Any]] | Rows
    footer: list[list[Any]] = field(default_factory=list)
    caption: str = ""


@dataclass(frozen=True)
class Code:
    """A command, flag or file name in prose: shown as code, never broken inside."""

    text: str


@dataclass(frozen=True)
class Command:
    """A command line in prose, as its words (each already as a shell needs it typed):
    shown as code that breaks only between words."""

    words: tuple[str, ...]


Prose = tuple[str | Code | Command, ...]
"""A paragraph: plain text (escaped wherever it is shown) and code, in order."""


def plain(prose: Prose) -> str:
    """The paragraph as plain text (code as its bare text): for alt text, the terminal
    and tests."""
    return "".join(
        part
        if isinstance(part, str)
        else part.text
        if isinstance(part, Code)
        else " ".join(part.words)
        for part in prose
    )


def code_spans(text: str) -> Prose:
    """mncost's own text with `backtick` spans as :class:`Code` (for messages such as
    "install Chromium (e.g. `apt-get install chromium`)"); never for a user's text."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code, the text as it is
        return (text,)
    return tuple(Code(part) if i % 2 else part for i, part in enumerate(parts) if part)


@dataclass
class Section:
    """One part of a page in parts: a heading, a line of intro, tables, a figure, notes.

    An untitled section is a stretch of its page with no heading of its own (a figure
    page's intro and chart, then its tables and notes)."""

    title: str
    tables: list[Table]
    intro: Prose = ()
    figure: str | None = None
    """The key of its chart in :attr:`Report.figures` (None: no chart)."""
    figure_alt: str = ""
    """What the chart shows, in words: an image's alt text, or why it is left out."""
    notes: list[Prose] = field(default_factory=list)
    level: int = 2
    """Heading level: 2 for a part of the page, 3 for a part of the part before it."""
    interactive_notes: list[Prose] = field(default_factory=list)
    """Notes that hold only where the figure is interactive (HTML: "hover a point")."""
    static_notes: list[Prose] = field(default_factory=list)
    """Notes that replace those under a static image (Markdown's PNG) or none."""


@dataclass
class Report:
    """What a command prints: a heading, tables, notes, and the JSON payload; or a page
    in parts (:attr:`sections`, the design review), which every format renders too."""

    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    data: Any = None
    """The JSON payload, or a function of no arguments that builds it (so that a large
    result builds it only when JSON is written); when None, JSON is built from the
    tables. Read it through :meth:`payload`."""
    csv_table: int = 0
    """Which table CSV writes (CSV holds one table)."""
    sections: list[Section] = field(default_factory=list)
    """A page in parts, each with a heading, prose, tables and a chart. HTML and
    Markdown lay them out; the other formats read :attr:`tables` and :attr:`notes`,
    which a page in parts holds as well (:meth:`in_parts` fills them)."""
    figures: dict[str, Callable[[], Any]] = field(default_factory=dict)
    """The charts of the sections by key, each built when a page draws it (plain
    figure data, :class:`~mncost.present.plotly_data.Figure`)."""
    closing: Prose = ()
    """A last line: who made the page, how and when (HTML's footer)."""
    images: dict[str, str] = field(default_factory=dict)
    """Markdown: the image file, next to the page, of each chart by key; a chart
    without one is left out, with :attr:`missing` saying why."""
    missing: str = ""
    """Markdown: why the charts without an image are left out (mncost's own words,
    `backticks` as code)."""
    figure_scale: float | None = None
    """HTML: the device pixels per CSS pixel of each chart's "download as PNG" button
    (None: the default, :data:`~mncost.present.figure_html.IMAGE_SCALE`)."""

    @classmethod
    def in_parts(
        cls,
        title: str,
        sections: list[Section],
        figures: dict[str, Callable[[], Any]],
        closing: Prose = (),
    ) -> Report:
        """A page in parts, its tables and notes also flat for the formats without
        sections (terminal, CSV, JSON)."""
        tables = [replace(t, title=t.title or s.title) for s in sections for t in s.tables]
        notes = [plain(n) for s in sections for n in (*s.notes, *s.static_notes)]
        return cls(
            title=title,
            tables=tables,
            notes=notes + ([plain(closing)] if closing else []),
            sections=sections,
            figures=figures,
            closing=closing,
        )

    def payload(self) -> Any:
        """The JSON payload (built now if it was given as a function), or None."""
        return self.data() if callable(self.data) else self.data


# A formula trigger (= + - @, tab, CR) at the start of a cell, or after a character that
# some spreadsheet splits cells at (, ; tab |), spaces allowed between: a spreadsheet
# whose separator is ';' opens "conv;=1+2" as two cells, the second a formula.
