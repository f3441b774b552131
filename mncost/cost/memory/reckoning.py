"""The peak under one execution, :func:`reckon`: every op's live bytes (in a patch stage,
the most over the patches, with the buffers held whole) and the largest of them, overall
and (under the patch schedule) in the patch stage and in the rest, as a
:class:`Reckoning`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mncost.cost.execution import Execution
from mncost.cost.geometry import Geometry
from mncost.cost.memory.buffers import live_bytes, op_live, shared_buffers, tensor_bytes
from mncost.cost.memory.records import Peak
from mncost.cost.patch import PatchStage


def _peak(
    live: Sequence[int],
    names: Sequence[str],
    aux: Sequence[int],
    input_bytes: int,
    dw_inplace: bool,
    ops: Sequence[int] | None = None,
    part: str = "",
    patches: Sequence[tuple[int, int] | None] | None = None,
) -> Peak:
    running = [i for i in (range(len(live)) if ops is None else ops) if not aux[i]]
    if not running:
        return Peak(input_bytes, None, dw_inplace, part)
    best = max(running, key=lambda i: (live[i], -i))  # the first op on a tie
    return Peak(live[best], names[best], dw_inplace, part, patches[best] if patches else None)


@dataclass(frozen=True)
class Reckoning:
    """Every op's live bytes under one execution, the peak, and (under the patch schedule)
    the patch stage's and the rest's peaks and the patch where each op holds its most."""

    live: tuple[int, ...]
    peak: Peak
    parts: tuple[Peak, ...] = ()
    worst_patch: tuple[tuple[int, int] | None, ...] = ()


def reckon(g: Geometry, execution: Execution, stage: PatchStage | None) -> Reckoning:
    """Every op's live bytes and the peak under ``execution``; with a patch stage, the
    stage's ops hold their most over the patches."""
    st, wd = g.static, g.width
    layer = live_bytes(g, execution)
    input_bytes = tensor_bytes(g, execution.bytes_per_value)[0]
    if stage is None:
        return Reckoning(layer, _peak(layer, st.name, st.aux, input_bytes, execution.dw_inplace))
    per_value = execution.bytes_per_value
    full = tensor_bytes(g, per_value)
    shared = shared_buffers(st, wd, execution)
    whole = {stage.split_tensor} | (set() if execution.stream_input else {0})
    rows, cols = stage.grid
    live = list(layer)
    worst: list[tuple[int, int] | None] = [None] * len(live)
    for i in range(stage.split_op + 1):
        if st.aux[i]:
            continue
        groups = tuple(
            kept for grp in shared[i] if len(kept := tuple(t for t in grp if t not in whole)) > 1
        )
        held = tuple(dict.fromkeys((*st.live[i], *sorted(whole))))
        best, where = -1, None
        for p, regions in enumerate(stage.regions):

            def size(t: int, regions: dict[int, Any] = regions) -> int:
                if t in whole:
                    return full[t]
                r = regions.get(t)
                return 0 if r is None else r.area * wd.channels[t] * per_value

            value = op_live(held, groups, size)
            if value > best:
                best, where = value, (p // cols, p % cols)
        live[i], worst[i] = best, where
    stage_ops = range(stage.split_op + 1)
    rest_ops = range(stage.split_op + 1, len(live))
    dw = execution.dw_inplace
    first = _peak(live, st.name, st.aux, input_bytes, dw, stage_ops, "patch stage", worst)
    rest = _peak(live, st.name, st.aux, input_bytes, dw, rest_ops, "rest")
    if rest.layer is None:
        rest = Peak(first.bytes, None, dw, "rest")  # nothing after the split
    overall = first if first.bytes >= rest.bytes else rest
    return Reckoning(tuple(live), overall, (first, rest), tuple(worst))
