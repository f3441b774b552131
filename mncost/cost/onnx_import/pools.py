"""The nodes that pool or resize a map (:class:`PoolOps`): MaxPool and AveragePool over a
window, the global pools, ReduceMean / ReduceMax over the spatial axes, and Resize and
Upsample by scales or to sizes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mncost.cost.graph import Op
from mncost.cost.onnx_import.lowering import LoweringBase
from mncost.cost.onnx_import.names import shown_name
from mncost.cost.onnx_import.values import ints, pair
from mncost.errors import OnnxImportError
from mncost.limits import MAX_KERNEL


class PoolOps(LoweringBase):
    """Pools, reductions and resizes."""

    def window_pool(self, node: Any, index: int, attrs: dict[str, Any], role: str) -> None:
        d = self.take(node.input[0], node, allow_pad=True)
        kernel = pair(attrs.get("kernel_shape", []), node)
        stride = pair(attrs.get("strides", [1, 1]), node)
        dilation = pair(attrs.get("dilations", [1, 1]), node)
        if max(kernel) > MAX_KERNEL:
            raise OnnxImportError(
                f"{self.where(node)}: a {kernel} window is beyond mncost's limits"
            )
        padding = self.padding(node, attrs, d, kernel, stride, dilation)
        name, block = shown_name(node, index, self.s)
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
        name, block = shown_name(node, index, self.s)
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
            axes = ints(attrs.get("axes", []), "axes", node)
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
        name, block = shown_name(node, index, self.s)
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
