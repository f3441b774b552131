"""The cost engine: width rules, the interpreter's shape rules and graph, metrics, sweep.

Expected figures come from hand derivations written next to each case, from PyTorch's
documented output-size formulas, and from torchvision's documented counts; never from
mncost's own output.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from mncost.arch.ops import Architecture
from mncost.arch.registry import get_model
from mncost.arch.width import WidthRule
from mncost.cost.conventions import Conventions
from mncost.cost.geometry import GeometryError, geometry
from mncost.cost.metrics import METRICS
from mncost.cost.result import count
from mncost.cost.scaling import ScalingError


def arch(*layers: dict, **top) -> Architecture:
    return Architecture.model_validate(
        {"name": "t", "resolution": 32, "classes": 10, "layers": list(layers), **top}
    )


# --- width rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "channels,alpha,expected",
    [
        # torchvision's _make_divisible(v, 8): max(8, int(v + 4) // 8 * 8), +8 if < 0.9 v
        (32, Fraction(35, 100), 16),  # v = 11.2: int(15.2)//8*8 = 8 < 10.08, so 16
        (24, Fraction(35, 100), 8),  # v = 8.4: int(12.4)//8*8 = 8 >= 7.56
        (1280, Fraction(7, 5), 1792),  # v = 1792 exactly
        (52, Fraction(1), 56),  # v = 52: int(56)//8*8 = 56
        (20, Fraction(1), 24),  # v = 20: int(24)//8*8 = 24
        (12, Fraction(1), 16),  # v = 12: int(16)//8*8 = 16
        (4, Fraction(1), 8),  # the floor is the divisor
    ],
)
def test_make_divisible_by_hand(channels, alpha, expected):
    assert WidthRule("make_divisible", 8).scale(channels, alpha) == expected


def test_make_divisible_never_rounds_down_by_more_than_ten_percent():
    rule = WidthRule("make_divisible", 8)
    for c in range(1, 600):
        for alpha in (Fraction(1, 3), Fraction(7, 20), Fraction(3, 4), Fraction(13, 10)):
            scaled = rule.scale(c, alpha)
            assert scaled % 8 == 0 and scaled >= Fraction(9, 10) * c * alpha


def test_round_and_floor_rules_by_hand():
    assert WidthRule("round").scale(32, Fraction(3, 4)) == 24  # 24 exactly
    assert WidthRule("round").scale(10, Fraction(1, 4)) == 3  # 2.5 rounds half up
    assert WidthRule("floor").scale(32, Fraction(1, 8)) == 8  # max(int(4), 8)
    assert WidthRule("floor", min_value=16).scale(64, Fraction(1, 8)) == 16
    assert WidthRule("round").scale(1280, Fraction(1, 2), "up") == 1280  # max(1, alpha)
    assert WidthRule("round").scale(1280, Fraction(3, 2), "up") == 1920
    assert WidthRule("round").scale(10, Fraction(1, 2), "fixed") == 10


# --- shape rules (PyTorch: out = floor((in + 2p - d(k-1) - 1) / s) + 1) --------------


@pytest.mark.parametrize(
    "layer,side,expected",
    [
        (
            {"kind": "conv", "name": "c", "kernel": 11, "stride": 4, "padding": 2, "filters": 8},
            224,
            55,
        ),  # AlexNet conv1: floor((224 + 4 - 11) / 4) + 1 = 55
        (
            {
                "kind": "conv",
                "name": "c",
                "kernel": 3,
                "stride": 2,
                "padding": "valid",
                "filters": 8,
            },
            299,
            149,
        ),  # Inception stem: floor((299 - 3) / 2) + 1 = 149
        ({"kind": "conv", "name": "c", "kernel": 3, "stride": 2, "filters": 8}, 7, 4),  # same
        (
            {"kind": "conv", "name": "c", "kernel": 3, "dilation": 2, "padding": 2, "filters": 8},
            10,
            10,
        ),  # floor((10 + 4 - 4 - 1) / 1) + 1 = 10
        (
            {"kind": "maxpool", "name": "p", "kernel": 3, "stride": 2, "ceil_mode": True},
            112,
            56,
        ),  # GoogLeNet: ceil((112 - 3) / 2) + 1 = 56
        ({"kind": "maxpool", "name": "p", "kernel": 3, "stride": 2}, 112, 55),  # floor: 55
        (
            {"kind": "maxpool", "name": "p", "kernel": 2, "stride": 2, "ceil_mode": True},
            13,
            7,
        ),  # ceil(11 / 2) + 1 = 7; the last window starts at 12 < 13
        ({"kind": "maxpool", "name": "p", "kernel": 3, "stride": 2, "padding": 1}, 56, 28),
        ({"kind": "avgpool", "name": "p", "output": [7, 7]}, 13, 7),
        ({"kind": "avgpool", "name": "p", "size": 2}, 7, 4),  # the simple form keeps the edge
    ],
)
def test_output_side(layer, side, expected):
    g = geometry(arch(layer, resolution=side), Fraction(1), side, WidthRule(), 10)
    assert g.spatial.h_out[0] == expected


def test_pytorch_ceil_mode_drops_a_window_starting_in_the_padding():
    # k=2, s=2, p=1 on 7: ceil((7 + 2 - 2) / 2) + 1 = 5, but the 5th window would start
    # at (5 - 1) * 2 = 8 >= 7 + 1, inside the padding only, so PyTorch gives 4.
    layer = {
        "kind": "maxpool",
        "name": "p",
        "kernel": 2,
        "stride": 2,
        "padding": 1,
        "ceil_mode": True,
    }
    assert geometry(arch(layer), Fraction(1), 7, WidthRule(), 10).spatial.h_out[0] == 4


def test_rectangular_kernels_keep_the_map_with_same_padding():
    layer = {"kind": "conv", "name": "c", "kernel": [1, 7], "filters": 16}
    g = geometry(arch(layer), Fraction(1), 17, WidthRule(), 10)
    assert (g.spatial.h_out[0], g.spatial.w_out[0], g.spatial.k_h[0], g.spatial.k_w[0]) == (
        17,
        17,
        1,
        7,
    )
    # 1 * 7 * 3 * 16 weights at each of 17 * 17 outputs
    assert count(arch(layer), Fraction(1), 17).total.mult_adds == 7 * 3 * 16 * 17 * 17


def test_a_window_larger_than_its_input_is_an_error_naming_the_layer():
    layer = {"kind": "conv", "name": "big", "kernel": 5, "padding": "valid", "filters": 8}
    with pytest.raises(GeometryError, match="'big'"):
        count(arch(layer), Fraction(1), 3)


# --- composites ---------------------------------------------------------------------


def test_residual_block_counts_body_and_projection_and_adds_nothing():
    spec = arch(
        {"kind": "conv", "name": "stem", "kernel": 3, "filters": 16},
        {
            "kind": "residual",
            "name": "res",
            "act": "relu",
            "body": [
                {"kind": "conv", "name": "a", "kernel": 3, "stride": 2, "filters": 32},
                {"kind": "conv", "name": "b", "kernel": 3, "filters": 32, "act": "none"},
            ],
            "shortcut": [
                {
                    "kind": "conv",
                    "name": "proj",
                    "kernel": 1,
                    "stride": 2,
                    "filters": 32,
                    "act": "none",
                }
            ],
        },
    )
    r = count(spec, Fraction(1), 32)
    names = [layer.name for layer in r.layers]
    assert names == ["stem", "res.a", "res.b", "res.proj", "res.add"]
    by_name = {layer.name: layer for layer in r.layers}
    # res.a: 3*3*16*32 weights at 16x16; res.b: 3*3*32*32 at 16x16; proj 16*32 at 16x16
    assert by_name["res.a"].mult_adds == 9 * 16 * 32 * 256
    assert by_name["res.b"].mult_adds == 9 * 32 * 32 * 256
    assert by_name["res.proj"].mult_adds == 16 * 32 * 256
    assert by_name["res.add"].mult_adds == 0 and by_name["res.add"].output == (16, 16, 32)
    assert {layer.block for layer in r.layers} == {"", "res"}


def test_residual_with_mismatched_shapes_is_an_error():
    spec = arch(
        {
            "kind": "residual",
            "name": "r",
            "body": [{"kind": "conv", "name": "a", "kernel": 3, "stride": 2, "filters": 3}],
        }
    )
    with pytest.raises(GeometryError, match="r.add"):
        count(spec, Fraction(1), 32)


def test_concat_sums_channels_of_its_branches():
    # A fire module: squeeze 1x1 to 16, then 1x1 and 3x3 expands to 64 each.
    spec = arch(
        {"kind": "conv", "name": "squeeze", "kernel": 1, "filters": 16, "batch_norm": False},
        {
            "kind": "concat",
            "name": "expand",
            "branches": [
                [{"kind": "conv", "name": "e1", "kernel": 1, "filters": 64, "batch_norm": False}],
                [
                    {
                        "kind": "conv",
                        "name": "e3",
                        "kernel": 3,
                        "padding": 1,
                        "filters": 64,
                        "batch_norm": False,
                    }
                ],
            ],
        },
    )
    r = count(spec, Fraction(1), 32)
    assert r.layers[-1].output == (32, 32, 128)
    # params: 3*16+16 ; 16*64+64 ; 9*16*64+64 (each conv has a bias: no batch norm)
    assert r.total.params == (3 * 16 + 16) + (16 * 64 + 64) + (9 * 16 * 64 + 64)


def test_squeeze_excite_uses_make_divisible_of_a_quarter():
    # 96 channels: squeeze make_divisible(96 // 4, 8) = 24; reduce and expand have biases.
    spec = arch(
        {"kind": "conv", "name": "c", "kernel": 1, "filters": 96}, {"kind": "se", "name": "se"}
    )
    r = count(spec, Fraction(1), 8)
    se = {layer.name: layer for layer in r.layers if layer.block == "se"}
    assert se["se.reduce"].output == (1, 1, 24) and se["se.reduce"].params == 96 * 24 + 24
    assert se["se.expand"].params == 24 * 96 + 96 and se["se.expand"].mult_adds == 24 * 96
    assert se["se.scale"].output == (8, 8, 96)


def test_inverted_residual_skips_the_expansion_at_t_1_and_adds_only_when_shapes_match():
    spec = arch(
        {"kind": "conv", "name": "stem", "kernel": 3, "filters": 32},
        {"kind": "inverted_residual", "name": "b1", "expansion": 1, "filters": 16},
        {"kind": "inverted_residual", "name": "b2", "expansion": 6, "filters": 16},
        {"kind": "inverted_residual", "name": "b3", "expansion": 6, "stride": 2, "filters": 16},
    )
    names = [layer.name for layer in count(spec, Fraction(1), 32).layers]
    assert names == [
        "stem",
        "b1.dw",
        "b1.project",
        "b2.expand",
        "b2.dw",
        "b2.project",
        "b2.add",
        "b3.expand",
        "b3.dw",
        "b3.project",
    ]


def test_live_tensors_include_a_pending_skip_input():
    spec = arch(
        {"kind": "conv", "name": "stem", "kernel": 3, "filters": 8},
        {"kind": "inverted_residual", "name": "b", "expansion": 6, "filters": 8},
    )
    g = geometry(spec, Fraction(1), 8, WidthRule(), 10)
    names = g.static.name
    # tensors: 0 image, 1 stem, 2 expand, 3 dw, 4 project, 5 add
    assert g.static.live[names.index("b.dw")] == (1, 2, 3)  # the block input waits
    assert g.static.live[names.index("b.add")] == (1, 4, 5)
    assert g.static.live[names.index("stem")] == (0, 1)


def test_classes_zero_drops_the_classifier_and_what_follows():
    v1 = get_model("mobilenet-v1")
    body = count(v1, Fraction(1), 224, classes=0)
    assert body.layers[-1].name == "avgpool"
    # The paper's Table 1 body: 568,740,352 MACs minus the 1024 x 1000 classifier.
    assert body.total.mult_adds == 568_740_352 - 1024 * 1000


# --- MobileNet V2: torchvision and TF-slim's published figures -----------------------


def test_mobilenet_v2_matches_torchvision_documented_counts():
    v2 = get_model("mobilenet-v2")
    # torchvision MobileNet_V2_Weights.IMAGENET1K_V1: 3,504,872 params (BN gamma/beta
    # included), 0.30 GFLOPS (its GFLOPS are MACs); fvcore's exact count 300,774,272.
    assert count(v2, conventions=Conventions(bn="affine")).total.params == 3_504_872
    r = count(v2)
    assert r.total.mult_adds == 300_774_272
    # Without batch norm: 3,504,872 - 2 x 17,056 BN channels = 3,470,760.
    assert r.total.params == 3_470_760


@pytest.mark.parametrize(
    "alpha,resolution,macs_m,params_m",
    [
        # TF-slim mobilenet/README.md: MACs (M) and parameters (M) as printed
        ("1.4", 224, 582, 6.06),
        ("0.35", 224, 59, 1.66),
        ("1.0", 96, 56, 3.47),
    ],
)
def test_mobilenet_v2_matches_tf_slim_table(alpha, resolution, macs_m, params_m):
    r = count(get_model("mobilenet-v2"), Fraction(alpha), resolution)
    assert round(r.total.mult_adds / 1e6) == macs_m
    assert round(r.total.params / 1e6, 2) == params_m


# --- metrics and the sweep ----------------------------------------------------------


def test_every_metric_is_a_function_of_geometry_columns():
    g = geometry(get_model("mobilenet-v2"), Fraction(1), 224, WidthRule("make_divisible"), 1000)
    for m in METRICS.values():
        for column in m.columns:
            assert len(g.column(column)) == len(g)


def test_per_op_rows_sum_to_the_totals():
    r = count(get_model("mobilenet-v2"), Fraction(3, 4), 160)
    assert sum(layer.mult_adds for layer in r.layers) == r.total.mult_adds
    assert sum(layer.params for layer in r.layers) == r.total.params


@pytest.mark.parametrize("model", ["mobilenet-v1", "mobilenet-v2"])
def test_sweep_equals_count_exactly(model):
    pytest.importorskip("numpy")
    from mncost.cost.sweep import grid

    spec = get_model(model)
    alphas = [Fraction(k, 100) for k in (25, 35, 50, 60, 75, 100, 130, 140)]
    resolutions = [96, 97, 128, 160, 192, 224, 225, 320]
    conventions = Conventions(bn="all", fc_bias=False)
    totals = grid(
        spec, alphas, resolutions, None, conventions, ("mult_adds", "params", "bn_params")
    )
    for i, a in enumerate(alphas):
        for j, res in enumerate(resolutions):
            r = count(spec, a, res, None, conventions)
            assert int(totals["mult_adds"][i, j]) == r.total.mult_adds
            assert int(totals["params"][i, j]) == r.total.params
            assert int(totals["bn_params"][i, j]) == sum(r.metric("bn_params"))


def test_random_configs_of_random_small_nets_sweep_exactly():
    pytest.importorskip("numpy")
    from mncost.cost.sweep import grid

    rng = random.Random(7)
    for _ in range(20):
        layers = [
            {
                "kind": "conv",
                "name": "c0",
                "kernel": rng.choice([1, 3, 5]),
                "stride": rng.choice([1, 2]),
                "filters": rng.randint(1, 64),
            }
        ]
        for i in range(rng.randint(1, 6)):
            layers.append(
                rng.choice(
                    [
                        {"kind": "dw", "name": f"d{i}", "stride": rng.choice([1, 2])},
                        {"kind": "pw", "name": f"p{i}", "filters": rng.randint(1, 96)},
                        {
                            "kind": "inverted_residual",
                            "name": f"b{i}",
                            "expansion": rng.randint(1, 6),
                            "filters": rng.randint(8, 64),
                            "se": rng.random() < 0.5,
                        },
                    ]
                )
            )
        layers += [{"kind": "avgpool", "name": "pool"}, {"kind": "fc", "name": "fc"}]
        spec = arch(*layers, width={"rule": rng.choice(["round", "floor", "make_divisible"])})
        alphas = [Fraction(rng.randint(5, 30), 20) for _ in range(3)]
        resolutions = [rng.randint(16, 80) for _ in range(3)]
        try:
            totals = grid(spec, alphas, resolutions)
        except ScalingError:  # some config cannot be counted: count() must agree
            assert any(_fails(spec, a, r) for a in alphas for r in resolutions)
            continue
        for i, a in enumerate(alphas):
            for j, res in enumerate(resolutions):
                r = count(spec, a, res)
                assert int(totals["mult_adds"][i, j]) == r.total.mult_adds
                assert int(totals["params"][i, j]) == r.total.params


def _fails(spec: Architecture, alpha: Fraction, resolution: int) -> bool:
    try:
        count(spec, alpha, resolution)
    except ScalingError:
        return True
    return False


@pytest.mark.parametrize(
    "model",
    [
        "mobilenet-v2",
        "mobilenet-v3-large",
        "googlenet",
        "resnet-18",
        "squeezenet-1.1",
        "inception-v3",
    ],
)
def test_input_bytes_are_the_bytes_of_the_tensors_each_op_reads(model):
    # The metric is a column formula (for the sweep); the dataflow says which tensors an
    # op reads: the two must agree, op by op, at any configuration.
    from mncost.cost.memory import tensor_bytes

    r = count(get_model(model), Fraction(3, 4), 160, conventions=Conventions(dtype="int8"))
    sizes = tensor_bytes(r.geometry, r.conventions)
    st = r.geometry.static
    expected = tuple(
        0 if aux else sum(sizes[t] for t in inputs) for inputs, aux in zip(st.inputs, st.aux)
    )
    assert r.metric("input_bytes") == expected
    assert r.metric("output_bytes") == tuple(
        0 if aux else sizes[t] for t, aux in zip(st.output, st.aux)
    )
