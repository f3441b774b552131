"""The ``mncost reproduce`` report: the audited cells, the summary and the misprints.

Three layouts of the same figures: ``terminal`` (notes become numbered footnotes in
their own table, where they can use the full width), ``document`` for Markdown and HTML
(a Note column), and ``data`` for CSV (exact values, one row per cell). JSON is the list
of cell objects in every layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from mncost.analysis.reproduce.audit import ReproCell, TableSummary
from mncost.analysis.reproduce.status import MATCH, STATUSES, show
from mncost.present.formats import Layout
from mncost.present.model import Column, Report, Table
from mncost.sources.misprints import Misprint

__all__ = ["reproduce_report", "unit_label"]

_NOTES = [
    "Published: as printed in Howard et al. 2017, arXiv:1704.04861 (MobileNets), in the "
    "table named; the rows of V2 Table 6 as printed in Sandler et al. 2018, "
    "arXiv:1801.04381 (MobileNetV2), Table 6. Computed: mncost's exact count with its "
    "default conventions (mult-adds "
    "= MACs of conv and FC layers; params = conv weights + FC weights and bias; batch norm "
    "not counted; each model's own channel rounding: round(c*alpha) for MobileNet v1) of "
    "the model each row names (the note says how a row was read). Published, Computed and "
    "Δ are in "
    "the Unit shown (M = million, B = billion, % = share of the model's total).",
    "Δ = mncost - published (positive: mncost counts more); Δ % = Δ / published x 100. "
    "`mncost published` signs its gaps the same way.",
    "Status: match = equal at the printed precision; convention = equal under a stated "
    "counting convention (named in the note); close = within 1% (or a truncated figure), "
    "with the likely cause; erratum = the printed figure is demonstrably wrong (why in the "
    "note); differs = unexplained; not computable = the paper does not define the model. "
    "Reproduced = match + convention.",
]


def unit_label(unit: str) -> str:
    """A short unit for a table cell: "M mult-adds", "B mult-adds", "% params"."""
    for word, letter in (("million ", "M "), ("billion ", "B "), ("% of ", "% ")):
        if unit.startswith(word):
            return letter + unit.removeprefix(word)
    return unit


def _places(cell: ReproCell) -> int:
    exponent = cell.published.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _signed(value: Fraction | None, places: int) -> str:
    if value is None:
        return ""
    text = show(abs(value), places)
    return text if float(text.replace(",", "")) == 0 else ("-" if value < 0 else "+") + text


def _footnotes(cells: Sequence[ReproCell]) -> tuple[list[str], list[str]]:
    """Per cell its footnote mark ("" for none), and the footnotes: each note once.

    A cell gets a footnote for its note unless it is a plain match; a match whose row was
    read in a particular way (another classifier width, a variant) gets that reading.
    Cells of one table with the same text share one footnote.
    """
    keys: list[tuple[str, str] | None] = []
    for cell in cells:
        if cell.status != MATCH:
            keys.append((cell.table, cell.note))
        elif cell.reading:
            keys.append((cell.table, f"read as {cell.reading}"))
        else:
            keys.append(None)
    numbers: dict[tuple[str, str], int] = {}
    for key in keys:
        if key is not None and key not in numbers:
            numbers[key] = len(numbers) + 1
    texts = []
    for (table, text), _ in sorted(numbers.items(), key=lambda item: item[1]):
        sharing = [cell for cell, key in zip(cells, keys) if key == (table, text)]
        rows = list(dict.fromkeys(cell.row for cell in sharing))
        if len(sharing) == 1:
            where = f"{table}, {sharing[0].row}, {sharing[0].column}"
        elif len(rows) == 1:
            where = f"{table}, {rows[0]}"
        else:
            where = f"{table} ({', '.join(rows)})"
        texts.append(f"{where}: {text}")
    marks = ["" if key is None else f"[{numbers[key]}]" for key in keys]
    return marks, texts


def _cell_table(cells: Sequence[ReproCell], compact: bool) -> tuple[Table, list[str]]:
    """The cells as people read them; in ``compact`` form notes become footnotes."""
    marks, footnotes = _footnotes(cells) if compact else ([c.note for c in cells], [])
    rows = []
    for cell, note in zip(cells, marks):
        places = _places(cell)
        rows.append(
            [
                cell.table,
                cell.row,
                cell.column,
                unit_label(cell.unit),
                cell.published_text,
                None if cell.computed is None else show(cell.computed, places + 2),
                _signed(cell.diff, places + 2),
                "" if cell.diff_percent is None else _signed(cell.diff_percent, 2) + "%",
                cell.status,
                note,
            ]
        )
    columns = [
        Column("Table", show=lambda name: str(name).removeprefix("Table "))
        if compact
        else Column("Table"),
        Column("Row"),
        Column("Column", data_only=compact),
        Column("Unit"),
        Column("Published", "right", short_header="Paper"),
        Column("Computed", "right", short_header="mncost"),
        Column("Δ (mncost - pub.)", "right", short_header="Δ", hide_rank=1),
        Column("Δ % of pub.", "right", short_header="Δ %"),
        Column("Status"),
        Column("Note"),
    ]
    return Table(title="Published cost cells vs mncost", columns=columns, rows=rows), footnotes


_DATA_FIELDS = [
    "table",
    "row",
    "column",
    "unit",
    "quantity",
    "published_text",
    "published",
    "computed",
    "computed_exact",
    "diff",
    "diff_percent",
    "status",
    "note",
    "basis",
    "reading",
    "citation",
]


def _data_table(cells: Sequence[ReproCell]) -> Table:
    """One row per cell with exact values, for CSV (numbers as numbers)."""
    rows = [
        [record[name] for name in _DATA_FIELDS] for record in (cell.to_dict() for cell in cells)
    ]
    return Table(title="cells", columns=[Column(name) for name in _DATA_FIELDS], rows=rows)


def _summary_table(summaries: Sequence[TableSummary]) -> Table:
    short = {"convention": "conv.", "not computable": "n/comp."}
    columns = [
        Column("Table", csv_header="table"),
        Column("Cells", "right", csv_header="cells"),
        Column("Reproduced", "right", short_header="Repr.", csv_header="reproduced"),
    ]
    columns += [
        Column(status, "right", short_header=short.get(status), csv_header=status)
        for status in STATUSES
    ]
    rows = [
        [s.table, s.cells, s.reproduced, *(s.counts.get(status, 0) for status in STATUSES)]
        for s in summaries
        if s.table != "All"
    ]
    footer = [
        [s.table, s.cells, s.reproduced, *(s.counts.get(status, 0) for status in STATUSES)]
        for s in summaries
        if s.table == "All"
    ]
    return Table(title="Summary", columns=columns, rows=rows, footer=footer)


def _misprint_table(misprints: Sequence[Misprint], compact: bool) -> Table:
    title = "Misprints outside the cost cells"
    if compact:
        return Table(
            title=title,
            columns=[Column("#"), Column("Finding")],
            rows=[
                [
                    i,
                    f'{m.table}, {m.where}: printed "{m.printed}", correct '
                    f'"{m.correct}". {m.why} [{m.publication}]',
                ]
                for i, m in enumerate(misprints, start=1)
            ],
        )
    return Table(
        title=title,
        columns=[
            Column("Source"),
            Column("Where"),
            Column("Printed"),
            Column("Correct"),
            Column("Why"),
        ],
        rows=[[m.citation, m.where, m.printed, m.correct, m.why] for m in misprints],
    )


def reproduce_report(
    cells: Sequence[ReproCell],
    summaries: Sequence[TableSummary],
    misprints: Sequence[Misprint],
    layout: Layout = "document",
) -> Report:
    """The report in one of three layouts (see the module docstring).

    ``terminal``: cells, numbered notes, summary, misprints, sized for a terminal;
    ``document``: the same with notes inline (Markdown, HTML); ``data``: one table of
    exact values per cell (CSV). JSON is always the list of cell objects.
    """
    data = [cell.to_dict() for cell in cells]
    title = "The MobileNets paper's cost figures, reproduced by mncost"
    if layout == "data":
        return Report(title=title, tables=[_data_table(cells)], data=data)
    compact = layout == "terminal"
    cell_table, footnotes = _cell_table(cells, compact)
    tables = [cell_table]
    if footnotes:
        tables.append(
            Table(
                title="Notes",
                columns=[Column("#", "right"), Column("Note")],
                rows=[[f"[{i}]", text] for i, text in enumerate(footnotes, 1)],
            )
        )
    tables += [_summary_table(summaries), _misprint_table(misprints, compact)]
    return Report(title=title, tables=tables, notes=list(_NOTES), data=data)
