"""Memory metrics: bytes of weights and of each op's output, under the data type of
:attr:`mncost.cost.conventions.Conventions.dtype`.

Peak activation memory is not a per-op sum: it depends on which tensors are alive
together, which the program's dataflow says (:mod:`mncost.cost.memory`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.metrics import Count, metric
from mncost.cost.metrics.counts import params

__all__ = ["input_bytes", "output_bytes", "weight_bytes"]


@metric("weight_bytes", "bytes")
def weight_bytes(
    conventions: Conventions,
    weighted: Count,
    c_in: Count,
    groups: Count,
    c_out: Count,
    k_h: Count,
    k_w: Count,
    bias: Count,
    is_fc: Count,
    bn: Count,
    channel_scale: Count,
) -> Count:
    """Bytes of stored weights: the parameters times the bytes per value. In int8 batch
    norm is folded into the conv before it: its values are not stored, and the conv
    keeps one bias per output channel (a bias it had already is not doubled). A learned
    per-channel scale's weights are stored (it is not folded)."""
    size = DTYPE_BYTES[conventions.dtype]
    folds = conventions.dtype == "int8"
    stored = params(
        _without_bn(conventions) if folds else conventions,
        weighted=weighted,
        c_in=c_in,
        groups=groups,
        c_out=c_out,
        k_h=k_h,
        k_w=k_w,
        bias=bias,
        is_fc=is_fc,
        bn=bn,
        channel_scale=channel_scale,
    )
    folded = bn * (1 - bias) * c_out if folds else 0  # the bias that folding creates
    return (stored + folded) * size


@lru_cache(maxsize=32)
def _without_bn(conventions: Conventions) -> Conventions:
    return replace(conventions, bn="none")


@metric("output_bytes", "bytes")
def output_bytes(
    conventions: Conventions,
    aux: Count,
    c_out: Count,
    h_out: Count,
    w_out: Count,
) -> Count:
    """Bytes of the tensor the op writes; an auxiliary head writes none at inference."""
    return ((1 - aux) * c_out * DTYPE_BYTES[conventions.dtype]) * (h_out * w_out)


@metric("input_bytes", "bytes")
def input_bytes(
    conventions: Conventions,
    aux: Count,
    is_add: Count,
    is_concat: Count,
    is_scale: Count,
    c_in: Count,
    c_out: Count,
    h_in: Count,
    w_in: Count,
) -> Count:
    """Bytes of the tensors the op reads: its input; both inputs of a residual add;
    every branch of a concatenation (their channels sum to the output's); the map and
    the 1x1 gate of a squeeze-and-excite rescale. An auxiliary head reads none at
    inference."""
    size = DTYPE_BYTES[conventions.dtype]
    channels = (1 - is_concat) * (1 + is_add) * c_in + is_concat * c_out
    return (1 - aux) * size * (channels * (h_in * w_in) + is_scale * c_in)
