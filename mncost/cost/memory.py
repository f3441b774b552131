"""Activation memory: the bytes of the tensors each op reads and writes, and the peak.

Per-tensor sizes come from the interpreter's plans (every tensor's height, width and
channels); which tensors are alive at each op comes from the program's dataflow (the
static column ``live``). The per-op byte counts (weights, what an op reads and writes)
are metrics (:mod:`mncost.cost.metrics.memory`); this module holds what needs the
dataflow: the live bytes of every op and the network's peak, for one configuration
(:func:`count_memory`) and for a whole alpha x resolution grid (:func:`peak_grid`, used
by :mod:`mncost.cost.sweep`).

The execution model is layer by layer, one op at a time, as inference runtimes for
small devices run a CNN:

- while an op runs, its **live set** is held in memory: its inputs, its output, and
  every earlier tensor a later op still reads (a residual's skip input, a branch's
  pending outputs). The network's input is a tensor like any other: it is live until
  the first op has read it. A network with heads (a detector, a segmenter) has several
  outputs: each head's output is held from when it is written until the network ends;
- batch norm and activations are fused into the op before them and work in place: they
  add nothing;
- an auxiliary (training-only) head does not run at inference: its ops hold nothing;
- with ``dw_inplace``, a depthwise conv runs in place, as MCU runtimes do (MCUNet's
  TinyEngine): its output overwrites its input, so of the two only the larger counts.
  This is possible only when nothing after the conv reads its input; where something
  does (a residual whose body starts with the depthwise conv), the conv keeps both.

The peak activation memory is the largest live set over the ops, in bytes, and the op
where it occurs (the first such op on a tie). Sizes follow
:attr:`mncost.cost.conventions.Conventions.dtype`: 4, 2 or 1 byte per value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.arch.width import WidthRule
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.execution import SWITCHES, Execution, ExecutionError
from mncost.cost.geometry import Geometry, SpatialPlan, Static, WidthPlan
from mncost.cost.metrics import evaluate
from mncost.cost.patch import PatchStage, patch_stage
from mncost.cost.result import count
from mncost.cost.scaling import Resolution

if TYPE_CHECKING:
    import numpy
    import pandas

    from mncost.cost.model import Model

__all__ = [
    "MemoryResult",
    "OpMemory",
    "PEAK_ACTIVATION",
    "Peak",
    "TensorInfo",
    "PatchTrial",
    "PatchTrials",
    "count_memory",
    "fitting_schedule",
    "in_place_ops",
    "patch_trials",
    "live_bytes",
    "peak_grid",
    "tensor_bytes",
]

PEAK_ACTIVATION = "peak_activation_bytes"
"""The sweep's name for the peak (not a per-op metric: it needs the dataflow)."""

_INT64_SAFE = 2**62  # as mncost.cost.sweep.INT64_SAFE (which imports this module)

Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""


def tensor_bytes(geometry: Geometry, per_value: Conventions | int) -> tuple[int, ...]:
    """Bytes of every tensor of the program (tensor 0 is the input image), at
    ``per_value`` bytes per value (or the conventions' dtype)."""
    size = per_value if isinstance(per_value, int) else DTYPE_BYTES[per_value.dtype]
    return tuple(
        h * w * c * size
        for h, w, c in zip(
            geometry.spatial.heights, geometry.spatial.widths, geometry.width.channels
        )
    )


def _read_later(static: Static) -> tuple[bool, ...]:
    """Per op: whether a later op still reads the op's (first) input.

    A tensor another op reads after op i is live at op i + 1 (the ``live`` column keeps
    a tensor from its writer to its last reader), so the live set of the next op says it.
    """
    n = len(static.name)
    return tuple(i + 1 < n and static.inputs[i][0] in static.live[i + 1] for i in range(n))


def _is_depthwise(role: str, kind: str, groups: int, c_in: int) -> bool:
    # A depthwise conv: the spec's dw, or any conv with one group per input channel.
    return role == "dw" or (kind == "conv" and groups == c_in and groups > 1)


def in_place_ops(static: Static, width: WidthPlan) -> tuple[bool, ...]:
    """Per op: whether it is a depthwise conv that can run in place (under
    ``dw_inplace``): one that runs at inference and whose input nothing after it reads."""
    later = _read_later(static)
    return tuple(
        not static.aux[i]
        and not later[i]
        and _is_depthwise(static.role[i], static.kind[i], width.groups[i], width.c_in[i])
        for i in range(len(static.name))
    )


Shared = tuple[tuple[int, ...], ...]
"""Per op: groups of its live tensors that share one buffer (each group holds as many
bytes as its largest member)."""


def accumulating_adds(static: Static) -> dict[int, tuple[int, int, int]]:
    """The residual adds that can accumulate into their skip buffer (``add_inplace``):
    add op -> (its skip input, its other input, the op that writes that other input).

    The writer of the other input writes it straight into the skip's buffer, and the
    sum takes the buffer over. That needs: two inputs; the other input read by the add
    alone; the skip read by nothing at or after that writer but the add; neither held
    past the add (a head's output is held to the end).
    """
    n = len(static.name)
    readers: dict[int, list[int]] = {}
    for i in range(n):
        if not static.aux[i]:
            for t in static.inputs[i]:
                readers.setdefault(t, []).append(i)
    out: dict[int, tuple[int, int, int]] = {}
    for i in range(n):
        if not static.is_add[i] or static.aux[i] or len(static.inputs[i]) != 2:
            continue
        a, b = static.inputs[i]
        skip, body = (a, b) if a < b else (b, a)  # the later-written input is the body's
        if body == 0:
            continue
        writer = body - 1  # tensor t is written by op t - 1
        after = static.live[i + 1] if i + 1 < n else ()
        if (
            readers.get(body) == [i]
            and all(r < writer or r == i for r in readers.get(skip, []))
            and skip not in after
            and body not in after
        ):
            out[i] = (skip, body, writer)
    return out


def shared_buffers(static: Static, width: WidthPlan, execution: Execution) -> tuple[Shared, ...]:
    """Which live tensors share a buffer at each op under ``execution``: the one
    definition of in-place execution, which the per-op reckoning, the sweep's peak and
    the patch stage all evaluate.

    - ``dw_inplace``: a depthwise conv that can run in place shares its input's buffer
      with its output;
    - ``add_inplace``: an accumulating add's body writes into the skip's buffer (at the
      op that writes it), and the sum takes that buffer over (at the add). An op that
      already runs in place over its input does not also accumulate: such an add keeps
      its buffers apart.
    """
    n = len(static.name)
    shared: list[list[tuple[int, ...]]] = [[] for _ in range(n)]
    if execution.dw_inplace:
        for i, ok in enumerate(in_place_ops(static, width)):
            if ok:
                shared[i].append((static.inputs[i][0], static.output[i]))
    if execution.add_inplace:
        for i, (skip, body, writer) in accumulating_adds(static).items():
            if shared[writer]:
                continue
            shared[writer].append((skip, body))
            shared[i].append((skip, body, static.output[i]))
    return tuple(tuple(groups) for groups in shared)


def op_live(live: Sequence[int], shared: Shared, size: Callable[[int], int]) -> int:
    """The bytes one op holds: its live tensors, each group that shares a buffer
    counted as its largest member (``size``: a tensor's bytes)."""
    total = sum(size(t) for t in live)
    for group in shared:
        sizes = [size(t) for t in group]
        total -= sum(sizes) - max(sizes)
    return total


def live_bytes(geometry: Geometry, execution: Execution) -> tuple[int, ...]:
    """Bytes held while each op runs layer by layer: the sum of its live tensors (0 for
    an op of an auxiliary head), tensors that share a buffer counted once, as their
    largest."""
    sizes = tensor_bytes(geometry, execution.bytes_per_value)
    st = geometry.static
    shared = shared_buffers(st, geometry.width, execution)
    return tuple(
        0 if st.aux[i] else op_live(live, shared[i], sizes.__getitem__)
        for i, live in enumerate(st.live)
    )


@dataclass(frozen=True)
class TensorInfo:
    """One tensor of the program: who writes it, its shape and its bytes."""

    name: str
    """"input" for the network's input, else the name of the op that writes it."""
    shape: Shape
    bytes: int


@dataclass(frozen=True)
class OpMemory:
    """One op's activation memory."""

    name: str
    kind: str
    """What the spec calls it: conv, dw, pw, expand, project, se_reduce, se_expand,
    avgpool, maxpool, fc, add, concat, scale or softmax."""
    block: str
    """The composite the op belongs to ("" at the top level)."""
    output: Shape
    input_bytes: int
    """Bytes of the tensors the op reads, whole (both inputs of an add, every branch of
    a concatenation; 0 for an auxiliary head)."""
    output_bytes: int
    """Bytes of the tensor the op writes, whole (0 for an auxiliary head)."""
    live_bytes: int
    """Bytes held while the op runs: its live tensors, tensors that share a buffer
    counted once (in the patch stage: the most over the patches, with the buffers held
    whole)."""
    reads: tuple[int, ...]
    """The tensors the op reads, as indices into :attr:`MemoryResult.tensors`."""
    writes: int
    """The tensor the op writes (an index into :attr:`MemoryResult.tensors`)."""
    live: tuple[int, ...]
    """The live tensors (indices into :attr:`MemoryResult.tensors`): what it reads, what
    it writes, and every earlier tensor a later op still reads; () for an auxiliary op."""
    in_place_capable: bool
    """A depthwise conv whose input nothing later reads: ``dw_inplace`` runs it in place."""
    in_place: bool
    """Run in place here (``dw_inplace``): its output overwrites its input, and only the
    larger of the two counts."""
    aux: bool
    """Part of an auxiliary (training-only) head: it holds nothing at inference."""
    accumulates: bool = False
    """Under ``add_inplace``: it writes into a residual's skip buffer (the op before an
    accumulating add), or it is that add."""
    patch: tuple[int, int] | None = None
    """In the patch stage: the (height, width) of its output's largest patch region."""


@dataclass(frozen=True)
class Peak:
    """The largest live set over the ops, and where it occurs."""

    bytes: int
    layer: str | None
    """The first op with the largest live set (None when no op runs: then the peak is
    the network's input alone)."""
    dw_inplace: bool
    """Whether depthwise convs run in place in this reckoning."""
    part: str = ""
    """Under the patch schedule: "patch stage" or "rest" (layer by layer); else ""."""
    patch: tuple[int, int] | None = None
    """In the patch stage: the (row, column) of the patch where it occurs."""


@dataclass(frozen=True, eq=False)
class MemoryResult:
    """Activation and weight memory of one architecture at one configuration."""

    model: str
    alpha: Fraction
    resolution: Resolution
    """The input's side, or (height, width)."""
    classes: int
    conventions: Conventions
    """The conventions in force; ``conventions.dtype`` sets the bytes per value."""
    own_rule: WidthRule = field(repr=False)
    """The architecture's own channel rounding rule (``conventions`` may override it)."""
    execution: Execution
    """How the network runs: dtype, what runs in place, the schedule."""
    tensors: tuple[TensorInfo, ...] = field(repr=False)
    """Every tensor of the program, tensor 0 being the network's input."""
    layers: tuple[OpMemory, ...] = field(repr=False)
    peak: Peak
    other: Peak
    """The peak under the other setting of ``dw_inplace``: how much running depthwise
    convs in place changes it (and where the peak moves)."""
    weight_bytes: int
    """Bytes of stored weights (in int8 batch norm is folded into the conv before it)."""
    stage: PatchStage | None = field(default=None, repr=False)
    """Under the patch schedule: the patch stage (its regions and MACs)."""
    parts: tuple[Peak, ...] = ()
    """Under the patch schedule: the patch stage's peak and the rest's."""
    layer_peak: Peak | None = None
    """Under the patch schedule: the peak of the same execution layer by layer."""
    variants: tuple[tuple[str, Peak], ...] = ()
    """Under the patch schedule: the peak with each assumption turned the other way
    (the option that does it, and the peak)."""

    @property
    def dw_inplace(self) -> bool:
        """Whether depthwise convs run in place (only the larger of input and output counts)."""
        return self.execution.dw_inplace

    @property
    def dtype(self) -> str:
        """float32, float16 or int8."""
        return self.conventions.dtype

    @property
    def bytes_per_value(self) -> int:
        """4, 2 or 1."""
        return DTYPE_BYTES[self.conventions.dtype]

    @property
    def peak_activation_bytes(self) -> int:
        """The largest live set over the ops, in bytes."""
        return self.peak.bytes

    @property
    def peak_layer(self) -> str | None:
        """The op where the peak occurs."""
        return self.peak.layer

    def layer(self, name: str) -> OpMemory:
        """The record of the op called ``name`` (KeyError if there is none)."""
        for op in self.layers:
            if op.name == name:
                return op
        raise KeyError(name)

    def held_at(self, peak: Peak) -> tuple[TensorInfo, ...]:
        """The tensors held at ``peak``'s op (the network's input when no op runs); at a
        peak in the patch stage, each tensor's region in that patch (the split's output,
        and the input unless it is streamed, whole)."""
        if peak.layer is None:
            return self.tensors[:1]
        live = self.layer(peak.layer).live
        stage = self.stage
        if stage is None or peak.part != "patch stage" or peak.patch is None:
            return tuple(self.tensors[t] for t in live)
        regions = stage.regions[peak.patch[0] * stage.grid[1] + peak.patch[1]]
        whole = {stage.split_tensor} | (set() if self.execution.stream_input else {0})
        held = []
        for t in dict.fromkeys((*live, *sorted(whole))):
            info = self.tensors[t]
            r = regions.get(t)
            if t in whole or r is None:
                held.append(info)
                continue
            c = info.shape[2]
            held.append(
                TensorInfo(info.name, (r.height, r.width, c), r.area * c * self.bytes_per_value)
            )
        return tuple(held)

    def peak_tensors(self) -> tuple[TensorInfo, ...]:
        """The tensors held at the peak (the network's input when no op runs)."""
        return self.held_at(self.peak)

    def _records(self) -> list[dict[str, Any]]:
        return [
            {
                "name": op.name,
                "kind": op.kind,
                "block": op.block,
                "output": list(op.output),
                "input_bytes": op.input_bytes,
                "output_bytes": op.output_bytes,
                "live_bytes": op.live_bytes,
                "live_tensors": [self.tensors[t].name for t in op.live],
                "in_place": op.in_place,
                "in_place_capable": op.in_place_capable,
                "accumulates": op.accumulates,
                "patch_region": list(op.patch) if op.patch else None,
                "aux": op.aux,
            }
            for op in self.layers
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (bytes as ints) in the documented JSON layout."""
        return {
            "model": self.model,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "classes": self.classes,
            "dtype": self.dtype,
            "bytes_per_value": self.bytes_per_value,
            "dw_inplace": self.dw_inplace,
            "execution": self.execution.as_dict(),
            "peak_activation_bytes": self.peak.bytes,
            "peak_layer": self.peak.layer,
            "peak_part": self.peak.part or None,
            "peak_tensors": [
                {"name": t.name, "shape": list(t.shape), "bytes": t.bytes}
                for t in self.peak_tensors()
            ],
            "weight_bytes": self.weight_bytes,
            "other": {
                "dw_inplace": self.other.dw_inplace,
                "peak_activation_bytes": self.other.bytes,
                "peak_layer": self.other.layer,
            },
            "patch_stage": self._stage_dict(),
            "conventions": self.conventions.as_dict(self.own_rule),
            "layers": self._records(),
        }

    def _stage_dict(self) -> dict[str, Any] | None:
        stage = self.stage
        if stage is None or self.layer_peak is None:
            return None

        def peak(p: Peak) -> dict[str, Any]:
            return {
                "bytes": p.bytes,
                "layer": p.layer,
                "part": p.part,
                "patch": list(p.patch) if p.patch else None,
            }

        return {
            "split": stage.split,
            "patches": list(stage.grid),
            "ops": stage.split_op + 1,
            "parts": [peak(p) for p in self.parts],
            "layer_by_layer_peak_bytes": self.layer_peak.bytes,
            "layer_by_layer_peak_layer": self.layer_peak.layer,
            "stage_mult_adds": stage.stage_macs,
            "patched_mult_adds": stage.patched_macs,
            "extra_mult_adds": stage.extra_macs,
            "network_mult_adds": stage.network_macs,
            "variants": [{"change": what, **peak(p)} for what, p in self.variants],
            "regions": [
                {
                    "tensor": self.tensors[t].name,
                    "patches": [
                        [r.top, r.bottom, r.left, r.right] if (r := rg.get(t)) else None
                        for rg in stage.regions
                    ],
                }
                for t in range(stage.split_tensor + 1)
            ],
        }

    def to_frame(self) -> pandas.DataFrame:
        """The per-op records as a pandas DataFrame (one row per op, bytes as ints)."""
        import pandas as pd  # heavy: only on this path

        rows = self._records()
        for row in rows:
            row["output"] = tuple(row["output"])
            row["live_tensors"] = tuple(row["live_tensors"])
        frame_: pandas.DataFrame = pd.DataFrame(rows)
        return frame_


def _peak(
    live: Sequence[int],
    names: Sequence[str],
    aux: Sequence[int],
    input_bytes: int,
    dw_inplace: bool,
    ops: Sequence[int] | None = None,
    part: str = "",
    patches: Sequence[tuple[int, int] | None] | None = None,
) -> Peak:
    running = [i for i in (range(len(live)) if ops is None else ops) if not aux[i]]
    if not running:
        return Peak(input_bytes, None, dw_inplace, part)
    best = max(running, key=lambda i: (live[i], -i))  # the first op on a tie
    return Peak(live[best], names[best], dw_inplace, part, patches[best] if patches else None)


@dataclass(frozen=True)
class _Reckoning:
    live: tuple[int, ...]
    peak: Peak
    parts: tuple[Peak, ...] = ()
    worst_patch: tuple[tuple[int, int] | None, ...] = ()


def _reckon(g: Geometry, execution: Execution, stage: PatchStage | None) -> _Reckoning:
    """Every op's live bytes and the peak under ``execution``; with a patch stage, the
    stage's ops hold their most over the patches."""
    st, wd = g.static, g.width
    layer = live_bytes(g, execution)
    input_bytes = tensor_bytes(g, execution.bytes_per_value)[0]
    if stage is None:
        return _Reckoning(layer, _peak(layer, st.name, st.aux, input_bytes, execution.dw_inplace))
    per_value = execution.bytes_per_value
    full = tensor_bytes(g, per_value)
    shared = shared_buffers(st, wd, execution)
    whole = {stage.split_tensor} | (set() if execution.stream_input else {0})
    rows, cols = stage.grid
    live = list(layer)
    worst: list[tuple[int, int] | None] = [None] * len(live)
    for i in range(stage.split_op + 1):
        if st.aux[i]:
            continue
        groups = tuple(
            kept for grp in shared[i] if len(kept := tuple(t for t in grp if t not in whole)) > 1
        )
        held = tuple(dict.fromkeys((*st.live[i], *sorted(whole))))
        best, where = -1, None
        for p, regions in enumerate(stage.regions):

            def size(t: int, regions: dict[int, Any] = regions) -> int:
                if t in whole:
                    return full[t]
                r = regions.get(t)
                return 0 if r is None else r.area * wd.channels[t] * per_value

            value = op_live(held, groups, size)
            if value > best:
                best, where = value, (p // cols, p % cols)
        live[i], worst[i] = best, where
    stage_ops = range(stage.split_op + 1)
    rest_ops = range(stage.split_op + 1, len(live))
    dw = execution.dw_inplace
    first = _peak(live, st.name, st.aux, input_bytes, dw, stage_ops, "patch stage", worst)
    rest = _peak(live, st.name, st.aux, input_bytes, dw, rest_ops, "rest")
    if rest.layer is None:
        rest = Peak(first.bytes, None, dw, "rest")  # nothing after the split
    overall = first if first.bytes >= rest.bytes else rest
    return _Reckoning(tuple(live), overall, (first, rest), tuple(worst))


def _variants(
    g: Geometry, execution: Execution, stage: PatchStage, known: dict[Execution, Peak]
) -> tuple[tuple[str, Peak], ...]:
    # How each assumption moves the peak: the same schedule with one switch turned
    # (every switch of SWITCHES; ``known``: peaks already reckoned, by execution).
    out = []
    for switch in SWITCHES:
        on = getattr(execution, switch.field)
        turned = execution.with_(**{switch.field: not on})
        peak = known.get(turned) or _reckon(g, turned, stage).peak
        out.append((f"{'without' if on else 'with'} {switch.option}", peak))
    return tuple(out)


def count_memory(
    arch: Model,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    execution: Execution | None = None,
) -> MemoryResult:
    """Activation memory of ``arch`` op by op, its peak and its weight bytes, at width
    ``alpha`` and input ``resolution``, under ``execution`` (by default layer by layer in
    ``conventions.dtype``, nothing in place; an execution's dtype overrides the
    conventions').

    The arguments are checked as :func:`mncost.cost.result.count` checks them
    (ScalingError, or GeometryError, for a configuration that cannot be counted;
    ExecutionError for a patch schedule that cannot run).
    """
    if execution is None:
        execution = Execution(dtype=conventions.dtype)
    conventions = execution.conventions(conventions)
    result = count(arch, alpha, resolution, classes, conventions)
    g = result.geometry
    st, wd, sp = g.static, g.width, g.spatial
    sizes = tensor_bytes(g, conventions)
    writers = ("input",) + st.name
    tensors = tuple(
        TensorInfo(writers[t], (h, w, c), sizes[t])
        for t, (h, w, c) in enumerate(zip(sp.heights, sp.widths, wd.channels))
    )
    stage = patch_stage(g, execution, result.mult_adds) if execution.patched else None
    chosen = _reckon(g, execution, stage)
    flipped = execution.with_(dw_inplace=not execution.dw_inplace)
    other = _reckon(g, flipped, stage)
    capable = in_place_ops(st, wd)
    accumulating: set[int] = set()
    if execution.add_inplace:
        shared = shared_buffers(st, wd, execution)
        for i, (_skip, _body, writer) in accumulating_adds(st).items():
            if len(shared[i]) > 0:
                accumulating |= {i, writer}
    reads = evaluate("input_bytes", g, conventions)
    writes = evaluate("output_bytes", g, conventions)

    def region(i: int) -> tuple[int, int] | None:
        if stage is None or i > stage.split_op or st.aux[i]:
            return None
        r = stage.largest(st.output[i])
        return None if r is None else (r.height, r.width)

    layers = tuple(
        OpMemory(
            name=st.name[i],
            kind=st.role[i],
            block=st.block[i],
            output=(sp.h_out[i], sp.w_out[i], wd.c_out[i]),
            input_bytes=reads[i],
            output_bytes=writes[i],
            live_bytes=chosen.live[i],
            reads=st.inputs[i],
            writes=st.output[i],
            live=() if st.aux[i] else st.live[i],
            in_place_capable=capable[i],
            in_place=execution.dw_inplace and capable[i],
            aux=bool(st.aux[i]),
            accumulates=i in accumulating,
            patch=region(i),
        )
        for i in range(len(g))
    )
    return MemoryResult(
        model=result.model,
        alpha=result.alpha,
        resolution=result.resolution,
        classes=result.classes,
        conventions=conventions,
        own_rule=result.own_rule,
        execution=execution,
        tensors=tensors,
        layers=layers,
        peak=chosen.peak,
        other=other.peak,
        weight_bytes=sum(evaluate("weight_bytes", g, conventions)),
        stage=stage,
        parts=chosen.parts,
        layer_peak=None if stage is None else _reckon(g, execution.layer_by_layer(), None).peak,
        variants=() if stage is None else _variants(g, execution, stage, {flipped: other.peak}),
    )


def peak_grid(
    static: Static,
    widths: Sequence[WidthPlan],
    spaces: Sequence[SpatialPlan],
    execution: Execution,
    progress: Callable[[int, int], None] | None = None,
) -> numpy.ndarray:
    """The peak activation bytes at every (alpha, resolution) under ``execution`` (layer
    by layer): an array of shape (len(widths), len(spaces)), equal to
    :func:`count_memory`'s peak at each point: int64 where int64 holds every value, else
    Python ints (dtype object), never wrapped. ``progress(done, total)`` is called as ops
    are processed.

    It evaluates the same definition as :func:`live_bytes` (:func:`shared_buffers` and
    :func:`op_live`), vectorised. An op's live bytes are a sum over its live tensors of
    channels(alpha) x height x width(resolution). Tensors of the same spatial size are
    summed as channel vectors first; an op whose live tensors all share one spatial size
    s contributes u(alpha) x s(R), and since sizes are never negative the largest of
    those over many ops is max(u) x s: such ops (most of a CNN) are reduced over the
    alphas alone, and the full grid is formed once per spatial size and once per op that
    spans two sizes (a strided op, a join across a stage). Which tensors share a buffer
    can depend on alpha (a grouped conv that is depthwise at some widths only): the
    alphas are reckoned in groups of equal sharing.
    """
    import numpy as np

    if execution.patched:
        raise ValueError("peak_grid reckons layer-by-layer execution")
    n_alpha, n_res = len(widths), len(spaces)
    channels = np.array([w.channels for w in widths], dtype=np.int64).T  # tensor x alpha
    area = (
        np.array([s.heights for s in spaces], dtype=np.int64)
        * np.array([s.widths for s in spaces], dtype=np.int64)
    ).T  # tensor x res
    # Every live set is a subset of all the tensors: if even all of them at their
    # largest fit int64 (bounded in float64, as mncost.cost.sweep bounds its metrics),
    # no live set can wrap. Else the peak is computed in Python ints (object arrays).
    largest = channels.max(axis=1).astype(np.float64) * area.max(axis=1).astype(np.float64)
    if float(largest.sum()) * execution.bytes_per_value >= _INT64_SAFE:
        channels = channels.astype(object)
    area_rows, area_id = np.unique(area, axis=0, return_inverse=True)
    area_id = area_id.reshape(-1).tolist()
    sharing: dict[tuple[Shared, ...], list[int]] = {}
    for a, w in enumerate(widths):
        sharing.setdefault(shared_buffers(static, w, execution), []).append(a)
    peak = np.zeros((n_alpha, n_res), dtype=channels.dtype)
    n_ops = len(static.name)
    for shared, alphas in sharing.items():
        ch = channels[:, alphas]
        part = _peak_rows(static, shared, ch, area, area_rows, area_id, progress, n_ops)
        peak[alphas, :] = part
    return peak * execution.bytes_per_value


def _peak_rows(
    static: Static,
    shared: tuple[Shared, ...],
    channels: Any,
    area: Any,
    area_rows: Any,
    area_id: list[int],
    progress: Callable[[int, int], None] | None,
    n_ops: int,
) -> Any:
    import numpy as np

    n_alpha, n_res = channels.shape[1], area.shape[1]
    peak = np.zeros((n_alpha, n_res), dtype=channels.dtype)
    single: dict[int, Any] = {}  # area id -> the largest channel sum over one-size ops
    running = False
    for i in range(n_ops):
        if progress is not None:
            progress(i + 1, n_ops)
        if static.aux[i]:
            continue
        running = True
        terms: dict[int, Any] = {}
        for t in static.live[i]:
            a = area_id[t]
            terms[a] = terms[a] + channels[t] if a in terms else channels[t].copy()
        surplus = None  # what groups of tensors of different sizes hold twice
        for group in shared[i]:
            ids = {area_id[t] for t in group}
            if len(ids) == 1:  # one size: the group's largest has the most channels
                members = [channels[t] for t in group]
                top = members[0]
                for m in members[1:]:
                    top = np.maximum(top, m)
                terms[ids.pop()] -= sum(members) - top
            else:
                grids = [np.multiply.outer(channels[t], area[t]) for t in group]
                top = grids[0]
                for m in grids[1:]:
                    top = np.maximum(top, m)
                extra = sum(grids) - top
                surplus = extra if surplus is None else surplus + extra
        if len(terms) == 1 and surplus is None:
            ((a, u),) = terms.items()
            single[a] = np.maximum(single[a], u) if a in single else u
            continue
        total = sum(np.multiply.outer(u, area_rows[a]) for a, u in terms.items())
        if surplus is not None:
            total = total - surplus
        np.maximum(peak, total, out=peak)
    for a, u in single.items():
        np.maximum(peak, np.multiply.outer(u, area_rows[a]), out=peak)
    if not running:  # nothing runs: the input is all there is
        peak = np.multiply.outer(channels[0], area[0])
    return peak


@dataclass(frozen=True)
class PatchTrial:
    """One patch schedule tried: its split and grid, the peaks, the recomputation."""

    split: str
    """The op that ends the patch stage (a block's last op)."""
    block: str
    """That op's block (its name when it is in none): what --split takes."""
    grid: tuple[int, int]
    peak: Peak
    stage_peak: Peak
    rest_peak: Peak
    stage_macs: int
    extra_macs: int
    network_macs: int

    @property
    def overhead(self) -> Fraction:
        """The extra MACs as a share of the network's (0 to 1 and beyond)."""
        return Fraction(self.extra_macs, self.network_macs or 1)


@dataclass(frozen=True)
class PatchTrials:
    """Every patch schedule tried on one configuration, and what layer by layer needs."""

    layer_peak: Peak
    trials: tuple[PatchTrial, ...]
    skipped: tuple[tuple[str, str], ...]
    """Split points that cannot run patch by patch, with the reason (one line each)."""


def _trial(
    g: Geometry, end: int, grid: tuple[int, int], stage: PatchStage, chosen: _Reckoning
) -> PatchTrial:
    first, rest = chosen.parts
    return PatchTrial(
        split=g.static.name[end],
        block=g.static.block[end] or g.static.name[end],
        grid=grid,
        peak=chosen.peak,
        stage_peak=first,
        rest_peak=rest,
        stage_macs=stage.stage_macs,
        extra_macs=stage.extra_macs,
        network_macs=stage.network_macs,
    )


def split_candidates(geometry: Geometry) -> tuple[str, ...]:
    """The ends of the blocks (an op outside any block is its own), in order: where a
    patch stage can end."""
    st = geometry.static
    ends: dict[str, str] = {}
    for i, name in enumerate(st.name):
        if st.aux[i]:
            continue
        ends[st.block[i] or name] = name
    return tuple(ends)


def patch_trials(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    splits: Sequence[str] | None = None,
    grids: Sequence[tuple[int, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    stream_input: bool | None = None,
) -> PatchTrials:
    """The peak and extra MACs of every patch schedule of ``splits`` x ``grids`` (None:
    every block's end; square grids 2x2 to 8x8), with ``execution``'s other choices
    (dtype, what runs in place; the input streamed as ``stream_input`` says, by default
    as ``execution`` says).

    A named split that cannot run patch by patch is an ExecutionError; with every
    split tried (None), such splits are skipped and listed with their reasons, and so
    are grids larger than a split's output.
    """
    from mncost.cost.patch import split_index

    base = execution.layer_by_layer()
    conventions = base.conventions(conventions)
    result = count(arch, alpha, resolution, classes, conventions)
    g = result.geometry
    names = split_candidates(g) if splits is None else tuple(splits)
    for name in names if splits is not None else ():
        split_index(g, name)  # a bad name fails now, before the search
    square = [(n, n) for n in range(2, 9)]
    layer_peak = _reckon(g, base, None).peak
    trials: list[PatchTrial] = []
    skipped: list[tuple[str, str]] = []
    total = len(names) * len(grids or square)
    done = 0
    for name in names:
        end = split_index(g, name)
        t = g.static.output[end]
        side = (g.spatial.heights[t], g.spatial.widths[t])
        fits = [grid for grid in grids or square if grid[0] <= side[0] and grid[1] <= side[1]]
        if splits is None and not fits:
            skipped.append((name, f"its output is {side[0]}x{side[1]}, smaller than every grid"))
        for grid in grids or square:
            done += 1
            if progress is not None:
                progress(done, total)
            if splits is None and grid not in fits:
                continue
            run = base.with_(
                schedule="patch",
                split=name,
                patches=grid,
                stream_input=execution.stream_input if stream_input is None else stream_input,
            )
            try:
                stage = patch_stage(g, run, result.mult_adds)
            except ExecutionError as exc:
                if splits is not None:
                    raise
                if not any(n == name for n, _ in skipped):
                    skipped.append((name, str(exc)))
                break
            trials.append(_trial(g, end, grid, stage, _reckon(g, run, stage)))
    return PatchTrials(layer_peak, tuple(trials), tuple(skipped))


def fitting_schedule(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    budget: int,
    splits: Sequence[str] | None = None,
    grids: Sequence[tuple[int, int]] | None = None,
    *,
    stream_input: bool = False,
) -> PatchTrial | None:
    """The patch schedule with the fewest extra MACs whose peak is at most ``budget``
    bytes (on a tie the lower peak, then the fewer patches, then the earlier split), or
    None when none fits; ``splits`` and ``grids`` as :func:`patch_trials` takes them.

    Splits are pruned before any patch is traced: after the split the network runs
    layer by layer, so a split whose rest (or whose output buffer alone) exceeds the
    budget cannot fit with any grid.
    """
    from mncost.cost.patch import split_index

    base = execution.layer_by_layer()
    conventions = base.conventions(conventions)
    result = count(arch, alpha, resolution, classes, conventions)
    g = result.geometry
    st = g.static
    layer = live_bytes(g, base)
    sizes = tensor_bytes(g, base.bytes_per_value)
    names = split_candidates(g) if splits is None else tuple(splits)
    square = [(n, n) for n in range(2, 9)]
    best: PatchTrial | None = None
    for name in names:
        end = split_index(g, name)
        t = st.output[end]
        rest = [layer[i] for i in range(end + 1, len(layer)) if not st.aux[i]]
        if sizes[t] > budget or (rest and max(rest) > budget):
            continue
        side = (g.spatial.heights[t], g.spatial.widths[t])
        for grid in grids or square:
            if grid[0] > side[0] or grid[1] > side[1]:
                continue
            run = base.with_(schedule="patch", split=name, patches=grid, stream_input=stream_input)
            try:
                stage = patch_stage(g, run, result.mult_adds)
            except ExecutionError:
                if splits is not None:
                    raise
                break
            if best is not None and stage.extra_macs > best.extra_macs:
                continue
            chosen = _reckon(g, run, stage)
            if chosen.peak.bytes > budget:
                continue
            trial = _trial(g, end, grid, stage, chosen)
            key = (trial.extra_macs, trial.peak.bytes, grid[0] * grid[1])
            if best is None or key < (
                best.extra_macs,
                best.peak.bytes,
                best.grid[0] * best.grid[1],
            ):
                best = trial
    return best
