"""An :class:`~mncost.spec.layers.Architecture` built as a PyTorch module, and measured by PyTorch.

This is the independent side of ``mncost verify``. The only inputs it shares with
mncost's counter are the spec itself and the channel-scaling rule
(:func:`mncost.cost.scaling.scale_channels`, which says how many channels a layer has
at width alpha). Everything else comes from PyTorch: every layer's input channels and
feature-map size are read off the tensor the previous layer produced, mult-adds come from
``torch.utils.flop_counter.FlopCounterMode`` (FLOPs = 2 x MACs), parameters from the
modules' own tensors, and output shapes from the forward pass.

The forward pass runs on PyTorch's ``meta`` device: tensors carry shapes but no data, so
even MobileNet-224 is measured in a fraction of a second without allocating weights.

PyTorch is an optional extra, imported only inside these functions, never when the
package is imported.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable

from mncost.cost.scaling import Rounding, scale_channels
from mncost.spec.layers import (
    Architecture,
    AvgPool,
    Conv,
    DepthwiseConv,
    FullyConnected,
    LayerBase,
    PointwiseConv,
    Softmax,
)

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
    "build_layers",
    "measure",
    "require_torch",
    "torch_version",
]

INSTALL_COMMAND = "pip install 'mncost[torch]' (on this machine: pip install torch==2.13.0)"
"""How to install the optional PyTorch extra (the CPU build; never a bare ``torch``)."""
INSTALL_HINT = f"mncost verify needs PyTorch: {INSTALL_COMMAND}"
"""What :class:`TorchMissing` says."""

Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""


class TorchMissing(RuntimeError):
    """PyTorch is not installed; the message says how to install it."""


class UnsupportedLayer(ValueError):
    """A layer kind that has no PyTorch builder here yet."""


class TorchFailed(RuntimeError):
    """PyTorch refused to run a layer of the spec (so it cannot agree with mncost)."""


def require_torch() -> Any:
    """The ``torch`` module, or :class:`TorchMissing` with the install line."""
    try:
        import torch
    except ImportError:
        raise TorchMissing(INSTALL_HINT) from None
    return torch


def torch_version() -> str:
    """The installed PyTorch's version string."""
    return str(require_torch().__version__)


@dataclass(frozen=True)
class BuildOptions:
    """What, besides the spec, decides the PyTorch network's shape."""

    alpha: Fraction
    classes: int
    """Units of every fc layer whose spec leaves ``units`` out; 0 drops the classifier."""
    rounding: Rounding
    fc_bias: bool
    device: str = "meta"

    def width(self, filters: int) -> int:
        # The one rule shared with mncost's counter, on purpose: channel counts under
        # alpha are a convention to verify against, not a quantity to re-derive.
        return scale_channels(filters, self.alpha, self.rounding)


@dataclass(frozen=True)
class TorchLayer:
    """What PyTorch measured for one layer of the spec."""

    name: str
    kind: str
    flops: int
    """FLOPs counted by FlopCounterMode in this layer's module (2 per multiply-accumulate)."""
    params: dict[str, int]
    """Element counts by role: "weights" (conv/linear weights and biases), "bn_affine"
    (batch-norm weight and bias) and "bn_stats" (running mean and variance)."""
    output: Shape
    """The output tensor's (height, width, channels), batch dimension dropped."""


# --- builders: one per layer kind, each maps an NCHW tensor to an NCHW tensor ---------

def _same_padding(side: int, kernel: int, stride: int) -> tuple[int, int]:
    # TensorFlow's SAME rule for kernels without a centre: pad so the output side is
    # ceil(side / stride), the extra pixel going after (bottom/right).
    out = -(-side // stride)
    total = max((out - 1) * stride + kernel - side, 0)
    return total // 2, total - total // 2


def _conv_unit(x: torch.Tensor, out_channels: int, kernel: int, stride: int, groups: int,
               batch_norm: bool, opts: BuildOptions) -> nn.Module:
    from torch import nn

    in_channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    parts: OrderedDict[str, nn.Module] = OrderedDict()
    if kernel % 2:
        # An odd kernel has a centre: symmetric k // 2 padding gives ceil(side / stride).
        padding = kernel // 2
    else:
        top, bottom = _same_padding(height, kernel, stride)
        left, right = _same_padding(width, kernel, stride)
        parts["pad"] = nn.ZeroPad2d((left, right, top, bottom))
        padding = 0
    parts["conv"] = nn.Conv2d(in_channels, out_channels, kernel, stride=stride,
                              padding=padding, groups=groups, bias=not batch_norm,
                              device=opts.device)
    if batch_norm:
        parts["bn"] = nn.BatchNorm2d(out_channels, device=opts.device)
    parts["relu"] = nn.ReLU()
    return nn.Sequential(parts)


def _build_conv(layer: Conv, x: torch.Tensor, opts: BuildOptions) -> nn.Module:
    return _conv_unit(x, opts.width(layer.filters), layer.kernel, layer.stride, 1,
                      layer.batch_norm, opts)


def _build_pw(layer: PointwiseConv, x: torch.Tensor, opts: BuildOptions) -> nn.Module:
    return _conv_unit(x, opts.width(layer.filters), 1, layer.stride, 1, layer.batch_norm, opts)


def _build_dw(layer: DepthwiseConv, x: torch.Tensor, opts: BuildOptions) -> nn.Module:
    channels = x.shape[1]
    return _conv_unit(x, channels, layer.kernel, layer.stride, channels, layer.batch_norm, opts)


def _build_avgpool(layer: AvgPool, x: torch.Tensor, opts: BuildOptions) -> nn.Module:
    from torch import nn

    if layer.size == "global":
        return nn.AdaptiveAvgPool2d(1)
    # ceil_mode keeps the partial window at the edge, as SAME pooling does.
    return nn.AvgPool2d(layer.size, stride=layer.size, ceil_mode=True)


def _build_fc(layer: FullyConnected, x: torch.Tensor, opts: BuildOptions) -> nn.Module:
    from torch import nn

    features = x[0].numel()
    units = opts.classes if layer.units is None else layer.units
    # Back to N x units x 1 x 1 after the linear layer, so that every module maps NCHW to
    # NCHW and any kind may follow an fc layer, as the spec format allows.
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("linear", nn.Linear(features, units, bias=opts.fc_bias, device=opts.device)),
        ("unflatten", nn.Unflatten(1, (units, 1, 1))),
    ]))


def _build_softmax(layer: Softmax, x: torch.Tensor, opts: BuildOptions) -> nn.Module:
    from torch import nn

    return nn.Softmax(dim=1)


_BUILDERS: dict[str, Callable[[Any, "torch.Tensor", BuildOptions], "nn.Module"]] = {
    "conv": _build_conv,
    "pw": _build_pw,
    "dw": _build_dw,
    "avgpool": _build_avgpool,
    "fc": _build_fc,
    "softmax": _build_softmax,
}
"""One builder per layer kind; a new kind in mncost.spec.layers needs one entry here."""


def _kept_layers(arch: Architecture, classes: int) -> list[LayerBase]:
    # classes == 0 drops the classifier: the first fc sized by the classes, and all after.
    kept: list[LayerBase] = []
    for layer in arch.layers:
        if classes == 0 and isinstance(layer, FullyConnected) and layer.units is None:
            break
        kept.append(layer)
    return kept


def build_layers(arch: Architecture, resolution: int, opts: BuildOptions
                 ) -> tuple[nn.Sequential, list[LayerBase]]:
    """The network as ``nn.Sequential`` (child ``i`` is spec layer ``i``) and those layers.

    Built one layer at a time: each module is sized from the tensor the modules before
    it produced, so PyTorch, not mncost, decides every input channel count and size.
    """
    torch = require_torch()
    from torch import nn

    layers = _kept_layers(arch, opts.classes)
    x = torch.empty(1, arch.input_channels, resolution, resolution, device=opts.device)
    modules: list[nn.Module] = []
    with torch.no_grad():
        for layer in layers:
            builder = _BUILDERS.get(layer.kind)
            if builder is None:
                raise UnsupportedLayer(
                    f"mncost verify cannot build layer kind {layer.kind!r} "
                    f"(layer {layer.name!r}) in PyTorch yet")
            # Inference mode: batch norm uses its running statistics, so a 1x1 feature
            # map with a batch of one is fine.
            module = builder(layer, x, opts).eval()
            try:
                x = module(x)
            except (RuntimeError, ValueError) as exc:
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise TorchFailed(f"PyTorch cannot run layer {layer.name!r} ({layer.kind}) "
                                  f"on a {tuple(x.shape)} input: {reason}") from None
            modules.append(module)
    # Child names are indices: spec names may hold dots or clash with nn.Module attributes.
    return nn.Sequential(*modules).eval(), layers


def _param_counts(module: nn.Module) -> dict[str, int]:
    from torch import nn

    counts = {"weights": 0, "bn_affine": 0, "bn_stats": 0}
    for sub in module.modules():
        if isinstance(sub, nn.BatchNorm2d):
            counts["bn_affine"] += sum(p.numel() for p in sub.parameters(recurse=False))
            # num_batches_tracked is a step counter for the running averages, not a
            # per-channel statistic: it is never counted.
            counts["bn_stats"] += sum(b.numel() for name, b in sub.named_buffers(recurse=False)
                                      if name in ("running_mean", "running_var"))
        else:
            counts["weights"] += sum(p.numel() for p in sub.parameters(recurse=False))
    return counts


def measure(arch: Architecture, resolution: int, opts: BuildOptions
            ) -> tuple[list[TorchLayer], int]:
    """Build ``arch`` in PyTorch, run one image through it and measure every layer.

    Returns the per-layer measurements and the FLOPs PyTorch counted outside every
    layer's module (0 unless the network does work between layers).
    """
    torch = require_torch()
    from torch.utils.flop_counter import FlopCounterMode

    net, layers = build_layers(arch, resolution, opts)
    outputs: list[tuple[int, ...]] = []
    hooks = [child.register_forward_hook(
        lambda _m, _i, out: outputs.append(tuple(out.shape))) for child in net]
    x = torch.empty(1, arch.input_channels, resolution, resolution, device=opts.device)
    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), counter:
            net(x)
    finally:
        for hook in hooks:
            hook.remove()

    # FlopCounterMode keys modules by their path from the root, named by its class.
    by_module = counter.get_flop_counts()
    root = type(net).__name__
    measured: list[TorchLayer] = []
    for i, (layer, child, out) in enumerate(zip(layers, net, outputs)):
        flops = int(sum(by_module.get(f"{root}.{i}", {}).values()))
        channels, height, width = out[1], out[2], out[3]
        measured.append(TorchLayer(name=layer.name, kind=layer.kind, flops=flops,
                                   params=_param_counts(child),
                                   output=(height, width, channels)))
    outside = int(counter.get_total_flops()) - sum(m.flops for m in measured)
    return measured, outside
