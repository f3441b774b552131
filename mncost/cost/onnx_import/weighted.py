"""The nodes with weights (:class:`WeightedOps`): Conv (groups, depthwise, dilation,
pads, auto_pad), the Pad folded into it, and the fully connected layers, Gemm and MatMul
by a 2-D weight; their weights' dims are checked against their input and mncost's
limits."""

from __future__ import annotations

from typing import Any

from mncost.cost.graph import Op
from mncost.cost.onnx_import.lowering import LoweringBase
from mncost.cost.onnx_import.names import shown_name
from mncost.cost.onnx_import.values import Data, Fc, ints, pair
from mncost.errors import OnnxImportError
from mncost.limits import MAX_CHANNELS, MAX_CLASSES, MAX_KERNEL


class WeightedOps(LoweringBase):
    """Convs, pads and fully connected layers."""

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
        name, block = shown_name(node, index, self.s)
        depthwise = group == c_in and group > 1
        if depthwise:
            width: tuple[Any, ...] = ("input",) if m == c_in else ("times", m // c_in)
            if m % c_in:
                depthwise = False
        if not depthwise:
            width = ("filters", m, "alpha")
        stride = pair(attrs.get("strides", [1, 1]), node)
        dilation = pair(attrs.get("dilations", [1, 1]), node)
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

    def on_Pad(self, node: Any, index: int, attrs: dict[str, Any]) -> None:
        d = self.take(node.input[0], node)
        if len(node.input) > 1 and node.input[1]:
            pads = [int(v) for v in self.value(node.input[1], node, "pads")]
        else:
            pads = ints(attrs.get("pads", []), "pads", node)
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
            self.data[node.output[0]] = Data(d.tensor, d.rank, pad)

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

    def fc(self, node: Any, index: int, d: Data, k: int, n: int, bias: bool) -> None:
        if not 1 <= n <= max(MAX_CHANNELS, MAX_CLASSES):
            raise OnnxImportError(f"{self.where(node)}: {n:,} outputs is beyond mncost's limits")
        name, block = shown_name(node, index, self.s)
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
        self.s.fcs.append(Fc(t - 1, name, k))
        self.out(node, t, 2)
