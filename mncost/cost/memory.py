"""Activation memory: the bytes of the tensors each op reads and writes.

Per-tensor sizes come from the interpreter's plans (every tensor's height, width and
channels); which tensors an op reads comes from the program's dataflow. Metrics that are
sums over ops live in :mod:`mncost.cost.metrics.memory`; this module holds what needs
the dataflow: the bytes an op reads, and (below) what is alive at each op.
"""

from __future__ import annotations

from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.geometry import Geometry

__all__ = ["input_bytes", "tensor_bytes"]


def tensor_bytes(geometry: Geometry, conventions: Conventions) -> tuple[int, ...]:
    """Bytes of every tensor of the program (tensor 0 is the input image)."""
    size = DTYPE_BYTES[conventions.dtype]
    return tuple(h * w * c * size for h, w, c in zip(
        geometry.spatial.heights, geometry.spatial.widths, geometry.width.channels))


def input_bytes(geometry: Geometry, conventions: Conventions) -> tuple[int, ...]:
    """Per op, the bytes of the tensors it reads (all its inputs: a residual add reads
    two); an auxiliary (training-only) head reads nothing at inference."""
    sizes = tensor_bytes(geometry, conventions)
    st = geometry.static
    return tuple(0 if aux else sum(sizes[t] for t in inputs)
                 for inputs, aux in zip(st.inputs, st.aux))
