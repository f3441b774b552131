"""The nesting itself, :func:`nest`: an imported graph's ops nested into a tree, written as
spec layers and wrapped in the spec's header (name, description, input, classes, width
rule), as :class:`Nested` with the notes on what differs from the graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mncost.cost.model import GraphModel
from mncost.cost.nest.dataflow import Dataflow, ops_of
from mncost.cost.nest.joins import sequence
from mncost.cost.nest.writer import Writer, top_level
from mncost.cost.scaling import Resolution
from mncost.errors import NestError
from mncost.limits import MAX_SPEC_DEPTH
from mncost.text import escape_controls, quote


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
    g = Dataflow(program.ops)
    items = sequence(g, 0, None, None)
    seen = {o for o in ops_of(items) if o < g.real}
    if len(seen) != len(program.ops):
        missed = next(op for i, op in enumerate(program.ops) if i not in seen)
        raise NestError(
            f"node {quote(missed.name)} is not on the path from the input to the output"
        )
    w = Writer(model, g)
    layers = top_level(w, items)
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
