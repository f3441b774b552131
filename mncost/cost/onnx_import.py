"""Reading an ONNX model as a program the engine counts: your own network, from any
framework that exports ONNX (``torch.onnx.export``, tf2onnx, ...).

:func:`load_onnx` reads the file with the ``onnx`` package (the ``mncost[onnx]`` extra)
and lowers its graph to a :class:`~mncost.cost.graph.Program` wrapped in a
:class:`~mncost.cost.model.GraphModel`, which every command counts like a built-in
model. Only the graph is read: weights are never turned into arrays (their dims are in
the file's tensor headers), and external data files are never opened.

**Shapes** come from the graph itself: each weight's dims and each node's attributes
(kernel, strides, pads, auto_pad, dilations, group, ceil_mode); the engine derives every
feature map from the input's size, so ``--res`` gives every shape anew.
``onnx.shape_inference`` is used only for ops mncost does not know, to check that their
output has their input's shape.

**What is counted**, under the built-ins' conventions:

- Conv (groups, dilation, pads, auto_pad SAME_UPPER / SAME_LOWER / VALID), Gemm, and
  MatMul by a 2-D weight (an Add of a 1-D constant after it is its bias): their MACs, and
  their weights and biases as params (a batch norm that the exporter folded into a conv
  is that conv's bias);
- BatchNormalization: 0 MACs; folded into the op before it when nothing else reads that
  op's output, and its params counted under ``--bn``;
- activations (Relu, Clip, LeakyRelu, PRelu, Sigmoid, HardSigmoid, HardSwish, Tanh,
  Gelu, Elu, Selu, Softplus, Mish, ...), and Mul by a Sigmoid or HardSigmoid of the same
  tensor (swish): 0 MACs, fused into the op before them where they can be;
- MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean/ReduceMax over the
  spatial axes (squeeze-and-excite's squeeze): 0 MACs;
- Add, Sum, Sub, Mul, Div of two maps (a residual), or of a map and a 1x1 map
  (squeeze-and-excite's rescale), Concat and Split or Slice on the channel axis: 0 MACs;
- Mul of a map by a constant holding one value per channel (dims [1, C, 1, 1] or
  [C, 1, 1], C > 1: torchvision's L2Norm weight, Caffe's Scale): a learned per-channel
  scale, a ``scale`` layer, 0 MACs and C params (a constant whose channel count is not
  the map's is refused); a Mul or another element-wise op by a scalar or a constant of
  another shape is an element-wise op with a constant, 0 MACs and 0 params;
- Pad (folded into the conv or pool it feeds), Resize and Upsample (0 MACs, as
  PyTorch's FlopCounterMode counts interpolation), Softmax;
- the shape plumbing: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Identity,
  Dropout, Cast, and the Shape / Gather / Constant subgraphs that compute shapes, which
  are evaluated and folded away.

An op mncost does not know is counted as nothing and listed, by type and count, in
:attr:`~mncost.cost.model.GraphModel.not_counted`; ``strict=True`` refuses it instead.

**Names and blocks.** A layer is named after its node: PyTorch's legacy exporter writes
``/features/features.3/conv/conv.0/conv.0.0/Conv``, shown as the module path
``features.3.conv.0.0``; the newer exporter's module scopes are read the same way; a
node with no name is its op type and an index. A layer's block is the module path up to
its first index (``features.3``, ``layer1.0``).

**Width.** ``--alpha`` scales every conv and fc width but the image's channels and the
classifier's outputs, under the graph's width rule (round by default), keeping the
graph's ties: a depthwise conv follows its input; the inputs of an Add or a Mul stay
equal (the later one takes the earlier one's width); a Concat is the sum of its inputs.
A graph that slices channels cannot be scaled so (its parts are fixed numbers), and says
so.

**Bounded.** The file is a regular file of at most :data:`MAX_ONNX_BYTES`; a graph has at
most :data:`MAX_ONNX_NODES` nodes; control flow (If, Loop, Scan) is refused, as is an
external-data location outside the model's folder (it is never read either way). Every
refusal is an :class:`OnnxImportError` with a one-line message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from mncost.bounded import BoundedReadError, read_bounded
from mncost.cost.graph import Op, Program
from mncost.cost.model import GraphModel, NotCounted
from mncost.cost.scaling import Resolution
from mncost.errors import OnnxImportError
from mncost.limits import MAX_CHANNELS, MAX_CLASSES, MAX_KERNEL, MAX_RESOLUTION
from mncost.text import quote, shorten

__all__ = [
    "MAX_ONNX_BYTES",
    "MAX_ONNX_NODES",
    "OnnxImportError",
    "load_onnx",
    "lower_onnx",
    "onnx_available",
]

MAX_ONNX_BYTES = 2**31 - 1
"""An ONNX file is at most protobuf's 2 GiB (larger models keep their weights in external
data files, which mncost never reads)."""
MAX_ONNX_NODES = 200_000
"""A graph has at most this many nodes."""
_SMALL = 4096
"""Constants up to this many elements are read as values (shapes, axes, pads, scales);
weights never are."""

INSTALL = "reading ONNX files needs the onnx package: pip install 'mncost[onnx]'"


def onnx_available() -> bool:
    """Whether the ``onnx`` package can be imported."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise OnnxImportError(INSTALL) from None
    return onnx


# --- reading the file -----------------------------------------------------------------


def load_onnx(path: str | Path, *, strict: bool = False) -> GraphModel:
    """The ONNX model at ``path`` as a :class:`GraphModel`; OnnxImportError (one line) for
    a file that is not a readable ONNX model or a graph mncost cannot count."""
    onnx = _onnx()
    path = Path(path)
    shown = quote(str(path))
    try:
        data = read_bounded(path, MAX_ONNX_BYTES, "ONNX file")
    except BoundedReadError as exc:
        raise OnnxImportError(str(exc)) from None
    if not data:
        raise OnnxImportError(f"ONNX file {shown} is empty")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as exc:  # google.protobuf.message.DecodeError, RecursionError, ...
        reason = shorten(str(exc) or type(exc).__name__, 100)
        raise OnnxImportError(
            f"ONNX file {shown} is not an ONNX model (cannot parse it: {reason})"
        ) from None
    del data
    if not model.HasField("graph") or not model.graph.node:
        raise OnnxImportError(f"ONNX file {shown} holds no graph (is it an ONNX model?)")
    _check_external_data(model, path)
    name = model.graph.name if _plain_name(model.graph.name) else path.stem
    return lower_onnx(
        model, name=name or "onnx-model", source=f"ONNX file {path.name}", strict=strict
    )


def _plain_name(text: str) -> bool:
    return (
        bool(text)
        and len(text) <= 200
        and text.isprintable()
        and text not in ("main_graph", "torch_jit", "torch-jit-export", "main")
    )


def _check_external_data(model: Any, path: Path) -> None:
    """Refuse an external-data location outside the model's folder (never read either way)."""
    folder = path.resolve().parent
    tensors = list(model.graph.initializer)
    for tensor in tensors:
        for entry in tensor.external_data:
            if entry.key != "location":
                continue
            location = entry.value
            target = (folder / location).resolve()
            if Path(location).is_absolute() or not target.is_relative_to(folder):
                raise OnnxImportError(
                    f"ONNX file {quote(str(path))}: the weights of {quote(tensor.name)} are "
                    f"said to lie in {quote(location)}, outside the model's folder; mncost "
                    "reads no data outside what you name (and never reads weights)"
                )


# --- lowering -------------------------------------------------------------------------


_ACTIVATIONS = {
    "Relu": "relu",
    "Clip": "clip",
    "LeakyRelu": "leaky_relu",
    "PRelu": "prelu",
    "Sigmoid": "sigmoid",
    "HardSigmoid": "hsigmoid",
    "HardSwish": "hswish",
    "Tanh": "tanh",
    "Gelu": "gelu",
    "Elu": "elu",
    "Selu": "selu",
    "Celu": "celu",
    "Softplus": "softplus",
    "Softsign": "softsign",
    "Mish": "mish",
    "ThresholdedRelu": "thresholded_relu",
    "Erf": "erf",
    "Abs": "abs",
    "Neg": "neg",
    "Exp": "exp",
    "Log": "log",
    "Sqrt": "sqrt",
    "Reciprocal": "reciprocal",
    "Floor": "floor",
    "Ceil": "ceil",
    "Round": "round",
    "Sign": "sign",
    "Not": "not",
    "Pow": "pow",
}
"""Element-wise ops on one map: 0 MACs, the map's shape."""
_ALIASES = {
    "Flatten",
    "Reshape",
    "Squeeze",
    "Unsqueeze",
    "Transpose",
    "Identity",
    "Dropout",
    "Cast",
    "CastLike",
    "Expand",
}
"""Shape plumbing: the same values, in another layout (an fc reads them all)."""
_BINARY = {"Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean"}
_POOLS = {"MaxPool": "maxpool", "AveragePool": "avgpool", "LpPool": "avgpool"}
_GLOBAL_POOLS = {
    "GlobalAveragePool": "avgpool",
    "GlobalMaxPool": "maxpool",
    "GlobalLpPool": "avgpool",
}
_REDUCES = {
    "ReduceMean": "avgpool",
    "ReduceMax": "maxpool",
    "ReduceSum": "avgpool",
    "ReduceL2": "avgpool",
    "ReduceMin": "maxpool",
}
_CONTROL_FLOW = {"If", "Loop", "Scan", "SequenceMap"}
_GATES = {"Sigmoid": "swish", "HardSigmoid": "hswish"}


@dataclass
class _Const:
    """A constant: an initializer, a Constant node, or a value computed from shapes."""

    dims: tuple[int, ...]
    value: Any = None
    """Its values as a numpy array when small (<= _SMALL elements) and known, else None."""


@dataclass
class _Data:
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
class _Fc:
    op: int
    name: str
    in_features: int


@dataclass
class _State:
    ops: list[Op] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)
    """Channels of each tensor at alpha 1."""
    global_: list[bool] = field(default_factory=list)
    """Whether each tensor is 1x1 (a global pool's output, or computed from one)."""
    source: list[int] = field(default_factory=list)
    """The tensor each tensor takes its channel count from (itself, or its input's)."""
    names: set[str] = field(default_factory=set)
    fcs: list[_Fc] = field(default_factory=list)
    slices: list[str] = field(default_factory=list)


def _attributes(node: Any, onnx: Any) -> dict[str, Any]:
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


_WEIGHT = re.compile(r"([^\s/:]+)\.weight")


def _module_path(node: Any) -> str:
    """The PyTorch module a node comes from, when its exporter says so: a conv's or a
    linear layer's weight name (``features.0.0.weight``; the newer exporter names a conv
    it fused with its batch norm after the norm, but keeps the weight's name), the legacy
    exporter's /a/a.b/c/c.0/Op name, or the newer one's name scopes."""
    if node.op_type in ("Conv", "Gemm", "MatMul") and len(node.input) > 1:
        weight = _WEIGHT.fullmatch(node.input[1])
        if weight is not None:
            return weight[1]
    for prop in node.metadata_props:
        if prop.key == "pkg.torch.onnx.name_scopes":
            scopes = re.findall(r"'([^']*)'", prop.value)
            parts = [s for s in scopes[1:-1] if s]
            return parts[-1] if parts else ""
    name = node.name
    if name.startswith("/") and name.count("/") >= 2:
        path: list[str] = []
        for part in name.strip("/").split("/")[:-1]:
            if path and part.startswith(path[-1] + "."):
                path[-1] = part
            else:
                path.append(part)
        return ".".join(path)
    return ""


def _block(module: str) -> str:
    """The block a module path belongs to: up to its first index ("features.3.conv.0"
    -> "features.3"; "layer1.0.conv1" -> "layer1.0"); its first name if it has none but
    is nested ("Mixed_5b.branch1x1" -> "Mixed_5b"); "" at the top."""
    parts = module.split(".") if module else []
    for i, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[: i + 1])
    return parts[0] if len(parts) > 1 else ""


def _shown_name(node: Any, index: int, state: _State) -> tuple[str, str]:
    module = _module_path(node)
    op = node.op_type
    base = module or node.name.strip("/") or f"{op}_{index}"
    base = "".join(ch if ch.isprintable() else "_" for ch in base)[:180] or f"{op}_{index}"
    name = base if base not in state.names else f"{base}.{op}"
    n = 2
    while name in state.names:
        name = f"{base}.{op}_{n}"
        n += 1
    state.names.add(name)
    return name, _block(module)


def _ints(value: Any, what: str, node: Any) -> list[int]:
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        raise OnnxImportError(
            f"node {quote(node.name or node.op_type)}: {what} is not a list of integers"
        ) from None


def lower_onnx(model: Any, *, name: str, source: str = "", strict: bool = False) -> GraphModel:
    """An ONNX ``ModelProto`` (already read) as a :class:`GraphModel`."""
    onnx = _onnx()
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
        if node.op_type in _CONTROL_FLOW or any(a.type in graphs for a in node.attribute):
            raise OnnxImportError(
                f"node {quote(node.name or node.op_type)} ({node.op_type}): control flow is "
                "not supported (mncost counts static graphs)"
            )
    consts: dict[str, _Const] = {}
    for tensor in graph.initializer:
        consts[tensor.name] = _tensor_const(tensor, onnx)
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1:
        names = ", ".join(quote(i.name) for i in inputs[:4])
        raise OnnxImportError(
            f"the graph has {len(inputs)} inputs ({names}); mncost counts graphs of one image input"
        )
    image = inputs[0]
    dims = _input_dims(image)
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
    state = _State(raw=[channels], global_=[False], source=[0])
    data: dict[str, _Data] = {image.name: _Data(0)}
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
    classes = _tag_classifier(program, [data[o] for o in outputs if o in data], state)
    program.classes = classes
    blocked = _tie_widths(program, state)
    program.alpha_blocked = blocked
    _check_fcs(program, state, size)
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


def _tensor_const(tensor: Any, onnx: Any) -> _Const:
    dims = tuple(int(d) for d in tensor.dims)
    n = math.prod(dims) if dims else 1
    value = None
    external = tensor.data_location == onnx.TensorProto.EXTERNAL
    if n <= _SMALL and not external:
        try:
            from onnx import numpy_helper

            value = numpy_helper.to_array(tensor)
        except Exception:  # an odd encoding: the value is unknown, the dims still are
            value = None
    return _Const(dims, value)


def _input_dims(info: Any) -> list[Any]:
    shape = info.type.tensor_type.shape
    out: list[Any] = []
    for d in shape.dim:
        if d.HasField("dim_value"):
            out.append(int(d.dim_value))
        else:
            out.append(d.dim_param or "?")
    return out


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
            if node.op_type in _ALIASES and node.input and node.input[0] == name and node.output:
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
                and nodes[i].op_type in _GATES
                and nodes[i].input[:1] == [x]
                and consumers.get(g) == 1
            ):
                pairs.add(i)
                consumers[x] = consumers.get(x, 2) - 1  # the pair reads x once
                break
    return pairs


class _Lowering:
    """Lowers nodes one by one into ``state``."""

    def __init__(
        self,
        onnx: Any,
        state: _State,
        data: dict[str, _Data],
        consts: dict[str, _Const],
        consumers: dict[str, int],
        absorbed: set[int],
        unknown: dict[str, list[str]],
        strict: bool,
        size: Resolution,
        model: Any,
    ) -> None:
        self.onnx = onnx
        self.s = state
        self.data = data
        self.consts = consts
        self.consumers = consumers
        self.absorbed = absorbed
        self.unknown = unknown
        self.strict = strict
        self.size = size
        self.model = model
        self.inferred: dict[str, list[Any]] | None = None
        self.gate_of: dict[str, tuple[str, str]] = {}
        """A swish's gate (the Sigmoid's output) -> (the tensor it gates, the gate's op)."""

    # -- helpers

    def where(self, node: Any) -> str:
        return f"node {quote(node.name or node.op_type)} ({node.op_type})"

    def const(self, name: str, node: Any, what: str) -> _Const:
        c = self.consts.get(name)
        if c is None:
            raise OnnxImportError(f"{self.where(node)}: its {what} {quote(name)} is not a constant")
        return c

    def value(self, name: str, node: Any, what: str) -> list[Any]:
        c = self.const(name, node, what)
        if c.value is None:
            raise OnnxImportError(f"{self.where(node)}: its {what} {quote(name)} cannot be read")
        return c.value.reshape(-1).tolist()  # type: ignore[no-any-return]

    def emit(self, op: Op, raw: int, global_: bool, source: int | None = None) -> int:
        t = len(self.s.ops) + 1
        assert op.output == t
        self.s.ops.append(op)
        self.s.raw.append(raw)
        self.s.global_.append(global_)
        self.s.source.append(t if source is None else source)
        return t

    def out(self, node: Any, tensor: int, rank: int = 4) -> None:
        if node.output:
            self.data[node.output[0]] = _Data(tensor, rank)

    def take(self, name: str, node: Any, allow_pad: bool = False) -> _Data:
        d = self.data.get(name)
        if d is None:
            if name in self.consts:
                raise OnnxImportError(
                    f"{self.where(node)} reads the constant {quote(name)} where mncost "
                    "expects a feature map"
                )
            raise OnnxImportError(
                f"{self.where(node)} reads {quote(name)} before it is defined "
                "(a cycle, or nodes out of order)"
            )
        if d.pad is not None and not allow_pad:
            raise OnnxImportError(
                f"{self.where(node)} reads a padded map: mncost folds a Pad only into the "
                "conv or pool that reads it"
            )
        if (
            d.shape is not None
            and node.op_type not in _ALIASES
            and node.op_type not in ("Shape", "Size", "Gemm", "MatMul")
        ):
            raise OnnxImportError(
                f"{self.where(node)} reads the map in the layout {list(d.shape)}: mncost "
                "counts maps as N, C, H, W"
            )
        return d

    def fusable(self, name: str, d: _Data) -> Op | None:
        """The op before ``name`` when an element-wise op may fuse into it (nothing else
        reads its output)."""
        if d.tensor == 0 or self.consumers.get(name, 2) != 1:
            return None
        return self.s.ops[d.tensor - 1]

    # -- the nodes

    def node(self, node: Any, index: int) -> None:
        op_type = node.op_type
        if op_type in _CONTROL_FLOW:
            raise OnnxImportError(
                f"{self.where(node)}: control flow is not supported (mncost counts static graphs)"
            )
        attrs = _attributes(node, self.onnx)
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
        elif op_type in _ACTIVATIONS:
            self.activation(node, index, _ACTIVATIONS[op_type])
        elif op_type in _ALIASES:
            self.alias(node, attrs)
        elif op_type in _BINARY:
            self.binary(node, index)
        elif op_type in _POOLS:
            self.window_pool(node, index, attrs, _POOLS[op_type])
        elif op_type in _GLOBAL_POOLS:
            self.global_pool(node, index, _GLOBAL_POOLS[op_type])
        elif op_type in _REDUCES:
            self.reduce(node, index, attrs, _REDUCES[op_type])
        elif op_type in ("Shape", "Size"):
            self.shape_of(node)
        else:
            self.not_known(node, index, attrs)

    def fold(self, node: Any, attrs: dict[str, Any]) -> None:
        """A node on constants only: computed when it is a small shape computation."""
        if node.op_type == "Identity" and node.input and node.input[0] in self.consts:
            self.consts[node.output[0]] = self.consts[node.input[0]]  # a shared weight
            return
        value = None
        try:
            value = _evaluate(node, attrs, self.consts)
        except Exception:  # an op the folder does not know: its value is unknown
            value = None
        for out in node.output:
            if value is None:
                self.consts[out] = _Const(())
        if value is not None and node.output:
            import numpy as np

            array = np.asarray(value)
            self.consts[node.output[0]] = _Const(
                tuple(array.shape), array if array.size <= _SMALL else None
            )

    def layout(self, d: _Data) -> tuple[int, ...]:
        """The shape the values of ``d`` have (batch 1)."""
        if d.shape is not None:
            return d.shape
        h, w = self.spatial(d.tensor)
        c = self.s.raw[d.tensor]
        return (1, c, h, w) if d.rank == 4 else (1, c * h * w)

    def alias(self, node: Any, attrs: dict[str, Any]) -> None:
        """Shape plumbing: the same engine tensor, its layout followed where it matters
        (a channel shuffle reshapes and transposes, then reshapes back)."""
        import numpy as np

        op_type = node.op_type
        d = self.take(node.input[0], node)
        for extra in node.output[1:]:  # Dropout's mask: never read by a counted op
            self.consts[extra] = _Const(())
        before = self.layout(d)
        count = math.prod(before)
        after: tuple[int, ...] | None = before
        try:
            if op_type == "Flatten":
                axis = int(attrs.get("axis", 1)) % max(len(before), 1)
                after = (math.prod(before[:axis]), math.prod(before[axis:]))
            elif op_type == "Reshape":
                target = [int(v) for v in self.value(node.input[1], node, "shape")]
                target = [
                    before[i] if v == 0 and i < len(before) else v for i, v in enumerate(target)
                ]
                if target.count(-1) == 1:
                    known = math.prod(v for v in target if v != -1)
                    target[target.index(-1)] = count // known if known else 0
                after = tuple(target)
            elif op_type == "Transpose":
                perm = attrs.get("perm", list(range(len(before)))[::-1])
                after = tuple(before[int(i)] for i in perm)
            elif op_type == "Squeeze":
                axes = (
                    self.value(node.input[1], node, "axes")
                    if len(node.input) > 1 and node.input[1]
                    else attrs.get("axes")
                )
                if axes is None:
                    after = tuple(v for v in before if v != 1) or (1,)
                else:
                    drop = {int(a) % len(before) for a in axes}
                    after = tuple(v for i, v in enumerate(before) if i not in drop)
            elif op_type == "Unsqueeze":
                axes = (
                    self.value(node.input[1], node, "axes")
                    if len(node.input) > 1 and node.input[1]
                    else attrs.get("axes")
                )
                out = list(before)
                axes = list(axes or [])
                for a in sorted(int(a) % (len(before) + len(axes)) for a in axes):
                    out.insert(a, 1)
                after = tuple(out)
        except OnnxImportError:
            after = None  # a target computed at run time: the layout is not followed
        if after is not None and math.prod(after) != count:
            raise OnnxImportError(
                f"{self.where(node)} turns {count:,} values into {list(after)}: mncost "
                "follows shape plumbing only where it keeps every value"
            )
        own = self.layout(_Data(d.tensor, 4)) if d.rank == 4 or d.shape else None
        rank = len(after) if after is not None else 2
        if after is not None and len(after) == 4 and own is not None and tuple(after) == own:
            self.data[node.output[0]] = _Data(d.tensor, 4)
        elif after is not None and len(after) == 2:
            self.data[node.output[0]] = _Data(
                d.tensor, 2, shape=None if after == (1, count) else after
            )
        else:
            self.data[node.output[0]] = _Data(d.tensor, rank, shape=after)
        del np

    def shape_of(self, node: Any) -> None:
        import numpy as np

        d = self.take(node.input[0], node, allow_pad=True)
        shape = list(self.layout(d))
        if node.op_type == "Size":
            shape = [math.prod(shape)]
        else:
            start = int(_attr_int(node, "start", 0))
            end = _attr_int(node, "end", None)
            shape = shape[start:end]
        self.consts[node.output[0]] = _Const((len(shape),), np.array(shape, dtype=np.int64))

    def spatial(self, tensor: int) -> tuple[int, int]:
        """A tensor's (height, width) at the graph's own input size, from the program so far."""
        from mncost.cost.geometry import _build_spatial_plan

        prog = Program(
            "partial", self.s.raw[0], 0, list(self.s.ops), len(self.s.ops) + 1, list(self.s.raw)
        )
        plan = _build_spatial_plan(prog, self.size)
        return plan.heights[tensor], plan.widths[tensor]

    def not_known(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        label = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
        if self.strict:
            raise OnnxImportError(f"{self.where(node)}: mncost does not know this op (--strict)")
        live = [i for i in node.input if i in self.data]
        if not live or not node.output:
            self.unknown.setdefault(label, []).append(node.name or f"{label}_{index}")
            return
        d = self.take(live[0], node)
        same = self.same_shape(live[0], node.output[0])
        if not same:
            raise OnnxImportError(
                f"{self.where(node)}: mncost does not know this op and cannot follow the "
                "shapes through it (its output is not its input's shape)"
            )
        self.unknown.setdefault(label, []).append(node.name or f"{label}_{index}")
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "map", f"onnx:{label}", block, (d.tensor,), len(self.s.ops) + 1),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    def same_shape(self, a: str, b: str) -> bool:
        if self.inferred is None:
            self.inferred = {}
            try:
                inferred = self.onnx.shape_inference.infer_shapes(self.model, strict_mode=False)
                for vi in (
                    list(inferred.graph.value_info)
                    + list(inferred.graph.input)
                    + list(inferred.graph.output)
                ):
                    self.inferred[vi.name] = _input_dims(vi)
            except Exception:
                pass
        sa, sb = self.inferred.get(a), self.inferred.get(b)
        return sa is not None and sa == sb

    def activation(self, node: Any, index: int, act: str) -> None:
        d = self.take(node.input[0], node)
        producer = self.fusable(node.input[0], d)
        if (
            producer is not None
            and producer.act == "none"
            and producer.kind not in ("concat",)
            and producer.role != "channel_scale"  # a scale layer has no activation of its own
        ):
            producer.act = act
            self.out(node, d.tensor, d.rank)
            return
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "map", "act", block, (d.tensor,), len(self.s.ops) + 1, act=act),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    # Element-wise nodes of one input, spelled out for their few attributes.

    def on_BatchNormalization(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        producer = self.fusable(node.input[0], d)
        if (
            producer is not None
            and producer.kind in ("conv", "fc")
            and not producer.batch_norm
            and producer.act == "none"
        ):
            producer.batch_norm = True
            self.out(node, d.tensor, d.rank)
            return
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "map", "bn", block, (d.tensor,), len(self.s.ops) + 1, batch_norm=True),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    def on_Softmax(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "softmax", "softmax", block, (d.tensor,), len(self.s.ops) + 1),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    on_LogSoftmax = on_Softmax

    def on_Conv(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node, allow_pad=True)
        weight = self.const(node.input[1], node, "weight")
        if len(weight.dims) != 4:
            raise OnnxImportError(
                f"{self.where(node)}: a {len(weight.dims) - 2}-D conv; mncost counts 2-D convs"
            )
        m, per_group, kh, kw = weight.dims
        group = int(attrs.get("group", 1))
        c_in = self.s.raw[d.tensor]
        if group < 1 or per_group * group != c_in:
            raise OnnxImportError(
                f"{self.where(node)}: its weight {list(weight.dims)} with {group} group(s) does "
                f"not fit its {c_in}-channel input"
            )
        if not 1 <= m <= MAX_CHANNELS or max(kh, kw) > MAX_KERNEL:
            raise OnnxImportError(
                f"{self.where(node)}: its weight {list(weight.dims)} is beyond mncost's limits"
            )
        bias = len(node.input) > 2 and bool(node.input[2])
        name, block = _shown_name(node, index, self.s)
        depthwise = group == c_in and group > 1
        if depthwise:
            width: tuple[Any, ...] = ("input",) if m == c_in else ("times", m // c_in)
            if m % c_in:
                depthwise = False
        if not depthwise:
            width = ("filters", m, "alpha")
        stride = _pair(attrs.get("strides", [1, 1]), node)
        dilation = _pair(attrs.get("dilations", [1, 1]), node)
        padding = self.padding(node, attrs, d, (kh, kw), stride, dilation)
        t = self.emit(
            Op(
                name,
                "conv",
                "dw" if depthwise else "conv",
                block,
                (d.tensor,),
                len(self.s.ops) + 1,
                width=width,
                groups="depthwise" if depthwise else group,
                kernel=(kh, kw),
                stride=stride,
                dilation=dilation,
                padding=padding,
                bias=bias,
            ),
            m,
            self.s.global_[d.tensor] and (kh, kw) == (1, 1),
            self.s.source[d.tensor] if width == ("input",) else None,
        )
        self.out(node, t)

    def padding(
        self,
        node: Any,
        attrs: dict[str, Any],
        d: _Data,
        kernel: tuple[int, int],
        stride: tuple[int, int],
        dilation: tuple[int, int],
    ) -> Any:
        auto = attrs.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else str(auto)
        pads = _ints(attrs.get("pads", [0, 0, 0, 0]), "pads", node)
        if len(pads) != 4:
            raise OnnxImportError(f"{self.where(node)}: pads {pads} are not 2-D")
        if d.pad is not None:
            if auto not in ("NOTSET", "VALID"):
                raise OnnxImportError(f"{self.where(node)}: a Pad before an auto_pad {auto} op")
            extra = d.pad
            pads = [pads[0] + extra[0], pads[1] + extra[1], pads[2] + extra[2], pads[3] + extra[3]]
            auto = "NOTSET"
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            return "same"
        if auto == "VALID":
            return "valid"
        if any(p < 0 or p > MAX_KERNEL for p in pads):
            raise OnnxImportError(f"{self.where(node)}: pads {pads} are beyond mncost's limits")
        top, left, bottom, right = pads
        if top == bottom and left == right:
            return "valid" if top == left == 0 else (top, left)
        return (top, left, bottom, right)

    def on_Pad(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        if len(node.input) > 1 and node.input[1]:
            pads = [int(v) for v in self.value(node.input[1], node, "pads")]
        else:
            pads = _ints(attrs.get("pads", []), "pads", node)
        mode = attrs.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else str(mode)
        if len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)):
            raise OnnxImportError(
                f"{self.where(node)}: mncost folds only spatial pads of a map, got {pads}"
            )
        if any(p < 0 for p in pads):
            raise OnnxImportError(f"{self.where(node)}: negative pads {pads}")
        pad = (pads[2], pads[3], pads[6], pads[7])
        if d.pad is not None:
            pad = tuple(a + b for a, b in zip(pad, d.pad))  # type: ignore[assignment]
        if node.output:
            self.data[node.output[0]] = _Data(d.tensor, d.rank, pad)

    def on_Gemm(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        if attrs.get("transA", 0):
            raise OnnxImportError(f"{self.where(node)}: transA is not supported")
        weight = self.const(node.input[1], node, "weight")
        if len(weight.dims) != 2:
            raise OnnxImportError(f"{self.where(node)}: its weight is {len(weight.dims)}-D")
        k, n = (weight.dims[1], weight.dims[0]) if attrs.get("transB", 0) else weight.dims
        bias = len(node.input) > 2 and bool(node.input[2])
        self.fc(node, index, d, k, n, bias)

    def on_MatMul(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        if node.input[1] in self.data:
            raise OnnxImportError(
                f"{self.where(node)}: a product of two feature maps (attention); mncost counts CNNs"
            )
        d = self.take(node.input[0], node)
        weight = self.const(node.input[1], node, "weight")
        if len(weight.dims) != 2:
            raise OnnxImportError(f"{self.where(node)}: its weight is {len(weight.dims)}-D")
        k, n = weight.dims
        self.fc(node, index, d, k, n, False)

    def fc(self, node: Any, index: int, d: _Data, k: int, n: int, bias: bool) -> None:
        if not 1 <= n <= max(MAX_CHANNELS, MAX_CLASSES):
            raise OnnxImportError(f"{self.where(node)}: {n:,} outputs is beyond mncost's limits")
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(
                name,
                "fc",
                "fc",
                block,
                (d.tensor,),
                len(self.s.ops) + 1,
                width=("filters", n, "alpha"),
                bias=bias,
            ),
            n,
            True,
        )
        self.s.fcs.append(_Fc(t - 1, name, k))
        self.out(node, t, 2)

    def binary(self, node: Any, index: int) -> None:
        op_type = node.op_type
        inputs = [i for i in node.input if i]
        maps = [i for i in inputs if i in self.data]
        if op_type == "Mul" and len(inputs) == 2:
            gate = next((i for i in inputs if i in self.gate_of), None)
            if gate is not None:  # x * Sigmoid(x): swish on x
                x, gate_op = self.gate_of[gate]
                kind = _GATES[gate_op]
                fake = _Fake(node, [x], kind)
                self.activation(fake, index, kind)
                return
        if len(maps) == 1:
            # A map and constants: a per-channel or scalar affine step (a bias after
            # MatMul, a normalisation): element-wise, 0 MACs.
            d = self.take(maps[0], node)
            other = next((i for i in inputs if i != maps[0]), "")
            if op_type == "Mul" and len(inputs) == 2 and self.per_channel(other, d, node):
                # x * weight[1, C, 1, 1]: a learned per-channel scale, C params.
                name, block = _shown_name(node, index, self.s)
                t = self.emit(
                    Op(name, "map", "channel_scale", block, (d.tensor,), len(self.s.ops) + 1),
                    self.s.raw[d.tensor],
                    self.s.global_[d.tensor],
                    self.s.source[d.tensor],
                )
                self.out(node, t, d.rank)
                return
            if (
                op_type == "Add"
                and d.tensor
                and self.s.ops[d.tensor - 1].kind == "fc"
                and not self.s.ops[d.tensor - 1].bias
                and self.consumers.get(maps[0], 2) == 1
            ):
                self.s.ops[d.tensor - 1].bias = True  # MatMul + Add: the fc's bias
                self.out(node, d.tensor, d.rank)
                return
            self.activation(_Fake(node, [maps[0]], op_type.lower()), index, op_type.lower())
            return
        if len(maps) != len(inputs):
            raise OnnxImportError(f"{self.where(node)} mixes feature maps and other values")
        ds = [self.take(i, node) for i in maps]
        tensors = [x.tensor for x in ds]
        globals_ = [self.s.global_[t] for t in tensors]
        name, block = _shown_name(node, index, self.s)
        role = {"Add": "add", "Sum": "add"}.get(op_type, op_type.lower())
        if len(tensors) == 2 and globals_[0] != globals_[1]:
            big, gate = (tensors[1], tensors[0]) if globals_[0] else (tensors[0], tensors[1])
            t = self.emit(
                Op(name, "scale", "scale", block, (big, gate), len(self.s.ops) + 1),
                self.s.raw[big],
                False,
                self.s.source[big],
            )
            self.out(node, t, ds[0].rank)
            return
        first = tensors[0]
        for i, other in enumerate(tensors[1:]):
            last = i == len(tensors) - 2
            op_name = name if last else f"{name}.{i}"
            if not last:
                self.s.names.add(op_name)
            first = self.emit(
                Op(op_name, "add", role, block, (first, other), len(self.s.ops) + 1),
                self.s.raw[tensors[0]],
                all(globals_),
                self.s.source[tensors[0]],
            )
        self.out(node, first, ds[0].rank)

    def per_channel(self, name: str, d: _Data, node: Any) -> bool:
        """Whether the constant ``name`` holds one value per channel of the map ``d``:
        dims [1, C, 1, 1] or [C, 1, 1] with C > 1 (a scalar, or a constant of any other
        shape, is not a per-channel scale). One that broadcasts along the channels with
        another count than the map's is refused: the graph cannot run."""
        c = self.consts.get(name)
        if c is None or d.rank != 4 or d.shape is not None:
            return False
        dims = c.dims
        if len(dims) == 4 and dims[0] == 1 and dims[2:] == (1, 1):
            values = dims[1]
        elif len(dims) == 3 and dims[1:] == (1, 1):
            values = dims[0]
        else:
            return False
        if values == 1:
            return False  # a scalar: an element-wise op with a constant, 0 params
        channels = self.s.raw[d.tensor]
        if values != channels:
            raise OnnxImportError(
                f"{self.where(node)}: its per-channel constant {quote(name)} "
                f"{list(dims)} holds {values:,} values for a {channels:,}-channel map"
            )
        return True

    def on_Concat(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        inputs = [i for i in node.input if i]
        if not all(i in self.data for i in inputs):
            raise OnnxImportError(f"{self.where(node)} joins feature maps with other values")
        ds = [self.take(i, node) for i in inputs]
        axis = int(attrs.get("axis", 1))
        if axis not in (1, -3) and not (axis == -1 and ds[0].rank == 2):
            raise OnnxImportError(
                f"{self.where(node)}: a concatenation along axis {axis}; mncost joins "
                "maps along channels"
            )
        name, block = _shown_name(node, index, self.s)
        tensors = tuple(x.tensor for x in ds)
        if len(tensors) == 1:
            self.out(node, tensors[0], ds[0].rank)
            return
        t = self.emit(
            Op(name, "concat", "concat", block, tensors, len(self.s.ops) + 1, width=("sum",)),
            sum(self.s.raw[x] for x in tensors),
            all(self.s.global_[x] for x in tensors),
        )
        self.out(node, t, ds[0].rank)

    def on_Split(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        axis = int(attrs.get("axis", 0))
        if axis not in (1, -3):
            raise OnnxImportError(
                f"{self.where(node)}: a split along axis {axis}; mncost splits maps "
                "along channels only"
            )
        c = self.s.raw[d.tensor]
        if len(node.input) > 1 and node.input[1]:
            parts = [int(v) for v in self.value(node.input[1], node, "split sizes")]
        elif "split" in attrs:
            parts = _ints(attrs["split"], "split", node)
        else:
            n = len(node.output)
            parts = [-(-c // n)] * (n - 1) + [c - (n - 1) * -(-c // n)]
        if sum(parts) != c or any(p < 1 for p in parts):
            raise OnnxImportError(f"{self.where(node)}: parts {parts} do not split {c} channels")
        for out, part in zip(node.output, parts):
            self.channel_part(node, index, d, part, out)

    def on_Slice(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        c = self.s.raw[d.tensor]
        if len(node.input) >= 3:
            starts = [int(v) for v in self.value(node.input[1], node, "starts")]
            ends = [int(v) for v in self.value(node.input[2], node, "ends")]
            axes = (
                [int(v) for v in self.value(node.input[3], node, "axes")]
                if len(node.input) > 3 and node.input[3]
                else list(range(len(starts)))
            )
            steps = (
                [int(v) for v in self.value(node.input[4], node, "steps")]
                if len(node.input) > 4 and node.input[4]
                else [1] * len(starts)
            )
        else:
            starts, ends = (
                _ints(attrs.get("starts", []), "starts", node),
                _ints(attrs.get("ends", []), "ends", node),
            )
            axes = _ints(attrs.get("axes", range(len(starts))), "axes", node)
            steps = [1] * len(starts)
        if axes != [1] or steps != [1]:
            raise OnnxImportError(
                f"{self.where(node)}: a slice on axes {axes}; mncost slices maps along "
                "channels only"
            )
        start, end = starts[0], ends[0]
        start = max(0, min(c, start + c if start < 0 else start))
        end = max(0, min(c, end + c if end < 0 else end))
        if end <= start:
            raise OnnxImportError(f"{self.where(node)}: an empty channel slice")
        self.channel_part(node, index, d, end - start, node.output[0])

    def channel_part(self, node: Any, index: int, d: _Data, part: int, out: str) -> None:
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(
                name,
                "map",
                "slice",
                block,
                (d.tensor,),
                len(self.s.ops) + 1,
                width=("filters", part, "fixed"),
            ),
            part,
            self.s.global_[d.tensor],
        )
        self.s.slices.append(name)
        self.data[out] = _Data(t, d.rank)

    def window_pool(self, node: Any, index: int, attrs: dict[str, Any], role: str) -> None:
        d = self.take(node.input[0], node, allow_pad=True)
        kernel = _pair(attrs.get("kernel_shape", []), node)
        stride = _pair(attrs.get("strides", [1, 1]), node)
        dilation = _pair(attrs.get("dilations", [1, 1]), node)
        if max(kernel) > MAX_KERNEL:
            raise OnnxImportError(
                f"{self.where(node)}: a {kernel} window is beyond mncost's limits"
            )
        padding = self.padding(node, attrs, d, kernel, stride, dilation)
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(
                name,
                "pool",
                role,
                block,
                (d.tensor,),
                len(self.s.ops) + 1,
                kernel=kernel,
                stride=stride,
                dilation=dilation,
                padding=padding,
                pool="window",
                ceil_mode=bool(attrs.get("ceil_mode", 0)),
            ),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t)

    def global_pool(self, node: Any, index: int, role: str) -> None:
        d = self.take(node.input[0], node)
        name, block = _shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "pool", role, block, (d.tensor,), len(self.s.ops) + 1, pool="global"),
            self.s.raw[d.tensor],
            True,
            self.s.source[d.tensor],
        )
        self.out(node, t)

    def reduce(self, node: Any, index: int, attrs: dict[str, Any], role: str) -> None:
        d = self.take(node.input[0], node)
        if len(node.input) > 1 and node.input[1]:
            axes = [int(v) for v in self.value(node.input[1], node, "axes")]
        else:
            axes = _ints(attrs.get("axes", []), "axes", node)
        if sorted(a % 4 for a in axes) != [2, 3] or d.rank != 4:
            raise OnnxImportError(
                f"{self.where(node)}: a reduction over axes {axes}; mncost counts the "
                "spatial one (axes 2, 3)"
            )
        self.global_pool(node, index, role)
        if not attrs.get("keepdims", 1):
            self.data[node.output[0]].rank = 2

    def on_Resize(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        scales = sizes = None
        names = list(node.input) + ["", "", "", ""]
        if node.op_type == "Upsample":
            scales = self.value(names[1], node, "scales") if names[1] else attrs.get("scales")
        else:
            if names[2]:
                scales = self.value(names[2], node, "scales") or None
            if names[3]:
                sizes = self.value(names[3], node, "sizes")
        name, block = _shown_name(node, index, self.s)
        fixed: tuple[int, int] | None = None
        factor: tuple[Fraction, Fraction] | None = None
        if sizes:
            if len(sizes) != 4:
                raise OnnxImportError(f"{self.where(node)}: sizes {sizes} are not N, C, H, W")
            fixed = (int(sizes[2]), int(sizes[3]))
        elif scales:
            if len(scales) != 4 or scales[0] != 1 or scales[1] != 1:
                raise OnnxImportError(
                    f"{self.where(node)}: scales {scales} resize more than height and width"
                )
            factor = (Fraction(float(scales[2])), Fraction(float(scales[3])))
        else:
            raise OnnxImportError(f"{self.where(node)}: neither scales nor sizes are given")
        op = Op(
            name,
            "resize",
            "resize",
            block,
            (d.tensor,),
            len(self.s.ops) + 1,
            pool_output=fixed,
            scale_factor=factor,
        )
        t = self.emit(op, self.s.raw[d.tensor], False, self.s.source[d.tensor])
        self.out(node, t)

    on_Upsample = on_Resize


class _Fake:
    """A node seen as another (a swish Mul as an activation of x)."""

    def __init__(self, node: Any, inputs: list[str], op_type: str) -> None:
        self.name = node.name
        self.op_type = node.op_type
        self.input = inputs
        self.output = list(node.output)
        self.metadata_props = node.metadata_props
        self.domain = node.domain


def _attr_int(node: Any, name: str, default: Any) -> Any:
    for a in node.attribute:
        if a.name == name:
            return a.i
    return default


def _pair(values: Iterable[Any], node: Any) -> tuple[int, int]:
    v = _ints(values, "a size", node)
    if len(v) != 2 or any(x < 1 for x in v):
        raise OnnxImportError(f"node {quote(node.name or node.op_type)}: {v} is not a 2-D size")
    return (v[0], v[1])


def _evaluate(node: Any, attrs: dict[str, Any], consts: dict[str, _Const]) -> Any:
    """The value of a node on small constants (shape arithmetic), or None."""
    import numpy as np
    from onnx import numpy_helper

    op = node.op_type

    def arg(i: int) -> Any:
        if i >= len(node.input) or not node.input[i]:
            return None
        c = consts.get(node.input[i])
        if c is None or c.value is None:
            raise ValueError("unknown")
        return c.value

    if op == "Constant":
        if "value" in attrs:
            return (
                numpy_helper.to_array(attrs["value"])
                if math.prod(attrs["value"].dims or [1]) <= _SMALL
                else None
            )
        for key in ("value_int", "value_float"):
            if key in attrs:
                return np.array(attrs[key])
        for key in ("value_ints", "value_floats"):
            if key in attrs:
                return np.array(list(attrs[key]))
        return None
    if op in ("Identity", "Cast", "CastLike"):
        v = arg(0)
        if op == "Cast" and "to" in attrs:
            from onnx import helper

            return v.astype(helper.tensor_dtype_to_np_dtype(attrs["to"]))
        return v
    if op == "Gather":
        return np.take(arg(0), arg(1), axis=int(attrs.get("axis", 0)))
    if op == "Unsqueeze":
        axes = arg(1) if len(node.input) > 1 else attrs.get("axes")
        v = arg(0)
        for a in sorted(int(x) for x in np.asarray(axes).reshape(-1)):
            v = np.expand_dims(v, a)
        return v
    if op == "Squeeze":
        axes = arg(1) if len(node.input) > 1 else attrs.get("axes")
        v = arg(0)
        return (
            np.squeeze(v, tuple(int(x) for x in np.asarray(axes).reshape(-1)))
            if axes is not None
            else np.squeeze(v)
        )
    if op == "Concat":
        return np.concatenate(
            [
                np.asarray(arg(i)).reshape(-1) if np.ndim(arg(i)) == 0 else arg(i)
                for i in range(len(node.input))
            ],
            axis=int(attrs.get("axis", 0)),
        )
    if op == "Reshape":
        return np.reshape(arg(0), [int(x) for x in arg(1)])
    if op == "Transpose":
        perm = attrs.get("perm")
        return np.transpose(arg(0), None if perm is None else [int(p) for p in perm])
    if op in ("Flatten",):
        v = arg(0)
        axis = int(attrs.get("axis", 1))
        return v.reshape(math.prod(v.shape[:axis]), -1)
    if op == "Slice":
        v = arg(0)
        starts, ends = arg(1), arg(2)
        axes = arg(3) if len(node.input) > 3 and node.input[3] else range(len(starts))
        steps = arg(4) if len(node.input) > 4 and node.input[4] else [1] * len(starts)
        index = [slice(None)] * v.ndim
        for s, e, a, st in zip(starts, ends, axes, steps):
            index[int(a)] = slice(int(s), int(e), int(st))
        return v[tuple(index)]
    binary = {
        "Add": np.add,
        "Sub": np.subtract,
        "Mul": np.multiply,
        "Div": lambda a, b: a // b if np.issubdtype(np.asarray(a).dtype, np.integer) else a / b,
        "Equal": np.equal,
        "Less": np.less,
        "Greater": np.greater,
        "Max": np.maximum,
        "Min": np.minimum,
        "Pow": np.power,
        "Mod": np.mod,
    }
    if op in binary:
        return binary[op](arg(0), arg(1))  # type: ignore[operator]
    if op == "Where":
        return np.where(arg(0), arg(1), arg(2))
    if op in ("Floor", "Ceil", "Neg", "Abs", "Sqrt"):
        return {
            "Floor": np.floor,
            "Ceil": np.ceil,
            "Neg": np.negative,
            "Abs": np.abs,
            "Sqrt": np.sqrt,
        }[op](arg(0))
    if op == "ConstantOfShape":
        shape = [int(x) for x in arg(0)]
        if math.prod(shape) > _SMALL:
            return None
        value = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1)
        return np.full(shape, value.reshape(-1)[0])
    if op == "Range":
        return np.arange(arg(0), arg(1), arg(2))
    if op == "ReduceProd":
        return np.prod(arg(0), keepdims=bool(attrs.get("keepdims", 1)))
    return None


# --- after lowering -----------------------------------------------------------------


def _tag_classifier(program: Program, outputs: list[_Data], state: _State) -> int:
    """Tag the classifier ("classes",): for a graph whose one output is a vector of
    scores (N, K), the last weighted op before it through ops that do not set widths.
    Returns its width (0: no classifier: a detector's, a segmenter's, a backbone's)."""
    if len(outputs) != 1 or outputs[0].rank != 2:
        return 0
    t = outputs[0].tensor
    while t > 0:
        op = program.ops[t - 1]
        if op.kind in ("conv", "fc"):
            if op.width[0] == "filters":
                units = op.width[1]
                op.width = ("classes",)
                return int(units)
            return 0
        if op.kind in ("concat", "add", "scale") or op.width[0] != "input":
            return 0
        t = op.inputs[0]
    return 0


def _tie_widths(program: Program, state: _State) -> str:
    """Keep the graph's ties under alpha: the inputs of an Add or a Mul (scale) take the
    earliest input's width. Returns why alpha cannot scale the graph ("" if it can)."""
    ops = program.ops
    parent = list(range(len(state.raw)))

    def find(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for op in ops:
        if op.kind in ("add", "scale"):
            roots = [find(state.source[t]) for t in op.inputs]
            first = min(roots)
            for r in roots:
                parent[r] = first
    blocked = ""
    for t in range(1, len(state.raw)):
        rep = find(t)
        if rep == t or state.source[t] != t:
            continue
        op = ops[t - 1]
        if op.width[0] == "filters" and op.width[2] == "alpha":
            op.width = ("tensor", rep)
        elif not blocked:
            blocked = (
                "the inputs of a join take their channels from "
                f"{quote(ops[rep - 1].name if rep else 'the input')} "
                f"and {quote(op.name)}, which alpha cannot keep equal"
            )
    if state.slices:  # the real reason, whatever join it shows at first
        blocked = (
            f"the graph slices channels ({quote(state.slices[0])}"
            + (f" and {len(state.slices) - 1} more" if len(state.slices) > 1 else "")
            + "): the parts are fixed numbers, so alpha cannot scale it"
        )
    return blocked


def _check_fcs(program: Program, state: _State, size: Resolution) -> None:
    """Each fc's weight must read every value of its input (checked at the graph's size)."""
    if not state.fcs:
        return
    from mncost.cost.geometry import _build_spatial_plan

    plan = _build_spatial_plan(program, size)
    for fc in state.fcs:
        op = program.ops[fc.op]
        t = op.inputs[0]
        held = plan.heights[t] * plan.widths[t] * state.raw[t]
        if held != fc.in_features:
            raise OnnxImportError(
                f"{quote(fc.name)}: its weight reads {fc.in_features:,} values, but its input "
                f"holds {held:,} ({state.raw[t]} channels of {plan.heights[t]}x{plan.widths[t]})"
            )
