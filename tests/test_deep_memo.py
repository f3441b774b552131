"""A deep spec's configuration is worked out once and read many times (issue 14, item 3).

Past 4,096 ops the geometry of a configuration is kept, and what is derived from it (each
metric's column, each op's live values) is kept in its memo. A memo that forgot a key
(the dtype, the in-place setting) would hand one setting's figures to another: these
tests ask for the settings in turn, on one kept geometry, and check each against a hand
derivation.

The spec (tests.conftest.chain_spec): a 3x3 stride-2 conv of 8 filters on a 32x32x3
input, then 2,500 pairs of a 3x3 depthwise conv and a 1x1 conv of 8 filters (16x16x8
throughout), a global pool and a 10-class FC. Batch norm follows every conv (so no conv
bias), and the FC has its bias.

- Parameters: 3*3*3*8 = 216, each dw 3*3*8 = 72, each pw 8*8 = 64, the FC 8*10 + 10 = 90:
  216 + 2,500 * (72 + 64) + 90 = 340,306. In float32, 4 bytes each: 1,361,224.
- int8 folds each batch norm into its conv, which gains a bias of 8 values: 5,001 convs,
  40,008 more, so 380,314 bytes.
- Live values, layer by layer: the stem holds its input and output, 3,072 + 2,048 =
  5,120, more than any later op (a dw or pw holds 2,048 + 2,048 = 4,096; in place, a dw
  holds 2,048). The peak is 5,120 values at the stem in every setting: 5,120 bytes in
  int8, 20,480 in float32.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from mncost.arch.load import parse_spec
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.memory import count_memory, memory_peak
from mncost.cost.result import count
from tests.conftest import chain_spec

PAIRS = 2500


@pytest.fixture(scope="module")
def deep():
    return parse_spec(chain_spec(2 * PAIRS + 3, name="deep"))


def test_the_deep_spec_is_past_the_kept_size(deep):
    assert len(count(deep).geometry) == 1 + 2 * PAIRS + 2 > 4096


def test_one_configuration_in_each_dtype_in_turn(deep):
    # float32, then int8, then float32 again: each from the same kept geometry.
    for dtype, weights, peak in [
        ("float32", 1_361_224, 20_480),
        ("int8", 380_314, 5_120),
        ("float32", 1_361_224, 20_480),
    ]:
        for dw in (False, True):
            run = Execution(dtype=dtype, dw_inplace=dw)
            full = count_memory(deep, Fraction(1), execution=run)
            quick = memory_peak(deep, Fraction(1), execution=run)
            assert (full.weight_bytes, quick.weight_bytes) == (weights, weights)
            assert (full.peak.bytes, quick.peak.bytes) == (peak, peak)
            assert full.peak.layer == quick.peak.layer == "c0"
            # The other setting of dw_inplace: the same peak at the stem.
            assert full.other.bytes == peak
            per_value = 4 if dtype == "float32" else 1
            # A dw op holds 4,096 values, 2,048 when it runs in place.
            assert full.layer("d6").live_bytes == (2048 if dw else 4096) * per_value
            assert full.layer("p7").live_bytes == 4096 * per_value


def test_counts_under_other_conventions_are_their_own(deep):
    # The batch norm convention moves the parameters: 2 per channel of each of the
    # 5,001 convs' 8 outputs is 80,016 more; the MACs stay (no MAC reads the
    # conventions). MACs: the stem 3*3*3*8*16*16 = 55,296; each dw 3*3*8*256 = 18,432;
    # each pw 8*8*256 = 16,384; the FC 80: 55,296 + 2,500 * 34,816 + 80 = 87,095,376.
    plain = count(deep)
    affine = count(deep, conventions=Conventions(bn="affine"))
    again = count(deep)
    assert plain.total.params == again.total.params == 340_306
    assert affine.total.params == 340_306 + 80_016
    assert plain.total.mult_adds == affine.total.mult_adds == 87_095_376
