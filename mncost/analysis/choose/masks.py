"""Where budgets are met: per grid and budget a mask (:func:`budget_masks`,
:func:`budget_mask`; a latency estimate must sit the margin below its limit), where all
are (:func:`all_met`), and the patch-schedule cells: the configurations over the peak
budget layer by layer that a patch schedule brings within it (:func:`patch_cells`),
judged and shown on the schedule's figures (:func:`patched_met`, :func:`patched_grid`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.choose.budgets import Budget
from mncost.analysis.explore import LATENCY, ExploreError, ExploreGrid, Progress
from mncost.analysis.latency import estimate_latency
from mncost.analysis.schedules import recomputation_ms
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.memory import PEAK_ACTIVATION, fitting_schedule

if TYPE_CHECKING:
    import numpy

    from mncost.analysis.latency import LatencyProfile
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.memory import PatchTrial
    from mncost.cost.model import Model


def _meets(values: numpy.ndarray, budget: Budget) -> numpy.ndarray:
    import numpy as np

    if values.dtype.kind in "iu":  # exact: an int is <= limit iff <= floor(limit)
        return values <= math.floor(budget.limit)
    return np.asarray(values <= float(budget.limit))


def budget_masks(
    grid: ExploreGrid, budgets: Sequence[Budget], margin: Fraction = Fraction(0)
) -> tuple[numpy.ndarray, ...]:
    """Per budget, where ``grid`` meets it (as :func:`choose` tests it: a measurement or an
    exact count need only not exceed the limit; a latency estimate must sit ``margin``
    below it). ExploreError for a budget on a figure the grid does not have."""
    for b in budgets:
        if not grid.has(b.metric):
            raise ExploreError(
                f"--{b.kind.option.replace('_', '-')} bounds {b.metric}, which this grid "
                "does not have" + (": give --device" if b.metric == LATENCY else "")
            )
    return tuple(budget_mask(grid, b, margin) for b in budgets)


def budget_mask(grid: ExploreGrid, budget: Budget, margin: Fraction) -> numpy.ndarray:
    """Where ``grid`` meets ``budget``: a latency estimate must sit below it by
    ``margin`` (a share of the limit); a measurement, and every exact count, need only
    not exceed it."""
    import numpy as np

    values = grid.array(budget.metric)
    met = _meets(values, budget)
    if budget.metric != LATENCY or not margin:
        return met
    strict = np.asarray(values <= float(budget.limit * (1 - margin)))
    measured = grid.latency_measured
    return strict if measured is None else np.where(measured, met, strict)


def patch_cells(
    grids: Sequence[ExploreGrid],
    met: Sequence[Sequence[numpy.ndarray]],
    budgets: Sequence[Budget],
    peak_budget: Budget,
    chosen: Sequence[tuple[str, Model, str | None, Any]],
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    schedules: PatchSearch,
    profile: LatencyProfile | None,
    progress: Progress | None,
) -> list[dict[tuple[int, int], tuple[PatchTrial, float]]]:
    """Per grid: the configurations that meet every budget but the peak layer by layer,
    mapped to the patch schedule with the fewest extra MACs that brings their peak
    within it (and the latency of those MACs, ms: the patch stage's estimated ms per MAC
    times its extra MACs; 0 without a device). A configuration whose MACs or latency
    the recomputation then pushes over its budget is left to the budget check."""
    import numpy as np

    p = budgets.index(peak_budget)
    todo = []
    for k, (g, per) in enumerate(zip(grids, met)):
        others = np.ones(g.shape, dtype=bool)
        for b, m in enumerate(per):
            if b != p:
                others &= m
        for i, j in zip(*np.nonzero(others & ~per[p])):
            todo.append((k, int(i), int(j)))
    cells: list[dict[tuple[int, int], tuple[PatchTrial, float]]] = [{} for _ in grids]
    limit = math.floor(peak_budget.limit)
    splits = None if schedules.split is None else (schedules.split,)
    grid_sizes = None if schedules.patches is None else (schedules.patches,)
    for n, (k, i, j) in enumerate(todo):
        if progress is not None:
            progress("fitting patch schedules", n, len(todo))
        _, arch, name, _ = chosen[k]
        g = grids[k]
        alpha, resolution = g.alphas[i], g.resolutions[j]
        trial = fitting_schedule(
            arch,
            alpha,
            resolution,
            classes,
            conventions,
            execution,
            limit,
            splits,
            grid_sizes,
            stream_input=schedules.stream_input,
        )
        if trial is None:
            continue
        extra_ms = 0.0
        if profile is not None and trial.stage_macs:
            est = estimate_latency(
                arch,
                alpha,
                resolution,
                classes,
                profile,
                model=name,
                rounding=conventions.rounding,
                dtype=execution.dtype,
            )
            extra_ms = recomputation_ms(est, trial.split, trial.stage_macs, trial.extra_macs)
        cells[k][(i, j)] = (trial, extra_ms)
    if progress is not None and todo:
        progress("fitting patch schedules", len(todo), len(todo))
    return cells


def patched_met(
    grid: ExploreGrid,
    budget: Budget,
    margin: Fraction,
    base: numpy.ndarray,
    cells: Mapping[tuple[int, int], tuple[PatchTrial, float]],
) -> numpy.ndarray:
    """``base`` (where ``budget`` is met layer by layer) with the patched configurations
    judged on their schedule's figures: its peak, the MACs with the recomputation, the
    latency with the recomputation's (an estimate, so the margin applies)."""
    if not cells:
        return base
    met: numpy.ndarray = base.copy()
    for (i, j), (trial, extra_ms) in cells.items():
        if budget.metric == PEAK_ACTIVATION:
            met[i, j] = trial.peak.bytes <= math.floor(budget.limit)
        elif budget.metric == "mult_adds":
            total = int(grid.counts["mult_adds"][i, j]) + trial.extra_macs
            met[i, j] = total <= math.floor(budget.limit)
        elif budget.metric == LATENCY and grid.latency is not None:
            ms = float(grid.latency[i, j]) + extra_ms
            met[i, j] = ms <= float(budget.limit * (1 - margin))
    return met


def patched_grid(
    grid: ExploreGrid, cells: Mapping[tuple[int, int], tuple[PatchTrial, float]]
) -> ExploreGrid:
    """``grid`` with the patched configurations' peaks and latencies (recomputation
    included; no longer a measurement), for the picks and the heatmaps."""
    if not cells:
        return grid
    from dataclasses import replace

    peak = grid.counts[PEAK_ACTIVATION].copy()
    latency = None if grid.latency is None else grid.latency.copy()
    estimate = None if grid.latency_estimate is None else grid.latency_estimate.copy()
    measured = None if grid.latency_measured is None else grid.latency_measured.copy()
    for (i, j), (trial, extra_ms) in cells.items():
        peak[i, j] = trial.peak.bytes
        if latency is not None:
            # A measurement is of layer-by-layer execution: the schedule's latency is it
            # (or the estimate) plus the recomputation's estimate, so no longer measured.
            latency[i, j] += extra_ms
        if estimate is not None:
            estimate[i, j] += extra_ms
        if measured is not None:
            measured[i, j] = False
    return replace(
        grid,
        counts={**grid.counts, PEAK_ACTIVATION: peak},
        latency=latency,
        latency_estimate=estimate,
        latency_measured=measured,
    )


def all_met(grid: ExploreGrid, per_budget: Sequence[numpy.ndarray]) -> numpy.ndarray:
    """Where ``grid`` meets every budget (each budget's mask given)."""
    import numpy as np

    mask: numpy.ndarray = np.ones(grid.shape, dtype=bool)
    for m in per_budget:
        mask &= m
    return mask
