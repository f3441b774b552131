"""Terminal rendering of a :class:`~mncost.report.tabular.Report`, styled through rich.

The grid is laid out here rather than by ``rich.table``: the layout is then exact and
predictable (numbers are never cut or wrapped, whatever the width) and rendering stays
cheap, which matters for the CLI's start-up time. Rich supplies the styling (bold
headers and totals, dim notes) and colour only when writing to a terminal.
"""

from __future__ import annotations

import io
import os
import sys

from rich.console import Console
from rich.text import Text

from mncost.report.tabular import Report, Table

__all__ = ["render_terminal"]

_MIN_TEXT_WIDTH = 4


def _fold(text: str, width: int) -> list[str]:
    """Split a text cell into lines of at most ``width`` characters, at spaces if it can."""
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    while len(text) > width:
        cut = text.rfind(" ", 1, width + 1)
        cut = cut if cut > 0 else width
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return lines + ([text] if text else [])


def _layout(table: Table, width: int) -> tuple[list[int], list[str], list[int], int, list[str]]:
    """Columns to show, their headers and widths, the gap, and the headers hidden.

    Prefers every column with the widest gap (3, 2, then 1 space) that fits; then hides
    columns that have a ``hide_rank``, lowest first; only then narrows text columns
    (which fold). Number columns always keep their full width.
    """
    narrow = width < 100
    cols = [i for i, c in enumerate(table.columns) if not c.data_only]
    headers = {i: (table.columns[i].short_header or table.columns[i].header) if narrow
               else table.columns[i].header for i in cols}
    content = {i: max([len(headers[i]), *(len(table.columns[i].show(row[i]))
                                          for row in table.rows + table.footer)])
               for i in cols}
    hideable = sorted((i for i in cols if table.columns[i].hide_rank is not None),
                      key=lambda i: table.columns[i].hide_rank or 0)

    def need(shown: list[int], gap: int) -> int:
        return sum(content[i] for i in shown) + gap * (len(shown) - 1)

    choice: tuple[list[int], int] | None = None
    for gap in (3, 2, 1):
        if need(cols, gap) <= width:
            choice = (cols, gap)
            break
    if choice is None:
        shown = list(cols)
        for i in hideable:
            shown.remove(i)
            if need(shown, 1) <= width:
                choice = (shown, 2 if need(shown, 2) <= width else 1)
                break
        else:
            choice = (shown, 1)
    shown, gap = choice
    widths = [content[i] for i in shown]
    excess = need(shown, gap) - width
    if excess > 0:  # still too wide: narrow the text columns, widest first
        text_cols = [k for k, i in enumerate(shown) if table.columns[i].align != "right"]
        while excess > 0:
            k = max(text_cols, key=lambda k: widths[k], default=None)
            if k is None or widths[k] <= _MIN_TEXT_WIDTH:
                break
            widths[k] -= 1
            excess -= 1
    hidden = [table.columns[i].header for i in cols if i not in shown]
    return shown, [headers[i] for i in shown], widths, gap, hidden


def _grid(table: Table, width: int) -> tuple[Text, Text | None]:
    shown, headers, widths, gap, hidden = _layout(table, width)
    aligns = [table.columns[i].align for i in shown]

    def line(cells: list[str]) -> list[str]:
        folded = [_fold(cell, w) if a != "right" else [cell]
                  for cell, w, a in zip(cells, widths, aligns)]
        out = []
        for n in range(max(len(f) for f in folded)):
            parts = []
            for f, w, a in zip(folded, widths, aligns):
                piece = f[n] if n < len(f) else ""
                parts.append(piece.rjust(w) if a == "right" else
                             piece.center(w) if a == "center" else piece.ljust(w))
            out.append((" " * gap).join(parts).rstrip())
        return out

    total = sum(widths) + gap * (len(widths) - 1)
    text = Text()
    if table.title:
        text.append(table.title + "\n", style="bold")
    for row_text in line(headers):
        text.append(row_text + "\n", style="bold")
    text.append("─" * total + "\n")
    for row in table.rows:
        for row_text in line([table.columns[i].show(row[i]) for i in shown]):
            text.append(row_text + "\n")
    if table.footer:
        text.append("─" * total + "\n")
    for row in table.footer:
        for row_text in line([table.columns[i].show(row[i]) for i in shown]):
            text.append(row_text + "\n", style="bold")
    if table.caption:
        text.append(table.caption + "\n")
    text.rstrip()
    if not hidden:
        return text, None
    return text, Text(f"(hidden to fit {width} columns: {', '.join(hidden)}; widen the "
                      "terminal or use --format csv/markdown/html for every column)",
                      style="dim")


def render_terminal(report: Report, width: int | None = None, color: bool | None = None) -> str:
    """The report as terminal text: colour only when writing to a terminal."""
    if color is None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if width is None:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            width = int(os.environ.get("COLUMNS", "0") or 0) or 120
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      highlight=False, emoji=False, markup=False)
    console.print(Text(report.title, style="bold"))
    for table in report.tables:
        console.print()
        grid, hidden_note = _grid(table, width)
        console.print(grid, no_wrap=True, overflow="ignore", crop=False)
        if hidden_note is not None:
            console.print(hidden_note)
    if report.notes:
        console.print()
    for note in report.notes:
        console.print(Text(note, style="dim"))
    # Trailing blanks only get in the way of a paste.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
