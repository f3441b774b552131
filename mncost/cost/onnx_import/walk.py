"""The graph walk, :func:`lower_onnx`: an ONNX ``ModelProto`` checked against the bounds
(node count, opset, control flow, one image input, its channels and size), its readers
counted and its swish gates paired, each node handed to its handler in order (the
handler of its op type, else its kind's, else the unknown op's), and the program
finished as a :class:`~mncost.cost.model.GraphModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mncost.cost.graph import Program
from mncost.cost.model import GraphModel, NotCounted
from mncost.cost.onnx_import.bounds import MAX_ONNX_NODES, require_onnx
from mncost.cost.onnx_import.finish import check_fcs, tag_classifier, tie_widths
from mncost.cost.onnx_import.maps import MapOps
from mncost.cost.onnx_import.op_types import (
    ACTIVATIONS,
    ALIASES,
    BINARY,
    CONTROL_FLOW,
    GATES,
    GLOBAL_POOLS,
    POOLS,
    REDUCES,
)
from mncost.cost.onnx_import.plumbing import ShapePlumbing
from mncost.cost.onnx_import.pools import PoolOps
from mncost.cost.onnx_import.values import Const, Data, State, attributes, input_dims, tensor_const
from mncost.cost.onnx_import.weighted import WeightedOps
from mncost.cost.scaling import Resolution
from mncost.errors import OnnxImportError
from mncost.limits import MAX_CHANNELS, MAX_RESOLUTION
from mncost.text import quote, shorten


def lower_onnx(model: Any, *, name: str, source: str = "", strict: bool = False) -> GraphModel:
    """An ONNX ``ModelProto`` (already read) as a :class:`GraphModel`."""
    onnx = require_onnx()
    graph = model.graph
    if len(graph.node) > MAX_ONNX_NODES:
        raise OnnxImportError(
            f"the graph has {len(graph.node):,} nodes; the most is {MAX_ONNX_NODES:,}"
        )
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx") and opset.version and opset.version < 7:
            raise OnnxImportError(
                f"opset {opset.version} is too old (mncost reads opset 7 and newer)"
            )
    for node in graph.node:  # control flow first: it says more than its inputs would
        graphs = (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
        if node.op_type in CONTROL_FLOW or any(a.type in graphs for a in node.attribute):
            raise OnnxImportError(
                f"node {quote(node.name or node.op_type)} ({node.op_type}): control flow is "
                "not supported (mncost counts static graphs)"
            )
    consts: dict[str, Const] = {}
    for tensor in graph.initializer:
        consts[tensor.name] = tensor_const(tensor, onnx)
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1:
        names = ", ".join(quote(i.name) for i in inputs[:4])
        raise OnnxImportError(
            f"the graph has {len(inputs)} inputs ({names}); mncost counts graphs of one image input"
        )
    image = inputs[0]
    dims = input_dims(image)
    if len(dims) != 4:
        raise OnnxImportError(
            f"the input {quote(image.name)} has {len(dims)} dims; mncost counts images: N, C, H, W"
        )
    nodes = list(graph.node)
    nhwc = _nhwc(image.name, nodes)
    batch, channels, height, width = (dims[0], dims[3], dims[1], dims[2]) if nhwc else dims
    if not isinstance(channels, int) or not 1 <= channels <= MAX_CHANNELS:
        raise OnnxImportError(
            f"the input {quote(image.name)} has {shorten(str(channels), 40)} channels; "
            f"mncost needs a number from 1 to {MAX_CHANNELS:,}"
        )
    resolution: Resolution | None = None
    if isinstance(height, int) and isinstance(width, int):
        for side in (height, width):
            if not 1 <= side <= MAX_RESOLUTION:
                raise OnnxImportError(
                    f"the input {quote(image.name)} is {height}x{width}; each side is 1 to "
                    f"{MAX_RESOLUTION:,} pixels"
                )
        resolution = height if height == width else (height, width)
    state = State(raw=[channels], global_=[False], source=[0])
    data: dict[str, Data] = {image.name: Data(0)}
    consumers = _consumers(nodes, graph)
    absorbed = _gate_pairs(nodes, consumers)
    unknown: dict[str, list[str]] = {}
    size = resolution if resolution is not None else 224
    lowering = _Lowering(
        onnx, state, data, consts, consumers, absorbed, unknown, strict, size, model
    )
    for index, node in enumerate(nodes):
        lowering.node(node, index)
    outputs = [o.name for o in graph.output]
    if not outputs or not all(o in data or o in consts for o in outputs):
        missing = next((o for o in outputs if o not in data and o not in consts), "")
        raise OnnxImportError(f"the graph's output {quote(missing)} is never computed")
    program = Program(
        name=name,
        input_channels=channels,
        classes=0,
        ops=state.ops,
        tensors=len(state.ops) + 1,
        raw_channels=state.raw,
    )
    classes = tag_classifier(program, [data[o] for o in outputs if o in data], state)
    program.classes = classes
    blocked = tie_widths(program, state)
    program.alpha_blocked = blocked
    check_fcs(program, state, size)
    not_counted = tuple(
        NotCounted(op, len(where), tuple(where[:3])) for op, where in sorted(unknown.items())
    )
    extra: dict[str, Any] = {
        "opset": max(
            (o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0
        ),
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "batch": batch,
        "layout": "NHWC" if nhwc else "NCHW",
    }
    if resolution is None:
        extra["symbolic_size"] = f"{height}x{width}"
    return GraphModel(
        name=name,
        program=program,
        resolution=resolution,  # type: ignore[arg-type]  # None: --res must say it
        classes=classes,
        input_channels=channels,
        source=source,
        not_counted=not_counted,
        alpha_blocked=blocked,
        extra=extra,
    )


def _nhwc(name: str, nodes: Sequence[Any]) -> bool:
    """Whether the input is NHWC: its first reader is a Transpose to NCHW (tf2onnx)."""
    for node in nodes:
        if name in node.input:
            if node.op_type != "Transpose":
                return False
            for a in node.attribute:
                if a.name == "perm":
                    return list(a.ints) == [0, 3, 1, 2]
            return False
    return False


def _consumers(nodes: Sequence[Any], graph: Any) -> dict[str, int]:
    """How many nodes read each value, through shape plumbing (a Reshape's readers are its
    input's), not counting shape computations; a graph output counts as a reader."""
    direct: dict[str, list[Any]] = {}
    for node in nodes:
        for name in node.input:
            if name:
                direct.setdefault(name, []).append(node)
    outputs = {o.name for o in graph.output}
    memo: dict[str, int] = {}

    def count(name: str, depth: int = 0) -> int:
        if name in memo:
            return memo[name]
        if depth > 10_000:
            return 2
        total = 1 if name in outputs else 0
        for node in direct.get(name, ()):
            if node.op_type == "Shape" or node.op_type == "Size":
                continue
            if node.op_type in ALIASES and node.input and node.input[0] == name and node.output:
                total += count(node.output[0], depth + 1)
            else:
                total += 1
        memo[name] = total
        return total

    return {name: count(name) for name in direct} | {o: count(o) for o in outputs}


def _gate_pairs(nodes: Sequence[Any], consumers: dict[str, int]) -> set[int]:
    """Indices of the Sigmoid / HardSigmoid nodes of swish patterns, x * Sigmoid(x):
    the pair is one activation of x."""
    producer = {out: i for i, node in enumerate(nodes) for out in node.output}
    pairs: set[int] = set()
    for node in nodes:
        if node.op_type != "Mul" or len(node.input) != 2:
            continue
        a, b = node.input
        for x, g in ((a, b), (b, a)):
            i = producer.get(g)
            if (
                i is not None
                and nodes[i].op_type in GATES
                and nodes[i].input[:1] == [x]
                and consumers.get(g) == 1
            ):
                pairs.add(i)
                consumers[x] = consumers.get(x, 2) - 1  # the pair reads x once
                break
    return pairs


class _Lowering(ShapePlumbing, WeightedOps, MapOps, PoolOps):
    """Lowers nodes one by one into ``state``."""

    def node(self, node: Any, index: int) -> None:
        op_type = node.op_type
        if op_type in CONTROL_FLOW:
            raise OnnxImportError(
                f"{self.where(node)}: control flow is not supported (mncost counts static graphs)"
            )
        attrs = attributes(node, self.onnx)
        if node.domain not in ("", "ai.onnx"):
            self.not_known(node, index, attrs)
            return
        inputs = [i for i in node.input]
        for name in inputs:
            if (
                name
                and name not in self.data
                and name not in self.consts
                and name not in self.gate_of
            ):
                raise OnnxImportError(
                    f"{self.where(node)} reads {quote(name)} before it is defined "
                    "(a cycle, or nodes out of order)"
                )
        live = [i for i in inputs if i and i in self.data]
        if not live:
            self.fold(node, attrs)
            return
        if index in self.absorbed:  # the Sigmoid of a swish: the Mul is the activation
            self.gate_of[node.output[0]] = (inputs[0], op_type)
            return
        handler = getattr(self, f"on_{op_type}", None)
        if handler is not None:
            handler(node, index, attrs)
        elif op_type in ACTIVATIONS:
            self.activation(node, index, ACTIVATIONS[op_type])
        elif op_type in ALIASES:
            self.alias(node, attrs)
        elif op_type in BINARY:
            self.binary(node, index)
        elif op_type in POOLS:
            self.window_pool(node, index, attrs, POOLS[op_type])
        elif op_type in GLOBAL_POOLS:
            self.global_pool(node, index, GLOBAL_POOLS[op_type])
        elif op_type in REDUCES:
            self.reduce(node, index, attrs, REDUCES[op_type])
        elif op_type in ("Shape", "Size"):
            self.shape_of(node)
        else:
            self.not_known(node, index, attrs)
