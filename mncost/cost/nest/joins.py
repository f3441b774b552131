"""Finding the composites: from each tensor that feeds several ops, the op where the
branches join again (its immediate post-dominator), checked to be an Add, a Concat or a
squeeze-and-excite Mul, with every op on one branch and reading nothing from outside it;
the branches are nested the same way (:func:`sequence`), at most :data:`MAX_NESTING`
deep. Where the graph does not nest, :class:`~mncost.errors.NestError` names the node."""

from __future__ import annotations

import heapq
from typing import Any

from mncost.cost.nest.dataflow import Dataflow, Join, Prim, ops_of
from mncost.errors import NestError
from mncost.limits import MAX_SPEC_DEPTH
from mncost.text import quote

MAX_NESTING = (MAX_SPEC_DEPTH - 4) // 2
"""Composites inside composites, at most: each takes two levels of a spec file's
nesting (a list of layers, and the layer)."""


def _join_of(
    g: Dataflow, c: int, end: int | None, allowed: set[int] | None
) -> tuple[int, set[int]]:
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


def sequence(
    g: Dataflow, start: int, end: int | None, allowed: set[int] | None, depth: int = 0
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
            items.append(Prim(readers[0]))
            c = readers[0] + 1
            continue
        join, between = _join_of(g, c, end, allowed)
        items.append(_composite(g, c, join, between, depth))
        c = join + 1
    return items


def _composite(g: Dataflow, c: int, join: int, between: set[int], depth: int) -> Join:
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
        branches = [sequence(g, c, t, mine, depth + 1) if t != c else [] for t, mine in runs]
        return Join("concat", join, branches)
    branches = []
    for p, t in enumerate(ends):
        mine = {o for o, ps in owners.items() if ps == {p}}
        branches.append(sequence(g, c, t, mine, depth + 1) if t != c else [])
    if op.kind == "concat":
        return Join("concat", join, branches)
    if op.kind == "add":
        if len(branches) != 2 or not any(branches):
            raise NestError(f"node {quote(op.name)} adds a map to itself, which does not nest")
        first = [min(ops_of(b), default=len(g.ops)) for b in branches]
        body_at = 0 if first[0] <= first[1] else 1
        if not branches[body_at]:
            body_at = 1 - body_at
        return Join("residual", join, [branches[body_at], branches[1 - body_at]])
    # scale: the map times a gate computed from it
    big, gate = ends
    if big != c or not _is_se(g, gate, branches[1]):
        raise NestError(
            f"node {quote(op.name)} multiplies {g.name(big)} by a gate that is not a "
            "squeeze-and-excite of it (global average pool, 1x1 conv, 1x1 conv, gate)"
        )
    return Join("se", join, [branches[1]])


def _owners(g: Dataflow, c: int, ends: tuple[int, ...], body: set[int]) -> dict[int, set[int]]:
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


def _is_se(g: Dataflow, gate: int, items: list[Any]) -> bool:
    """pool(global average) -> 1x1 conv with bias -> [act] -> 1x1 conv with bias -> [act]."""
    if not items or not all(isinstance(i, Prim) for i in items):
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
