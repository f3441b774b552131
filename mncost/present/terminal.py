"""Terminal rendering of a :class:`~mncost.present.model.Report`, styled through rich.

The grid is laid out here rather than by ``rich.table``: the layout is then exact and
predictable (numbers are never cut or wrapped, whatever the width; text wraps between
words, and a word is cut only when nothing else makes it fit) and rendering stays
cheap, which matters for the CLI's start-up time. Rich adds the styles (bold headers and
totals, dim notes) when writing to a terminal; piped or written to a file, the same
lines are plain text and rich is not imported at all.
"""

from __future__ import annotations

import io
import os
import re
import sys
import textwrap
from collections.abc import Callable, Sequence

from mncost.present.model import Report, Table
from mncost.text import ascii_fallback, can_encode, escape_controls

__all__ = ["compose", "fold_cell", "render_terminal", "word_pieces"]

Styled = tuple[str, "str | None"]
"""A line of text and the rich style it is shown in (None: plain)."""

_MIN_TEXT_WIDTH = 4

# Where a word may break when it is longer than its column, as a typesetter would break
# a name or a path: after an inner hyphen, dot, underscore, colon or slash that is
# followed by a letter ("mult-" / "adds", "Mixed_7b." / "branch3x3_2a",
# "nets/" / "mobilenet_v1.md"), never between digits ("1.0", "64-192").
_BREAK = re.compile(r"(?<=\w[-._:/])(?=[^\W\d_])|(?<=\w/)(?=\w)")


def word_pieces(word: str) -> list[str]:
    """A word cut at each of its break points (one piece if it has none)."""
    return [piece for piece in _BREAK.split(word) if piece]


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _longest_piece(text: str) -> int:
    return max((len(piece) for word in text.split() for piece in word_pieces(word)), default=0)


def fold_cell(text: str, width: int) -> list[str]:
    """Split a text cell into lines of at most ``width`` characters, between words.

    A word longer than ``width`` breaks at its break points (after an inner "-", ".",
    "_", ":" or "/"), and is cut only where a piece is itself longer than ``width``.
    """
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) <= width:
            line += " " + word
            continue
        if line:
            lines.append(line)
        line = ""
        if len(word) <= width:
            line = word
            continue
        for piece in word_pieces(word):
            if len(line) + len(piece) <= width:
                line += piece
                continue
            if line:
                lines.append(line)
            while len(piece) > width:
                lines.append(piece[:width])
                piece = piece[width:]
            line = piece
    return lines + ([line] if line else [])


class _Texts:
    """A table's headers and cells exactly as they will be shown, before any layout.

    User text (a layer or model name) may hold control characters, and the output
    stream may not encode mncost's own "α" or "─": both are settled here, so the
    widths the layout measures are the widths printed.
    """

    def __init__(self, table: Table, show: Callable[[str], str]) -> None:
        columns = table.columns
        self.headers = [show(c.header) for c in columns]
        self.short = [show(c.short_header or c.header) for c in columns]
        n = len(table.rows)
        body = table.rows + table.footer
        values = list(zip(*body)) if body else [() for _ in columns]  # by column, at once
        by_column = []
        for i, c in enumerate(columns):
            texts = c.shown(values[i])
            # Most columns are plain ASCII (numbers, names): one check settles them all.
            joined = "".join(texts)
            if not (joined.isascii() and joined.isprintable()):
                texts = list(map(show, texts))
            by_column.append(texts)
        shown_rows: list[Sequence[str]] = list(zip(*by_column)) if columns else [() for _ in body]
        self.rows = shown_rows[:n]
        self.footer = shown_rows[n:]
        self.widest = [max(map(len, texts), default=0) for texts in by_column]
        """Per column, the length of its longest cell (headers aside)."""


def _layout(
    table: Table, texts: _Texts, width: int
) -> tuple[list[int], list[str], list[int], int, list[str]]:
    """Columns to show, their headers and widths, the gap, and the headers hidden.

    Tries, in order, until the table fits ``width``:

    1. every column at full width, with the widest gap (3, 2, then 1 space) that fits;
    2. hiding the columns that have a ``hide_rank``, lowest first (the view's choice);
    3. narrowing text columns, widest first, down to their longest word, so that they
       wrap between words; then down to their longest piece, so that a long name
       breaks only at its separators ("mult-" / "adds", "Mixed_7b." / "branch_3a");
    4. hiding more columns from the right, text before numbers, never the first;
    5. only then cutting words, of the one column left, to fit.

    Number columns always keep their full width: a number is never cut or wrapped.
    """
    cols = [i for i, c in enumerate(table.columns) if not c.data_only]
    headers = texts.short if width < 100 else texts.headers
    content = {i: max(len(headers[i]), texts.widest[i]) for i in cols}
    is_text = {i: table.columns[i].align != "right" for i in cols}
    cut = {i: min(content[i], _MIN_TEXT_WIDTH) if is_text[i] else content[i] for i in cols}

    def need(shown: list[int], widths: dict[int, int], gap: int) -> int:
        return sum(widths[i] for i in shown) + gap * (len(shown) - 1)

    def result(
        shown: list[int], gap: int, *floors: dict[int, int]
    ) -> tuple[list[int], list[str], list[int], int, list[str]]:
        # Narrow the widest column first, to each floor in turn: a column goes below its
        # longest word only once every column is down to its own.
        widths = {i: content[i] for i in shown}
        excess = need(shown, widths, gap) - width
        for floor in floors:
            while excess > 0:
                narrowable = [i for i in shown if widths[i] > floor[i]]
                if not narrowable:
                    break
                widths[max(narrowable, key=lambda i: widths[i])] -= 1
                excess -= 1
        hidden = [texts.headers[i] for i in cols if i not in shown]
        return shown, [headers[i] for i in shown], [widths[i] for i in shown], gap, hidden

    for gap in (3, 2, 1):
        if need(cols, content, gap) <= width:
            return result(cols, gap, content)
    # Only a table that does not fit measures its words and pieces (a long table's cells
    # are many, and most tables fit).
    cells = {i: [headers[i], *(row[i] for row in texts.rows + texts.footer)] for i in cols}
    words = {i: max(map(_longest_word, cells[i])) if is_text[i] else content[i] for i in cols}
    pieces = {i: max(map(_longest_piece, cells[i])) if is_text[i] else content[i] for i in cols}
    shown = list(cols)
    for i in sorted(
        (i for i in cols if table.columns[i].hide_rank is not None),
        key=lambda i: table.columns[i].hide_rank or 0,
    ):
        shown.remove(i)
        if need(shown, content, 1) <= width:
            return result(shown, 2 if need(shown, content, 2) <= width else 1, content)
    rest = shown[1:][::-1]
    for i in [i for i in rest if is_text[i]] + [i for i in rest if not is_text[i]]:
        for gap, floors in ((2, (words,)), (1, (words,)), (1, (words, pieces))):
            if need(shown, floors[-1], gap) <= width:
                return result(shown, gap, *floors)
        shown.remove(i)
    if need(shown, pieces, 1) <= width:
        return result(shown, 1, words, pieces)
    return result(shown, 1, words, pieces, cut)


def _grid(table: Table, width: int, show: Callable[[str], str], rule: str) -> list[Styled]:
    texts = _Texts(table, show)
    shown, headers, widths, gap, hidden = _layout(table, texts, width)
    aligns = [table.columns[i].align for i in shown]
    justify = [
        str.rjust if a == "right" else str.center if a == "center" else str.ljust for a in aligns
    ]
    spacer = " " * gap

    # Each column at least as wide as its widest cell: every row is one line, laid out by
    # one format string (str.center and format's "^" split odd padding differently, so
    # a centred column keeps str.center).
    one_line = all(w >= texts.widest[i] for i, w in zip(shown, widths))
    row_format = (
        None
        if "center" in aligns
        else spacer.join(f"{{:{'>' if a == 'right' else '<'}{w}}}" for a, w in zip(aligns, widths))
    )

    def line(cells: list[str]) -> list[str]:
        if one_line and row_format is not None:
            return [row_format.format(*cells).rstrip()]
        if one_line or all(len(cell) <= w for cell, w in zip(cells, widths)):
            return [spacer.join([j(c, w) for j, c, w in zip(justify, cells, widths)]).rstrip()]
        folded = [
            fold_cell(cell, w) if a != "right" else [cell]
            for cell, w, a in zip(cells, widths, aligns)
        ]
        out = []
        for n in range(max(len(f) for f in folded)):
            parts = []
            for f, w, a in zip(folded, widths, aligns):
                piece = f[n] if n < len(f) else ""
                parts.append(
                    piece.rjust(w)
                    if a == "right"
                    else piece.center(w)
                    if a == "center"
                    else piece.ljust(w)
                )
            out.append((" " * gap).join(parts).rstrip())
        return out

    total = sum(widths) + gap * (len(widths) - 1)
    out: list[Styled] = []
    if table.title:
        out.append((show(table.title), "bold"))
    out += [(text, "bold") for text in line(headers)]
    out.append((rule * total, None))
    if one_line and row_format is not None:  # one format call per row
        every = shown == list(range(len(table.columns)))
        out += [
            (row_format.format(*(row if every else [row[i] for i in shown])).rstrip(), None)
            for row in texts.rows
        ]
    else:
        for row in texts.rows:
            out += [(text, None) for text in line([row[i] for i in shown])]
    if texts.footer:
        out.append((rule * total, None))
    for row in texts.footer:
        out += [(text, "bold") for text in line([row[i] for i in shown])]
    if table.caption:
        out += _wrapped(show(table.caption), width, None)
    if hidden:
        out += _wrapped(
            f"(hidden to fit {width} columns: {', '.join(hidden)}; widen the "
            "terminal or use --format csv/markdown/html for every column)",
            width,
            "dim",
        )
    return out


def _wrapped(text: str, width: int, style: str | None) -> list[Styled]:
    return [
        (piece, style)
        for piece in textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
        or [""]
    ]


def compose(report: Report, width: int, encoding: str = "utf-8") -> list[Styled]:
    """The report as lines of at most ``width`` characters, each with a rich style name.

    Control characters in any text show escaped (ESC as ``\\x1b``), and what
    ``encoding`` cannot represent shows as ASCII ("α" as "alpha", the rule as "-").
    """

    def show(text: str) -> str:
        if text.isascii() and text.isprintable():  # nothing to escape, nothing to replace
            return text
        return ascii_fallback(escape_controls(text), encoding)

    rule = "─" if can_encode("─", encoding) else "-"
    lines: list[Styled] = _wrapped(show(report.title), width, "bold")
    for table in report.tables:
        lines.append(("", None))
        lines += _grid(table, width, show, rule)
    if report.notes:
        lines.append(("", None))
    for note in report.notes:
        lines += _wrapped(show(note), width, "dim")
    return lines


def _terminal_width() -> int:
    # A terminal may report 0 columns (e.g. under `script`); then COLUMNS, then 120.
    try:
        columns = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            columns = 0
    return columns if columns > 0 else 120


def render_terminal(
    report: Report, width: int | None = None, color: bool | None = None, encoding: str | None = None
) -> str:
    """The report as terminal text; styled (bold, dim) only when writing to a terminal.

    The layout is the same either way; rich is imported only to add the styles.
    ``encoding`` is what the text will be written in: by default stdout's, so a
    Latin-1 or ASCII locale gets ASCII stand-ins rather than an encoding error.
    """
    if color is None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if width is None:
        width = _terminal_width()
    if encoding is None:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    lines = compose(report, max(width, 20), encoding)
    if not color:
        return "".join(text.rstrip() + "\n" for text, _ in lines)
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=True, highlight=False, emoji=False, markup=False
    )
    for text, style in lines:
        console.print(Text(text.rstrip(), style=style or ""), no_wrap=True, crop=False)
    return buffer.getvalue()
