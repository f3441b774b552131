"""What one configuration needs on a device, for the design review (``mncost report``).

:func:`deployment` counts the configuration's activation memory in two settings (float32
layer by layer, and int8 with depthwise convs in place, as MCU runtimes run it), charts
one execution op by op (under a patch schedule, patch by patch too, or the schedule a
search picks) and estimates its latency on :data:`REVIEW_DEVICE`, labelled as an
estimate with its method and error. Memory, schedules and latency are imported only
when a deployment is asked for.

Cut from :mod:`mncost.analysis.review`, whose :class:`~mncost.analysis.review.ReviewData`
holds the result (and which re-exports these names).
"""

from __future__ import annotations

from dataclasses import dataclass

from mncost.analysis.latency import LatencyEstimate, builtin_profile, estimate_latency
from mncost.analysis.schedules import PatchSearch, ScheduleSearch, recomputation_ms, search_patches
from mncost.cost.execution import Execution
from mncost.cost.memory import MemoryPeak, MemoryResult, count_memory, memory_peak
from mncost.cost.model import Model
from mncost.cost.result import CostResult

__all__ = ["REVIEW_DEVICE", "Deployment", "deployment"]

REVIEW_DEVICE = "pixel1-cpu"
"""The built-in latency profile the review estimates with."""


@dataclass(frozen=True)
class Deployment:
    """What a configuration needs on a device: memory in two settings, and a latency
    estimate (labelled as one, with its method and error)."""

    float32: MemoryResult | MemoryPeak
    """Float32, layer by layer, every depthwise conv with its own output buffer (its
    peak and weights: the per-op records only where it is also the charted profile)."""
    int8: MemoryResult | MemoryPeak
    """Int8 (batch norm folded), depthwise convs in place, as MCU runtimes run them."""
    latency: LatencyEstimate | None
    """The estimate on :data:`REVIEW_DEVICE` (None when it cannot be made)."""
    latency_error: str = ""
    """Why there is no latency estimate ("" when there is one)."""
    profile: tuple[MemoryResult, ...] = ()
    """The memory profile the page charts: the execution asked for layer by layer
    (by default :attr:`int8`'s), then under its patch schedule when one was asked for."""
    search: ScheduleSearch | None = None
    """The patch schedules searched, when the schedule was asked for with 'auto'."""
    recomputation_ms: float | None = None
    """Under a patch schedule: the estimated time of its recomputed MACs, which the
    latency estimate (layer by layer) does not include."""


def deployment(
    arch: Model,
    result: CostResult,
    model: str | None,
    execution: Execution | None = None,
    search: PatchSearch | None = None,
) -> Deployment:
    """Memory (float32, and int8 with depthwise convs in place) and the estimated latency
    on :data:`REVIEW_DEVICE` of the configuration ``result`` counted; ``model`` is the
    registered name (None for a spec file), which the latency cautions need.

    The memory profile is of ``execution`` (by default int8 with depthwise convs in
    place), layer by layer and, under a patch schedule (or ``search``'s pick), patch by
    patch too."""
    from mncost.cost.execution import Execution

    def counted(run: Execution) -> MemoryResult:
        return count_memory(
            arch, result.alpha, result.resolution, result.classes, result.conventions, run
        )

    found = None
    if search is not None:
        base = execution or Execution(dtype="int8", dw_inplace=True)
        found = search_patches(
            arch,
            result.alpha,
            result.resolution,
            result.classes,
            result.conventions,
            base,
            search,
        )
        execution = found.execution
    # The charted execution is counted op by op; the two summary settings need only
    # their peaks (a 100,000-op spec's records cost a second each).
    int8_run = Execution(dtype="int8", dw_inplace=True)
    charted = (execution or int8_run).layer_by_layer()
    first = counted(charted)

    def summary(run: Execution) -> MemoryResult | MemoryPeak:
        if run == charted:
            return first
        return memory_peak(
            arch, result.alpha, result.resolution, result.classes, result.conventions, run
        )

    float32 = summary(Execution(dtype="float32"))
    int8 = summary(int8_run)
    patched = (counted(execution),) if execution is not None and execution.patched else ()
    profile = (first, *patched)
    conventions = result.conventions
    try:
        latency = estimate_latency(
            arch,
            result.alpha,
            result.resolution,
            result.classes,
            builtin_profile(REVIEW_DEVICE),
            rounding=conventions.rounding,
            model=model,
        )
    except ValueError as exc:  # a profile that cannot take this architecture
        return Deployment(float32, int8, None, str(exc), profile, found)
    extra = None
    stage = profile[-1].stage
    if stage is not None:
        extra = recomputation_ms(latency, stage.split, stage.stage_macs, stage.extra_macs)
    return Deployment(float32, int8, latency, "", profile, found, extra)
