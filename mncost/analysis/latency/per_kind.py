"""The ``per-kind`` estimator: dense 1x1 convs, dense kxk convs, depthwise convs and
fully connected layers each run at a rate of their own (ms per MAC), and every op pays a
fixed cost. Linear in its five terms, fitted by non-negative least squares on relative
error. A device's depthwise convs are memory-bound where its dense ones are not: this
gives each its own rate without a byte term."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.latency.features import OpTable, Term, op_kinds
from mncost.analysis.latency.nnls import weighted_nnls
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.result import count
from mncost.cost.scaling import Resolution
from mncost.cost.sweep import op_grids

if TYPE_CHECKING:
    import numpy

__all__ = ["PER_KIND", "PerKind"]

_RATED = ("dense_1x1", "dense_kxk", "depthwise", "fc")
_WORDS = {
    "dense_1x1": "MACs of dense 1x1 convs",
    "dense_kxk": "MACs of dense kxk convs (k > 1)",
    "depthwise": "MACs of depthwise convs",
    "fc": "MACs of fully connected layers",
}


class PerKind:
    name = "per-kind"

    def __init__(self, traffic: str = "conv") -> None:
        self.traffic = traffic
        """Recorded with the profile; the rates weigh MACs only, so it changes nothing."""

    method = (
        "a rate per kind of op (dense 1x1, dense kxk, depthwise and fully connected "
        "MACs) and a constant per op, fitted by non-negative least squares on relative "
        "error"
    )
    terms: tuple[Term, ...] = (
        *(
            Term(f"{k}_mult_adds", "ms per MAC", 10**6, "ms per million MACs", _WORDS[k], "MACs")
            for k in _RATED
        ),
        Term("ops", "ms per op", 1, "ms per op", "a fixed cost per op"),
    )

    def _row(self, t: OpTable) -> list[float]:
        import numpy as np

        kinds = np.array(t.kinds)
        return [float(t.mult_adds[kinds == k].sum()) for k in _RATED] + [float(t.n_ops)]

    def design(self, tables: Sequence[OpTable]) -> numpy.ndarray:
        import numpy as np

        return np.array([self._row(t) for t in tables], dtype=float).reshape(len(tables), 5)

    def fit(self, tables: Sequence[OpTable], y: numpy.ndarray) -> tuple[float, ...]:
        return tuple(float(c) for c in weighted_nnls(self.design(tables), y))

    def op_ms(self, params: Sequence[float], table: OpTable) -> numpy.ndarray:
        import numpy as np

        rate = {k: params[i] for i, k in enumerate(_RATED)}
        per_mac = np.array([rate.get(k, 0.0) for k in table.kinds], dtype=float)
        result: numpy.ndarray = per_mac * table.mult_adds + params[-1]
        return result

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
        import numpy as np

        kinds = op_kinds(count(arch, alphas[0], resolutions[0], classes, conventions))
        rate = {k: params[i] for i, k in enumerate(_RATED)}
        total = np.full((len(alphas), len(resolutions)), params[-1] * len(kinds))
        ops = op_grids(arch, alphas, resolutions, classes, conventions, ("mult_adds",))
        for i, (kind, op) in enumerate(zip(kinds, ops)):
            if rate.get(kind):
                total += rate[kind] * op["mult_adds"]
            if progress is not None:
                progress(i + 1, len(kinds))
        return total


PER_KIND = PerKind()
