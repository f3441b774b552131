"""The paper's published table cells, loaded from ``mncost/data/paper_tables.csv``.

The CSV holds every cell of Tables 2-14 that has a cost or accuracy figure, transcribed
as printed, with the document it was read from. This module only reads it: it types
each cell's text as an exact :class:`~decimal.Decimal` and checks that the text agrees
with its unit. Nothing computed is ever stored here.

It also holds a few cells of other publications that the paper's figures are audited
beside (:data:`PUBLICATIONS`): the MobileNetV2 paper's Table 6 (Sandler et al. 2018),
its detectors' costs. Their tables are named with the publication's prefix ("V2 Table
6"); :func:`paper_cells` and :func:`paper_tables` are the MobileNets paper's alone,
:func:`published_cells` and :func:`published_tables` every publication's.

Provenance has two levels. The transcription a cell was read from (``document``) stays
in the data, so a test can check the cell against it; what mncost *shows* is the
publication itself (:data:`PAPER_CITATION`, :func:`cite`), which a user can look up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

__all__ = [
    "PAPER_CITATION",
    "PaperDataError",
    "PublishedCell",
    "QUANTITIES",
    "UnknownTableError",
    "PUBLICATIONS",
    "cite",
    "normalize_table",
    "paper_cells",
    "paper_tables",
    "parse_cells",
    "publication",
    "published_cells",
    "published_tables",
    "split_table",
]

QUANTITIES: tuple[str, ...] = (
    "mult_adds",
    "params",
    "accuracy",
    "mult_adds_share",
    "params_share",
    "latency",
    "other",
)
"""What a cell measures; cost cells are the first two and the two shares; a latency is
in ms, on the device its unit names."""

PAPER_CITATION = "Howard et al. 2017, arXiv:1704.04861"
"""The paper every cell is printed in ("MobileNets: Efficient Convolutional Neural Networks
for Mobile Vision Applications"), as outputs cite it."""


PUBLICATIONS: dict[str, str] = {"V2": "Sandler et al. 2018, arXiv:1801.04381"}
"""Other publications with cells here, by the prefix of their table names: "V2 Table 6"
is Table 6 of the MobileNetV2 paper ("MobileNetV2: Inverted Residuals and Linear
Bottlenecks")."""


def split_table(table: str) -> tuple[str, str]:
    """("V2", "Table 6") for "V2 Table 6"; ("", table) for the MobileNets paper's."""
    prefix, _, rest = table.partition(" ")
    return (prefix, rest) if prefix in PUBLICATIONS and rest else ("", table)


def publication(table: str) -> str:
    """The publication a table (or section) is printed in: "V2 Table 6" -> "Sandler et al.
    2018, arXiv:1801.04381"; the MobileNets paper's -> :data:`PAPER_CITATION`."""
    prefix, _ = split_table(table)
    return PUBLICATIONS[prefix] if prefix else PAPER_CITATION


def cite(where: str = "") -> str:
    """The paper, and optionally where in it: cite("Table 7") ->
    "Howard et al. 2017, arXiv:1704.04861, Table 7"; another publication's table by its
    prefix: cite("V2 Table 6") -> "Sandler et al. 2018, arXiv:1801.04381, Table 6"."""
    if not where:
        return PAPER_CITATION
    return f"{publication(where)}, {split_table(where)[1]}"


_FIELDS = ["document", "table", "row", "column", "text", "unit", "quantity"]

# A printed number, optionally followed by %, a magnitude letter ("0.58M", "5.74B") or
# "ms" ("270ms").
_NUMBER = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<suffix>%|M|B|ms)?$")
# The magnitude letter must agree with the unit the cell is filed under.
_SUFFIX_UNIT = {"M": "million ", "B": "billion "}


class PaperDataError(ValueError):
    """The packaged paper data is malformed (a bug in mncost's data, not user input)."""


class UnknownTableError(ValueError):
    """A table name that names none of the paper's encoded tables."""


@dataclass(frozen=True)
class PublishedCell:
    """One printed cell of one of the paper's tables."""

    document: str
    """The transcription the cell was read from (a file in shared/paper/, e.g.
    "001_ee45856d9e240888.txt", or the issue that quotes another publication's cells):
    data for checking the cell, never shown; outputs cite :attr:`citation`."""
    table: str
    """"Table 6"; another publication's with its prefix, "V2 Table 6"."""
    row: str
    """Row label as printed, e.g. "0.75 MobileNet-224"."""
    column: str
    """Column header as printed, e.g. "Million Mult-Adds"."""
    text: str
    """The value exactly as printed: "290", "1.32", "70.6%", "0.58M"."""
    value: Decimal
    """The printed number (percent sign or magnitude letter stripped), exact."""
    unit: str
    """"million mult-adds", "million params", "% of mult-adds", "% top-1 (ImageNet)", ..."""
    quantity: str
    """One of QUANTITIES."""

    @property
    def citation(self) -> str:
        """Where the cell is printed, as outputs cite it: "Howard et al. 2017,
        arXiv:1704.04861, Table 6" (or "Sandler et al. 2018, arXiv:1801.04381, Table 6"
        for "V2 Table 6")."""
        return cite(self.table)

    @property
    def publication(self) -> str:
        """The publication the cell is printed in (authors, year, arXiv id)."""
        return publication(self.table)

    @property
    def places(self) -> int:
        """Decimal places printed: the precision a computed figure is compared at."""
        exponent = self.value.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0


def _parse_value(text: str, unit: str, where: str) -> Decimal:
    match = _NUMBER.match(text)
    if match is None:
        raise PaperDataError(f"{where}: cannot read {text!r} as a number")
    suffix = match["suffix"]
    if suffix == "%" and not unit.startswith("%"):
        raise PaperDataError(f"{where}: {text!r} is a percentage but the unit is {unit!r}")
    if suffix == "ms" and not unit.startswith("ms "):
        raise PaperDataError(f"{where}: {text!r} is a time but the unit is {unit!r}")
    if suffix in _SUFFIX_UNIT and not unit.startswith(_SUFFIX_UNIT[suffix]):
        raise PaperDataError(f"{where}: {text!r} does not agree with the unit {unit!r}")
    try:
        return Decimal(match["number"])
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise PaperDataError(f"{where}: cannot read {text!r} as a number") from None


def parse_cells(text: str) -> tuple[PublishedCell, ...]:
    """Published cells from the text of a CSV in the layout of ``data/paper_tables.csv``;
    PaperDataError, naming the row, for a cell that does not read as its unit says."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames != _FIELDS:
        raise PaperDataError(
            f"paper_tables.csv: expected columns {_FIELDS}, got {reader.fieldnames}"
        )
    cells: list[PublishedCell] = []
    seen: set[tuple[str, str, str]] = set()
    for number, record in enumerate(reader, start=2):
        where = f"paper_tables.csv record {number}"
        if any(not (record[name] or "").strip() for name in _FIELDS):
            raise PaperDataError(f"{where}: every field must be filled in")
        if record["quantity"] not in QUANTITIES:
            raise PaperDataError(f"{where}: unknown quantity {record['quantity']!r}")
        key = (record["table"], record["row"], record["column"])
        if key in seen:
            raise PaperDataError(f"{where}: {key} is given twice")
        seen.add(key)
        cells.append(
            PublishedCell(
                document=record["document"],
                table=record["table"],
                row=record["row"],
                column=record["column"],
                text=record["text"],
                value=_parse_value(record["text"], record["unit"], where),
                unit=record["unit"],
                quantity=record["quantity"],
            )
        )
    return tuple(cells)


@cache
def _all_cells() -> tuple[PublishedCell, ...]:
    folder = resources.files("mncost").joinpath("sources").joinpath("data")
    data = folder.joinpath("paper_tables.csv")
    return parse_cells(data.read_text(encoding="utf-8"))


def _table_key(name: str) -> tuple[int, int]:
    """The MobileNets paper's tables first, then each other publication's, by number."""
    prefix, rest = split_table(name)
    order = 0 if not prefix else 1 + list(PUBLICATIONS).index(prefix)
    return order, int(rest.split()[-1])


def published_tables() -> list[str]:
    """Every encoded table: the paper's ("Table 2" .. "Table 14"), then the other
    publications' ("V2 Table 6")."""
    names = dict.fromkeys(cell.table for cell in _all_cells())
    return sorted(names, key=_table_key)


def paper_tables() -> list[str]:
    """The paper's encoded tables in its order: "Table 2" .. "Table 14"."""
    return [name for name in published_tables() if not split_table(name)[0]]


# "6", "Table 6", "table6", "T6"; "v2-6", "V2 Table 6", "v2 t6" for the MobileNetV2 paper's.
_TABLE_NAME = re.compile(
    r"\s*(?:(?P<prefix>v2)(?=[\s_:-]|t)[\s_:-]*)?(?:t(?:able)?)?[\s_-]*(?P<number>\d+)\s*",
    re.IGNORECASE,
)


def normalize_table(name: str) -> str:
    """A forgiving table name ("6", "Table 6", "table6", "T6") as "Table 6"; the
    MobileNetV2 paper's ("v2-6", "V2 Table 6") as "V2 Table 6".

    Raises UnknownTableError, naming the tables there are, for anything else.
    """
    match = _TABLE_NAME.fullmatch(str(name))
    tables = published_tables()
    if match is not None:
        prefix = f"{match['prefix'].upper()} " if match["prefix"] else ""
        candidate = f"{prefix}Table {int(match['number'])}"
        if candidate in tables:
            return candidate
    own = paper_tables()
    others = [t for t in tables if t not in own]
    also = "".join(
        f"; also {split_table(t)[1]} of {publication(t)}: "
        f"{split_table(t)[0].lower()}-{t.split()[-1]}"
        for t in others
    )
    raise UnknownTableError(
        f"unknown table {name!r}; the paper's tables with figures are "
        f"{own[0].split()[-1]}-{own[-1].split()[-1]} (e.g. 6, 'Table 6', table6){also}"
    )


def _select(cells: Iterable[PublishedCell], tables: Iterable[str] | None) -> list[PublishedCell]:
    if tables is None:
        return list(cells)
    wanted = {normalize_table(name) for name in tables}
    return [cell for cell in cells if cell.table in wanted]


def paper_cells(tables: Iterable[str] | None = None) -> list[PublishedCell]:
    """The MobileNets paper's published cells, in table order; ``tables`` picks some
    (forgiving names). Other publications' cells are :func:`published_cells`'."""
    own = [cell for cell in _all_cells() if not split_table(cell.table)[0]]
    return _select(own, tables)


def published_cells(tables: Iterable[str] | None = None) -> list[PublishedCell]:
    """Every publication's cells: the paper's, then the others' (:data:`PUBLICATIONS`);
    ``tables`` picks some (forgiving names, "v2-6" for the MobileNetV2 paper's Table 6)."""
    order = {name: i for i, name in enumerate(published_tables())}
    ordered = sorted(_all_cells(), key=lambda cell: order[cell.table])
    return _select(ordered, tables)
