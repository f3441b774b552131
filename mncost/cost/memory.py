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
from mncost.cost.geometry import Geometry, SpatialPlan, Static, WidthPlan
from mncost.cost.metrics import evaluate
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
    "count_memory",
    "in_place_ops",
    "live_bytes",
    "peak_grid",
    "tensor_bytes",
]

PEAK_ACTIVATION = "peak_activation_bytes"
"""The sweep's name for the peak (not a per-op metric: it needs the dataflow)."""

_INT64_SAFE = 2**62  # as mncost.cost.sweep.INT64_SAFE (which imports this module)

Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""


def tensor_bytes(geometry: Geometry, conventions: Conventions) -> tuple[int, ...]:
    """Bytes of every tensor of the program (tensor 0 is the input image)."""
    size = DTYPE_BYTES[conventions.dtype]
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


def _is_depthwise(role: str, kind: str, groups: Any, c_in: Any) -> Any:
    # A depthwise conv: the spec's dw, or any conv with one group per input channel.
    # Written with | and & so that groups and c_in may be numpy vectors over the alphas.
    return (role == "dw") | ((kind == "conv") & (groups == c_in) & (groups > 1))


def in_place_ops(static: Static, width: WidthPlan) -> tuple[bool, ...]:
    """Per op: whether it is a depthwise conv that can run in place (under
    ``dw_inplace``): one that runs at inference and whose input nothing after it reads."""
    later = _read_later(static)
    return tuple(
        not static.aux[i]
        and not later[i]
        and bool(_is_depthwise(static.role[i], static.kind[i], width.groups[i], width.c_in[i]))
        for i in range(len(static.name))
    )


def live_bytes(
    geometry: Geometry, conventions: Conventions, dw_inplace: bool = False
) -> tuple[int, ...]:
    """Bytes held while each op runs: the sum of its live tensors (0 for an op of an
    auxiliary head); with ``dw_inplace``, a depthwise conv that runs in place holds only
    the larger of its input and output."""
    sizes = tensor_bytes(geometry, conventions)
    st = geometry.static
    in_place = in_place_ops(st, geometry.width) if dw_inplace else (False,) * len(geometry)
    out = []
    for i, live in enumerate(st.live):
        if st.aux[i]:
            out.append(0)
            continue
        total = sum(sizes[t] for t in live)
        if in_place[i]:
            total -= min(sizes[st.inputs[i][0]], sizes[st.output[i]])
        out.append(total)
    return tuple(out)


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
    """Bytes of the tensors the op reads (both inputs of an add, every branch of a
    concatenation; 0 for an auxiliary head)."""
    output_bytes: int
    """Bytes of the tensor the op writes (0 for an auxiliary head)."""
    live_bytes: int
    """Bytes held while the op runs: its live tensors (less the smaller of input and
    output when it runs in place)."""
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


@dataclass(frozen=True)
class Peak:
    """The largest live set over the ops, and where it occurs."""

    bytes: int
    layer: str | None
    """The first op with the largest live set (None when no op runs: then the peak is
    the network's input alone)."""
    dw_inplace: bool
    """Whether depthwise convs run in place in this reckoning."""


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
    dw_inplace: bool
    """Whether depthwise convs run in place (only the larger of input and output counts)."""
    tensors: tuple[TensorInfo, ...] = field(repr=False)
    """Every tensor of the program, tensor 0 being the network's input."""
    layers: tuple[OpMemory, ...] = field(repr=False)
    peak: Peak
    other: Peak
    """The peak under the other setting of ``dw_inplace``: how much running depthwise
    convs in place changes it (and where the peak moves)."""
    weight_bytes: int
    """Bytes of stored weights (in int8 batch norm is folded into the conv before it)."""

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
        """The tensors held at ``peak``'s op (the network's input when no op runs)."""
        if peak.layer is None:
            return self.tensors[:1]
        return tuple(self.tensors[t] for t in self.layer(peak.layer).live)

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
            "peak_activation_bytes": self.peak.bytes,
            "peak_layer": self.peak.layer,
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
            "conventions": self.conventions.as_dict(self.own_rule),
            "layers": self._records(),
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
) -> Peak:
    running = [i for i in range(len(live)) if not aux[i]]
    if not running:
        return Peak(input_bytes, None, dw_inplace)
    best = max(running, key=lambda i: (live[i], -i))  # the first op on a tie
    return Peak(live[best], names[best], dw_inplace)


def count_memory(
    arch: Model,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    dw_inplace: bool = False,
) -> MemoryResult:
    """Activation memory of ``arch`` op by op, its peak and its weight bytes, at width
    ``alpha`` and input ``resolution``, in ``conventions.dtype``.

    The arguments are checked as :func:`mncost.cost.result.count` checks them
    (ScalingError, or GeometryError, for a configuration that cannot be counted).
    """
    result = count(arch, alpha, resolution, classes, conventions)
    g = result.geometry
    st, wd, sp = g.static, g.width, g.spatial
    sizes = tensor_bytes(g, conventions)
    writers = ("input",) + st.name
    tensors = tuple(
        TensorInfo(writers[t], (h, w, c), sizes[t])
        for t, (h, w, c) in enumerate(zip(sp.heights, sp.widths, wd.channels))
    )
    chosen = live_bytes(g, conventions, dw_inplace)
    other = live_bytes(g, conventions, not dw_inplace)
    capable = in_place_ops(st, wd)
    reads = evaluate("input_bytes", g, conventions)
    writes = evaluate("output_bytes", g, conventions)
    layers = tuple(
        OpMemory(
            name=st.name[i],
            kind=st.role[i],
            block=st.block[i],
            output=(sp.h_out[i], sp.w_out[i], wd.c_out[i]),
            input_bytes=reads[i],
            output_bytes=writes[i],
            live_bytes=chosen[i],
            reads=st.inputs[i],
            writes=st.output[i],
            live=() if st.aux[i] else st.live[i],
            in_place_capable=capable[i],
            in_place=dw_inplace and capable[i],
            aux=bool(st.aux[i]),
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
        dw_inplace=dw_inplace,
        tensors=tensors,
        layers=layers,
        peak=_peak(chosen, st.name, st.aux, sizes[0], dw_inplace),
        other=_peak(other, st.name, st.aux, sizes[0], not dw_inplace),
        weight_bytes=sum(evaluate("weight_bytes", g, conventions)),
    )


def peak_grid(
    static: Static,
    widths: Sequence[WidthPlan],
    spaces: Sequence[SpatialPlan],
    conventions: Conventions,
    dw_inplace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> numpy.ndarray:
    """The peak activation bytes at every (alpha, resolution): an array of shape
    (len(widths), len(spaces)), equal to :func:`count_memory`'s peak at each point: int64
    where int64 holds every value, else Python ints (dtype object), never wrapped.
    ``progress(done, total)`` is called as ops are processed.

    An op's live bytes are a sum over its live tensors of channels(alpha) x
    height x width(resolution). Tensors of the same spatial size are summed as channel
    vectors first; an op whose live tensors all share one spatial size s contributes
    u(alpha) x s(R), and since sizes are never negative the largest of those over many
    ops is max(u) x s: such ops (most of a CNN) are reduced over the alphas alone, and
    the full grid is formed once per spatial size and once per op that spans two sizes
    (a strided op, a join across a stage).
    """
    import numpy as np

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
    if float(largest.sum()) * DTYPE_BYTES[conventions.dtype] >= _INT64_SAFE:
        channels = channels.astype(object)
    area_rows, area_id = np.unique(area, axis=0, return_inverse=True)
    area_id = area_id.reshape(-1).tolist()
    n_ops = len(static.name)
    if dw_inplace:
        later = _read_later(static)
        groups = np.array([w.groups for w in widths], dtype=np.int64).T  # op x alpha
        c_in = np.array([w.c_in for w in widths], dtype=np.int64).T
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
        saving = None
        if dw_inplace and not later[i]:
            mask = _is_depthwise(static.role[i], static.kind[i], groups[i], c_in[i])
            mask = np.broadcast_to(np.asarray(mask, dtype=bool), (n_alpha,))
            if mask.any():
                x, y = static.inputs[i][0], static.output[i]
                if area_id[x] == area_id[y]:  # same size: the smaller has fewer channels
                    terms[area_id[x]] -= mask * np.minimum(channels[x], channels[y])
                else:
                    saving = np.minimum(
                        np.multiply.outer(channels[x], area[x]),
                        np.multiply.outer(channels[y], area[y]),
                    )
                    if not mask.all():
                        saving *= mask[:, None]
        if len(terms) == 1 and saving is None:
            ((a, u),) = terms.items()
            single[a] = np.maximum(single[a], u) if a in single else u
            continue
        total = sum(np.multiply.outer(u, area_rows[a]) for a, u in terms.items())
        if saving is not None:
            total = total - saving
        np.maximum(peak, total, out=peak)
    for a, u in single.items():
        np.maximum(peak, np.multiply.outer(u, area_rows[a]), out=peak)
    if not running:  # nothing runs: the input is all there is
        peak = np.multiply.outer(channels[0], area[0])
    return peak * DTYPE_BYTES[conventions.dtype]
