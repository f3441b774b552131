"""The nodes of an exported ONNX graph: one node (or a few) per op of the engine's
program, sized by its geometry at the configuration, with seeded He-uniform weights
written straight into the model being built.

:class:`NodeBuilder` walks the ops in order: Conv (groups, dilation, SAME_UPPER or
explicit pads), Gemm after a Flatten, the pools, Add and the other element-wise joins,
Concat, Mul, Softmax, Resize, BatchNormalization when batch norm is kept, and each
activation (opset 17 has no Gelu: x * sigmoid(1.702 x)). Cut from
:mod:`mncost.analysis.onnx_export`, which counts the model, hands the builder its
geometry, finishes the graph (its inputs, outputs and opset) and writes the file; it
re-exports :class:`ExportError`. The onnx package is handed in by the caller; numpy is
imported when a builder is made.
"""

from __future__ import annotations

import math
from typing import Any

from mncost.cost.conventions import Conventions
from mncost.cost.geometry import Geometry

__all__ = ["ExportError", "NodeBuilder"]


class ExportError(ValueError):
    """A model that cannot be written as ONNX; the message is one line."""


_ACTS = {
    "relu": ("Relu", {}),
    "relu6": ("Clip", {}),
    "clip": ("Clip", {}),
    "hswish": ("HardSwish", {}),
    "hsigmoid": ("HardSigmoid", {"alpha": 1 / 6}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "leaky_relu": ("LeakyRelu", {}),
    "elu": ("Elu", {}),
    "selu": ("Selu", {}),
    "softplus": ("Softplus", {}),
}


class NodeBuilder:
    """The graph's nodes and weights, op by op (:meth:`build`)."""

    def __init__(self, onnx: Any, geometry: Geometry, conventions: Conventions, seed: int) -> None:
        import numpy as np

        self.onnx = onnx
        self.np = np
        self.g = geometry
        self.keep_bn = conventions.bn != "none"
        self.rng = np.random.default_rng(seed)
        self.nodes: list[Any] = []
        self.model = onnx.ModelProto()
        """The file being built: weights go straight into its graph (copying a graph of
        VGG 16's 550 MB into a model, as onnx.helper does, doubles the time)."""
        self.inits = self.model.graph.initializer
        self.params = 0
        self.names: dict[int, str] = {0: "input"}
        self.used: set[str] = {"input"}
        self.rank: dict[int, int] = {0: 4}

    def unique(self, base: str) -> str:
        name = base
        n = 2
        while name in self.used:
            name = f"{base}_{n}"
            n += 1
        self.used.add(name)
        return name

    def init(
        self, name: str, shape: tuple[int, ...], fan_in: int | None, value: float = 0.0
    ) -> str:
        """A weight: He-uniform random (bounded by sqrt(6 / fan_in)), or ``value`` when
        ``fan_in`` is None; written as raw bytes, with no copy beyond the one protobuf
        keeps (VGG 16's 138 M values take a second, not five)."""
        np = self.np
        name = self.unique(name)
        if fan_in is None:
            array = np.full(shape, value, dtype=np.float32)
        else:
            array = self.rng.random(shape, dtype=np.float32)
            bound = math.sqrt(6.0 / max(fan_in, 1))
            array *= np.float32(2 * bound)
            array -= np.float32(bound)
        tensor = self.inits.add()
        tensor.name = name
        tensor.data_type = self.onnx.TensorProto.FLOAT
        tensor.dims.extend(shape)
        tensor.raw_data = array.tobytes()
        self.params += int(array.size)
        return name

    def const(self, name: str, values: list[float]) -> str:
        name = self.unique(name)
        self.inits.append(
            self.onnx.numpy_helper.from_array(self.np.array(values, dtype=self.np.float32), name)
        )
        return name

    def ints(self, name: str, values: list[int]) -> str:
        name = self.unique(name)
        self.inits.append(
            self.onnx.numpy_helper.from_array(self.np.array(values, dtype=self.np.int64), name)
        )
        return name

    def node(self, op_type: str, inputs: list[str], name: str, **attrs: Any) -> str:
        out = self.unique(name)
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def activation(self, x: str, act: str, name: str) -> str:
        if act in ("none", ""):
            return x
        if act in ("swish", "silu"):
            gate = self.node("Sigmoid", [x], f"{name}.sigmoid")
            return self.node("Mul", [x, gate], f"{name}.swish")
        if act == "gelu":
            # Gelu is an opset-20 op: x * sigmoid(1.702 x), its usual approximation, in 17.
            scaled = self.node("Mul", [x, self.const(f"{name}.k", [1.702])], f"{name}.scaled")
            gate = self.node("Sigmoid", [scaled], f"{name}.sigmoid")
            return self.node("Mul", [x, gate], f"{name}.gelu")
        op_type, attrs = _ACTS.get(act, ("Identity", {}))
        inputs = [x]
        if act == "relu6":
            inputs += [self.const(f"{name}.min", [0.0]), self.const(f"{name}.max", [6.0])]
        return self.node(op_type, inputs, f"{name}.{act}", **attrs)

    def flat(self, t: int, i: int) -> str:
        x = self.names[t]
        if self.g.spatial.heights[t] * self.g.spatial.widths[t] > 1 or self.rank.get(t, 4) == 4:
            return self.node("Flatten", [x], f"{self.g.static.name[i]}.flatten", axis=1)
        return x

    def build(self) -> tuple[list[Any], Any, int]:
        st, wd, sp = self.g.static, self.g.width, self.g.spatial
        ops = self.g.program.ops
        for i, op in enumerate(ops):
            if op.aux:
                continue
            name = op.name
            xs = [self.names[t] for t in op.inputs]
            out_t = op.output
            kind = op.kind
            rank = 4
            if kind == "conv":
                c_in, c_out, groups = wd.c_in[i], wd.c_out[i], wd.groups[i]
                k_h, k_w = sp.k_h[i], sp.k_w[i]
                w = self.init(
                    f"{name}.weight",
                    (c_out, c_in // groups, k_h, k_w),
                    (c_in // groups) * k_h * k_w,
                )
                inputs = [xs[0], w]
                if st.bias[i]:
                    inputs.append(self.init(f"{name}.bias", (c_out,), None))
                attrs: dict[str, Any] = {
                    "kernel_shape": [k_h, k_w],
                    "strides": [st.s_h[i], st.s_w[i]],
                    "dilations": [st.d_h[i], st.d_w[i]],
                    "group": groups,
                }
                if op.padding == "same" and (st.d_h[i], st.d_w[i]) != (1, 1):
                    # onnxruntime refuses SAME auto-padding with dilation: the same pads,
                    # written out (SAME_UPPER: the odd pixel at the bottom and right).
                    attrs["pads"] = _same_pads(
                        (sp.h_in[i], sp.w_in[i]),
                        (sp.h_out[i], sp.w_out[i]),
                        (k_h, k_w),
                        (st.s_h[i], st.s_w[i]),
                        (st.d_h[i], st.d_w[i]),
                    )
                else:
                    attrs.update(_pads(op.padding))
                y = self.node("Conv", inputs, name, **attrs)
                if st.bn[i] and self.keep_bn:
                    y = self.batch_norm(y, c_out, f"{name}.bn")
                y = self.activation(y, op.act, name)
            elif kind == "fc":
                c_out = wd.c_out[i]
                in_features = wd.c_in[i] * sp.h_in[i] * sp.w_in[i]
                x = self.flat(op.inputs[0], i)
                w = self.init(f"{name}.weight", (c_out, in_features), in_features)
                inputs = [x, w]
                if st.bias[i]:
                    inputs.append(self.init(f"{name}.bias", (c_out,), None))
                y = self.node("Gemm", inputs, name, transB=1)
                y = self.activation(y, op.act, name)
                rank = 2
            elif kind == "pool":
                y = self.pool(op, i, xs[0])
                y = self.activation(y, op.act, name)
            elif kind == "add":
                y = self.node(
                    "Add"
                    if op.role in ("add", "")
                    else {
                        "mul": "Mul",
                        "sub": "Sub",
                        "div": "Div",
                        "max": "Max",
                        "min": "Min",
                        "mean": "Mean",
                    }.get(op.role, "Add"),
                    xs[:2],
                    name,
                )
                y = self.activation(y, op.act, name)
                rank = self.rank.get(op.inputs[0], 4)
            elif kind == "concat":
                y = self.node("Concat", xs, name, axis=1)
                rank = self.rank.get(op.inputs[0], 4)
            elif kind == "scale":
                y = self.node("Mul", xs[:2], name)
            elif kind == "softmax":
                y = self.node("Softmax", [xs[0]], name, axis=1)
                rank = self.rank.get(op.inputs[0], 4)
            elif kind == "map":
                y = self.map(op, i, xs[0])
                rank = self.rank.get(op.inputs[0], 4)
            elif kind == "resize":
                y = self.resize_to(xs[0], sp.h_out[i], sp.w_out[i], name, op.mode)
            else:  # pragma: no cover - every kind of the engine is above
                raise ExportError(f"layer {name!r}: no ONNX node for an op of kind {kind!r}")
            self.names[out_t] = y
            self.rank[out_t] = rank
        return self.nodes, self.model, self.params

    def resize_to(self, x: str, h: int, w: int, name: str, mode: str = "nearest") -> str:
        """Resize to a fixed h x w, the batch and channels kept from the input (as
        PyTorch exports an interpolation to a size)."""
        shape = self.node("Shape", [x], f"{name}.shape")
        nc = self.node(
            "Slice",
            [shape, self.ints(f"{name}.start", [0]), self.ints(f"{name}.end", [2])],
            f"{name}.nc",
        )
        sizes = self.node("Concat", [nc, self.ints(f"{name}.hw", [h, w])], f"{name}.sizes", axis=0)
        if mode == "bilinear":  # PyTorch's interpolate(mode="bilinear", align_corners=False)
            return self.node(
                "Resize",
                [x, "", "", sizes],
                name,
                mode="linear",
                coordinate_transformation_mode="pytorch_half_pixel",
            )
        return self.node("Resize", [x, "", "", sizes], name, mode="nearest")

    def batch_norm(self, x: str, c: int, name: str) -> str:
        scale = self.init(f"{name}.weight", (c,), None, 1.0)
        bias = self.init(f"{name}.bias", (c,), None, 0.0)
        mean = self.init(f"{name}.running_mean", (c,), None, 0.0)
        var = self.init(f"{name}.running_var", (c,), None, 1.0)
        return self.node("BatchNormalization", [x, scale, bias, mean, var], name)

    def map(self, op: Any, i: int, x: str) -> str:
        if op.role == "bn":
            return (
                self.batch_norm(x, self.g.width.c_out[i], op.name)
                if self.keep_bn
                else self.node("Identity", [x], op.name)
            )
        if op.role == "slice":
            start = 0  # a fixed channel part: its first channels (the counts are the same)
            return self.node(
                "Slice",
                [
                    x,
                    self.ints(f"{op.name}.starts", [start]),
                    self.ints(f"{op.name}.ends", [self.g.width.c_out[i]]),
                    self.ints(f"{op.name}.axes", [1]),
                ],
                op.name,
            )
        if op.role == "act":
            return self.activation(x, op.act, op.name)
        if op.role == "channel_scale":  # a learned weight per channel, broadcast: N, C, H, W
            c = self.g.width.c_in[i]
            weight = self.init(f"{op.name}.weight", (1, c, 1, 1), None, 1.0)
            return self.node("Mul", [x, weight], op.name)
        return self.node("Identity", [x], op.name)

    def pool(self, op: Any, i: int, x: str) -> str:
        sp = self.g.spatial
        average = op.role != "maxpool"
        if op.pool == "global" or (op.pool == "adaptive" and (sp.h_out[i], sp.w_out[i]) == (1, 1)):
            return self.node("GlobalAveragePool" if average else "GlobalMaxPool", [x], op.name)
        op_type = "AveragePool" if average else "MaxPool"
        if op.pool == "adaptive":  # windows that give the same output size
            h, w, oh, ow = sp.h_in[i], sp.w_in[i], sp.h_out[i], sp.w_out[i]
            if h < oh or w < ow:  # adaptive pooling that enlarges (AlexNet at 96 pixels)
                return self.resize_to(x, oh, ow, op.name)
            sh, sw = h // oh, w // ow
            kernel = [h - (oh - 1) * sh, w - (ow - 1) * sw]
            return self.node(op_type, [x], op.name, kernel_shape=kernel, strides=[sh, sw])
        attrs: dict[str, Any] = {
            "kernel_shape": [sp.k_h[i], sp.k_w[i]],
            "strides": [op.stride[0], op.stride[1]],
            "ceil_mode": int(op.ceil_mode),
        }
        if op.pool == "legacy":
            attrs["ceil_mode"] = 1
        else:
            attrs.update(_pads(op.padding))
        if op.dilation != (1, 1) and not average:
            attrs["dilations"] = [op.dilation[0], op.dilation[1]]
        return self.node(op_type, [x], op.name, **attrs)


def _same_pads(
    size: tuple[int, int],
    out: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> list[int]:
    """TensorFlow's SAME padding as explicit ONNX pads [top, left, bottom, right]."""
    total = [
        max((o - 1) * s + (k - 1) * d + 1 - n, 0)
        for n, o, k, s, d in zip(size, out, kernel, stride, dilation)
    ]
    return [total[0] // 2, total[1] // 2, total[0] - total[0] // 2, total[1] - total[1] // 2]


def _pads(padding: Any) -> dict[str, Any]:
    if padding in ("same", "legacy"):
        return {"auto_pad": "SAME_UPPER"}
    if padding == "valid":
        return {"pads": [0, 0, 0, 0]}
    if len(padding) == 4:
        top, left, bottom, right = padding
        return {"pads": [top, left, bottom, right]}
    p_h, p_w = padding
    return {"pads": [p_h, p_w, p_h, p_w]}
