"""Counting metrics: multiply-accumulates and parameters (the conventions are stated in
:mod:`mncost.cost.conventions`)."""

from __future__ import annotations

from mncost.cost.conventions import BN_PER_CHANNEL, Conventions
from mncost.cost.metrics import Count, metric

__all__ = ["bn_params", "mult_adds", "params"]


@metric("mult_adds", "MACs")
def mult_adds(
    weighted: Count,
    aux: Count,
    c_in: Count,
    groups: Count,
    c_out: Count,
    k_h: Count,
    k_w: Count,
    h_out: Count,
    w_out: Count,
) -> Count:
    """Multiply-accumulates: k_h * k_w * (C_in / groups) * C_out * H_out * W_out for a
    conv; in_features * units for a fully connected layer (its kernel is its input).
    Every other op costs none: batch norm, activations, pooling, softmax, resizes, adds,
    concatenations, multiplies, and a learned per-channel scale (an element-wise multiply
    by a weight per channel: 0, as PyTorch's FlopCounterMode counts an element-wise mul).
    An auxiliary (training-only) head costs none: it does not run at inference."""
    return (weighted * (1 - aux) * (c_in // groups) * c_out) * (k_h * k_w * h_out * w_out)


@metric("bn_params", "params")
def bn_params(
    conventions: Conventions,
    bn: Count,
    c_out: Count,
) -> Count:
    """Batch-norm values counted as parameters: 0, 2 or 4 per channel (``--bn``)."""
    return bn * c_out * BN_PER_CHANNEL[conventions.bn]


@metric("params", "params")
def params(
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
    """Weights, plus the biases the layers have (the FC bias unless ``--no-fc-bias``),
    plus the batch-norm parameters counted under ``--bn``, plus one weight per input
    channel of a learned per-channel scale (C_in: it follows the input's width)."""
    fc_bias = 1 if conventions.fc_bias else 0
    return (
        (weighted * (c_in // groups) * c_out) * (k_h * k_w)
        + bias * c_out * (1 - is_fc + is_fc * fc_bias)
        + bn_params(conventions, bn=bn, c_out=c_out)
        + channel_scale * c_in
    )
