"""The choose report's tables: the budgets, each alone (how many configurations meet it
and the cheapest on its axis), and the picks (their figures, the budget that binds each,
its estimate's status and error, its schedule), with the caption that says what each
mark means; and the words for a budget's limit and a figure with its unit.

Cut from :mod:`mncost.present.views.choose`, which adds the notes and makes the report
(and re-exports :func:`limit_text` and :func:`value_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mncost.analysis.choose import BudgetCheck, Candidate, ChooseResult
from mncost.analysis.explore import LATENCY
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import Resolution, multiplier_text, resolution_text
from mncost.present.model import Column, Table
from mncost.present.numbers import fixed
from mncost.present.views.sweep import alpha_text, column_spec

__all__ = ["budget_table", "config_text", "limit_text", "picks_table", "value_text"]

_UNIT = {"count": "", "bytes": " bytes", "ms": " ms"}


def limit_text(check: BudgetCheck) -> str:
    """A budget's exact limit with its unit: "300,000,000", "524,288 bytes", "30 ms"."""
    limit = check.budget.limit
    number = f"{int(limit):,}" if limit.denominator == 1 else f"{float(limit):,.6g}"
    return number + _UNIT[check.budget.kind.quantity]


def value_text(metric: str, value: int | float) -> str:
    """A figure in words with its unit: "11.9 M MACs", "96.0 KiB", "4.02 ms"."""
    if metric == LATENCY:
        return f"{value:,.2f} ms"
    if metric in ("weight_bytes", PEAK_ACTIVATION):
        return f"{value:,} bytes ({fixed(value, 1024, 1)} KiB)"
    return f"{value:,}"


def config_text(model: str, alpha: Any, resolution: Resolution) -> str:
    """A configuration in words: "mobilenet-v2 0.75/160"."""
    return f"{model} {multiplier_text(alpha)}/{resolution_text(resolution)}"


def budget_table(result: ChooseResult) -> Table:
    """Each budget alone: its limit, how many configurations meet it, its cheapest."""
    rows = []
    for check in result.checks:
        c = check.cheapest
        rows.append(
            [
                check.budget.kind.label,
                check.budget.shown,
                limit_text(check),
                check.meeting,
                config_text(c.model, c.alpha, c.resolution),
                value_text(check.budget.metric, c.value),
                check.budget.metric,
                float(check.budget.limit),
                c.value,
            ]
        )
    return Table(
        title=f"Budgets, each alone (of {result.n_configs:,} configurations)",
        columns=[
            Column("Budget", csv_header="budget"),
            Column("Given", csv_header="given", hide_rank=2),
            Column("Limit", "right", csv_header="limit_shown", hide_rank=1),
            Column("Meeting it", "right", csv_header="configurations_meeting", short_header="Meet"),
            Column("Cheapest on this axis", csv_header="cheapest", short_header="Cheapest"),
            Column("Its value", "right", csv_header="cheapest_shown", short_header="Value"),
            Column("Metric", csv_header="metric", data_only=True),
            Column("Limit (exact)", csv_header="limit", data_only=True),
            Column("Cheapest value", csv_header="cheapest_value", data_only=True),
        ],
        rows=rows,
    )


def _binding(c: Candidate, result: ChooseResult) -> str:
    if c.binding is None:
        return ""
    label = next(b.kind.short for b in result.budgets if b.metric == c.binding)
    return f"{label} {c.fractions[c.binding] * 100:.0f}%"


def _schedule_cell(c: Candidate) -> str:
    t = c.schedule
    if t is None:
        return "layer"
    return f"patch {t.block} {t.grid[0]}x{t.grid[1]} +{float(t.overhead * 100):.1f}%"


def picks_table(
    result: ChooseResult, candidates: Sequence[Candidate] | None = None, title: str = ""
) -> Table:
    """The picks (``candidates``, else the result's), one row each, and the caption."""
    patched = result.schedules is not None and candidates is None
    candidates = result.candidates if candidates is None else candidates
    metrics = ["mult_adds", "params", "weight_bytes", PEAK_ACTIVATION]
    if result.profile is not None:
        metrics.append(LATENCY)
    columns = [
        Column("#", "right", csv_header="rank"),
        Column("Model", csv_header="model"),
        Column("Alpha", "right", show=alpha_text, csv_header="alpha"),
        Column("Res", "right", csv_header="resolution"),
        Column("Top-1 %", "right", csv_header="top1_shown", short_header="Top-1"),
        Column("Top-1 %", csv_header="top1", data_only=True),
        Column("Status", csv_header="top1_status", hide_rank=7),
        Column("LOO mean/max", "right", csv_header="top1_loo", short_header="LOO", hide_rank=3),
    ]
    for metric in metrics:
        spec = column_spec(metric)
        columns.append(
            Column(
                spec.header,
                "right",
                show=spec.show,
                csv_header=metric,
                short_header=spec.short_header,
                hide_rank={"params": 4, "weight_bytes": 2, PEAK_ACTIVATION: 6}.get(metric),
            )
        )
    outside = any(c.latency_extrapolated for c in candidates)
    if patched:
        columns.append(Column("Schedule", csv_header="schedule"))
    columns += [
        Column("Binding budget", csv_header="binding_shown", short_header="Binds"),
        Column(
            "Checkpoint",
            csv_header="released_shown",
            short_header="Ckpt",
            hide_rank=5,
            data_only=all(c.released is None for c in candidates),
        ),
        Column(
            "Flags",
            csv_header="flags",
            hide_rank=8,
            data_only=not any(c.tie or c.at_limit for c in candidates),
        ),
        Column("Latency fit", csv_header="latency_fit", hide_rank=1, data_only=not outside),
        Column("binding", csv_header="binding", data_only=True),
        Column("binding_fraction", csv_header="binding_fraction", data_only=True),
        Column("LOO mean", csv_header="top1_loo_mae", data_only=True),
        Column("LOO max", csv_header="top1_loo_max", data_only=True),
        Column("Source", csv_header="top1_source", data_only=True),
        Column("released_weights", csv_header="released_weights", data_only=True),
        Column("top1_tie", csv_header="top1_tie", data_only=True),
        Column("latency_at_limit", csv_header="latency_at_limit", data_only=True),
    ]
    if LATENCY in metrics:
        columns += [
            Column("Latency", csv_header="latency_status", data_only=True),
            Column("Est. ms", csv_header="latency_estimate_ms", data_only=True),
        ]
    if patched:
        columns += [
            Column("extra_mult_adds", csv_header="extra_mult_adds", data_only=True),
            Column("schedule_split", csv_header="schedule_split", data_only=True),
            Column("schedule_patches", csv_header="schedule_patches", data_only=True),
        ]
    rows = []
    for c in candidates:
        fit = "" if result.profile is None else "outside" if c.latency_extrapolated else "inside"
        mark = {"measured": "*", "extrapolated": "?"}.get(c.status, "")
        shown: list[Any] = [c.figures.get(m) for m in metrics]
        if LATENCY in metrics and c.latency_measured:
            shown[metrics.index(LATENCY)] = f"{c.figures[LATENCY]:,.2f}*"
        rows.append(
            [
                c.rank,
                c.model,
                float(c.alpha),
                c.resolution if isinstance(c.resolution, int) else resolution_text(c.resolution),
                "" if c.top1 is None else f"{c.top1:.1f}{mark}",
                c.top1,
                c.status,
                "" if c.loo_mae is None else f"{c.loo_mae:.2f}/{c.loo_max:.2f}",
                *shown,
                *([_schedule_cell(c)] if patched else []),
                _binding(c, result),
                "yours"
                if c.released and c.own_top1
                else {True: "released", False: "train", None: ""}[c.released],
                _flags(c),
                fit,
                c.binding,
                c.binding_fraction,
                c.loo_mae,
                c.loo_max,
                c.source,
                c.released,
                c.tie,
                c.at_limit,
                *(
                    ["measured" if c.latency_measured else "estimated", c.latency_estimate_ms]
                    if LATENCY in metrics
                    else []
                ),
                *(
                    [
                        0 if c.schedule is None else c.schedule.extra_macs,
                        "" if c.schedule is None else c.schedule.block,
                        "" if c.schedule is None else f"{c.schedule.grid[0]}x{c.schedule.grid[1]}",
                    ]
                    if patched
                    else []
                ),
            ]
        )
    caption = (
        "Top-1: * measured (a released checkpoint's published figure"
        + (", or your --accuracy point" if result.own_models else "")
        + ")"
        + ("; ? extrapolated" if result.extrapolate else "")
        + "; others interpolated estimates"
        + (
            "; blank: no top-1 (no released ImageNet checkpoints"
            + (
                ", or a non-square input"
                if any(isinstance(c.resolution, tuple) for c in candidates)
                else ""
            )
            + ")."
            if any(c.top1 is None for c in candidates)
            else "."
        )
    )
    if any(c.latency_measured for c in candidates):
        caption += (
            " Latency: * measured on the device (it decides the latency budget; the "
            "estimate is in CSV and JSON)."
        )
    if any(c.released is not None for c in candidates):
        caption += (
            " Checkpoint: released = a published checkpoint has this configuration (its"
            " weights can be downloaded); train = none does, so it would have to be trained"
            + (
                "; yours = one of your --accuracy points."
                if any(c.own_top1 for c in candidates)
                else "."
            )
        )
    if any(c.tie for c in candidates):
        caption += (
            " Flags: tie #1 = its top-1 is within the estimate's leave-one-out mean error "
            "of the first pick's; the two cannot be told apart."
        )
    if any(c.at_limit for c in candidates):
        caption += (
            " at limit = its latency is an estimate within the device profile's "
            "leave-one-out mean error of the budget: the device may exceed it "
            "(--margin asks for room)."
        )
    if outside:
        caption += (
            " Latency fit 'outside': the estimate carries the device profile beyond "
            "what it was fitted on (another family, alpha or resolution); see the "
            "cautions."
        )
    if patched and any(c.schedule is not None for c in candidates):
        caption += (
            " Schedule: layer = layer by layer; patch SPLIT PxQ +X% = runs patch by patch "
            "up to SPLIT on a PxQ grid (MCUNetV2), recomputing X% more MACs than the "
            "network's; its peak is the schedule's and its latency includes the "
            "recomputation."
        )
    return Table(
        title=title or f"Picks, {result.objective.words} first",
        columns=columns,
        rows=rows,
        caption=caption,
    )


def _flags(c: Candidate) -> str:
    return ", ".join(f for f, on in (("tie #1", c.tie), ("at limit", c.at_limit)) if on)
