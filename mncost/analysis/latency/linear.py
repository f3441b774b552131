"""The ``linear`` estimator: an op's time is a non-negative combination of its
mult-adds, the activation bytes it reads and writes (conv and FC layers), its conv
weight bytes and a constant, fitted by non-negative least squares on relative error.
Linear in its terms, so a network's time is the same combination of the four totals,
and a grid needs only the sweep's exact totals."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.latency.features import OpTable, Term
from mncost.analysis.latency.nnls import weighted_nnls
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.scaling import Resolution

if TYPE_CHECKING:
    import numpy

__all__ = ["FEATURES", "LINEAR", "Linear"]

FEATURES: tuple[str, ...] = ("mult_adds", "conv_activation_bytes", "conv_weight_bytes", "ops")
"""The registered metrics the linear estimator weighs, in the order of its coefficients."""

TERMS = (
    Term("mult_adds", "ms per MAC", 10**6, "ms per million MACs", "multiply-accumulates", "MACs"),
    Term(
        "conv_activation_bytes",
        "ms per byte",
        10**6,
        "ms per MB",
        "activation bytes read and written by conv and FC layers",
        "bytes",
    ),
    Term(
        "conv_weight_bytes",
        "ms per byte",
        10**6,
        "ms per MB",
        "weight bytes of conv layers",
        "bytes",
    ),
    Term("ops", "ms per op", 1, "ms per op", "a fixed cost per op"),
)


class Linear:
    name = "linear"
    method = (
        "a linear model over per-op features (mult-adds, activation bytes of conv and "
        "FC layers, conv weight bytes, a constant per op), fitted by non-negative least "
        "squares on relative error"
    )
    terms: tuple[Term, ...] = TERMS

    def design(self, tables: Sequence[OpTable]) -> numpy.ndarray:
        import numpy as np

        return np.array(
            [
                [t.mult_adds.sum(), t.activation_bytes.sum(), t.weight_bytes.sum(), t.n_ops]
                for t in tables
            ],
            dtype=float,
        ).reshape(len(tables), len(FEATURES))

    def fit(self, tables: Sequence[OpTable], y: numpy.ndarray) -> tuple[float, ...]:
        return tuple(float(c) for c in weighted_nnls(self.design(tables), y))

    def op_ms(self, params: Sequence[float], table: OpTable) -> numpy.ndarray:
        c_mac, c_act, c_weight, c_op = params
        result: numpy.ndarray = (
            c_mac * table.mult_adds
            + c_act * table.activation_bytes
            + c_weight * table.weight_bytes
            + c_op
        )
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

        from mncost.cost.sweep import grid

        grids = grid(arch, alphas, resolutions, classes, conventions, FEATURES, progress)
        total = np.zeros(np.shape(grids[FEATURES[0]]), dtype=float)
        for name, c in zip(FEATURES, params):
            if c:  # a grid past int64 holds Python ints (dtype object): as floats here
                total += c * np.asarray(grids[name], dtype=float)
        return total


LINEAR = Linear()
