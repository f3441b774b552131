"""The built-in ``pixel1-cpu`` profile (fitted to TF-slim's published Pixel-1
latencies when first asked for), its check against the MobileNet V3 checkpoints the fit
never saw (:func:`cross_family_check`), and the measurements on a profile's device that
beat any estimate (:func:`device_measurements`, :func:`measured_latency`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

from mncost.analysis.latency.features import op_table
from mncost.analysis.latency.measurements import Measurement, _conventions
from mncost.analysis.latency.profile import LatencyProfile, fit_profile
from mncost.arch.registry import get_model
from mncost.cost.result import count
from mncost.cost.scaling import Resolution
from mncost.errors import LatencyError
from mncost.sources.checkpoints import checkpoint_points
from mncost.sources.coco import table13_points
from mncost.text import quote


@dataclass(frozen=True)
class DeviceMeasurement:
    """A latency measured on a profile's device for one configuration: one of the
    profile's own measured points, or (for ``pixel1-cpu``) a published measurement on the
    same phone that the fit never saw (TF-slim's MobileNet V3 checkpoints, float and
    8-bit). Where there is one, it beats any estimate (:func:`measured_latency`)."""

    model: str
    alpha: Fraction
    resolution: int
    dtype: str
    """The data type the timed model ran in (a float32 profile's points are float32)."""
    latency_ms: float
    label: str
    """How its source names it ("MobileNet_v2_1.0_224", "Small dm=1 (8-bit)")."""
    source: str
    """Where it comes from, in words: the profile's own points, or a publication."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "dtype": self.dtype,
            "latency_ms": self.latency_ms,
            "label": self.label,
            "source": self.source,
        }


# --- the built-in profile ----------------------------------------------------------------


def _pixel1_points() -> tuple[list[Measurement], str]:
    chosen = [
        p for p in checkpoint_points() if p.family == "mobilenet_v2" and p.latency_ms is not None
    ]
    points = [
        Measurement(
            model=p.model or "",
            alpha=p.alpha or Fraction(1),
            resolution=p.resolution or 0,
            latency_ms=float(p.latency_ms or 0),
            label=p.label,
        )
        for p in chosen
    ]
    documents = dict.fromkeys(d.document for p in chosen for d in p.provenance)
    return points, "; ".join(documents)


def _pixel1_cpu() -> LatencyProfile:
    points, document = _pixel1_points()
    return fit_profile(
        points,
        "pixel1-cpu",
        "TF-slim mobilenet/README.md (Pixel 1)",
        dtype="float32",
        description="a Google Pixel 1 phone running TF-slim's released float "
        "checkpoints (the same README's V3 table says: TF-Lite, one large core)",
        source_document=document,
        builtin=True,
        traffic="conv",  # the cut chosen on these points (mncost.cost.metrics.latency)
    )


BUILTIN_DEVICES: dict[str, Callable[[], LatencyProfile]] = {"pixel1-cpu": _pixel1_cpu}
"""Built-in device profiles by name; each is fitted from packaged data when first used."""


@cache
def builtin_profile(name: str) -> LatencyProfile:
    """The built-in profile ``name``; LatencyError names the choices."""
    try:
        return BUILTIN_DEVICES[name]()
    except KeyError:
        raise LatencyError(
            f"unknown device {quote(name)}; built-in devices: "
            f"{', '.join(BUILTIN_DEVICES)}, or give a profile file (.json) "
            "made by `mncost calibrate`"
        ) from None


# --- the cross-family check --------------------------------------------------------------


@dataclass(frozen=True)
class CrossCheck:
    """A measured checkpoint of another family than the profile's, and its prediction."""

    label: str
    """The checkpoint as its source names it ("Large dm=1 (float)")."""
    model: str
    alpha: Fraction
    resolution: int
    measured_ms: float
    predicted_ms: float
    published_mult_adds_m: Decimal | None
    """The checkpoint's mult-adds as published, in millions."""
    mult_adds: int
    """mncost's count of the model it predicts for."""
    note: str
    """How the measured model and the one mncost counts differ ("" when they do not)."""
    source: str

    @property
    def error_percent(self) -> float:
        """(predicted - measured) / measured, in percent."""
        return (self.predicted_ms - self.measured_ms) / self.measured_ms * 100


_CHECK_NOTES = {
    (
        "mobilenet-v3-small",
        Fraction(1),
    ): "same layer sizes as TF-slim's V3_SMALL, but its published mult-adds exceed "
    "mncost's count (cause unknown)",
    (
        "mobilenet-v3-small-minimalistic",
        Fraction(1),
    ): "same layer sizes as TF-slim's V3_SMALL_MINIMALISTIC, but its published mult-adds "
    "exceed mncost's count (cause unknown)",
}
"""Where the V3 checkpoint that was timed is counted in its own layout (the ``-slim``
models below width 1) and its published mult-adds still differ from mncost's count (see
the gap notes of :mod:`mncost.sources.checkpoints` and ``mncost published``)."""


def cross_family_check(profile: LatencyProfile) -> tuple[CrossCheck, ...]:
    """For a profile fitted on Pixel-1 measurements (``pixel1-cpu``): its predictions for
    every float MobileNet V3 checkpoint with a Pixel-1 latency (Large and Small at widths
    1 and 0.75, and the two minimalistic models), which the fit never saw. Empty for any
    other profile (its device is not a Pixel 1)."""
    if not profile.builtin or profile.name != "pixel1-cpu":
        return ()
    return _pixel1_checks(profile)


@cache
def _pixel1_checks(profile: LatencyProfile) -> tuple[CrossCheck, ...]:
    checks = []
    for point in checkpoint_points():
        if (
            point.family != "mobilenet_v3"
            or point.precision != "float32"
            or point.model is None
            or point.latency_ms is None
        ):
            continue
        alpha = point.alpha or Fraction(1)
        resolution = point.resolution or 224
        result = count(get_model(point.model), alpha, resolution, None, _conventions(profile.dtype))
        predicted = float(
            profile.model.op_ms(profile.coefficients, op_table(result, profile.traffic)).sum()
        )
        checks.append(
            CrossCheck(
                label=point.label,
                model=point.model,
                alpha=alpha,
                resolution=resolution,
                measured_ms=float(point.latency_ms),
                predicted_ms=predicted,
                published_mult_adds_m=point.mult_adds_m,
                mult_adds=result.total.mult_adds,
                note=_CHECK_NOTES.get((point.model, alpha), ""),
                source=point.provenance[0].document if point.provenance else "",
            )
        )
    return tuple(checks)


# --- measurements beat estimates --------------------------------------------------------


MeasurementKey = tuple[str, Fraction, int, str]
"""(model, alpha, resolution, dtype)."""


def device_measurements(profile: LatencyProfile) -> dict[MeasurementKey, DeviceMeasurement]:
    """Every configuration measured on ``profile``'s device: the profile's own points (in
    its dtype) and, for ``pixel1-cpu``, the published Pixel-1 latencies of the MobileNet
    V3 checkpoints, each for the model that counts its layout (TF-slim's 0.75 rows for
    the ``-slim`` models, not for torchvision's mobilenet-v3 at 0.75), and of the
    MobileNetV2 paper's SSDLite detectors (its Table 6: the large core of a Pixel 1 with
    TF-Lite, as TF-slim's checkpoints were timed; float32)."""
    return _device_measurements(profile)


@cache
def _device_measurements(profile: LatencyProfile) -> dict[MeasurementKey, DeviceMeasurement]:
    out: dict[MeasurementKey, DeviceMeasurement] = {}
    for point in profile.points:
        m = point.measurement
        out[m.model, m.alpha, m.resolution, profile.dtype] = DeviceMeasurement(
            m.model,
            m.alpha,
            m.resolution,
            profile.dtype,
            m.latency_ms,
            m.label,
            f"one of {profile.name}'s measured points",
        )
    if profile.builtin and profile.name == "pixel1-cpu":
        detectors = [p for p in table13_points() if p.latency_ms is not None]
        for p in (*checkpoint_points(), *detectors):
            if p.model is None or p.latency_ms is None:
                continue
            if p.family != "mobilenet_v3" and p.dataset != "coco":
                continue
            alpha, resolution = p.alpha or Fraction(1), p.resolution or 224
            dtype = "int8" if p.precision == "int8" else "float32"
            document = p.provenance[0].citation if p.provenance else "published"
            out.setdefault(
                (p.model, alpha, resolution, dtype),
                DeviceMeasurement(
                    p.model,
                    alpha,
                    resolution,
                    dtype,
                    float(p.latency_ms),
                    p.label,
                    f"published: {document}",
                ),
            )
    return out


def measured_latency(
    profile: LatencyProfile, model: str | None, alpha: Fraction, resolution: Resolution, dtype: str
) -> DeviceMeasurement | None:
    """The measurement of this configuration on ``profile``'s device (None: there is
    none, or the model is not a built-in one). Only for the model as measured: its own
    classes and channel rounding."""
    if model is None or not isinstance(resolution, int):
        return None
    return device_measurements(profile).get((model, alpha, resolution, dtype))
