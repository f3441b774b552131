"""Ranking: the best configurations that meet every budget, by the objective then
fewer mult-adds (:func:`ranked_cells`), each a pick described against the budgets, the
device and the objective (:func:`candidate_at`: its figures, binding budget and flags;
:func:`ranked_picks`), and the cheapest configuration on a budget's axis
(:func:`cheapest`), which shows how each budget alone cuts the grids
(:func:`budget_checks`) and what rules out a model with no configuration that meets
every budget (:func:`exclusions`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.choose.budgets import OBJECTIVES, Budget, Objective
from mncost.analysis.choose.results import (
    BudgetCheck,
    Candidate,
    Cheapest,
    Exclusion,
    Searched,
)
from mncost.analysis.explore import LATENCY, ExploreGrid, resolution_order

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.latency import LatencyProfile
    from mncost.cost.memory import PatchTrial


def ranked_cells(
    grids: Sequence[ExploreGrid],
    masks: Sequence[numpy.ndarray],
    top: int,
    objective: Objective | None = None,
) -> list[tuple[int, int, int]]:
    """(grid, alpha index, resolution index) of the ``top`` best ranked configurations:
    the objective's best first (highest top-1 by default), then fewer mult-adds, then
    grid (model), alpha, resolution. A grid without the objective's column is left out."""
    import numpy as np

    objective = objective or OBJECTIVES["top1"]
    parts = []
    for g, (grid, mask) in enumerate(zip(grids, masks)):
        if not grid.has(objective.metric):
            continue
        values = np.asarray(grid.array(objective.metric), dtype=float)
        flat = np.flatnonzero(mask & ~np.isnan(values))
        score = values.reshape(-1)[flat]
        parts.append(
            (
                np.full(flat.size, g),
                flat,
                score if objective.best == "max" else -score,
                grid.counts["mult_adds"].reshape(-1)[flat],
            )
        )
    if not parts:
        return []
    which = np.concatenate([p[0] for p in parts])
    flat = np.concatenate([p[1] for p in parts])
    value = np.concatenate([p[2] for p in parts])
    macs = np.concatenate([p[3] for p in parts])
    order = np.lexsort((flat, which, macs, -value))[:top]  # the last key sorts first
    return [(int(which[k]), *divmod(int(flat[k]), grids[int(which[k])].shape[1])) for k in order]


def cheapest(grids: Sequence[ExploreGrid], metric: str, labels: Sequence[str]) -> Cheapest:
    best: tuple[Any, ...] | None = None
    for grid, label in zip(grids, labels):
        values = grid.array(metric)
        i, j = divmod(int(values.argmin()), values.shape[1])
        value = values[i, j]
        r = grid.resolutions[j]
        key = (value, label, grid.alphas[i], resolution_order(r), r)
        if best is None or key[:4] < best[:4]:
            best = key
    assert best is not None
    value, model, alpha, _, resolution = best
    return Cheapest(
        model,
        alpha,
        resolution,
        int(value) if hasattr(value, "dtype") and value.dtype.kind in "iu" else float(value),
    )


@dataclass(frozen=True)
class Ranking:
    """What every pick is described against: the figures searched, the budgets, the
    device, the objective."""

    metrics: tuple[str, ...]
    budgets: tuple[Budget, ...]
    profile: LatencyProfile | None
    goal: Objective


def candidate_at(
    ctx: Ranking,
    picks: list[Candidate],
    rank: int,
    g: ExploreGrid,
    model: str,
    i: int,
    j: int,
    cell: tuple[PatchTrial, float] | None,
) -> Candidate:
    """The pick at (``i``, ``j``) of grid ``g`` (of ``model``), ``rank``-th, with its
    figures, its binding budget and its flags; ``picks`` are the ones ranked before it
    (the first decides ties), ``cell`` its patch schedule when it needs one."""
    metrics, budgets, profile, goal = ctx.metrics, ctx.budgets, ctx.profile, ctx.goal
    latency_budget = next((b for b in budgets if b.metric == LATENCY), None)
    acc = g.accuracy
    figures: dict[str, int | float] = {m: int(g.counts[m][i, j]) for m in metrics if m in g.counts}
    if g.latency is not None:
        figures[LATENCY] = float(g.latency[i, j])
    run = {**figures}
    if cell is not None:  # the MAC budget counts the recomputed MACs too
        run["mult_adds"] = int(figures["mult_adds"]) + cell[0].extra_macs
    fractions = {
        b.metric: float(Fraction(run[b.metric]) / b.limit) if b.limit else math.inf for b in budgets
    }
    binding = max(fractions, key=lambda m: fractions[m]) if fractions else None
    value = float(acc.value[i, j]) if acc is not None else math.nan
    measured = g.latency_measured is not None and bool(g.latency_measured[i, j])
    at_limit = (
        latency_budget is not None
        and profile is not None
        and not measured
        and bool(
            figures[LATENCY] * (1 + float(profile.loo_mape_percent) / 100)
            > float(latency_budget.limit)
        )
    )
    status = str(acc.status[i, j]) if acc is not None else ""
    error = 0.0 if status == "measured" else (acc.loo_mae or 0.0) if acc is not None else 0.0
    tie = False
    if goal.name == "top1" and picks and not math.isnan(value):
        best = picks[0]
        best_error = 0.0 if best.status == "measured" else best.loo_mae or 0.0
        tie = best.top1 is not None and best.top1 - value <= max(error, best_error)
    return Candidate(
        rank=rank,
        model=model,
        alpha=g.alphas[i],
        resolution=g.resolutions[j],
        top1=None if math.isnan(value) else value,
        status=status,
        loo_mae=acc.loo_mae if acc is not None else None,
        loo_max=acc.loo_max if acc is not None else None,
        source=str(acc.source[i, j]) if acc is not None else "",
        figures=figures,
        fractions=fractions,
        binding=binding,
        latency_extrapolated=bool(g.latency_outside[i, j])
        and not (g.latency_measured is not None and g.latency_measured[i, j])
        if g.latency_outside is not None
        else False,
        latency_measured=bool(g.latency_measured[i, j])
        if g.latency_measured is not None
        else False,
        latency_estimate_ms=float(g.latency_estimate[i, j])
        if g.latency_estimate is not None
        else None,
        released=None if acc is None else status == "measured",
        own_top1=acc is not None and acc.fitted_on.own,
        at_limit=at_limit,
        tie=tie,
        schedule=None if cell is None else cell[0],
        extra_latency_ms=None if cell is None or g.latency is None else cell[1],
    )


def ranked_picks(
    ranking: Ranking,
    grids: Sequence[ExploreGrid],
    masks: Sequence[numpy.ndarray],
    top: int,
    labels: Sequence[str],
    cells: Sequence[dict[tuple[int, int], tuple[PatchTrial, float]]] = (),
) -> list[Candidate]:
    """The ``top`` best configurations that meet every budget, as candidates, best
    first; ``cells`` holds each grid's patch schedules (none: every pick runs layer by
    layer)."""
    picks: list[Candidate] = []
    for rank, (k, i, j) in enumerate(ranked_cells(grids, masks, top, ranking.goal), start=1):
        cell = cells[k].get((i, j)) if cells else None
        picks.append(candidate_at(ranking, picks, rank, grids[k], labels[k], i, j, cell))
    return picks


def budget_checks(
    grids: Sequence[ExploreGrid],
    met: Sequence[Sequence[numpy.ndarray]],
    budgets: Sequence[Budget],
    labels: Sequence[str],
) -> list[BudgetCheck]:
    """How each budget alone cuts the grids: how many configurations meet it, and the
    cheapest on its axis."""
    import numpy as np

    checks = []
    for b, budget in enumerate(budgets):
        meeting = sum(int(np.count_nonzero(m[b])) for m in met)
        checks.append(BudgetCheck(budget, meeting, cheapest(grids, budget.metric, labels)))
    return checks


def exclusions(
    searched: Sequence[Searched],
    grids: Sequence[ExploreGrid],
    met: Sequence[Sequence[numpy.ndarray]],
    masks: Sequence[numpy.ndarray],
    budgets: Sequence[Budget],
) -> list[Exclusion]:
    """The models with no configuration that meets every budget (``masks``), each with
    the budgets that alone rule it out and its cheapest configuration on their axes."""
    excluded = []
    for s, g, per_budget, mask in zip(searched, grids, met, masks):
        if budgets and not mask.any():
            alone = tuple(
                (budget, cheapest([g], budget.metric, [s.model]))
                for budget, m in zip(budgets, per_budget)
                if not m.any()
            )
            excluded.append(Exclusion(s.model, alone))
    return excluded
