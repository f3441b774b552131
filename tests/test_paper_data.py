"""The paper's tables as data: the packaged CSV against a fresh parse of the source documents.

The expected cells are not typed in here: the tests re-read the documents in
shared/paper/ (001's Markdown tables, 000's tab-separated slides) with a parser of their
own and check that every packaged cell is there, as printed, and that no printed cell
is missing. Where both documents print a table, they are checked to agree.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from mncost.sources import (
    QUANTITIES,
    PublishedCell,
    UnknownTableError,
    normalize_table,
    paper_cells,
    paper_tables,
    row_config,
    table3_layer,
    undefined_reason,
)
from mncost.sources.paper_cells import PaperDataError, parse_cells

PAPER = Path(__file__).resolve().parents[2] / "shared" / "paper"
DOC_000 = "000_abfca0e6b9411fd9.txt"
DOC_001 = "001_ee45856d9e240888.txt"

needs_documents = pytest.mark.skipif(
    not (PAPER / DOC_001).exists(), reason="the source documents (shared/paper) are absent"
)


def _normalize(text: str) -> str:
    """000 writes labels in LaTeX: "Conv $1 \\times 1$" -> "Conv 1x1",
    "$\\alpha = 0.75$" -> "α = 0.75"."""
    text = re.sub(r"\s*\\times\s*", "x", text)
    text = text.replace("\\alpha", "α").replace("\\rho", "ρ").replace("$", "")
    return re.sub(r"\s+", " ", text).strip()


def _tables_001(text: str) -> dict[str, list[list[str]]]:
    """001: Markdown tables, each followed by its caption "Table N. ..."."""
    tables: dict[str, list[list[str]]] = {}
    block: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                block.append(cells)
            continue
        caption = re.match(r"Table (\d+)\.", line)
        if caption and block:
            tables[f"Table {caption[1]}"] = block
        block = []
    return tables


def _tables_000(text: str) -> dict[str, list[list[str]]]:
    """000: a caption "Table N. ...", then tab-separated rows until a line without a tab.

    A blank first field (Table 13's framework) repeats the one above, as printed.
    """
    tables: dict[str, list[list[str]]] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        caption = re.match(r"Table (\d+)\.", line)
        if not caption:
            continue
        j = i + 1
        while j < len(lines) and "\t" not in lines[j]:
            j += 1
            if j - i > 3:
                break
        rows: list[list[str]] = []
        while j < len(lines) and "\t" in lines[j]:
            cells = [_normalize(c) for c in lines[j].split("\t")]
            if rows and cells[0] == "" and len(cells) == len(rows[0]):
                cells[0] = rows[-1][0]
            rows.append(cells)
            j += 1
        if rows:
            tables[f"Table {caption[1]}"] = rows
    return tables


def _documents() -> dict[str, dict[str, list[list[str]]]]:
    return {
        DOC_000: _tables_000((PAPER / DOC_000).read_text(encoding="utf-8")),
        DOC_001: _tables_001((PAPER / DOC_001).read_text(encoding="utf-8")),
    }


def _find(rows: list[list[str]], cell: PublishedCell) -> str:
    """The printed text at (cell.row, cell.column) of a parsed table."""
    header = rows[0]
    label = re.sub(r" \(2nd row\)$", "", cell.row)
    occurrence = 2 if label != cell.row else 1
    parts = label.split(" / ")
    matches = [r for r in rows[1:] if r[: len(parts)] == parts]
    assert len(matches) >= occurrence, f"{cell.table}: no row {cell.row!r} in {rows}"
    return matches[occurrence - 1][header.index(cell.column)]


# --- the CSV against the documents ------------------------------------------------------

# The line under Table 11 is prose, not a table: its four figures, as 000 prints them.
_TABLE11_LINES = {
    "PlaNet": "PlaNet : 52M parameters, 5.74B mult-adds",
    "PlaNet MobileNet": "MobilNet : 13M parameters, 0.58M mult-adds",
}


@needs_documents
def test_every_packaged_cell_is_printed_in_its_document_as_is():
    documents = _documents()
    for cell in paper_cells():
        if cell.table == "Table 11" and cell.row in _TABLE11_LINES:
            line = _TABLE11_LINES[cell.row]
            assert line in (PAPER / cell.document).read_text(encoding="utf-8")
            assert re.search(rf"\b{re.escape(cell.text)} {cell.column.lower()}", line)
            continue
        rows = documents[cell.document][cell.table]
        assert _find(rows, cell) == cell.text, cell


@needs_documents
def test_no_printed_figure_is_left_out():
    documents = _documents()
    # 001 prints Tables 4-14; 000 alone prints Tables 2 and 3. Label columns hold no figure.
    wanted = {(DOC_000, "Table 2"), (DOC_000, "Table 3")} | {
        (DOC_001, f"Table {n}") for n in range(4, 15)
    }
    for document, table in wanted:
        rows = documents[document][table]
        labels = 2 if table == "Table 13" else 1
        printed = sum(len(row) - labels for row in rows[1:])
        packaged = [c for c in paper_cells([table]) if c.document == document]
        assert len(packaged) == printed, table
    # Plus the four figures of the line under Table 11 (000).
    assert len([c for c in paper_cells(["Table 11"]) if c.document == DOC_000]) == 4


@needs_documents
def test_both_documents_print_the_shared_tables_alike():
    documents = _documents()
    for n in (4, 5, 6, 7, 8, 9, 10, 11, 13):
        table = f"Table {n}"
        for cell in paper_cells([table]):
            if cell.document != DOC_001:
                continue
            other = documents[DOC_000][table]
            # Where labels differ in spelling only ("Inception V3 [18]", "Mobilenet"),
            # compare by position instead of by label.
            row_labels = [" / ".join(r[:2] if n == 13 else r[:1]) for r in other[1:]]
            ours = [" / ".join(r[:2] if n == 13 else r[:1]) for r in documents[DOC_001][table][1:]]
            index = ours.index(cell.row)
            assert row_labels[index].lower().startswith(cell.row.lower().split(" [")[0][:6])
            column = documents[DOC_001][table][0].index(cell.column)
            assert other[index + 1][column] == cell.text, (table, cell.row, cell.column)


# --- the loader --------------------------------------------------------------------------


def test_tables_2_to_14_in_order():
    assert paper_tables() == [f"Table {n}" for n in range(2, 15)]


def test_cells_are_typed_and_provenanced():
    cells = paper_cells()
    assert len(cells) == len({(c.table, c.row, c.column) for c in cells})
    for cell in cells:
        assert cell.document in (DOC_000, DOC_001)
        assert cell.quantity in QUANTITIES
        assert isinstance(cell.value, Decimal)
        # The value is the printed text without its % or magnitude letter.
        assert str(cell.value) == cell.text.rstrip("%MB")
    by_key = {(c.table, c.row, c.column): c for c in cells}
    t6 = by_key[("Table 6", "0.75 MobileNet-224", "Million Mult-Adds")]
    assert (t6.text, t6.value, t6.unit, t6.quantity, t6.places) == (
        "325",
        Decimal("325"),
        "million mult-adds",
        "mult_adds",
        0,
    )
    t9 = by_key[("Table 9", "0.50 MobileNet-160", "Million Parameters")]
    assert (t9.value, t9.places) == (Decimal("1.32"), 2)
    t2 = by_key[("Table 2", "Conv 3x3", "Multi-Adds")]
    assert (t2.text, t2.value, t2.unit) == ("1.19%", Decimal("1.19"), "% of mult-adds")
    acc = by_key[("Table 12", "0.25 MobileNet-128", "Mean AP")]
    assert (acc.value, acc.quantity) == (Decimal("86.4"), "accuracy")
    planet = by_key[("Table 11", "PlaNet MobileNet", "Mult-Adds")]
    assert (planet.text, planet.value, planet.unit) == (
        "0.58M",
        Decimal("0.58"),
        "million mult-adds",
    )


def test_accuracy_columns_are_kept():
    accuracy = [c for c in paper_cells() if c.quantity == "accuracy"]
    tables = {c.table for c in accuracy}
    assert tables == {f"Table {n}" for n in range(4, 15)}
    assert {c.unit for c in paper_cells(["6"]) if c.quantity == "accuracy"} == {
        "% top-1 (ImageNet)"
    }


def test_filter_by_forgiving_table_names():
    assert {c.table for c in paper_cells(["6", "Table 7", "table3", "T 12"])} == {
        "Table 3",
        "Table 6",
        "Table 7",
        "Table 12",
    }
    for name in ("6", "Table 6", "table6", "TABLE 6", "t6", "table-6", " 6 "):
        assert normalize_table(name) == "Table 6"


@pytest.mark.parametrize("name", ["1", "15", "Table 0", "six", "", "6a"])
def test_unknown_tables_are_refused_naming_the_choices(name):
    with pytest.raises(UnknownTableError, match="2-14"):
        paper_cells([name])


def test_malformed_data_fails_loudly():
    header = "document,table,row,column,text,unit,quantity\n"
    with pytest.raises(PaperDataError, match="does not agree"):
        parse_cells(header + "d,Table 2,r,c,5B,million params,params\n")
    with pytest.raises(PaperDataError, match="percentage"):
        parse_cells(header + "d,Table 2,r,c,5%,million params,params\n")
    with pytest.raises(PaperDataError, match="unknown quantity"):
        parse_cells(header + "d,Table 2,r,c,5,million params,flops\n")
    with pytest.raises(PaperDataError, match="twice"):
        parse_cells(header + "d,T,r,c,5,million params,params\nd,T,r,c,6,million params,params\n")
    with pytest.raises(PaperDataError, match="cannot read"):
        parse_cells(header + "d,T,r,c,about 5,million params,params\n")


# --- how rows are read -------------------------------------------------------------------


def test_mobilenet_rows_are_read_from_their_labels_and_table_text():
    config = row_config("Table 6", "0.75 MobileNet-224")
    assert (config.model, config.alpha, config.resolution, config.classes) == (
        "mobilenet-v1",
        Fraction(3, 4),
        224,
        1000,
    )
    assert row_config("Table 9", "0.50 MobileNet-160").alpha == Fraction(1, 2)
    # Table 10 is Stanford Dogs: 120 classes. Table 12 reports the backbone: 0 classes.
    assert row_config("Table 10", "0.75 MobileNet-192").classes == 120
    assert row_config("Table 10", "0.75 MobileNet-192").resolution == 192
    assert row_config("Table 12", "0.25 MobileNet-128").classes == 0
    assert row_config("Table 4", "Conv MobileNet").model == "mobilenet-v1-conv"
    assert row_config("Table 4", "MobileNet").model == "mobilenet-v1"
    assert row_config("Table 5", "Shallow MobileNet").model == "mobilenet-v1-shallow"
    assert row_config("Table 5", "0.75 MobileNet").alpha == Fraction(3, 4)
    assert row_config("Table 2", "Conv 1x1").resolution == 224


def test_every_mobilenet_row_of_the_classification_tables_has_a_reading():
    for n in (2, 4, 5, 6, 7, 8, 9, 10, 12):
        for cell in paper_cells([str(n)]):
            if "MobileNet" in cell.row or n == 2:
                assert row_config(cell.table, cell.row) is not None, cell


@pytest.mark.parametrize(
    "table,row,missing",
    [
        ("Table 11", "PlaNet", "quoted from its own paper"),
        ("Table 14", "FaceNet", "quoted from its own paper"),
        ("Table 12", "Baseline", "in-house"),
        # SSD 300 / MobileNet has a reading now (ssd300-mobilenet-v1, issue 18).
        ("Table 13", "Faster-RCNN 300 / MobileNet", "proposal"),
        ("Table 13", "Faster-RCNN 600 / VGG", "detection head"),
        ("Table 14", "1.0 MobileNet-160", "embedding layer"),
        ("Table 11", "PlaNet MobileNet", "classifier"),
    ],
)
def test_undefined_models_say_what_is_missing(table, row, missing):
    assert row_config(table, row) is None
    assert missing in undefined_reason(table, row)


def test_table3_rows_are_cumulative_layer_configs():
    # Table 3's caption: D_K = 3, M = N = 512, D_F = 14; each row adds to the one above.
    conv, separable = table3_layer("Convolution"), table3_layer("Depthwise Separable Conv")
    alpha, rho = table3_layer("α = 0.75"), table3_layer("ρ = 0.714")
    assert (conv.separable, separable.separable) == (False, True)
    assert (alpha.alpha, alpha.rho) == (Fraction(3, 4), 1)
    assert (rho.alpha, rho.rho) == (Fraction(3, 4), Fraction(714, 1000))
    assert {
        (c.kernel, c.in_channels, c.out_channels, c.size) for c in (conv, separable, alpha, rho)
    } == {(3, 512, 512, 14)}
    assert table3_layer("nonsense") is None
    assert row_config("Table 3", "Convolution") is None  # a layer, not a model
