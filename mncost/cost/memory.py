"""Activation memory: the bytes of the tensors each op reads and writes.

Per-tensor sizes come from the interpreter's plans (every tensor's height, width and
channels); which tensors are alive at each op comes from the program's dataflow. The
per-op byte counts (weights, what an op reads and writes) are metrics
(:mod:`mncost.cost.metrics.memory`); this module holds what needs the dataflow.
"""

from __future__ import annotations

from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.geometry import Geometry

__all__ = ["tensor_bytes"]


def tensor_bytes(geometry: Geometry, conventions: Conventions) -> tuple[int, ...]:
    """Bytes of every tensor of the program (tensor 0 is the input image)."""
    size = DTYPE_BYTES[conventions.dtype]
    return tuple(h * w * c * size for h, w, c in zip(
        geometry.spatial.heights, geometry.spatial.widths, geometry.width.channels))
