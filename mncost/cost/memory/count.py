"""One configuration's activation memory, :func:`count_memory`: the configuration counted,
every tensor and op recorded, the peak reckoned under the execution and under the other
setting of ``dw_inplace``, and under the patch schedule the stage, its parts, the peak
layer by layer and how each assumption moves the peak (:class:`MemoryResult`); and
:func:`memory_peak`, the peak and weight bytes alone (:class:`MemoryPeak`)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.cost.conventions import Conventions
from mncost.cost.execution import SWITCHES, Execution
from mncost.cost.geometry import Geometry
from mncost.cost.memory.buffers import accumulating_adds, in_place_ops, shared_buffers, tensor_bytes
from mncost.cost.memory.reckoning import reckon
from mncost.cost.memory.records import MemoryPeak, MemoryResult, OpMemory, Peak, TensorInfo
from mncost.cost.metrics import evaluate
from mncost.cost.patch import PatchStage, patch_stage
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import Resolution

if TYPE_CHECKING:
    from mncost.cost.model import Model


def _variants(
    g: Geometry, execution: Execution, stage: PatchStage, known: dict[Execution, Peak]
) -> tuple[tuple[str, Peak], ...]:
    # How each assumption moves the peak: the same schedule with one switch turned
    # (every switch of SWITCHES; ``known``: peaks already reckoned, by execution).
    out = []
    for switch in SWITCHES:
        on = getattr(execution, switch.field)
        turned = execution.with_(**{switch.field: not on})
        peak = known.get(turned) or reckon(g, turned, stage).peak
        out.append((f"{'without' if on else 'with'} {switch.option}", peak))
    return tuple(out)


def _counted(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    execution: Execution | None,
) -> tuple[Execution, Conventions, CostResult]:
    # The execution (by default layer by layer in the conventions' dtype), the
    # conventions it implies, and the configuration counted under them.
    if execution is None:
        execution = Execution(dtype=conventions.dtype)
    conventions = execution.conventions(conventions)
    return execution, conventions, count(arch, alpha, resolution, classes, conventions)


def memory_peak(
    arch: Model,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    execution: Execution | None = None,
) -> MemoryPeak:
    """The peak activations and weight bytes of :func:`count_memory` (the same arguments,
    the same checks and the same figures), without recording every tensor and op: a
    summary of a setting that is not charted costs a fraction of the full count."""
    execution, conventions, result = _counted(
        arch, alpha, resolution, classes, conventions, execution
    )
    g = result.geometry
    stage = patch_stage(g, execution, result.mult_adds) if execution.patched else None
    return MemoryPeak(
        execution,
        reckon(g, execution, stage).peak,
        sum(evaluate("weight_bytes", g, conventions)),
    )


def count_memory(
    arch: Model,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    execution: Execution | None = None,
) -> MemoryResult:
    """Activation memory of ``arch`` op by op, its peak and its weight bytes, at width
    ``alpha`` and input ``resolution``, under ``execution`` (by default layer by layer in
    ``conventions.dtype``, nothing in place; an execution's dtype overrides the
    conventions').

    The arguments are checked as :func:`mncost.cost.result.count` checks them
    (ScalingError, or GeometryError, for a configuration that cannot be counted;
    ExecutionError for a patch schedule that cannot run).
    """
    execution, conventions, result = _counted(
        arch, alpha, resolution, classes, conventions, execution
    )
    g = result.geometry
    st, wd, sp = g.static, g.width, g.spatial
    sizes = tensor_bytes(g, conventions)
    writers = ("input",) + st.name
    tensors = tuple(map(TensorInfo, writers, zip(sp.heights, sp.widths, wd.channels), sizes))
    stage = patch_stage(g, execution, result.mult_adds) if execution.patched else None
    chosen = reckon(g, execution, stage)
    flipped = execution.with_(dw_inplace=not execution.dw_inplace)
    other = reckon(g, flipped, stage)
    capable = in_place_ops(st, wd)
    accumulating: set[int] = set()
    if execution.add_inplace:
        shared = shared_buffers(st, wd, execution)
        for i, (_skip, _body, writer) in accumulating_adds(st).items():
            if len(shared[i]) > 0:
                accumulating |= {i, writer}
    reads = evaluate("input_bytes", g, conventions)
    writes = evaluate("output_bytes", g, conventions)

    def region(i: int) -> tuple[int, int] | None:
        if stage is None or i > stage.split_op or st.aux[i]:
            return None
        r = stage.largest(st.output[i])
        return None if r is None else (r.height, r.width)

    n = len(g)
    dw = execution.dw_inplace
    # Positional, column by column: a 100,000-op spec builds 100,000 records, and
    # keyword arguments and per-op indexing would cost a third again.
    layers = tuple(
        map(
            OpMemory,
            st.name,
            st.role,
            st.block,
            zip(sp.h_out, sp.w_out, wd.c_out),
            reads,
            writes,
            chosen.live,
            st.inputs,
            st.output,
            (() if aux else live for aux, live in zip(st.aux, st.live)),
            capable,
            (dw and c for c in capable),
            map(bool, st.aux),
            (i in accumulating for i in range(n)) if accumulating else (False,) * n,
            map(region, range(n)) if stage is not None else (None,) * n,
        )
    )
    return MemoryResult(
        model=result.model,
        alpha=result.alpha,
        resolution=result.resolution,
        classes=result.classes,
        conventions=conventions,
        own_rule=result.own_rule,
        execution=execution,
        tensors=tensors,
        layers=layers,
        peak=chosen.peak,
        other=other.peak,
        weight_bytes=sum(evaluate("weight_bytes", g, conventions)),
        stage=stage,
        parts=chosen.parts,
        layer_peak=None if stage is None else reckon(g, execution.layer_by_layer(), None).peak,
        variants=() if stage is None else _variants(g, execution, stage, {flipped: other.peak}),
    )
