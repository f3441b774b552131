"""Rich terminal rendering of a :class:`~mncost.report.tabular.Report`."""

from __future__ import annotations

import io
import os
import sys

from rich import box
from rich.console import Console, Group
from rich.table import Table as RichTable
from rich.text import Text

from mncost.report.tabular import Report, Table

__all__ = ["render_terminal"]


def _layout(table: Table, cols: list[int], headers: dict[int, str],
            width: int) -> tuple[int, list[int], list[int]]:
    """Pick the column gap and the columns to show so the table fits ``width``."""
    cells = {i: [table.columns[i].show(row[i]) for row in table.rows + table.footer]
             for i in cols}
    content = {i: max([len(headers[i]), *(len(c) for c in cells[i])]) for i in cols}
    hideable = sorted((i for i in cols if table.columns[i].hide_rank is not None),
                      key=lambda i: table.columns[i].hide_rank or 0)
    for gap in (3, 2, 1):
        shown = list(cols)
        for i in [None, *hideable]:
            if i is not None:
                shown.remove(i)
            if sum(content[j] + gap for j in shown) - gap <= width:
                if i is None or gap == 1:
                    return gap, shown, [content[j] for j in shown]
                break
    return 1, shown, [content[j] for j in shown]


def _rich_table(table: Table, width: int) -> RichTable | Group:
    """One table sized to ``width``: numbers are never cut. Where not every column fits,
    the widest gap that fits is used, then hideable columns go (with a note), and only
    then do text columns fold."""
    narrow = width < 100
    cols = [i for i, c in enumerate(table.columns) if not c.data_only]
    headers = {i: (table.columns[i].short_header or table.columns[i].header) if narrow
               else table.columns[i].header for i in cols}
    gap, shown, widths = _layout(table, cols, headers, width)
    fits = sum(widths) + gap * (len(shown) - 1) <= width
    hidden = [headers[i] for i in cols if i not in shown]
    rich_table = RichTable(
        title=table.title or None, title_justify="left", title_style="bold",
        box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, gap - 1, 0, 0),
        caption=table.caption or None, caption_justify="left",
    )
    for i, content in zip(shown, widths):
        col = table.columns[i]
        numeric = col.align == "right"
        # Widths count the padding (gap - 1); the box adds a one-character divider.
        rich_table.add_column(headers[i], justify=col.align, no_wrap=fits or numeric,
                              overflow="fold",
                              width=content + gap - 1 if fits or numeric else None)
    for row in table.rows:
        rich_table.add_row(*(table.columns[i].show(row[i]) for i in shown))
    if table.footer and table.rows:
        rich_table.add_section()
    for row in table.footer:
        rich_table.add_row(*(table.columns[i].show(row[i]) for i in shown), style="bold")
    if not hidden:
        return rich_table
    note = Text(f"(hidden to fit {width} columns: {', '.join(hidden)}; widen the terminal "
                "or use --format csv/markdown/html for every column)", style="dim")
    return Group(rich_table, note)


def render_terminal(report: Report, width: int | None = None, color: bool | None = None) -> str:
    """The report as terminal text: colour only when writing to a terminal."""
    if color is None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    buffer = io.StringIO()
    if width is None:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError):
            width = int(os.environ.get("COLUMNS", "0") or 0) or 120
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color,
                      highlight=False, emoji=False, markup=False)
    console.print(Text(report.title, style="bold"))
    for table in report.tables:
        console.print(_rich_table(table, width))
    for note in report.notes:
        console.print(Text(note, style="dim"))
    # Rich pads every line to the full width; trailing blanks only get in the way of a paste.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
