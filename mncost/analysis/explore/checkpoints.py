"""The released float32 ImageNet checkpoints of a registered model
(:func:`model_checkpoints`), as :class:`Checkpoint` records a grid carries so that a
heatmap can mark them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from mncost.cost.scaling import Resolution
from mncost.sources.checkpoints import checkpoint_points


@dataclass(frozen=True)
class Checkpoint:
    """A released float32 ImageNet checkpoint of the model, to mark on a grid."""

    label: str
    """As its publisher names it ("MobileNet_v2_1.0_224")."""
    alpha: Fraction
    resolution: Resolution
    top1: float | None
    """Published top-1 in percent."""
    latency_ms: float | None
    """Published latency (TF-slim's Pixel 1), when there is one."""


def model_checkpoints(model: str | None) -> tuple[Checkpoint, ...]:
    """The released float32 ImageNet checkpoints of a registered model (none for a spec)."""
    if model is None:
        return ()

    return tuple(
        Checkpoint(
            p.label,
            p.alpha,
            p.resolution,
            float(p.top1) if p.top1 is not None else None,
            float(p.latency_ms) if p.latency_ms is not None else None,
        )
        for p in checkpoint_points()
        if p.model == model
        and p.precision == "float32"
        and p.dataset == "imagenet"
        and p.alpha is not None
        and p.resolution is not None
    )
