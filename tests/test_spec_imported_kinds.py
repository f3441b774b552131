"""What the spec language gained so that an imported graph can be written as a spec (issue
15): a standalone batch norm (``bn``) and activation (``act``), uneven padding
``[top, left, bottom, right]``, an SE block's squeeze channels stated (``squeeze``) and
its biases (``bias``), and a non-square default input (``resolution: [h, w]``). Expected
numbers are derived by hand in the comments; the YAML writer's text is read back by the
spec reader."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from fractions import Fraction

import pytest

import mncost
from mncost.arch.dump import spec_yaml
from mncost.arch.load import SpecError, parse_spec
from mncost.arch.safe_yaml import load_yaml
from tests.conftest import run_cli


def _spec(*layers, **top):
    return parse_spec({"name": "t", "classes": 10, "resolution": 32, **top, "layers": list(layers)})


def test_a_standalone_batch_norm_counts_its_params_under_bn_and_no_macs():
    arch = _spec(
        {"kind": "conv", "name": "c", "kernel": 3, "filters": 8, "batch_norm": False},
        {"kind": "bn", "name": "norm", "act": "relu"},
        {"kind": "act", "name": "gelu", "act": "gelu"},
    )
    rows = {r.name: r for r in mncost.cost(arch, bn="all").layers}
    # A 3x3 conv, 3 -> 8 channels at 32x32 ("same"): 9 * 3 * 8 * 1024 MACs, 9*3*8 + 8 params.
    assert rows["c"].mult_adds == 9 * 3 * 8 * 32 * 32 and rows["c"].params == 9 * 3 * 8 + 8
    assert rows["norm"].mult_adds == 0 and rows["norm"].params == 4 * 8  # gamma, beta, mean, var
    assert mncost.cost(arch, bn="affine").layers[1].params == 2 * 8
    assert mncost.cost(arch).layers[1].params == 0  # the paper's convention: none
    assert rows["gelu"].mult_adds == rows["gelu"].params == 0
    assert rows["gelu"].output == (32, 32, 8)


def test_uneven_padding_is_top_left_bottom_right():
    arch = _spec(
        {"kind": "conv", "name": "c", "kernel": 3, "stride": 2, "filters": 4,
         "padding": [0, 0, 1, 1]},
        {"kind": "maxpool", "name": "p", "kernel": 2, "padding": [1, 0, 0, 0]},
    )  # fmt: skip
    c, p = mncost.cost(arch).layers[:2]
    # TF's SAME for a 3x3 stride-2 conv on 32: (32 + 0 + 1 - 3) // 2 + 1 = 16 per side.
    assert c.output == (16, 16, 4)
    assert c.mult_adds == 9 * 3 * 4 * 16 * 16
    # The pool: height (16 + 1 - 2) // 2 + 1 = 8, width (16 - 2) // 2 + 1 = 8.
    assert p.output == (8, 8, 4)
    with pytest.raises(SpecError, match=r"padding: give 1 number, 2 .* or 4 .*not 3"):
        _spec({"kind": "conv", "name": "c", "kernel": 3, "filters": 4, "padding": [1, 1, 1]})


def test_an_se_blocks_squeeze_channels_follow_alpha_and_its_biases_can_go():
    se = {"kind": "se", "name": "se", "squeeze": 6, "act": "swish", "gate": "sigmoid"}
    arch = _spec({"kind": "conv", "name": "c", "kernel": 1, "filters": 32}, se)
    rows = {r.name: r for r in mncost.cost(arch, alpha=0.5).layers}
    # alpha 0.5: the conv has round(32 * 0.5) = 16 channels, the squeeze round(6 * 0.5) = 3.
    assert rows["se.reduce"].output == (1, 1, 3)
    assert rows["se.reduce"].params == 16 * 3 + 3 and rows["se.expand"].params == 3 * 16 + 16
    bare = _spec({"kind": "conv", "name": "c", "kernel": 1, "filters": 32}, {**se, "bias": False})
    rows = {r.name: r for r in mncost.cost(bare).layers}
    assert rows["se.reduce"].params == 32 * 6 and rows["se.expand"].params == 6 * 32


def test_a_resize_scales_the_map_by_a_whole_factor_or_to_a_size():
    arch = _spec(
        {"kind": "conv", "name": "c", "kernel": 3, "stride": 4, "filters": 4},
        {"kind": "resize", "name": "up", "scale": 2},
        {"kind": "resize", "name": "to", "output": [5, 7]},
        {"kind": "conv", "name": "c2", "kernel": 1, "filters": 4},
    )
    rows = {r.name: r for r in mncost.cost(arch).layers}
    # 32 / 4 = 8 per side, twice that is 16; then 5x7 whatever came in.
    assert rows["up"].output == (16, 16, 4) and rows["up"].mult_adds == 0
    assert rows["to"].output == (5, 7, 4)
    assert rows["c2"].mult_adds == 4 * 4 * 5 * 7
    with pytest.raises(SpecError, match="give one of scale"):
        _spec({"kind": "resize", "name": "r"})


def test_a_spec_can_default_to_a_non_square_input():
    arch = _spec({"kind": "conv", "name": "c", "kernel": 1, "filters": 2}, resolution=[24, 40])
    assert arch.resolution == (24, 40)
    assert mncost.cost(arch).layers[0].output == (24, 40, 2)
    assert _spec({"kind": "avgpool", "name": "p"}, resolution=[20, 20]).resolution == 20
    with pytest.raises(SpecError, match="resolution"):
        _spec({"kind": "avgpool", "name": "p"}, resolution=[0, 20])


HOSTILE = [
    "true",
    "null",
    "1e3",
    "0x1F",
    "a: b",
    "#x",
    "- y",
    "x'y",
    'q"q',
    "名前",
    "[1]",
    "~",
    "on",
]


def test_the_yaml_writer_quotes_what_yaml_would_misread():
    layers = [{"kind": "act", "name": name, "act": "relu"} for name in HOSTILE]
    data = {"name": "yes", "description": "a \\ b: {c}", "resolution": [8, 16], "layers": layers}
    text = spec_yaml(data, ["a comment"])
    assert text.startswith("# a comment\n")
    back = parse_spec(load_yaml(text))
    assert back.name == "yes" and back.description == "a \\ b: {c}"
    assert [layer.name for layer in back.layers] == HOSTILE
    assert back.resolution == (8, 16)


def test_verify_builds_the_new_kinds_in_pytorch(tmp_path):
    pytest.importorskip("torch")
    spec = tmp_path / "kinds.yaml"
    spec.write_text(
        spec_yaml(
            {
                "name": "kinds",
                "resolution": [20, 28],
                "classes": 10,
                "layers": [
                    {
                        "kind": "conv",
                        "name": "c",
                        "kernel": 3,
                        "filters": 8,
                        "padding": [1, 0, 2, 1],
                    },
                    {
                        "kind": "concat",
                        "name": "cat",
                        "branches": [
                            [],
                            [
                                {"kind": "bn", "name": "bn", "act": "relu"},
                                {"kind": "act", "name": "a", "act": "leaky_relu"},
                                {
                                    "kind": "conv",
                                    "name": "c2",
                                    "kernel": 3,
                                    "filters": 8,
                                    "padding": 1,
                                },
                            ],
                        ],
                    },
                    {"kind": "se", "name": "se", "squeeze": 3, "bias": False},
                    {"kind": "resize", "name": "up", "scale": [2, 1]},
                    {"kind": "fc", "name": "fc"},
                ],
            }
        )
    )
    with redirect_stderr(io.StringIO()):
        result = run_cli("verify", str(spec), "-a", "0.5", "--bn", "all")
    assert result.exit_code == 0, result.output
    assert "agree with PyTorch" in result.stdout
    assert mncost.cost(str(spec), alpha=Fraction(1, 2)).total.mult_adds > 0
