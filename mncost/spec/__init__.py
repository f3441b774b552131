"""Architecture specs: the layer kinds and the spec-file loader."""

from mncost.spec.layers import (
    Architecture,
    AvgPool,
    Conv,
    DepthwiseConv,
    FullyConnected,
    Layer,
    PointwiseConv,
    Softmax,
)

__all__ = [
    "Architecture",
    "AvgPool",
    "Conv",
    "DepthwiseConv",
    "FullyConnected",
    "Layer",
    "PointwiseConv",
    "Softmax",
]
