"""Metrics are called by the names of their columns, never by position (issue 20, item 3).

A metric's parameters name the geometry columns it reads; the interpreter gives it a
mapping of columns by name. A metric that builds on another (weight bytes on the
parameters, a conv's bytes on every op's) must call it by keyword too: a positional call
of ten columns goes wrong silently when one metric gains a column.
"""

from __future__ import annotations

import ast
import inspect
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost.arch.registry import get_model
from mncost.cost import METRICS, Conventions
from mncost.cost.result import count

METRIC_MODULES = sorted((Path(mncost.__file__).parent / "cost" / "metrics").glob("*.py"))
METRIC_FUNCTIONS = {m.fn.__name__ for m in METRICS.values()}


def _calls_of_metrics(path: Path) -> list[tuple[int, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in METRIC_FUNCTIONS
        ):
            found.append((node.lineno, node.func.id, len(node.args)))
    return found


@pytest.mark.parametrize("path", METRIC_MODULES, ids=lambda p: p.name)
def test_a_metric_calls_another_by_keyword(path):
    # At most one positional argument: the conventions.
    positional = [(line, name, n) for line, name, n in _calls_of_metrics(path) if n > 1]
    assert not positional, f"{path.name}: metrics called by position: {positional}"


def test_the_guard_sees_the_calls_it_guards():
    # weight_bytes builds on params, and the conv bytes on weight_bytes: the guard above
    # would pass vacuously if it found no call.
    calls = [c for p in METRIC_MODULES for c in _calls_of_metrics(p)]
    assert {"params", "weight_bytes", "activation_bytes"} <= {name for _, name, _ in calls}


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_parameter_is_a_column_and_a_count(name):
    m = METRICS[name]
    g = count(get_model("mobilenet-v2"), Fraction(1), 224).geometry
    params = inspect.signature(m.fn).parameters
    for column in m.columns:
        g.column(column)  # a KeyError names a parameter that is no column
        assert params[column].annotation == "Count", (name, column)
    assert inspect.signature(m.fn).return_annotation == "Count"


def test_a_metric_from_a_mapping_is_its_per_op_values():
    # MobileNet v2's first conv, by hand: 3x3x3x32 weights at 112x112 output, batch norm
    # after it (no bias): 864 params, 864 * 112 * 112 = 10,838,016 MACs.
    g = count(get_model("mobilenet-v2"), Fraction(1), 224).geometry
    first = {c: g.column(c)[0] for c in METRICS["params"].columns + METRICS["mult_adds"].columns}
    assert METRICS["params"].per_op(first, Conventions()) == 864
    assert METRICS["mult_adds"].per_op(first, Conventions()) == 10_838_016
