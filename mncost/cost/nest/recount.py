"""The check before a nested spec is written, :func:`check`: the spec and the graph
counted layer by layer, whose mult-adds, params and output shapes must be equal at width
1, with notes where they differ at width 0.5 or in peak activation memory (:class:`Check`).
The counting modules are imported only when a spec is checked."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mncost.cost.conventions import Conventions
from mncost.cost.memory import count_memory
from mncost.cost.model import GraphModel
from mncost.cost.nest.spec import Nested
from mncost.cost.result import count
from mncost.cost.scaling import Resolution
from mncost.errors import NestError
from mncost.text import quote


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
