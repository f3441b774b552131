"""Patch regions (mncost.cost.patch) against a brute-force receptive field in PyTorch.

The oracle knows nothing of mncost's region arithmetic. Each spec below is a plain dict;
the test interprets it itself as a PyTorch network (``F.conv2d`` with the spec's kernel,
stride, dilation and groups; TensorFlow's "same" padding written out as TensorFlow pads:
total = max((out - 1) * s + d * (k - 1) + 1 - in, 0), the smaller half before; explicit
pixels as given; average pools for windowed pools; ``+`` for a residual's add,
``torch.cat`` for a concatenation), and names every tensor it makes as mncost does
(``block.part``, ``res.add``, ``cat.concat``).

Every weight is 1 and the input is all ones, in float64, with no activation: every value
is then a sum of products of positive numbers, so the gradient of the sum of one patch's
output pixels with respect to any earlier tensor is nonzero exactly at the pixels that
reach the patch through some path (no cancellation, no dead ReLU). The bounding box of
those pixels is the region that tensor must hold for the patch, and it is compared with
mncost's ``PatchStage.regions`` for every patch and every tensor of the stage. Shapes are
checked too, so that the two interpretations of a spec cannot drift apart unseen.

The cases are sized so that borders clip and the grid cuts unevenly (odd, non-square
inputs; 3x2 and 4x4 grids), and random networks add what the hand-written ones miss.

mncost's region is a window's span clipped to the input. Where the taps skip pixels (a
dilation under a stride, a stride longer than the window) the span can end on a border
pixel that no tap reads: there a region may be larger than the bounding box, and the
tests check only that no pixel read is missing (section 6). Section 7 holds the two
disagreements these tests found and that were then fixed: the simple pool form ("size")
traced with a leading padding it does not have, and patches that read only padding
getting inverted regions (and negative extra MACs).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest

pytest.importorskip("torch")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from mncost.arch.load import parse_spec  # noqa: E402
from mncost.cost.execution import Execution  # noqa: E402
from mncost.cost.memory import MemoryResult, count_memory  # noqa: E402
from mncost.cost.patch import Region  # noqa: E402
from mncost.cost.scaling import ScalingError  # noqa: E402

Box = tuple[int, int, int, int]
"""(top, bottom, left, right), as a Region."""
Layer = dict[str, Any]


# -- the oracle: a spec dict run as a PyTorch network ---------------------------------


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _pads(padding: Any, size: int, k: int, s: int, d: int, axis: int) -> tuple[int, int]:
    """(before, after) pixels along ``axis`` (0: rows, 1: columns)."""
    if padding == "same":  # TensorFlow: output ceil(size / s), the smaller half before
        out = -(-size // s)
        total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
        return total // 2, total - total // 2
    if padding == "valid":
        return 0, 0
    if isinstance(padding, int):
        return padding, padding
    if len(padding) == 2:  # [height, width]
        return padding[axis], padding[axis]
    return padding[axis], padding[axis + 2]  # [top, left, bottom, right]


def _conv(
    x: torch.Tensor,
    kernel: Any,
    stride: Any,
    dilation: Any,
    padding: Any,
    groups: int,
    c_out: int,
) -> torch.Tensor:
    (kh, kw), (sh, sw), (dh, dw) = _pair(kernel), _pair(stride), _pair(dilation)
    top, bottom = _pads(padding, x.shape[2], kh, sh, dh, 0)
    left, right = _pads(padding, x.shape[3], kw, sw, dw, 1)
    x = F.pad(x, (left, right, top, bottom))
    weight = torch.ones(c_out, x.shape[1] // groups, kh, kw, dtype=torch.float64)
    return F.conv2d(x, weight, stride=(sh, sw), dilation=(dh, dw), groups=groups)


def _pool(x: torch.Tensor, layer: Layer) -> torch.Tensor:
    # An average pool: a max pool has the same windows, but its gradient reaches only
    # the maximum of each window, so the oracle writes every pool as an average.
    if "size" in layer:  # the simple form: window = stride, the partial window kept
        return F.avg_pool2d(x, layer["size"], stride=layer["size"], ceil_mode=True)
    kernel = _pair(layer["kernel"])
    stride = _pair(layer.get("stride", layer["kernel"]))
    padding = layer.get("padding", 0)
    ceil = layer.get("ceil_mode", False)
    if isinstance(padding, int) or (isinstance(padding, list) and len(padding) == 2):
        return F.avg_pool2d(x, kernel, stride, _pair(padding), ceil_mode=ceil)
    assert not ceil, "the oracle pads only symmetric pools in ceil mode"
    top, bottom = _pads(padding, x.shape[2], kernel[0], stride[0], 1, 0)
    left, right = _pads(padding, x.shape[3], kernel[1], stride[1], 1, 1)
    return F.avg_pool2d(F.pad(x, (left, right, top, bottom)), kernel, stride)


def _run(
    layers: list[Layer], x: torch.Tensor, prefix: str, out: dict[str, torch.Tensor]
) -> torch.Tensor:
    """Run ``layers`` on ``x``, recording each op's output in ``out`` by its full name."""
    for layer in layers:
        kind, name = layer["kind"], prefix + layer["name"]
        if kind == "conv":
            groups = layer.get("groups", 1)
            x = _conv(
                x,
                layer["kernel"],
                layer.get("stride", 1),
                layer.get("dilation", 1),
                layer.get("padding", "same"),
                x.shape[1] if groups == "depthwise" else groups,
                layer["filters"],
            )
        elif kind == "dw":
            c = x.shape[1]
            x = _conv(
                x,
                layer.get("kernel", 3),
                layer.get("stride", 1),
                layer.get("dilation", 1),
                layer.get("padding", "same"),
                c,
                c * layer.get("multiplier", 1),
            )
        elif kind == "pw":
            x = _conv(x, 1, layer.get("stride", 1), 1, "valid", 1, layer["filters"])
        elif kind == "avgpool":
            x = _pool(x, layer)
        elif kind == "block":
            x = _run(layer["layers"], x, name + ".", out)
            continue  # a block adds no op of its own
        elif kind == "residual":
            body = _run(layer["body"], x, name + ".", out)
            skip = _run(layer["shortcut"], x, name + ".", out) if layer.get("shortcut") else x
            x, name = body + skip, name + ".add"
        elif kind == "concat":
            parts = [_run(branch, x, name + ".", out) for branch in layer["branches"]]
            x, name = torch.cat(parts, dim=1), name + ".concat"
        else:
            raise AssertionError(f"the oracle does not run {kind}")
        assert name not in out, name
        out[name] = x
    return x


def _forward(spec: dict[str, Any]) -> dict[str, torch.Tensor]:
    """Every tensor of ``spec`` run on an all-ones input: "input" first, then each op's."""
    h, w = _pair(spec["resolution"])
    image = torch.ones(1, spec.get("input_channels", 3), h, w, dtype=torch.float64)
    image.requires_grad_(True)
    out = {"input": image}
    _run(spec["layers"], image, "", out)
    return out


def _bounding_box(grad: torch.Tensor | None) -> Box | None:
    if grad is None:
        return None
    hit = grad[0].abs().sum(dim=0) > 0  # (height, width): reaches the patch
    rows = torch.nonzero(hit.any(dim=1)).flatten()
    cols = torch.nonzero(hit.any(dim=0)).flatten()
    if len(rows) == 0:
        return None
    return (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)


# -- mncost's regions, and the comparison ---------------------------------------------


def _mncost(spec: dict[str, Any], split: str, grid: tuple[int, int]) -> MemoryResult:
    ex = Execution(dtype="int8", schedule="patch", split=split, patches=grid)
    return count_memory(parse_spec(spec), Fraction(1), _pair(spec["resolution"]), 0, execution=ex)


def _box(region: Region | None) -> Box | None:
    """A region as a box; None for none, or an empty one (an inverted one is kept)."""
    if region is None:
        return None
    box = (region.top, region.bottom, region.left, region.right)
    if region.height < 0 or region.width < 0:
        return box  # never what the oracle gives: it shows as a disagreement
    return None if region.area == 0 else box


Row = tuple[int, str, Box | None, Box | None]
"""(patch, tensor, mncost's region, the oracle's)."""


def _compare(spec: dict[str, Any], split: str, grid: tuple[int, int]) -> list[Row]:
    """mncost's region and the oracle's, for every patch and every tensor of the stage."""
    res = _mncost(spec, split, grid)
    stage = res.stage
    assert stage is not None and stage.grid == grid
    tensors = _forward(spec)
    names = [res.tensors[t].name for t in range(stage.split_tensor + 1)]
    for t, name in enumerate(names):  # the same network on both sides
        h, w, c = res.tensors[t].shape
        assert tuple(tensors[name].shape) == (1, c, h, w), name
    split_out = tensors[names[-1]]
    rows, cols = grid
    h, w = split_out.shape[2], split_out.shape[3]
    assert len(stage.regions) == rows * cols
    pairs: list[Row] = []
    covered = torch.zeros(h, w, dtype=torch.int64)
    for p, regions in enumerate(stage.regions):
        assert set(regions) == set(range(stage.split_tensor + 1))
        patch = regions[stage.split_tensor]
        covered[patch.top : patch.bottom, patch.left : patch.right] += 1
        # The patch's own pixels: the grid's cells in row-major order, as even as the
        # pixels allow (the sides differ by at most one).
        r, c = divmod(p, cols)
        assert abs(patch.height - h / rows) < 1 and abs(patch.width - w / cols) < 1
        assert (patch.top == 0) == (r == 0) and (patch.bottom == h) == (r == rows - 1)
        assert (patch.left == 0) == (c == 0) and (patch.right == w) == (c == cols - 1)
        loss = split_out[:, :, patch.top : patch.bottom, patch.left : patch.right].sum()
        grads = torch.autograd.grad(
            loss, [tensors[n] for n in names], retain_graph=True, allow_unused=True
        )
        for t, (name, grad) in enumerate(zip(names, grads)):
            pairs.append((p, name, _box(regions.get(t)), _bounding_box(grad)))
    assert bool((covered == 1).all()), "the patches must tile the split's output"
    return pairs


def _disagreements(spec: dict[str, Any], split: str, grid: tuple[int, int]) -> list[Row]:
    """Where mncost's region is not the oracle's bounding box."""
    return [row for row in _compare(spec, split, grid) if row[2] != row[3]]


def _contains(got: Box | None, want: Box | None) -> bool:
    if got is not None and (got[1] < got[0] or got[3] < got[2]):
        return False  # inverted
    if want is None:
        return True
    if got is None:
        return False
    return got[0] <= want[0] and got[1] >= want[1] and got[2] <= want[2] and got[3] >= want[3]


def _not_contained(spec: dict[str, Any], split: str, grid: tuple[int, int]) -> list[Row]:
    """Where mncost's region misses a pixel the patch needs (or is inverted)."""
    return [row for row in _compare(spec, split, grid) if not _contains(row[2], row[3])]


GRIDS = [(1, 1), (2, 2), (3, 2), (4, 4)]


# -- 1. a chain -----------------------------------------------------------------------

CHAIN = {
    "name": "chain",
    "input_channels": 2,
    "resolution": [37, 41],
    "classes": 0,
    "layers": [
        {"kind": "conv", "name": "c1", "kernel": 3, "stride": 2, "padding": 1, "filters": 3},
        {"kind": "dw", "name": "d2", "kernel": 3, "dilation": 2},  # same: 2 pixels a side
        {"kind": "conv", "name": "c3", "kernel": 5, "filters": 4},  # same
        {"kind": "conv", "name": "c4", "kernel": 5, "padding": "valid", "filters": 3},
        {"kind": "pw", "name": "p5", "filters": 2},
        {"kind": "conv", "name": "c6", "kernel": [1, 3], "stride": [1, 2], "filters": 2},
    ],
}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g[0]}x{g[1]}")
@pytest.mark.parametrize("split", ["c6", "p5", "c3", "d2"])
def test_chain_regions_match_the_receptive_field(split: str, grid: tuple[int, int]) -> None:
    assert _disagreements(CHAIN, split, grid) == []


# -- 2. residuals: a skip read by the add and by the body (or a shortcut) -------------

RESIDUAL = {
    "name": "residual",
    "input_channels": 2,
    "resolution": [37, 41],
    "classes": 0,
    "layers": [
        {"kind": "conv", "name": "stem", "kernel": 3, "stride": 2, "filters": 3},
        {
            # Identity skip: the stem's output is read by r1.a (a 3x3 conv) and by the add.
            "kind": "residual",
            "name": "r1",
            "body": [
                {"kind": "conv", "name": "a", "kernel": 3, "filters": 4},
                {"kind": "pw", "name": "b", "filters": 3},
            ],
        },
        {
            # A body and a shortcut whose needs are offset in opposite directions: the
            # body's conv pads 2 rows above and 2 columns right (it needs rows above and
            # columns right of the patch), the shortcut's 1x3 conv pads 2 columns left.
            # r1.add's region must be the bounding box of both, larger than either.
            "kind": "residual",
            "name": "r2",
            "body": [
                {"kind": "conv", "name": "a", "kernel": 3, "padding": [2, 0, 0, 2], "filters": 3},
            ],
            "shortcut": [
                {
                    "kind": "conv",
                    "name": "s",
                    "kernel": [1, 3],
                    "padding": [0, 2, 0, 0],
                    "filters": 3,
                },
            ],
        },
        {
            # Downsampling: a stride-2 body beside a stride-2 1x1 projection.
            "kind": "residual",
            "name": "r3",
            "body": [
                {"kind": "conv", "name": "a", "kernel": 3, "stride": 2, "padding": 1, "filters": 4},
                {"kind": "dw", "name": "b", "kernel": 3, "dilation": 2},
            ],
            "shortcut": [{"kind": "pw", "name": "proj", "stride": 2, "filters": 4}],
        },
    ],
}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g[0]}x{g[1]}")
@pytest.mark.parametrize("split", ["r1", "r2", "r3"])
def test_residual_regions_match_the_receptive_field(split: str, grid: tuple[int, int]) -> None:
    assert _disagreements(RESIDUAL, split, grid) == []


def test_a_skip_read_twice_gets_the_bounding_box_of_both_needs() -> None:
    # The case above by hand, so the test shows what it checks. r2.a (3x3, padding 2
    # above and 2 right) needs, for rows [a, b) and columns [l, r) of r2.add, rows
    # [a - 2, b) and columns [l, r + 2) of r1.add; r2.s (1x3, padding 2 left) rows
    # [a, b) and columns [l - 2, r). r1.add must hold the bounding box, clipped to its
    # 19x21: in the 2x2 grid's first patch, rows [0, 9) and columns [0, 10) of r2.add,
    # that is rows [0, 9) and columns [0, 12); in the last, rows [9, 19) and columns
    # [10, 21), rows [7, 19) (from r2.a alone) and columns [8, 21) (from r2.s alone).
    res = _mncost(RESIDUAL, "r2", (2, 2))
    assert res.stage is not None
    index = {info.name: t for t, info in enumerate(res.tensors)}
    first = res.stage.regions[0]
    assert first[index["r2.add"]] == Region(0, 9, 0, 10)
    assert first[index["r1.add"]] == Region(0, 9, 0, 12)
    last = res.stage.regions[3]  # rows [9, 19), columns [10, 21)
    assert last[index["r1.add"]] == Region(7, 19, 8, 21)
    assert _disagreements(RESIDUAL, "r2", (2, 2)) == []


# -- 3. concatenations: branches of different reach on one tensor ---------------------

CONCAT = {
    "name": "concat",
    "input_channels": 2,
    "resolution": [41, 37],
    "classes": 0,
    "layers": [
        {"kind": "conv", "name": "stem", "kernel": 3, "stride": 2, "padding": 1, "filters": 3},
        {
            "kind": "concat",
            "name": "mix",
            "branches": [
                [{"kind": "pw", "name": "one", "filters": 2}],
                [{"kind": "conv", "name": "five", "kernel": 5, "filters": 2}],
                [{"kind": "conv", "name": "dil", "kernel": 3, "dilation": 2, "filters": 2}],
                [
                    {"kind": "avgpool", "name": "pool", "kernel": 3, "stride": 1, "padding": 1},
                    {"kind": "pw", "name": "pool_pw", "filters": 2},
                ],
                [],  # the input itself
            ],
        },
        {
            # Offset in opposite directions: neither branch's need contains the other's.
            "kind": "concat",
            "name": "skew",
            "branches": [
                [
                    {
                        "kind": "conv",
                        "name": "up",
                        "kernel": 3,
                        "padding": [2, 0, 0, 2],
                        "filters": 2,
                    }
                ],
                [
                    {
                        "kind": "conv",
                        "name": "down",
                        "kernel": 3,
                        "padding": [0, 2, 2, 0],
                        "filters": 2,
                    }
                ],
            ],
        },
        {"kind": "conv", "name": "tail", "kernel": 3, "stride": 2, "filters": 4},
    ],
}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g[0]}x{g[1]}")
@pytest.mark.parametrize("split", ["mix", "skew", "tail"])
def test_concat_regions_match_the_receptive_field(split: str, grid: tuple[int, int]) -> None:
    assert _disagreements(CONCAT, split, grid) == []


# -- 4. TensorFlow "same" padding with strides: asymmetric, on even inputs ------------

SAME = {
    "name": "same",
    "input_channels": 2,
    "resolution": [64, 58],
    "classes": 0,
    "layers": [
        # Even input, stride 2, kernel 3: 1 pixel of padding in all, after (bottom/right).
        {"kind": "conv", "name": "c1", "kernel": 3, "stride": 2, "filters": 3},
        # An even kernel: 4 at stride 2 on 32x29 pads rows 1 before and 1 after, columns
        # 1 before and 2 after.
        {"kind": "conv", "name": "c2", "kernel": 4, "stride": 2, "filters": 3},
        # A non-square kernel and stride (columns: 2 and 2 on 16x15).
        {"kind": "conv", "name": "c3", "kernel": [1, 5], "stride": [1, 2], "filters": 3},
        # An even kernel at stride 1: 0 before, 1 after.
        {"kind": "dw", "name": "d4", "kernel": 2},
        # A pool at stride 2 on 16x8: 0 before, 1 after.
        {"kind": "avgpool", "name": "p5", "kernel": 3, "stride": 2, "padding": "same"},
    ],
}

# The same shapes at odd sizes, where the padding falls differently.
SAME_ODD = {**SAME, "name": "same-odd", "resolution": [67, 61]}


@pytest.mark.parametrize("grid", [(1, 1), (2, 2), (2, 3), (3, 2)], ids=lambda g: f"{g[0]}x{g[1]}")
@pytest.mark.parametrize("spec", [SAME, SAME_ODD], ids=["even", "odd"])
@pytest.mark.parametrize("split", ["p5", "c2"])
def test_same_padding_regions_match_the_receptive_field(
    spec: dict[str, Any], split: str, grid: tuple[int, int]
) -> None:
    assert _disagreements(spec, split, grid) == []


# -- 5. windowed pools and blocks -----------------------------------------------------

POOLS = {
    "name": "pools",
    "input_channels": 2,
    "resolution": [38, 41],
    "classes": 0,
    "layers": [
        {
            "kind": "block",
            "name": "stage1",
            "layers": [
                {"kind": "conv", "name": "c", "kernel": 3, "filters": 3},
                # ceil mode: the last window starts inside the input and runs past it.
                {
                    "kind": "avgpool",
                    "name": "p",
                    "kernel": 3,
                    "stride": 2,
                    "padding": 1,
                    "ceil_mode": True,
                },
            ],
        },
        {"kind": "avgpool", "name": "q", "kernel": [2, 3], "stride": [2, 1]},
        {"kind": "conv", "name": "e", "kernel": 3, "padding": [0, 1], "filters": 2},
    ],
}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g[0]}x{g[1]}")
@pytest.mark.parametrize("split", ["stage1", "e"])
def test_pool_regions_match_the_receptive_field(split: str, grid: tuple[int, int]) -> None:
    assert _disagreements(POOLS, split, grid) == []


# -- 6. where the bounding box of the window is more than the pixels read ------------


def _net(layers: list[Layer], resolution: list[int], channels: int = 2) -> dict[str, Any]:
    return {
        "name": "net",
        "input_channels": channels,
        "resolution": resolution,
        "classes": 0,
        "layers": layers,
    }


SLACK = {
    # 3x3, stride 2, dilation 2, same, on 38 rows: 3 pixels of padding, 1 before; every
    # tap is on an odd row (2y - 1 + 2j), so row 0 is never read; likewise column 0 of
    # 40.
    "dilated-stride-2": _net([{"kind": "dw", "name": "d", "stride": 2, "dilation": 2}], [38, 40]),
    # A 1x1 conv at stride 2 with 1 pixel of padding reads rows 2y - 1: never row 0, nor
    # the last row of 37 (or column of 41).
    "1x1-stride-2-padded": _net(
        [{"kind": "conv", "name": "c", "kernel": 1, "stride": 2, "padding": 1, "filters": 2}],
        [37, 41],
    ),
    # The same behind a 3x3 conv, so the slack is traced back a step further.
    "traced-back": _net(
        [
            {"kind": "conv", "name": "c", "kernel": 3, "padding": "valid", "filters": 2},
            {"kind": "dw", "name": "d", "stride": 2, "dilation": 2},
        ],
        [40, 42],
    ),
}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda g: f"{g[0]}x{g[1]}")
@pytest.mark.parametrize("case", sorted(SLACK))
def test_regions_clipped_at_the_border_contain_every_pixel_read(
    case: str, grid: tuple[int, int]
) -> None:
    # mncost clips a window's span [a*s - p, (b-1)*s - p + d*(k-1) + 1) to the input
    # (its module docstring's rule). Where the taps skip pixels (a dilation under a
    # stride, or a stride larger than the window), the clipped span can start or end on
    # a pixel no tap reads: the region is then a row or column larger than the pixels
    # read, a conservative bound (the runtime loads a pixel it does not use). What must
    # hold is that no pixel the patch reads is missing.
    spec = SLACK[case]
    assert _not_contained(spec, spec["layers"][-1]["name"], grid) == []


# -- 7. disagreements found here, since fixed ---------------------------------------


@pytest.mark.parametrize("size, resolution", [(3, [37, 41]), (4, [37, 42])])
def test_simple_pool_form_regions_with_a_short_last_window(
    size: int, resolution: list[int]
) -> None:
    # avgpool size 3 on 37 rows: 13 windows [3r, 3r + 3), the last holding row 36
    # alone. mncost's region for rows [0, 7) of the pool (the 2x2 grid's top patches,
    # behind a 3x3 conv) is input rows [0, 20), but the windows read rows [0, 21).
    spec = _net(
        [
            {"kind": "avgpool", "name": "pool", "size": size},
            {"kind": "conv", "name": "c", "kernel": 3, "filters": 2},
        ],
        resolution,
    )
    assert _not_contained(spec, "c", (2, 2)) == []


@pytest.mark.parametrize("size, resolution", [(2, [37, 41]), (3, [39, 41]), (7, [42, 14])])
def test_simple_pool_form_regions_where_the_last_window_is_full_or_one_short(
    size: int, resolution: list[int]
) -> None:
    # The same pools where the sides leave at most 1 pixel of shortfall: there half of
    # it rounds down to 0 and the two readings agree.
    spec = _net(
        [
            {"kind": "avgpool", "name": "pool", "size": size},
            {"kind": "conv", "name": "c", "kernel": 3, "filters": 2},
        ],
        resolution,
    )
    assert _disagreements(spec, "c", (2, 2)) == []


def test_a_patch_that_reads_only_padding_needs_nothing() -> None:
    # A 1x1 conv with 3 pixels of padding on a 4x4 map (after a stride-2 1x1 conv on
    # 8x8): its 10x10 output in 5x5 patches of 2x2; the border patches read padding
    # alone. The oracle: they need no pixel of any earlier tensor. mncost: the corner
    # patch's region of the 4x4 map is Region(0, -1, 0, -1).
    spec = _net(
        [
            {"kind": "pw", "name": "p", "stride": 2, "filters": 2},
            {"kind": "conv", "name": "c", "kernel": 1, "padding": 3, "filters": 2},
        ],
        [8, 8],
    )
    res = _mncost(spec, "c", (5, 5))
    assert res.stage is not None and res.stage.extra_macs >= 0
    assert _not_contained(spec, "c", (5, 5)) == []


# -- 8. random networks ---------------------------------------------------------------


Case = tuple[dict[str, Any], str, tuple[int, int]]
"""A spec, its split and its grid."""


def _random_window(rng: random.Random, name: str, c: int, exact: bool) -> tuple[Layer, int]:
    """A random conv, depthwise conv, 1x1 conv or average pool on ``c`` channels, whose
    every window reads at least one pixel of its input; (layer, its output channels).
    ``exact``: no dilation and no stride longer than the window (but a 1x1 conv's, which
    has no padding to clip), where the clipped span is exactly the pixels read."""
    kind = rng.choice(["conv", "conv", "dw", "pw", "avgpool"])
    if kind == "pw":
        return {"kind": "pw", "name": name, "stride": rng.choice([1, 2]), "filters": 2}, 2
    kernel = rng.choice([1, 2, 3, 4, 5, [1, 3], [3, 2], [5, 1]])
    k = _pair(kernel)
    d = (1, 1) if exact or kind == "avgpool" else _pair(rng.choice([1, 1, 2, 3, [1, 2]]))
    s = _pair(rng.choice([1, 1, 2, 3, [1, 2], [2, 1]]))
    if exact:
        s = (min(s[0], k[0]), min(s[1], k[1]))
    reach = [d[a] * (k[a] - 1) for a in (0, 1)]  # padding up to this keeps a pixel read
    if kind == "avgpool":
        reach = [kk // 2 for kk in k]  # PyTorch's limit on a pool's padding
    forms: list[Any] = [
        "same",
        "valid",
        rng.randint(0, min(reach)),
        [rng.randint(0, reach[0]), rng.randint(0, reach[1])],
    ]
    if kind != "avgpool":
        forms.append([rng.randint(0, reach[a % 2]) for a in range(4)])
    layer: Layer = {"kind": kind, "name": name, "kernel": kernel, "stride": list(s)}
    layer["padding"] = rng.choice(forms)
    if kind == "avgpool":
        if not isinstance(layer["padding"], str):
            layer["ceil_mode"] = rng.random() < 0.5
        return layer, c
    layer["dilation"] = list(d)
    if kind == "conv":
        layer["filters"] = 2
        return layer, 2
    return layer, c


def _same_size(rng: random.Random, name: str, c: int, c_out: int, exact: bool) -> Layer:
    """A random stride-1 conv (or depthwise conv when c_out is c) that keeps the
    feature map's size, padded unevenly at random."""
    k = _pair(rng.choice([1, 2, 3, 4, 5, [1, 3], [3, 2]]))
    d = (1, 1) if exact else _pair(rng.choice([1, 2, [2, 1]]))
    total = [d[a] * (k[a] - 1) for a in (0, 1)]
    top, left = rng.randint(0, total[0]), rng.randint(0, total[1])
    padding = [top, left, total[0] - top, total[1] - left]
    layer: Layer = {"kind": "conv", "name": name, "kernel": list(k), "dilation": list(d)}
    layer["padding"] = padding
    if c_out == c and rng.random() < 0.5:
        layer["kind"] = "dw"
    else:
        layer["filters"] = c_out
    return layer


def _random_net(seed: int, exact: bool) -> Case:
    """A random network of 1 to 4 top-level layers (windows, residuals with or without
    a shortcut, concatenations with a pass-through branch), a split at the end of one of
    them, and a grid."""
    rng = random.Random(seed)
    c, layers = 2, []
    for i in range(rng.randint(1, 4)):
        shape = rng.choice(["window", "window", "residual", "concat"])
        name = f"l{i}"
        if shape == "window":
            layer, c = _random_window(rng, name, c, exact)
        elif shape == "residual":
            body = [_same_size(rng, "a", c, 3, exact), _same_size(rng, "b", 3, c, exact)]
            layer = {"kind": "residual", "name": name, "body": body}
            if rng.random() < 0.5:
                layer["shortcut"] = [_same_size(rng, "s", c, c, exact)]
        else:
            branches: list[list[Layer]] = [[], [_same_size(rng, "a", c, 2, exact)]]
            branches.append([_same_size(rng, "b", c, 1, exact)])
            layer, c = {"kind": "concat", "name": name, "branches": branches}, c + 3
        layers.append(layer)
    split = rng.choice(layers)["name"]
    grid = (rng.randint(1, 4), rng.randint(1, 4))
    return _net(layers, [rng.randint(17, 45), rng.randint(17, 45)]), split, grid


def _random_cases(exact: bool, wanted: int) -> list[Case]:
    # The first ``wanted`` seeds whose network mncost can count at that grid (a window
    # can outgrow a shrunken map, a grid its split's output).
    cases: list[Case] = []
    seed = 0
    while len(cases) < wanted:
        spec, split, grid = _random_net(seed, exact)
        seed += 1
        try:
            _mncost(spec, split, grid)
        except ScalingError:
            continue
        cases.append((spec, split, grid))
    return cases


def test_random_networks_without_gaps_in_the_taps_match_exactly() -> None:
    wrong = [
        (spec["layers"], split, grid, _disagreements(spec, split, grid)[:3])
        for spec, split, grid in _random_cases(exact=True, wanted=60)
    ]
    assert [w for w in wrong if w[3]] == []


def test_random_networks_regions_hold_every_pixel_read() -> None:
    wrong = [
        (spec["layers"], split, grid, _not_contained(spec, split, grid)[:3])
        for spec, split, grid in _random_cases(exact=False, wanted=60)
    ]
    assert [w for w in wrong if w[3]] == []
