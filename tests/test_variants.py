"""The paper's ablations as registered variants: Table 4's Conv MobileNet, Table 5's Shallow.

Expected totals are derived by hand below (from Table 1's rows), and compared with the
paper's Tables 4 and 5 at their printed precision.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

import mncost
from mncost.arch import ops as layers
from mncost.arch.defs.mobilenet_v1_variants import separable_to_full, without_layers
from mncost.arch.registry import get_model, list_models
from tests.conftest import cli_json, run_cli

# Conv MobileNet (every dw+pw pair -> one 3x3 conv from M to N at the dw's stride),
# by hand: 3*3*M*N*D_G^2 per block, D_G the block's output side.
#   conv_0   3*3*3*32*112^2       =    10,838,016
#   block 1  3*3*32*64*112^2      =   231,211,008
#   block 2  3*3*64*128*56^2      =   231,211,008   (s2)
#   block 3  3*3*128*128*56^2     =   462,422,016
#   block 4  3*3*128*256*28^2     =   231,211,008   (s2)
#   block 5  3*3*256*256*28^2     =   462,422,016
#   block 6  3*3*256*512*14^2     =   231,211,008   (s2)
#   7-11     5 * 3*3*512*512*14^2 = 2,312,110,080
#   block 12 3*3*512*1024*7^2     =   231,211,008   (s2)
#   block 13 3*3*1024*1024*7^2    =   462,422,016
#   fc       1024*1000            =     1,024,000
#   total                           4,867,293,184   (Table 4 prints 4866)
CONV_MACS = 4_867_293_184
# Params: conv weights 3*3*M*N, block by block as above:
#   864 + 18,432 + 73,728 + 147,456 + 294,912 + 589,824 + 1,179,648 + 5*2,359,296
#   + 4,718,592 + 9,437,184 = 28,257,120; plus FC 1,024,000 + 1,000 bias = 29,282,120
#   (Table 4 prints 29.3).
CONV_PARAMS = 29_282_120

# Shallow MobileNet: v1 (568,740,352 MACs, 4,210,088 params) without five 14x14x512
# separable blocks, each 3*3*512*14^2 + 512*512*14^2 = 903,168 + 51,380,224 = 52,283,392
# MACs and 3*3*512 + 512*512 = 266,752 params:
#   568,740,352 - 5 * 52,283,392 = 307,323,392 MACs   (Table 5 prints 307)
#   4,210,088 - 5 * 266,752     = 2,876,328 params   (Table 5 prints 2.9)
SHALLOW_MACS = 568_740_352 - 5 * 52_283_392
SHALLOW_PARAMS = 4_210_088 - 5 * 266_752


def _round_half_up(x: Fraction, places: int = 0) -> Fraction:
    scale = 10**places
    return Fraction(math.floor(x * scale + Fraction(1, 2)), scale)


def test_hand_sums_add_up():
    blocks = [
        10_838_016,
        231_211_008,
        231_211_008,
        462_422_016,
        231_211_008,
        462_422_016,
        231_211_008,
        5 * 462_422_016,
        231_211_008,
        462_422_016,
        1_024_000,
    ]
    assert sum(blocks) == CONV_MACS
    weights = [
        864,
        18_432,
        73_728,
        147_456,
        294_912,
        589_824,
        1_179_648,
        5 * 2_359_296,
        4_718_592,
        9_437_184,
    ]
    assert sum(weights) + 1_025_000 == CONV_PARAMS


def test_conv_mobilenet_totals():
    total = mncost.cost("mobilenet-v1-conv").total
    assert (total.mult_adds, total.params) == (CONV_MACS, CONV_PARAMS)
    # Table 4 prints 29.3 million parameters: a match at its precision.
    assert _round_half_up(Fraction(total.params, 10**6), 1) == Fraction("29.3")


def test_conv_mobilenet_layers():
    result = mncost.cost("mobilenet-v1-conv")
    names = [layer.name for layer in result.layers]
    assert names == ["conv_0", *(f"conv_{i}" for i in range(1, 14)), "avgpool", "fc", "softmax"]
    by_name = {layer.name: layer for layer in result.layers}
    assert by_name["conv_2"].filter_shape == "3x3x64x128" and by_name["conv_2"].stride == 2
    assert by_name["conv_13"].input == (7, 7, 1024) and by_name["conv_13"].stride == 1
    assert by_name["fc"].input == (1, 1, 1024)


def test_shallow_mobilenet_totals_and_layers():
    result = mncost.cost("mobilenet-v1-shallow")
    assert (result.total.mult_adds, result.total.params) == (SHALLOW_MACS, SHALLOW_PARAMS)
    # Table 5 prints 307 and 2.9.
    assert _round_half_up(Fraction(result.total.mult_adds, 10**6)) == 307
    assert _round_half_up(Fraction(result.total.params, 10**6), 1) == Fraction("2.9")
    names = [layer.name for layer in result.layers]
    assert not {f"dw_{i}" for i in range(7, 12)} & set(names)
    assert "pw_6" in names and "dw_12" in names
    by_name = {layer.name: layer for layer in result.layers}
    assert by_name["dw_12"].input == (14, 14, 512)  # pw_6's output feeds dw_12 directly


def test_variants_are_transforms_of_v1_not_copies():
    v1 = get_model("mobilenet-v1")
    shallow = get_model("mobilenet-v1-shallow")
    kept = [
        layer
        for layer in v1.layers
        if layer.name not in {f"{k}_{i}" for i in range(7, 12) for k in ("dw", "pw")}
    ]
    assert list(shallow.layers) == kept
    conv = get_model("mobilenet-v1-conv")
    assert conv.layers[0] == v1.layers[0] and list(conv.layers[-3:]) == list(v1.layers[-3:])
    assert (conv.resolution, conv.classes, conv.input_channels) == (224, 1000, 3)


def test_transforms_on_a_small_body():
    body = [
        layers.Conv(name="stem", kernel=3, stride=2, filters=8),
        layers.DepthwiseConv(name="dw_a", kernel=5, stride=2),
        layers.PointwiseConv(name="pw_a", filters=16),
        layers.DepthwiseConv(name="lonely"),
        layers.AvgPool(name="pool"),
    ]
    full = separable_to_full(body)
    assert [layer.name for layer in full] == ["stem", "conv_a", "lonely", "pool"]
    merged = full[1]
    assert (merged.kind, merged.kernel, merged.stride, merged.filters) == ("conv", 5, 2, 16)
    assert [layer.name for layer in without_layers(body, frozenset({"dw_a", "pw_a"}))] == [
        "stem",
        "lonely",
        "pool",
    ]
    with pytest.raises(ValueError, match="not in the spec"):
        without_layers(body, frozenset({"dw_z"}))


def test_variants_are_registered_with_their_source():
    entries = {entry.name: entry for entry in list_models()}
    assert entries["mobilenet-v1-conv"].source.endswith("Table 4")
    assert entries["mobilenet-v1-shallow"].source.endswith("Table 5")


def test_variants_work_from_the_cli():
    data = cli_json("table", "mobilenet-v1-shallow")
    assert data["total"] == {"mult_adds": SHALLOW_MACS, "params": SHALLOW_PARAMS}
    result = run_cli("models")
    assert "mobilenet-v1-conv" in result.stdout and "mobilenet-v1-shallow" in result.stdout
    scaled = cli_json("table", "mobilenet-v1-conv", "--alpha", "0.5", "--res", "128")
    assert scaled["layers"][1]["filter_shape"] == "3x3x16x32"
