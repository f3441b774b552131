"""Constant folding, :func:`evaluate`: the value of a node on small constants (the
Shape / Gather / Constant subgraphs that compute shapes, axes, pads and scales), with
numpy, imported only when a node is folded."""

from __future__ import annotations

import math
from typing import Any

from mncost.cost.onnx_import.bounds import SMALL
from mncost.cost.onnx_import.values import Const


def evaluate(node: Any, attrs: dict[str, Any], consts: dict[str, Const]) -> Any:
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
                if math.prod(attrs["value"].dims or [1]) <= SMALL
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
        if math.prod(shape) > SMALL:
            return None
        value = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1)
        return np.full(shape, value.reshape(-1)[0])
    if op == "Range":
        return np.arange(arg(0), arg(1), arg(2))
    if op == "ReduceProd":
        return np.prod(arg(0), keepdims=bool(attrs.get("keepdims", 1)))
    return None
