"""The ``linear`` estimator: an op's time is a non-negative combination of its
mult-adds, the activation bytes it reads and writes, the weight bytes it reads (in the
profile's traffic cut: every op, or conv and FC layers) and a constant, fitted by
non-negative least squares on relative error. Linear in its terms, so a network's time
is the same combination of the four totals, and a grid needs only the sweep's exact
totals."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.latency.features import TRAFFIC, OpTable, Term
from mncost.analysis.latency.nnls import weighted_nnls
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.scaling import Resolution
from mncost.cost.sweep import grid

if TYPE_CHECKING:
    import numpy

__all__ = ["FEATURES", "LINEAR", "Linear", "features"]

FEATURES: tuple[str, ...] = ("mult_adds", "conv_activation_bytes", "conv_weight_bytes", "ops")
"""The registered metrics the linear estimator weighs under the ``conv`` traffic (the
built-in Pixel 1 profile's), in the order of its coefficients; :func:`features` gives
them for either traffic."""

_BYTES_WORDS = {
    "all": (
        "activation bytes every op reads and writes",
        "weight bytes every op reads (convs, FC layers, scales)",
    ),
    "conv": (
        "activation bytes read and written by conv and FC layers",
        "weight bytes of conv layers",
    ),
}


def features(traffic: str) -> tuple[str, ...]:
    """The metrics the linear estimator weighs under ``traffic``, in coefficient order."""
    return ("mult_adds", *TRAFFIC[traffic], "ops")


class Linear:
    name = "linear"

    def __init__(self, traffic: str = "conv") -> None:
        self.traffic = traffic
        """The bytes it weighs (:data:`~mncost.analysis.latency.features.TRAFFIC`)."""
        self.features = features(traffic)
        activations, weights = _BYTES_WORDS[traffic]
        self.method = (
            f"a linear model over per-op features (mult-adds, {activations}, {weights}, "
            "a constant per op), fitted by non-negative least squares on relative error"
        )
        self.terms: tuple[Term, ...] = (
            Term(
                "mult_adds",
                "ms per MAC",
                10**6,
                "ms per million MACs",
                "multiply-accumulates",
                "MACs",
            ),
            Term(self.features[1], "ms per byte", 10**6, "ms per MB", activations, "bytes"),
            Term(self.features[2], "ms per byte", 10**6, "ms per MB", weights, "bytes"),
            Term("ops", "ms per op", 1, "ms per op", "a fixed cost per op"),
        )

    def design(self, tables: Sequence[OpTable]) -> numpy.ndarray:
        import numpy as np

        return np.array(
            [
                [t.mult_adds.sum(), t.activation_bytes.sum(), t.weight_bytes.sum(), t.n_ops]
                for t in tables
            ],
            dtype=float,
        ).reshape(len(tables), len(self.features))

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

        grids = grid(arch, alphas, resolutions, classes, conventions, self.features, progress)
        total = np.zeros(np.shape(grids[self.features[0]]), dtype=float)
        for name, c in zip(self.features, params):
            if c:  # a grid past int64 holds Python ints (dtype object): as floats here
                total += c * np.asarray(grids[name], dtype=float)
        return total


LINEAR = Linear()
