"""The element-wise nodes and the joins (:class:`MapOps`): batch norm (fused into the
conv or fc before it), Softmax, the element-wise ops on two maps (a residual, a
squeeze-and-excite rescale, a swish's Mul) or on a map and constants (a per-channel
scale, a bias, an affine step), Concat, and Split and Slice on the channel axis."""

from __future__ import annotations

from typing import Any

from mncost.cost.graph import Op
from mncost.cost.onnx_import.lowering import LoweringBase
from mncost.cost.onnx_import.names import shown_name
from mncost.cost.onnx_import.op_types import GATES
from mncost.cost.onnx_import.values import Data, ints
from mncost.errors import OnnxImportError
from mncost.text import quote


class MapOps(LoweringBase):
    """Batch norms, softmaxes, element-wise ops and joins."""

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
        name, block = shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "map", "bn", block, (d.tensor,), len(self.s.ops) + 1, batch_norm=True),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    def on_Softmax(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        name, block = shown_name(node, index, self.s)
        t = self.emit(
            Op(name, "softmax", "softmax", block, (d.tensor,), len(self.s.ops) + 1),
            self.s.raw[d.tensor],
            self.s.global_[d.tensor],
            self.s.source[d.tensor],
        )
        self.out(node, t, d.rank)

    on_LogSoftmax = on_Softmax

    def binary(self, node: Any, index: int) -> None:
        op_type = node.op_type
        inputs = [i for i in node.input if i]
        maps = [i for i in inputs if i in self.data]
        if op_type == "Mul" and len(inputs) == 2:
            gate = next((i for i in inputs if i in self.gate_of), None)
            if gate is not None:  # x * Sigmoid(x): swish on x
                x, gate_op = self.gate_of[gate]
                kind = GATES[gate_op]
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
                name, block = shown_name(node, index, self.s)
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
        name, block = shown_name(node, index, self.s)
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

    def per_channel(self, name: str, d: Data, node: Any) -> bool:
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
        name, block = shown_name(node, index, self.s)
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
            parts = ints(attrs["split"], "split", node)
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
                ints(attrs.get("starts", []), "starts", node),
                ints(attrs.get("ends", []), "ends", node),
            )
            axes = ints(attrs.get("axes", range(len(starts))), "axes", node)
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

    def channel_part(self, node: Any, index: int, d: Data, part: int, out: str) -> None:
        name, block = shown_name(node, index, self.s)
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
        self.data[out] = Data(t, d.rank)


class _Fake:
    """A node seen as another (a swish Mul as an activation of x)."""

    def __init__(self, node: Any, inputs: list[str], op_type: str) -> None:
        self.name = node.name
        self.op_type = node.op_type
        self.input = inputs
        self.output = list(node.output)
        self.metadata_props = node.metadata_props
        self.domain = node.domain
