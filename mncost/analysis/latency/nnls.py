"""Non-negative least squares (Lawson and Hanson's active-set algorithm): the solver
every fitted latency estimator uses, so that no term of a fit goes below zero (a time
cannot be negative)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy

__all__ = ["nnls", "weighted_nnls"]


def nnls(a: numpy.ndarray, b: numpy.ndarray, max_iter: int | None = None) -> numpy.ndarray:
    """The x >= 0 that minimises ||a x - b||_2 (Lawson and Hanson 1974, the active-set
    algorithm of "Solving Least Squares Problems", ch. 23).

    Columns are scaled to a largest entry of 1 first (the solution set is unchanged by a
    positive column scaling), so features counted in MACs and in ops mix safely.
    """
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    m, n = a.shape
    scale = np.abs(a).max(axis=0)
    scale[scale == 0] = 1.0
    a = a / scale
    tol = 10 * np.finfo(float).eps * max(m, n) * max(1.0, float(np.abs(a).sum(axis=0).max()))
    passive = np.zeros(n, dtype=bool)
    x = np.zeros(n)
    gradient = a.T @ (b - a @ x)
    limit = max_iter if max_iter is not None else 3 * n + 10
    for _ in range(limit):
        free = ~passive & (gradient > tol)
        if not free.any():
            break
        passive[np.argmax(np.where(~passive, gradient, -np.inf))] = True
        while True:  # the inner loop: step back until the passive set's solution is >= 0
            z = np.zeros(n)
            z[passive] = np.linalg.lstsq(a[:, passive], b, rcond=None)[0]
            if (z[passive] > tol).all():
                break
            blocking = passive & (z <= tol)
            step = np.min(x[blocking] / (x[blocking] - z[blocking]))
            x = x + step * (z - x)
            passive &= x > tol
            x[~passive] = 0.0
            if not passive.any():
                z = np.zeros(n)
                break
        x = z
        gradient = a.T @ (b - a @ x)
    solution: np.ndarray = x / scale
    return solution


def weighted_nnls(x: numpy.ndarray, y: numpy.ndarray) -> numpy.ndarray:
    """The non-negative fit of ``x @ c`` to ``y`` on relative error: each row weighed by
    1/y, so that the residual is prediction / y - 1."""
    w = 1.0 / y
    return nnls(x * w[:, None], y * w)
