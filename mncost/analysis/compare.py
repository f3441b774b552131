"""Two configurations side by side: what changes in cost, memory, latency and top-1.

A configuration is written ``MODEL[@ALPHA[/RES]]`` (:func:`parse_config`):
``mobilenet-v1@0.75/160``, ``mobilenet-v2@1.4`` (its own resolution), ``mobilenet-v2``
(alpha 1, its own resolution). :func:`compare` counts both (mult-adds, params and
weight bytes per op, in a data type), reckons their activation memory (the peak, with
or without in-place depthwise convs), estimates their latency on a device when one is
given, and their top-1 where the model has an accuracy model; then it groups every
per-op figure by layer type (the paper's Table 2 groups: "Conv 1x1", "Conv DW 3x3", ...)
and takes differences. Every difference is B - A, and every relative difference is
(B - A) / A, exact for counts (a Fraction); a relative difference from 0 is None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.accuracy import no_model_reason, top1_source
from mncost.analysis.latency import estimate_latency
from mncost.analysis.scenario import CONFIG_SYNTAX, MAX_CONFIG_CHARS, Config, parse_config
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.memory import count_memory
from mncost.cost.result import count
from mncost.cost.scaling import ScalingError

if TYPE_CHECKING:
    import pandas

    from mncost.analysis.accuracy import Estimate
    from mncost.analysis.latency import LatencyEstimate, LatencyProfile
    from mncost.cost.memory import MemoryResult
    from mncost.cost.result import CostResult

__all__ = [
    "CONFIG_SYNTAX",
    "Comparison",
    "ConfigRef",
    "Difference",
    "MAX_CONFIG_CHARS",
    "Side",
    "TypeRow",
    "compare",
    "parse_config",
]

ConfigRef = Config
"""One configuration (the name compare gave it before every model reference was one)."""


@dataclass(frozen=True, eq=False)
class Side:
    """One configuration's figures."""

    ref: ConfigRef
    cost: CostResult
    memory: MemoryResult
    latency: LatencyEstimate | None
    accuracy: Estimate | None
    """Its top-1 (None: the model has no accuracy model; value None: withheld)."""
    accuracy_reason: str = ""


@dataclass(frozen=True)
class Difference:
    """A figure of A and of B, and how B differs from A."""

    a: int | float | None
    b: int | float | None
    points: bool = False
    """A figure in percent (top-1) whose difference is in points: no relative one."""

    @property
    def delta(self) -> int | float | None:
        """B - A (None when either is missing)."""
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def relative(self) -> Fraction | float | None:
        """(B - A) / A: exact for counts; None when A is 0, either is missing, or the
        figure is a percentage (top-1: its difference is in points)."""
        if self.points or self.a is None or self.b is None or not self.a:
            return None
        if isinstance(self.a, int) and isinstance(self.b, int):
            return Fraction(self.b - self.a, self.a)
        return (self.b - self.a) / self.a


@dataclass(frozen=True)
class TypeRow:
    """One layer type's figures in A and B."""

    type: str
    figures: dict[str, Difference]
    """mult_adds, params, weight_bytes and, with a device, latency_ms."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """A and B side by side, by layer type and in total; differences are B - A."""

    a: Side
    b: Side
    execution: Execution
    """How both sides run (dtype, what runs in place): the memory rows' reckoning."""
    profile: LatencyProfile | None
    by_type: tuple[TypeRow, ...]
    """Every layer type of A or B, in order of A's largest mult-adds first, then B's."""
    totals: dict[str, Difference]
    """mult_adds, params, weight_bytes, peak_activation_bytes, latency_ms (with a
    device: the measurement on it where there is one, else the estimate), then
    latency_estimate_ms (the estimates, when a side was measured), and top1 (where both
    have a value; its difference is in points)."""

    @property
    def dtype(self) -> str:
        """float32, float16 or int8."""
        return self.execution.dtype

    @property
    def dw_inplace(self) -> bool:
        """Whether depthwise convs run in place."""
        return self.execution.dw_inplace

    @property
    def by_type_metrics(self) -> tuple[str, ...]:
        return ("mult_adds", "params", "weight_bytes") + (
            ("latency_ms",) if self.profile is not None else ()
        )

    def _side(self, side: Side) -> dict[str, Any]:
        acc = side.accuracy
        return {
            "config": side.ref.label,
            "model": side.ref.model.label,
            "source": side.ref.model.origin,
            "alpha": float(side.ref.alpha),
            "resolution": side.ref.resolution,
            "peak_layer": side.memory.peak_layer,
            "top1": None if acc is None else acc.value,
            "top1_status": None if acc is None else acc.status,
            "top1_loo_mae": None if acc is None else acc.loo_mae,
            "top1_note": side.accuracy_reason,
            "latency_cautions": list(side.latency.cautions) if side.latency else [],
            "latency_status": (
                None
                if side.latency is None
                else "measured"
                if side.latency.measurement
                else "estimated"
            ),
            "latency_measurement": (
                side.latency.measurement.to_dict()
                if side.latency is not None and side.latency.measurement
                else None
            ),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the documented JSON layout."""

        def diff(d: Difference) -> dict[str, Any]:
            rel = d.relative
            return {
                "a": d.a,
                "b": d.b,
                "delta": d.delta,
                "relative": None if rel is None else float(rel),
            }

        return {
            "sign": "delta = B - A; relative = (B - A) / A",
            "a": self._side(self.a),
            "b": self._side(self.b),
            "dtype": self.dtype,
            "dw_inplace": self.dw_inplace,
            "execution": self.execution.as_dict(),
            "device": self.profile.provenance() if self.profile is not None else None,
            "total": {name: diff(d) for name, d in self.totals.items()},
            "by_type": [
                {"type": row.type, **{name: diff(d) for name, d in row.figures.items()}}
                for row in self.by_type
            ],
        }

    def to_frame(self) -> pandas.DataFrame:
        """One row per (layer type or "Total", metric): a, b, delta (exact ints for counts
        and bytes: the columns hold Python numbers), relative (float)."""
        import pandas as pd

        rows = []
        for row in self.by_type:
            for name, d in row.figures.items():
                rows.append(
                    {
                        "type": row.type,
                        "metric": name,
                        "a": d.a,
                        "b": d.b,
                        "delta": d.delta,
                        "relative": None if d.relative is None else float(d.relative),
                    }
                )
        for name, d in self.totals.items():
            rows.append(
                {
                    "type": "Total",
                    "metric": name,
                    "a": d.a,
                    "b": d.b,
                    "delta": d.delta,
                    "relative": None if d.relative is None else float(d.relative),
                }
            )
        frame: pandas.DataFrame = pd.DataFrame(rows)
        for column in ("a", "b", "delta"):  # counts mixed with ms: keep each number as is
            frame[column] = pd.Series([row[column] for row in rows], dtype=object)
        return frame


def _side(
    ref: ConfigRef, conventions: Conventions, execution: Execution, profile: LatencyProfile | None
) -> Side:
    arch = ref.model.arch
    name = ref.model.registered
    cost = count(arch, ref.alpha, ref.resolution, None, conventions)
    memory = count_memory(arch, ref.alpha, ref.resolution, None, conventions, execution)
    latency = None
    if profile is not None:
        latency = estimate_latency(
            arch, ref.alpha, ref.resolution, None, profile, model=name, dtype=conventions.dtype
        )
    fitted = top1_source(name) if name is not None else None
    side = ref.resolution if isinstance(ref.resolution, int) else None
    estimate = None
    if fitted is not None and side is not None:
        estimate = fitted.estimate(ref.alpha, side)
    if estimate is not None:
        reason = ""
    elif name is None:
        reason = f"{ref.model.origin}: top-1 estimates come from released checkpoints"
    elif fitted is None:
        reason = no_model_reason(name)
    else:
        reason = "a non-square input: the released checkpoints are square"
    if estimate is not None and estimate.value is None:
        reason = (
            estimate.describe()
            if estimate.status in ("no estimate", "out of range")
            else "extrapolated, not given (outside the published grid)"
        )
    return Side(ref, cost, memory, latency, estimate, reason)


def _by_type(side: Side, metrics: tuple[str, ...]) -> dict[str, dict[str, int | float]]:
    """Each layer type's sums of the per-op figures, in op order of first appearance."""
    layers = side.cost.layers
    weights = side.cost.metric("weight_bytes")
    ms = [op.ms for op in side.latency.layers] if side.latency is not None else None
    groups: dict[str, dict[str, Any]] = {}
    for i, layer in enumerate(layers):
        acc = groups.setdefault(layer.type, {m: 0 for m in metrics})
        acc["mult_adds"] += layer.mult_adds
        acc["params"] += layer.params
        acc["weight_bytes"] += weights[i]
        if ms is not None:
            acc["latency_ms"] += ms[i]
    return groups


def compare(
    a: ConfigRef,
    b: ConfigRef,
    *,
    execution: Execution | None = None,
    profile: LatencyProfile | None = None,
) -> Comparison:
    """A and B side by side (see the module's docstring), both run as ``execution``
    says (by default float32, layer by layer, nothing in place); ScalingError when one
    cannot be counted."""
    execution = execution or Execution()
    conventions = execution.conventions(Conventions())
    sides = []
    for name, ref in (("A", a), ("B", b)):
        try:
            sides.append(_side(ref, conventions, execution, profile))
        except ScalingError as exc:  # GeometryError among them: say which side
            raise type(exc)(f"{name} ({ref.label}): {exc}") from None
    side_a, side_b = sides
    metrics = ("mult_adds", "params", "weight_bytes") + (
        ("latency_ms",) if profile is not None else ()
    )
    groups_a, groups_b = _by_type(side_a, metrics), _by_type(side_b, metrics)
    types = sorted(groups_a, key=lambda t: -groups_a[t]["mult_adds"]) + sorted(
        (t for t in groups_b if t not in groups_a), key=lambda t: -groups_b[t]["mult_adds"]
    )
    rows = []
    for name in types:
        fa, fb = groups_a.get(name), groups_b.get(name)
        if not any((fa or {}).get(m) or (fb or {}).get(m) for m in metrics):
            continue  # a type that costs nothing on either side (pooling, softmax)
        zero = {m: (0.0 if m == "latency_ms" else 0) for m in metrics}
        fa, fb = fa or zero, fb or zero
        rows.append(TypeRow(name, {m: Difference(fa[m], fb[m]) for m in metrics}))
    totals = {
        "mult_adds": Difference(side_a.cost.total.mult_adds, side_b.cost.total.mult_adds),
        "params": Difference(side_a.cost.total.params, side_b.cost.total.params),
        "weight_bytes": Difference(side_a.memory.weight_bytes, side_b.memory.weight_bytes),
        "peak_activation_bytes": Difference(
            side_a.memory.peak_activation_bytes, side_b.memory.peak_activation_bytes
        ),
    }
    if side_a.latency is not None and side_b.latency is not None:
        # A measurement on the device beats the estimate; the estimate stays beside it.
        totals["latency_ms"] = Difference(side_a.latency.best_ms, side_b.latency.best_ms)
        if side_a.latency.measurement or side_b.latency.measurement:
            totals["latency_estimate_ms"] = Difference(
                side_a.latency.total_ms, side_b.latency.total_ms
            )
    top_a = side_a.accuracy.value if side_a.accuracy is not None else None
    top_b = side_b.accuracy.value if side_b.accuracy is not None else None
    totals["top1"] = _points(top_a, top_b)
    return Comparison(side_a, side_b, execution, profile, tuple(rows), totals)


def _points(a: float | None, b: float | None) -> Difference:
    # Top-1 is compared in points; NaN never reaches a table.
    clean = [None if v is None or math.isnan(v) else v for v in (a, b)]
    return Difference(clean[0], clean[1], points=True)
