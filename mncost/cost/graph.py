"""Lowering a spec to its program: the primitive ops in execution order, as a dataflow graph.

Composites (``block``, ``residual``, ``concat``, ``se``, ``inverted_residual``) become
the primitive ops they are made of, each naming the block it belongs to, plus the ``add``,
``concat`` and ``scale`` ops that join their paths. Every op reads tensors and writes one,
by id; tensor 0 is the network's input. Nothing here depends on alpha or the resolution:
:mod:`mncost.cost.geometry` evaluates a program at a configuration.

Structural choices that could depend on channel counts are made once, on the spec's own
counts (alpha 1, no rounding): a residual exists when the stride is 1 and the input and
output channels are equal, and an inverted residual's expansion is left out when its
width equals the input's. Equal counts stay equal under every width rule, so a width
multiplier never adds or removes a residual (a clamp to a rule's minimum could make
unequal counts equal; the published layouts never rely on that).

The program's data, :class:`~mncost.cost.program.Op` and
:class:`~mncost.cost.program.Program`, are in :mod:`mncost.cost.program` (re-exported
here); this module lowers a spec to them.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from mncost.arch import ops as spec
from mncost.arch.ops import pair
from mncost.cost.program import Op, Program, Width
from mncost.text import quote

__all__ = ["LoweringError", "Op", "Program", "lower"]


class LoweringError(ValueError):
    """A spec that cannot be lowered: a head or a join naming no earlier layer."""


class _Lowering:
    def __init__(self, program: Program, drop_classifier: bool) -> None:
        self.p = program
        self.drop_classifier = drop_classifier
        self.stopped = False
        self.in_aux = False
        self.named: dict[str, int] = {}
        """Every layer's and op's full name -> the tensor it wrote, in network order."""

    def lookup(self, name: str, user: str, field: str) -> int:
        if name in self.named:
            return self.named[name]
        known = list(self.named)
        close = [k for k in known if k.endswith("." + name) or k.split(".")[-1] == name][:3]
        hint = f" (did you mean {', '.join(quote(c) for c in close)}?)" if close else ""
        raise LoweringError(
            f"layer {quote(user)}: {field} {quote(name)} names no earlier layer{hint}; give "
            "an earlier layer's full name as the tables show it (block_12.expand)"
        )

    def emit(self, op: Op, raw: int) -> int:
        # Each op writes the next tensor, so a tensor's id is one more than its op's index.
        assert op.output == len(self.p.raw_channels), op.name
        if self.in_aux:
            op = replace(op, aux=True)
        self.p.ops.append(op)
        self.p.raw_channels.append(raw)
        self.named[op.name] = op.output
        return op.output

    def raw(self, t: int) -> int:
        return self.p.raw_channels[t]

    def sequence(self, layers: list[Any], x: int, prefix: str, block: str) -> int:
        for layer in layers:
            if self.stopped:
                break
            x = self.layer(layer, x, prefix, block)
            self.named.setdefault(prefix + layer.name, x)
        return x

    def layer(self, layer: Any, x: int, prefix: str, block: str) -> int:
        name = prefix + layer.name
        kind = layer.kind
        p = self.p
        if kind in ("conv", "pw") and layer.filters == "classes" and self.drop_classifier:
            self.stopped = True  # --classes 0: the classifier and all after it go
            return x
        if kind == "conv":
            width, raw = self._width(layer, x)
            return self.emit(
                Op(
                    name,
                    "conv",
                    "conv",
                    block,
                    (x,),
                    p.tensor(),
                    width=width,
                    groups=layer.groups,
                    kernel=pair(layer.kernel),
                    stride=pair(layer.stride),
                    dilation=pair(layer.dilation),
                    padding=_padding(layer.padding),
                    batch_norm=layer.batch_norm,
                    bias=(not layer.batch_norm) if layer.bias is None else layer.bias,
                    act=layer.act,
                ),
                raw,
            )
        if kind == "dw":
            return self.emit(
                Op(
                    name,
                    "conv",
                    "dw",
                    block,
                    (x,),
                    p.tensor(),
                    width=("times", layer.multiplier) if layer.multiplier != 1 else ("input",),
                    groups="depthwise",
                    kernel=pair(layer.kernel),
                    stride=pair(layer.stride),
                    dilation=pair(layer.dilation),
                    padding=_padding(layer.padding),
                    batch_norm=layer.batch_norm,
                    bias=(not layer.batch_norm) if layer.bias is None else layer.bias,
                    act=layer.act,
                ),
                self.raw(x) * layer.multiplier,
            )
        if kind == "pw":
            width, raw = self._width(layer, x)
            return self.emit(
                self._pw(
                    name,
                    "pw",
                    block,
                    x,
                    width,
                    layer.batch_norm,
                    layer.bias,
                    layer.act,
                    pair(layer.stride),
                ),
                raw,
            )
        if kind in ("avgpool", "maxpool"):
            return self.emit(_pool(layer, name, block, x, p.tensor()), self.raw(x))
        if kind == "fc":
            if self.drop_classifier and layer.units is None:
                self.stopped = True  # --classes 0: the classifier and all after it go
                return x
            width = ("classes",) if layer.units is None else ("filters", layer.units, layer.scale)
            raw = p.classes if layer.units is None else layer.units
            return self.emit(
                Op(
                    name,
                    "fc",
                    "fc",
                    block,
                    (x,),
                    p.tensor(),
                    width=width,
                    bias=layer.bias,
                    act=layer.act,
                ),
                raw,
            )
        if kind == "softmax":
            return self.emit(Op(name, "softmax", "softmax", block, (x,), p.tensor()), self.raw(x))
        if kind == "bn":
            return self.emit(
                Op(name, "map", "bn", block, (x,), p.tensor(), batch_norm=True, act=layer.act),
                self.raw(x),
            )
        if kind == "resize":
            fixed = None if layer.output is None else pair(layer.output)
            size_of = None
            if layer.like is not None:
                size_of = 0 if layer.like == "input" else self.lookup(layer.like, name, "like")
            factor = None
            if layer.scale is not None:
                sh, sw = pair(layer.scale)
                factor = (Fraction(sh), Fraction(sw))
            return self.emit(
                Op(
                    name,
                    "resize",
                    "resize",
                    block,
                    (x,),
                    p.tensor(),
                    pool_output=fixed,
                    scale_factor=factor,
                    size_of=size_of,
                    mode=layer.mode,
                ),
                self.raw(x),
            )
        if kind == "act":
            return self.emit(
                Op(name, "map", "act", block, (x,), p.tensor(), act=layer.act), self.raw(x)
            )
        if kind == "scale":  # a learned per-channel scale: C params, 0 MACs
            return self.emit(Op(name, "map", "channel_scale", block, (x,), p.tensor()), self.raw(x))
        if kind == "block":
            return self.sequence(list(layer.layers), x, name + ".", name)
        if kind == "aux":
            if not self.drop_classifier:  # an auxiliary head is a classifier too
                self.in_aux = True
                self.sequence(list(layer.layers), x, name + ".", name)
                self.in_aux = False
            return x
        if kind == "head":
            source = self.lookup(layer.input, name, "input")
            out = self.sequence(list(layer.layers), source, name + ".", name)
            if out != source and not self.stopped:
                self.p.outputs.append(out)
            self.stopped = False  # --classes 0 drops a head's class predictor, not the rest
            self.named[name] = out
            return x  # the network goes on from where it was
        if kind == "join":
            others = tuple(self.lookup(other, name, "others") for other in layer.others)
            op_kind = {"add": "add", "mul": "scale", "concat": "concat"}[layer.mode]
            return self.emit(
                Op(
                    name,
                    op_kind,
                    op_kind,
                    block,
                    (x, *others),
                    p.tensor(),
                    width=("sum",) if op_kind == "concat" else ("input",),
                    act=layer.act,
                ),
                sum(self.raw(t) for t in (x, *others)) if op_kind == "concat" else self.raw(x),
            )
        if kind == "residual":
            body = self.sequence(list(layer.body), x, name + ".", name)
            skip = self.sequence(list(layer.shortcut), x, name + ".", name)
            if self.stopped:
                return body
            return self.emit(
                Op(f"{name}.add", "add", "add", name, (body, skip), p.tensor(), act=layer.act),
                self.raw(body),
            )
        if kind == "concat":
            outs = [self.sequence(list(branch), x, name + ".", name) for branch in layer.branches]
            if self.stopped:
                return outs[-1]
            return self.emit(
                Op(
                    f"{name}.concat",
                    "concat",
                    "concat",
                    name,
                    tuple(outs),
                    p.tensor(),
                    width=("sum",),
                ),
                sum(self.raw(t) for t in outs),
            )
        if kind == "se":
            return self._se(layer, x, name, name)
        if kind == "inverted_residual":
            return self._inverted_residual(layer, x, name)
        raise ValueError(f"layer {name!r}: unknown kind {kind!r}")  # pragma: no cover

    def _width(self, layer: Any, x: int) -> tuple[Width, int]:
        # A conv's output channels: its filters, a multiple of its input, or the classes.
        if layer.expansion is not None:
            return ("times", layer.expansion), self.raw(x) * layer.expansion
        if layer.filters == "classes":
            k = getattr(layer, "per_class", 1)
            return (("classes",) if k == 1 else ("classes", k)), self.p.classes * k
        return ("filters", layer.filters, layer.scale), layer.filters

    def _pw(
        self,
        name: str,
        role: str,
        block: str,
        x: int,
        width: Width,
        batch_norm: bool,
        bias: bool | None,
        act: str,
        stride: tuple[int, int] = (1, 1),
    ) -> Op:
        return Op(
            name,
            "conv",
            role,
            block,
            (x,),
            self.p.tensor(),
            width=width,
            kernel=(1, 1),
            stride=stride,
            padding="same",
            batch_norm=batch_norm,
            bias=(not batch_norm) if bias is None else bias,
            act=act,
        )

    def _se(self, layer: Any, x: int, name: str, block: str) -> int:
        p = self.p
        raw = self.raw(x)
        pooled = self.emit(
            Op(f"{name}.pool", "pool", "avgpool", block, (x,), p.tensor(), pool="global"), raw
        )
        squeeze_channels = layer.squeeze
        squeeze = self.emit(
            self._pw(
                f"{name}.reduce",
                "se_reduce",
                block,
                pooled,
                ("squeeze", layer.reduction, layer.divisor)
                if squeeze_channels is None
                else ("filters", squeeze_channels, "alpha"),
                False,
                layer.bias,
                layer.act,
            ),
            max(1, raw // layer.reduction) if squeeze_channels is None else squeeze_channels,
        )
        gate = self.emit(
            self._pw(
                f"{name}.expand",
                "se_expand",
                block,
                squeeze,
                ("tensor", x),
                False,
                layer.bias,
                layer.gate,
            ),
            raw,
        )
        return self.emit(Op(f"{name}.scale", "scale", "scale", block, (x, gate), p.tensor()), raw)

    def _inverted_residual(self, layer: Any, x: int, name: str) -> int:
        raw_in = self.raw(x)
        if layer.expansion is not None:
            width: Width = ("times", layer.expansion)
            raw_mid = raw_in * layer.expansion
        elif layer.expanded_scale == "input":
            width = ("ratio", layer.expanded, raw_in)
            raw_mid = layer.expanded
        else:
            width = ("filters", layer.expanded, "alpha")
            raw_mid = layer.expanded
        h = x
        if raw_mid != raw_in:
            h = self.emit(
                self._pw(f"{name}.expand", "expand", name, x, width, True, None, layer.act), raw_mid
            )
        h = self.emit(
            Op(
                f"{name}.dw",
                "conv",
                "dw",
                name,
                (h,),
                self.p.tensor(),
                groups="depthwise",
                kernel=pair(layer.kernel),
                stride=pair(layer.stride),
                dilation=pair(layer.dilation),
                padding="same",
                batch_norm=True,
                act=layer.act,
            ),
            raw_mid,
        )
        if layer.se:
            se = (
                layer.se
                if isinstance(layer.se, spec.SqueezeExcite)
                else spec.SqueezeExcite.model_construct(name="se")
            )
            h = self._se(se, h, f"{name}.se", name)
        h = self.emit(
            self._pw(
                f"{name}.project",
                "project",
                name,
                h,
                ("filters", layer.filters, "alpha"),
                True,
                None,
                "none",
            ),
            layer.filters,
        )
        if pair(layer.stride) == (1, 1) and layer.filters == raw_in:
            h = self.emit(
                Op(f"{name}.add", "add", "add", name, (h, x), self.p.tensor()), layer.filters
            )
        return h


def _padding(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 4:
        return tuple(value)  # top, left, bottom, right
    return pair(value)


def _pool(layer: Any, name: str, block: str, x: int, out: int) -> Op:
    role = layer.kind
    if layer.output is not None:
        return Op(
            name, "pool", role, block, (x,), out, pool="adaptive", pool_output=pair(layer.output)
        )
    if layer.kernel is not None:
        kernel = pair(layer.kernel)
        return Op(
            name,
            "pool",
            role,
            block,
            (x,),
            out,
            pool="window",
            kernel=kernel,
            stride=pair(layer.stride) if layer.stride is not None else kernel,
            padding=_padding(layer.padding),
            ceil_mode=layer.ceil_mode,
        )
    if layer.size is None or layer.size == "global":
        return Op(name, "pool", role, block, (x,), out, pool="global")
    size = (layer.size, layer.size)
    return Op(
        name,
        "pool",
        role,
        block,
        (x,),
        out,
        pool="legacy",
        kernel=size,
        stride=size,
        padding="legacy",
        ceil_mode=True,
    )


def lower(arch: spec.Architecture, drop_classifier: bool = False) -> Program:
    """The program of ``arch``; ``drop_classifier`` stops at the fc sized by the classes."""
    program = Program(
        name=arch.name,
        input_channels=arch.input_channels,
        classes=arch.classes,
        raw_channels=[arch.input_channels],
    )
    _Lowering(program, drop_classifier).sequence(list(arch.layers), 0, "", "")
    # A head's output that a join reads is an inner tensor (a gate, a branch), not one
    # of the network's outputs.
    read = {t for op in program.ops for t in op.inputs}
    program.outputs = [t for t in program.outputs if t not in read]
    return program
