"""The vectorised sweep: every metric over a whole alpha x resolution grid at once.

A CNN's channels depend only on alpha and its feature-map sizes only on the
resolution, so the interpreter's two halves are evaluated once per alpha (the width
plans) and once per resolution (the spatial plans), and each registered metric
(:mod:`mncost.cost.metrics`, the same functions a single count uses) is applied to numpy
arrays shaped (alphas, 1) and (1, resolutions), op by op, broadcasting to the grid.
Counts stay exact: int64 throughout (the input bounds in :mod:`mncost.limits` keep every
count far below 2**63), and each row equals :func:`mncost.cost.result.count` of its
configuration exactly.

Besides the registered metrics, the grid takes the pseudo-metric
``"peak_activation_bytes"`` (:data:`mncost.cost.memory.PEAK_ACTIVATION`): the peak
activation memory under layer-by-layer execution, which is a maximum over the ops of
their live bytes rather than a sum, and is computed from the dataflow by
:func:`mncost.cost.memory.peak_grid` (``dw_inplace`` runs depthwise convs in place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any

from mncost.arch.ops import Architecture
from mncost.cost.conventions import Conventions
from mncost.cost.geometry import (
    SpatialPlan,
    WidthPlan,
    program,
    spatial_plan,
    static_columns,
    width_plan,
)
from mncost.cost.memory import PEAK_ACTIVATION, peak_grid
from mncost.cost.metrics import METRICS
from mncost.cost.result import _own_rule

if TYPE_CHECKING:
    import numpy
    import pandas

__all__ = ["PEAK_ACTIVATION", "grid", "sweep_frame"]

# Per-op columns by the half of the geometry that holds them (per-tensor ones left out).
_WIDTH = tuple(n for n in WidthPlan.__slots__ if n != "channels")
_SPATIAL = tuple(n for n in SpatialPlan.__slots__ if n not in ("heights", "widths"))


class _Separable:
    """A grid value kept as a sum of outer products: sum of u_i(alpha) x v_i(resolution).

    A metric multiplies channel counts (functions of alpha) by sizes (functions of the
    resolution); kept apart, the products of many ops that share a size factor add up
    as short vectors, and the full grid is formed once per distinct size factor. ``u``
    is an int or an int64 vector over the alphas, ``v`` an int or one over the
    resolutions.
    """

    __slots__ = ("terms",)

    def __init__(self, terms: list[tuple[Any, Any]]) -> None:
        self.terms = terms

    @staticmethod
    def lift(value: Any) -> _Separable:
        return value if isinstance(value, _Separable) else _Separable([(value, 1)])

    def __add__(self, other: Any) -> _Separable:
        return _Separable(self.terms + _Separable.lift(other).terms)

    __radd__ = __add__

    def __neg__(self) -> _Separable:
        return _Separable([(-u, v) for u, v in self.terms])

    def __sub__(self, other: Any) -> _Separable:
        return self + (-_Separable.lift(other))

    def __rsub__(self, other: Any) -> _Separable:
        return _Separable.lift(other) + (-self)

    def __mul__(self, other: Any) -> _Separable:
        if not isinstance(other, _Separable):
            return _Separable([(u * other, v) for u, v in self.terms])
        return _Separable([(u1 * u2, v1 * v2) for u1, v1 in self.terms for u2, v2 in other.terms])

    __rmul__ = __mul__

    def __floordiv__(self, other: Any) -> _Separable:
        other = _Separable.lift(other)
        if len(self.terms) == 1 and len(other.terms) == 1:
            (u1, v1), (u2, v2) = self.terms[0], other.terms[0]
            if _is_one(v1) and _is_one(v2):
                return _Separable([(u1 // u2, 1)])
            if _is_one(u1) and _is_one(u2):
                return _Separable([(1, v1 // v2)])
        raise TypeError("a metric divides a channel count by a size: the sweep cannot separate it")


def _is_one(x: Any) -> bool:
    return isinstance(x, int) and x == 1


class _Accumulator:
    """Sums separable values, grouping terms that share a resolution vector."""

    def __init__(self, n_alphas: int, n_res: int) -> None:
        import numpy as np

        self.np = np
        self.shape = (n_alphas, n_res)
        self.by_v: dict[bytes, tuple[Any, Any]] = {}
        self.scalar_v: Any = 0  # the sum of u over terms whose v is a plain int (times v)

    def add(self, value: Any) -> None:
        for u, v in _Separable.lift(value).terms:
            if isinstance(u, int) and u == 0 or isinstance(v, int) and v == 0:
                continue
            if isinstance(v, int):
                self.scalar_v = self.scalar_v + u * v
                continue
            key = v.tobytes()
            if key in self.by_v:
                acc, vec = self.by_v[key]
                self.by_v[key] = (acc + u, vec)
            else:
                self.by_v[key] = (u, v)

    def total(self) -> Any:
        np = self.np
        out = np.zeros(self.shape, dtype=np.int64)
        if not isinstance(self.scalar_v, int) or self.scalar_v:
            out += np.asarray(self.scalar_v, dtype=np.int64).reshape(-1, 1)
        for u, v in self.by_v.values():
            out += (
                np.multiply.outer(
                    np.asarray(u, dtype=np.int64).reshape(-1)
                    if not isinstance(u, int)
                    else np.full(1, u, np.int64),
                    v,
                )
                if not isinstance(u, int)
                else u * v[None, :]
            )
        return out


def grid(
    arch: Architecture,
    alphas: Sequence[Fraction],
    resolutions: Sequence[int],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    metrics: Iterable[str] = ("mult_adds", "params"),
    progress: Callable[[int, int], None] | None = None,
    dw_inplace: bool = False,
) -> dict[str, numpy.ndarray]:
    """Each metric's total over the network at every (alpha, resolution): arrays of shape
    (len(alphas), len(resolutions)), int64, exact.

    ``metrics`` names registered metrics and may include ``"peak_activation_bytes"``
    (the peak, in ``conventions.dtype``; ``dw_inplace`` runs depthwise convs in place).
    ``progress(done, total)`` is called as ops are processed (for a progress bar).
    """
    import numpy as np

    classes = arch.classes if classes is None else classes
    rule = conventions.rule(_own_rule(arch))
    prog = program(arch, classes == 0)
    static = static_columns(prog)
    widths = [width_plan(prog, alpha, rule, classes) for alpha in alphas]
    spaces = [spatial_plan(prog, r) for r in resolutions]
    metrics = list(metrics)
    wanted = [METRICS[name] for name in metrics if name != PEAK_ACTIVATION]
    needed = {column for m in wanted for column in m.columns}
    # Per op, a column is a plain int where it is the same at every alpha (resolution),
    # else a vector over the alphas (resolutions), kept apart by _Separable.
    w_cols = {
        name: np.array([getattr(p, name) for p in widths], dtype=np.int64).T
        for name in _WIDTH
        if name in needed
    }
    s_cols = {
        name: np.array([getattr(p, name) for p in spaces], dtype=np.int64).T
        for name in _SPATIAL
        if name in needed
    }
    static_names = needed - set(w_cols) - set(s_cols)
    sums = {m.name: _Accumulator(len(alphas), len(resolutions)) for m in wanted}
    n_ops = len(prog.ops)
    steps = 2 * n_ops if PEAK_ACTIVATION in metrics else n_ops  # the peak: a second pass
    for i in range(n_ops):
        columns: dict[str, Any] = {name: getattr(static, name)[i] for name in static_names}
        for name, col in w_cols.items():
            row = col[i]
            columns[name] = int(row[0]) if (row == row[0]).all() else _Separable([(row, 1)])
        for name, col in s_cols.items():
            row = col[i]
            columns[name] = int(row[0]) if (row == row[0]).all() else _Separable([(1, row)])
        for m in wanted:
            sums[m.name].add(m.per_op(columns, conventions))
        if progress is not None:
            progress(i + 1, steps)
    totals = {name: acc.total() for name, acc in sums.items()}
    if PEAK_ACTIVATION in metrics:
        step = None if progress is None else partial(_shifted, progress, n_ops, steps)
        totals[PEAK_ACTIVATION] = peak_grid(static, widths, spaces, conventions, dw_inplace, step)
    return {name: totals[name] for name in metrics}


def sweep_frame(
    arch: Architecture,
    alphas: Sequence[Fraction],
    resolutions: Sequence[int],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    metrics: Iterable[str] = ("mult_adds", "params"),
    progress: Callable[[int, int], None] | None = None,
    dw_inplace: bool = False,
) -> pandas.DataFrame:
    """One row per (alpha, resolution), alpha-major: alpha, resolution and each metric
    (``"peak_activation_bytes"`` included, see :func:`grid`)."""
    import numpy as np
    import pandas as pd

    metrics = list(metrics)
    totals = grid(arch, alphas, resolutions, classes, conventions, metrics, progress, dw_inplace)
    a, r = len(alphas), len(resolutions)
    frame = {
        "alpha": np.repeat(np.array([float(x) for x in alphas]), r),
        "resolution": np.tile(np.array(list(resolutions), dtype=np.int64), a),
    }
    frame.update((name, totals[name].reshape(-1)) for name in metrics)
    frame_: pandas.DataFrame = pd.DataFrame(frame)
    return frame_


def _shifted(
    progress: Callable[[int, int], None], offset: int, steps: int, done: int, _total: int
) -> None:
    """Report a second pass's progress after the first pass's ``offset`` steps."""
    progress(offset + done, steps)
