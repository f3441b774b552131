"""Writing the tree as spec layers: each op as the layer kind that counts as it does
(conv, dw, pw, fc, pool, bn, act, resize, softmax; its widths as alpha scales them), each
composite as a residual, concat or se layer, unique names taken from the graph's module
paths, and the top level's runs of one module grouped into ``block`` layers
(:func:`top_level`). :class:`Writer` also keeps what the spec's layers are counted from
(:attr:`Writer.source`) and the ops it leaves out."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mncost.cost.graph import Op
from mncost.cost.model import GraphModel
from mncost.cost.nest.dataflow import Dataflow, Join, Prim, ops_of
from mncost.errors import NestError
from mncost.text import quote

MAX_NAME = 200
"""A spec's names are at most this long (mncost.arch.ops.LayerBase.name)."""

_RESERVED = {"residual": "add", "concat": "concat"}
"""The name each composite gives its join op; no part of it may take that name."""


def _common_prefix(names: list[str]) -> str:
    parts = [n.split(".") for n in names]
    if not parts:
        return ""
    common: list[str] = []
    for column in zip(*parts):
        if all(p == column[0] for p in column):
            common.append(column[0])
        else:
            break
    if len(parts) == 1:  # one layer's own name is not a block around it
        common = common[:-1]
    return ".".join(common)


class Writer:
    """The tree's items as spec layers, with what each counted layer is counted from."""

    def __init__(self, model: GraphModel, g: Dataflow) -> None:
        self.m = model
        self.g = g
        self.raw = model.program.raw_channels
        self.source: dict[str, int] = {}
        self.left_out: list[str] = []
        self.counts: dict[str, int] = {"residual": 0, "concat": 0, "se": 0, "block": 0}
        self.fallback = 0

    # Widths -------------------------------------------------------------------------

    def scale_of(self, t: int) -> str:
        """How tensor t's channels follow alpha, as a spec says it."""
        seen = 0
        while t > 0 and seen < 10_000:
            seen += 1
            op = self.g.ops[t - 1]
            w = op.width
            if w[0] == "filters":
                return str(w[2])
            if w[0] == "tensor":
                t = w[1]
                continue
            if w[0] == "classes":
                return "fixed"
            if w[0] in ("input", "times"):
                t = self.g.inputs[t - 1][0]
                continue
            return "alpha"
        return "fixed" if t == 0 else "alpha"

    def filters(self, op: Op, i: int) -> dict[str, Any]:
        w = op.width
        if w[0] == "classes":
            return {"filters": "classes", **({"per_class": w[1]} if len(w) > 1 else {})}
        if w[0] == "filters":
            n, scale = int(w[1]), str(w[2])
        else:  # ("tensor", t): the channels of the tensor it is tied to
            n, scale = self.raw[i + 1], self.scale_of(w[1]) if w[0] == "tensor" else "alpha"
        out: dict[str, Any] = {"filters": n}
        if scale != "alpha":
            out["scale"] = scale
        return out

    # Primitive layers ---------------------------------------------------------------

    def prim(self, i: int) -> dict[str, Any] | None:
        op = self.g.ops[i]
        kind = op.kind
        if kind == "conv":
            return self.conv(op, i)
        if kind == "fc":
            out: dict[str, Any] = {"kind": "fc"}
            if op.width[0] == "classes":
                pass
            else:
                f = self.filters(op, i)
                out["units"] = f["filters"]
                out["scale"] = f.get("scale", "alpha")
                if out["scale"] == "fixed":
                    del out["scale"]
            if not op.bias:
                out["bias"] = False
            if op.act != "none":
                out["act"] = op.act
            return out
        if kind == "pool":
            return self.pool(op)
        if kind == "softmax":
            return {"kind": "softmax"}
        if kind == "map":
            if op.role == "bn":
                return {"kind": "bn", **({"act": op.act} if op.act != "none" else {})}
            if op.role == "act":
                return {"kind": "act", "act": op.act}
            if op.role == "channel_scale":  # a learned weight per channel
                return {"kind": "scale"}
            if op.role == "slice":
                raise NestError(
                    f"node {quote(op.name)} takes a slice of its input's channels, which "
                    "the spec language cannot say"
                )
            self.left_out.append(f"{op.name} ({op.role.removeprefix('onnx:')})")
            return None
        if kind == "resize":
            if op.pool_output is not None:
                return {"kind": "resize", "output": _pair(op.pool_output)}
            factor = op.scale_factor or (1, 1)
            if not all(Fraction(f).denominator == 1 for f in factor):
                shown = "x".join(f"{float(f):g}" for f in factor)
                raise NestError(
                    f"node {quote(op.name)} resizes its input by {shown}; a spec resizes by "
                    "whole factors or to a size"
                )
            return {"kind": "resize", "scale": _pair(tuple(int(f) for f in factor))}
        raise NestError(f"node {quote(op.name)}: a {kind} op does not nest")  # pragma: no cover

    def conv(self, op: Op, i: int) -> dict[str, Any]:
        kh, kw = op.kernel or (1, 1)
        kernel: Any = kh if kh == kw else [kh, kw]
        padding = _padding(op.padding)
        zero_pad = padding in ("same", "valid", 0)
        out: dict[str, Any]
        if op.groups == "depthwise":
            out = {"kind": "dw"}
            if kernel != 3:
                out["kernel"] = kernel
            if op.width[0] == "times":
                out["multiplier"] = int(op.width[1])
        elif (
            (kh, kw) == (1, 1)
            and op.groups == 1
            and op.dilation == (1, 1)
            and zero_pad
            and op.width[0] in ("filters", "tensor", "classes")
        ):
            out = {"kind": "pw", **self.filters(op, i)}
            padding = "same"  # pw has no padding field: 1x1 with none
        else:
            out = {"kind": "conv", "kernel": kernel, **self.filters(op, i)}
            if op.groups != 1:
                out["groups"] = op.groups
        if op.stride != (1, 1):
            out["stride"] = _pair(op.stride)
        if op.dilation != (1, 1):
            out["dilation"] = _pair(op.dilation)
        if padding != "same":
            out["padding"] = padding
        if not op.batch_norm:
            out["batch_norm"] = False
        if op.bias != (not op.batch_norm):
            out["bias"] = op.bias
        if op.act != "relu":
            out["act"] = op.act
        return out

    def pool(self, op: Op) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": op.role}
        if op.pool == "global":
            return out
        if op.pool == "adaptive":
            out["output"] = _pair(op.pool_output or (1, 1))
            return out
        kernel = op.kernel or (1, 1)
        out["kernel"] = _pair(kernel)
        if op.stride != kernel:
            out["stride"] = _pair(op.stride)
        padding = _padding(op.padding)
        if padding not in (0, "valid"):
            out["padding"] = padding
        if op.ceil_mode:
            out["ceil_mode"] = True
        return out

    # Names --------------------------------------------------------------------------

    def unique(self, name: str, taken: set[str]) -> str:
        if len(name) > MAX_NAME:
            self.fallback += 1
            name = f"layer_{self.fallback}"
        base, n = name, 2
        while name in taken:
            name = f"{base}_{n}"
            n += 1
        taken.add(name)
        return name

    def full_name(self, item: Any) -> str:
        if isinstance(item, Prim):
            return self.g.ops[item.op].name
        join: str = self.g.ops[item.join].name
        names = [self.g.ops[o].name for b in item.branches for o in ops_of(b)]
        if names and all(n.startswith(join + ".") for n in names):
            return join  # the module that joins (torch: the block) holds every part
        common = _common_prefix(names)
        if common:
            return common
        return join

    def layer(self, item: Any, shown: str, local: str) -> dict[str, Any] | None:
        if isinstance(item, Prim):
            data = self.prim(item.op)
            if data is None:
                return None
            self.source[shown] = item.op
            return {"kind": data.pop("kind"), "name": local, **data}
        join = self.g.ops[item.join]
        self.counts[item.kind] += 1
        if item.kind == "se":
            return self.se(item, shown, local)
        prefix = shown + "."
        reserved = _RESERVED[item.kind]
        if item.join < self.g.real:
            self.source[f"{shown}.{reserved}"] = item.join
        if item.kind == "residual":
            out: dict[str, Any] = {"kind": "residual", "name": local}
            # Body and shortcut share one namespace: their names are shown alike.
            taken_names: set[str] = set()
            body = self.layers(item.branches[0], prefix, reserved, taken_names)
            shortcut = self.layers(item.branches[1], prefix, reserved, taken_names)
            if not body:  # everything in it was left out (ops mncost does not count)
                body, shortcut = shortcut, []
            if not body:
                raise NestError(f"node {quote(join.name)} adds two maps with nothing counted")
            out["body"] = body
            if shortcut:
                out["shortcut"] = shortcut
            if join.act != "none":
                out["act"] = join.act
            return out
        taken_names = set()
        branches = [self.layers(b, prefix, reserved, taken_names) for b in item.branches]
        return {"kind": "concat", "name": local, "branches": branches}

    def layers(
        self, items: list[Any], prefix: str, reserved: str, taken: set[str]
    ) -> list[dict[str, Any]]:
        """The spec layers of ``items`` inside a composite whose parts are shown as
        ``prefix + name``; names are unique in ``taken`` (one set for all the parts of a
        composite: a residual's body and shortcut, a concat's branches)."""
        if reserved:
            taken.add(reserved)
        out: list[dict[str, Any]] = []
        for item in items:
            full = self.full_name(item)
            local = full[len(prefix) :] if full.startswith(prefix) else full
            local = self.unique(local or full, taken)
            layer = self.layer(item, prefix + local, local)
            if layer is not None:
                out.append(layer)
        return out

    def se(self, item: Join, shown: str, local: str) -> dict[str, Any]:
        ops = [self.g.ops[p.op] for p in item.branches[0]]
        indices = [p.op for p in item.branches[0]]
        convs = [k for k, op in enumerate(ops) if op.kind == "conv"]
        reduce, expand = ops[convs[0]], ops[convs[1]]
        act = reduce.act if reduce.act != "none" else ops[2].act if convs[1] > 2 else "none"
        gate = (
            expand.act
            if expand.act != "none"
            else ops[-1].act
            if convs[1] < len(ops) - 1
            else "none"
        )
        out: dict[str, Any] = {
            "kind": "se",
            "name": local,
            "squeeze": self.raw[indices[convs[0]] + 1],
        }
        if act != "relu":
            out["act"] = act
        if gate != "hsigmoid":
            out["gate"] = gate
        if not reduce.bias:
            out["bias"] = False
        for part, k in (("pool", 0), ("reduce", convs[0]), ("expand", convs[1])):
            self.source[f"{shown}.{part}"] = indices[k]
        self.source[f"{shown}.scale"] = item.join
        return out


def _pair(value: Any) -> Any:
    a, b = value
    return a if a == b else [a, b]


def _padding(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if len(value) == 4:
        top, left, bottom, right = value
        if top == bottom and left == right:
            return top if top == left else [top, left]
        return [top, left, bottom, right]
    return _pair(value)


def top_level(w: Writer, items: list[Any]) -> list[dict[str, Any]]:
    """The top level: runs of layers of one block (the importer's module path up to its
    first index, ``features.3``) become a ``block``, unless the run is one composite
    that already has the block's name."""
    g = w.g
    groups: list[tuple[str, list[Any]]] = []
    for item in items:
        ops = ops_of([item])
        blocks = {g.ops[o].block for o in ops}
        block = blocks.pop() if len(blocks) == 1 else ""
        if block and not all(g.ops[o].name.startswith(block + ".") for o in ops):
            block = ""
        if groups and block and groups[-1][0] == block:
            groups[-1][1].append(item)
        else:
            groups.append((block, [item]))
    taken: set[str] = set()
    used_blocks = [b for b, _ in groups if b]
    out: list[dict[str, Any]] = []
    for block, members in groups:
        alone = len(members) == 1 and (
            isinstance(members[0], Prim) or w.full_name(members[0]) == block
        )
        if not block or alone or used_blocks.count(block) > 1 or block in taken:
            out.extend(w.layers(members, "", "", taken))
            continue
        name = w.unique(block, taken)
        layers = w.layers(members, name + ".", "", set())
        if layers:
            w.counts["block"] += 1
            out.append({"kind": "block", "name": name, "layers": layers})
    return out
