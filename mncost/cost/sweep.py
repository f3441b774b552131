"""The vectorised sweep: every metric over a whole alpha x resolution grid at once.

A CNN's channels depend only on alpha and its feature-map sizes only on the
resolution, so the interpreter's two halves are evaluated once per alpha (the width
plans) and once per resolution (the spatial plans), and each registered metric
(:mod:`mncost.cost.metrics`, the same functions a single count uses) is applied to
numpy arrays over all the ops at once: a width column is an (ops, alphas) array, a
size column an (ops, resolutions) array, a static column an (ops, 1) array.

A metric multiplies channel counts by sizes; :class:`_Separable` keeps the two kinds of
factor apart, so each term of a metric is u(op, alpha) x v(op, resolution), and its
total over the ops at every grid point is a matrix product, sum over ops of
u[op, a] * v[op, r] = (u.T @ v)[a, r]. Ops with the same size factor (most ops of a stage)
are summed first, so the product is over a handful of distinct rows.

**Exact, or exact in Python ints: never wrapped.** Counts are int64 where int64 holds
them, and each cell equals :func:`mncost.cost.result.count` of its configuration. Every
factor and term is also computed in float64, from the same columns; a float64 bound of
a sum of products is within a relative 1e-9 of the exact one at these sizes, so a bound
below 2**62 (half of int64's range) proves that no int64 product or partial sum wrapped.
Where a bound passes 2**62 (a network at alpha 16 and 16,384 pixels can count 10**22
MACs), that metric is computed again in exact Python ints, and its grid is an array of
Python ints (dtype object) instead of int64.

**Bounded.** The columns of a grid hold ops x (alphas + resolutions) values; at most
:data:`~mncost.limits.MAX_SWEEP_OP_VALUES` (a 100,000-op spec sweeps 40 axis values, a
100-op network 40,000), so memory stays bounded whatever the spec.

Besides the registered metrics, the grid takes the pseudo-metric
``"peak_activation_bytes"`` (:data:`mncost.cost.memory.PEAK_ACTIVATION`): the peak
activation memory under layer-by-layer execution, which is a maximum over the ops of
their live bytes rather than a sum, and is computed from the dataflow by
:func:`mncost.cost.memory.peak_grid`, under an execution
(:class:`mncost.cost.execution.Execution`: what runs in place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any

from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution, ExecutionError
from mncost.cost.geometry import (
    GeometryError,
    SpatialPlan,
    Static,
    WidthPlan,
    program,
    spatial_plan,
    static_columns,
    width_plan,
)
from mncost.cost.memory import PEAK_ACTIVATION, peak_grid
from mncost.cost.metrics import METRICS, Metric
from mncost.cost.result import _own_rule
from mncost.cost.scaling import Resolution, resolution_text
from mncost.limits import MAX_SWEEP_OP_VALUES

if TYPE_CHECKING:
    import numpy
    import pandas

    from mncost.cost.model import Model

__all__ = ["INT64_SAFE", "PEAK_ACTIVATION", "grid", "op_grids", "resolution_column", "sweep_frame"]

INT64_SAFE = 2**62
"""A float64 bound below this proves an int64 computation exact (int64 holds 2**63 - 1;
the factor of two covers the float64 bound's rounding many times over)."""

# Per-op columns by the half of the geometry that holds them (per-tensor ones left out).
_WIDTH = tuple(n for n in WidthPlan.__slots__ if n != "channels")
_SPATIAL = tuple(n for n in SpatialPlan.__slots__ if n not in ("heights", "widths"))
_STATIC = (
    *("weighted", "is_fc", "is_add", "is_concat", "is_scale", "channel_scale"),
    *("bias", "bn", "aux"),
    *("s_h", "s_w", "d_h", "d_w"),
)
"""The static columns a metric may read: the numeric ones (flags, strides, dilations)."""


class _Separable:
    """A value kept as a sum of products: sum of u_i (channels) x v_i (sizes).

    ``u`` is an int or an array over (ops, alphas) or (ops, 1); ``v`` an int or one over
    (ops, resolutions) or (ops, 1). Metrics are written with ``+``, ``-``, ``*`` and
    ``//``; multiplying two separable values multiplies their u's and their v's apart.
    """

    __slots__ = ("terms",)
    __array_ufunc__ = None  # array (op) separable: numpy defers to our reflected operator

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


class _Columns:
    """The grid's per-op columns, as (ops, alphas), (ops, resolutions) and (ops, 1) arrays.

    A column that is the same at every alpha (every resolution) for every op is kept as
    (ops, 1): it broadcasts, and costs nothing per grid value.
    """

    def __init__(
        self, static: Static, widths: Sequence[WidthPlan], spaces: Sequence[SpatialPlan]
    ) -> None:
        import numpy as np

        self.np = np
        self.n_ops = len(static.name)

        def table(plans: Sequence[Any], name: str) -> Any:
            out = np.empty((self.n_ops, len(plans)), dtype=np.int64)
            for j, plan in enumerate(plans):
                out[:, j] = getattr(plan, name)
            return out[:, :1] if (out == out[:, :1]).all() else out

        self.width = {name: table(widths, name) for name in _WIDTH}
        self.spatial = {name: table(spaces, name) for name in _SPATIAL}
        self.static = {
            name: np.array(getattr(static, name), dtype=np.int64).reshape(-1, 1) for name in _STATIC
        }

    def for_metric(self, m: Metric, dtype: Any) -> list[Any]:
        """The metric's arguments, in ``dtype`` (int64, float64, or object: Python ints)."""
        args: list[Any] = []
        for name in m.columns:
            if name in self.width:
                args.append(_Separable([(self.width[name].astype(dtype), 1)]))
            elif name in self.spatial:
                args.append(_Separable([(1, self.spatial[name].astype(dtype))]))
            else:
                args.append(self.static[name].astype(dtype))
        return args


def _terms(value: Any, np: Any, n_ops: int, dtype: Any) -> list[tuple[Any, Any]]:
    """A metric's value as (u, v) pairs of 2-D arrays: u (ops, alphas or 1), v (ops,
    resolutions or 1)."""

    def two_d(x: Any) -> Any:
        if isinstance(x, int):
            return np.full((n_ops, 1), x, dtype=dtype)
        return x

    return [(two_d(u), two_d(v)) for u, v in _Separable.lift(value).terms]


def _term_total(u: Any, v: Any, np: Any) -> Any:
    """sum over ops of u[op, a] * v[op, r], as an (alphas or 1, resolutions or 1) array:
    ops with the same v row are summed first, then one matrix product."""
    key = v
    if v.dtype == object:  # exact ints: sizes still fit int64, and group the same way
        key = v.astype(np.int64) if int(np.abs(v).max()) < INT64_SAFE else None
    if key is not None and key.shape[0] > 1:
        rows, inverse = np.unique(key, axis=0, return_inverse=True)
        summed = np.zeros((rows.shape[0], u.shape[1]), dtype=u.dtype)
        np.add.at(summed, inverse.reshape(-1), u)
        u, v = summed, rows.astype(v.dtype)
    return u.T @ v


def _bound(terms: list[tuple[Any, Any]], np: Any) -> float:
    """A float64 bound on every factor, partial sum and total of ``terms`` (float64
    arrays): the largest magnitude any int64 step of the same computation can reach."""
    bound = 0.0
    for u, v in terms:
        au, av = np.abs(u), np.abs(v)
        bound += float((au.max(axis=1) * av.max(axis=1)).sum())
        bound = max(bound, float(au.max()), float(av.max()))
    return bound


def _metric_grid(
    m: Metric, cols: _Columns, conventions: Conventions, shape: tuple[int, int]
) -> Any:
    """One metric's total at every grid point: int64 when the bound allows, else exact
    Python ints (an object array)."""
    np = cols.np
    n = cols.n_ops

    def run(dtype: Any) -> list[tuple[Any, Any]]:
        return _terms(
            m.per_op(dict(zip(m.columns, cols.for_metric(m, dtype))), conventions), np, n, dtype
        )

    exact = np.int64 if _bound(run(np.float64), np) < INT64_SAFE else object
    total = np.zeros(shape, dtype=exact)
    for u, v in run(exact):
        total = total + _term_total(u, v, np)
    return np.broadcast_to(total, shape).copy() if total.shape != shape else total


def grid(
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    metrics: Iterable[str] = ("mult_adds", "params"),
    progress: Callable[[int, int], None] | None = None,
    execution: Execution | None = None,
) -> dict[str, numpy.ndarray]:
    """Each metric's total over the network at every (alpha, resolution): arrays of shape
    (len(alphas), len(resolutions)), exact: int64 where int64 holds every value, else
    Python ints in an object array (see the module's docstring).

    ``metrics`` names registered metrics and may include ``"peak_activation_bytes"``
    (the peak under ``execution``, layer by layer; by default in ``conventions.dtype``
    with nothing in place; an execution's dtype overrides the conventions').
    ``progress(done, total)`` is called as the work proceeds (for a progress bar).
    GeometryError for a grid too large for this network (ops x axis values above
    :data:`~mncost.limits.MAX_SWEEP_OP_VALUES`) or a configuration it cannot take.
    """
    if execution is None:
        execution = Execution(dtype=conventions.dtype)
    if execution.patched:
        raise ExecutionError(
            "the sweep reckons the peak layer by layer; 'mncost memory --schedule patch' "
            "gives one configuration's patch-based peak"
        )
    conventions = execution.conventions(conventions)
    static, widths, spaces = _plans(arch, alphas, resolutions, classes, conventions)
    n_ops = len(static.name)
    metrics = list(metrics)
    wanted = [METRICS[name] for name in metrics if name != PEAK_ACTIVATION]
    steps = len(wanted) + (n_ops if PEAK_ACTIVATION in metrics else 0)
    shape = (len(alphas), len(resolutions))
    totals: dict[str, Any] = {}
    if wanted:
        cols = _Columns(static, widths, spaces)
        for done, m in enumerate(wanted, 1):
            totals[m.name] = _metric_grid(m, cols, conventions, shape)
            if progress is not None:
                progress(done, steps)
    if PEAK_ACTIVATION in metrics:
        step = None if progress is None else partial(_shifted, progress, len(wanted), steps)
        totals[PEAK_ACTIVATION] = peak_grid(static, widths, spaces, execution, step)
    return {name: totals[name] for name in metrics}


def _plans(
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None,
    conventions: Conventions,
) -> tuple[Any, list[Any], list[Any]]:
    """The program's static columns and its width plan at each alpha and spatial plan
    at each resolution; GeometryError for a grid too large for the network."""
    classes = arch.classes if classes is None else classes
    rule = conventions.rule(_own_rule(arch))
    prog = program(arch, classes == 0)
    n_ops = len(prog.ops)
    values = n_ops * (len(alphas) + len(resolutions))
    if values > MAX_SWEEP_OP_VALUES:
        raise GeometryError(
            f"a sweep of {n_ops:,} ops over {len(alphas):,} alphas and {len(resolutions):,} "
            f"resolutions holds {values:,} values; the most is {MAX_SWEEP_OP_VALUES:,} "
            f"(ops x (alphas + resolutions)): sweep fewer values"
        )
    # (A deep program keeps only its last plans: see mncost.cost.plans.)
    widths = [width_plan(prog, alpha, rule, classes) for alpha in alphas]
    spaces = [spatial_plan(prog, r) for r in resolutions]
    return static_columns(prog), widths, spaces


def op_grids(
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    metrics: Iterable[str] = ("mult_adds",),
) -> Iterator[dict[str, numpy.ndarray]]:
    """Each op's metrics over the grid, one op at a time in program order: a dict of
    (len(alphas), len(resolutions)) float64 arrays. For an estimate that is not a sum of
    totals (a roofline's max of compute and memory time per op); a count is exact only
    from :func:`grid`. GeometryError as :func:`grid`."""
    import numpy as np

    static, widths, spaces = _plans(arch, alphas, resolutions, classes, conventions)
    n_ops = len(static.name)
    cols = _Columns(static, widths, spaces)
    names = list(metrics)
    terms = {
        name: _terms(
            METRICS[name].per_op(
                dict(zip(METRICS[name].columns, cols.for_metric(METRICS[name], np.float64))),
                conventions,
            ),
            np,
            n_ops,
            np.float64,
        )
        for name in names
    }
    shape = (len(alphas), len(resolutions))
    for i in range(n_ops):
        out = {}
        for name in names:
            total = np.zeros(shape)
            for u, v in terms[name]:
                total = total + np.outer(u[i], v[i])
            out[name] = total
        yield out


def sweep_frame(
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    metrics: Iterable[str] = ("mult_adds", "params"),
    progress: Callable[[int, int], None] | None = None,
    execution: Execution | None = None,
) -> pandas.DataFrame:
    """One row per (alpha, resolution), alpha-major: alpha, resolution and each metric
    (``"peak_activation_bytes"`` included, see :func:`grid`)."""
    import numpy as np
    import pandas as pd

    metrics = list(metrics)
    totals = grid(arch, alphas, resolutions, classes, conventions, metrics, progress, execution)
    a, r = len(alphas), len(resolutions)
    frame = {
        "alpha": np.repeat(np.array([float(x) for x in alphas]), r),
        "resolution": resolution_column(resolutions, a),
    }
    frame.update((name, totals[name].reshape(-1)) for name in metrics)
    frame_: pandas.DataFrame = pd.DataFrame(frame)
    return frame_


def resolution_column(resolutions: Sequence[Resolution], repeats: int) -> numpy.ndarray:
    """The resolution column of an alpha-major frame (each resolution once per alpha): the
    sides as int64 when every input is square, else text as --res reads it ("224",
    "320x240", height x width) for every row."""
    import numpy as np

    if all(isinstance(r, int) for r in resolutions):
        return np.tile(np.array(list(resolutions), dtype=np.int64), repeats)
    return np.tile(np.array([resolution_text(r) for r in resolutions], dtype=object), repeats)


def _shifted(
    progress: Callable[[int, int], None], offset: int, steps: int, done: int, _total: int
) -> None:
    """Report the peak's progress (``done`` ops) after the metrics' ``offset`` steps."""
    progress(offset + done, steps)
