"""The graph as the nesting reads it: the program's dataflow (:class:`Dataflow`: which ops
read each tensor, with DenseNet's running concatenations read from the Concat before them,
and the concats the spec adds), and the tree the nesting builds of it: an op of its own
(:class:`Prim`) or a composite whose branches join at one op (:class:`Join`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mncost.cost.graph import Op
from mncost.text import quote


@dataclass
class Prim:
    """One op of the graph, as a layer of its own."""

    op: int


@dataclass
class Join:
    """A composite: branches from one tensor that join again at one op."""

    kind: str
    """residual, concat or se."""
    join: int
    """The op that joins the branches."""
    branches: list[list[Any]]
    """residual: [body, shortcut]; concat: its branches; se: [the gate's prims]."""


def ops_of(items: list[Any]) -> list[int]:
    """Every op of ``items``, their composites' joins and branches included."""
    out: list[int] = []
    for item in items:
        if isinstance(item, Prim):
            out.append(item.op)
        else:
            out.append(item.join)
            for branch in item.branches:
                out.extend(ops_of(branch))
    return out


class Dataflow:
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
