"""Live sets in one pass, and work linear in the layers (issue 14, item 3).

The oracle is the definition, written out here as the quadratic scan it is: a tensor is
live at op i when it was written at or before i and its last reader (at inference) is i
or later, and an op's own output is live while it is written; a network output (the last
op's, and each head's) is read at the end. Linearity is checked by
counting the Python lines that mncost's own code executes for a deep spec and one four
times deeper: a count, not a time, so a busy machine cannot make it fail or pass.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost.arch.load import parse_spec
from mncost.arch.registry import list_models
from mncost.cost.geometry import program, static_columns

MNCOST = str(Path(mncost.__file__).parent)


def _brute_force_live(prog) -> tuple[tuple[int, ...], ...]:
    ops = prog.ops
    last = [-1] * prog.tensors
    for i, op in enumerate(ops):
        if not op.aux:
            for t in op.inputs:
                last[t] = i
    running = [i for i, op in enumerate(ops) if not op.aux]
    if running:
        last[ops[running[-1]].output] = running[-1]
        for t in prog.outputs:  # a head's output is held until the network ends
            last[t] = max(last[t], running[-1])
    written = [-1] + list(range(len(ops)))  # tensor t is written by op t - 1
    return tuple(
        tuple(t for t in range(prog.tensors) if written[t] <= i <= last[t] or t == op.output)
        for i, op in enumerate(ops)
    )


@pytest.mark.parametrize("name", [entry.name for entry in list_models()])
def test_live_sets_follow_their_definition(name):
    for drop in (False, True):
        prog = program(mncost.get_model(name), drop)
        assert static_columns(prog).live == _brute_force_live(prog)


def _chain(n: int) -> mncost.Architecture:
    layers: list[dict[str, object]] = [{"kind": "conv", "name": "c0", "kernel": 3, "filters": 8}]
    for i in range(n):
        # a residual every few ops, so that skips keep tensors alive across ops
        if i % 5 == 0:
            layers.append(
                {"kind": "residual", "name": f"r{i}", "body": [{"kind": "dw", "name": "d"}]}
            )
        else:
            layers.append({"kind": "pw", "name": f"p{i}", "filters": 8})
    layers += [{"kind": "avgpool", "name": "pool"}, {"kind": "fc", "name": "fc"}]
    return parse_spec({"name": f"chain{n}", "resolution": 16, "classes": 10, "layers": layers})


def _lines_run(work) -> int:
    """Lines of mncost's own code that ``work()`` executes."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if not frame.f_code.co_filename.startswith(MNCOST):
            return None  # no line events inside other libraries' functions
        if event == "line":
            count += 1
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(old)
    return count


def _table_and_memory(arch: mncost.Architecture) -> None:
    from mncost.present.render import render
    from mncost.present.views.cost_table import cost_report
    from mncost.present.views.memory import memory_report

    result = mncost.cost(arch, 1, 16)
    render(cost_report(result), "csv")
    render(memory_report(mncost.memory(arch, 1, 16)), "csv")
    mncost.sweep(arch, [Fraction(1, 2), Fraction(1)], [16, 32])


def test_the_work_of_table_memory_and_sweep_grows_linearly_with_the_layers():
    # Quadratic live sets made 4x the layers cost 16x the lines; linear is 4x. Programs
    # and plans are cached per architecture, and each size is a new architecture.
    small = _lines_run(lambda: _table_and_memory(_chain(1000)))
    large = _lines_run(lambda: _table_and_memory(_chain(4000)))
    assert large / small < 5, (small, large)
