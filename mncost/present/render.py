"""One renderer per output format, picked from one table (:data:`RENDERERS`).

Renderers only format: they never compute a figure. Every text that came from a user is
shown with its control characters escaped (:func:`mncost.text.escape_controls`), HTML
is escaped, Markdown cannot start a block, and CSV cells that a spreadsheet would run as
a formula are neutralised.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mncost.present.formats import REPORT_FORMATS
from mncost.present.model import Code, Command, Prose, Report, Rows, Section, Table, code_spans
from mncost.text import CONTROL_CLASS, escape_controls, html_escape, printable_ascii

__all__ = [
    "HTML_STYLE",
    "RENDERERS",
    "csv_safe",
    "html_prose",
    "html_page",
    "html_table",
    "html_text",
    "render",
    "render_pieces",
]


_FORMULA = re.compile(r"(^|[,;\t|])( *)([=+\-@\t\r])")


def csv_safe(value: Any) -> Any:
    """Neutralize text a spreadsheet would run as a formula: "'" before each trigger.

    Only text is touched: ints and floats are never quoted or altered.
    """
    if isinstance(value, str):
        return _FORMULA.sub(r"\1\2'\3", value)
    return value


# Any character that escape_controls or csv_safe would change: most cells have none, and
# one search is cheaper than two substitutions (a 100,000-layer table has 1.5 M cells).
_CSV_TOUCHED = re.compile(f"[{CONTROL_CLASS}=+\\-@]")


def _csv_value(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        return value
    if kind is str:
        return csv_safe(escape_controls(value)) if _CSV_TOUCHED.search(value) else value
    if value is None:
        return ""
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, str):
        return csv_safe(escape_controls(value))
    return value


def _visible(table: Table) -> list[int]:
    return [i for i, c in enumerate(table.columns) if not c.data_only]


_ROWS_PER_PIECE = 2000
"""A streamed CSV or JSON is written this many rows at a time."""


def _csv_pieces(report: Report) -> Iterator[str]:
    table = report.tables[report.csv_table]
    out = io.StringIO()
    import csv  # lazy: only CSV needs it, and `mncost table` starts without it

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_csv_value(c.csv_header or c.header) for c in table.columns])
    for n, row in enumerate(table.rows, 1):
        writer.writerow([v if type(v) is int else _csv_value(v) for v in row])
        if n % _ROWS_PER_PIECE == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _render_csv(report: Report) -> str:
    return "".join(_csv_pieces(report))


def _json_cell(value: Any) -> Any:
    # A table's raw cell as JSON: a Fraction (a share) or a Decimal (a published figure
    # as printed) is a number; every other cell is JSON's own already.
    if isinstance(value, (Fraction, Decimal)):
        return float(value)
    return value


def _table_json(table: Table) -> list[dict[str, Any]]:
    keys = [c.csv_header or c.header for c in table.columns]
    return [dict(zip(keys, map(_json_cell, row))) for row in table.rows]


# json.dumps escapes C0 controls (ESC is \u001b) but, with ensure_ascii=False, leaves
# DEL, C1 controls (0x9b is a one-byte CSI), line separators and format characters (bidi
# controls, zero width space) raw. They can occur only inside JSON strings, so escaping
# them keeps the data exactly; one beyond U+FFFF is written as its surrogate pair. (C0
# is left out: json.dumps has escaped it in strings, and the layout's newlines are C0.)
_JSON_RAW = re.compile(f"(?![\x00-\x1f])[{CONTROL_CLASS}]")


def _json_escape(match: re.Match[str]) -> str:
    return json.dumps(match.group(), ensure_ascii=True)[1:-1]


def _json(value: Any, indent: int | None) -> str:
    # allow_nan=False: a NaN or an infinity anywhere is a bug to fail loudly on, never
    # "NaN" in a file that strict parsers refuse.
    text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    return _JSON_RAW.sub(_json_escape, text)


def _json_pieces(report: Report) -> Iterator[str]:
    """The JSON text in pieces. A top-level value that is :class:`Rows` (a sweep's
    250,000 records) is written one record per line as it is made, never held whole."""
    data = report.payload()
    if data is None:
        data = {t.title: _table_json(t) for t in report.tables}
    streams: dict[str, Rows] = {}
    if isinstance(data, dict) and any(isinstance(v, Rows) for v in data.values()):
        marks = {}
        for key, value in data.items():
            if isinstance(value, Rows):
                mark = f"\x00mncost-rows-{len(streams)}"  # no user text holds a NUL
                streams[json.dumps(mark)] = value
                marks[key] = mark
        data = {**data, **marks}
    text = _json(data, 2)
    for mark, rows in streams.items():
        head, text = text.split(mark, 1)
        yield head + "["
        batch: list[str] = []
        for n, row in enumerate(rows):
            batch.append(("\n    " if n == 0 else ",\n    ") + _json(row, None))
            if len(batch) == _ROWS_PER_PIECE:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + ("\n  ]" if len(rows) else "]")
    yield text + "\n"


def _render_json(report: Report) -> str:
    return "".join(_json_pieces(report))


def render_pieces(report: Report, fmt: str) -> Iterator[str]:
    """``render(report, fmt)`` in pieces, for writing as it is rendered: CSV and JSON
    a few thousand rows at a time, the other formats whole."""
    if fmt == "csv":
        return _csv_pieces(report)
    if fmt == "json":
        return _json_pieces(report)
    return iter([render(report, fmt)])


def _md_cell(text: str) -> str:
    # Controls first: a CR or line separator would end the line (a new heading, a split
    # table), an ESC reach the terminal of whoever cats the file.
    text = escape_controls(text)
    # GitHub and most doc tools render inline HTML and emphasis: escape what could fire.
    text = html_escape(text, quote=False)
    for char in ("\\", "|", "*", "`", "[", "]"):
        text = text.replace(char, "\\" + char)
    # Intraword underscores (conv_0) are inert in GFM; only word-edge ones can emphasize.
    return re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)


def _md_block(text: str) -> str:
    """A paragraph's text (a caption, a note): a cell's escapes, and none of its start
    may open a heading or a list ("# x", "- x", "1. x")."""
    text = re.sub(r"^(\s*)([#+=-])", r"\1\\\2", _md_cell(text))
    return re.sub(r"^(\s*[0-9]+)([.)])", r"\1\\\2", text)


def _render_markdown(report: Report) -> str:
    if report.sections:
        return _markdown_in_parts(report)
    lines = [f"# {_md_cell(report.title)}", ""]
    for table in report.tables:
        cols = _visible(table)
        if table.title:
            lines += [f"## {_md_cell(table.title)}", ""]
        lines.append("| " + " | ".join(_md_cell(table.columns[i].header) for i in cols) + " |")
        rule = {"left": ":---", "right": "---:", "center": ":---:"}
        lines.append("| " + " | ".join(rule[table.columns[i].align] for i in cols) + " |")
        for row in table.rows:
            lines.append(
                "| " + " | ".join(_md_cell(table.columns[i].show(row[i])) for i in cols) + " |"
            )
        for row in table.footer:
            lines.append(
                "| "
                + " | ".join(
                    f"**{_md_cell(table.columns[i].show(row[i]))}**"
                    if row[i] not in (None, "")
                    else ""
                    for i in cols
                )
                + " |"
            )
        if table.caption:
            lines += ["", _md_block(table.caption)]
        lines.append("")
    for note in report.notes:
        lines += [f"> {_md_block(note)}", ""]
    return "\n".join(lines).rstrip() + "\n"


_HTML_SPECIAL = "&<>\"'"
_HTML_TOUCHED = re.compile(f"[{CONTROL_CLASS}{_HTML_SPECIAL}]")


def html_text(text: str) -> str:
    """User text in HTML: controls shown escaped, then markup escaped."""
    if _HTML_TOUCHED.search(text) is None:  # most cells: nothing to escape
        return text
    return html_escape(escape_controls(text))


_CODE = re.compile(r"`([^`<>]{1,200})`")


def html_prose(text: str) -> str:
    """A note or caption in HTML: as :func:`html_text`, and a command in backticks
    (`mncost memory`) set as code, never shown with its backticks."""
    return _CODE.sub(r"<code>\1</code>", html_escape(escape_controls(text)))


# A page is at most 88em (1,232 px) wide, so that a wide table (published's 14 columns)
# fits a 1,280 px window; prose stays at 60em and plots at 72em, widths that read well.
HTML_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:88em;padding:0 1em;color:#1b1f24}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}
th,td{padding:.25em .4em;border-bottom:1px solid #d6dae0;text-align:left;vertical-align:top;
overflow-wrap:break-word}
th{background:#f3f5f8;border-bottom:2px solid #b8bfc9;vertical-align:bottom}
td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}
td.r,td.k{white-space:nowrap}
td.c,th.c{text-align:center}
tfoot td{font-weight:600;border-top:2px solid #b8bfc9}
.caption,.note{color:#4a5260;max-width:60em}
.plotly-graph-div{max-width:72em}
.note{border-left:3px solid #b8bfc9;padding-left:.8em}
code{font:.92em ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
white-space:nowrap;background:#f3f5f8;border-radius:3px;padding:.05em .3em}
code.command{white-space:normal}code.command span{white-space:nowrap}
h3{font-size:1.02em;margin-top:1.3em}
footer{margin-top:3em;padding-top:.8em;border-top:1px solid #d6dae0;color:#4a5260;
font-size:.9em}
footer p{overflow-x:auto}
""".strip()


# How HTML tables wrap. Numbers never wrap; prose (a note, a description) wraps between
# words. A label column is kept on one line: short texts ("Table 2", "Stanford Dogs",
# "% mult-adds") and names ("mobilenet-v3-small-minimalistic", which a browser would
# otherwise break after a hyphen, making one name read as two). In prose, a path is one
# long word that would set its column's least width: it may break after a "/" between
# names (<wbr> adds no character, so a copy gives the path back).
_LABEL_CHARS = 20
"""Texts up to this long are labels; so is any single word that is not a path."""
_PATH_CHARS = 16
_PATH_BREAK = re.compile(r"(?<=\w/)(?=\w)")


def _is_label(text: str) -> bool:
    return len(text) <= _LABEL_CHARS or (len(text.split()) == 1 and "/" not in text)


def _labels(texts: list[str]) -> bool:
    # Every text a label; most columns of labels are short throughout, which max() says
    # at C speed.
    return max(map(len, texts), default=0) <= _LABEL_CHARS or all(map(_is_label, texts))


def _prose(text: str) -> str:
    """Prose as HTML (controls and markup escaped), a <wbr> after each "/" of a path."""
    return "".join(
        "<wbr>".join(html_escape(piece) for piece in _PATH_BREAK.split(token))
        if len(token) >= _PATH_CHARS
        else html_escape(token)
        for token in re.split(r"(\s+)", escape_controls(text))
    )


def html_table(table: Table) -> str:
    """One table as an HTML fragment, every cell escaped."""
    cols = _visible(table)
    body = list(zip(*(table.rows + table.footer)))  # by column: each value once
    shown = {i: table.columns[i].shown(body[i]) if body else [] for i in cols}
    kind = {"left": "", "right": "r", "center": "c"}
    cls = {i: kind[table.columns[i].align] for i in cols}
    cls.update({i: "k" for i in cols if not cls[i] and _labels(shown[i])})
    attr = {i: f' class="{cls[i]}"' if cls[i] else "" for i in cols}
    parts = []
    if table.title:
        parts.append(f"<h2>{html_text(table.title)}</h2>")
    parts.append(
        "<table><thead><tr>"
        + "".join(f"<th{attr[i]}>{html_text(table.columns[i].header)}</th>" for i in cols)
        + "</tr></thead><tbody>"
    )

    def cells(i: int) -> list[str]:
        # A column's cells at once: one search settles a column with nothing to escape
        # (the pattern matches single characters, so it finds in the joined text
        # exactly what it finds cell by cell).
        texts = shown[i]
        if not cls[i]:
            return [_prose(t) for t in texts]
        joined = "".join(texts)
        if not printable_ascii(joined, _HTML_SPECIAL) and _HTML_TOUCHED.search(joined):
            return [html_text(t) for t in texts]
        return texts

    n = len(table.rows)
    # One template per row: a 100,000-row table formats each row once, without a string
    # per cell.
    row = "<tr>" + "".join(f"<td{attr[i]}>{{}}</td>" for i in cols) + "</tr>"
    rows = (
        list(map(row.format, *map(cells, cols)))
        if cols
        else ["<tr></tr>"] * (n + len(table.footer))
    )
    parts += rows[:n]
    parts.append("</tbody>")
    if table.footer:
        parts.append("<tfoot>" + "".join(rows[n:]) + "</tfoot>")
    parts.append("</table>")
    if table.caption:
        parts.append(f'<p class="caption">{html_prose(table.caption)}</p>')
    return "\n".join(parts)


def html_page(title: str, body: str, head: str = "") -> str:
    """A complete, self-contained HTML page (inline CSS, no external requests)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_text(title)}</title>\n<style>{HTML_STYLE}</style>\n{head}"
        f"</head><body>\n<h1>{html_text(title)}</h1>\n{body}\n</body></html>\n"
    )


def _render_html(report: Report) -> str:
    if report.sections:
        return _html_in_parts(report)
    body = "\n".join(html_table(t) for t in report.tables)
    body += "".join(f'\n<p class="note">{html_prose(n)}</p>' for n in report.notes)
    return html_page(report.title, body)


def _render_terminal(report: Report, width: int | None = None, color: bool | None = None) -> str:
    from mncost.present.terminal import render_terminal  # rich: only on this path

    return render_terminal(report, width=width, color=color)


# --- a page in parts (the design review) ------------------------------------------------


def _html_part(part: str | Code | Command) -> str:
    if isinstance(part, str):
        return html_text(part)
    if isinstance(part, Code):
        return f"<code>{html_text(part.text)}</code>"
    words = " ".join(f"<span>{html_escape(escape_controls(w))}</span>" for w in part.words)
    return f'<code class="command">{words}</code>'


def _html_paragraph(prose: Prose) -> str:
    return "".join(map(_html_part, prose))


def _html_section(report: Report, section: Section) -> str:
    # lazy: every report loads this module; only a page with figures needs this one
    from mncost.present.figure_html import IMAGE_SCALE, figure_div

    level = section.level
    titled = bool(section.title)
    parts = [f"<section>\n<h{level}>{html_text(section.title)}</h{level}>"] if titled else []
    if section.intro:
        parts.append(f'<p class="caption">{_html_paragraph(section.intro)}</p>')
    parts.extend(html_table(table) for table in section.tables)
    if section.figure is not None:  # the chart's div is named by its key
        scale = report.figure_scale or IMAGE_SCALE
        parts.append(figure_div(report.figures[section.figure](), section.figure, scale))
    notes = section.notes + section.interactive_notes
    parts.extend(f'<p class="note">{_html_paragraph(note)}</p>' for note in notes)
    if titled:
        parts.append("</section>")
    return "\n".join(parts)


def _html_in_parts(report: Report) -> str:
    """A page in parts as one offline HTML page: plotly.js inlined once for its charts,
    the closing line as a footer."""
    from mncost.present.figure_html import plotly_script  # lazy: as figure_div above

    parts = [_html_section(report, section) for section in report.sections]
    if report.closing:
        parts.append(f"<footer>\n<p>{_html_paragraph(report.closing)}</p>\n</footer>")
    charts = any(section.figure is not None for section in report.sections)
    return html_page(report.title, "\n".join(parts), head=plotly_script() if charts else "")


def _md_text(text: str) -> str:
    # A cell's escaping for a line of prose. It loses nothing at the ends: the spaces
    # that join this text to the code around it stay.
    match = re.fullmatch(r"(\s*)(.*?)(\s*)", text, re.DOTALL)
    assert match is not None
    lead, core, trail = match.groups()
    return lead + _md_cell(core) + trail if core else text


def _md_code(text: str) -> str:
    # A code span shows its text literally; its fence is longer than any run of
    # backticks inside, and a space pads text that starts or ends with one.
    text = escape_controls(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_part(part: str | Code | Command) -> str:
    if isinstance(part, str):
        return _md_text(part)
    return _md_code(part.text if isinstance(part, Code) else " ".join(part.words))


def _md_paragraph(prose: Prose) -> str:
    text = "".join(map(_md_part, prose))
    # A paragraph must not open a block: a heading, a list, a rule.
    text = re.sub(r"^(\s*)([#+=>-])", r"\1\\\2", text)
    return re.sub(r"^(\s*[0-9]+)([.)])", r"\1\\\2", text)


def _markdown_in_parts(report: Report) -> str:
    """A page in parts as Markdown: each chart as the image :attr:`Report.images` names
    (next to the page), or left out with :attr:`Report.missing` saying why; the notes
    that hold under a static image; the closing line after a rule."""
    from urllib.parse import quote

    parts = [f"# {_md_text(report.title)}"]
    for section in report.sections:
        if section.title:
            parts.append(f"{'#' * section.level} {_md_text(section.title)}")
        if section.intro:
            parts.append(_md_paragraph(section.intro))
        if section.tables:
            body = _render_markdown(Report(title="", tables=section.tables))
            parts.append(body.split("\n", 1)[1].strip())  # drop the untitled "# " line
        if section.figure is not None:
            alt = section.figure_alt
            if section.figure in report.images:
                parts.append(f"![{alt}]({quote(report.images[section.figure])})")
            else:
                reason = code_spans(report.missing) if report.missing else ("no image",)
                parts.append(_md_paragraph((f"Chart left out ({alt.lower()}): ", *reason, ".")))
        # A PNG (or no chart) cannot be hovered: the static notes stand in.
        parts.extend(f"> {_md_paragraph(note)}" for note in section.notes + section.static_notes)
    if report.closing:
        parts += ["---", _md_paragraph(report.closing)]
    return "\n\n".join(parts) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "table": _render_terminal,
    "csv": _render_csv,
    "json": _render_json,
    "markdown": _render_markdown,
    "html": _render_html,
}
assert tuple(RENDERERS) == REPORT_FORMATS, "every report format has one renderer"


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in format ``fmt`` (one of FORMATS)."""
    return RENDERERS[fmt](report)
