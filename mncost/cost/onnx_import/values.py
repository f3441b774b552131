"""What the importer knows of a graph's values and reads of its nodes: a constant
(:class:`Const`: its dims, and its value when small), a feature map (:class:`Data`: its
engine tensor, rank, a Pad still to fold, its layout), the program being built
(:class:`State`, with its fully connected layers as :class:`Fc`), and the readers of a
node's attributes, of an initializer and of a value's declared dims, which refuse what
they cannot read with one line."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mncost.cost.graph import Op
from mncost.cost.onnx_import.bounds import SMALL
from mncost.errors import OnnxImportError
from mncost.text import quote


@dataclass
class Const:
    """A constant: an initializer, a Constant node, or a value computed from shapes."""

    dims: tuple[int, ...]
    value: Any = None
    """Its values as a numpy array when small (<= SMALL elements) and known, else None."""


@dataclass
class Data:
    """A feature map: the engine tensor that holds it, and what the importer knows of it."""

    tensor: int
    rank: int = 4
    """4 for a map (N, C, H, W); 2 once flattened for a fully connected layer."""
    pad: tuple[int, int, int, int] | None = None
    """Pads (top, left, bottom, right) of a Pad still to fold into the op that reads it."""
    shape: tuple[int, ...] | None = None
    """The values' layout after shape plumbing (a Reshape, a Transpose), when it is not
    the tensor's own (N, C, H, W): a channel shuffle's 5-D step, say. None: its own."""


@dataclass
class Fc:
    """A fully connected layer, and how many values its weight reads."""

    op: int
    name: str
    in_features: int


@dataclass
class State:
    """The program being built: its ops and what the importer knows of each tensor."""

    ops: list[Op] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)
    """Channels of each tensor at alpha 1."""
    global_: list[bool] = field(default_factory=list)
    """Whether each tensor is 1x1 (a global pool's output, or computed from one)."""
    source: list[int] = field(default_factory=list)
    """The tensor each tensor takes its channel count from (itself, or its input's)."""
    names: set[str] = field(default_factory=set)
    fcs: list[Fc] = field(default_factory=list)
    slices: list[str] = field(default_factory=list)


def attributes(node: Any, onnx: Any) -> dict[str, Any]:
    """A node's attributes by name; OnnxImportError for one that holds a subgraph."""
    out = {}
    for a in node.attribute:
        if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            raise OnnxImportError(
                f"node {quote(node.name or node.op_type)} ({node.op_type}) holds a subgraph: "
                "control flow is not supported (mncost counts static graphs)"
            )
        if a.type == onnx.AttributeProto.TENSOR:
            out[a.name] = a.t
        else:
            out[a.name] = onnx.helper.get_attribute_value(a)
    return out


def ints(value: Any, what: str, node: Any) -> list[int]:
    """``value`` as a list of integers; OnnxImportError naming ``what`` if it is not one."""
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        raise OnnxImportError(
            f"node {quote(node.name or node.op_type)}: {what} is not a list of integers"
        ) from None


def attr_int(node: Any, name: str, default: Any) -> Any:
    """A node's integer attribute ``name``, or ``default``."""
    for a in node.attribute:
        if a.name == name:
            return a.i
    return default


def pair(values: Iterable[Any], node: Any) -> tuple[int, int]:
    """A 2-D size (kernel, stride, dilation) of positive integers."""
    v = ints(values, "a size", node)
    if len(v) != 2 or any(x < 1 for x in v):
        raise OnnxImportError(f"node {quote(node.name or node.op_type)}: {v} is not a 2-D size")
    return (v[0], v[1])


def tensor_const(tensor: Any, onnx: Any) -> Const:
    """An initializer as a constant: its dims, and its value when small and stored inline."""
    dims = tuple(int(d) for d in tensor.dims)
    n = math.prod(dims) if dims else 1
    value = None
    external = tensor.data_location == onnx.TensorProto.EXTERNAL
    if n <= SMALL and not external:
        try:
            from onnx import numpy_helper

            value = numpy_helper.to_array(tensor)
        except Exception:  # an odd encoding: the value is unknown, the dims still are
            value = None
    return Const(dims, value)


def input_dims(info: Any) -> list[Any]:
    """A value's declared dims: numbers, or their symbolic names (\"?\" if none)."""
    shape = info.type.tensor_type.shape
    out: list[Any] = []
    for d in shape.dim:
        if d.HasField("dim_value"):
            out.append(int(d.dim_value))
        else:
            out.append(d.dim_param or "?")
    return out
