"""Property tests: whatever a stranger types into a numeric option or a spec file, mncost
exits 0 or 2, never prints a traceback, says what went wrong in exactly one line, and
finishes quickly (issue 7's acceptance).

The time bound is a guard against hangs (10**(10**9) took forever), far above a normal
run; speed itself is shown by the benchmarks, not here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli

BOUND_SECONDS = 5.0
_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text that looks like a number often enough to reach the parsers' corners: huge and
# tiny exponents, long digit runs, fractions, signs, non-ASCII digits, and plain junk.
_NUMBERISH = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A[+-]?[0-9]{0,6}(\.[0-9]{0,6})?([eE][+-]?[0-9]{1,12})?\Z"),
    st.from_regex(r"\A[0-9]{1,6}/[0-9]{0,6}\Z"),
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "1e1000000000",
            "1e-1000000000",
            "9" * 5000,
            "²",
            "١٦٠",
            "0x10",
            "1_000",
            " 7 ",
            "-0",
            "nan",
            "inf",
            "3/0",
            "1e400",
        ]
    ),
)


def _check(result, elapsed: float) -> None:
    assert elapsed < BOUND_SECONDS, f"took {elapsed:.1f} s"
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert ": error: " in lines[0]


def _timed(*args: str):
    start = time.perf_counter()
    result = run_cli(*args)
    return result, time.perf_counter() - start


@pytest.mark.parametrize(
    "command,option",
    [
        ("table", "--alpha"),
        ("table", "--res"),
        ("table", "--rho"),
        ("table", "--classes"),
        ("layer", "--alpha"),
        ("layer", "--rho"),
        ("layer", "--kernel"),
        ("layer", "--in"),
        ("layer", "--out"),
        ("layer", "--size"),
        ("layer", "--stride"),
    ],
)
@_SETTINGS
@given(value=_NUMBERISH)
def test_any_numeric_option_text_is_exit_0_or_one_line_exit_2(command, option, value):
    args = [command, option, value]
    if command == "table":
        args += ["--format", "json"]
    result, elapsed = _timed(*args)
    _check(result, elapsed)


@settings(max_examples=25, deadline=None)
@given(alpha=_NUMBERISH, res=_NUMBERISH)
def test_any_highlight_text_is_exit_0_or_one_line_exit_2(alpha, res):
    result, elapsed = _timed(
        "plot",
        "pareto",
        "--source",
        "paper",
        "--family",
        "other",
        "--highlight",
        f"{alpha}/{res}",
        "-o",
        "-",
    )
    _check(result, elapsed)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_KINDS = [
    "conv",
    "dw",
    "pw",
    "avgpool",
    "maxpool",
    "fc",
    "softmax",
    "block",
    "residual",
    "concat",
    "se",
    "inverted_residual",
    "convv",
    "",
]
_FIELDS = [
    "name",
    "kernel",
    "stride",
    "filters",
    "units",
    "size",
    "padding",
    "groups",
    "batch_norm",
    "expansion",
    "layers",
    "body",
    "branches",
    "act",
    "bias",
]


@st.composite
def _layer(draw):
    layer = {"kind": draw(st.sampled_from(_KINDS)), "name": draw(st.text(max_size=6))}
    for field in draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True)):
        layer[field] = draw(st.one_of(_VALUES, st.integers(0, 600)))
    return layer


_SPECS = st.one_of(
    _VALUES,
    st.fixed_dictionaries(
        {"name": st.text(max_size=8), "layers": st.lists(_layer(), max_size=5)},
        optional={
            "resolution": _VALUES,
            "classes": _VALUES,
            "input_channels": _VALUES,
            "width": _VALUES,
        },
    ),
)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@_SETTINGS
@given(doc=_SPECS)
def test_any_small_spec_document_is_exit_0_or_one_line_exit_2(tmp_path: Path, fmt, doc):
    path = tmp_path / f"spec.{fmt}"
    text = json.dumps(doc) if fmt == "json" else yaml.safe_dump(doc, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    result, elapsed = _timed("table", "--spec", str(path), "--format", "csv")
    _check(result, elapsed)


@_SETTINGS
@given(text=st.text(max_size=200))
def test_any_text_as_a_yaml_spec_is_exit_0_or_one_line_exit_2(tmp_path: Path, text):
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    result, elapsed = _timed("table", "--spec", str(path))
    _check(result, elapsed)
