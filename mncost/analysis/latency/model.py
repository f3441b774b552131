"""The latency estimator interface, and the one table that registers every estimator.

An estimator turns the engine's per-op geometry into per-op milliseconds. It reads an
:class:`OpTable` (each op's mult-adds, the activation bytes a conv or FC layer reads and
writes, its weight bytes, and its kind), is fitted to measured latencies on relative
error (:meth:`Estimator.fit`), and predicts per op (:meth:`Estimator.op_ms`) and over a
whole alpha x resolution grid (:meth:`Estimator.grid_ms`). A network's time is always
the sum over its ops. Its leave-one-out error is computed by the profile
(:func:`mncost.analysis.latency.fit_profile`) the same way for every estimator: refit
without each point, predict it.

Estimators, each one module:

- ``linear`` (:mod:`.linear`): a non-negative combination of MACs, activation bytes,
  weight bytes and a constant per op;
- ``roofline`` (:mod:`.roofline`): per op, the larger of its compute time (MACs at a
  peak rate) and its memory time (bytes at a bandwidth), plus a constant;
- ``per-kind`` (:mod:`.per_kind`): dense 1x1, dense kxk, depthwise and fully connected
  ops each at a rate of their own, plus a constant per op.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from mncost.analysis.latency.features import KINDS, OpTable, Term, op_kinds, op_table
from mncost.analysis.latency.linear import Linear
from mncost.analysis.latency.per_kind import PerKind
from mncost.analysis.latency.roofline import Roofline
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.scaling import Resolution

if TYPE_CHECKING:
    import numpy

__all__ = [
    "ESTIMATORS",
    "KINDS",
    "Estimator",
    "OpTable",
    "Term",
    "estimator",
    "op_kinds",
    "op_table",
]


class Estimator(Protocol):
    """What every latency estimator gives (one module each, one row of ESTIMATORS)."""

    name: str
    """Its registry name (``--estimator``)."""
    method: str
    """How it estimates and how it is fitted, in words."""
    terms: tuple[Term, ...]
    """Its parameters, in the order of a profile's coefficients."""
    traffic: str
    """The bytes it weighs: "all" or "conv" (:data:`~mncost.analysis.latency.features.TRAFFIC`);
    an op table it reads is built in the same cut."""

    def fit(self, tables: Sequence[OpTable], y: numpy.ndarray) -> tuple[float, ...]:
        """Parameters fitted to measured totals ``y`` (ms) on relative error, all >= 0."""

    def op_ms(self, params: Sequence[float], table: OpTable) -> numpy.ndarray:
        """Each op's estimated ms."""

    def grid_ms(
        self,
        params: Sequence[float],
        arch: Model,
        alphas: Sequence[Fraction],
        resolutions: Sequence[Resolution],
        classes: int | None,
        conventions: Conventions,
        progress: Any = None,
    ) -> numpy.ndarray:
        """The network's estimated ms at every (alpha, resolution)."""

    def design(self, tables: Sequence[OpTable]) -> numpy.ndarray | None:
        """The matrix a linear fit solves (rows: points), to tell how many terms the
        points determine; None for an estimator that is not linear in its terms."""


@cache
def _registry(traffic: str) -> dict[str, Estimator]:
    return {e.name: e for e in (Linear(traffic), Roofline(traffic=traffic), PerKind(traffic))}


ESTIMATORS: tuple[str, ...] = ("linear", "roofline", "per-kind")
"""Every estimator's name, in the order ``--estimator`` lists them."""


def estimator(name: str, traffic: str = "conv") -> Estimator:
    """The estimator registered as ``name``, weighing the ``traffic`` cut of bytes
    (:data:`~mncost.analysis.latency.features.TRAFFIC`); KeyError for another name."""
    return _registry(traffic)[name]
