"""Metrics: pure functions of an op's geometry, registered in one table.

Each metric is a function whose parameters are named after geometry columns
(:class:`mncost.cost.geometry.Geometry`), after an optional first parameter
``conventions`` (positional: binding it is cheaper than a keyword, and a single count
calls each metric once per op).
It is written with ``+``, ``*`` and ``//`` only, and with 0/1 flags instead of branches,
so the same function counts one op from Python ints and a whole alpha x resolution grid
from numpy arrays (:mod:`mncost.cost.sweep`). A new metric is one function in one of the
modules of this package (:mod:`~mncost.cost.metrics.counts`,
:mod:`~mncost.cost.metrics.memory`), registered with :func:`metric`.

A metric's parameters name the columns it reads, so it is given a mapping of columns by
name (:meth:`Metric.per_op`; :func:`evaluate` reads a geometry's), never a list in an
order to keep; a metric that builds on another calls it by keyword. What a column holds
is a :data:`Count`.

Channel columns depend only on alpha and size columns only on the resolution; grouping
the factors of each kind in parentheses lets the sweep multiply two short vectors
before it touches the full grid.

The counting conventions are stated in :mod:`mncost.cost.conventions`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from mncost.cost.conventions import Conventions

__all__ = ["METRICS", "Count", "Metric", "evaluate", "metric"]

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

Count: TypeAlias = "int | NDArray[numpy.int64]"
"""What a metric takes and gives: a Python int (one op's exact count) or an int64 numpy
array (one op over an alpha x resolution grid, :mod:`mncost.cost.sweep`); a 0/1 flag
column is a count too."""

# The modules that define metrics, imported at the end of this file so that each
# registers its functions in METRICS: counts (MACs and parameters), memory (bytes) and
# latency (the features of a device profile's model).
_DEFINITIONS = ("counts", "memory", "latency")


@dataclass(frozen=True)
class Metric:
    """A registered metric: its function and the geometry columns it reads."""

    name: str
    unit: str
    doc: str
    fn: Callable[..., Any]
    columns: tuple[str, ...]
    uses_conventions: bool

    def per_op(self, columns: Mapping[str, Count], conventions: Conventions) -> Count:
        """The metric of one op (or of one op over a grid, from numpy arrays)."""
        args = [columns[name] for name in self.columns]
        if self.uses_conventions:
            return self.fn(conventions, *args)
        return self.fn(*args)


METRICS: dict[str, Metric] = {}
"""Every metric by name, in registration order."""


def metric(name: str, unit: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the metric ``name`` (its docstring says what it counts)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        names = list(inspect.signature(fn).parameters)
        uses = bool(names) and names[0] == "conventions"
        columns = tuple(names[1:] if uses else names)
        METRICS[name] = Metric(name, unit, inspect.getdoc(fn) or "", fn, columns, uses)
        return fn

    return register


def evaluate(name: str, geometry: Any, conventions: Conventions) -> tuple[int, ...]:
    """Metric ``name`` of every op of ``geometry`` (Python ints), in op order; kept in
    the geometry's memo (a metric that reads no conventions, once for all of them)."""
    m = METRICS[name]
    key = ("metric", name, conventions if m.uses_conventions else None)
    memo = geometry.memo
    values: tuple[int, ...] | None = memo.get(key)
    if values is None:
        cols = [geometry.column(c) for c in m.columns]
        fn = partial(m.fn, conventions) if m.uses_conventions else m.fn
        values = memo[key] = tuple(map(fn, *cols))
    return values


def _load_definitions() -> None:
    import importlib

    for name in _DEFINITIONS:
        importlib.import_module(f"{__name__}.{name}")


_load_definitions()
