"""The format-neutral report: titled tables of raw values plus notes, and how each column
shows its cells.

Commands build a :class:`Report` from their results (through a view in
:mod:`mncost.present.views`); :mod:`mncost.present.render` turns it into text in any
format. Cells hold raw values (ints, strings, None); each column says how to show them, so
CSV and JSON keep exact ints while terminal, Markdown and HTML show readable numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Align", "Column", "Report", "Rows", "Table"]

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


@dataclass
class Report:
    """What a command prints: a heading, tables, notes, and the JSON payload."""

    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    data: Any = None
    """The JSON payload, or a function of no arguments that builds it (so that a large
    result builds it only when JSON is written); when None, JSON is built from the
    tables. Read it through :meth:`payload`."""
    csv_table: int = 0
    """Which table CSV writes (CSV holds one table)."""

    def payload(self) -> Any:
        """The JSON payload (built now if it was given as a function), or None."""
        return self.data() if callable(self.data) else self.data


# A formula trigger (= + - @, tab, CR) at the start of a cell, or after a character that
# some spreadsheet splits cells at (, ; tab |), spaces allowed between: a spreadsheet
# whose separator is ';' opens "conv;=1+2" as two cells, the second a formula.
