"""The choose report: the best configurations under budgets (``mncost choose``).

Every figure comes from :class:`mncost.analysis.choose.ChooseResult`. The report shows
the budgets (each with how many configurations meet it alone and the cheapest one on its
axis), then the picks, best estimated top-1 first, each with its figures, the budget
that binds it and its estimate's status and error. When nothing is feasible, the first
note says which budget rules everything out. Units are stated: budgets are read with
decimal K, M, G and KB, MB and binary KiB, MiB; tables show weights in MiB and the peak
in KiB; CSV and JSON give exact counts and bytes.

The tables, and the words for a limit and a value, come from
:mod:`mncost.present.views.choose_tables`; this module writes the notes and makes the
report.
"""

from __future__ import annotations

from mncost.analysis.choose import ChooseResult
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import multiplier_text, resolution_text
from mncost.present.model import Report
from mncost.present.views.choose_tables import (
    budget_table,
    config_text,
    limit_text,
    picks_table,
    value_text,
)

__all__ = ["choose_report", "limit_text", "value_text"]


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
                f"{config_text(c.model, c.alpha, c.resolution)} at "
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
    tables = [budget_table(result)] if result.checks else []
    if result.candidates:
        tables.append(picks_table(result))
    if result.schedules is not None and result.layer_candidates:
        tables.append(
            picks_table(
                result,
                result.layer_candidates[:5],
                f"Side by side: the best picks layer by layer ({result.n_layer_feasible:,} "
                "configurations meet every budget so)",
            )
        )
    if not tables:
        tables.append(picks_table(result))
    return Report(
        title=title,
        tables=tables,
        notes=notes,
        data=result.to_dict(),
        csv_table=(1 if result.checks else 0) if result.candidates else 0,
    )
