"""The ``roofline`` estimator: each op takes the longer of its compute time, its MACs
at the device's peak rate P, and its memory time, the bytes it moves (activations read
and written, weights read) at the device's bandwidth B; every op also pays a fixed cost:

    ms(op) = max(MACs / P, bytes / B) + c

An op whose arithmetic intensity (MACs per byte) lies below P / B (the ridge point) is
memory-bound; above it, compute-bound. Depthwise convs sit far below the ridge on most
devices, which is MobileNet's latency story in one line.

Fitting. For a fixed ridge r = P / B the model is linear in (1 / P, c): the time of a
network is (1 / P) x sum over ops of max(MACs, r x bytes) + c x ops. So the fit scans r
over 10 to the -2 to 10 to the 4 MACs per byte (ten steps a decade), solves each by
non-negative least squares on relative error, then narrows the best by golden-section
search in log r. P and B can instead be given (a datasheet's peak and bandwidth); then
only c is fitted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.latency.features import TRAFFIC, OpTable, Term
from mncost.analysis.latency.nnls import weighted_nnls
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.scaling import Resolution
from mncost.cost.sweep import op_grids

if TYPE_CHECKING:
    import numpy

__all__ = ["ROOFLINE", "Roofline", "bound", "intensity"]

_MOVED = {
    "all": "(every op's activations read and written, every weight it reads)",
    "conv": "(a conv or FC layer's activations, a conv's weights)",
}
_LOG_LO, _LOG_HI, _STEPS = -2.0, 4.0, 61
_GOLDEN = (math.sqrt(5) - 1) / 2


def intensity(table: OpTable) -> numpy.ndarray:
    """Each op's arithmetic intensity, MACs per byte moved (NaN where it moves none)."""
    import numpy as np

    moved = table.activation_bytes + table.weight_bytes
    with np.errstate(divide="ignore", invalid="ignore"):
        result: numpy.ndarray = np.where(moved > 0, table.mult_adds / moved, np.nan)
    return result


def bound(params: Sequence[float], table: OpTable) -> list[str]:
    """Each op's bound under the roofline ``params``: compute, memory, or "" (no MACs
    and no bytes: only the fixed cost)."""
    per_mac, per_byte, _ = params
    moved = table.activation_bytes + table.weight_bytes
    out = []
    for m, b in zip(table.mult_adds, moved):
        if m == 0 and b == 0:
            out.append("")
        else:
            out.append("compute" if per_mac * m >= per_byte * b else "memory")
    return out


class Roofline:
    name = "roofline"
    terms: tuple[Term, ...] = (
        Term("mult_adds", "ms per MAC", 10**6, "ms per million MACs", "compute: 1 / P", "MACs"),
        Term("bytes", "ms per byte", 10**6, "ms per MB", "memory: 1 / B", "bytes"),
        Term("ops", "ms per op", 1, "ms per op", "a fixed cost per op"),
    )

    def __init__(
        self, per_mac: float | None = None, per_byte: float | None = None, traffic: str = "conv"
    ) -> None:
        self.fixed = (per_mac, per_byte) if per_mac is not None and per_byte is not None else None
        self.traffic = traffic
        """The bytes an op moves (:data:`~mncost.analysis.latency.features.TRAFFIC`)."""
        self.method = (
            "a roofline: per op, the larger of MACs / P and bytes moved / B "
            + _MOVED[traffic]
            + ", plus a constant per op"
            + (
                ", with P and B given (a datasheet's) and the constant fitted on relative error"
                if self.fixed is not None
                else ", with P, B and the constant fitted on relative error (a scan of "
                "the ridge P / B, non-negative least squares at each)"
            )
        )

    def design(self, tables: Sequence[OpTable]) -> None:
        return None

    @staticmethod
    def _columns(tables: Sequence[OpTable], ridge: float) -> numpy.ndarray:
        import numpy as np

        return np.array(
            [
                [
                    float(
                        np.maximum(t.mult_adds, ridge * (t.activation_bytes + t.weight_bytes)).sum()
                    ),
                    float(t.n_ops),
                ]
                for t in tables
            ]
        )

    def _solve(
        self, tables: Sequence[OpTable], y: numpy.ndarray, log_ridge: float
    ) -> tuple[float, tuple[float, float]]:
        import numpy as np

        x = self._columns(tables, 10**log_ridge)
        c = weighted_nnls(x, y)
        residual = float(np.sum(((x @ c) / y - 1) ** 2))
        return residual, (float(c[0]), float(c[1]))

    def fit(self, tables: Sequence[OpTable], y: numpy.ndarray) -> tuple[float, ...]:
        import numpy as np

        if self.fixed is not None:
            per_mac, per_byte = self.fixed
            compute = self._columns(tables, per_byte / per_mac)[:, 0] * per_mac
            ops = np.array([float(t.n_ops) for t in tables])
            # min over c >= 0 of sum(((compute + c ops) / y - 1)^2): one column
            c = weighted_nnls(ops.reshape(-1, 1), y - compute)[0] if (y > compute).any() else 0.0
            return per_mac, per_byte, max(0.0, float(c))
        logs = np.linspace(_LOG_LO, _LOG_HI, _STEPS)
        scores = [self._solve(tables, y, float(g))[0] for g in logs]
        k = int(np.argmin(scores))
        lo, hi = float(logs[max(0, k - 1)]), float(logs[min(len(logs) - 1, k + 1)])
        a, b = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
        fa, fb = self._solve(tables, y, a)[0], self._solve(tables, y, b)[0]
        for _ in range(40):
            if fa <= fb:
                hi, b, fb = b, a, fa
                a = hi - _GOLDEN * (hi - lo)
                fa = self._solve(tables, y, a)[0]
            else:
                lo, a, fa = a, b, fb
                b = lo + _GOLDEN * (hi - lo)
                fb = self._solve(tables, y, b)[0]
        best = min((float(logs[k]), a, b), key=lambda g: self._solve(tables, y, g)[0])
        _, (per_mac, per_op) = self._solve(tables, y, best)
        return per_mac, per_mac * 10**best, per_op

    def op_ms(self, params: Sequence[float], table: OpTable) -> numpy.ndarray:
        import numpy as np

        per_mac, per_byte, per_op = params
        moved = table.activation_bytes + table.weight_bytes
        result: numpy.ndarray = np.maximum(per_mac * table.mult_adds, per_byte * moved) + per_op
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

        per_mac, per_byte, per_op = params
        total = np.zeros((len(alphas), len(resolutions)))
        activations, weights = TRAFFIC[self.traffic]
        metrics = ("mult_adds", activations, weights)
        for op in op_grids(arch, alphas, resolutions, classes, conventions, metrics):
            moved = op[activations] + op[weights]
            total += np.maximum(per_mac * op["mult_adds"], per_byte * moved) + per_op
        return total


ROOFLINE = Roofline()
