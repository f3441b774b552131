"""The Python API says what is wrong (issue 14, items 7 and 8).

A wrong type of argument is a TypeError naming the argument; a wrong value a ValueError
(one of mncost's, with the command line's one-line message) naming it; never an
AttributeError, an "unhashable type" or an endless loop from deep inside.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import mncost
from mncost.cost.scaling import ScalingError


def test_numpy_numbers_are_read_as_their_shortest_decimal():
    # The CLI reads "0.75" as exactly 3/4; numpy.float64(0.75) is the same number.
    assert mncost.cost("mobilenet-v1", alpha=np.float64(0.75), resolution=np.int64(160)).alpha == (
        Fraction(3, 4)
    )
    assert (
        mncost.cost("mobilenet-v1", np.float64(0.75), 160).total.mult_adds
        == mncost.cost("mobilenet-v1", "0.75", 160).total.mult_adds
    )
    assert mncost.cost("mobilenet-v1", alpha=np.float32(0.1)).alpha == Fraction(1, 10)
    frame = mncost.sweep("mobilenet-v2", np.array([0.5, 1.0]), np.array([128, 224]))
    assert list(frame["alpha"]) == [0.5, 0.5, 1.0, 1.0]
    best = mncost.choose("mobilenet-v2", max_macs=np.float64(1e8), top=1).candidates[0]
    assert best.figures["mult_adds"] <= 100_000_000


@pytest.mark.parametrize(
    "call,argument",
    [
        (lambda: mncost.cost(["mobilenet-v1"]), "model"),
        (lambda: mncost.cost(None), "model"),
        (lambda: mncost.memory(3), "model"),
        (lambda: mncost.latency(device=None), "device"),
        (lambda: mncost.latency(device=123), "device"),
        (lambda: mncost.sweep("mobilenet-v2", [0.5], [128], device=123), "device"),
        (lambda: mncost.choose(device={}), "device"),
        (lambda: mncost.choose(3), "family"),
        (lambda: mncost.choose(dtype=["int8"]), "dtype"),
        (lambda: mncost.choose(max_macs=[1]), "max_macs"),
        (lambda: mncost.compare(None, "mobilenet-v2"), "a"),
        (lambda: mncost.cost(alpha=[0.5]), "alpha"),
        (lambda: mncost.cost(resolution="224"), "resolution"),
        (lambda: mncost.cost(resolution=[224]), "resolution"),
        (lambda: mncost.cost(classes="10"), "classes"),
        (lambda: mncost.cost(bn=None), "bn"),
        (lambda: mncost.cost(fc_bias="no"), "fc_bias"),
        (lambda: mncost.memory(dw_inplace="yes"), "dw_inplace"),
        (lambda: mncost.sweep("mobilenet-v2", 0.5, [128]), "alphas"),
        (lambda: mncost.sweep("mobilenet-v2", [0.5], [128], metrics=5), "metrics"),
        (lambda: mncost.load_spec(5), "path"),
    ],
)
def test_a_wrong_type_is_a_type_or_value_error_naming_the_argument(call, argument):
    with pytest.raises((TypeError, ValueError)) as caught:
        call()
    assert not isinstance(caught.value, KeyError)
    message = str(caught.value)
    assert message.startswith(argument) or f" {argument} " in f" {message} ", message
    assert "unhashable" not in message and "attribute" not in message


@pytest.mark.parametrize("bad", [None, 123, {}, [], b"x", object(), 1.5, True])
@pytest.mark.parametrize("function", ["cost", "memory", "latency", "sweep", "choose", "compare"])
def test_no_argument_of_any_type_escapes_as_another_exception(function, bad):
    # Every parameter of every function, in turn, gets a value of the wrong kind.
    import inspect

    base = {
        "sweep": {"model": "mobilenet-v2", "alphas": [0.5], "resolutions": [128]},
        "compare": {"a": "mobilenet-v1", "b": "mobilenet-v2"},
    }.get(function, {})
    f = getattr(mncost, function)
    for name in inspect.signature(f).parameters:
        try:
            f(**{**base, name: bad})
        except (TypeError, ValueError, KeyError):
            pass  # KeyError: UnknownModelError, for a name no model has


def test_a_null_byte_in_a_path_is_a_spec_error():
    with pytest.raises(mncost.SpecError, match="cannot hold a NUL"):
        mncost.load_spec("a\x00b.yaml")
    with pytest.raises(mncost.LatencyError, match="cannot hold a NUL"):
        mncost.latency(device=Path("a\x00b.json"))


def test_the_public_exceptions_are_exported():
    for name in ("ScalingError", "GeometryError", "SpecError", "ExploreError", "LatencyError",
                 "UnknownModelError"):  # fmt: skip
        assert name in mncost.__all__
        assert issubclass(getattr(mncost, name), Exception)
    with pytest.raises(mncost.ExploreError):
        mncost.choose(max_macs="300 furlongs")
    with pytest.raises(mncost.GeometryError):
        mncost.cost("vgg16", resolution=8)  # VGG's five 2x2 pools need 32 pixels


@pytest.mark.parametrize(
    "call",
    [
        lambda: mncost.sweep("mobilenet-v2", itertools.repeat(0.5), [224]),
        lambda: mncost.sweep("mobilenet-v2", [0.5], itertools.count(96)),
        lambda: mncost.choose("mobilenet-v2", alphas=itertools.repeat(0.5)),
        lambda: mncost.choose("mobilenet-v2", resolutions=itertools.count(96)),
    ],
)
def test_an_endless_iterable_is_refused_while_it_is_read(call):
    with pytest.raises(mncost.ExploreError, match="more than 10,000 values"):
        call()


def test_resolution_or_rho_is_one_rule_for_the_api_and_the_cli():
    # The API takes (height, width) as the CLI takes HxW; both refuse resolution with rho
    # in the same words (analysis.scenario.input_size).
    import mncost
    from tests.conftest import run_cli

    assert mncost.cost("mobilenet-v2", resolution=(240, 320)).resolution == (240, 320)
    assert mncost.cost("mobilenet-v2", resolution=[160, 160]).resolution == 160
    cli = run_cli("table", "mobilenet-v2", "--res", "240x320", "-f", "json")
    assert json.loads(cli.stdout)["resolution"] == [240, 320]
    with pytest.raises(ScalingError, match="give resolution or rho, not both"):
        mncost.cost("mobilenet-v2", resolution=160, rho=0.5)
    refused = run_cli("table", "--res", "160", "--rho", "0.5")
    assert refused.exit_code == 2 and "give --res or --rho, not both" in refused.stderr
    with pytest.raises(ScalingError, match="a side or"):
        mncost.cost("mobilenet-v2", resolution=(1, 2, 3))
