"""The tests' one independent oracle for MobileNet v1: the paper's Table 1 and its cost
formulas, written out here and nowhere in mncost.

Table 1 (Howard et al. 2017, arXiv:1704.04861) as (D_K, M, N, stride, kind) rows at
alpha 1: "c" a standard conv, "dw" depthwise, "pw" pointwise; dw_13 at stride 1 (the
table's misprint fixed, as the text's 7x7 output requires).
"""

from __future__ import annotations

import math
from fractions import Fraction

__all__ = ["TABLE1", "table1_count"]

TABLE1: list[tuple[int, int, int, int, str]] = (
    [
        (3, 3, 32, 2, "c"),
        (3, 32, 32, 1, "dw"),
        (1, 32, 64, 1, "pw"),
        (3, 64, 64, 2, "dw"),
        (1, 64, 128, 1, "pw"),
        (3, 128, 128, 1, "dw"),
        (1, 128, 128, 1, "pw"),
        (3, 128, 128, 2, "dw"),
        (1, 128, 256, 1, "pw"),
        (3, 256, 256, 1, "dw"),
        (1, 256, 256, 1, "pw"),
        (3, 256, 256, 2, "dw"),
        (1, 256, 512, 1, "pw"),
    ]
    + [(3, 512, 512, 1, "dw"), (1, 512, 512, 1, "pw")] * 5
    + [
        (3, 512, 512, 2, "dw"),
        (1, 512, 1024, 1, "pw"),
        (3, 1024, 1024, 1, "dw"),
        (1, 1024, 1024, 1, "pw"),
    ]
)


def table1_count(
    alpha: Fraction | str | int,
    resolution: int,
    classes: int = 1000,
    fc_bias: bool = True,
) -> tuple[int, int]:
    """MACs and params by the paper's formulas: D_K^2*M*N*D_G^2 (conv, pw), D_K^2*M*D_G^2
    (dw), the FC's features x classes; params D_K^2*M*N (conv, pw), D_K^2*M (dw), the
    FC's weights and bias. Channels: round half up of c*alpha (the image's 3 stay 3);
    D_G = ceil(D_F / s)."""
    a = Fraction(alpha) if not isinstance(alpha, Fraction) else alpha

    def width(c: int) -> int:
        return c if c == 3 else math.floor(c * a + Fraction(1, 2))

    side, macs, params = resolution, 0, 0
    for k, m, n, s, kind in TABLE1:
        side = -(-side // s)
        if kind == "dw":
            macs += k * k * width(m) * side * side
            params += k * k * width(m)
        else:
            macs += k * k * width(m) * width(n) * side * side
            params += k * k * width(m) * width(n)
    if classes:
        macs += width(1024) * classes
        params += width(1024) * classes + (classes if fc_bias else 0)
    return macs, params
