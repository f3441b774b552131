"""MobileNet V3 (issue 10, items 1, 2, 3 and 7): the built-in Large, Small and minimalistic
models, their reference figures, agreement with PyTorch, and the released checkpoints.

Expected figures come from three independent places:

- torchvision's documented counts (torchvision/models/mobilenetv3.py, the weights' meta:
  mobilenet_v3_large num_params 5,483,032, _ops 0.217 GFLOPS; mobilenet_v3_small
  2,542,856 and 0.057; its GFLOPS are MACs and its params include batch norm's gamma and
  beta, so they are compared under bn="affine");
- a MobileNet V3 written here in PyTorch, re-implemented from torchvision's source (its
  InvertedResidualConfig, InvertedResidual, SqueezeExcitation and MobileNetV3 classes)
  and from TF-slim's (research/slim/nets/mobilenet/mobilenet_v3.py and conv_blocks.py,
  commit 0ba83cf0: expand_input_by_factor, squeeze_excite, the V3_* conv defs), measured
  with torch.utils.flop_counter.FlopCounterMode (2 FLOPs per multiply-accumulate) and the
  modules' own parameter tensors;
- TF-slim's README (checkpoints_v3.csv), as printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost.arch import ops
from mncost.cost.conventions import Conventions
from tests.conftest import run_cli
from tests.plotly_view import as_plotly

V3_MODELS = (
    "mobilenet-v3-large",
    "mobilenet-v3-small",
    "mobilenet-v3-large-minimalistic",
    "mobilenet-v3-small-minimalistic",
)
SHARED_CSV = Path(__file__).resolve().parents[2] / "shared" / "published" / "checkpoints_v3.csv"
PACKAGED_CSV = (
    Path(__file__).resolve().parents[1] / "mncost" / "sources" / "data" / "checkpoints_v3.csv"
)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# --- the reference: MobileNet V3 written directly in PyTorch ------------------------------


def _make_divisible(value: Fraction, divisor: int = 8) -> int:
    # torchvision's and TF-slim's _make_divisible, in exact arithmetic.
    new = max(divisor, int(value + Fraction(divisor, 2)) // divisor * divisor)
    return new + divisor if new < Fraction(9, 10) * value else new


# torchvision's _mobilenet_v3_conf rows: (input, kernel, expanded, out, SE, activation, stride).
_TV_LARGE = [
    (16, 3, 16, 16, False, "RE", 1),
    (16, 3, 64, 24, False, "RE", 2),
    (24, 3, 72, 24, False, "RE", 1),
    (24, 5, 72, 40, True, "RE", 2),
    (40, 5, 120, 40, True, "RE", 1),
    (40, 5, 120, 40, True, "RE", 1),
    (40, 3, 240, 80, False, "HS", 2),
    (80, 3, 200, 80, False, "HS", 1),
    (80, 3, 184, 80, False, "HS", 1),
    (80, 3, 184, 80, False, "HS", 1),
    (80, 3, 480, 112, True, "HS", 1),
    (112, 3, 672, 112, True, "HS", 1),
    (112, 5, 672, 160, True, "HS", 2),
    (160, 5, 960, 160, True, "HS", 1),
    (160, 5, 960, 160, True, "HS", 1),
]
_TV_SMALL = [
    (16, 3, 16, 16, True, "RE", 2),
    (16, 3, 72, 24, False, "RE", 2),
    (24, 3, 88, 24, False, "RE", 1),
    (24, 5, 96, 40, True, "HS", 2),
    (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 120, 48, True, "HS", 1),
    (48, 5, 144, 48, True, "HS", 1),
    (48, 5, 288, 96, True, "HS", 2),
    (96, 5, 576, 96, True, "HS", 1),
    (96, 5, 576, 96, True, "HS", 1),
]
# TF-slim's V3_LARGE / V3_SMALL: mbv3_op(ef, n, k, s) rows, SE marked; the expansion is
# expand_input_by_factor(ef): make_divisible(scaled input * ef, 8).
_SLIM_LARGE = [
    (1, 16, 3, 1, False),
    (4, 24, 3, 2, False),
    (3, 24, 3, 1, False),
    (3, 40, 5, 2, True),
    (3, 40, 5, 1, True),
    (3, 40, 5, 1, True),
    (6, 80, 3, 2, False),
    (Fraction(5, 2), 80, 3, 1, False),
    (Fraction(184, 80), 80, 3, 1, False),
    (Fraction(184, 80), 80, 3, 1, False),
    (6, 112, 3, 1, True),
    (6, 112, 3, 1, True),
    (6, 160, 5, 2, True),
    (6, 160, 5, 1, True),
    (6, 160, 5, 1, True),
]
_SLIM_SMALL = [
    (1, 16, 3, 2, True),
    (Fraction(72, 16), 24, 3, 2, False),
    (Fraction(88, 24), 24, 3, 1, False),
    (4, 40, 5, 2, True),
    (6, 40, 5, 1, True),
    (6, 40, 5, 1, True),
    (3, 48, 5, 1, True),
    (3, 48, 5, 1, True),
    (6, 96, 5, 2, True),
    (6, 96, 5, 1, True),
    (6, 96, 5, 1, True),
]
# Activations of the SLIM rows, in order (mbv3_op's act: relu unless hard_swish).
_SLIM_LARGE_ACTS = ["RE"] * 6 + ["HS"] * 9
_SLIM_SMALL_ACTS = ["RE"] * 3 + ["HS"] * 8


@dataclass(frozen=True)
class _Plan:
    """Every width of one V3 network: stem, blocks, last conv, hidden layer, classes."""

    stem: int
    blocks: list[tuple[int, int, int, int, bool, str, int]]
    """(input, kernel, expanded, out, SE, activation, stride), all scaled."""
    last: int
    hidden: int
    classes: int


def _torchvision_plan(rows, hidden: int, alpha: Fraction, classes: int = 1000) -> _Plan:
    scale = lambda c: _make_divisible(c * alpha)  # noqa: E731  (adjust_channels)
    blocks = [(scale(i), k, scale(e), scale(o), se, act, s) for i, k, e, o, se, act, s in rows]
    return _Plan(
        stem=blocks[0][0],
        blocks=blocks,
        last=6 * blocks[-1][3],
        hidden=scale(hidden),
        classes=classes,
    )


def _slim_plan(
    rows,
    acts,
    last: int,
    hidden: int,
    alpha: Fraction,
    classes: int = 1001,
    hidden_fixed: bool = False,
) -> _Plan:
    # lib.depth_multiplier scales every num_outputs; finegrain_classification_mode keeps
    # the last op (the hidden 1x1 conv) unscaled.
    scale = lambda c: _make_divisible(c * alpha)  # noqa: E731
    width = scale(16)
    blocks = []
    for (factor, out, kernel, stride, se), act in zip(rows, acts):
        blocks.append(
            (width, kernel, _make_divisible(width * Fraction(factor)), scale(out), se, act, stride)
        )
        width = scale(out)
    return _Plan(
        stem=scale(16),
        blocks=blocks,
        last=scale(last),
        hidden=hidden if hidden_fixed else scale(hidden),
        classes=classes,
    )


def _minimal(plan: _Plan) -> _Plan:
    # TF-slim's *_MINIMALISTIC defs: no SE, ReLU, 3x3 depthwise kernels.
    return _Plan(
        plan.stem,
        [(i, 3, e, o, False, "RE", s) for i, _, e, o, _, _, s in plan.blocks],
        plan.last,
        plan.hidden,
        plan.classes,
    )


def _reference(torch, plan: _Plan, minimal: bool = False):
    """The network of ``plan`` as PyTorch modules (torchvision's structure)."""
    from torch import nn

    hs = nn.ReLU if minimal else nn.Hardswish

    def conv_bn(cin, cout, k=1, s=1, groups=1, act=None):
        layers = [
            nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
        ]
        return nn.Sequential(*layers, act()) if act else nn.Sequential(*layers)

    class SE(nn.Module):
        def __init__(self, channels):
            super().__init__()
            squeeze = _make_divisible(Fraction(channels // 4))
            self.fc1 = nn.Conv2d(channels, squeeze, 1)
            self.fc2 = nn.Conv2d(squeeze, channels, 1)

        def forward(self, x):
            s = nn.functional.adaptive_avg_pool2d(x, 1)
            s = nn.functional.hardsigmoid(self.fc2(nn.functional.relu(self.fc1(s))))
            return x * s

    class Block(nn.Module):
        def __init__(self, cin, k, exp, out, se, act, s):
            super().__init__()
            a = nn.ReLU if act == "RE" else hs
            parts = [conv_bn(cin, exp, act=a)] if exp != cin else []
            parts.append(conv_bn(exp, exp, k, s, groups=exp, act=a))
            if se:
                parts.append(SE(exp))
            parts.append(conv_bn(exp, out))
            self.body = nn.Sequential(*parts)
            self.residual = s == 1 and cin == out

        def forward(self, x):
            y = self.body(x)
            return y + x if self.residual else y

    blocks = plan.blocks if not minimal else _minimal(plan).blocks
    return nn.Sequential(
        conv_bn(3, plan.stem, 3, 2, act=hs),
        *[Block(*b) for b in blocks],
        conv_bn(blocks[-1][3], plan.last, act=hs),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(plan.last, plan.hidden),
        hs(),
        nn.Linear(plan.hidden, plan.classes),
    )


def _measure(torch, model, resolution: int) -> tuple[int, int, int]:
    """(MACs, params without batch norm, params with batch norm's gamma and beta)."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model.eval()(torch.zeros(1, 3, resolution, resolution))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    bn = sum(
        p.numel()
        for m in model.modules()
        if isinstance(m, torch.nn.BatchNorm2d)
        for p in m.parameters()
    )
    total = sum(p.numel() for p in model.parameters())
    return flops // 2, total - bn, total


_SETTINGS = {  # model -> (torchvision rows, hidden units, minimalistic)
    "mobilenet-v3-large": (_TV_LARGE, 1280, False),
    "mobilenet-v3-small": (_TV_SMALL, 1024, False),
    "mobilenet-v3-large-minimalistic": (_TV_LARGE, 1280, True),
    "mobilenet-v3-small-minimalistic": (_TV_SMALL, 1024, True),
}


# --- torchvision's documented figures --------------------------------------------------


@pytest.mark.parametrize(
    "name, params, gflops",
    [
        ("mobilenet-v3-large", 5_483_032, "0.217"),
        ("mobilenet-v3-small", 2_542_856, "0.057"),
    ],
)
def test_torchvision_documented_figures(name, params, gflops):
    result = mncost.cost(name, bn="affine")
    assert result.total.params == params
    # torchvision prints _ops to three decimals (0.22 and 0.06 in its docs' table).
    assert Decimal(result.total.mult_adds).scaleb(-9).quantize(Decimal("0.001")) == Decimal(gflops)
    assert Decimal(result.total.mult_adds).scaleb(-9).quantize(Decimal("0.01")) == Decimal(
        gflops
    ).quantize(Decimal("0.01"))


# --- exact agreement with the PyTorch reference -----------------------------------------


@pytest.mark.parametrize("name", V3_MODELS)
@pytest.mark.parametrize(
    "alpha, resolution", [("1", 224), ("0.75", 160), ("0.5", 192), ("1.25", 225)]
)
def test_exact_against_the_pytorch_reference(torch, name, alpha, resolution):
    rows, hidden, minimal = _SETTINGS[name]
    plan = _torchvision_plan(rows, hidden, Fraction(alpha))
    macs, params, params_affine = _measure(torch, _reference(torch, plan, minimal), resolution)
    assert mncost.cost(name, alpha, resolution).total.mult_adds == macs
    assert mncost.cost(name, alpha, resolution).total.params == params
    assert mncost.cost(name, alpha, resolution, bn="affine").total.params == params_affine


def test_reference_at_alpha_1_is_the_documented_model(torch):
    # The reference itself reproduces torchvision's documented counts (5,483,032 params,
    # 0.217 GFLOPS; 2,542,856 and 0.057), so it is the model those figures describe.
    large = _measure(torch, _reference(torch, _torchvision_plan(_TV_LARGE, 1280, Fraction(1))), 224)
    small = _measure(torch, _reference(torch, _torchvision_plan(_TV_SMALL, 1024, Fraction(1))), 224)
    assert large[2] == 5_483_032 and round(large[0] / 1e9, 3) == 0.217
    assert small[2] == 2_542_856 and round(small[0] / 1e9, 3) == 0.057


@pytest.mark.parametrize("name", V3_MODELS)
@pytest.mark.parametrize("alpha, resolution", [("1", 224), ("0.75", 160), ("1", 193)])
def test_verify_agrees_layer_by_layer(torch, name, alpha, resolution):
    from mncost.analysis.verify import verify

    check = verify(
        mncost.get_model(name), Fraction(alpha), resolution, conventions=Conventions(bn="affine")
    )
    assert check.ok, check.verdict()
    assert len(check.layers) == len(mncost.cost(name, alpha, resolution).layers)


def test_verify_command_at_another_resolution(torch):
    result = run_cli("verify", "mobilenet-v3-small", "--res", "160", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"]["ok"] is True
    assert all(layer["agree"] and layer["shape_ok"] for layer in data["layers"])


# --- the layout, as the paper's tables give it -------------------------------------------


def test_squeeze_widths_are_make_divisible_of_a_quarter():
    r = mncost.cost("mobilenet-v3-large")
    squeeze = {layer.block: layer.output[2] for layer in r.layers if layer.kind == "se_reduce"}
    # Table 1's SE blocks: exp 72 -> 72 // 4 = 18 -> 24 (make_divisible by 8 never goes
    # down more than 10%: 16 < 0.9 x 18); 120 -> 30 -> 32; 480 -> 120; 672 -> 168;
    # 960 -> 240.
    assert squeeze == {
        "block_4": 24,
        "block_5": 32,
        "block_6": 32,
        "block_11": 120,
        "block_12": 168,
        "block_13": 168,
        "block_14": 240,
        "block_15": 240,
    }


def test_rows_follow_table_1_and_2():
    large = mncost.cost("mobilenet-v3-large")
    by_name = {layer.name: layer for layer in large.layers}
    # Table 1: 224x224x3 conv2d 16 s2; 7x7x160 conv2d 1x1 960; pool; 1280; classes.
    assert by_name["conv_0"].output == (112, 112, 16)
    assert by_name["conv_last"].input == (7, 7, 160) and by_name["conv_last"].output == (7, 7, 960)
    assert by_name["fc_hidden"].output == (1, 1, 1280) and by_name["fc"].output == (1, 1, 1000)
    assert "block_1.expand" not in by_name  # exp 16 = input 16: no expansion conv
    small = {layer.name: layer for layer in mncost.cost("mobilenet-v3-small").layers}
    assert small["conv_last"].output == (7, 7, 576) and small["fc_hidden"].output == (1, 1, 1024)
    # Residual adds: a block adds its input when its stride is 1 and its width unchanged.
    adds = sorted(int(layer.block.split("_")[1]) for layer in large.layers if layer.kind == "add")
    assert adds == [1, 3, 5, 6, 8, 9, 10, 12, 14, 15]


@pytest.mark.parametrize("base", ["mobilenet-v3-large", "mobilenet-v3-small"])
def test_minimalistic_is_a_transform_of_the_full_model(base):
    full = mncost.get_model(base)
    minimal = mncost.get_model(f"{base}-minimalistic")
    assert len(full.layers) == len(minimal.layers)
    for a, b in zip(full.layers, minimal.layers):
        assert (a.kind, a.name) == (b.kind, b.name)
        if isinstance(a, ops.InvertedResidual):
            assert (b.expanded, b.filters, b.stride) == (a.expanded, a.filters, a.stride)
            assert b.se is False and b.kernel == 3 and b.act == "relu"
        elif hasattr(a, "act"):
            assert b.act == ("relu" if a.act == "hswish" else a.act)
    # Same widths, so the same shapes layer by layer wherever both have a layer.
    full_shapes = {layer.name: layer.output for layer in mncost.cost(full).layers}
    for layer in mncost.cost(minimal).layers:
        assert full_shapes[layer.name] == layer.output


def test_descriptions_say_where_the_sources_differ():
    for name in ("mobilenet-v3-large", "mobilenet-v3-small"):
        text = mncost.get_model(name).description
        assert "torchvision" in text and "TF-slim" in text and "paper" in text
        assert "make_divisible(exp // 4, 8)" in text and "1001 classes" in text
    minimal = mncost.get_model("mobilenet-v3-large-minimalistic").description
    assert "V3_LARGE_MINIMALISTIC" in minimal
    entries = {e.name: e for e in mncost.list_models()}
    assert all(entries[name].family == "mobilenet_v3" for name in V3_MODELS)


# --- the released checkpoints ----------------------------------------------------------


@pytest.mark.skipif(
    not SHARED_CSV.exists(),
    reason=(
        "maintainers only: compares the packaged checkpoint table with the team's source "
        "copy, which a public clone does not have (the packaged table is tested on its own)"
    ),
)
def test_packaged_v3_checkpoints_are_a_copy_of_the_shared_file():
    assert PACKAGED_CSV.read_bytes() == SHARED_CSV.read_bytes()


def _v3_points():
    from mncost.analysis.published import published_points

    return [p for p in published_points(source="checkpoints") if p.family == "mobilenet_v3"]


def test_v3_checkpoints_as_printed_with_mncost_count_beside():
    points = _v3_points()
    assert len(points) == 9  # checkpoints_v3.csv has 9 rows
    for p in points:
        exact = mncost.cost(p.model, p.alpha, p.resolution).total
        assert (p.computed.mult_adds, p.computed.params) == (exact.mult_adds, exact.params)
    first = points[0]
    # README: Large dm=1 (float) | 217 | 5.4 | 75.2 | 51.2 | 61 | 44
    assert (first.label, first.model, first.alpha, first.resolution) == (
        "Large dm=1 (float)",
        "mobilenet-v3-large",
        1,
        224,
    )
    assert (first.mult_adds_m, first.params_m, first.top1, first.top5) == (
        Decimal("217"),
        Decimal("5.4"),
        Decimal("75.2"),
        None,
    )
    assert first.latency_ms == Decimal("51.2")
    assert first.latencies == (
        ("Pixel 1", Decimal("51.2")),
        ("Pixel 2", Decimal("61")),
        ("Pixel 3", Decimal("44")),
    )
    models = {p.label: p.model for p in points}
    assert models["Small minimalistic (float)"] == "mobilenet-v3-small-minimalistic"
    assert models["Large dm=0.75 (float)"] == "mobilenet-v3-large-slim"
    assert models["Large dm=1 (float)"] == "mobilenet-v3-large"


def test_minimalistic_large_reproduces_the_readme():
    # README: Large minimalistic | 209 | 3.9: TF-slim's V3_LARGE_MINIMALISTIC has the same
    # layer sizes, so mncost's count rounds to the printed figures.
    p = next(p for p in _v3_points() if p.label == "Large minimalistic (float)")
    from mncost.sources.points import within_rounding

    assert within_rounding(p.mult_adds_m, p.computed.mult_adds)
    assert within_rounding(p.params_m, p.computed.params)
    assert p.note == ""


def test_family_option_and_json_show_both_counts():
    result = run_cli("published", "--family", "mobilenet-v3", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data) == 9 and all(row["mncost"] is not None for row in data)
    small = next(row for row in data if row["model"] == "Small dm=1 (float)")
    assert small["published"]["million_mult_adds"] == 66
    assert small["published"]["million_mult_adds_text"] == "66"
    assert small["mncost"]["mult_adds"] == mncost.cost("mobilenet-v3-small").total.mult_adds
    assert small["mncost"]["mult_adds_within_rounding"] is False


def test_pareto_plot_draws_v3_in_its_own_colour():
    from mncost.analysis.pareto import pareto_data
    from mncost.analysis.published import published_points
    from mncost.present.figures import pareto_figure

    figure = as_plotly(pareto_figure(pareto_data(published_points(), "imagenet")))
    names = {trace.name for trace in figure.data}
    assert {"MobileNet V3, checkpoints (float32)", "MobileNet V3, checkpoints (int8)"} <= names
    v3 = [t for t in figure.data if t.name and t.name.startswith("MobileNet V3")]
    assert sum(t.meta["points"] for t in v3) == 9
    assert len({t.marker.color for t in figure.data if t.meta.get("kind") == "published"}) == 4


# --- the gaps, explained by computing TF-slim's layouts -----------------------------------


def _m(value: int) -> str:
    return f"{value / 1e6:.2f} M"


def _note(line: str, alpha: Fraction) -> str:
    from mncost.sources.checkpoints import GAP_NOTES

    return GAP_NOTES[(line, alpha)]


def test_slim_layout_at_width_1_is_torchvisions(torch):
    # The descriptions say TF-slim's and torchvision's layer sizes agree at alpha 1: the
    # two plans (independent rules) give the same widths, apart from 1001 classes.
    for tv, slim, acts, last, hidden in (
        (_TV_LARGE, _SLIM_LARGE, _SLIM_LARGE_ACTS, 960, 1280),
        (_TV_SMALL, _SLIM_SMALL, _SLIM_SMALL_ACTS, 576, 1024),
    ):
        a = _torchvision_plan(tv, hidden, Fraction(1), classes=1001)
        b = _slim_plan(slim, acts, last, hidden, Fraction(1))
        assert a == b


def test_gap_notes_large_075(torch):
    # The 0.75 checkpoint is counted in TF-slim's layout (tests/test_v3_slim_layout.py
    # checks that count); its note says so, and that torchvision's 0.75 is smaller.
    note = _note("mobilenet_v3_large", Fraction(3, 4))
    assert note.startswith("Counted as mobilenet-v3-large-slim")
    fine = _slim_plan(_SLIM_LARGE, _SLIM_LARGE_ACTS, 960, 1280, Fraction(3, 4), hidden_fixed=True)
    fine_macs, fine_params, _ = _measure(torch, _reference(torch, fine), 224)
    # ... which rounds to the README's 155 and 4.0.
    assert round(fine_macs / 1e6) == 155 and round(fine_params / 1e6, 1) == 4.0
    point = next(p for p in _v3_points() if p.label == "Large dm=0.75 (float)")
    assert point.note == note and point.model == "mobilenet-v3-large-slim"
    # With 1000 classes, not TF-slim's 1001: 1,280 MACs and 1,281 params fewer.
    assert (point.computed.mult_adds, point.computed.params) == (
        fine_macs - 1280,
        fine_params - 1281,
    )
    torchvision = mncost.cost("mobilenet-v3-large", "0.75").total
    assert torchvision.mult_adds < point.computed.mult_adds


def test_gap_notes_small(torch):
    note = _note("mobilenet_v3_small", Fraction(1))
    slim = _slim_plan(_SLIM_SMALL, _SLIM_SMALL_ACTS, 576, 1024, Fraction(1))
    macs, params, _ = _measure(torch, _reference(torch, slim), 224)
    assert f"{_m(macs)} MACs and {_m(params)} params" in note
    wide = _slim_plan(_SLIM_SMALL, _SLIM_SMALL_ACTS, 576, 1280, Fraction(1))
    wide_macs, wide_params, _ = _measure(torch, _reference(torch, wide), 224)
    assert f"({_m(wide_params)})" in note and f"({_m(wide_macs)})" in note
    assert round(wide_params / 1e6, 1) == 2.9 and round(wide_macs / 1e6) != 66
    assert all(p.note == note for p in _v3_points() if p.label.startswith("Small dm=1 "))


def test_gap_notes_small_075(torch):
    note = _note("mobilenet_v3_small", Fraction(3, 4))
    assert note.startswith("Counted as mobilenet-v3-small-slim")
    alpha = Fraction(3, 4)
    wide = _slim_plan(_SLIM_SMALL, _SLIM_SMALL_ACTS, 576, 1280, alpha, hidden_fixed=True)
    kept = _slim_plan(_SLIM_SMALL, _SLIM_SMALL_ACTS, 576, 1024, alpha, hidden_fixed=True)
    (w_macs, w_params, _), (k_macs, k_params, _) = (
        _measure(torch, _reference(torch, plan), 224) for plan in (wide, kept)
    )
    assert f"1001-class classifier {_m(k_macs)} MACs and {_m(k_params)} params" in note
    assert f"({_m(w_macs)}, {_m(w_params)})" in note
    assert (round(w_macs / 1e6), round(w_params / 1e6, 1)) == (44, 2.4)
    point = next(p for p in _v3_points() if p.label == "Small dm=0.75 (float)")
    assert point.model == "mobilenet-v3-small-slim"
    assert (point.computed.mult_adds, point.computed.params) == (k_macs - 1024, k_params - 1025)


def test_gap_notes_small_minimalistic(torch):
    note = _note("mobilenet_v3_small_minimalistic", Fraction(1))
    slim = _slim_plan(_SLIM_SMALL, _SLIM_SMALL_ACTS, 576, 1024, Fraction(1))
    macs, params, _ = _measure(torch, _reference(torch, slim, minimal=True), 224)
    assert f"{_m(macs)} MACs and {_m(params)} params" in note
    assert round(params / 1e6, 1) == 2.0 and round(macs / 1e6) != 65


def test_gap_note_large_truncation():
    # 5,458,632 params: 5.4586 M, printed 5.4 (truncated), rounded 5.5.
    note = _note("mobilenet_v3_large", Fraction(1))
    params = mncost.cost("mobilenet-v3-large").total.params
    assert f"{params / 1e6:.2f} M truncated" in note
    assert Decimal(params).scaleb(-6).quantize(Decimal("0.1")) == Decimal("5.5")
