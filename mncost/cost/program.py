"""A lowered program as data: its primitive ops in execution order, and the tensors they
read and write.

An :class:`Op` is one primitive op (a conv, a pool, an add, ...): its name and the block
it belongs to, the tensors it reads and the one it writes (by id; tensor 0 is the
network's input), and its shape rules; its :data:`Width` says how its output channels
follow from its inputs and alpha. A :class:`Program` is the ops of one architecture and
classifier choice, with each tensor's channels at alpha 1 and the heads' outputs.
:mod:`mncost.cost.graph` lowers a spec to a program, an ONNX graph is read as one
(:mod:`mncost.cost.onnx_import`), and :mod:`mncost.cost.geometry` evaluates it at a
configuration.

Cut from :mod:`mncost.cost.graph`, which re-exports :class:`Op` and :class:`Program`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Op", "Program", "Width"]

Width = tuple[Any, ...]
"""How an op's output channels follow from its inputs and alpha:
("filters", n, scale) n filters at alpha 1; ("input",) the input's channels;
("times", m) the input's times m; ("tensor", t) tensor t's channels;
("squeeze", reduction, divisor) make_divisible(input // reduction, divisor);
("ratio", expanded, input_at_1) the input's times expanded / input_at_1, made divisible
by 8 (:func:`mncost.arch.width.expand_input`);
("classes",) the classifier width, ("classes", k) k times it (a detector's scores for k
anchors); ("sum",) the sum of the inputs' channels."""


@dataclass(slots=True, eq=False)
class Op:
    """One primitive op of the program: what it is, where it reads and writes, its shape rules.

    Treated as immutable once lowered (programs are cached and shared), but not frozen:
    a frozen dataclass sets each of its 20 fields through ``object.__setattr__``, which
    made building the ops the largest cost of lowering a 100,000-layer spec.
    """

    name: str
    """Unique: "conv_0", or "block_3.expand" for a part of a composite."""
    kind: str
    """conv, pool, fc, add, concat, scale, softmax, map or resize: what the engine
    computes. ``map`` is an element-wise op on one tensor that nothing fuses into the op
    before it (a batch norm or an activation of an imported graph whose input another op
    also reads; a learned per-channel scale): 0 MACs, its output the input's shape.
    ``resize`` scales the map (an
    imported Resize or Upsample): 0 MACs, as PyTorch's FlopCounterMode counts
    interpolation."""
    role: str
    """What the spec calls it: conv, dw, pw, expand, project, se_reduce, se_expand,
    avgpool, maxpool, fc, add, concat, scale (squeeze-and-excite's rescale by a gate, or
    a ``mul`` join), softmax, bn, act, resize, and channel_scale (a ``scale`` layer: a
    learned weight per channel, the one ``map`` op with parameters)."""
    block: str
    """The composite it belongs to ("" at the top level)."""
    inputs: tuple[int, ...]
    output: int
    width: Width = ("input",)
    groups: Any = 1
    """1, a group count, or "depthwise" (one group per input channel)."""
    kernel: tuple[int, int] | None = None
    """None for fc (the whole input) and global or adaptive pooling."""
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    padding: Any = "same"
    """"same", "valid", (top/bottom, left/right) pixels, (top, left, bottom, right)
    pixels (an imported graph's asymmetric pads), or "legacy" (the v1 pool rule)."""
    ceil_mode: bool = False
    pool: str = ""
    """For pools: "window", "global", "adaptive" or "legacy" (window = stride, ceil)."""
    pool_output: tuple[int, int] | None = None
    scale_factor: tuple[Any, Any] | None = None
    """For resize: the (height, width) scale, exact (Fractions); the output side is
    floor(input * scale). A fixed output size is ``pool_output`` instead."""
    size_of: int | None = None
    """For resize: the tensor whose height and width the output takes (read for its
    size only)."""
    mode: str = "nearest"
    """For resize: nearest or bilinear."""
    batch_norm: bool = False
    bias: bool = False
    act: str = "none"
    aux: bool = False
    """Part of an auxiliary (training-only) head: it never runs at inference."""


@dataclass(eq=False)
class Program:
    """An architecture lowered to ops; built once per architecture and classifier choice."""

    name: str
    input_channels: int
    classes: int
    ops: list[Op] = field(default_factory=list)
    tensors: int = 1
    """How many tensors there are (tensor 0 is the input)."""
    raw_channels: list[int] = field(default_factory=list)
    """Each tensor's channels at alpha 1 without rounding (decides the structure)."""
    alpha_blocked: str = ""
    """Why the program cannot be counted at an alpha other than 1 ("" when it can): an
    imported graph whose channel slices are fixed numbers."""
    outputs: list[int] = field(default_factory=list)
    """The heads' outputs that no op reads (tensor ids), each held until the network
    ends; the main path's last tensor is an output too and is not listed."""

    def tensor(self) -> int:
        self.tensors += 1
        return self.tensors - 1
