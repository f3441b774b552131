"""Latency features: the per-op quantities a device profile's linear model weighs.

A device profile (:mod:`mncost.analysis.latency`) predicts an op's time as a
non-negative combination of metrics: its mult-adds (:func:`~mncost.cost.metrics.counts.mult_adds`),
the activations it reads and writes, the weights it reads, and a fixed cost per op. The
byte metrics and the op count are defined here, from the same columns
and the same byte sizes as the memory metrics, so that a single count and the
vectorised sweep (:mod:`mncost.cost.sweep`) give the same features.

Two cuts of the traffic, which a profile records (its ``traffic``):

- ``all`` (:func:`activation_bytes`, :func:`read_weight_bytes`): every op's activations,
  read and written, and every weight read at inference (the classifier's included);
- ``conv`` (:func:`conv_activation_bytes`, :func:`conv_weight_bytes`): conv and FC
  layers' activations and conv weights, the cut the built-in Pixel 1 profile was chosen
  with, for the reasons below.

On onnxruntime on a 2-core Xeon VM, fitted on MobileNet v1 and v2, ``all`` predicts the
models it never saw far better: a squeeze-and-excite block's pool and rescale read and
write whole maps, and MobileNet V3-Large's classifier reads 10 MB of weights
(docs/measure.md).

Why the ``conv`` cut on the Pixel 1 data:

- **Traffic of conv and FC layers only.** A phone's float runtime spends its time in the
  layers with filters; a residual add or a pool moves bytes too, but on the 22 Pixel-1
  MobileNet V2 latencies the fit with every op's traffic is no better (leave-one-out
  3.13% against 3.09%), so the term stays on the ops whose speed it describes.
- **Conv weights, not the classifier's.** Every MobileNet V2 checkpoint ends with the
  same 1280 x 1000 classifier (its input stays at 1280 channels under alpha), so its
  weight bytes are a constant on those points and could not be told apart from the
  per-op constant (which, being non-negative, cannot absorb them): with them in, the
  fit's leave-one-out error is 4.33% (max 16.1%) instead of 3.09% (max 11.8%). The
  classifier's cost enters through its mult-adds and traffic.
"""

from __future__ import annotations

from mncost.cost.conventions import Conventions
from mncost.cost.metrics import Count, metric
from mncost.cost.metrics.memory import input_bytes, output_bytes, weight_bytes

__all__ = [
    "activation_bytes",
    "conv_activation_bytes",
    "conv_weight_bytes",
    "ops",
    "read_weight_bytes",
]


@metric("conv_activation_bytes", "bytes")
def conv_activation_bytes(
    conventions: Conventions,
    weighted: Count,
    aux: Count,
    is_add: Count,
    is_concat: Count,
    is_scale: Count,
    c_in: Count,
    c_out: Count,
    h_in: Count,
    w_in: Count,
    h_out: Count,
    w_out: Count,
) -> Count:
    """Activation bytes a conv or fully connected layer reads and writes: its input and
    output tensors (other ops: 0; an auxiliary head runs only in training: 0)."""
    return weighted * activation_bytes(
        conventions,
        aux=aux,
        is_add=is_add,
        is_concat=is_concat,
        is_scale=is_scale,
        c_in=c_in,
        c_out=c_out,
        h_in=h_in,
        w_in=w_in,
        h_out=h_out,
        w_out=w_out,
    )


@metric("conv_weight_bytes", "bytes")
def conv_weight_bytes(
    conventions: Conventions,
    weighted: Count,
    aux: Count,
    c_in: Count,
    groups: Count,
    c_out: Count,
    k_h: Count,
    k_w: Count,
    bias: Count,
    is_fc: Count,
    bn: Count,
) -> Count:
    """Weight bytes of a conv layer that runs at inference (its weights and bias, as
    ``weight_bytes``); fully connected layers, learned per-channel scales (not a conv:
    their weights are left out) and auxiliary heads: 0."""
    return (
        (1 - is_fc)
        * (1 - aux)
        * weight_bytes(
            conventions,
            weighted=weighted,
            c_in=c_in,
            groups=groups,
            c_out=c_out,
            k_h=k_h,
            k_w=k_w,
            bias=bias,
            is_fc=is_fc,
            bn=bn,
            channel_scale=0,
        )
    )


@metric("activation_bytes", "bytes")
def activation_bytes(
    conventions: Conventions,
    aux: Count,
    is_add: Count,
    is_concat: Count,
    is_scale: Count,
    c_in: Count,
    c_out: Count,
    h_in: Count,
    w_in: Count,
    h_out: Count,
    w_out: Count,
) -> Count:
    """Activation bytes every op reads and writes at inference: the tensors it reads
    (as ``input_bytes``: both inputs of an add, a rescale's map and gate) and the one it
    writes (an auxiliary head: 0)."""
    return input_bytes(
        conventions,
        aux=aux,
        is_add=is_add,
        is_concat=is_concat,
        is_scale=is_scale,
        c_in=c_in,
        c_out=c_out,
        h_in=h_in,
        w_in=w_in,
    ) + output_bytes(conventions, aux=aux, c_out=c_out, h_out=h_out, w_out=w_out)


@metric("read_weight_bytes", "bytes")
def read_weight_bytes(
    conventions: Conventions,
    weighted: Count,
    aux: Count,
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
    """Weight bytes every op reads at inference: a conv's, a fully connected layer's and
    a learned per-channel scale's weights and biases, as ``weight_bytes`` (an auxiliary
    head: 0)."""
    return (1 - aux) * weight_bytes(
        conventions,
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


@metric("ops", "ops")
def ops(aux: Count) -> Count:
    """1 for every op that runs at inference (a conv, pool, add, ...): the count a fixed
    per-op cost multiplies. An auxiliary head's ops: 0."""
    return 1 - aux
