"""The paper's published models (Tables 4-10) as points, built on :mod:`mncost.sources`.

Each table row's cells (accuracy, mult-adds, parameters) become one point; the row's
configuration (model, alpha, resolution, classes) comes from
:func:`mncost.sources.row_config`, and its dataset from the text around the table
(:data:`mncost.sources.TABLE_CONTEXT`: Table 10 is Stanford Dogs). A model printed with
the same figures in several tables (1.0 MobileNet-224 is in Tables 4, 6, 7 and 8) is one
point listing every table; rows whose figures differ stay separate points, so a
disagreement shows.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any

from mncost.arch.registry import get_entry
from mncost.sources import TABLE_CONTEXT, paper_cells, row_config, undefined_reason
from mncost.sources.points import DATASETS, FAMILIES, Provenance, PublishedPoint

__all__ = ["PAPER_TABLES", "paper_points"]

PAPER_TABLES: tuple[str, ...] = tuple(f"Table {n}" for n in range(4, 11))
"""The tables whose rows are (model, top-1 accuracy, mult-adds, params) results."""

_SCALE = {"million": Decimal(1), "billion": Decimal(1000)}


def _dataset(table: str, where: str) -> str:
    # The dataset is stated in the text around each table (mncost.sources.TABLE_CONTEXT).
    name = TABLE_CONTEXT[table].dataset
    key = name.strip().lower().replace(" ", "_")
    if key not in DATASETS:
        raise ValueError(f"{where}: no accuracy axis for dataset {name!r}")
    return key


def _millions(cell: Any) -> Decimal:
    # Costs are kept in millions, as most of the paper prints them.
    scale: Decimal = _SCALE.get(cell.unit.split()[0], Decimal(1))
    return Decimal(cell.value * scale)


def _family(model: str | None) -> str:
    # A row's family is its model's, as the registry files it: Table 4's Conv MobileNet
    # and Table 5's Shallow MobileNet are MobileNet v1 variants (mobilenet-v1-conv,
    # mobilenet-v1-shallow), so they are plotted and filtered with v1. The comparison
    # models (VGG 16, GoogleNet, ...) have families of their own that the published
    # results do not break out, and rows naming no buildable model have none: "other".
    if model is None:
        return "other"
    family = get_entry(model).family
    return family if family in FAMILIES else "other"


def _row_point(document: str, table: str, row: str, cells: dict[str, Any]) -> PublishedPoint | None:
    accuracy = cells.get("accuracy")
    if accuracy is None:
        return None
    dataset = _dataset(table, f"{document} {table} row {row!r}")
    config = row_config(table, row)
    family = _family(config.model if config is not None else None)
    return PublishedPoint(
        label=row,
        family=family,
        source="paper",
        dataset=dataset,
        precision="float32",
        provenance=(Provenance(document=document, table=table, row=row),),
        model=config.model if config is not None else None,
        alpha=config.alpha if config is not None else None,
        resolution=config.resolution if config is not None else None,
        classes=config.classes if config is not None else None,
        top1=accuracy.value,
        mult_adds_m=_millions(cells["mult_adds"]) if "mult_adds" in cells else None,
        params_m=_millions(cells["params"]) if "params" in cells else None,
        not_computed=undefined_reason(table, row),
    )


def _merge_key(point: PublishedPoint) -> tuple[Any, ...]:
    # Rows are the same result when they define the same configuration (or, for models
    # the paper does not define, carry the same label) and print the same figures.
    who = (
        (point.model, point.alpha, point.resolution, point.classes)
        if point.model
        else (point.label,)
    )
    return (
        point.family,
        who,
        point.dataset,
        point.precision,
        point.top1,
        point.mult_adds_m,
        point.params_m,
    )


@cache
def paper_points() -> tuple[PublishedPoint, ...]:
    """The paper's Tables 4-10 as points, in table order (mncost's cost not yet attached)."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cell in paper_cells(PAPER_TABLES):
        rows.setdefault((cell.document, cell.table, cell.row), {})[cell.quantity] = cell
    merged: dict[tuple[Any, ...], PublishedPoint] = {}
    for (document, table, row), cells in rows.items():
        point = _row_point(document, table, row, cells)
        if point is None:
            continue
        key = _merge_key(point)
        if key not in merged:
            merged[key] = point
            continue
        first = merged[key]
        # Keep the most specific label ("1.0 MobileNet-224" over Table 4's "MobileNet").
        label = max(first.label, point.label, key=len)
        merged[key] = replace(first, label=label, provenance=first.provenance + point.provenance)
    return tuple(merged.values())
