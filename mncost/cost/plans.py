"""A program's two halves at a configuration, each evaluated apart: the width plan and the
spatial plan.

A CNN's channel counts depend only on alpha and its feature-map sizes only on the
resolution, so the **width plan** (alpha, width rule, classes: each op's input and
output channels and groups) and the **spatial plan** (resolution: each op's input and
output height and width, and its kernel; a fully connected layer's kernel is its whole
input) are built and cached separately, and the sweep (:mod:`mncost.cost.sweep`)
broadcasts many of each. A configuration a plan cannot take raises
:class:`GeometryError`, naming the op.

Shape rules: ``same`` padding gives ceil(input / stride) (TensorFlow); explicit padding p
gives floor((input + 2p - dilation*(kernel-1) - 1) / stride) + 1, rounded up instead
with ceil_mode (PyTorch, including its rule that the last window starts inside the
input); ``valid`` is padding 0. Global pooling gives 1x1, adaptive pooling its output size.

Cut from :mod:`mncost.cost.geometry`, which joins the two plans with the static columns
(and re-exports these names).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from mncost.arch.width import WidthError, WidthRule, expand_input
from mncost.cost.program import Op, Program
from mncost.cost.scaling import Resolution, ScalingError, resolution_hw
from mncost.limits import MAX_TENSOR_CHANNELS

__all__ = ["CACHED_OPS", "GeometryError", "SpatialPlan", "WidthPlan", "spatial_plan", "width_plan"]


class GeometryError(ScalingError):
    """A configuration the architecture cannot take (a kernel larger than its input, a
    residual whose paths differ in shape, a group count that does not divide)."""


@dataclass(frozen=True, slots=True)
class WidthPlan:
    """Channels at one alpha: per op, and per tensor."""

    c_in: tuple[int, ...]
    c_out: tuple[int, ...]
    groups: tuple[int, ...]
    channels: tuple[int, ...]
    """Per tensor (tensor 0: the input image)."""


@dataclass(frozen=True, slots=True)
class SpatialPlan:
    """Feature-map sizes at one resolution: per op, and per tensor."""

    h_in: tuple[int, ...]
    w_in: tuple[int, ...]
    h_out: tuple[int, ...]
    w_out: tuple[int, ...]
    k_h: tuple[int, ...]
    k_w: tuple[int, ...]
    heights: tuple[int, ...]
    widths: tuple[int, ...]


def _shape_error(op: Op, what: str) -> GeometryError:
    return GeometryError(f"layer {op.name!r}: {what}")


CACHED_OPS = 4096
"""Plans of programs up to this many ops are cached (4,096 of each kind); of a larger
program, the last two of each kind (one command counts its configuration several times:
the table, the memory, the latency), so the caches stay within about 100 MB."""


def width_plan(
    prog: Program, alpha: Fraction, rule: WidthRule, classes: int, cache: bool = True
) -> WidthPlan:
    """Every op's channels at ``alpha`` under ``rule``; GeometryError if they cannot fit.
    ``cache=False`` builds the plan without keeping it (a sweep of a deep spec)."""
    if prog.alpha_blocked and alpha != 1:
        raise GeometryError(f"alpha {float(alpha):g}: {prog.alpha_blocked}")
    build = (
        (_width_plan if len(prog.ops) <= CACHED_OPS else _large_width_plan)
        if cache
        else _build_width_plan
    )
    return build(prog, alpha.numerator, alpha.denominator, rule, classes)


def _build_width_plan(prog: Program, p: int, q: int, rule: WidthRule, classes: int) -> WidthPlan:
    ch = [0] * prog.tensors
    ch[0] = prog.input_channels
    c_in_col: list[int] = []
    c_out_col: list[int] = []
    groups_col: list[int] = []
    up = (p, q) if p >= q else (1, 1)
    apply = rule.apply
    for op in prog.ops:
        c_in = ch[op.inputs[0]]
        width = op.width
        tag = width[0]
        try:
            if tag == "input":
                c = c_in
            elif tag == "filters":
                scale = width[2]
                c = (
                    apply(width[1], p, q)
                    if scale == "alpha"
                    else width[1]
                    if scale == "fixed"
                    else apply(width[1], *up)
                )
            elif tag == "times":
                c = c_in * width[1]
            elif tag == "tensor":
                c = ch[width[1]]
            elif tag == "squeeze":
                c = WidthRule("make_divisible", width[2]).apply(max(c_in // width[1], 1), 1, 1)
            elif tag == "ratio":
                c = expand_input(c_in, width[1], width[2])
            elif tag == "classes":
                c = classes * (width[1] if len(width) > 1 else 1)
            else:  # "sum"
                c = sum(ch[t] for t in op.inputs)
        except WidthError as exc:
            raise GeometryError(f"layer {op.name!r}: {exc}") from None
        groups = op.groups
        if groups == "depthwise":
            groups = c_in
        elif groups != 1 and (c_in % groups or c % groups):
            raise _shape_error(
                op, f"{groups} groups do not divide its {c_in} input and {c} output channels"
            )
        if op.kind in ("add", "scale") and len({ch[t] for t in op.inputs}) > 1:
            raise _shape_error(
                op,
                "its inputs have different channel counts ("
                + ", ".join(str(ch[t]) for t in op.inputs)
                + ")",
            )
        if c > MAX_TENSOR_CHANNELS:
            raise _shape_error(
                op, f"its output would have {c:,} channels; the most is {MAX_TENSOR_CHANNELS:,}"
            )
        ch[op.output] = c
        c_in_col.append(c_in)
        c_out_col.append(c)
        groups_col.append(groups)
    return WidthPlan(tuple(c_in_col), tuple(c_out_col), tuple(groups_col), tuple(ch))


_width_plan = lru_cache(maxsize=4096)(_build_width_plan)
_large_width_plan = lru_cache(maxsize=2)(_build_width_plan)


def _side(op: Op, size: int, k: int, s: int, d: int, pad: Any, ceil: bool, axis: int) -> int:
    if pad == "same" or pad == "legacy":
        return -(-size // s)
    extent = d * (k - 1) + 1
    if pad == "valid":
        begin = end = 0
    elif len(pad) == 4:  # (top, left, bottom, right)
        begin, end = pad[axis], pad[axis + 2]
    else:
        begin = end = pad[axis]
    room = size + begin + end - extent
    # PyTorch's rule: floor((room) / s) + 1, or in ceil mode (room + s - 1) // s + 1 less
    # one if the last window would start past the input and its leading padding.
    out = (room + s - 1) // s + 1 if ceil else room // s + 1
    if ceil and (out - 1) * s >= size + begin:
        out -= 1
    if out < 1:
        shown = begin if begin == end else f"{begin}+{end}"
        raise _shape_error(
            op,
            f"its {k}-pixel window (dilation {d}) does not fit its "
            f"{size}-pixel input with padding {shown}",
        )
    return out


def spatial_plan(prog: Program, resolution: Resolution, cache: bool = True) -> SpatialPlan:
    """Every op's feature-map sizes at ``resolution`` (a side, or (height, width));
    GeometryError if one cannot fit.
    ``cache=False`` builds the plan without keeping it (a sweep of a deep spec)."""
    build = (
        (_spatial_plan if len(prog.ops) <= CACHED_OPS else _large_spatial_plan)
        if cache
        else _build_spatial_plan
    )
    return build(prog, resolution)


def _spatial_steps(prog: Program) -> list[tuple[Any, ...]]:
    # Each op's shape rule as a small tuple, so evaluating a resolution is a tight loop.
    steps: list[tuple[Any, ...]] = []
    for op in prog.ops:
        kind = op.kind
        if kind == "conv" or (kind == "pool" and op.pool in ("window", "legacy")):
            k_h, k_w = op.kernel  # type: ignore[misc]
            if op.padding in ("same", "legacy"):
                steps.append(("same", op, k_h, k_w, op.stride[0], op.stride[1]))
            else:
                steps.append(("window", op, k_h, k_w))
        elif kind == "fc" or (kind == "pool" and op.pool == "global"):
            steps.append(("whole", op))
        elif kind == "resize" and op.size_of is not None:
            steps.append(("like", op, op.size_of))
        elif kind == "pool" or (kind == "resize" and op.pool_output is not None):
            steps.append(("adaptive", op, *op.pool_output))  # type: ignore[misc]
        elif kind == "resize":
            (sh, sw) = op.scale_factor  # type: ignore[misc]
            steps.append(("resize", op, sh.numerator, sh.denominator, sw.numerator, sw.denominator))
        else:
            steps.append(("join", op))
    return steps


@lru_cache(maxsize=64)
def _steps(prog: Program) -> list[tuple[Any, ...]]:
    return _spatial_steps(prog)


def _build_spatial_plan(prog: Program, resolution: Resolution) -> SpatialPlan:
    hs = [0] * prog.tensors
    ws = [0] * prog.tensors
    hs[0], ws[0] = resolution_hw(resolution)
    h_in_c: list[int] = []
    w_in_c: list[int] = []
    h_out_c: list[int] = []
    w_out_c: list[int] = []
    k_h_c: list[int] = []
    k_w_c: list[int] = []
    t = 1
    for step in _steps(prog):
        op = step[1]
        x = op.inputs[0]
        h, w = hs[x], ws[x]
        rule = step[0]
        if rule == "same":
            k_h, k_w = step[2], step[3]
            ho, wo = -(-h // step[4]), -(-w // step[5])
        elif rule == "whole":
            k_h, k_w, ho, wo = h, w, 1, 1
        elif rule == "window":
            k_h, k_w = step[2], step[3]
            (s_h, s_w), (d_h, d_w) = op.stride, op.dilation
            ho = _side(op, h, k_h, s_h, d_h, op.padding, op.ceil_mode, 0)
            wo = _side(op, w, k_w, s_w, d_w, op.padding, op.ceil_mode, 1)
        elif rule == "adaptive":
            k_h = k_w = 0
            ho, wo = step[2], step[3]
        elif rule == "like":  # the size of an earlier tensor
            k_h = k_w = 0
            ho, wo = hs[step[2]], ws[step[2]]
        elif rule == "resize":  # floor(side * scale), exactly
            k_h = k_w = 0
            ho, wo = h * step[2] // step[3], w * step[4] // step[5]
        else:  # add, concat, scale, softmax
            k_h = k_w = 0
            ho, wo = h, w
            if len(op.inputs) > 1:
                shapes = {(hs[i], ws[i]) for i in op.inputs}
                if op.kind == "scale":
                    gates = [f"{hs[i]}x{ws[i]}" for i in op.inputs[1:] if (hs[i], ws[i]) != (1, 1)]
                    if gates:
                        raise _shape_error(
                            op, f"a gate must be a 1x1 map, and it reads one of {gates[0]}"
                        )
                    shapes.discard((1, 1))  # the gate is 1x1, broadcast over the map
                if len(shapes) > 1:
                    raise _shape_error(
                        op,
                        "its inputs have different sizes ("
                        + ", ".join(f"{hs[i]}x{ws[i]}" for i in op.inputs)
                        + ")",
                    )
        if ho < 1 or wo < 1:
            raise _shape_error(op, f"its output would be {ho}x{wo}")
        hs[t] = ho
        ws[t] = wo
        t += 1
        h_in_c.append(h)
        w_in_c.append(w)
        h_out_c.append(ho)
        w_out_c.append(wo)
        k_h_c.append(k_h)
        k_w_c.append(k_w)
    return SpatialPlan(
        tuple(h_in_c),
        tuple(w_in_c),
        tuple(h_out_c),
        tuple(w_out_c),
        tuple(k_h_c),
        tuple(k_w_c),
        heights=tuple(hs),
        widths=tuple(ws),
    )


_spatial_plan = lru_cache(maxsize=4096)(_build_spatial_plan)
_large_spatial_plan = lru_cache(maxsize=2)(_build_spatial_plan)
