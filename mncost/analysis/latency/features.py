"""What a latency estimator reads: one configuration's ops as features (:class:`OpTable`,
from the engine's exact counts), each op's kind, and how a fitted term is shown
(:class:`Term`). A leaf of :mod:`mncost.analysis.latency`: the estimators and their
registry build on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mncost.cost.result import CostResult

if TYPE_CHECKING:
    import numpy

__all__ = ["KINDS", "TRAFFIC", "OpTable", "Term", "op_kinds", "op_table"]

TRAFFIC: dict[str, tuple[str, str]] = {
    "all": ("activation_bytes", "read_weight_bytes"),
    "conv": ("conv_activation_bytes", "conv_weight_bytes"),
}
"""The bytes an estimator weighs, by a profile's ``traffic``: the metrics of an op's
activation bytes and of its weight bytes. ``all``: every op's activations read and
written, every weight read at inference; ``conv``: conv and FC layers' activations and
conv weights (the built-in Pixel 1 profile's cut; :mod:`mncost.cost.metrics.latency`
says why each)."""

KINDS = ("dense_1x1", "dense_kxk", "depthwise", "fc", "other")
"""How the per-kind estimator groups ops (``other``: ops without mult-adds)."""


@dataclass(frozen=True)
class Term:
    """One fitted parameter: what it is per, and how it is shown."""

    name: str
    stored: str
    """Its unit as stored ("ms per MAC")."""
    scale: float
    """Shown per this many units (10**6: "ms per million MACs")."""
    label: str
    """The unit as shown."""
    meaning: str
    """What it weighs, in a few words."""
    rate: str = ""
    """What its inverse is a rate of ("MACs", "bytes"; "" for a fixed cost)."""


@dataclass(frozen=True)
class OpTable:
    """One configuration's ops: float64 arrays, one value per op in program order."""

    mult_adds: numpy.ndarray
    activation_bytes: numpy.ndarray
    """Activation bytes the op reads and writes, in the table's traffic cut (under
    ``conv``: 0 for an op that is not a conv or FC layer)."""
    weight_bytes: numpy.ndarray
    """Weight bytes the op reads, in the table's traffic cut (under ``conv``: a conv's
    only)."""
    kinds: tuple[str, ...]
    """Each op's kind, one of :data:`KINDS`."""

    @property
    def n_ops(self) -> int:
        return len(self.kinds)


def _kind(kind: str, role: str, k_h: int, k_w: int, groups: int, c_in: int) -> str:
    if kind == "fc":
        return "fc"
    if kind != "conv":
        return "other"
    if role == "dw" or (groups == c_in and groups > 1):
        return "depthwise"
    return "dense_1x1" if k_h == k_w == 1 else "dense_kxk"


def op_kinds(result: CostResult) -> tuple[str, ...]:
    """Each op's kind (:data:`KINDS`), from its geometry; the same at every alpha and
    resolution."""
    g = result.geometry
    st, wd, sp = g.static, g.width, g.spatial
    return tuple(
        _kind(st.kind[i], st.role[i], sp.k_h[i], sp.k_w[i], wd.groups[i], wd.c_in[i])
        for i in range(len(g))
    )


def op_table(result: CostResult, traffic: str = "conv") -> OpTable:
    """The per-op features of one counted configuration (bytes in its conventions'
    dtype, in the ``traffic`` cut of :data:`TRAFFIC`)."""
    import numpy as np

    activations, weights = TRAFFIC[traffic]
    return OpTable(
        np.array(result.metric("mult_adds"), dtype=float),
        np.array(result.metric(activations), dtype=float),
        np.array(result.metric(weights), dtype=float),
        op_kinds(result),
    )
