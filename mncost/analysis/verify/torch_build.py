"""An architecture spec built as PyTorch modules, one per primitive op, each sized from
the tensor the modules before it produced (:func:`build`, :class:`Built`).

The builder walks the spec layer by layer, composites included (a residual is ``a + b``,
branches are joined by ``torch.cat``, squeeze-and-excite scales by a broadcast gate),
names each op's module as mncost names the op (``block_3.dw``), and runs each module as
it is built, on the ``meta`` device. Cut from :mod:`mncost.analysis.verify.torch_model`
(which re-exports :func:`build` and measures the network); the pieces it puts together
beside PyTorch's own layers are :mod:`~mncost.analysis.verify.torch_modules`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mncost.analysis.verify.torch_modules import activation, join_modules, padded
from mncost.analysis.verify.torch_setup import (
    BuildOptions,
    TorchFailed,
    UnsupportedLayer,
    require_torch,
)
from mncost.arch import ops as spec
from mncost.arch.ops import pair
from mncost.arch.width import WidthRule, expand_input
from mncost.cost.scaling import Resolution, resolution_hw

if TYPE_CHECKING:
    from torch import nn

__all__ = ["Built", "build"]


@dataclass
class Built:
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
        pad = padded(t, k, s, d, padding, parts)
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
        parts["act"] = activation(act)
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
            pad = padded(t, k, s, (1, 1), layer.padding, parts)
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
                        ("act", activation(layer.act)),
                    ]
                )
            )
            return self.run(name, "bn", module, (x,), self.raw[x])
        if kind == "act":
            return self.run(name, "act", activation(layer.act), (x,), self.raw[x])
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


def build(arch: spec.Architecture, resolution: Resolution, opts: BuildOptions) -> Built:
    """``arch`` as PyTorch modules, one per op, each sized from the tensors before it."""
    torch = require_torch()

    built = Built(opts=opts, joins=join_modules())
    built.tensors.append(
        torch.empty(1, arch.input_channels, *resolution_hw(resolution), device=opts.device)
    )
    built.raw.append(arch.input_channels)
    with torch.no_grad():
        built.sequence(list(arch.layers), 0, "")
    return built
