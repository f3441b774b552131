"""A program's static columns: what depends on the architecture alone, one entry per op.

What each op is (its name, kind, role and block, whether it has a filter bank, a bias or
a batch norm), its strides and dilations, the tensors it reads and writes, and the
tensors alive while it runs (:attr:`Static.live`: its inputs, its output, and every
earlier tensor a later op still reads), found in one pass over each tensor's last reader.

Cut from :mod:`mncost.cost.geometry`, whose :class:`~mncost.cost.geometry.Geometry`
joins these with the width and spatial plans (and which re-exports :class:`Static` and
:func:`static_columns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from mncost.cost.program import Op, Program

__all__ = ["Static", "static_columns"]


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
    channel_scale: tuple[int, ...]
    """1 for a learned per-channel scale (a ``scale`` layer: one weight per channel)."""
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
        for t in prog.outputs:  # a head's output too: held until the network ends
            last_use[t] = max(last_use[t], main[-1])
    live = _live_sets(ops, last_use)

    # One pass over the ops for every attribute read (a 100,000-op spec's columns), and
    # the flags by table lookup: C loops, not a generator per column.
    names, kinds, roles, blocks, strides, dilations, bias, bn, aux, acts, inputs, outputs = (
        zip(*map(_FIELDS, ops)) if ops else ((),) * 12
    )

    def flag(values: tuple[Any, ...], *on: Any) -> tuple[int, ...]:
        ones = dict.fromkeys(on, 1)
        return tuple(map(ones.get, values, (0,) * len(values)))

    return Static(
        name=names,
        kind=kinds,
        role=roles,
        block=blocks,
        weighted=flag(kinds, "conv", "fc"),
        is_fc=flag(kinds, "fc"),
        is_add=flag(kinds, "add"),
        is_concat=flag(kinds, "concat"),
        is_scale=flag(kinds, "scale"),
        channel_scale=flag(roles, "channel_scale"),
        bias=tuple(map(int, bias)),
        bn=tuple(map(int, bn)),
        aux=tuple(map(int, aux)),
        s_h=tuple(map(_FIRST, strides)),
        s_w=tuple(map(_SECOND, strides)),
        d_h=tuple(map(_FIRST, dilations)),
        d_w=tuple(map(_SECOND, dilations)),
        act=acts,
        inputs=inputs,
        output=outputs,
        live=live,
    )


_FIELDS = attrgetter(
    "name",
    "kind",
    "role",
    "block",
    "stride",
    "dilation",
    "bias",
    "batch_norm",
    "aux",
    "act",
    "inputs",
    "output",
)
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _live_sets(ops: list[Op], last_use: list[int]) -> tuple[tuple[int, ...], ...]:
    """Per op, the tensors alive while it runs, in ascending order: every tensor written
    at or before the op (tensor t by op t - 1; the input, tensor 0, before op 0) whose
    last reader is this op or a later one, and the op's own output (live while it is
    written, even if nothing reads it).

    One pass: a tensor enters the set when it is written and leaves after its last
    reader, so the work is the size of the sets, not ops x tensors. Tensors enter in
    ascending order and a dict keeps insertion order, so each set comes out sorted.
    """
    leaving: dict[int, list[int]] = {}
    for t, last in enumerate(last_use):
        leaving.setdefault(last, []).append(t)
    alive: dict[int, None] = {}
    if last_use and last_use[0] >= 0:
        alive[0] = None
    sets = []
    for i, op in enumerate(ops):
        out = op.output
        if last_use[out] >= i:
            alive[out] = None
            sets.append(tuple(alive))
        else:  # written and never read: live only while it is written
            sets.append((*alive, out))
        for t in leaving.get(i, ()):
            alive.pop(t, None)
    return tuple(sets)


def static_columns(prog: Program) -> Static:
    """The architecture-only columns of ``prog`` (cached)."""
    return _static(prog)
