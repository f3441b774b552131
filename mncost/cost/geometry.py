"""The one interpreter: an architecture at (alpha, resolution) as per-op geometry columns.

A program (:mod:`mncost.cost.graph`) is evaluated in two independent halves, because a
CNN's channel counts depend only on alpha and its feature-map sizes only on the
resolution:

- the **width plan** (alpha, width rule, classes): each op's input and output channels
  and groups;
- the **spatial plan** (resolution): each op's input and output height and width, and
  its kernel (a fully connected layer's kernel is its whole input).

:class:`Geometry` joins the two with the program's static columns (strides, batch norm,
bias, which tensors each op reads, writes and keeps alive). Metrics
(:mod:`mncost.cost.metrics`) are pure functions of these columns; the sweep
(:mod:`mncost.cost.sweep`) evaluates the same plans for many alphas and resolutions and
broadcasts them. Nothing is counted here.

Shape rules: ``same`` padding gives ceil(input / stride) (TensorFlow); explicit padding p
gives floor((input + 2p - dilation*(kernel-1) - 1) / stride) + 1, rounded up instead
with ceil_mode (PyTorch, including its rule that the last window starts inside the
input); ``valid`` is padding 0. Global pooling gives 1x1, adaptive pooling its output size.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from operator import attrgetter
from typing import Any

from mncost.arch.ops import Architecture
from mncost.arch.width import WidthError, WidthRule
from mncost.cost.graph import Op, Program, lower
from mncost.cost.scaling import ScalingError

__all__ = [
    "GeometryError",
    "Geometry",
    "SpatialPlan",
    "Static",
    "WidthPlan",
    "geometry",
    "program",
    "spatial_plan",
    "static_columns",
    "width_plan",
]


class GeometryError(ScalingError):
    """A configuration the architecture cannot take (a kernel larger than its input, a
    residual whose paths differ in shape, a group count that does not divide)."""


@dataclass(frozen=True, slots=True)
class Static:
    """The columns that depend only on the architecture (one entry per op)."""

    name: tuple[str, ...]
    kind: tuple[str, ...]
    role: tuple[str, ...]
    block: tuple[str, ...]
    weighted: tuple[int, ...]
    """1 for an op with a filter bank (conv, fc), else 0."""
    is_fc: tuple[int, ...]
    is_add: tuple[int, ...]
    """1 for a residual add (it reads two tensors of its output's shape)."""
    is_concat: tuple[int, ...]
    """1 for a concatenation (it reads tensors whose channels sum to its output's)."""
    is_scale: tuple[int, ...]
    """1 for squeeze-and-excite's rescale (it reads the map and a 1x1 gate)."""
    bias: tuple[int, ...]
    bn: tuple[int, ...]
    aux: tuple[int, ...]
    """1 for an op of an auxiliary (training-only) head, which never runs at inference."""
    s_h: tuple[int, ...]
    s_w: tuple[int, ...]
    d_h: tuple[int, ...]
    d_w: tuple[int, ...]
    act: tuple[str, ...]
    inputs: tuple[tuple[int, ...], ...]
    output: tuple[int, ...]
    live: tuple[tuple[int, ...], ...]
    """Tensors alive while the op runs: its inputs, its output, and every earlier tensor
    a later op still reads (a residual's skip input, a branch's pending outputs)."""


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


@lru_cache(maxsize=64)
def _program(arch: Any, drop_classifier: bool) -> Program:
    return lower(arch.value, drop_classifier)


class _Key:
    # Architectures hold lists, so they are not hashable; they are frozen, so identity
    # is a sound cache key as long as the cache keeps the object alive.
    __slots__ = ("value",)

    def __init__(self, value: Architecture) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.value is self.value


def program(arch: Architecture, drop_classifier: bool = False) -> Program:
    """The lowered program of ``arch`` (cached per architecture object)."""
    return _program(_Key(arch), drop_classifier)


@lru_cache(maxsize=64)
def _static(prog: Program) -> Static:
    ops = prog.ops
    last_use = [-1] * prog.tensors
    for i, op in enumerate(ops):
        if op.aux:  # a training-only head keeps nothing alive at inference
            continue
        for t in op.inputs:
            last_use[t] = i
    main = [i for i, op in enumerate(ops) if not op.aux]
    if main:
        last_use[ops[main[-1]].output] = main[-1]  # the network's output is read at the end
    produced = [-1] + [i for i in range(len(ops))]  # tensor t is written by op t - 1
    live = tuple(
        tuple(t for t in range(op.output + 1) if produced[t] <= i <= last_use[t] or t == op.output)
        for i, op in enumerate(ops)
    )
    return Static(
        name=tuple(op.name for op in ops),
        kind=tuple(op.kind for op in ops),
        role=tuple(op.role for op in ops),
        block=tuple(op.block for op in ops),
        weighted=tuple(int(op.kind in ("conv", "fc")) for op in ops),
        is_fc=tuple(int(op.kind == "fc") for op in ops),
        is_add=tuple(int(op.kind == "add") for op in ops),
        is_concat=tuple(int(op.kind == "concat") for op in ops),
        is_scale=tuple(int(op.kind == "scale") for op in ops),
        bias=tuple(int(op.bias) for op in ops),
        bn=tuple(int(op.batch_norm) for op in ops),
        aux=tuple(int(op.aux) for op in ops),
        s_h=tuple(op.stride[0] for op in ops),
        s_w=tuple(op.stride[1] for op in ops),
        d_h=tuple(op.dilation[0] for op in ops),
        d_w=tuple(op.dilation[1] for op in ops),
        act=tuple(op.act for op in ops),
        inputs=tuple(op.inputs for op in ops),
        output=tuple(op.output for op in ops),
        live=live,
    )


def static_columns(prog: Program) -> Static:
    """The architecture-only columns of ``prog`` (cached)."""
    return _static(prog)


def _shape_error(op: Op, what: str) -> GeometryError:
    return GeometryError(f"layer {op.name!r}: {what}")


def width_plan(prog: Program, alpha: Fraction, rule: WidthRule, classes: int) -> WidthPlan:
    """Every op's channels at ``alpha`` under ``rule``; GeometryError if they cannot fit."""
    return _width_plan(prog, alpha.numerator, alpha.denominator, rule, classes)


@lru_cache(maxsize=4096)
def _width_plan(prog: Program, p: int, q: int, rule: WidthRule, classes: int) -> WidthPlan:
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
            elif tag == "classes":
                c = classes
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
        ch[op.output] = c
        c_in_col.append(c_in)
        c_out_col.append(c)
        groups_col.append(groups)
    return WidthPlan(tuple(c_in_col), tuple(c_out_col), tuple(groups_col), tuple(ch))


def _side(op: Op, size: int, k: int, s: int, d: int, pad: Any, ceil: bool, axis: int) -> int:
    if pad == "same" or pad == "legacy":
        return -(-size // s)
    extent = d * (k - 1) + 1
    p = 0 if pad == "valid" else pad[axis]
    room = size + 2 * p - extent
    # PyTorch's rule: floor((room) / s) + 1, or in ceil mode (room + s - 1) // s + 1 less
    # one if the last window would start past the input and its left padding.
    out = (room + s - 1) // s + 1 if ceil else room // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    if out < 1:
        raise _shape_error(
            op,
            f"its {k}-pixel window (dilation {d}) does not fit its "
            f"{size}-pixel input with padding {p}",
        )
    return out


def spatial_plan(prog: Program, resolution: int) -> SpatialPlan:
    """Every op's feature-map sizes at ``resolution``; GeometryError if one cannot fit."""
    return _spatial_plan(prog, resolution)


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
        elif kind == "pool":
            steps.append(("adaptive", op, *op.pool_output))  # type: ignore[misc]
        else:
            steps.append(("join", op))
    return steps


@lru_cache(maxsize=64)
def _steps(prog: Program) -> list[tuple[Any, ...]]:
    return _spatial_steps(prog)


@lru_cache(maxsize=4096)
def _spatial_plan(prog: Program, resolution: int) -> SpatialPlan:
    hs = [0] * prog.tensors
    ws = [0] * prog.tensors
    hs[0] = ws[0] = resolution
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
        else:  # add, concat, scale, softmax
            k_h = k_w = 0
            ho, wo = h, w
            if len(op.inputs) > 1:
                shapes = {(hs[i], ws[i]) for i in op.inputs}
                if op.kind == "scale":
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


@dataclass(frozen=True, slots=True)
class Geometry:
    """An architecture at one configuration: the static columns, the width plan and the
    spatial plan, read as one table of per-op columns (``geometry.column("c_out")``)."""

    program: Program
    static: Static
    width: WidthPlan
    spatial: SpatialPlan

    def column(self, name: str) -> tuple[Any, ...]:
        """One per-op column by name, from whichever half holds it."""
        try:
            return _COLUMN_GETTERS[name](self)  # type: ignore[no-any-return]
        except KeyError:
            raise KeyError(f"no geometry column {name!r}") from None

    def __len__(self) -> int:
        return len(self.program.ops)


_COLUMN_PART: dict[str, str] = {
    **{name: "static" for name in Static.__slots__},
    **{name: "width" for name in WidthPlan.__slots__},
    **{name: "spatial" for name in SpatialPlan.__slots__},
}
"""Which half of a Geometry holds each column."""
_COLUMN_GETTERS = {name: attrgetter(f"{part}.{name}") for name, part in _COLUMN_PART.items()}


def geometry(
    arch: Architecture, alpha: Fraction, resolution: int, rule: WidthRule, classes: int
) -> Geometry:
    """``arch`` at (alpha, resolution) with ``classes`` (0: no classifier), as columns."""
    prog = program(arch, classes == 0)
    return Geometry(
        prog,
        static_columns(prog),
        width_plan(prog, alpha, rule, classes),
        spatial_plan(prog, resolution),
    )
