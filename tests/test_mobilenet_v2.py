"""MobileNet V2: the built-in spec, its spec file, and agreement with PyTorch over TF-slim's
grid of released checkpoints (issue 9).

The reference figures are torchvision's and TF-slim's published ones (cited in
tests/test_engine.py); here PyTorch's FlopCounterMode is the independent side.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost.arch.load import load_spec
from mncost.cost.conventions import Conventions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# TF-slim's released MobileNet V2 checkpoints (mobilenet/README.md): every width at
# every resolution.
SLIM_ALPHAS = ("0.35", "0.5", "0.75", "1.0", "1.3", "1.4")
SLIM_RESOLUTIONS = (96, 128, 160, 192, 224)


def test_example_file_is_the_builtin_model():
    from_file = load_spec(EXAMPLES / "mobilenet-v2.yaml")
    builtin = mncost.get_model("mobilenet-v2")
    assert from_file.layers == builtin.layers
    assert from_file.width == builtin.width
    for alpha, res in (("1", 224), ("0.35", 96), ("1.4", 224), ("0.6", 97)):
        assert (
            mncost.cost(from_file, alpha, res).to_dict()["layers"]
            == mncost.cost("mobilenet-v2", alpha, res).to_dict()["layers"]
        )


def test_rows_name_their_block():
    r = mncost.cost("mobilenet-v2")
    blocks = {layer.block for layer in r.layers}
    assert {f"block_{n}" for n in range(1, 18)} <= blocks
    # Table 2 of the V2 paper: 17 bottleneck blocks; the first (t = 1) has no expansion,
    # and a block adds its input back when its stride is 1 and its width is unchanged:
    # blocks 3, 5, 6, 8, 9, 10, 12, 13, 15, 16 (the repeats of each stage).
    adds = sorted(int(layer.block.split("_")[1]) for layer in r.layers if layer.kind == "add")
    assert adds == [3, 5, 6, 8, 9, 10, 12, 13, 15, 16]
    assert not any(layer.name == "block_1.expand" for layer in r.layers)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _verify(alpha: str, resolution: int):
    from mncost.analysis.verify import verify

    return verify(
        mncost.get_model("mobilenet-v2"),
        Fraction(alpha),
        resolution,
        conventions=Conventions(bn="affine"),
    )


@pytest.mark.parametrize("alpha", SLIM_ALPHAS)
@pytest.mark.parametrize("resolution", SLIM_RESOLUTIONS)
def test_pytorch_agrees_on_the_slim_grid(torch, alpha, resolution):
    check = _verify(alpha, resolution)
    assert check.ok, check.verdict()
    assert len(check.layers) == len(mncost.cost("mobilenet-v2", alpha, resolution).layers)


@pytest.mark.parametrize(
    "alpha,resolution", [("0.6", 224), ("1.0", 97), ("1.0", 225), ("0.35", 97), ("1.4", 225)]
)
def test_pytorch_agrees_on_odd_cases(torch, alpha, resolution):
    check = _verify(alpha, resolution)
    assert check.ok, check.verdict()


def test_checkpoints_show_mncost_count_beside_the_published_one():
    from mncost.analysis.published import published_points

    v2 = [p for p in published_points(families=["mobilenet_v2"]) if p.source == "checkpoints"]
    assert len(v2) == 22
    for point in v2:
        exact = mncost.cost("mobilenet-v2", point.alpha, point.resolution).total
        assert (point.computed.mult_adds, point.computed.params) == (exact.mult_adds, exact.params)
        # TF-slim's table prints every V2 count truncated to whole millions of MACs
        # (300.77 M -> 300, 153.94 M -> 153) and params to two decimals of millions.
        assert point.mult_adds_m == exact.mult_adds // 10**6
        assert point.params_m == Decimal(exact.params / 1e6).quantize(Decimal("0.01"))
