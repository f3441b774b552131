"""Patch schedules tried on one configuration: every split x grid with its peak and extra
MACs (:func:`patch_trials`, as :class:`PatchTrials` of :class:`PatchTrial`), and the
cheapest schedule that fits a budget (:func:`fitting_schedule`); a patch stage can end
where a block ends (:func:`split_candidates`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution, ExecutionError
from mncost.cost.geometry import Geometry
from mncost.cost.memory.buffers import live_bytes, tensor_bytes
from mncost.cost.memory.reckoning import Reckoning, reckon
from mncost.cost.memory.records import Peak
from mncost.cost.patch import PatchStage, patch_stage, split_index
from mncost.cost.result import count
from mncost.cost.scaling import Resolution

if TYPE_CHECKING:
    from mncost.cost.model import Model


@dataclass(frozen=True)
class PatchTrial:
    """One patch schedule tried: its split and grid, the peaks, the recomputation."""

    split: str
    """The op that ends the patch stage (a block's last op)."""
    block: str
    """That op's block (its name when it is in none): what --split takes."""
    grid: tuple[int, int]
    peak: Peak
    stage_peak: Peak
    rest_peak: Peak
    stage_macs: int
    extra_macs: int
    network_macs: int

    @property
    def overhead(self) -> Fraction:
        """The extra MACs as a share of the network's (0 to 1 and beyond)."""
        return Fraction(self.extra_macs, self.network_macs or 1)


@dataclass(frozen=True)
class PatchTrials:
    """Every patch schedule tried on one configuration, and what layer by layer needs."""

    layer_peak: Peak
    trials: tuple[PatchTrial, ...]
    skipped: tuple[tuple[str, str], ...]
    """Split points that cannot run patch by patch, with the reason (one line each)."""


def _trial(
    g: Geometry, end: int, grid: tuple[int, int], stage: PatchStage, chosen: Reckoning
) -> PatchTrial:
    first, rest = chosen.parts
    return PatchTrial(
        split=g.static.name[end],
        block=g.static.block[end] or g.static.name[end],
        grid=grid,
        peak=chosen.peak,
        stage_peak=first,
        rest_peak=rest,
        stage_macs=stage.stage_macs,
        extra_macs=stage.extra_macs,
        network_macs=stage.network_macs,
    )


def split_candidates(geometry: Geometry) -> tuple[str, ...]:
    """The ends of the blocks (an op outside any block is its own), in order: where a
    patch stage can end."""
    st = geometry.static
    ends: dict[str, str] = {}
    for i, name in enumerate(st.name):
        if st.aux[i]:
            continue
        ends[st.block[i] or name] = name
    return tuple(ends)


def patch_trials(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    splits: Sequence[str] | None = None,
    grids: Sequence[tuple[int, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    stream_input: bool | None = None,
) -> PatchTrials:
    """The peak and extra MACs of every patch schedule of ``splits`` x ``grids`` (None:
    every block's end; square grids 2x2 to 8x8), with ``execution``'s other choices
    (dtype, what runs in place; the input streamed as ``stream_input`` says, by default
    as ``execution`` says).

    A named split that cannot run patch by patch is an ExecutionError; with every
    split tried (None), such splits are skipped and listed with their reasons, and so
    are grids larger than a split's output.
    """
    base = execution.layer_by_layer()
    conventions = base.conventions(conventions)
    result = count(arch, alpha, resolution, classes, conventions)
    g = result.geometry
    names = split_candidates(g) if splits is None else tuple(splits)
    for name in names if splits is not None else ():
        split_index(g, name)  # a bad name fails now, before the search
    square = [(n, n) for n in range(2, 9)]
    layer_peak = reckon(g, base, None).peak
    trials: list[PatchTrial] = []
    skipped: list[tuple[str, str]] = []
    total = len(names) * len(grids or square)
    done = 0
    for name in names:
        end = split_index(g, name)
        t = g.static.output[end]
        side = (g.spatial.heights[t], g.spatial.widths[t])
        fits = [grid for grid in grids or square if grid[0] <= side[0] and grid[1] <= side[1]]
        if splits is None and not fits:
            skipped.append((name, f"its output is {side[0]}x{side[1]}, smaller than every grid"))
        for grid in grids or square:
            done += 1
            if progress is not None:
                progress(done, total)
            if splits is None and grid not in fits:
                continue
            run = base.with_(
                schedule="patch",
                split=name,
                patches=grid,
                stream_input=execution.stream_input if stream_input is None else stream_input,
            )
            try:
                stage = patch_stage(g, run, result.mult_adds)
            except ExecutionError as exc:
                if splits is not None:
                    raise
                if not any(n == name for n, _ in skipped):
                    skipped.append((name, str(exc)))
                break
            trials.append(_trial(g, end, grid, stage, reckon(g, run, stage)))
    return PatchTrials(layer_peak, tuple(trials), tuple(skipped))


def fitting_schedule(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    budget: int,
    splits: Sequence[str] | None = None,
    grids: Sequence[tuple[int, int]] | None = None,
    *,
    stream_input: bool = False,
) -> PatchTrial | None:
    """The patch schedule with the fewest extra MACs whose peak is at most ``budget``
    bytes (on a tie the lower peak, then the fewer patches, then the earlier split), or
    None when none fits; ``splits`` and ``grids`` as :func:`patch_trials` takes them.

    Splits are pruned before any patch is traced: after the split the network runs
    layer by layer, so a split whose rest (or whose output buffer alone) exceeds the
    budget cannot fit with any grid.
    """
    base = execution.layer_by_layer()
    conventions = base.conventions(conventions)
    result = count(arch, alpha, resolution, classes, conventions)
    g = result.geometry
    st = g.static
    layer = live_bytes(g, base)
    sizes = tensor_bytes(g, base.bytes_per_value)
    names = split_candidates(g) if splits is None else tuple(splits)
    square = [(n, n) for n in range(2, 9)]
    best: PatchTrial | None = None
    for name in names:
        end = split_index(g, name)
        t = st.output[end]
        rest = [layer[i] for i in range(end + 1, len(layer)) if not st.aux[i]]
        if sizes[t] > budget or (rest and max(rest) > budget):
            continue
        side = (g.spatial.heights[t], g.spatial.widths[t])
        for grid in grids or square:
            if grid[0] > side[0] or grid[1] > side[1]:
                continue
            run = base.with_(schedule="patch", split=name, patches=grid, stream_input=stream_input)
            try:
                stage = patch_stage(g, run, result.mult_adds)
            except ExecutionError:
                if splits is not None:
                    raise
                break
            if best is not None and stage.extra_macs > best.extra_macs:
                continue
            chosen = reckon(g, run, stage)
            if chosen.peak.bytes > budget:
                continue
            trial = _trial(g, end, grid, stage, chosen)
            key = (trial.extra_macs, trial.peak.bytes, grid[0] * grid[1])
            if best is None or key < (
                best.extra_macs,
                best.peak.bytes,
                best.grid[0] * best.grid[1],
            ):
                best = trial
    return best
