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
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from mncost.arch import ops as spec
from mncost.arch.ops import pair
from mncost.arch.width import WidthRule, expand_input
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
    rule: WidthRule
    fc_bias: bool
    device: str = "meta"

    def width(self, filters: int, scale: str = "alpha") -> int:
        # The one rule shared with mncost's counter, on purpose: channel counts under
        # alpha are a convention to verify against, not a quantity to re-derive.
        return self.rule.scale(filters, self.alpha, scale)  # type: ignore[arg-type]


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


_ACTIVATIONS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "hswish": "Hardswish",
    "hsigmoid": "Hardsigmoid",
    "sigmoid": "Sigmoid",
    "swish": "SiLU",
    "gelu": "GELU",
    "tanh": "Tanh",
    "clip": "Hardtanh",
    "leaky_relu": "LeakyReLU",
    "prelu": "PReLU",
    "elu": "ELU",
    "selu": "SELU",
    "celu": "CELU",
    "softplus": "Softplus",
    "softsign": "Softsign",
    "mish": "Mish",
}
"""The spec's activations as torch modules; the other element-wise ops of an imported
graph (abs, exp, an add of a constant, ...) are an Identity: 0 FLOPs either way, and the
same shape."""


def _act(name: str) -> nn.Module:
    from torch import nn

    module = _ACTIVATIONS.get(name)
    if name == "prelu":  # one slope for all channels: PReLU's parameters are not counted
        return nn.LeakyReLU()
    return getattr(nn, module)() if module is not None else nn.Identity()


def _same_padding(side: int, extent: int, stride: int) -> tuple[int, int]:
    # TensorFlow's SAME rule: pad so the output side is ceil(side / stride), the extra
    # pixel going after (bottom/right).
    out = -(-side // stride)
    total = max((out - 1) * stride + extent - side, 0)
    return total // 2, total - total // 2


def _padded(
    x: torch.Tensor,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    padding: Any,
    parts: OrderedDict[str, nn.Module],
) -> tuple[int, int]:
    """The padding argument for a conv or pool; SAME with an even extent adds a ZeroPad2d."""
    from torch import nn

    if padding == "valid":
        return (0, 0)
    if isinstance(padding, (list, tuple)) and len(padding) == 4:
        top, left, bottom, right = padding  # uneven: a ZeroPad2d first
        parts["pad"] = nn.ZeroPad2d((left, right, top, bottom))
        return (0, 0)
    if padding != "same":
        return pair(padding)
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if all(e % 2 for e in extents):
        # An odd extent has a centre: symmetric padding gives ceil(side / stride).
        return (extents[0] // 2, extents[1] // 2)
    top, bottom = _same_padding(x.shape[2], extents[0], stride[0])
    left, right = _same_padding(x.shape[3], extents[1], stride[1])
    parts["pad"] = nn.ZeroPad2d((left, right, top, bottom))
    return (0, 0)


def _join_modules() -> dict[str, Any]:
    from torch import nn

    class Add(nn.Module):
        def __init__(self, act: str) -> None:
            super().__init__()
            self.act = _act(act)

        def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.act(a + b)
            return out

    class Concat(nn.Module):
        def forward(self, *parts: torch.Tensor) -> torch.Tensor:
            import torch

            return torch.cat(parts, dim=1)

    class Scale(nn.Module):
        def forward(self, x: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
            return x * gate

    class ChannelScale(nn.Module):
        # A learned weight per channel, as torchvision's L2Norm applies its weight.
        def __init__(self, channels: int, device: str) -> None:
            import torch

            super().__init__()
            self.weight = nn.Parameter(torch.ones(channels, device=device))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.weight.view(1, -1, 1, 1) * x

    class Linear2d(nn.Module):
        # Flatten, linear, and back to N x units x 1 x 1, so every module maps NCHW to
        # NCHW and any kind may follow an fc layer, as the spec format allows.
        def __init__(self, features: int, units: int, bias: bool, act: str, device: str) -> None:
            super().__init__()
            self.linear = nn.Linear(features, units, bias=bias, device=device)
            self.act = _act(act)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.act(self.linear(x.flatten(1)))
            out: torch.Tensor = y.reshape(y.shape[0], y.shape[1], 1, 1)
            return out

    return {
        "add": Add,
        "concat": Concat,
        "scale": Scale,
        "channel_scale": ChannelScale,
        "linear": Linear2d,
    }


@dataclass
class _Built:
    """The network as a list of op modules and their wiring, built as it runs."""

    opts: BuildOptions
    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    modules: list[Any] = field(default_factory=list)
    wiring: list[tuple[int, ...]] = field(default_factory=list)
    tensors: list[Any] = field(default_factory=list)
    raw: list[int] = field(default_factory=list)
    """The spec's own channel count of each tensor (alpha 1): decides the structure."""
    aux: list[bool] = field(default_factory=list)
    """Per op: part of an auxiliary head, which the forward pass skips (eval mode)."""
    stopped: bool = False
    in_aux: bool = False
    joins: dict[str, Any] = field(default_factory=dict)
    named: dict[str, int] = field(default_factory=dict)
    """Every op's and layer's full name -> its output tensor (heads and joins read them)."""

    def lookup(self, name: str, user: str) -> int:
        if name not in self.named:
            raise UnsupportedLayer(f"layer {user!r} reads {name!r}, which names no earlier layer")
        return self.named[name]

    def run(
        self, name: str, kind: str, module: nn.Module, inputs: tuple[int, ...], raw: int
    ) -> int:
        module = module.eval()
        args = [self.tensors[i] for i in inputs]
        try:
            out = module(*args)
        except (RuntimeError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            shapes = ", ".join(str(tuple(a.shape)) for a in args)
            raise TorchFailed(
                f"PyTorch cannot run layer {name!r} ({kind}) on {shapes}: {reason}"
            ) from None
        self.names.append(name)
        self.kinds.append(kind)
        self.modules.append(module)
        self.wiring.append(inputs)
        self.tensors.append(out)
        self.raw.append(raw)
        self.aux.append(self.in_aux)
        self.named[name] = len(self.tensors) - 1
        return len(self.tensors) - 1

    # --- primitive ops ------------------------------------------------------------

    def conv(
        self,
        name: str,
        kind: str,
        x: int,
        out_channels: int,
        kernel: Any,
        stride: Any,
        dilation: Any,
        padding: Any,
        groups: int,
        batch_norm: bool,
        bias: bool,
        act: str,
        raw: int,
    ) -> int:
        from torch import nn

        t = self.tensors[x]
        k, s, d = pair(kernel), pair(stride), pair(dilation)
        parts: OrderedDict[str, nn.Module] = OrderedDict()
        pad = _padded(t, k, s, d, padding, parts)
        parts["conv"] = nn.Conv2d(
            t.shape[1],
            out_channels,
            k,
            stride=s,
            padding=pad,
            dilation=d,
            groups=groups,
            bias=bias,
            device=self.opts.device,
        )
        if batch_norm:
            parts["bn"] = nn.BatchNorm2d(out_channels, device=self.opts.device)
        parts["act"] = _act(act)
        return self.run(name, kind, nn.Sequential(parts), (x,), raw)

    def pool(self, layer: Any, name: str, x: int) -> int:
        from torch import nn

        t = self.tensors[x]
        avg = layer.kind == "avgpool"
        if layer.output is not None:
            module: nn.Module = (nn.AdaptiveAvgPool2d if avg else nn.AdaptiveMaxPool2d)(
                pair(layer.output)
            )
        elif layer.kernel is not None:
            k = pair(layer.kernel)
            s = pair(layer.stride) if layer.stride is not None else k
            parts: OrderedDict[str, nn.Module] = OrderedDict()
            pad = _padded(t, k, s, (1, 1), layer.padding, parts)
            parts["pool"] = (nn.AvgPool2d if avg else nn.MaxPool2d)(
                k, stride=s, padding=pad, ceil_mode=layer.ceil_mode
            )
            module = nn.Sequential(parts)
        elif layer.size is None or layer.size == "global":
            module = (nn.AdaptiveAvgPool2d if avg else nn.AdaptiveMaxPool2d)(1)
        else:
            # The simple window form keeps the partial window at the edge (ceil_mode).
            module = (nn.AvgPool2d if avg else nn.MaxPool2d)(
                layer.size, stride=layer.size, ceil_mode=True
            )
        return self.run(name, layer.kind, module, (x,), self.raw[x])

    # --- the spec, layer by layer -------------------------------------------------

    def sequence(self, layers: list[Any], x: int, prefix: str) -> int:
        for layer in layers:
            if self.stopped:
                break
            x = self.layer(layer, x, prefix)
            self.named.setdefault(prefix + layer.name, x)
        return x

    def layer(self, layer: Any, x: int, prefix: str) -> int:
        from torch import nn

        name = prefix + layer.name
        kind = layer.kind
        c_in = self.tensors[x].shape[1]
        if kind in ("conv", "pw") and layer.filters == "classes" and self.opts.classes == 0:
            self.stopped = True  # no classifier: it and everything after it are left out
            return x
        if kind == "conv":
            c_out, raw = self._out_channels(layer, x)
            groups = c_in if layer.groups == "depthwise" else layer.groups
            return self.conv(
                name,
                "conv",
                x,
                c_out,
                layer.kernel,
                layer.stride,
                layer.dilation,
                layer.padding,
                groups,
                layer.batch_norm,
                _bias(layer),
                layer.act,
                raw,
            )
        if kind == "dw":
            return self.conv(
                name,
                "dw",
                x,
                c_in * layer.multiplier,
                layer.kernel,
                layer.stride,
                layer.dilation,
                layer.padding,
                c_in,
                layer.batch_norm,
                _bias(layer),
                layer.act,
                self.raw[x] * layer.multiplier,
            )
        if kind == "pw":
            c_out, raw = self._out_channels(layer, x)
            return self.conv(
                name,
                "pw",
                x,
                c_out,
                1,
                layer.stride,
                1,
                "same",
                1,
                layer.batch_norm,
                _bias(layer),
                layer.act,
                raw,
            )
        if kind in ("avgpool", "maxpool"):
            return self.pool(layer, name, x)
        if kind == "fc":
            if layer.units is None and self.opts.classes == 0:
                self.stopped = True
                return x
            units = (
                self.opts.classes
                if layer.units is None
                else self.opts.width(layer.units, layer.scale)
            )
            features = self.tensors[x][0].numel()
            bias = layer.bias and self.opts.fc_bias
            module = self.joins["linear"](features, units, bias, layer.act, self.opts.device)
            raw = self.opts.classes if layer.units is None else layer.units
            return self.run(name, "fc", module, (x,), raw)
        if kind == "softmax":
            return self.run(name, "softmax", nn.Softmax(dim=1), (x,), self.raw[x])
        if kind == "bn":
            module = nn.Sequential(
                OrderedDict(
                    [
                        ("bn", nn.BatchNorm2d(c_in, device=self.opts.device)),
                        ("act", _act(layer.act)),
                    ]
                )
            )
            return self.run(name, "bn", module, (x,), self.raw[x])
        if kind == "act":
            return self.run(name, "act", _act(layer.act), (x,), self.raw[x])
        if kind == "scale":  # a learned per-channel scale: a Parameter of shape (C,)
            module = self.joins["channel_scale"](c_in, self.opts.device)
            return self.run(name, "channel_scale", module, (x,), self.raw[x])
        if kind == "resize":
            mode = layer.mode
            if layer.like is not None:
                like = self.tensors[0 if layer.like == "input" else self.lookup(layer.like, name)]
                module = nn.Upsample(size=tuple(like.shape[-2:]), mode=mode)
            elif layer.output is not None:
                module = nn.Upsample(size=pair(layer.output), mode=mode)
            else:
                module = nn.Upsample(
                    scale_factor=tuple(float(f) for f in pair(layer.scale)), mode=mode
                )
            return self.run(name, "resize", module, (x,), self.raw[x])
        if kind == "block":
            return self.sequence(list(layer.layers), x, name + ".")
        if kind == "aux":
            if self.opts.classes:  # an auxiliary head is a classifier: none without classes
                self.in_aux = True
                self.sequence(list(layer.layers), x, name + ".")
                self.in_aux = False
            return x
        if kind == "head":
            out = self.sequence(list(layer.layers), self.lookup(layer.input, name), name + ".")
            self.stopped = False  # no classes: the head's class predictor goes, not the rest
            self.named[name] = out
            return x
        if kind == "join":
            others = tuple(self.lookup(other, name) for other in layer.others)
            if layer.mode == "add":
                module = self.joins["add"](layer.act)
            elif layer.mode == "mul":
                module = self.joins["scale"]()
            else:
                module = self.joins["concat"]()
            join_kind = {"add": "add", "mul": "scale", "concat": "concat"}[layer.mode]
            raw = sum(self.raw[t] for t in (x, *others)) if join_kind == "concat" else self.raw[x]
            return self.run(name, join_kind, module, (x, *others), raw)
        if kind == "residual":
            body = self.sequence(list(layer.body), x, name + ".")
            skip = self.sequence(list(layer.shortcut), x, name + ".")
            if self.stopped:
                return body
            return self.run(
                f"{name}.add", "add", self.joins["add"](layer.act), (body, skip), self.raw[body]
            )
        if kind == "concat":
            outs = [self.sequence(list(branch), x, name + ".") for branch in layer.branches]
            if self.stopped:
                return outs[-1]
            return self.run(
                f"{name}.concat",
                "concat",
                self.joins["concat"](),
                tuple(outs),
                sum(self.raw[t] for t in outs),
            )
        if kind == "se":
            return self.se(layer, x, name)
        if kind == "inverted_residual":
            return self.inverted_residual(layer, x, name)
        raise UnsupportedLayer(
            f"mncost verify cannot build layer kind {kind!r} (layer {name!r}) in PyTorch yet"
        )

    def _out_channels(self, layer: Any, x: int) -> tuple[int, int]:
        # (channels, the spec's own count): filters under the width rule, a multiple of
        # the input, or the classes.
        if layer.expansion is not None:
            return (self.tensors[x].shape[1] * layer.expansion, self.raw[x] * layer.expansion)
        if layer.filters == "classes":
            k = getattr(layer, "per_class", 1)
            return self.opts.classes * k, self.opts.classes * k
        return self.opts.width(layer.filters, layer.scale), layer.filters

    def se(self, layer: Any, x: int, name: str) -> int:
        from torch import nn

        channels = self.tensors[x].shape[1]
        if layer.squeeze is not None:
            squeeze = self.opts.width(layer.squeeze)
        else:
            squeeze = WidthRule("make_divisible", layer.divisor).apply(
                max(channels // layer.reduction, 1), 1, 1
            )
        raw = self.raw[x]
        pooled = self.run(f"{name}.pool", "avgpool", nn.AdaptiveAvgPool2d(1), (x,), raw)
        reduced = self.conv(
            f"{name}.reduce",
            "se_reduce",
            pooled,
            squeeze,
            1,
            1,
            1,
            "same",
            1,
            False,
            layer.bias,
            layer.act,
            max(1, raw // layer.reduction) if layer.squeeze is None else layer.squeeze,
        )
        gate = self.conv(
            f"{name}.expand",
            "se_expand",
            reduced,
            channels,
            1,
            1,
            1,
            "same",
            1,
            False,
            layer.bias,
            layer.gate,
            raw,
        )
        return self.run(f"{name}.scale", "scale", self.joins["scale"](), (x, gate), raw)

    def inverted_residual(self, layer: Any, x: int, name: str) -> int:
        c_in = self.tensors[x].shape[1]
        raw_in = self.raw[x]
        if layer.expansion is not None:
            hidden, raw_mid = c_in * layer.expansion, raw_in * layer.expansion
        elif layer.expanded_scale == "input":
            hidden, raw_mid = expand_input(c_in, layer.expanded, raw_in), layer.expanded
        else:
            hidden, raw_mid = self.opts.width(layer.expanded), layer.expanded
        h = x
        if raw_mid != raw_in:
            h = self.conv(
                f"{name}.expand",
                "expand",
                x,
                hidden,
                1,
                1,
                1,
                "same",
                1,
                True,
                False,
                layer.act,
                raw_mid,
            )
        h = self.conv(
            f"{name}.dw",
            "dw",
            h,
            hidden,
            layer.kernel,
            layer.stride,
            layer.dilation,
            "same",
            hidden,
            True,
            False,
            layer.act,
            raw_mid,
        )
        if layer.se:
            se = (
                layer.se
                if isinstance(layer.se, spec.SqueezeExcite)
                else spec.SqueezeExcite.model_construct(name="se")
            )
            h = self.se(se, h, f"{name}.se")
        h = self.conv(
            f"{name}.project",
            "project",
            h,
            self.opts.width(layer.filters),
            1,
            1,
            1,
            "same",
            1,
            True,
            False,
            "none",
            layer.filters,
        )
        if pair(layer.stride) == (1, 1) and layer.filters == raw_in:
            h = self.run(f"{name}.add", "add", self.joins["add"]("none"), (h, x), layer.filters)
        return h


def _bias(layer: Any) -> bool:
    return (not layer.batch_norm) if layer.bias is None else bool(layer.bias)


def build(arch: spec.Architecture, resolution: Resolution, opts: BuildOptions) -> _Built:
    """``arch`` as PyTorch modules, one per op, each sized from the tensors before it."""
    torch = require_torch()

    built = _Built(opts=opts, joins=_join_modules())
    built.tensors.append(
        torch.empty(1, arch.input_channels, *resolution_hw(resolution), device=opts.device)
    )
    built.raw.append(arch.input_channels)
    with torch.no_grad():
        built.sequence(list(arch.layers), 0, "")
    return built


def _network(built: _Built) -> nn.Module:
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
