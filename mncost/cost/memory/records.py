"""The records of one configuration's activation memory: every tensor
(:class:`TensorInfo`), every op (:class:`OpMemory`), a peak and where it occurs
(:class:`Peak`), and the whole result (:class:`MemoryResult`), with what is held at a
peak and the documented JSON layout and DataFrame of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.arch.width import WidthRule
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.execution import Execution
from mncost.cost.patch import PatchStage
from mncost.cost.scaling import Resolution

if TYPE_CHECKING:
    import pandas

Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""


@dataclass(slots=True, unsafe_hash=True)
class TensorInfo:
    """One tensor of the program: who writes it, its shape and its bytes.

    Treated as immutable, but not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, eight times the cost of these slots, and a 100,000-op spec
    has 100,000 records.
    """

    name: str
    """"input" for the network's input, else the name of the op that writes it."""
    shape: Shape
    bytes: int


@dataclass(slots=True, unsafe_hash=True)
class OpMemory:
    """One op's activation memory.

    Treated as immutable, but not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, eight times the cost of these slots, and a 100,000-op spec
    has 100,000 records.
    """

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


class _PeakFigures:
    """What a result that holds a peak tells of it."""

    peak: Peak

    @property
    def peak_activation_bytes(self) -> int:
        """The largest live set over the ops, in bytes."""
        return self.peak.bytes

    @property
    def peak_layer(self) -> str | None:
        """The op where the peak occurs."""
        return self.peak.layer


@dataclass(frozen=True)
class MemoryPeak(_PeakFigures):
    """The peak activations and the weight bytes of one configuration under one
    execution, without the per-op records (:func:`~mncost.cost.memory.memory_peak`):
    what a summary needs of a setting it does not chart."""

    execution: Execution
    peak: Peak
    weight_bytes: int


@dataclass(frozen=True, eq=False)
class MemoryResult(_PeakFigures):
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
