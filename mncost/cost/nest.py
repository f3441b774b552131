"""Nesting an imported graph into the spec language: ``mncost import model.onnx``.

An imported ONNX graph is counted as a program (:mod:`mncost.cost.onnx_import`): a flat
dataflow graph of primitive ops. :func:`nest` finds in it the spec's composites, so that
the graph can be written as an editable spec file (:func:`mncost.arch.dump.spec_yaml`):

- a **chain** of primitive ops is a list of layers;
- where a tensor feeds several ops, the first tensor every path from it runs through
  (its immediate post-dominator) is where they join. The op that writes it must be an
  **Add** (a ``residual``: a body, and a shortcut or the identity), a **Concat** (a
  ``concat`` of the branches in the order it joins them) or a **Mul** of the map by a
  gate computed from it (an ``se`` block: global average pool, 1x1 conv, 1x1 conv);
- each branch is nested the same way, between the fork and its input of the join.

A graph nests when every op lies on exactly one branch of each join around it and reads
nothing from outside its branch. Where it does not, :class:`~mncost.errors.NestError`
names the node that breaks the nesting and why (a connection that skips across a
join, several outputs, a channel slice, a resize by a fraction).

One rewrite keeps the values and makes DenseNet nest: a Concat whose first inputs are
exactly those of an earlier Concat reads that Concat's output instead (torchvision's
DenseNet concatenates all earlier features again in every layer; the values are the
same). The rewrite moves the point where the earlier features may be freed, so the spec
can count another activation peak: :func:`nest` recounts both and says so.

The result is checked by counting it (:func:`check`): the spec's mult-adds and params,
layer by layer and in total, must equal the graph's at width 1, or nothing is written.
Counting an imported graph never goes through this module; only writing it as a spec
does.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from mncost.cost.graph import Op
from mncost.cost.model import GraphModel
from mncost.cost.scaling import Resolution
from mncost.errors import NestError
from mncost.limits import MAX_SPEC_DEPTH
from mncost.text import escape_controls, quote

__all__ = ["Nested", "NestError", "check", "nest"]

MAX_NESTING = (MAX_SPEC_DEPTH - 4) // 2
"""Composites inside composites, at most: each takes two levels of a spec file's
nesting (a list of layers, and the layer)."""
MAX_NAME = 200
"""A spec's names are at most this long (mncost.arch.ops.LayerBase.name)."""

_RESERVED = {"residual": "add", "concat": "concat"}
"""The name each composite gives its join op; no part of it may take that name."""


@dataclass
class Nested:
    """An imported graph as spec data, and what the reader should know about it."""

    spec: dict[str, Any]
    """The spec as data (what a spec file holds), ready for
    :func:`mncost.arch.load.parse_spec` and :func:`mncost.arch.dump.spec_yaml`."""
    source: dict[str, int] = field(default_factory=dict)
    """Each counted layer's shown name in the spec -> the index of its op in the graph."""
    notes: list[str] = field(default_factory=list)
    """What differs from the graph, or was left out, in one line each."""
    counts: dict[str, int] = field(default_factory=dict)
    """How many of each composite the spec has (residual, concat, se, block)."""


# --- the tree ---------------------------------------------------------------------


@dataclass
class _Prim:
    op: int


@dataclass
class _Join:
    kind: str
    """residual, concat or se."""
    join: int
    """The op that joins the branches."""
    branches: list[list[Any]]
    """residual: [body, shortcut]; concat: its branches; se: [the gate's prims]."""


def _ops_of(items: list[Any]) -> list[int]:
    out: list[int] = []
    for item in items:
        if isinstance(item, _Prim):
            out.append(item.op)
        else:
            out.append(item.join)
            for branch in item.branches:
                out.extend(_ops_of(branch))
    return out


class _Graph:
    """The program's dataflow: which ops read each tensor, op by op."""

    def __init__(self, ops: list[Op]) -> None:
        self.ops = list(ops)
        self.real = len(ops)
        """Ops from this index on are virtual: concats the spec adds (see regroup)."""
        self.inputs: list[tuple[int, ...]] = [tuple(op.inputs) for op in ops]
        self.rewritten: list[str] = []
        self.regrouped: list[str] = []
        self._dense_concats()
        n = len(ops) + 1
        self.readers: list[list[int]] = [[] for _ in range(n)]
        for i, ins in enumerate(self.inputs):
            for t in dict.fromkeys(ins):
                self.readers[t].append(i)

    def virtual_concat(self, inputs: tuple[int, ...], name: str) -> int:
        """A concat of ``inputs`` the graph does not have (its values are a run of a
        Concat's inputs): the op's index."""
        i = len(self.ops)
        self.ops.append(Op(name, "concat", "concat", "", inputs, i + 1, width=("sum",)))
        self.inputs.append(inputs)
        self.readers.append([])
        for t in dict.fromkeys(inputs):
            self.readers[t].append(i)
        return i

    def _dense_concats(self) -> None:
        # A Concat of (a, b, c) after a Concat of (a, b) reads that concat and c.
        seen: dict[tuple[int, ...], int] = {}
        for i, op in enumerate(self.ops):
            if op.kind != "concat":
                continue
            original = self.inputs[i]
            ins = original
            for k in range(len(ins) - 1, 1, -1):
                earlier = seen.get(ins[:k])
                if earlier is not None:
                    ins = (earlier + 1, *ins[k:])
                    self.rewritten.append(op.name)
                    break
            seen.setdefault(original, i)
            self.inputs[i] = ins

    def out_edges(self, t: int, allowed: set[int] | None, end: int | None) -> int:
        """How many (op, input) edges leave tensor t inside the region, 1 for a region's
        end or the graph's output."""
        if t == end:
            return 1
        n = sum(self.inputs[o].count(t) for o in self.readers[t] if allowed is None or o in allowed)
        return n if n else 1  # no reader: an output of the graph

    def name(self, t: int) -> str:
        return "the input" if t == 0 else quote(self.ops[t - 1].name)


def _join_of(g: _Graph, c: int, end: int | None, allowed: set[int] | None) -> tuple[int, set[int]]:
    """The op that writes the first tensor every path from tensor ``c`` runs through (its
    immediate post-dominator in the region), and the ops between (the join included).

    One pass over the ops reachable from ``c`` in program order (a topological order):
    an op is the join when, after it, every edge still open leaves its output."""
    reached = {c}
    pending = g.out_edges(c, allowed, end)
    heap = [o for o in g.readers[c] if allowed is None or o in allowed]
    heapq.heapify(heap)
    queued = set(heap)
    between: set[int] = set()
    while heap:
        o = heapq.heappop(heap)
        between.add(o)
        pending -= sum(1 for t in g.inputs[o] if t in reached)
        t = o + 1
        reached.add(t)
        out = g.out_edges(t, allowed, end)
        pending += out
        if pending == out:
            return o, between
        if t == end:
            continue
        for r in g.readers[t]:
            if r not in queued and (allowed is None or r in allowed):
                queued.add(r)
                heapq.heappush(heap, r)
    readers = [g.ops[o].name for o in g.readers[c] if allowed is None or o in allowed]
    shown = ", ".join(quote(r) for r in readers[:3]) + (", ..." if len(readers) > 3 else "")
    raise NestError(
        f"the branches that read {g.name(c)} ({shown}) never join again: the graph has "
        "several outputs, or a branch that ends nowhere"
    )


def _sequence(
    g: _Graph, start: int, end: int | None, allowed: set[int] | None, depth: int = 0
) -> list[Any]:
    """The layers from tensor ``start`` to tensor ``end`` (None: the graph's output),
    inside ``depth`` composites."""
    if depth > MAX_NESTING:
        raise NestError(
            f"the branches from {g.name(start)} lie inside more than {MAX_NESTING} joins; "
            f"a spec file nests at most {MAX_NESTING} composites deep"
        )
    items: list[Any] = []
    c = start
    while c != end:
        readers = [o for o in g.readers[c] if allowed is None or o in allowed]
        if not readers:
            if end is None:
                return items
            raise NestError(f"{g.name(c)} does not lead to the join")  # pragma: no cover
        if len(readers) == 1 and g.inputs[readers[0]] == (c,):
            items.append(_Prim(readers[0]))
            c = readers[0] + 1
            continue
        join, between = _join_of(g, c, end, allowed)
        items.append(_composite(g, c, join, between, depth))
        c = join + 1
    return items


def _composite(g: _Graph, c: int, join: int, between: set[int], depth: int) -> _Join:
    op = g.ops[join]
    inside = {c} | {o + 1 for o in between}
    for o in sorted(between):
        outside = [t for t in g.inputs[o] if t not in inside]
        if outside:
            raise NestError(
                f"node {quote(g.ops[o].name)} reads {g.name(outside[0])}, which is outside "
                f"the block from {g.name(c)} to {quote(op.name)}: a connection that skips "
                "across a join does not nest"
            )
    if op.kind not in ("add", "concat", "scale"):
        raise NestError(
            f"node {quote(op.name)} ({op.kind}) is where the branches from {g.name(c)} "
            "meet; only an Add, a Concat or a squeeze-and-excite Mul joins branches"
        )
    body = between - {join}
    ends = g.inputs[join]
    owners = _owners(g, c, ends, body)
    groups = _groups(owners, len(ends))
    if len(groups) < len(ends):
        shared = next(o for o, ps in owners.items() if len(ps) > 1)
        if op.kind != "concat" or any(
            list(grp) != list(range(grp[0], grp[-1] + 1)) for grp in groups
        ):
            raise NestError(
                f"node {quote(g.ops[shared].name)} feeds two inputs of {quote(op.name)}: "
                "branches that share a layer do not nest"
            )
        # A Concat of a run of maps that share a layer (an exporter flattened a concat
        # inside a concat, as in Inception's Mixed_7b): that run is a concat of its own.
        g.regrouped.append(op.name)
        runs = []
        for k, grp in enumerate(groups):
            if len(grp) == 1:
                runs.append((ends[grp[0]], {o for o, ps in owners.items() if ps == {grp[0]}}))
                continue
            inner = g.virtual_concat(tuple(ends[p] for p in grp), f"{op.name}.{k}")
            mine = {o for o, ps in owners.items() if ps & set(grp)} | {inner}
            runs.append((inner + 1, mine))
        branches = [_sequence(g, c, t, mine, depth + 1) if t != c else [] for t, mine in runs]
        return _Join("concat", join, branches)
    branches = []
    for p, t in enumerate(ends):
        mine = {o for o, ps in owners.items() if ps == {p}}
        branches.append(_sequence(g, c, t, mine, depth + 1) if t != c else [])
    if op.kind == "concat":
        return _Join("concat", join, branches)
    if op.kind == "add":
        if len(branches) != 2 or not any(branches):
            raise NestError(f"node {quote(op.name)} adds a map to itself, which does not nest")
        first = [min(_ops_of(b), default=len(g.ops)) for b in branches]
        body_at = 0 if first[0] <= first[1] else 1
        if not branches[body_at]:
            body_at = 1 - body_at
        return _Join("residual", join, [branches[body_at], branches[1 - body_at]])
    # scale: the map times a gate computed from it
    big, gate = ends
    if big != c or not _is_se(g, gate, branches[1]):
        raise NestError(
            f"node {quote(op.name)} multiplies {g.name(big)} by a gate that is not a "
            "squeeze-and-excite of it (global average pool, 1x1 conv, 1x1 conv, gate)"
        )
    return _Join("se", join, [branches[1]])


def _owners(g: _Graph, c: int, ends: tuple[int, ...], body: set[int]) -> dict[int, set[int]]:
    """For each op between the fork ``c`` and a join, the join's inputs it leads to."""
    owners: dict[int, set[int]] = {}
    for p, t in enumerate(ends):
        stack = [t - 1] if t != c else []
        while stack:
            o = stack.pop()
            if o not in body or p in owners.get(o, ()):
                continue
            owners.setdefault(o, set()).add(p)
            stack.extend(t2 - 1 for t2 in g.inputs[o] if t2 != c)
    return owners


def _groups(owners: dict[int, set[int]], n: int) -> list[list[int]]:
    """The join's inputs, grouped where their branches share an op (sorted groups)."""
    parent = list(range(n))

    def find(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for ps in owners.values():
        first = min(ps)
        for p in ps:
            parent[find(p)] = find(first)
    groups: dict[int, list[int]] = {}
    for p in range(n):
        groups.setdefault(find(p), []).append(p)
    return sorted(groups.values())


def _is_se(g: _Graph, gate: int, items: list[Any]) -> bool:
    """pool(global average) -> 1x1 conv with bias -> [act] -> 1x1 conv with bias -> [act]."""
    if not items or not all(isinstance(i, _Prim) for i in items):
        return False
    ops = [g.ops[i.op] for i in items]
    if ops[0].kind != "pool" or ops[0].role != "avgpool" or ops[0].pool != "global":
        return False
    convs = [k for k, op in enumerate(ops) if op.kind == "conv"]
    if len(convs) != 2 or convs[0] != 1:
        return False
    for k in convs:
        op = ops[k]
        if (
            op.kernel != (1, 1)
            or op.groups != 1
            or op.batch_norm
            or op.bias != ops[convs[0]].bias
            or op.stride != (1, 1)
            or op.width[0] not in ("filters", "tensor")
        ):
            return False
    acts = [op for k, op in enumerate(ops) if k not in convs and k != 0]
    if any(op.kind != "map" or op.role != "act" for op in acts):
        return False
    # At most one activation after each conv, and none where the conv has its own.
    after_first = ops[2 : convs[1]]
    after_second = ops[convs[1] + 1 :]
    if len(after_first) > 1 or len(after_second) > 1:
        return False
    if (after_first and ops[1].act != "none") or (after_second and ops[convs[1]].act != "none"):
        return False
    return True


# --- the spec ---------------------------------------------------------------------


_PLAIN_NAME = re.compile(r"[^.]+")


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


class _Writer:
    def __init__(self, model: GraphModel, g: _Graph) -> None:
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
        if isinstance(item, _Prim):
            return self.g.ops[item.op].name
        join: str = self.g.ops[item.join].name
        names = [self.g.ops[o].name for b in item.branches for o in _ops_of(b)]
        if names and all(n.startswith(join + ".") for n in names):
            return join  # the module that joins (torch: the block) holds every part
        common = _common_prefix(names)
        if common:
            return common
        return join

    def layer(self, item: Any, shown: str, local: str) -> dict[str, Any] | None:
        if isinstance(item, _Prim):
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

    def se(self, item: _Join, shown: str, local: str) -> dict[str, Any]:
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


def _blocks(w: _Writer, items: list[Any]) -> list[dict[str, Any]]:
    """The top level: runs of layers of one block (the importer's module path up to its
    first index, ``features.3``) become a ``block``, unless the run is one composite
    that already has the block's name."""
    g = w.g
    groups: list[tuple[str, list[Any]]] = []
    for item in items:
        ops = _ops_of([item])
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
            isinstance(members[0], _Prim) or w.full_name(members[0]) == block
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


def _depth(data: Any) -> int:
    """How many lists and mappings deep ``data`` is (as a spec file would hold it)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level)
        stack.extend((v, level + 1) for v in value)
    return deepest


def nest(model: GraphModel, resolution: Resolution | None = None) -> Nested:
    """``model`` (an imported graph) as spec data, its input size ``resolution`` (default:
    the graph's own); :class:`NestError` names the node where it does not nest."""
    program = model.program
    if program.alpha_blocked and "slices" in program.alpha_blocked:
        first = next((op for op in program.ops if op.role == "slice"), None)
        if first is not None:
            raise NestError(
                f"node {quote(first.name)} takes a slice of its input's channels, which the "
                "spec language cannot say"
            )
    g = _Graph(program.ops)
    items = _sequence(g, 0, None, None)
    seen = {o for o in _ops_of(items) if o < g.real}
    if len(seen) != len(program.ops):
        missed = next(op for i, op in enumerate(program.ops) if i not in seen)
        raise NestError(
            f"node {quote(missed.name)} is not on the path from the input to the output"
        )
    w = _Writer(model, g)
    layers = _blocks(w, items)
    if resolution is None:
        resolution = model.resolution
    spec: dict[str, Any] = {
        "name": model.name,
        # The source names the file, and a file's name may hold any character: escaped,
        # as every name mncost shows is, so that the description is valid text.
        "description": (
            f"Imported from {escape_controls(model.source)}" if model.source else "Imported"
        )[:2000],
        "input_channels": model.input_channels,
    }
    if resolution is not None:
        spec["resolution"] = list(resolution) if isinstance(resolution, tuple) else resolution
    spec["classes"] = model.classes
    if model.width.rule != "round" or model.width.min_value is not None:
        width: dict[str, Any] = {"rule": model.width.rule}
        if model.width.rule == "make_divisible":
            width["divisor"] = model.width.divisor
        if model.width.min_value is not None:
            width["min_value"] = model.width.min_value
        spec["width"] = width
    spec["layers"] = layers
    if _depth(spec) > MAX_SPEC_DEPTH:
        raise NestError(
            f"the graph nests deeper than a spec file may ({MAX_SPEC_DEPTH} levels of lists "
            "and mappings)"
        )
    notes = []
    if g.rewritten:
        notes.append(
            f"{len(g.rewritten)} Concat node(s) ({quote(g.rewritten[0])}"
            + (", ..." if len(g.rewritten) > 1 else "")
            + ") read the Concat before them instead of its inputs (the same values: "
            "a running concatenation, as DenseNet's)"
        )
    if g.regrouped:
        notes.append(
            f"{len(g.regrouped)} Concat node(s) ({quote(g.regrouped[0])}"
            + (", ..." if len(g.regrouped) > 1 else "")
            + ") join maps that share a layer; the spec nests each such run as a concat "
            "inside the concat (the same values, and one more 0-MAC concat each)"
        )
    if w.left_out:
        notes.append(
            f"left out: {len(w.left_out)} op(s) mncost does not count ("
            + ", ".join(w.left_out[:3])
            + (", ..." if len(w.left_out) > 3 else "")
            + "); they count 0 MACs and 0 params either way"
        )
    return Nested(spec=spec, source=w.source, notes=notes, counts=w.counts)


@dataclass(frozen=True)
class Check:
    """How the spec's counts compare with the graph's."""

    macs: int
    params: int
    """The graph's totals at width 1, under the default conventions (as ``mncost table``
    counts them)."""
    layers: int
    alpha: Fraction | None
    """The other width the spec was recounted at (None: the graph cannot be scaled)."""
    notes: tuple[str, ...]
    """Where the spec counts differently from the graph beyond width 1 (alpha, memory)."""


def check(model: GraphModel, nested: Nested, arch: Any, resolution: Resolution) -> Check:
    """Count ``arch`` (the nested spec, parsed) and ``model`` layer by layer at
    ``resolution``: NestError when their mult-adds, params (every batch-norm value
    counted) or output shapes differ at width 1; notes where they differ at another width
    or in peak activation memory."""
    from mncost.cost.conventions import Conventions
    from mncost.cost.memory import count_memory
    from mncost.cost.result import count

    conventions = Conventions(bn="all")
    notes: list[str] = []

    def compare(alpha: Fraction) -> str:
        graph = count(model, alpha, resolution, None, conventions)
        spec = count(arch, alpha, resolution, None, conventions)
        by_op = {row.name: row for row in graph.layers}
        names = [model.program.ops[i].name for i in range(len(model.program.ops))]
        rows = {row.name: row for row in spec.layers}
        for shown, op in nested.source.items():
            mine, theirs = rows.get(shown), by_op.get(names[op])
            if mine is None or theirs is None:
                return f"layer {quote(shown)} is missing from the spec's count"
            if (mine.mult_adds, mine.params, mine.output) != (
                theirs.mult_adds,
                theirs.params,
                theirs.output,
            ):
                return (
                    f"layer {quote(shown)} counts {mine.mult_adds:,} MACs, {mine.params:,} "
                    f"params, output {mine.output} in the spec and {theirs.mult_adds:,} MACs, "
                    f"{theirs.params:,} params, output {theirs.output} in the graph "
                    f"(node {quote(names[op])})"
                )
        if spec.total != graph.total:
            return (
                f"the spec counts {spec.total.mult_adds:,} MACs and {spec.total.params:,} "
                f"params, the graph {graph.total.mult_adds:,} and {graph.total.params:,}"
            )
        return ""

    problem = compare(Fraction(1))
    if problem:
        raise NestError(f"the nested spec does not count as the graph does: {problem}")
    other: Fraction | None = None
    if not model.alpha_blocked:
        other = Fraction(1, 2)
        try:
            problem = compare(other)
        except ValueError as exc:  # ScalingError: a width the rounding takes to nothing
            problem = f"it cannot be counted ({exc})"
        if problem:
            notes.append(f"at alpha 0.5, {problem}: count the .onnx file itself under --alpha")
    graph_peak = count_memory(model, Fraction(1), resolution, None, conventions).peak.bytes
    spec_peak = count_memory(arch, Fraction(1), resolution, None, conventions).peak.bytes
    if graph_peak != spec_peak:
        notes.append(
            f"peak activation memory: the spec's is {spec_peak:,} bytes and the graph's "
            f"{graph_peak:,} (float32, at width 1), as its joins keep other tensors alive"
        )
    totals = count(model, Fraction(1), resolution).total  # as mncost table shows it
    return Check(
        macs=totals.mult_adds,
        params=totals.params,
        layers=len(nested.source),
        alpha=other,
        notes=tuple(notes),
    )
