"""Latency estimates: device profiles fitted to measured latencies, and predictions from
them per op, per configuration and over a whole alpha x resolution grid.

An estimate is never a measurement. Every profile carries how it was made (the method,
the configurations and the source of the measurements it was fitted on) and how wrong
it is where that can be checked: its leave-one-out (LOO) error, next to the error of a
model with mult-adds alone.

**The model.** A device profile predicts an op's time as a non-negative combination of
four per-op features, each a registered metric (:mod:`mncost.cost.metrics.latency`):

- ``mult_adds``: multiply-accumulates (compute);
- ``conv_activation_bytes``: activation bytes a conv or FC layer reads and writes;
- ``conv_weight_bytes``: the conv weights it reads;
- ``ops``: 1 per op, for a fixed cost per op (dispatch, a kernel launch).

A network's time is the sum over its ops, so it is the same combination of the four
totals, and the per-op figures always add up to it. Bytes are counted in the profile's
data type: the Pixel-1 latencies of the released float checkpoints imply float32
(4 bytes a value).

**The fit.** The coefficients (ms per unit of each feature) are fitted by non-negative
least squares (Lawson and Hanson's active-set algorithm, :func:`nnls`; a time cannot
fall as work grows) on relative error: each point is weighted by 1 / its latency, so a
4 ms model counts as much as a 140 ms one and the fit minimises what is reported, the
error in percent. Its LOO error refits without each point in turn and predicts it.

**Profiles.** ``pixel1-cpu`` is built in: fitted, when first asked for, to the 22
MobileNet V2 Pixel-1 latencies TF-slim published with its checkpoints
(:mod:`mncost.sources.checkpoints`); nothing in it is typed in. A user fits their own
device with :func:`read_measurements` and :func:`fit_profile` (``mncost calibrate``),
and saves and loads it as JSON (:func:`profile_json`, :func:`load_profile`), in the
format of :class:`ProfileFile`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mncost.analysis.latency.features import OpTable, op_table
from mncost.analysis.latency.linear import FEATURES
from mncost.analysis.latency.model import ESTIMATORS, Estimator
from mncost.analysis.latency.model import estimator as named_estimator
from mncost.analysis.latency.nnls import nnls
from mncost.bounded import BoundedReadError, read_bounded
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.model import Model
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import (
    Resolution,
    ScalingError,
    multiplier_text,
    parse_multiplier,
    resolution_hw,
    resolution_text,
)
from mncost.errors import LatencyError
from mncost.limits import MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.safe_json import StrictJsonError, load_json
from mncost.text import header_problem, quote, shorten

if TYPE_CHECKING:
    import numpy
    import pandas

__all__ = [
    "BASELINE",
    "BUILTIN_DEVICES",
    "CrossCheck",
    "ESTIMATORS",
    "Estimator",
    "FEATURES",
    "LatencyError",
    "LatencyEstimate",
    "LatencyProfile",
    "MAX_MEASUREMENTS",
    "MAX_MEASUREMENT_BYTES",
    "MAX_PROFILE_BYTES",
    "METHOD",
    "MEASUREMENT_COLUMNS",
    "MEASUREMENT_EXTRAS",
    "HeldOut",
    "split_holdout",
    "predict_measurements",
    "Measurement",
    "OpLatency",
    "PointFit",
    "ProfileFile",
    "builtin_profile",
    "check_name",
    "cross_family_check",
    "estimate_latency",
    "feature_rank",
    "fit_profile",
    "latency_grid",
    "load_profile",
    "nnls",
    "parse_measurements",
    "predict_grid",
    "profile_json",
    "read_measurements",
    "resolve_device",
]


BASELINE: tuple[str, ...] = ("mult_adds",)
"""The baseline every fit is shown against: latency proportional to mult-adds."""
METHOD = (
    "a linear model over per-op features (mult-adds, activation bytes of conv and "
    "FC layers, conv weight bytes, a constant per op), fitted by non-negative least "
    "squares on relative error"
)
"""How every profile is made, in words (shown with every estimate)."""

MAX_MEASUREMENTS = 1000
"""A measurements CSV (and a profile file) holds at most this many configurations."""
MAX_MEASUREMENT_BYTES = 1024 * 1024
"""A measurements CSV is a regular file of at most 1 MiB."""
MAX_PROFILE_BYTES = 1024 * 1024
"""A profile JSON file is a regular file of at most 1 MiB."""
MAX_LATENCY_MS = 10**7
"""A measured latency is at most 10**7 ms (about 3 hours)."""
MIN_LATENCY_MS = 0.001
"""... and at least 0.001 ms (1 microsecond): a smaller figure is not a timing (and
1e-400 would read as 0)."""
MAX_COEFFICIENT = 1e9
"""A profile's coefficients are at most 10**9 ms per unit. Every feature of an allowed
configuration is below 10**40 (at most 2**27 channels in and out, a 2**28-pixel map and
a window of as many, 10 MiB of spec), so every estimate is below 10**50 ms: finite, with
room to spare in float64 (which holds 1.8e308)."""
MAX_PREDICTED_MS = 1e12
"""A profile file's predictions for its own points (fitted_ms, loo_ms) are at most this."""
POOR_FIT_PERCENT = 50.0
"""``calibrate`` refuses a fit whose leave-one-out mean error is at least this (an
estimate off by half on average is no estimate), unless ``--keep-poor-fit``."""
MEASUREMENT_COLUMNS: tuple[str, ...] = ("model", "alpha", "resolution", "latency_ms")
"""The columns a measurements CSV must have."""
MEASUREMENT_EXTRAS: tuple[str, ...] = ("spread_percent", "runs")
"""Columns it may have too, as ``mncost measure`` writes them (kept in the file, not fitted on)."""
"""The columns of a measurements CSV (in any order)."""

_FORMAT: Literal["mncost-latency-profile"] = "mncost-latency-profile"
_VERSION: Literal[1] = 1
_MAX_NAME = 64
_MAX_MODEL = 512  # a model file's relative path
_MAX_TEXT = 500
_MAX_PERCENT = 1e15  # a profile's LOO errors, in percent: finite, whatever they are


# --- measurements and fits ---------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """One measured configuration: a model at (alpha, resolution), timed."""

    model: str
    """A registered model name, or a model file's path as the CSV gave it (relative to
    the CSV's folder: "nets/mine.onnx")."""
    alpha: Fraction
    resolution: int
    latency_ms: float
    """The measured latency in milliseconds."""
    label: str = ""
    """How its source names it ("MobileNet_v2_1.0_224", "measured.csv line 3")."""
    architecture: Model | None = field(default=None, compare=False, repr=False)
    """A model file's architecture, read when the CSV was (None: a built-in's, or a
    profile's point whose file is not read again)."""


@dataclass(frozen=True)
class PointFit:
    """A measured configuration with the profile's predictions for it."""

    measurement: Measurement
    fitted_ms: float
    """Predicted by the fit on every point."""
    loo_ms: float
    """Predicted by the fit on every other point (leave-one-out)."""

    @property
    def loo_error_percent(self) -> float:
        """(LOO prediction - measured) / measured, in percent."""
        measured = self.measurement.latency_ms
        return (self.loo_ms - measured) / measured * 100


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


@dataclass(frozen=True)
class _Fit:
    coefficients: tuple[float, ...]
    fitted: tuple[float, ...]
    loo: tuple[float, ...]

    def errors(self, measured: Sequence[float] | numpy.ndarray) -> list[float]:
        return [abs(p - y) / y * 100 for p, y in zip(self.loo, measured)]


def _fit_with_loo(est: Estimator, tables: Sequence[OpTable], y: numpy.ndarray) -> _Fit:
    """The fit on every point, its predictions, and each point's prediction by a fit on
    every other point (leave-one-out), for any estimator."""
    import numpy as np

    params = est.fit(tables, y)
    fitted = [float(est.op_ms(params, t).sum()) for t in tables]
    loo = []
    for i in range(len(y)):
        keep = [j for j in range(len(y)) if j != i]
        others = est.fit([tables[j] for j in keep], y[np.array(keep)])
        loo.append(float(est.op_ms(others, tables[i]).sum()))
    return _Fit(tuple(float(c) for c in params), tuple(fitted), tuple(loo))


class _MacsOnly:
    """The baseline: latency proportional to mult-adds (and nothing else)."""

    name = "macs-only"

    def fit(self, tables: Sequence[OpTable], y: numpy.ndarray) -> tuple[float, ...]:
        import numpy as np

        from mncost.analysis.latency.nnls import weighted_nnls

        x = np.array([[t.mult_adds.sum()] for t in tables], dtype=float)
        return (float(weighted_nnls(x, y)[0]),)

    def op_ms(self, params: Sequence[float], table: OpTable) -> numpy.ndarray:
        result: numpy.ndarray = params[0] * table.mult_adds
        return result


def _conventions(dtype: str, rounding: str | None = None) -> Conventions:
    if dtype not in DTYPE_BYTES:
        raise LatencyError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {quote(dtype)}")
    # A latency feature follows the runtime, not a counting convention: batch norm is
    # folded at inference, so it is never counted among the weights read.
    return Conventions(rounding=rounding, dtype=dtype)  # type: ignore[arg-type]


def _totals(result: CostResult, features: Sequence[str]) -> list[int]:
    return [sum(result.metric(name)) for name in features]


@cache
def _model_family(model: str) -> str:
    """A built-in model's family; a model file is a family of its own (its path)."""
    from mncost.arch.registry import UnknownModelError, get_entry

    try:
        return get_entry(model).family
    except UnknownModelError:
        return model


def _architecture(point: Measurement) -> Model:
    from mncost.arch.registry import get_model

    return point.architecture if point.architecture is not None else get_model(point.model)


def _tables(points: Sequence[Measurement], dtype: str) -> list[OpTable]:
    conventions = _conventions(dtype)
    return [
        op_table(count(_architecture(p), p.alpha, p.resolution, None, conventions)) for p in points
    ]


# --- profiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LatencyProfile:
    """A device profile: the model's coefficients and how they were made."""

    name: str
    dtype: str
    """The data type the device ran (float32, float16, int8): bytes are counted in it."""
    coefficients: tuple[float, ...]
    """The estimator's parameters, in the order of its terms (the linear estimator's: ms
    per MAC, per activation byte, per weight byte, per op)."""
    points: tuple[PointFit, ...]
    """The configurations it was fitted on, with its predictions for each."""
    source: str
    """Where the measurements came from, in brief ("TF-slim mobilenet/README.md
    (Pixel 1)")."""
    loo_mape_percent: float
    """Leave-one-out mean absolute error, in percent of the measured latency."""
    loo_max_percent: float
    """The largest leave-one-out absolute error, in percent."""
    baseline_loo_mape_percent: float
    """The same for a fit of mult-adds alone, by the same method."""
    baseline_loo_max_percent: float
    description: str = ""
    source_document: str = ""
    """The full reference of the measurements, when the source names one."""
    builtin: bool = False
    method: str = METHOD
    estimator: str = "linear"
    """The estimator's registry name (:data:`~mncost.analysis.latency.model.ESTIMATORS`)."""
    origin: str = ""
    """The file it was loaded from ("" for a built-in or a new profile)."""
    kind_shares: tuple[tuple[str, float], ...] = ()
    """Per op kind with mult-adds (dense_1x1, dense_kxk, depthwise, fc): the largest
    share of a fitted configuration's mult-adds in that kind. An estimate of a model
    that spends much of its MACs in a kind the fit hardly saw says so. Empty: unknown
    (a profile file written before it was recorded)."""
    poor_fit: bool = False
    """Kept by ``calibrate --keep-poor-fit`` though its fit is too poor to use (every
    term zero, or a leave-one-out mean error of POOR_FIT_PERCENT or more): every
    estimate from it says so (:attr:`poor_fit_caution`)."""

    @property
    def poor_fit_caution(self) -> str | None:
        """The caution every estimate of a poor fit carries (None for a usable fit)."""
        if not self.poor_fit:
            return None
        return (
            f"{self.name} is a poor fit, kept with --keep-poor-fit: its leave-one-out "
            f"error is {self.loo_mape_percent:.1f}% on average (mncost refuses "
            f"{POOR_FIT_PERCENT:.0f}% or more), so its estimates are not to be relied on"
        )

    @property
    def model(self) -> Estimator:
        """The estimator, with which its coefficients predict."""
        return named_estimator(self.estimator)

    @property
    def features(self) -> tuple[str, ...]:
        """The names of its terms, in the order of its coefficients."""
        return tuple(t.name for t in self.model.terms)

    @property
    def n_points(self) -> int:
        """How many measured configurations it was fitted on."""
        return len(self.points)

    @property
    def models(self) -> tuple[str, ...]:
        """The models it was fitted on, in order of first appearance."""
        return tuple(dict.fromkeys(p.measurement.model for p in self.points))

    @property
    def families(self) -> tuple[str, ...]:
        """The families of those models."""
        return tuple(dict.fromkeys(_model_family(m) for m in self.models))

    def coefficient(self, feature: str) -> float:
        """ms per unit of ``feature``."""
        return self.coefficients[self.features.index(feature)]

    def alpha_range(self, model: str) -> tuple[Fraction, Fraction] | None:
        """The smallest and largest alpha it was fitted on for ``model`` (None: never)."""
        alphas = [p.measurement.alpha for p in self.points if p.measurement.model == model]
        return (min(alphas), max(alphas)) if alphas else None

    def resolution_range(self, model: str) -> tuple[int, int] | None:
        """The smallest and largest resolution it was fitted on for ``model``."""
        sizes = [p.measurement.resolution for p in self.points if p.measurement.model == model]
        return (min(sizes), max(sizes)) if sizes else None

    def fitted_on(self) -> str:
        """What it was fitted on, in words: "22 configurations of mobilenet-v2 (alpha 0.35
        to 1.4, 96 to 224 pixels)"."""
        parts = []
        for model in self.models:
            lo, hi = self.alpha_range(model)  # type: ignore[misc]
            r_lo, r_hi = self.resolution_range(model)  # type: ignore[misc]
            alphas = (
                multiplier_text(lo)
                if lo == hi
                else f"{multiplier_text(lo)} to {multiplier_text(hi)}"
            )
            sizes = f"{r_lo}" if r_lo == r_hi else f"{r_lo} to {r_hi}"
            n = sum(1 for p in self.points if p.measurement.model == model)
            parts.append(f"{n} of {model} (alpha {alphas}, {sizes} pixels)")
        return f"{self.n_points} measured configurations: " + "; ".join(parts)

    def provenance(self) -> dict[str, Any]:
        """The profile as plain data, for JSON next to every estimate."""
        return {
            "name": self.name,
            "builtin": self.builtin,
            "fitted_on": list(self.models),
            "families": list(self.families),
            "n_points": self.n_points,
            "source": self.source,
            "source_document": self.source_document,
            "dtype": self.dtype,
            "method": self.method,
            "loo_mape_percent": self.loo_mape_percent,
            "loo_max_percent": self.loo_max_percent,
            "baseline_loo_mape_percent": self.baseline_loo_mape_percent,
            "baseline_loo_max_percent": self.baseline_loo_max_percent,
            "estimator": self.estimator,
            "terms": {name: c for name, c in zip(self.features, self.coefficients)},
            "term_units": {t.name: t.stored for t in self.model.terms},
            "poor_fit": self.poor_fit,
        }


def fit_profile(
    points: Sequence[Measurement],
    name: str,
    source: str,
    *,
    dtype: str = "float32",
    description: str = "",
    source_document: str = "",
    builtin: bool = False,
    keep_poor_fit: bool = False,
    estimator: str | Estimator = "linear",
) -> LatencyProfile:
    """Fit a profile to measured configurations, with its LOO error and the mult-adds
    baseline's. LatencyError when there are too few points for every LOO fit to have as
    many points as the model has terms, and when the fit is too poor to use (every term
    zero, a leave-one-out mean error of POOR_FIT_PERCENT or more, or a coefficient over
    MAX_COEFFICIENT); ``keep_poor_fit`` keeps the first two, marked ``poor_fit``."""
    import numpy as np

    est = named_estimator(estimator) if isinstance(estimator, str) else estimator
    names = [t.name for t in est.terms]
    need = len(names) + 1
    if len(points) < need:
        raise LatencyError(
            f"{len(points)} measured configuration{'s' if len(points) != 1 else ''} "
            f"{'are' if len(points) != 1 else 'is'} too few to fit the profile's "
            f"{len(names)} terms ({', '.join(names)}) and check it by leave-one-out: "
            f"give at least {need}, at several alphas and resolutions"
        )
    tables = _tables(points, dtype)
    y = np.array([p.latency_ms for p in points], dtype=float)
    fit = _fit_with_loo(est, tables, y)
    base = _fit_with_loo(_MacsOnly(), tables, y)  # type: ignore[arg-type]
    errors, base_errors = fit.errors(y), base.errors(y)
    mape = sum(errors) / len(errors)
    if not all(math.isfinite(c) and 0 <= c <= MAX_COEFFICIENT for c in fit.coefficients):
        raise LatencyError(
            "the fit needs a coefficient over "
            f"{MAX_COEFFICIENT:g} ms per unit: these latencies cannot be modelled from "
            "the counted features (check the units: latency_ms is in milliseconds)"
        )
    poor = ""
    if not any(fit.coefficients):
        poor = "every term of the fit is zero (the latencies are too small to fit)"
    elif not mape < POOR_FIT_PERCENT:
        poor = (
            f"its leave-one-out error is {mape:.1f}% on average, and a fit is refused at "
            f"{POOR_FIT_PERCENT:.0f}% or more"
        )
    if poor and not keep_poor_fit:
        raise LatencyError(
            f"the fit is too poor to use: {poor}; time more configurations, or give "
            "--keep-poor-fit to write it anyway, marked as a poor fit"
        )
    return LatencyProfile(
        name=name,
        dtype=dtype,
        coefficients=fit.coefficients,
        points=tuple(PointFit(p, f, item) for p, f, item in zip(points, fit.fitted, fit.loo)),
        source=source,
        source_document=source_document,
        description=description,
        loo_mape_percent=mape,
        loo_max_percent=max(errors),
        baseline_loo_mape_percent=sum(base_errors) / len(base_errors),
        baseline_loo_max_percent=max(base_errors),
        builtin=builtin,
        poor_fit=bool(poor),
        method=est.method,
        estimator=est.name,
        kind_shares=_max_kind_shares(tables),
    )


MAC_KINDS = ("dense_1x1", "dense_kxk", "depthwise", "fc")
"""The op kinds that carry mult-adds, as the kind-mix caution names them."""
KIND_WORDS = {
    "dense_1x1": "dense 1x1 convs",
    "dense_kxk": "dense kxk convs",
    "depthwise": "depthwise convs",
    "fc": "fully connected layers",
}
UNSEEN_SHARE, SEEN_RATIO = 0.25, 2.0
"""A kind holding UNSEEN_SHARE or more of an estimated model's MACs, and over
SEEN_RATIO times the most it held in any fitted configuration, draws the kind-mix
caution (ResNet-18, 98% dense kxk, against MobileNets' under 10% in the stem)."""


def _kind_shares(table: OpTable) -> dict[str, float]:
    """Each MAC-carrying kind's share of one configuration's mult-adds."""
    total = float(table.mult_adds.sum())
    return {
        kind: (
            math.fsum(m for m, k in zip(table.mult_adds, table.kinds) if k == kind) / total
            if total
            else 0.0
        )
        for kind in MAC_KINDS
    }


def _max_kind_shares(tables: Sequence[OpTable]) -> tuple[tuple[str, float], ...]:
    shares = [_kind_shares(t) for t in tables]
    return tuple((kind, max(s[kind] for s in shares)) for kind in MAC_KINDS)


def kind_mix_caution(profile: LatencyProfile, table: OpTable) -> str:
    """The caution for a configuration whose MACs lie mostly in a kind of op the
    profile's fit hardly saw ("" when none applies, or the profile does not know)."""
    if not profile.kind_shares:
        return ""
    seen = dict(profile.kind_shares)
    mine = _kind_shares(table)
    for kind in MAC_KINDS:
        if mine[kind] >= UNSEEN_SHARE and mine[kind] > SEEN_RATIO * seen.get(kind, 0.0):
            rests = (
                "its rate for them is barely constrained by the fit, so this estimate can be "
                "off by far more than the leave-one-out error"
                if profile.estimator == "per-kind"
                else "their time is estimated from how other kinds of op ran"
            )
            return (
                f"{mine[kind]:.0%} of this configuration's mult-adds are in "
                f"{KIND_WORDS[kind]}, which hold at most {seen.get(kind, 0.0):.1%} of any "
                f"configuration {profile.name} was fitted on: {rests}"
            )
    return ""


@dataclass(frozen=True)
class HeldOut:
    """A measured configuration kept out of the fit (``calibrate --holdout``), and the
    profile's prediction for it."""

    measurement: Measurement
    predicted_ms: float

    @property
    def error_percent(self) -> float:
        """(predicted - measured) / measured, in percent."""
        measured = self.measurement.latency_ms
        return (self.predicted_ms - measured) / measured * 100


def _family_key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def split_holdout(
    points: Sequence[Measurement], holdout: Sequence[str]
) -> tuple[list[Measurement], list[Measurement]]:
    """The points to fit and the points held out: those of a model or a family
    (``mncost models`` names both; mobilenet-v3 and mobilenet_v3 alike) in ``holdout``.
    LatencyError for a name that matches nothing, or one that leaves nothing to fit."""
    if not holdout:
        return list(points), []

    def matches(p: Measurement, name: str) -> bool:
        key = _family_key(name)
        return p.model == name or _family_key(_model_family(p.model)) == key

    for name in holdout:
        if not any(matches(p, name) for p in points):
            families = ", ".join(dict.fromkeys(_model_family(p.model) for p in points))
            raise LatencyError(
                f"--holdout {quote(name)} matches no measured configuration (the CSV's "
                f"families: {shorten(families, 200)}; a model's name works too)"
            )
    held = [p for p in points if any(matches(p, name) for name in holdout)]
    kept = [p for p in points if not any(matches(p, name) for name in holdout)]
    if not kept:
        raise LatencyError("--holdout holds out every measured configuration: nothing to fit")
    return kept, held


def predict_measurements(profile: LatencyProfile, points: Sequence[Measurement]) -> list[HeldOut]:
    """The profile's predictions for measured configurations it was not fitted on."""
    if not points:
        return []
    est = profile.model
    return [
        HeldOut(p, float(est.op_ms(profile.coefficients, t).sum()))
        for p, t in zip(points, _tables(points, profile.dtype))
    ]


def feature_rank(profile: LatencyProfile) -> int:
    """How many of the features the fitted configurations tell apart (the rank of their
    feature totals): below len(FEATURES), some terms were not determined by the data."""
    import numpy as np

    x = profile.model.design(_tables([p.measurement for p in profile.points], profile.dtype))
    if x is None:  # not linear in its terms: no rank to tell
        return len(profile.features)
    scale = np.abs(x).max(axis=0)
    scale[scale == 0] = 1.0
    return int(np.linalg.matrix_rank(x / scale))


# --- the built-in profile ----------------------------------------------------------------


def _pixel1_points() -> tuple[list[Measurement], str]:
    from mncost.sources.checkpoints import checkpoint_points

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


def resolve_device(device: str | Path | LatencyProfile) -> LatencyProfile:
    """A built-in name, a Path (or a str ending in .json) to a profile file, or a profile."""
    if isinstance(device, LatencyProfile):
        return device
    if isinstance(device, Path):
        return load_profile(device)
    if device in BUILTIN_DEVICES:
        return builtin_profile(device)
    if device.lower().endswith(".json") or os.sep in device or "/" in device:
        return load_profile(Path(device))
    return builtin_profile(device)


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
    from mncost.arch.registry import get_model
    from mncost.sources.checkpoints import checkpoint_points

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
        predicted = float(profile.model.op_ms(profile.coefficients, op_table(result)).sum())
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
    the ``-slim`` models, not for torchvision's mobilenet-v3 at 0.75)."""
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
        from mncost.sources.checkpoints import checkpoint_points

        for p in checkpoint_points():
            if p.family != "mobilenet_v3" or p.model is None or p.latency_ms is None:
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


# --- estimates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpLatency:
    """One op's estimated time and the features it was estimated from."""

    name: str
    type: str
    """The op's group ("Conv 1x1", "Conv DW 3x3", "Add", ...)."""
    block: str
    ms: float
    features: tuple[int, ...]
    """The op's value of each of FEATURES (exact ints)."""
    intensity: float | None = None
    """MACs per byte the op moves (activations read and written, weights read); None
    for an op that moves none."""
    bound: str = ""
    """Under a roofline profile: "compute" or "memory" (which roof the op sits under);
    "" otherwise, and for an op with no MACs and no bytes."""
    kind: str = "other"
    """dense_1x1, dense_kxk, depthwise, fc or other (no mult-adds), from its geometry."""


@dataclass(frozen=True)
class LatencyEstimate:
    """An estimated latency of one configuration on one device: per op and in total."""

    model: str
    family: str | None
    """The model's family (None: a spec file's architecture)."""
    alpha: Fraction
    resolution: Resolution
    """The input's side, or (height, width)."""
    classes: int
    profile: LatencyProfile
    layers: tuple[OpLatency, ...]
    cautions: tuple[str, ...]
    """Why this estimate is less sure than the profile's LOO error says: another family
    than the fit's, a configuration outside its range. Empty when none applies."""
    mult_adds: int
    measured: PointFit | None = None
    """The profile's own measured point for this very configuration (same model, alpha
    and resolution), when there is one: the measurement beside the estimate."""
    measurement: DeviceMeasurement | None = None
    """Any measurement of this configuration on the device (the profile's own point, or
    a published one it never saw), in the dtype asked for: it beats the estimate."""

    @property
    def best_ms(self) -> float:
        """The measurement where there is one, else the estimate."""
        return self.measurement.latency_ms if self.measurement else self.total_ms

    @property
    def total_ms(self) -> float:
        """The estimated latency: the sum of the per-op estimates."""
        return math.fsum(op.ms for op in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the documented JSON layout."""
        return {
            "estimate": True,
            "model": self.model,
            "family": self.family,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "classes": self.classes,
            "total_ms": self.total_ms,
            "measured_ms": self.measurement.latency_ms if self.measurement else None,
            "measurement": self.measurement.to_dict() if self.measurement else None,
            "mult_adds": self.mult_adds,
            "cautions": list(self.cautions),
            "device": self.profile.provenance(),
            "layers": [
                {
                    "name": op.name,
                    "type": op.type,
                    "block": op.block,
                    "ms": op.ms,
                    **dict(zip(FEATURES, op.features)),
                    "intensity_macs_per_byte": op.intensity,
                    "bound": op.bound or None,
                    "kind": op.kind,
                }
                for op in self.layers
            ],
        }

    def to_frame(self) -> pandas.DataFrame:
        """One row per op: name, type, block, ms and each feature."""
        import pandas as pd

        frame_: pandas.DataFrame = pd.DataFrame(
            [
                {
                    "name": op.name,
                    "type": op.type,
                    "block": op.block,
                    "ms": op.ms,
                    **dict(zip(FEATURES, op.features)),
                    "intensity_macs_per_byte": op.intensity,
                    "bound": op.bound or None,
                    "kind": op.kind,
                }
                for op in self.layers
            ]
        )
        return frame_


def dtype_caution(profile: LatencyProfile, dtype: str) -> str:
    """What an estimate in ``dtype`` from a profile fitted in another one is ("" when
    they are the same)."""
    if dtype == profile.dtype:
        return ""
    return (
        f"{profile.name} was fitted on {profile.dtype} measurements: its estimate for "
        f"{dtype} is the {profile.dtype} estimate (the speed-up of {dtype} is not modelled); "
        f"only a measurement in {dtype} says more"
    )


def _cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alpha: Fraction,
    resolution: Resolution,
    dtype: str | None = None,
) -> tuple[str, ...]:
    poor = profile.poor_fit_caution
    kind = dtype_caution(profile, dtype) if dtype is not None else ""
    return (
        ((poor,) if poor else ())
        + ((kind,) if kind else ())
        + _fit_cautions(profile, model, family, alpha, resolution)
    )


def _fit_cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alpha: Fraction,
    resolution: Resolution,
) -> tuple[str, ...]:
    fitted = ", ".join(profile.families)
    if model is None or family is None:
        return (
            f"this architecture comes from a file (a spec or an ONNX graph), not a built-in "
            "model: "
            f"{profile.name} was fitted on {fitted} only, so this estimate carries its "
            "model to an architecture it never saw",
        )
    if family not in profile.families:
        checked = [
            c.error_percent for c in cross_family_check(profile) if _model_family(c.model) == family
        ]
        seen = (
            (
                f" (on the {len(checked)} {family} checkpoints it was checked on, its "
                f"errors run from {min(checked):+.1f}% to {max(checked):+.1f}%: see "
                "--fit-report)"
            )
            if checked
            else ""
        )
        return (
            f"{model} is a {family} model, and {profile.name} was fitted on {fitted} "
            "only: this estimate crosses families, and its error may exceed the "
            f"profile's leave-one-out error{seen}",
        )
    notes = []
    alphas, sizes = profile.alpha_range(model), profile.resolution_range(model)
    if alphas is None or sizes is None:
        notes.append(
            f"{profile.name} was fitted on other {family} models "
            f"({', '.join(profile.models)}), not on {model}"
        )
        return tuple(notes)
    if not alphas[0] <= alpha <= alphas[1]:
        notes.append(
            f"alpha {multiplier_text(alpha)} lies outside the alphas "
            f"{profile.name} was fitted on ({multiplier_text(alphas[0])} to "
            f"{multiplier_text(alphas[1])}): extrapolated"
        )
    if not all(sizes[0] <= side <= sizes[1] for side in resolution_hw(resolution)):
        notes.append(
            f"resolution {resolution_text(resolution)} lies outside the resolutions "
            f"{profile.name} was fitted on ({sizes[0]} to {sizes[1]}): extrapolated"
        )
    return tuple(notes)


def estimate_latency(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    profile: LatencyProfile,
    *,
    rounding: str | None = None,
    model: str | None = None,
    dtype: str | None = None,
) -> LatencyEstimate:
    """The estimated latency of ``arch`` at (alpha, resolution) on ``profile``'s device,
    op by op, and the measurement of that configuration on the device where there is
    one (in ``dtype``, default the profile's). ``model`` is its registered name (None
    for a spec file's architecture); ScalingError when the configuration cannot be
    counted."""
    resolution = arch.resolution if resolution is None else resolution
    result = count(arch, alpha, resolution, classes, _conventions(profile.dtype, rounding))
    columns = [result.metric(name) for name in FEATURES]
    from mncost.analysis.latency.roofline import bound, intensity

    table = op_table(result)
    per_op = profile.model.op_ms(profile.coefficients, table)
    macs_per_byte = intensity(table)
    bounds = bound(profile.coefficients, table) if profile.estimator == "roofline" else None
    layers = []
    for i, record in enumerate(result.layers):
        values = tuple(col[i] for col in columns)
        value = float(macs_per_byte[i])
        layers.append(
            OpLatency(
                record.name,
                record.type,
                record.block,
                float(per_op[i]),
                values,
                None if math.isnan(value) else value,
                bounds[i] if bounds is not None else "",
                table.kinds[i],
            )
        )
    family = _model_family(model) if model is not None else None
    same = [
        p
        for p in profile.points
        if model is not None
        and p.measurement.model == model
        and p.measurement.alpha == alpha
        and p.measurement.resolution == resolution
        and result.classes == arch.classes
        and rounding is None
    ]
    return LatencyEstimate(
        model=model or arch.name,
        family=family,
        alpha=alpha,
        resolution=resolution,
        classes=result.classes,
        profile=profile,
        layers=tuple(layers),
        cautions=_cautions(profile, model, family, alpha, resolution, dtype)
        + tuple(c for c in (kind_mix_caution(profile, table),) if c),
        mult_adds=result.total.mult_adds,
        measured=same[0] if same else None,
        measurement=measured_latency(profile, model, alpha, resolution, dtype or profile.dtype)
        if result.classes == arch.classes and rounding is None
        else None,
    )


def predict_grid(profile: LatencyProfile, grids: dict[str, numpy.ndarray]) -> numpy.ndarray:
    """Estimated ms at every grid point, from the feature totals of
    :func:`mncost.cost.sweep.grid` (called with ``metrics=FEATURES`` and the profile's
    dtype): one multiply-add per feature and point."""
    import numpy as np

    missing = [name for name in FEATURES if name not in grids]
    if missing:
        raise KeyError(f"the grid lacks the feature(s) {', '.join(missing)}")
    total = np.zeros(np.shape(grids[FEATURES[0]]), dtype=float)
    for name, c in zip(FEATURES, profile.coefficients):
        if c:  # a grid past int64 holds Python ints (dtype object): as floats here
            total += c * np.asarray(grids[name], dtype=float)
    return total


def latency_grid(
    profile: LatencyProfile,
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    rounding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> numpy.ndarray:
    """Estimated ms of ``arch`` at every (alpha, resolution), shape (alphas, resolutions),
    from the profile's estimator (the linear one from the sweep's exact totals)."""
    progress_ = progress
    return profile.model.grid_ms(
        profile.coefficients,
        arch,
        alphas,
        resolutions,
        classes,
        _conventions(profile.dtype, rounding),
        progress_,
    )


# --- reading files -----------------------------------------------------------------------


def _read_text(path: Path, what: str, limit: int) -> str:
    """A regular file of at most ``limit`` bytes, as UTF-8 text (one BOM dropped)."""
    try:
        data = read_bounded(path, limit, what)
    except BoundedReadError as exc:
        raise LatencyError(str(exc)) from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise LatencyError(
            f"{what} {quote(str(path))} is not UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})"
        ) from None


# A decimal number in ASCII digits, as the resolution column and the budgets read them:
# Decimal() alone would also take "\u0663" (Arabic-Indic 3), "\uff11\uff12" (full-width
# 12) and "1_000".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _cell_number(text: str, where: str, column: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise LatencyError(
            f"{where}, {column}: {quote(text)} is longer than {MAX_NUMBER_CHARS} characters"
        )
    if _NUMBER.fullmatch(text) is None:
        raise LatencyError(
            f"{where}, {column}: cannot read {quote(text)} as a number "
            "(write it in ASCII digits, e.g. 12.5)"
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise LatencyError(f"{where}, {column}: cannot read {quote(text)} as a number") from None
    if not value.is_finite():
        raise LatencyError(f"{where}, {column}: {quote(text)} is not a finite number")
    return value


def is_model_file(model: str) -> bool:
    """Whether a measured point's model names a file (a spec or an ONNX graph), by its
    ending, as every model reference is told apart."""
    from mncost.arch.load import ONNX_ENDINGS, SPEC_ENDINGS

    return model.lower().endswith(ONNX_ENDINGS + SPEC_ENDINGS)


def _model_file(model: str, where: str, base: Path | None, read: dict[str, Model]) -> Model:
    """The architecture of a model file a CSV names: a path relative to the CSV's own
    folder and inside it (a CSV is a stranger's text: it may not make mncost read
    /etc/passwd, nor follow a link out of its folder)."""
    from mncost.arch.load import SPEC_ENDINGS, SpecError, load_spec
    from mncost.errors import OnnxImportError

    if model in read:
        return read[model]
    if base is None:
        raise LatencyError(
            f"{where}, model: {quote(model)} names a file; model files can be named "
            "only in a CSV read from a file (their paths are relative to its folder)"
        )
    path = Path(model)
    if path.is_absolute() or ".." in path.parts or "\\" in model:
        raise LatencyError(
            f"{where}, model: {quote(model)} must be a path relative to the CSV's folder "
            "and inside it (no absolute path, no '..')"
        )
    full = base / path
    try:
        inside = full.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise LatencyError(
            f"{where}, model: {quote(model)} leads out of the CSV's folder (a link); "
            "copy the file next to the CSV"
        )
    try:
        if model.lower().endswith(SPEC_ENDINGS):
            arch: Model = load_spec(full)
        else:
            from mncost.cost.onnx_import import load_onnx

            arch = load_onnx(full)
    except (SpecError, OnnxImportError) as exc:
        raise LatencyError(f"{where}, model: {exc}") from None
    read[model] = arch
    return arch


def _measurement(
    cells: dict[str, str], where: str, base: Path | None, read: dict[str, Model]
) -> Measurement:
    from mncost.arch.registry import UnknownModelError, get_entry

    model = cells["model"]
    architecture = None
    if is_model_file(model):
        architecture = _model_file(model, where, base, read)
    else:
        try:
            get_entry(model)
        except UnknownModelError:
            raise LatencyError(
                f"{where}, model: unknown model {quote(model)} (a built-in model, listed "
                "by `mncost models`, or a spec or ONNX file beside the CSV: .yaml, .yml, "
                ".json or .onnx)"
            ) from None
    try:
        alpha = parse_multiplier(cells["alpha"], "alpha")
    except ScalingError as exc:
        raise LatencyError(f"{where}, alpha: {exc}") from None
    text = cells["resolution"]
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > MAX_NUMBER_CHARS
        or not 1 <= int(text) <= MAX_RESOLUTION
    ):
        raise LatencyError(
            f"{where}, resolution: must be a whole number from 1 to "
            f"{MAX_RESOLUTION:,}, got {quote(text)}"
        )
    latency = _cell_number(cells["latency_ms"], where, "latency_ms")
    if not Decimal(str(MIN_LATENCY_MS)) <= latency <= MAX_LATENCY_MS:
        raise LatencyError(
            f"{where}, latency_ms: must be from {MIN_LATENCY_MS} ms (1 microsecond) to "
            f"{MAX_LATENCY_MS:,} ms, got {quote(cells['latency_ms'])}"
        )
    return Measurement(
        model=model,
        alpha=alpha,
        resolution=int(text),
        latency_ms=float(latency),
        label=where,
        architecture=architecture,
    )


def parse_measurements(text: str, source: str, base: Path | None = None) -> list[Measurement]:
    """Measured configurations from CSV text (columns MEASUREMENT_COLUMNS, in any order),
    each cell checked; LatencyError names the line (and column) of the first bad cell.
    ``source`` names the file in messages. A model is a built-in's name or a spec or
    ONNX file's path relative to ``base`` (the CSV's folder; None: no files)."""
    read: dict[str, Model] = {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    points: list[Measurement] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue  # a blank line
            cells = [cell.strip() for cell in row]
            if header is None:
                header = _check_header(cells, source)
                continue
            where = f"{source} line {line}"
            if len(cells) != len(header):
                raise LatencyError(
                    f"{where}: expected {len(header)} cells ({', '.join(header)}), got {len(cells)}"
                )
            if len(points) == MAX_MEASUREMENTS:
                raise LatencyError(
                    f"{source}: more than {MAX_MEASUREMENTS:,} measured configurations"
                )
            point = _measurement(dict(zip(header, cells)), where, base, read)
            try:  # every configuration must be countable; say which line is not
                count(
                    _architecture(point),
                    point.alpha,
                    point.resolution,
                    None,
                    _conventions("float32"),
                )
            except ScalingError as exc:  # GeometryError among them
                raise LatencyError(
                    f"{where}: {point.model} at alpha "
                    f"{multiplier_text(point.alpha)}, {point.resolution} "
                    f"pixels cannot be counted: {exc}"
                ) from None
            points.append(point)
    except csv.Error as exc:
        raise LatencyError(
            f"{source} line {reader.line_num}: not valid CSV: {shorten(str(exc))}"
        ) from None
    if header is None:
        raise LatencyError(
            f"{source} is empty: expected a header line "
            f"({','.join(MEASUREMENT_COLUMNS)}) and one line per measurement"
        )
    return points


def _check_header(cells: list[str], source: str) -> list[str]:
    problem = header_problem(cells, MEASUREMENT_COLUMNS, MEASUREMENT_EXTRAS)
    if problem is not None:
        raise LatencyError(f"{source} line 1 (the header): {problem}")
    return cells


def read_measurements(path: Path) -> list[Measurement]:
    """Measured configurations from a CSV file (see :func:`parse_measurements`); the
    file is a regular file of at most MAX_MEASUREMENT_BYTES."""
    text = _read_text(path, "measurements file", MAX_MEASUREMENT_BYTES)
    return parse_measurements(text, shorten(path.name), path.parent)


# --- the profile file --------------------------------------------------------------------

_Strict = ConfigDict(extra="forbid", frozen=True, strict=True)
_Rate = Field(ge=0, le=MAX_COEFFICIENT, allow_inf_nan=False)


_Coefficient = Annotated[float, _Rate]
_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _PointFile(BaseModel):
    """One measured configuration and the fit's predictions for it."""

    model_config = _Strict

    model: str = Field(min_length=1, max_length=_MAX_MODEL)
    """A built-in model's name (``mncost models``), or the spec or ONNX file the
    measurements CSV named (its path relative to the CSV), which is not read again."""
    alpha: str = Field(min_length=1, max_length=MAX_NUMBER_CHARS)
    """The width multiplier as text, read exactly ("0.75")."""
    resolution: int = Field(ge=1, le=MAX_RESOLUTION)
    """Input side in pixels."""
    latency_ms: float = Field(ge=MIN_LATENCY_MS, le=MAX_LATENCY_MS, allow_inf_nan=False)
    """The measured latency in ms."""
    fitted_ms: float = Field(ge=0, le=MAX_PREDICTED_MS, allow_inf_nan=False)
    """The profile's prediction for it (fitted on every point)."""
    loo_ms: float = Field(ge=0, le=MAX_PREDICTED_MS, allow_inf_nan=False)
    """The prediction of the fit on every other point (leave-one-out)."""
    label: str = Field(default="", max_length=_MAX_TEXT)
    """How its source names it (e.g. the CSV line)."""


class ProfileFile(BaseModel):
    """A device profile as a JSON file (``mncost calibrate`` writes it; ``--device
    FILE.json`` reads it). Every field is checked when the file is loaded; unknown
    fields are refused."""

    model_config = _Strict

    format: Literal["mncost-latency-profile"]
    """Always "mncost-latency-profile"."""
    version: Literal[1]
    """The format's version: 1."""
    name: str = Field(min_length=1, max_length=_MAX_NAME)
    """The device's name, as outputs show it."""
    description: str = Field(default="", max_length=_MAX_TEXT)
    """Free text about the device and how it was timed."""
    dtype: Literal["float32", "float16", "int8"]
    """The data type the timed models ran in; bytes are counted in it."""
    method: str = Field(max_length=_MAX_TEXT)
    """How it was fitted, in words."""
    source: str = Field(max_length=_MAX_TEXT)
    """Where the measurements came from."""
    estimator: Literal["linear", "roofline", "per-kind"] = "linear"
    """The estimator whose terms these are (a file without it: linear)."""
    terms: dict[str, _Coefficient] = Field(max_length=16)
    """The estimator's coefficients, by term: the linear one's mult_adds (ms per MAC),
    conv_activation_bytes and conv_weight_bytes (ms per byte), ops (ms per op); the
    roofline's mult_adds, bytes and ops; per-kind's dense_1x1_mult_adds,
    dense_kxk_mult_adds, depthwise_mult_adds, fc_mult_adds and ops. Each term is
    required, and no other."""
    n_points: int = Field(ge=1, le=MAX_MEASUREMENTS)
    """How many configurations it was fitted on (the length of ``points``)."""
    loo_mape_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """Leave-one-out mean absolute error, in percent."""
    loo_max_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """Leave-one-out largest absolute error, in percent."""
    baseline_loo_mape_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """The same for latency proportional to mult-adds alone."""
    baseline_loo_max_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """The baseline's largest absolute LOO error, in percent."""
    points: list[_PointFile] = Field(min_length=1, max_length=MAX_MEASUREMENTS)
    """The measured configurations, with the fit's predictions."""
    poor_fit: bool = False
    """Written by ``calibrate --keep-poor-fit`` for a fit too poor to use; every
    estimate from the profile then says so."""
    kind_shares: dict[Literal["dense_1x1", "dense_kxk", "depthwise", "fc"], _Share] | None = None
    """Per op kind with mult-adds: the largest share (0 to 1) of a fitted
    configuration's mult-adds in it; estimates of models whose MACs lie mostly in a kind
    the fit hardly saw say so. Optional (older files)."""


def _alpha_text(alpha: Fraction) -> str:
    """alpha as text that reads back exactly: "0.75", else "3/7"."""
    text = multiplier_text(alpha)
    if Fraction(text) == alpha:
        return text
    if Fraction(str(float(alpha))) == alpha:  # a short decimal that :g cut
        return str(float(alpha))
    return f"{alpha.numerator}/{alpha.denominator}"


def profile_json(profile: LatencyProfile) -> str:
    """``profile`` as the JSON text of a :class:`ProfileFile`."""
    data = ProfileFile(
        format=_FORMAT,
        version=_VERSION,
        name=profile.name,
        description=profile.description,
        dtype=profile.dtype,  # type: ignore[arg-type]
        method=profile.method,
        source=profile.source,
        estimator=profile.estimator,  # type: ignore[arg-type]
        terms=dict(zip(profile.features, profile.coefficients)),
        n_points=profile.n_points,
        loo_mape_percent=profile.loo_mape_percent,
        loo_max_percent=profile.loo_max_percent,
        baseline_loo_mape_percent=profile.baseline_loo_mape_percent,
        baseline_loo_max_percent=profile.baseline_loo_max_percent,
        points=[
            _PointFile(
                model=p.measurement.model,
                alpha=_alpha_text(p.measurement.alpha),
                resolution=p.measurement.resolution,
                latency_ms=p.measurement.latency_ms,
                fitted_ms=p.fitted_ms,
                loo_ms=p.loo_ms,
                label=p.measurement.label,
            )
            for p in profile.points
        ],
        poor_fit=profile.poor_fit,
        kind_shares=dict(profile.kind_shares) or None,  # type: ignore[arg-type]
    )
    return json.dumps(data.model_dump(exclude_none=True), indent=2) + "\n"


def _validation_message(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{shorten(where)}: {shorten(first['msg'], 200)}"


def _parse_json(text: str, shown: str) -> Any:
    try:
        return load_json(text)
    except StrictJsonError as exc:
        raise LatencyError(f"profile file {shown}: {exc}") from None


def load_profile(path: Path) -> LatencyProfile:
    """Read and check a profile file (:class:`ProfileFile`); LatencyError, one line,
    naming the file and the field, when it is not a valid profile."""
    from mncost.arch.registry import UnknownModelError, get_entry

    shown = quote(str(path))
    data = _parse_json(_read_text(path, "profile file", MAX_PROFILE_BYTES), shown)
    try:
        parsed = ProfileFile.model_validate(data)
    except ValidationError as exc:
        raise LatencyError(
            f"profile file {shown} is not a valid profile: {_validation_message(exc)}"
        ) from None
    names = [t.name for t in named_estimator(parsed.estimator).terms]
    if sorted(parsed.terms) != sorted(names):
        missing = [n for n in names if n not in parsed.terms]
        extra = [n for n in parsed.terms if n not in names]
        raise LatencyError(
            f"profile file {shown}: terms: the {parsed.estimator} estimator's terms are "
            f"{', '.join(names)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {quote(extra[0])}" if extra else "")
        )
    if parsed.n_points != len(parsed.points):
        raise LatencyError(
            f"profile file {shown}: n_points is {parsed.n_points} but it "
            f"lists {len(parsed.points)} points"
        )
    points = []
    for i, p in enumerate(parsed.points):
        where = f"profile file {shown}: points.{i}"
        try:
            if not is_model_file(p.model):  # a file is named, never read again
                get_entry(p.model)
        except UnknownModelError:
            raise LatencyError(f"{where}.model: unknown model {quote(p.model)}") from None
        try:
            alpha = parse_multiplier(p.alpha, "alpha")
        except ScalingError as exc:
            raise LatencyError(f"{where}.alpha: {exc}") from None
        points.append(
            PointFit(
                Measurement(p.model, alpha, p.resolution, p.latency_ms, p.label),
                p.fitted_ms,
                p.loo_ms,
            )
        )
    return LatencyProfile(
        name=parsed.name,
        dtype=parsed.dtype,
        coefficients=tuple(parsed.terms[name] for name in names),
        estimator=parsed.estimator,
        points=tuple(points),
        source=parsed.source,
        description=parsed.description,
        loo_mape_percent=parsed.loo_mape_percent,
        loo_max_percent=parsed.loo_max_percent,
        baseline_loo_mape_percent=parsed.baseline_loo_mape_percent,
        baseline_loo_max_percent=parsed.baseline_loo_max_percent,
        method=parsed.method,
        origin=str(path),
        poor_fit=parsed.poor_fit,
        kind_shares=_read_shares(parsed.kind_shares),
    )


def _read_shares(shares: Mapping[Any, float] | None) -> tuple[tuple[str, float], ...]:
    return tuple((kind, shares.get(kind, 0.0)) for kind in MAC_KINDS) if shares else ()


def check_name(name: str) -> str:
    """A device name as given (``--name``), checked: 1 to 64 characters, no controls."""
    from mncost.text import escape_controls

    if not 1 <= len(name) <= _MAX_NAME or escape_controls(name) != name:
        raise LatencyError(
            f"a device name has 1 to {_MAX_NAME} printable characters, got {quote(name)}"
        )
    return name
