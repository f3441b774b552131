"""An architecture spec built as a PyTorch network, and measured by PyTorch.

This is the independent side of ``mncost verify``. It shares two things with mncost's
counter: the spec itself, and the width rules (:class:`mncost.arch.width.WidthRule` and
:func:`~mncost.arch.width.expand_input`, which say how many channels a layer has at width
alpha: a convention to check against, not a quantity to re-derive). Everything else comes
from PyTorch: every module is sized from the tensor the modules before it produced,
mult-adds come from ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs = 2 x MACs),
parameters from the modules' own tensors, and output shapes from the forward pass.

Each primitive op of the spec is one module, named as mncost names it (``block_3.dw``),
so the two sides pair op by op. Composites are built from PyTorch's own operations:
a residual is ``a + b``, branches are joined by ``torch.cat``, squeeze-and-excite scales
by a broadcast ``x * gate``, and a ``scale`` layer is a module with a Parameter of shape
(C,) that computes ``weight.view(1, -1, 1, 1) * x``. The forward pass runs on the
``meta`` device: tensors carry shapes but no data, so no weights are allocated.

PyTorch is an optional extra, imported only inside these functions.

The modules: :mod:`~mncost.analysis.verify.torch_setup` (PyTorch or its install line,
:class:`BuildOptions`, the errors), :mod:`~mncost.analysis.verify.torch_modules` (the
activations, padding and joins as ``torch.nn`` modules),
:mod:`~mncost.analysis.verify.torch_build` (the spec as modules, op by op: :func:`build`)
and this one, which runs the network under PyTorch's FLOP counter and reads each op's
FLOPs, parameters and output shape (:func:`measure`). It re-exports the others' public
names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from mncost.analysis.verify.torch_build import Built, build
from mncost.analysis.verify.torch_setup import (
    INSTALL_COMMAND,
    INSTALL_HINT,
    BuildOptions,
    TorchFailed,
    TorchMissing,
    UnsupportedLayer,
    require_torch,
    torch_version,
)
from mncost.arch import ops as spec
from mncost.cost.scaling import Resolution, resolution_hw

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = [
    "INSTALL_COMMAND",
    "INSTALL_HINT",
    "BuildOptions",
    "TorchFailed",
    "TorchLayer",
    "TorchMissing",
    "UnsupportedLayer",
    "build",
    "measure",
    "require_torch",
    "torch_version",
]

Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""


@dataclass(frozen=True)
class TorchLayer:
    """What PyTorch measured for one op of the spec."""

    name: str
    kind: str
    flops: int
    """FLOPs counted by FlopCounterMode in this op's module (2 per multiply-accumulate)."""
    params: dict[str, int]
    """Element counts by role: "weights" (conv/linear weights and biases), "bn_affine"
    (batch-norm weight and bias) and "bn_stats" (running mean and variance)."""
    output: Shape
    """The output tensor's (height, width, channels), batch dimension dropped."""


def _network(built: Built) -> nn.Module:
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # Child names are indices: spec names may hold dots or clash with attributes.
            self.ops = nn.ModuleList(built.modules)
            self.wiring = list(built.wiring)
            self.aux = list(built.aux)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            # In eval mode an auxiliary head does not run (torchvision's Inception skips
            # AuxLogits unless training); the main path never reads its outputs.
            tensors: list[Any] = [x]
            for module, inputs, aux in zip(self.ops, self.wiring, self.aux):
                tensors.append(None if aux else module(*(tensors[i] for i in inputs)))
            last: torch.Tensor = next(t for t in reversed(tensors) if t is not None)
            return last

    return Net().eval()


def _param_counts(module: nn.Module) -> dict[str, int]:
    from torch import nn

    counts = {"weights": 0, "bn_affine": 0, "bn_stats": 0}
    for sub in module.modules():
        if isinstance(sub, nn.BatchNorm2d):
            counts["bn_affine"] += sum(p.numel() for p in sub.parameters(recurse=False))
            # num_batches_tracked is a step counter for the running averages, not a
            # per-channel statistic: it is never counted.
            counts["bn_stats"] += sum(
                b.numel()
                for name, b in sub.named_buffers(recurse=False)
                if name in ("running_mean", "running_var")
            )
        else:
            counts["weights"] += sum(p.numel() for p in sub.parameters(recurse=False))
    return counts


def measure(
    arch: spec.Architecture, resolution: Resolution, opts: BuildOptions
) -> tuple[list[TorchLayer], int]:
    """Build ``arch`` in PyTorch, run one image through it and measure every op.

    Returns the per-op measurements and the FLOPs PyTorch counted outside every op's
    module (0 unless the network does work between ops).
    """
    torch = require_torch()
    from torch.utils.flop_counter import FlopCounterMode

    built = build(arch, resolution, opts)
    net = _network(built)
    x = torch.empty(1, arch.input_channels, *resolution_hw(resolution), device=opts.device)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        net(x)
    # Output shapes: the tensors each module produced when the network was built, one
    # module at a time on PyTorch's own forward pass (an auxiliary head's included).
    outputs = [tuple(t.shape) for t in built.tensors[1:]]

    # FlopCounterMode keys modules by their path from the root, named by its class.
    by_module = counter.get_flop_counts()
    root = type(net).__name__
    measured: list[TorchLayer] = []
    # nn.Module's attribute lookup is typed Tensor | Module; ``ops`` is the ModuleList.
    children = list(cast("nn.ModuleList", net.ops))
    for i, (name, kind, child, out) in enumerate(zip(built.names, built.kinds, children, outputs)):
        flops = int(sum(by_module.get(f"{root}.ops.{i}", {}).values()))
        measured.append(
            TorchLayer(
                name=name,
                kind=kind,
                flops=flops,
                params=_param_counts(child),
                output=(out[2], out[3], out[1]),
            )
        )
    outside = int(counter.get_total_flops()) - sum(m.flops for m in measured)
    return measured, outside
