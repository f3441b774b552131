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

__all__ = ["KINDS", "OpTable", "Term", "op_kinds", "op_table"]

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
    """Bytes a conv or FC layer reads and writes (0 for other ops)."""
    weight_bytes: numpy.ndarray
    """Conv weight bytes (0 for other ops)."""
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


def op_table(result: CostResult) -> OpTable:
    """The per-op features of one counted configuration (bytes in its conventions'
    dtype)."""
    import numpy as np

    return OpTable(
        np.array(result.metric("mult_adds"), dtype=float),
        np.array(result.metric("conv_activation_bytes"), dtype=float),
        np.array(result.metric("conv_weight_bytes"), dtype=float),
        op_kinds(result),
    )
