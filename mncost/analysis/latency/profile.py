"""Device profiles and how they are fitted: :class:`LatencyProfile`, :func:`fit_profile`
(with each point's leave-one-out prediction and the mult-adds baseline's),
:func:`feature_rank`, the profile's predictions for held-out points
(:func:`predict_measurements`) and the share of each kind of op in what it was fitted
on (:func:`kind_mix_caution`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.latency.features import OpTable, op_table
from mncost.analysis.latency.limits import MAX_COEFFICIENT, POOR_FIT_PERCENT
from mncost.analysis.latency.measurements import (
    Measurement,
    _architecture,
    _conventions,
    _model_family,
)
from mncost.analysis.latency.model import Estimator
from mncost.analysis.latency.model import estimator as named_estimator
from mncost.analysis.latency.nnls import weighted_nnls
from mncost.cost.result import count
from mncost.cost.scaling import multiplier_text
from mncost.errors import LatencyError

if TYPE_CHECKING:
    import numpy


BASELINE: tuple[str, ...] = ("mult_adds",)
"""The baseline every fit is shown against: latency proportional to mult-adds."""
METHOD = (
    "a linear model over per-op features (mult-adds, activation bytes of conv and "
    "FC layers, conv weight bytes, a constant per op), fitted by non-negative least "
    "squares on relative error"
)
"""How every profile is made, in words (shown with every estimate)."""


# --- fits --------------------------------------------------------------------------------


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

        x = np.array([[t.mult_adds.sum()] for t in tables], dtype=float)
        return (float(weighted_nnls(x, y)[0]),)

    def op_ms(self, params: Sequence[float], table: OpTable) -> numpy.ndarray:
        result: numpy.ndarray = params[0] * table.mult_adds
        return result


def _tables(points: Sequence[Measurement], dtype: str, traffic: str) -> list[OpTable]:
    conventions = _conventions(dtype)
    return [
        op_table(count(_architecture(p), p.alpha, p.resolution, None, conventions), traffic)
        for p in points
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
    traffic: str = "conv"
    """The bytes its estimator weighs: "all" (every op's activations and weights) or
    "conv" (conv and FC layers' activations, conv weights; the built-in Pixel 1 cut, and
    a profile file's that does not say)."""
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
        return named_estimator(self.estimator, self.traffic)

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
            "traffic": self.traffic,
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
    traffic: str = "all",
) -> LatencyProfile:
    """Fit a profile to measured configurations, with its LOO error and the mult-adds
    baseline's. LatencyError when there are too few points for every LOO fit to have as
    many points as the model has terms, and when the fit is too poor to use (every term
    zero, a leave-one-out mean error of POOR_FIT_PERCENT or more, or a coefficient over
    MAX_COEFFICIENT); ``keep_poor_fit`` keeps the first two, marked ``poor_fit``.
    ``traffic`` is the bytes a named estimator weighs ("all" or "conv", as
    :data:`~mncost.analysis.latency.features.TRAFFIC`); an estimator object brings its
    own."""
    import numpy as np

    est = named_estimator(estimator, traffic) if isinstance(estimator, str) else estimator
    names = [t.name for t in est.terms]
    need = len(names) + 1
    if len(points) < need:
        raise LatencyError(
            f"{len(points)} measured configuration{'s' if len(points) != 1 else ''} "
            f"{'are' if len(points) != 1 else 'is'} too few to fit the profile's "
            f"{len(names)} terms ({', '.join(names)}) and check it by leave-one-out: "
            f"give at least {need}, at several alphas and resolutions"
        )
    tables = _tables(points, dtype, est.traffic)
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
        traffic=est.traffic,
        kind_shares=_max_kind_shares(tables),
    )


# --- kinds of op -------------------------------------------------------------------------


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


# --- held-out points and the rank of a fit -----------------------------------------------


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


def predict_measurements(profile: LatencyProfile, points: Sequence[Measurement]) -> list[HeldOut]:
    """The profile's predictions for measured configurations it was not fitted on."""
    if not points:
        return []
    est = profile.model
    return [
        HeldOut(p, float(est.op_ms(profile.coefficients, t).sum()))
        for p, t in zip(points, _tables(points, profile.dtype, profile.traffic))
    ]


def feature_rank(profile: LatencyProfile) -> int:
    """How many of the features the fitted configurations tell apart (the rank of their
    feature totals): below len(FEATURES), some terms were not determined by the data."""
    import numpy as np

    x = profile.model.design(
        _tables([p.measurement for p in profile.points], profile.dtype, profile.traffic)
    )
    if x is None:  # not linear in its terms: no rank to tell
        return len(profile.features)
    scale = np.abs(x).max(axis=0)
    scale[scale == 0] = 1.0
    return int(np.linalg.matrix_rank(x / scale))
