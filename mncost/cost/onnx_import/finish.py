"""After the nodes are lowered, the program finished: its classifier tagged
(:func:`tag_classifier`), the graph's width ties kept under alpha or the reason it cannot
be scaled (:func:`tie_widths`), and each fc's weight checked to read its whole input
(:func:`check_fcs`)."""

from __future__ import annotations

from mncost.cost.geometry import spatial_plan
from mncost.cost.graph import Program
from mncost.cost.onnx_import.values import Data, State
from mncost.cost.scaling import Resolution
from mncost.errors import OnnxImportError
from mncost.text import quote


def tag_classifier(program: Program, outputs: list[Data], state: State) -> int:
    """Tag the classifier ("classes",): for a graph whose one output is a vector of
    scores (N, K), the last weighted op before it through ops that do not set widths.
    Returns its width (0: no classifier: a detector's, a segmenter's, a backbone's)."""
    if len(outputs) != 1 or outputs[0].rank != 2:
        return 0
    t = outputs[0].tensor
    while t > 0:
        op = program.ops[t - 1]
        if op.kind in ("conv", "fc"):
            if op.width[0] == "filters":
                units = op.width[1]
                op.width = ("classes",)
                return int(units)
            return 0
        if op.kind in ("concat", "add", "scale") or op.width[0] != "input":
            return 0
        t = op.inputs[0]
    return 0


def tie_widths(program: Program, state: State) -> str:
    """Keep the graph's ties under alpha: the inputs of an Add or a Mul (scale) take the
    earliest input's width. Returns why alpha cannot scale the graph ("" if it can)."""
    ops = program.ops
    parent = list(range(len(state.raw)))

    def find(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for op in ops:
        if op.kind in ("add", "scale"):
            roots = [find(state.source[t]) for t in op.inputs]
            first = min(roots)
            for r in roots:
                parent[r] = first
    blocked = ""
    for t in range(1, len(state.raw)):
        rep = find(t)
        if rep == t or state.source[t] != t:
            continue
        op = ops[t - 1]
        if op.width[0] == "filters" and op.width[2] == "alpha":
            op.width = ("tensor", rep)
        elif not blocked:
            blocked = (
                "the inputs of a join take their channels from "
                f"{quote(ops[rep - 1].name if rep else 'the input')} "
                f"and {quote(op.name)}, which alpha cannot keep equal"
            )
    if state.slices:  # the real reason, whatever join it shows at first
        blocked = (
            f"the graph slices channels ({quote(state.slices[0])}"
            + (f" and {len(state.slices) - 1} more" if len(state.slices) > 1 else "")
            + "): the parts are fixed numbers, so alpha cannot scale it"
        )
    return blocked


def check_fcs(program: Program, state: State, size: Resolution) -> None:
    """Each fc's weight must read every value of its input (checked at the graph's size)."""
    if not state.fcs:
        return

    plan = spatial_plan(program, size, cache=False)
    for fc in state.fcs:
        op = program.ops[fc.op]
        t = op.inputs[0]
        held = plan.heights[t] * plan.widths[t] * state.raw[t]
        if held != fc.in_features:
            raise OnnxImportError(
                f"{quote(fc.name)}: its weight reads {fc.in_features:,} values, but its input "
                f"holds {held:,} ({state.raw[t]} channels of {plan.heights[t]}x{plan.widths[t]})"
            )
