"""Layer-by-layer comparison of mncost's counts with PyTorch's, and the verdict.

mncost's side is :func:`mncost.cost.result.count`; PyTorch's side is
:func:`mncost.analysis.verify.torch_model.measure`. A layer agrees when PyTorch's FLOPs are exactly
2 x mncost's mult-adds, its parameters (under the same batch-norm convention) are equal,
and its output shape is the same. Layers are paired by name, so a layer that only one
side has is a mismatch too.

Which PyTorch tensors count as parameters follows ``--bn``: ``none`` leaves batch norm
out (the paper's count: conv and linear weights and biases only); ``affine`` adds
batch norm's weight and bias; ``all`` also adds its ``running_mean`` and ``running_var``
buffers. ``num_batches_tracked`` is never counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mncost.analysis.verify.torch_model import BuildOptions, TorchLayer, measure, torch_version
from mncost.arch.ops import Architecture
from mncost.cost.conventions import Conventions
from mncost.cost.result import CostResult, Shape, count
from mncost.cost.scaling import Resolution

__all__ = ["LayerCheck", "Verification", "torch_params", "verify"]

_BN_ROLES = {
    "none": ("weights",),
    "affine": ("weights", "bn_affine"),
    "all": ("weights", "bn_affine", "bn_stats"),
}


def torch_params(layer: TorchLayer, bn: str) -> int:
    """PyTorch's parameter count of ``layer`` under the batch-norm convention ``bn``."""
    return sum(layer.params[role] for role in _BN_ROLES[bn])


def _shape(value: Shape | None) -> str:
    return "x".join(map(str, value)) if value else "-"


@dataclass(frozen=True)
class LayerCheck:
    """One layer as mncost and PyTorch each see it; None where a side lacks the layer."""

    name: str
    kind: str
    mncost_mult_adds: int | None
    mncost_params: int | None
    mncost_output: Shape | None
    torch_flops: int | None
    torch_params: int | None
    torch_output: Shape | None

    @property
    def torch_mult_adds(self) -> int | Fraction | None:
        """PyTorch's FLOPs / 2 (exact: a Fraction if PyTorch's count were odd)."""
        if self.torch_flops is None:
            return None
        half = Fraction(self.torch_flops, 2)
        return int(half) if half.denominator == 1 else half

    @property
    def mult_adds_ok(self) -> bool:
        return (
            self.mncost_mult_adds is not None
            and self.torch_flops is not None
            and self.torch_flops == 2 * self.mncost_mult_adds
        )

    @property
    def params_ok(self) -> bool:
        return self.mncost_params is not None and self.mncost_params == self.torch_params

    @property
    def shape_ok(self) -> bool:
        return self.mncost_output is not None and self.mncost_output == self.torch_output

    @property
    def agree(self) -> bool:
        return self.mult_adds_ok and self.params_ok and self.shape_ok

    def problems(self) -> list[str]:
        """What disagrees, in words (mncost's figure first), for the verdict."""
        if self.torch_flops is None:
            return ["only in mncost"]
        if self.mncost_mult_adds is None:
            return ["only in PyTorch"]
        found = []
        if not self.mult_adds_ok:
            found.append(f"MACs {self.mncost_mult_adds:,} vs {self.torch_mult_adds:,}")
        if not self.params_ok:
            found.append(f"params {self.mncost_params:,} vs {self.torch_params:,}")
        if not self.shape_ok:
            found.append(f"output {_shape(self.mncost_output)} vs {_shape(self.torch_output)}")
        return found

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: both sides' figures and the checks."""
        torch_macs = self.torch_mult_adds
        return {
            "name": self.name,
            "kind": self.kind,
            "mncost": {
                "mult_adds": self.mncost_mult_adds,
                "params": self.mncost_params,
                "output": list(self.mncost_output) if self.mncost_output else None,
            },
            "torch": {
                "flops": self.torch_flops,
                "mult_adds": float(torch_macs) if isinstance(torch_macs, Fraction) else torch_macs,
                "params": self.torch_params,
                "output": list(self.torch_output) if self.torch_output else None,
            },
            "mult_adds_ok": self.mult_adds_ok,
            "params_ok": self.params_ok,
            "shape_ok": self.shape_ok,
            "agree": self.agree,
        }


@dataclass(frozen=True)
class Verification:
    """mncost's cost of one configuration, checked layer by layer against PyTorch."""

    result: CostResult
    layers: tuple[LayerCheck, ...]
    torch_version: str
    device: str
    outside_flops: int = 0
    """FLOPs PyTorch counted outside every layer's module (should be 0)."""

    @property
    def mismatches(self) -> tuple[LayerCheck, ...]:
        return tuple(layer for layer in self.layers if not layer.agree)

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.outside_flops == 0

    def verdict(self, listed: int = 3) -> str:
        """One line: "verified: all N layers agree (...)" or "MISMATCH in k of N layers: ..."."""
        n = len(self.layers)
        total = self.result.total
        if self.ok and n == 0:
            return "verified: nothing to compare (no layers left at this configuration)"
        if self.ok:
            return (
                f"verified: all {n} layers agree with PyTorch "
                f"({total.mult_adds:,} MACs, {total.params:,} params)"
            )
        bad = self.mismatches
        parts = [f"{layer.name} ({', '.join(layer.problems())})" for layer in bad[:listed]]
        if len(bad) > listed:
            parts.append(f"and {len(bad) - listed} more")
        if self.outside_flops:
            parts.append(f"PyTorch counted {self.outside_flops:,} FLOPs outside the layers")
        return f"MISMATCH in {len(bad)} of {n} layers (mncost vs PyTorch): " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON layout: config, per-layer records, verdict."""
        result = self.result
        return {
            "config": {
                "model": result.model,
                "alpha": float(result.alpha),
                "resolution": result.resolution,
                "classes": result.classes,
                "conventions": result.conventions.as_dict(result.own_rule),
                "torch_version": self.torch_version,
                "device": self.device,
            },
            "layers": [layer.to_dict() for layer in self.layers],
            "total": {
                "mult_adds": result.total.mult_adds,
                "params": result.total.params,
                "torch_flops": sum(item.torch_flops or 0 for item in self.layers)
                + self.outside_flops,
            },
            "verdict": {
                "ok": self.ok,
                "text": self.verdict(listed=len(self.layers)),
                "layers": len(self.layers),
                "mismatches": len(self.mismatches),
                "outside_flops": self.outside_flops,
            },
        }


def _pair(result: CostResult, measured: list[TorchLayer], bn: str) -> tuple[LayerCheck, ...]:
    ours = {layer.name: layer for layer in result.layers}
    theirs = {layer.name: layer for layer in measured}
    names = [layer.name for layer in measured]
    names += [name for name in ours if name not in theirs]
    checks = []
    for name in names:
        mine, torch_layer = ours.get(name), theirs.get(name)
        checks.append(
            LayerCheck(
                name=name,
                kind=(mine or torch_layer).kind,  # type: ignore[union-attr]
                mncost_mult_adds=mine.mult_adds if mine else None,
                mncost_params=mine.params if mine else None,
                mncost_output=mine.output if mine else None,
                torch_flops=torch_layer.flops if torch_layer else None,
                torch_params=torch_params(torch_layer, bn) if torch_layer else None,
                torch_output=torch_layer.output if torch_layer else None,
            )
        )
    return tuple(checks)


def verify(
    arch: Architecture,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    device: str = "meta",
) -> Verification:
    """Count ``arch`` with mncost and with PyTorch at one configuration, and compare.

    Raises :class:`~mncost.cost.scaling.ScalingError` for a configuration mncost cannot
    count and :class:`~mncost.analysis.verify.torch_model.TorchMissing` without PyTorch.
    """
    result = count(arch, alpha, resolution, classes, conventions)
    opts = BuildOptions(
        alpha=alpha,
        classes=arch.classes if classes is None else classes,
        rule=result.rule,
        fc_bias=conventions.fc_bias,
        device=device,
    )
    measured, outside = measure(arch, arch.resolution if resolution is None else resolution, opts)
    return Verification(
        result=result,
        layers=_pair(result, measured, conventions.bn),
        torch_version=torch_version(),
        device=device,
        outside_flops=outside,
    )
