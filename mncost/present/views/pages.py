"""The explorer's figure pages: ``mncost choose`` and ``mncost sweep`` as a heatmap page,
a report in parts (the intro, the heatmaps, the tables and notes) that the format table
renders like any other (:func:`choose_page`, :func:`sweep_page`).

Only a format that draws charts (:data:`mncost.present.formats.CHARTED`) asks for these:
building the figures costs more than the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mncost.analysis.explore import METRIC_LABELS
from mncost.present.heatmap import choose_figures, heatmap_report, picks_figure, sweep_figure
from mncost.present.model import PAGE_ROWS, Report
from mncost.present.views.choose import choose_report
from mncost.present.views.sweep import sweep_report

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.choose import Budget, ChooseResult
    from mncost.analysis.explore import ExploreGrid

__all__ = ["choose_page", "sweep_page"]


def _choose_intro(result: ChooseResult) -> str:
    limits = ", ".join(f"{b.kind.short} <= {b.with_unit}" for b in result.budgets)
    goal = result.objective
    label = METRIC_LABELS[goal.metric] if goal.metric in METRIC_LABELS else goal.metric
    coloured = (
        "Estimated top-1 over each model's candidate grid"
        if goal.name == "top1"
        else f"{label.capitalize()} over each model's candidate grid (the picks: "
        f"{goal.words} first)"
    )
    intro = (
        f"{coloured}. Shaded dark: over a budget"
        + (f" ({limits}); a coloured line with its label: each budget's boundary" if limits else "")
        + "; numbered: the picks, best "
        "first; white lines: equal mult-adds (millions); open circles: the "
        "released checkpoints; light grey: no top-1 there. Hover a cell for its figures."
    )
    if any(isinstance(r, tuple) for g in result.grids for r in g.resolutions):
        intro += (
            " A non-square grid's rows are its input sizes (height x width), evenly "
            "spaced by pixel count, so it has no lines of equal mult-adds."
        )
    single = [g.model for g in result.grids if g.size == 1]
    if single:
        intro += (
            f" Searched at one released configuration each, so not mapped: "
            f"{', '.join(single)} (their figures are in the tables below)."
        )
    empty = [
        s.model
        for s, g, f in zip(result.searched, result.grids, result.feasible)
        if g.size > 1 and result.budgets and not f.any()
    ]
    if empty:
        intro += (
            f" Not mapped, since no configuration of it meets the budgets: "
            f"{', '.join(empty)} (the notes below say which budget rules it out)."
        )
    return intro


def choose_page(result: ChooseResult) -> Report:
    """The search as a heatmap page: the picks chart (when there is one), each model's
    heatmap of its candidate grid, then :func:`~mncost.present.views.choose.choose_report`'s
    tables and notes."""
    report = choose_report(result)
    figures = choose_figures(result)
    chart = picks_figure(result)
    if chart is not None:
        figures.insert(0, chart)
    intro = _choose_intro(result)
    return heatmap_report(figures, result.grids, report.title, intro, report.tables, report.notes)


def sweep_page(
    grid: ExploreGrid,
    metric: str | None = None,
    budgets: Sequence[Budget] = (),
    meets: Sequence[numpy.ndarray] = (),
    note: str = "",
) -> Report:
    """The sweep as a heatmap page of ``metric`` (by default the top-1 where there is
    one, else the mult-adds), with every configuration listed up to
    :data:`~mncost.present.model.PAGE_ROWS` (else the pivot), ``budgets`` shaded
    (``meets``: each budget's mask) and ``note`` (what the budgets leave) last."""
    metric = metric or (
        "top1" if grid.has("top1") else "mult_adds" if grid.has("mult_adds") else grid.columns()[0]
    )
    report = sweep_report(grid, full=grid.size <= PAGE_ROWS, pivot=metric)
    square = all(isinstance(r, int) for r in grid.resolutions)
    lines = (
        "White lines: equal mult-adds, labelled in millions"
        if square
        else "Rows: the input sizes (height x width), evenly spaced by pixel count, so no "
        "lines of equal mult-adds are drawn"
    )
    intro = (
        f"Hover a cell for every figure of its configuration. {lines}; open circles: the "
        "released checkpoints"
        + (
            "; grey: no value (a top-1 outside the published grid is withheld unless "
            "--extrapolate)."
            if metric == "top1" and not grid.extrapolate
            else "."
        )
    )
    if budgets:
        intro += (
            " Shaded dark: over a budget; a coloured line with its label: each budget's boundary."
        )
    notes = [*report.notes, *([note] if note else [])]
    return heatmap_report(
        [sweep_figure(grid, metric, budgets, meets)],
        [grid],
        report.title,
        intro,
        report.tables,
        notes,
    )
