"""The lowering's state and the steps every handler takes (:class:`LoweringBase`): reading
a node's constants and feature maps, emitting an op into the program, fusing into the op
before, following a map's size and folding a Pad into the padding of the conv or pool
that reads it, and the two handlers the others fall back on: an activation (fused where
it can be) and an op mncost does not know (its output must have its input's shape)."""

from __future__ import annotations

from typing import Any

from mncost.cost.geometry import spatial_plan
from mncost.cost.graph import Op, Program
from mncost.cost.onnx_import.names import shown_name
from mncost.cost.onnx_import.op_types import ALIASES
from mncost.cost.onnx_import.values import Const, Data, State, input_dims, ints
from mncost.cost.scaling import Resolution
from mncost.errors import OnnxImportError
from mncost.limits import MAX_KERNEL
from mncost.text import quote


class LoweringBase:
    """The state of one lowering, and the steps its handlers share."""

    def __init__(
        self,
        onnx: Any,
        state: State,
        data: dict[str, Data],
        consts: dict[str, Const],
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

    def const(self, name: str, node: Any, what: str) -> Const:
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
            self.data[node.output[0]] = Data(tensor, rank)

    def take(self, name: str, node: Any, allow_pad: bool = False) -> Data:
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
            and node.op_type not in ALIASES
            and node.op_type not in ("Shape", "Size", "Gemm", "MatMul")
        ):
            raise OnnxImportError(
                f"{self.where(node)} reads the map in the layout {list(d.shape)}: mncost "
                "counts maps as N, C, H, W"
            )
        return d

    def fusable(self, name: str, d: Data) -> Op | None:
        """The op before ``name`` when an element-wise op may fuse into it (nothing else
        reads its output)."""
        if d.tensor == 0 or self.consumers.get(name, 2) != 1:
            return None
        return self.s.ops[d.tensor - 1]

    def layout(self, d: Data) -> tuple[int, ...]:
        """The shape the values of ``d`` have (batch 1)."""
        if d.shape is not None:
            return d.shape
        h, w = self.spatial(d.tensor)
        c = self.s.raw[d.tensor]
        return (1, c, h, w) if d.rank == 4 else (1, c * h * w)

    def spatial(self, tensor: int) -> tuple[int, int]:
        """A tensor's (height, width) at the graph's own input size, from the program so far."""
        prog = Program(
            "partial", self.s.raw[0], 0, list(self.s.ops), len(self.s.ops) + 1, list(self.s.raw)
        )
        plan = spatial_plan(prog, self.size, cache=False)
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
        name, block = shown_name(node, index, self.s)
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
                    self.inferred[vi.name] = input_dims(vi)
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
        name, block = shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "map", "act", block, (d.tensor,), len(self.s.ops) + 1, act=act),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    def padding(
        self,
        node: Any,
        attrs: dict[str, Any],
        d: Data,
        kernel: tuple[int, int],
        stride: tuple[int, int],
        dilation: tuple[int, int],
    ) -> Any:
        auto = attrs.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else str(auto)
        pads = ints(attrs.get("pads", [0, 0, 0, 0]), "pads", node)
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
