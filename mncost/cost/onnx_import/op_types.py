"""The ONNX op types the importer knows without a handler of their own, by kind: the
activations and other element-wise ops on one map, the shape plumbing, the element-wise
ops on two maps, the window and global pools, the spatial reductions, the gates of a
swish, and the control flow it refuses."""

from __future__ import annotations

ACTIVATIONS = {
    "Relu": "relu",
    "Clip": "clip",
    "LeakyRelu": "leaky_relu",
    "PRelu": "prelu",
    "Sigmoid": "sigmoid",
    "HardSigmoid": "hsigmoid",
    "HardSwish": "hswish",
    "Tanh": "tanh",
    "Gelu": "gelu",
    "Elu": "elu",
    "Selu": "selu",
    "Celu": "celu",
    "Softplus": "softplus",
    "Softsign": "softsign",
    "Mish": "mish",
    "ThresholdedRelu": "thresholded_relu",
    "Erf": "erf",
    "Abs": "abs",
    "Neg": "neg",
    "Exp": "exp",
    "Log": "log",
    "Sqrt": "sqrt",
    "Reciprocal": "reciprocal",
    "Floor": "floor",
    "Ceil": "ceil",
    "Round": "round",
    "Sign": "sign",
    "Not": "not",
    "Pow": "pow",
}
"""Element-wise ops on one map: 0 MACs, the map's shape."""
ALIASES = {
    "Flatten",
    "Reshape",
    "Squeeze",
    "Unsqueeze",
    "Transpose",
    "Identity",
    "Dropout",
    "Cast",
    "CastLike",
    "Expand",
}
"""Shape plumbing: the same values, in another layout (an fc reads them all)."""
BINARY = {"Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean"}
"""Element-wise ops on two maps or more (or a map and constants)."""
POOLS = {"MaxPool": "maxpool", "AveragePool": "avgpool", "LpPool": "avgpool"}
"""Pools over a window, and the spec's name for each."""
GLOBAL_POOLS = {
    "GlobalAveragePool": "avgpool",
    "GlobalMaxPool": "maxpool",
    "GlobalLpPool": "avgpool",
}
"""Pools over the whole map."""
REDUCES = {
    "ReduceMean": "avgpool",
    "ReduceMax": "maxpool",
    "ReduceSum": "avgpool",
    "ReduceL2": "avgpool",
    "ReduceMin": "maxpool",
}
"""Reductions, counted as a global pool when they reduce the spatial axes."""
CONTROL_FLOW = {"If", "Loop", "Scan", "SequenceMap"}
"""Control flow: refused (mncost counts static graphs)."""
GATES = {"Sigmoid": "swish", "HardSigmoid": "hswish"}
"""A gate of x * gate(x), and the activation the pair is."""
