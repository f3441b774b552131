"""The audit itself: every published cost cell with mncost's figure, the gap and a status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mncost.analysis.reproduce.compute import COST_QUANTITIES, Evidence, evaluate
from mncost.analysis.reproduce.status import CONVENTION, MATCH, STATUSES, classify
from mncost.sources.paper_cells import PAPER_CITATION, cite, published_cells, published_tables

__all__ = ["ReproCell", "TableSummary", "reproduce", "summarize"]


@dataclass(frozen=True)
class ReproCell:
    """One published cost cell, mncost's figure for it, and the verdict."""

    table: str
    row: str
    column: str
    document: str
    unit: str
    published: Decimal
    published_text: str
    computed: Fraction | None
    """In the published unit (e.g. millions), exact; None if not computable."""
    computed_exact: int | None
    """The exact count behind it (MACs or params), if any."""
    status: str
    note: str
    quantity: str = ""
    """What the cell measures (see mncost.sources.QUANTITIES)."""
    basis: str = ""
    """What mncost counted for it, in words ("" if not computable)."""
    reading: str = ""
    """How the row was read when it is not the plain 1000-class ImageNet MobileNet
    (e.g. "120-way classifier (Stanford Dogs)"); "" otherwise."""

    @property
    def diff(self) -> Fraction | None:
        """Computed minus published, in the published unit."""
        if self.computed is None:
            return None
        return self.computed - Fraction(self.published)

    @property
    def diff_percent(self) -> Fraction | None:
        """The difference as a percentage of the published value."""
        if self.diff is None or not self.published:
            return None
        return self.diff / Fraction(self.published) * 100

    def to_dict(self) -> dict[str, Any]:
        """Plain data: numbers as numbers (the exact count as an int).

        ``diff`` is computed - published in the published unit and ``diff_percent`` that
        difference as a percentage of the published value (the sign convention of every
        mncost comparison: positive means mncost counts more). ``citation`` names the
        publication and table the cell is printed in; the transcription it was read from
        is left out (a reader does not have it).
        """

        def number(value: Fraction | Decimal | None) -> float | int | None:
            if value is None:
                return None
            if isinstance(value, Fraction) and value.denominator == 1:
                return value.numerator
            if isinstance(value, Decimal) and value == value.to_integral_value():
                return int(value)
            return float(value)

        return {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "published": number(self.published),
            "published_text": self.published_text,
            "computed": number(self.computed),
            "computed_exact": self.computed_exact,
            "unit": self.unit,
            "quantity": self.quantity,
            "diff": number(self.diff),
            "diff_percent": number(self.diff_percent),
            "status": self.status,
            "note": self.note,
            "basis": self.basis,
            "reading": self.reading,
            "citation": cite(self.table),
        }


def _audit(evidence: Evidence, table: Sequence[Evidence]) -> ReproCell:
    cell, computed = evidence.cell, evidence.computed
    status, note = classify(evidence, table)
    reading = computed.remark if computed else ""
    if cell.publication != PAPER_CITATION:
        # The report's notes say cells are the MobileNets paper's; this one is not, so its
        # note and reading (a match's footnote) name the publication it is printed in.
        where = f" [printed in {cell.citation}]"
        note += where
        reading += where if reading else ""
    return ReproCell(
        table=cell.table,
        row=cell.row,
        column=cell.column,
        document=cell.document,
        unit=cell.unit,
        published=cell.value,
        published_text=cell.text,
        computed=computed.value if computed else None,
        computed_exact=computed.exact if computed else None,
        status=status,
        note=note,
        quantity=cell.quantity,
        basis=computed.basis if computed else "",
        reading=reading,
    )


def reproduce(tables: Sequence[str] | None = None) -> list[ReproCell]:
    """Audit every published cost cell of ``tables`` (forgiving names; default: all, the
    paper's and then the other publications' audited beside it, the MobileNetV2 paper's
    Table 6)."""
    evidence = [
        evaluate(cell) for cell in published_cells(tables) if cell.quantity in COST_QUANTITIES
    ]
    by_table: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_table.setdefault(item.cell.table, []).append(item)
    return [_audit(item, by_table[item.cell.table]) for item in evidence]


@dataclass(frozen=True)
class TableSummary:
    """How one table's cost cells fared (``table`` is "All" for the total)."""

    table: str
    cells: int
    counts: dict[str, int] = field(default_factory=dict)
    """Status -> number of cells; every status in STATUSES is present."""

    @property
    def reproduced(self) -> int:
        """Cells mncost reproduces at the printed precision (match or convention)."""
        return self.counts.get(MATCH, 0) + self.counts.get(CONVENTION, 0)


def summarize(cells: Sequence[ReproCell]) -> list[TableSummary]:
    """Per table (in the paper's order, then the other publications'), then a final
    "All" row."""
    order = {name: i for i, name in enumerate(published_tables())}
    tables = sorted({cell.table for cell in cells}, key=lambda name: order.get(name, 99))

    def summary(name: str, group: Sequence[ReproCell]) -> TableSummary:
        counts = {status: 0 for status in STATUSES}
        for cell in group:
            counts[cell.status] = counts.get(cell.status, 0) + 1
        return TableSummary(name, len(group), counts)

    rows = [summary(name, [c for c in cells if c.table == name]) for name in tables]
    return rows + [summary("All", cells)]
