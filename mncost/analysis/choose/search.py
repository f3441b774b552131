"""The search itself: :func:`choose` checks the request, explores each searched model's
candidate grid (:func:`mncost.analysis.explore.explore_grid`), finds where each budget is
met (with a patch schedule where the peak is over its budget layer by layer, when
schedules are searched), says what each budget alone rules out, and ranks what meets
every budget. Each step is a named function: this module's below :func:`choose`, and
those of :mod:`~mncost.analysis.choose.masks` and :mod:`~mncost.analysis.choose.ranking`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.analysis.accuracy import top1_source
from mncost.analysis.choose.budgets import MAX_MARGIN, OBJECTIVES, Budget, Objective
from mncost.analysis.choose.families import (
    candidate_axes,
    other_task,
    own_top1,
    searched_models,
)
from mncost.analysis.choose.masks import (
    all_met,
    budget_mask,
    patch_cells,
    patched_grid,
    patched_met,
)
from mncost.analysis.choose.ranking import Ranking, budget_checks, exclusions, ranked_picks
from mncost.analysis.choose.results import Candidate, ChooseResult, Searched
from mncost.analysis.explore import (
    ACCURACY,
    LATENCY,
    ExploreError,
    ExploreGrid,
    Progress,
    explore_grid,
)
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import Resolution
from mncost.text import quote

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.accuracy_points import OwnPoints, UserPoint
    from mncost.analysis.latency import LatencyProfile
    from mncost.analysis.scenario import ModelRef
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.memory import PatchTrial
    from mncost.cost.model import Model


def choose(
    family: str | None = "all",
    budgets: Iterable[Budget] = (),
    *,
    models: Sequence[ModelRef] = (),
    objective: str = "top1",
    classes: int | None = None,
    alphas: Sequence[Fraction] | None = None,
    resolutions: Sequence[Resolution] | None = None,
    execution: Execution | None = None,
    profile: LatencyProfile | None = None,
    top: int = 10,
    extrapolate: bool = False,
    margin: Fraction = Fraction(0),
    accuracy_points: Sequence[UserPoint] = (),
    accuracy_source: str = "",
    progress: Progress | None = None,
    schedules: PatchSearch | None = None,
) -> ChooseResult:
    """The ``top`` best configurations of ``family``'s models and of ``models`` (any
    model references) that meet every budget, ranked by ``objective`` (:data:`OBJECTIVES`:
    estimated top-1 by default).

    ``alphas`` and ``resolutions`` replace each model's published range (the same grid
    for every model). ``classes`` sizes every classifier (a built-in model's top-1 is of
    its own 1,000 classes: with other classes it has none). A latency budget or
    objective needs a device ``profile``. ExploreError for an unknown family or
    objective, a latency budget without a device, nothing to rank by, or a grid out of
    bounds.
    """
    budgets = tuple(budgets)
    goal = _goal(budgets, objective, top, margin, profile, schedules)
    execution = execution or Execution()
    conventions = execution.conventions(Conventions())
    chosen = searched_models(family, models)
    own = own_top1(chosen, accuracy_points, accuracy_source, execution.dtype)
    searched = _candidate_grids(chosen, own, alphas, resolutions)
    metrics = ["mult_adds", "params", "weight_bytes", PEAK_ACTIVATION]
    if profile is not None:
        metrics.append(LATENCY)
    grids = _explore(
        chosen,
        searched,
        own,
        metrics,
        classes,
        conventions,
        execution,
        profile,
        extrapolate,
        progress,
    )
    unranked, other_tasks = _rankable(chosen, searched, grids, goal)
    layer_grids = grids
    layer_met = [[budget_mask(g, budget, margin) for budget in budgets] for g in grids]
    grids, met, cells = _scheduled(
        grids,
        layer_met,
        budgets,
        margin,
        chosen,
        classes,
        conventions,
        execution,
        schedules,
        profile,
        progress,
    )
    labels = [s.model for s in searched]
    checks = budget_checks(grids, met, budgets, labels)
    masks = [all_met(g, per_budget) for g, per_budget in zip(grids, met)]
    excluded = exclusions(searched, grids, met, masks, budgets)
    n_feasible, n_unranked, n_withheld = _feasible_counts(grids, masks, goal)
    ranking = Ranking(tuple(metrics), budgets, profile, goal)
    picks = ranked_picks(ranking, grids, masks, top, labels, cells)
    layer_picks: list[Candidate] = []
    n_layer = n_feasible
    if schedules is not None:
        layer_masks = [all_met(g, per) for g, per in zip(layer_grids, layer_met)]
        n_layer = sum(int(m.sum()) for m in layer_masks)
        layer_picks = ranked_picks(ranking, layer_grids, layer_masks, top, labels)
    cautions = tuple(dict.fromkeys(c for g in grids for c in g.latency_cautions))
    return ChooseResult(
        family="" if family is None else family.strip().lower().replace("_", "-"),
        searched=tuple(searched),
        budgets=budgets,
        execution=execution,
        profile=profile,
        extrapolate=extrapolate,
        top=top,
        candidates=tuple(picks),
        checks=tuple(checks),
        n_configs=sum(g.size for g in grids),
        n_feasible=n_feasible,
        n_withheld=n_withheld,
        grids=grids,
        feasible=tuple(masks),
        meets=tuple(tuple(m) for m in met),
        latency_cautions=cautions,
        objective=goal,
        unranked=unranked,
        other_tasks=other_tasks,
        n_unranked=n_unranked,
        excluded=tuple(excluded),
        margin=margin,
        own_reasons={label: o.reason for label, o in own.items() if o.reason},
        schedules=schedules,
        layer_candidates=tuple(layer_picks),
        n_layer_feasible=n_layer,
        n_patched=sum(int(bool(m[i, j])) for m, c in zip(masks, cells) for (i, j) in c),
    )


def _goal(
    budgets: Sequence[Budget],
    objective: str,
    top: int,
    margin: Fraction,
    profile: LatencyProfile | None,
    schedules: PatchSearch | None,
) -> Objective:
    """The objective to rank by, once the request is checked: ``top`` and ``margin`` in
    range, a known objective, a device for a latency budget or objective, a peak budget
    for patch schedules; ExploreError otherwise."""
    if not 1 <= top <= 1000:
        raise ExploreError(f"top must be a whole number from 1 to 1,000, got {top}")
    if not 0 <= margin < MAX_MARGIN:
        raise ExploreError(
            f"margin must be a share from 0 to below {float(MAX_MARGIN):.0%}, "
            f"got {float(margin):.4g}"
        )
    if objective not in OBJECTIVES:
        raise ExploreError(
            f"unknown objective {quote(objective)}; choose from {', '.join(OBJECTIVES)}"
        )
    goal = OBJECTIVES[objective]
    if (any(b.metric == LATENCY for b in budgets) or goal.metric == LATENCY) and profile is None:
        raise ExploreError(
            f"a latency {'objective' if goal.metric == LATENCY else 'budget'} needs a device: "
            "give --device (device= in Python): pixel1-cpu, or a profile file made by "
            "`mncost calibrate`"
        )
    if schedules is not None and not any(b.metric == PEAK_ACTIVATION for b in budgets):
        raise ExploreError(
            "patch schedules are searched to meet a peak budget: give --max-peak-bytes "
            "(max_peak_bytes= in Python)"
        )
    return goal


def _candidate_grids(
    chosen: Sequence[tuple[str, Model, str | None, frozenset[str]]],
    own: dict[str, OwnPoints],
    alphas: Sequence[Fraction] | None,
    resolutions: Sequence[Resolution] | None,
) -> list[Searched]:
    """Each searched model's candidate grid (:func:`candidate_axes`); ExploreError when
    they hold more than 2,000,000 configurations together."""
    searched = [
        candidate_axes(label, arch, name, alphas, resolutions, own.get(label))
        for label, arch, name, _ in chosen
    ]
    if sum(len(s.alphas) * len(s.resolutions) for s in searched) > 2_000_000:
        raise ExploreError(
            "the candidate grids hold more than 2,000,000 configurations "
            "together; use a larger step"
        )
    return searched


def _explore(
    chosen: Sequence[tuple[str, Model, str | None, frozenset[str]]],
    searched: Sequence[Searched],
    own: dict[str, OwnPoints],
    metrics: list[str],
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    profile: LatencyProfile | None,
    extrapolate: bool,
    progress: Progress | None,
) -> tuple[ExploreGrid, ...]:
    """Each searched model's figures over its candidate grid: ``metrics``, and top1
    where the model has a top-1 (your points, or a built-in model's at its own classes)
    and the grid is square."""

    def columns(arch: Model, name: str | None, label: str, s: Searched) -> list[str]:
        same = classes is None or classes == arch.classes
        has_top1 = label in own or name is not None and same and top1_source(name) is not None
        square = all(isinstance(r, int) for r in s.resolutions)  # top-1 is fitted in R
        return [*metrics, ACCURACY] if has_top1 and square else metrics

    return tuple(
        explore_grid(
            arch,
            s.alphas,
            s.resolutions,
            classes,
            conventions,
            metrics=columns(arch, name, label, s),
            execution=execution,
            profile=profile,
            model=name,
            extrapolate=extrapolate,
            top1=own[label].source if label in own else None,
            progress=progress,
        )
        for s, (label, arch, name, _) in zip(searched, chosen)
    )


def _rankable(
    chosen: Sequence[tuple[str, Model, str | None, frozenset[str]]],
    searched: Sequence[Searched],
    grids: Sequence[ExploreGrid],
    goal: Objective,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The models searched but not ranked (no column of the objective), and why each
    detection or segmentation model has no top-1; ExploreError when no model can be
    ranked."""
    unranked = tuple(s.model for s, g in zip(searched, grids) if not g.has(goal.metric))
    # A detector or a segmentation model says what it has instead of a top-1.
    tasks = {
        s.model: other_task(label, name)
        for s, g, (label, _, name, _) in zip(searched, grids, chosen)
        if not g.has(ACCURACY)
    }
    other_tasks = tuple(why for why in tasks.values() if why)
    if (
        len(unranked) == len(grids)
        and goal.metric == ACCURACY
        and all(any(isinstance(r, tuple) for r in s.resolutions) for s in searched)
    ):
        raise ExploreError(
            "no top-1 to rank by at a non-square --res: top-1 estimates are fitted to "
            "square checkpoints; rank by another --objective (macs: the most MACs the "
            "budgets allow, latency, params, peak, weights)"
        )
    if len(unranked) == len(grids):
        rest = [m for m in unranked if not tasks.get(m)]
        whys = [tasks[m] for m in unranked if tasks.get(m)]
        if rest:
            whys.append(
                f"{', '.join(rest)} {'has' if len(rest) == 1 else 'have'} no released "
                "ImageNet checkpoints (or --classes changes the network)"
            )
        raise ExploreError(
            f"no top-1 to rank by: {'; '.join(whys)}; rank by another --objective (macs: "
            "the most MACs the budgets allow, latency, params, peak, weights)"
        )
    return unranked, other_tasks


def _scheduled(
    grids: tuple[ExploreGrid, ...],
    met: list[list[numpy.ndarray]],
    budgets: tuple[Budget, ...],
    margin: Fraction,
    chosen: Sequence[tuple[str, Model, str | None, frozenset[str]]],
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    schedules: PatchSearch | None,
    profile: LatencyProfile | None,
    progress: Progress | None,
) -> tuple[
    tuple[ExploreGrid, ...],
    list[list[numpy.ndarray]],
    list[dict[tuple[int, int], tuple[PatchTrial, float]]],
]:
    """With ``schedules`` and a peak budget: the grids and each budget's masks (``met``,
    layer by layer) with the configurations a patch schedule brings within the peak
    budget judged on the schedule's figures, and those schedules per grid; else
    ``grids`` and ``met`` as they are, and no schedules."""
    peak_budget = next((b for b in budgets if b.metric == PEAK_ACTIVATION), None)
    cells: list[dict[tuple[int, int], tuple[PatchTrial, float]]] = [{} for _ in grids]
    if schedules is None or peak_budget is None:
        return grids, met, cells
    cells = patch_cells(
        grids,
        met,
        budgets,
        peak_budget,
        chosen,
        classes,
        conventions,
        execution,
        schedules,
        profile,
        progress,
    )
    met = [
        [patched_met(g, b, margin, m, c) for b, m in zip(budgets, per)]
        for g, per, c in zip(grids, met, cells)
    ]
    return tuple(patched_grid(g, c) for g, c in zip(grids, cells)), met, cells


def _feasible_counts(
    grids: Sequence[ExploreGrid], masks: Sequence[numpy.ndarray], goal: Objective
) -> tuple[int, int, int]:
    """How many configurations meet every budget; of those, how many are of models
    without the objective's column, and how many have no value of it (withheld)."""
    import numpy as np

    n_feasible = sum(int(m.sum()) for m in masks)
    n_unranked = sum(int(m.sum()) for g, m in zip(grids, masks) if not g.has(goal.metric))
    n_withheld = sum(
        int(np.count_nonzero(m & np.isnan(np.asarray(g.array(goal.metric), dtype=float))))
        for g, m in zip(grids, masks)
        if g.has(goal.metric)
    )
    return n_feasible, n_unranked, n_withheld
