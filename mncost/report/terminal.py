"""Rich terminal rendering of a :class:`~mncost.report.tabular.Report`."""

from __future__ import annotations

import io
import os
import sys

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from mncost.report.tabular import Report

__all__ = ["render_terminal"]


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
        rich_table = RichTable(
            title=table.title or None, title_justify="left", title_style="bold",
            box=box.SIMPLE_HEAD, show_footer=False, pad_edge=False,
            caption=table.caption or None, caption_justify="left",
        )
        cols = [i for i, c in enumerate(table.columns) if not c.data_only]
        for i in cols:
            col = table.columns[i]
            rich_table.add_column(col.header, justify=col.align,
                                  no_wrap=col.align == "right", overflow="fold")
        for row in table.rows:
            rich_table.add_row(*(table.columns[i].show(row[i]) for i in cols))
        if table.footer and table.rows:
            rich_table.add_section()
        for row in table.footer:
            rich_table.add_row(*(table.columns[i].show(row[i]) for i in cols), style="bold")
        console.print(rich_table)
    for note in report.notes:
        console.print(Text(note, style="dim"))
    return buffer.getvalue()
