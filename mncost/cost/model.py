"""A model the engine counts: a spec's :class:`~mncost.arch.ops.Architecture`, or a
:class:`GraphModel`, a network given directly as a program (an imported ONNX graph).

A spec is lowered to its program (:func:`mncost.cost.graph.lower`); a graph model *is*
a program, with the few facts about it that a spec would state: its name, its input
(channels and default size), its classes and its width rule. Every part of the engine
takes either (:data:`Model`), so a graph that does not nest into the spec language's
composites is counted all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from mncost.arch.ops import Architecture
from mncost.cost.graph import Op, Program
from mncost.cost.scaling import Resolution

__all__ = ["GraphModel", "GraphWidth", "Model", "NotCounted"]


@dataclass(frozen=True)
class GraphWidth:
    """A graph model's channel rounding rule under alpha (as a spec's ``width``)."""

    rule: Literal["round", "floor", "make_divisible"] = "round"
    divisor: int = 8
    min_value: int | None = None


@dataclass(frozen=True)
class NotCounted:
    """Ops of an imported graph that mncost does not know: listed, never guessed."""

    op_type: str
    count: int
    names: tuple[str, ...]
    """Up to a few of their node names, for the reader to find them."""


@dataclass(frozen=True, eq=False)
class GraphModel:
    """A network given as a program: what :func:`mncost.cost.result.count` and every other
    part of the engine read, like an Architecture's lowered program."""

    name: str
    """As outputs show it (an ONNX file's graph name, or its file name)."""
    program: Program
    """The ops in execution order; the classifier's width is tagged ("classes",)."""
    resolution: Resolution
    """The input size the graph was given at: a side, or (height, width)."""
    classes: int
    """The classifier's width (0 when the graph has no classifier)."""
    description: str = ""
    input_channels: int = 3
    width: GraphWidth = field(default_factory=GraphWidth)
    """How --alpha scales the graph's widths (default: round(c * alpha))."""
    source: str = ""
    """Where it came from, in words ("ONNX file model.onnx, opset 17")."""
    not_counted: tuple[NotCounted, ...] = ()
    """Ops the importer does not know, by type: they count nothing."""
    alpha_blocked: str = ""
    """Why --alpha cannot scale this graph ("" when it can)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Importer facts kept for reports (the opset, the producer, symbolic dims)."""

    def with_width(self, width: GraphWidth) -> GraphModel:
        """The same graph under another width rule."""
        return replace(self, width=width)

    def drop_classifier(self) -> Program:
        """The program up to (not including) the classifier: what ``--classes 0`` counts.

        The classifier is the op whose width is tagged ("classes",); everything after it
        goes too, as for a spec."""
        ops: list[Op] = []
        for op in self.program.ops:
            if op.width[0] == "classes":
                break
            ops.append(op)
        cut = Program(
            name=self.program.name,
            input_channels=self.program.input_channels,
            classes=0,
            ops=ops,
            tensors=len(ops) + 1,
            raw_channels=self.program.raw_channels[: len(ops) + 1],
            alpha_blocked=self.program.alpha_blocked,
        )
        return cut


Model = Architecture | GraphModel
"""Anything the engine counts."""
