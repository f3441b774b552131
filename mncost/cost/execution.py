"""How a network is executed: one object for every choice that moves the memory it needs.

An :class:`Execution` is what the memory reckoning (:mod:`mncost.cost.memory`), the
sweep's peak and every command that counts bytes take, instead of loose flags:

- ``dtype``: float32, float16 or int8 (4, 2 or 1 byte per value);
- ``dw_inplace``: a depthwise conv's output overwrites its input (MCU runtimes such as
  MCUNet's TinyEngine run them so), when nothing later reads that input;
- ``add_inplace``: a residual add accumulates into its skip buffer: the op that writes
  the add's other input writes it straight into the skip's buffer, and the sum takes
  that buffer over (possible when nothing else reads either input afterwards);
- ``schedule``: ``layer`` (one op at a time over whole feature maps) or ``patch``
  (MCUNetV2, Lin et al. 2021, arXiv:2110.15352: the ops up to ``split`` run patch by
  patch on a ``patches`` grid of the split's output, recomputing the overlapping halos,
  into one whole buffer for that output; the rest runs layer by layer);
- ``stream_input``: under the patch schedule, each patch reads only its own region of
  the input image (decoded or received per patch) instead of the whole image being held.

Adding an on/off execution feature means a field here and its entry in
:data:`SWITCHES` (the command line's option, its help and its parsing follow from it),
and its effect in :mod:`mncost.cost.memory`
(:func:`~mncost.cost.memory.buffers.shared_buffers` for what shares memory,
:mod:`mncost.cost.patch` for the patch stage). The Python API's
functions name each switch as a keyword of their own, so they gain one too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from mncost.cost.conventions import DTYPE_BYTES, Conventions, DType
from mncost.cost.scaling import ScalingError

__all__ = ["SCHEDULES", "SWITCHES", "Execution", "ExecutionError", "Switch"]

Schedule = Literal["layer", "patch"]
SCHEDULES: tuple[str, ...] = ("layer", "patch")

MAX_PATCHES = 64
"""The most patches along one side (MCUNetV2 uses 2x2 to 4x4 grids; 64x64 is far past
any useful grid and keeps the per-patch tracing bounded)."""


@dataclass(frozen=True)
class Switch:
    """An on/off choice of :class:`Execution`, as the command line offers it."""

    field: str
    """The Execution field (and the Python keyword)."""
    help: str
    patch_only: bool = False
    """Whether it means anything only under the patch schedule."""

    @property
    def option(self) -> str:
        """The command line's flag: --dw-inplace."""
        return "--" + self.field.replace("_", "-")


SWITCHES: tuple[Switch, ...] = (
    Switch(
        "dw_inplace",
        "Run depthwise convs in place, as MCU runtimes do: of a depthwise conv's input "
        "and output only the larger counts toward the peak.",
    ),
    Switch(
        "add_inplace",
        "A residual add accumulates into its skip buffer: the op before it writes "
        "straight into the skip's buffer (as MCU runtimes can).",
    ),
    Switch(
        "stream_input",
        "Patch schedule: each patch reads only its own region of the input image "
        "(decoded or received per patch); without it the whole image is held through "
        "the patch stage.",
        patch_only=True,
    ),
)
"""Every on/off choice, in the order the command line lists them."""


class ExecutionError(ScalingError):
    """An execution that cannot be applied (a patch schedule without a split, a split
    that does not cut the network, more patches than the split's output has pixels)."""


@dataclass(frozen=True)
class Execution:
    """One way of running a network, as far as its memory is concerned."""

    dtype: DType = "float32"
    dw_inplace: bool = False
    add_inplace: bool = False
    schedule: Schedule = "layer"
    split: str | None = None
    """Under the patch schedule: the op (or block, meaning its last op) whose output ends
    the patch stage."""
    patches: tuple[int, int] | None = None
    """Under the patch schedule: the (rows, columns) grid the split's output is cut into."""
    stream_input: bool = False

    def __post_init__(self) -> None:
        if self.dtype not in DTYPE_BYTES:
            raise ExecutionError(
                f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {self.dtype!r}"
            )
        if self.schedule not in SCHEDULES:
            raise ExecutionError(
                f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}"
            )
        if self.schedule == "patch":
            if not self.split:
                raise ExecutionError("the patch schedule needs a split point (--split NAME)")
            if self.patches is None:
                raise ExecutionError("the patch schedule needs a patch grid (--patches 4x4)")
            for n in self.patches:
                if not 1 <= n <= MAX_PATCHES:
                    raise ExecutionError(
                        f"patches must be 1 to {MAX_PATCHES} per side, got "
                        f"{self.patches[0]}x{self.patches[1]}"
                    )
        elif self.split is not None or self.patches is not None or self.stream_input:
            raise ExecutionError(
                "a split, a patch grid and a streamed input need the patch schedule "
                "(--schedule patch)"
            )

    @property
    def bytes_per_value(self) -> int:
        """4, 2 or 1."""
        return DTYPE_BYTES[self.dtype]

    @property
    def patched(self) -> bool:
        """Whether the schedule is patch-based."""
        return self.schedule == "patch"

    def conventions(self, base: Conventions) -> Conventions:
        """``base`` with this execution's dtype (the counting conventions carry the bytes
        per value that weight bytes also use)."""
        return base if base.dtype == self.dtype else replace(base, dtype=self.dtype)

    def with_(self, **changes: Any) -> Execution:
        """A copy with ``changes`` (checked as a new execution is)."""
        return replace(self, **changes)

    def layer_by_layer(self) -> Execution:
        """The same choices under the layer-by-layer schedule."""
        return replace(self, schedule="layer", split=None, patches=None, stream_input=False)

    def describe(self) -> str:
        """The execution in words, for a report's notes and a figure's caption."""
        parts = [
            self.dtype,
            "depthwise convs in place" if self.dw_inplace else "depthwise convs not in place",
        ]
        if self.add_inplace:
            parts.append("residual adds in place")
        if self.patched:
            assert self.patches is not None
            parts.append(
                f"patch-based up to {self.split} ({self.patches[0]}x{self.patches[1]} "
                f"patches, input {'streamed' if self.stream_input else 'held whole'})"
            )
        else:
            parts.append("layer by layer")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, as JSON output documents it."""
        return {
            "dtype": self.dtype,
            "bytes_per_value": self.bytes_per_value,
            "dw_inplace": self.dw_inplace,
            "add_inplace": self.add_inplace,
            "schedule": self.schedule,
            "split": self.split,
            "patches": list(self.patches) if self.patches else None,
            "stream_input": self.stream_input,
        }
