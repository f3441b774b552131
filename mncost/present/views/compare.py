"""The compare report: two configurations side by side (``mncost compare A B``).

Every figure and difference comes from :class:`mncost.analysis.compare.Comparison`;
this view lays them out: totals first (mult-adds, params, weight bytes, the peak
activation memory, the estimated latency with a device, top-1), then each figure by
layer type, with a total per figure. Differences are B - A and relative ones (B - A) /
A, as the title says; counts and bytes are exact in every format.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mncost.analysis.compare import Comparison, Difference, Side
from mncost.present.model import Column, Report, Table

__all__ = ["FIGURE_LABELS", "compare_report"]

FIGURE_LABELS: dict[str, str] = {
    "mult_adds": "MACs",
    "params": "Params",
    "weight_bytes": "Weight bytes",
    "peak_activation_bytes": "Peak activation bytes",
    "latency_ms": "Latency ms",
    "latency_estimate_ms": "Est. latency ms",
    "top1": "Top-1 % (est. or measured)",
}


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _signed(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "0.00" if value == 0 else f"{value:+,.2f}".replace("-", "−")
    return "0" if value == 0 else f"{value:+,}".replace("-", "−")


def _relative(value: Any) -> str:
    if value is None:
        return ""
    percent = float(value) * 100
    if percent == 0:
        return "0%"
    return f"{percent:+,.1f}%".replace("-", "−")


def _row(metric: str, kind: str, d: Difference) -> list[Any]:
    rel = d.relative
    return [
        FIGURE_LABELS[metric],
        kind,
        d.a,
        d.b,
        d.delta,
        float(rel) if isinstance(rel, Fraction) else rel,
        metric,
    ]


def _top1_note(side: Side) -> str:
    acc = side.accuracy
    if acc is None:
        return "no estimate"
    if acc.status == "out of range":
        return "out of range: no estimate"
    if acc.value is None:
        return "extrapolated, withheld"
    return acc.status


def _value_columns() -> list[Column]:
    return [
        Column("A", "right", show=_value, csv_header="a"),
        Column("B", "right", show=_value, csv_header="b"),
        Column("B − A", "right", show=_signed, csv_header="delta"),
        Column(
            "(B − A) / A",
            "right",
            show=_relative,
            csv_header="relative",
            short_header="Rel.",
            hide_rank=2,
        ),
    ]


def _latency_note(side: Side) -> str:
    if side.latency is None:
        return ""
    return "measured" if side.latency.measurement else "estimated"


def compare_report(comparison: Comparison) -> Report:
    """Totals and by-layer-type differences of A and B, B - A."""
    c = comparison
    a, b = c.a.ref.label, c.b.ref.label
    title = f"A = {a}   B = {b}   (differences: B − A; relative: to A)"
    notes_total = {
        "peak_activation_bytes": f"A at {c.a.memory.peak_layer}, B at {c.b.memory.peak_layer}",
        "weight_bytes": c.dtype,
        "latency_ms": (
            f"{c.profile.name}: A {_latency_note(c.a)}, B {_latency_note(c.b)}"
            if c.profile is not None
            else ""
        ),
        "latency_estimate_ms": "beside the measurement",
        "top1": f"A {_top1_note(c.a)}, B {_top1_note(c.b)}; B − A in points",
        "mult_adds": "multiply-accumulates",
        "params": "",
    }
    totals = Table(
        title="In total",
        columns=[
            Column("Figure", csv_header="figure"),
            Column("Note", csv_header="note", hide_rank=1),
            *_value_columns(),
            Column("Metric", csv_header="metric", data_only=True),
        ],
        rows=[_row(name, notes_total.get(name, ""), d) for name, d in c.totals.items()],
    )
    rows = []
    for metric in c.by_type_metrics:
        for type_row in c.by_type:
            rows.append(_row(metric, type_row.type, type_row.figures[metric]))
        estimated = metric == "latency_ms" and "latency_estimate_ms" in c.totals
        total = c.totals.get("latency_estimate_ms" if estimated else metric)  # types sum so
        if total is not None:
            rows.append(_row(metric, "Total", total))
    by_type = Table(
        title="By layer type",
        columns=[
            Column("Figure", csv_header="figure"),
            Column("Layer type", csv_header="type"),
            *_value_columns(),
            Column("Metric", csv_header="metric", data_only=True),
        ],
        rows=rows,
    )
    notes = [
        f"Signs: B − A, so a negative difference means B ({b}) has less than A ({a}); "
        "relative differences are (B − A) / A.",
        f"Bytes are {c.dtype}: weights are conv and FC weights and biases"
        + (" (batch norm folded)" if c.dtype == "int8" else "")
        + "; the peak activation memory is the most held at once under layer-by-layer "
        f"execution, depthwise convs {'in place' if c.dw_inplace else 'not in place'} "
        "(`mncost memory` shows it op by op). MACs are multiply-accumulates.",
    ]
    if c.profile is not None:
        p = c.profile
        notes.append(
            f"Latency: measured on {p.name}'s device where the configuration was (its own "
            "points"
            + (", and the published Pixel-1 latencies of MobileNet V3" if p.builtin else "")
            + f"), else an estimate on {p.name}, a {p.estimator} estimator ({p.fitted_on()}; "
            "leave-one-out error "
            f"mean {p.loo_mape_percent:.1f}%, max {p.loo_max_percent:.1f}%). By layer type, "
            "latency is always the estimate: a measurement is of the whole network."
        )
        for side, name in ((c.a, "A"), (c.b, "B")):
            m = side.latency.measurement if side.latency is not None else None
            if m is not None:
                notes.append(f"Latency of {name}: measured, {m.label} ({m.source}).")
        for side, name in ((c.a, "A"), (c.b, "B")):
            if side.latency is not None:
                notes += [f"Caution (latency of {name}): {text}." for text in side.latency.cautions]
    for side, name in ((c.a, "A"), (c.b, "B")):
        acc = side.accuracy
        if acc is not None and acc.value is not None:
            notes.append(f"Top-1 of {name}: {acc.describe()}.")
        elif side.accuracy_reason:
            notes.append(f"Top-1 of {name}: {side.accuracy_reason}.")
    return Report(title=title, tables=[totals, by_type], notes=notes, data=c.to_dict(), csv_table=1)
