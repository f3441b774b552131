"""The peak over a whole alpha x resolution grid, :func:`peak_grid` (what
:mod:`mncost.cost.sweep` reports as :data:`PEAK_ACTIVATION`): the same definition as the
per-op reckoning, vectorised with numpy (imported only when a grid is reckoned)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mncost.cost.execution import Execution
from mncost.cost.geometry import SpatialPlan, Static, WidthPlan
from mncost.cost.memory.buffers import Shared, shared_buffers

if TYPE_CHECKING:
    import numpy

PEAK_ACTIVATION = "peak_activation_bytes"
"""The sweep's name for the peak (not a per-op metric: it needs the dataflow)."""

_INT64_SAFE = 2**62  # as mncost.cost.sweep.INT64_SAFE (which imports this module)


def peak_grid(
    static: Static,
    widths: Sequence[WidthPlan],
    spaces: Sequence[SpatialPlan],
    execution: Execution,
    progress: Callable[[int, int], None] | None = None,
) -> numpy.ndarray:
    """The peak activation bytes at every (alpha, resolution) under ``execution`` (layer
    by layer): an array of shape (len(widths), len(spaces)), equal to
    :func:`count_memory`'s peak at each point: int64 where int64 holds every value, else
    Python ints (dtype object), never wrapped. ``progress(done, total)`` is called as ops
    are processed.

    It evaluates the same definition as :func:`live_bytes` (:func:`shared_buffers` and
    :func:`op_live`), vectorised. An op's live bytes are a sum over its live tensors of
    channels(alpha) x height x width(resolution). Tensors of the same spatial size are
    summed as channel vectors first; an op whose live tensors all share one spatial size
    s contributes u(alpha) x s(R), and since sizes are never negative the largest of
    those over many ops is max(u) x s: such ops (most of a CNN) are reduced over the
    alphas alone, and the full grid is formed once per spatial size and once per op that
    spans two sizes (a strided op, a join across a stage). Which tensors share a buffer
    can depend on alpha (a grouped conv that is depthwise at some widths only): the
    alphas are reckoned in groups of equal sharing.
    """
    import numpy as np

    if execution.patched:
        raise ValueError("peak_grid reckons layer-by-layer execution")
    n_alpha, n_res = len(widths), len(spaces)
    channels = np.array([w.channels for w in widths], dtype=np.int64).T  # tensor x alpha
    area = (
        np.array([s.heights for s in spaces], dtype=np.int64)
        * np.array([s.widths for s in spaces], dtype=np.int64)
    ).T  # tensor x res
    # Every live set is a subset of all the tensors: if even all of them at their
    # largest fit int64 (bounded in float64, as mncost.cost.sweep bounds its metrics),
    # no live set can wrap. Else the peak is computed in Python ints (object arrays).
    largest = channels.max(axis=1).astype(np.float64) * area.max(axis=1).astype(np.float64)
    if float(largest.sum()) * execution.bytes_per_value >= _INT64_SAFE:
        channels = channels.astype(object)
    area_rows, area_id = np.unique(area, axis=0, return_inverse=True)
    area_id = area_id.reshape(-1).tolist()
    sharing: dict[tuple[Shared, ...], list[int]] = {}
    for a, w in enumerate(widths):
        sharing.setdefault(shared_buffers(static, w, execution), []).append(a)
    peak = np.zeros((n_alpha, n_res), dtype=channels.dtype)
    n_ops = len(static.name)
    for shared, alphas in sharing.items():
        ch = channels[:, alphas]
        part = _peak_rows(static, shared, ch, area, area_rows, area_id, progress, n_ops)
        peak[alphas, :] = part
    return peak * execution.bytes_per_value


def _peak_rows(
    static: Static,
    shared: tuple[Shared, ...],
    channels: Any,
    area: Any,
    area_rows: Any,
    area_id: list[int],
    progress: Callable[[int, int], None] | None,
    n_ops: int,
) -> Any:
    import numpy as np

    n_alpha, n_res = channels.shape[1], area.shape[1]
    peak = np.zeros((n_alpha, n_res), dtype=channels.dtype)
    single: dict[int, Any] = {}  # area id -> the largest channel sum over one-size ops
    running = False
    for i in range(n_ops):
        if progress is not None:
            progress(i + 1, n_ops)
        if static.aux[i]:
            continue
        running = True
        terms: dict[int, Any] = {}
        for t in static.live[i]:
            a = area_id[t]
            terms[a] = terms[a] + channels[t] if a in terms else channels[t].copy()
        surplus = None  # what groups of tensors of different sizes hold twice
        for group in shared[i]:
            ids = {area_id[t] for t in group}
            if len(ids) == 1:  # one size: the group's largest has the most channels
                members = [channels[t] for t in group]
                top = members[0]
                for m in members[1:]:
                    top = np.maximum(top, m)
                terms[ids.pop()] -= sum(members) - top
            else:
                grids = [np.multiply.outer(channels[t], area[t]) for t in group]
                top = grids[0]
                for m in grids[1:]:
                    top = np.maximum(top, m)
                extra = sum(grids) - top
                surplus = extra if surplus is None else surplus + extra
        if len(terms) == 1 and surplus is None:
            ((a, u),) = terms.items()
            single[a] = np.maximum(single[a], u) if a in single else u
            continue
        total = sum(np.multiply.outer(u, area_rows[a]) for a, u in terms.items())
        if surplus is not None:
            total = total - surplus
        np.maximum(peak, total, out=peak)
    for a, u in single.items():
        np.maximum(peak, np.multiply.outer(u, area_rows[a]), out=peak)
    if not running:  # nothing runs: the input is all there is
        peak = np.multiply.outer(channels[0], area[0])
    return peak
