"""The choose report: the best configurations under budgets (``mncost choose``).

Every figure comes from :class:`mncost.analysis.choose.ChooseResult`. The report shows
the budgets (each with how many configurations meet it alone and the cheapest one on its
axis), then the picks, best estimated top-1 first, each with its figures, the budget
that binds it and its estimate's status and error. When nothing is feasible, the first
note says which budget rules everything out. Units are stated: budgets are read with
decimal K, M, G and KB, MB and binary KiB, MiB; tables show weights in MiB and the peak
in KiB; CSV and JSON give exact counts and bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mncost.analysis.choose import BudgetCheck, Candidate, ChooseResult
from mncost.analysis.explore import LATENCY
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import Resolution, multiplier_text, resolution_text
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import fixed
from mncost.present.views.sweep import alpha_text, column_spec

__all__ = ["choose_report", "limit_text", "value_text"]

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


def _config(model: str, alpha: Any, resolution: Resolution) -> str:
    return f"{model} {multiplier_text(alpha)}/{resolution_text(resolution)}"


def _budget_table(result: ChooseResult) -> Table:
    rows = []
    for check in result.checks:
        c = check.cheapest
        rows.append(
            [
                check.budget.kind.label,
                check.budget.shown,
                limit_text(check),
                check.meeting,
                _config(c.model, c.alpha, c.resolution),
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


def _picks_table(
    result: ChooseResult, candidates: Sequence[Candidate] | None = None, title: str = ""
) -> Table:
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


def _excluded(result: ChooseResult) -> list[str]:
    """A note per searched model that no configuration of meets every budget."""
    notes = []
    for e in result.excluded:
        if e.alone:
            parts = []
            for budget, c in e.alone:
                over = float(c.value) / float(budget.limit) if budget.limit else float("inf")
                parts.append(
                    f"{budget.kind.label.lower()} (its cheapest, "
                    f"{multiplier_text(c.alpha)}/{resolution_text(c.resolution)}, needs "
                    f"{value_text(budget.metric, c.value)}: {over:.2f}x the limit of "
                    f"{budget.text})"
                )
            why = "ruled out by " + "; and by ".join(parts)
        else:
            why = (
                "each budget alone is met by some configuration of it, but none meets "
                "them all together"
            )
        notes.append(f"No candidate from {e.model}: {why}.")
    return notes


def _nothing(result: ChooseResult) -> str:
    ruling = result.ruling_out
    if ruling:
        parts = []
        for check in ruling:
            c = check.cheapest
            parts.append(
                f"{check.budget.kind.label} <= {check.budget.text} rules out "
                f"every configuration: the cheapest on that axis is "
                f"{_config(c.model, c.alpha, c.resolution)} at "
                f"{value_text(check.budget.metric, c.value)}, over the limit of "
                f"{limit_text(check)}"
            )
        return "Nothing is feasible. " + "; ".join(parts) + "."
    if result.n_feasible:
        return (
            f"Nothing can be ranked: the {result.n_feasible:,} configurations that meet "
            "every budget lie outside the published grid, where top-1 estimates are "
            "extrapolations; --extrapolate ranks them, or search a grid nearer the "
            "released checkpoints."
        )
    return (
        "Nothing is feasible: each budget alone can be met (see 'Meeting it'), but no "
        "configuration meets them all together; the cheapest configuration on each "
        "budget's axis is listed."
    )


def _schedule_notes(result: ChooseResult) -> list[str]:
    s = result.schedules
    if s is None:
        return []
    where = f"at {s.split or 'each block end'}, " + (
        f"on a {s.patches[0]}x{s.patches[1]} grid" if s.patches else "on grids 2x2 to 8x8"
    )
    peak = next(b for b in result.budgets if b.metric == PEAK_ACTIVATION)
    return [
        f"Schedules: {result.n_layer_feasible:,} configurations meet every budget layer by "
        f"layer; {result.n_patched:,} more meet them only patch by patch (MCUNetV2, Lin et "
        f"al. 2021, arXiv:2110.15352): a configuration over the peak budget ({peak.shown}) "
        f"is run patch by patch {where}, with the input "
        f"{'streamed' if s.stream_input else 'held whole'}, taking the schedule with the "
        "fewest extra MACs that brings its peak within the budget. Its MACs budget counts "
        "the recomputed MACs, and its latency adds the recomputation's estimate (the "
        "patch stage's estimated ms per MAC times its extra MACs), so a patched "
        "configuration's latency is an estimate even where the layer-by-layer one was "
        "measured. `mncost memory MODEL --schedule patch --split S --patches PxQ` shows "
        "a schedule op by op.",
    ]


def choose_report(result: ChooseResult) -> Report:
    """The budgets, the picks (or why there are none) and notes on what the figures are."""
    names = [s.model for s in result.searched]
    models = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if len(names) > 3:
        models = f"of {len(names)} models"
    n = len(result.budgets)
    title = (
        f"Which {models} to ship: the best configurations under {n} budget{'s' if n != 1 else ''}"
        if n
        else f"Which {models} to ship: the best configurations (no budget given)"
    )
    notes: list[str] = []
    if not result.candidates:
        notes.append(_nothing(result))
    else:
        notes.append(
            f"The best {len(result.candidates)} of the {result.n_ranked:,} ranked "
            f"configurations: {result.n_feasible:,} of {result.n_configs:,} meet every budget"
            + (
                f"; {result.n_withheld:,} of them lie outside the published grid and are not "
                "ranked (--extrapolate ranks them)"
                if result.n_withheld
                else ""
            )
            + ". Binding budget: the one the pick comes closest to, as a share of its "
            "limit."
        )
    if result.candidates:
        notes += _excluded(result)
    if result.margin:
        notes.append(
            f"Margin: a latency estimate must sit {float(result.margin) * 100:g}% below the "
            "latency budget; a measurement on the device need only meet it."
        )
    if result.unranked:
        notes.append(
            f"Not ranked: {', '.join(result.unranked)} ({result.n_unranked:,} configurations "
            "meet every budget): no top-1 to rank by (no released ImageNet checkpoints of "
            "it, or --classes changes the network). --objective macs (the most MACs the "
            "budgets allow), latency, params, peak or weights ranks every model."
        )
    if result.other_tasks:
        notes.append("No top-1: " + "; ".join(result.other_tasks) + ".")
    if result.objective.name != "top1":
        ties = "" if result.objective.metric == "mult_adds" else ", then fewer MACs"
        notes.append(
            f"Ranked by {result.objective.words} ({result.objective.metric}){ties}; top-1 "
            "is shown where a model has one, and ranks nothing."
        )
    for s in result.searched:
        if s.grid_note:
            notes.append(f"Grid: {s.grid_note}.")
    notes.append(
        "Searched: "
        + "; ".join(s.describe() for s in result.searched)
        + (
            " (each model's published range"
            + (", or that of your --accuracy points" if result.own_models else "")
            + ": its checkpoints' alphas in steps of "
            "0.05, resolutions in steps of 16, or its released checkpoints alone where "
            "nothing between them can be estimated; --alpha and --res search another "
            "grid)."
            if all(s.default for s in result.searched)
            else "."
        )
    )
    labelled = [
        (s.model, g.accuracy)
        for s, g in zip(result.searched, result.grids)
        if g.accuracy is not None
    ]
    yours = [(label, acc) for label, acc in labelled if acc.fitted_on.own]
    fitted = [
        (label, acc) for label, acc in labelled if acc.loo_mae is not None and not acc.fitted_on.own
    ]
    only = [label for label, acc in labelled if acc.loo_mae is None and not acc.fitted_on.own]
    if fitted:
        acc = fitted[0][1]
        errors = "; ".join(
            f"{label} {a.loo_mae:.2f} mean, {a.loo_max:.2f} max"
            for label, a in fitted
            if a.loo_mae is not None and a.loo_max is not None
        )
        fitted_on = ", ".join(
            f"{label}: {a.fitted_on.n_points} {a.fitted_on.precision}" for label, a in fitted
        )
        notes.append(
            "Top-1 is ImageNet top-1 %, an estimate unless measured: measured = a released "
            "checkpoint's published figure; otherwise an estimate "
            f"({acc.method}, fitted on each model's own checkpoints: {fitted_on}): "
            "interpolated "
            "inside the published grid, extrapolated outside "
            f"it{'' if result.extrapolate else ' (not ranked without --extrapolate)'}. "
            f"Leave-one-out error in top-1 points: {errors}."
        )
    for label, a in yours:
        where = result.own_reasons.get(label, "")
        notes.append(
            f"Top-1 of {label}: from {a.fitted_on.describe()}, in place of any published "
            "checkpoints; "
            + (
                f"{a.method}; leave-one-out error {a.loo_mae:.2f} mean, {a.loo_max:.2f} max "
                "(top-1 points). Measured = your point; interpolated inside their convex "
                "hull; extrapolated outside it"
                + ("" if result.extrapolate else " (not ranked without --extrapolate)")
                + "."
                if a.loo_mae is not None and a.loo_max is not None
                else f"only at those points (no estimate between them: {where})."
            )
        )
    if only:
        notes.append(
            f"Top-1 of {', '.join(only)}: only at their released checkpoints (measured), "
            "with no estimate between them: one checkpoint of each, at 224, cannot say "
            "how wrong an estimate would be. TF-slim's released 0.75 V3 models are "
            "counted as mobilenet-v3-large-slim and -small-slim, the layout they were "
            "built with (each expansion sized from the block's scaled input)."
        )
    run = "each pick's schedule" if result.schedules is not None else "layer-by-layer execution"
    notes.append(
        f"Units: budgets read K, M, G (and KB, MB, GB) as powers of 1,000 and KiB, MiB, GiB "
        f"as powers of 1,024 (512KB = 512,000 bytes, 512KiB = 524,288). Tables show MACs "
        f"and params in millions (10^6), weights in MiB and the peak in KiB (binary); bytes "
        f"are {result.dtype}; the peak is under "
        f"{run}"
        f" with depthwise "
        f"convs {'in place' if result.dw_inplace else 'not in place'}. CSV and JSON give "
        "exact counts and bytes."
    )
    if result.profile is not None:
        p = result.profile
        measured = sum(
            int(g.latency_measured.sum()) for g in result.grids if g.latency_measured is not None
        )
        notes.append(
            f"Latency ms: measured on the device where the configuration was ({measured:,} "
            f"of the {result.n_configs:,} searched: {p.name}'s own points"
            + (" and the published Pixel-1 latencies of MobileNet V3" if p.builtin else "")
            + f"), else estimated on {p.name}, a {p.estimator} estimator ({p.fitted_on()}; "
            "leave-one-out error "
            f"mean {p.loo_mape_percent:.1f}%, max {p.loo_max_percent:.1f}%). A budget is "
            "tested on the measurement where there is one."
        )
        notes += [f"Caution (latency): {text}." for text in result.latency_cautions]
    notes += [f"Caution (top-1): {text}." for text in result.accuracy_cautions]
    notes[1:1] = _schedule_notes(result)
    tables = [_budget_table(result)] if result.checks else []
    if result.candidates:
        tables.append(_picks_table(result))
    if result.schedules is not None and result.layer_candidates:
        tables.append(
            _picks_table(
                result,
                result.layer_candidates[:5],
                f"Side by side: the best picks layer by layer ({result.n_layer_feasible:,} "
                "configurations meet every budget so)",
            )
        )
    if not tables:
        tables.append(_picks_table(result))
    return Report(
        title=title,
        tables=tables,
        notes=notes,
        data=result.to_dict(),
        csv_table=(1 if result.checks else 0) if result.candidates else 0,
    )
