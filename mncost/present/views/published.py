"""The ``mncost published`` listing: each published result beside mncost's exact count of
the same configuration, with the gap.

Published figures stay as printed (text in JSON, so "0.50" is not 0.5); mncost's counts
come attached to each point by :func:`mncost.analysis.published.published_points`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Sequence

from mncost.present.model import Column, Report, Table
from mncost.sources.points import (
    DATASETS,
    PublishedPoint,
    relative_difference,
    within_rounding,
)

__all__ = ["published_report"]


def _millions_exact(value: int | None) -> str:
    return "" if value is None else f"{value / 1_000_000:,.2f}"


@dataclass(frozen=True)
class _Gap:
    """A table cell: (published - mncost) / mncost, and whether rounding explains it."""

    difference: Fraction
    within_rounding: bool

    def __str__(self) -> str:  # what CSV writes: the ratio as a plain number
        return repr(float(self.difference))


def _gap(published: Decimal | None, computed: int | None) -> _Gap | None:
    difference = relative_difference(published, computed)
    if difference is None:
        return None
    return _Gap(difference, bool(within_rounding(published, computed)))


def _show_gap(cell: _Gap | None) -> str:
    if cell is None:
        return ""
    return f"{float(cell.difference) * 100:+.2f}%" + ("" if cell.within_rounding else " *")


def published_report(points: Sequence[PublishedPoint]) -> Report:
    """The listing as a Report: one row per published point, both costs and the gap."""
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    columns = [
        Column("Model", csv_header="model"),
        Column("Family", csv_header="family", hide_rank=1),
        Column("α/res", csv_header="config", short_header="α/res", hide_rank=7),
        Column("Precision", csv_header="precision", short_header="Prec.", hide_rank=3),
        Column("Dataset", csv_header="dataset", show=lambda k: DATASETS.get(k, k) if k else "",
               hide_rank=9),
        Column("Top-1 %", "right", show=text, csv_header="top1_percent"),
        Column("Top-5 %", "right", show=text, csv_header="top5_percent", hide_rank=2),
        Column("Pub. MACs (M)", "right", show=text, csv_header="mult_adds_published_m",
               short_header="MACs(M)"),
        Column("mncost MACs (M)", "right", show=_millions_exact,
               csv_header="mult_adds_mncost", short_header="mncost(M)"),
        Column("Δ MACs", "right", show=_show_gap, hide_rank=10,
               csv_header="mult_adds_difference"),
        Column("Pub. params (M)", "right", show=text, csv_header="params_published_m",
               short_header="Params(M)", hide_rank=6),
        Column("mncost params (M)", "right", show=_millions_exact,
               csv_header="params_mncost", short_header="mncost(M)", hide_rank=4),
        Column("Δ params", "right", show=_show_gap, csv_header="params_difference",
               hide_rank=5),
        Column("Source", csv_header="source", hide_rank=8),
    ]
    rows = []
    for p in points:
        rows.append([
            p.label, p.family, p.config, p.precision, p.dataset, p.top1, p.top5,
            p.mult_adds_m, p.computed.mult_adds if p.computed else None,
            _gap(p.mult_adds_m, p.computed.mult_adds if p.computed else None),
            p.params_m, p.computed.params if p.computed else None,
            _gap(p.params_m, p.computed.params if p.computed else None), p.tables,
        ])
    notes = [
        "Pub.: published, as printed (millions; accuracy in %). mncost: mncost's exact count "
        "of the same configuration (exact integers in CSV and JSON), at mncost's default "
        "conventions (batch norm not counted, FC bias counted, the model's own channel "
        "rounding: round(c*alpha) for MobileNet v1), with the source's classifier width.",
        "Δ = (published - mncost) / mncost; * marks a gap larger than the published figure's "
        "rounding (half a unit of its last printed digit).",
    ]
    missing = _not_counted(points)
    if missing:
        notes.append("No mncost count for " + "; ".join(missing) + ".")
    data = [_point_data(p) for p in points]
    return Report(title=f"Published results ({len(points)})",
                  tables=[Table(title="", columns=columns, rows=rows)],
                  notes=notes, data=data)


def _not_counted(points: Sequence[PublishedPoint]) -> list[str]:
    """The points mncost cannot count, grouped by reason: "AlexNet, VGG 16: each is ..."."""
    groups: dict[str, list[str]] = {}
    for p in points:
        if p.computed is not None:
            continue
        # Reasons often start with the model's own name; group on the rest.
        reason = p.not_computed
        if reason.startswith(p.label + " "):
            reason = "each " + reason[len(p.label) + 1:]
        groups.setdefault(reason, []).append(p.label)
    return [(", ".join(labels) if len(labels) <= 6 else f"{len(labels)} results")
            + f": {reason}" for reason, labels in groups.items()]


def _point_data(p: PublishedPoint) -> dict[str, Any]:
    def dec(value: Any) -> str | None:
        # Published figures stay text in JSON, exactly as printed ("0.50" is not 0.5).
        return None if value is None else str(value)

    computed = None
    if p.computed is not None:
        computed = {"mult_adds": p.computed.mult_adds, "params": p.computed.params}
        for what, published in (("mult_adds", p.mult_adds_m), ("params", p.params_m)):
            gap = _gap(published, getattr(p.computed, what))
            computed[f"{what}_difference"] = float(gap.difference) if gap else None
            computed[f"{what}_within_rounding"] = gap.within_rounding if gap else None
    return {
        "model": p.label, "family": p.family, "source": p.source, "dataset": p.dataset,
        "precision": p.precision, "alpha": None if p.alpha is None else float(p.alpha),
        "resolution": p.resolution, "classes": p.classes,
        "top1_percent": dec(p.top1), "top5_percent": dec(p.top5),
        "published": {"million_mult_adds": dec(p.mult_adds_m),
                      "million_params": dec(p.params_m),
                      "pixel1_latency_ms": dec(p.latency_ms)},
        "mncost": computed, "mncost_missing": p.not_computed or None,
        "provenance": [{"document": s.document, "table": s.table or None, "row": s.row}
                       for s in p.provenance],
    }
