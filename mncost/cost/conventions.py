"""The counting conventions: what counts as a mult-add and which parameters count.

Written once, here, and stated at the foot of every output:

- **Mult-adds** are the multiply-accumulates (MACs) of conv and fully connected layers:
  a k_h x k_w conv from C_in to C_out channels in G groups over an H_out x W_out output
  costs k_h * k_w * (C_in / G) * C_out * H_out * W_out (a depthwise conv has G = C_in);
  a fully connected layer costs in_features * units. Batch norm, activations (ReLU,
  ReLU6, h-swish, sigmoid, ...), pooling, softmax, bias additions, the element-wise
  adds and multiplies of residuals and squeeze-and-excite, and a learned per-channel
  scale (a ``scale`` layer: an element-wise multiply) count zero, as in the paper and in
  PyTorch's FlopCounterMode. FLOPs are 2 x MACs and are shown only when asked for.
- **Parameters** are conv and fully connected weights, plus each bias the layer has (a
  conv followed by batch norm has none unless the spec says so), plus batch norm's
  0 (``bn="none"``, the paper's count), 2 per channel (``"affine"``: gamma, beta, as
  torchvision's counts) or 4 per channel (``"all"``: with the running mean and variance),
  plus one weight per channel of a learned per-channel scale (C, its input's channels).
  ``fc_bias=False`` leaves the fully connected layers' bias out (the paper's Table 2).
- **Memory**: a value takes 4 bytes in float32, 2 in float16 and 1 in int8. Weight bytes
  are the parameters times that (in int8, batch norm is folded into the conv before it:
  its values are not stored, and each such conv gains a bias); activation bytes are a
  tensor's height x width x channels times that.
- **Width**: each architecture states its channel rounding rule (:mod:`mncost.arch.width`);
  ``rounding`` overrides it for every layer, and the output says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mncost.arch.width import WidthRule, parse_rule

__all__ = ["BN_PER_CHANNEL", "BatchNormCount", "Conventions", "DTYPE_BYTES", "DType"]

BatchNormCount = Literal["none", "affine", "all"]
BN_PER_CHANNEL: dict[str, int] = {"none": 0, "affine": 2, "all": 4}
DType = Literal["float32", "float16", "int8"]
DTYPE_BYTES: dict[str, int] = {"float32": 4, "float16": 2, "int8": 1}
"""Bytes per stored value (a weight or an activation) in each data type."""


@dataclass(frozen=True)
class Conventions:
    """The counting choices that differ between the paper and frameworks."""

    bn: BatchNormCount = "none"
    """Batch norm parameters per channel: none (0), affine (2) or all (4)."""
    fc_bias: bool = True
    """Count the fully connected layers' bias among the parameters."""
    rounding: str | None = None
    """Channel rounding rule overriding the architecture's own (None: its own)."""
    dtype: DType = "float32"
    """Data type of weights and activations, for the memory metrics (bytes per value)."""

    def rule(self, own: WidthRule) -> WidthRule:
        """The width rule in force: the override, else the architecture's ``own``."""
        return own if self.rounding is None else parse_rule(self.rounding)

    def describe(self, own: WidthRule | None = None) -> str:
        """One line stating every convention, for the foot of every output."""
        bn = {
            "none": "not counted",
            "affine": "gamma+beta (2/channel)",
            "all": "gamma, beta, mean, var (4/channel)",
        }[self.bn]
        if own is None:
            rounding = self.rule(WidthRule()).describe()
        elif self.rounding is None:
            rounding = own.describe()
        else:
            rounding = (
                f"{self.rule(own).describe()} (--rounding {self.rounding}; the "
                f"model's own rule is {own.describe()})"
            )
        return (
            "mult-adds = multiply-accumulates (MACs) of conv and FC layers; "
            "BN, activations, channel scales, pooling, softmax, residual adds count 0; "
            "FLOPs = 2 x MACs. "
            f"Params = conv weights (+ bias where a conv has one) + FC weights"
            f"{' + bias' if self.fc_bias else ' (no bias)'} + channel scales (1/channel); "
            f"BN params: {bn}. "
            f"Channels: {rounding}."
        )

    def as_dict(self, own: WidthRule | None = None) -> dict[str, Any]:
        """The conventions as plain data, for JSON."""
        rule = self.rule(own or WidthRule())
        return {
            "mult_adds": "multiply-accumulates of conv and fully connected layers",
            "flops": "2 x mult-adds",
            "zero_cost": [
                "batch norm",
                "activations",
                "pooling",
                "softmax",
                "element-wise add and multiply",
                "learned per-channel scale (its weights count as params: 1 per channel)",
            ],
            "fc_bias": self.fc_bias,
            "bn": self.bn,
            "bn_params_per_channel": BN_PER_CHANNEL[self.bn],
            "rounding": rule.as_dict(),
            "rounding_overridden": self.rounding is not None,
            "dtype": self.dtype,
        }
