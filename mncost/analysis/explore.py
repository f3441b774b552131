"""The explorer's grid: every figure a builder weighs, over a whole alpha x resolution grid.

One call (:func:`explore_grid`) answers, for one model at every (alpha, R) of a grid:

- exact counts from the vectorised sweep (:func:`mncost.cost.sweep.grid`): mult-adds,
  params, weight bytes, the peak activation memory (in a data type, with or without
  in-place depthwise convs) or any other registered metric;
- estimated latency on a device (:func:`mncost.analysis.latency.latency_grid`), when a
  device profile is given: an estimate from a fitted model, with what it was fitted on;
- estimated ImageNet top-1 (:mod:`mncost.analysis.accuracy`), when the model has an
  accuracy model: every value carries its status (measured, interpolated, extrapolated;
  extrapolations withheld unless asked for), the method and the leave-one-out error.

The grid's axes are read here too (:func:`parse_alphas`, :func:`parse_resolutions`):
``start:stop:step`` ranges, stop included when the steps land on it, read exactly (0.05
is 1/20, so 0.25:1.4:0.05 has 24 values, never 23 or 25 from float drift), or comma
lists of values and ranges. Both are bounded: at most :data:`MAX_AXIS_VALUES` values per
axis and :data:`MAX_CONFIGS` configurations per grid, checked before anything is built.

``mncost sweep`` shows an :class:`ExploreGrid`; ``mncost choose`` searches them
(:mod:`mncost.analysis.choose`); :func:`mncost.sweep` returns one as a DataFrame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.scenario import registered_name
from mncost.arch.width import WidthRule
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.execution import Execution
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.metrics import METRICS
from mncost.cost.model import Model
from mncost.cost.scaling import (
    Resolution,
    ScalingError,
    multiplier_text,
    parse_multiplier,
    parse_resolution,
    resolution_hw,
    resolution_text,
)
from mncost.errors import ExploreError
from mncost.limits import MAX_AXIS_VALUES, MAX_CONFIGS, MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.text import quote

if TYPE_CHECKING:
    import numpy
    import pandas

    from mncost.analysis.accuracy import AccuracyGrid, AccuracyModel, PublishedOnly
    from mncost.analysis.latency import LatencyProfile

__all__ = [
    "ACCURACY",
    "Checkpoint",
    "DEFAULT_METRICS",
    "ESTIMATES",
    "ExploreError",
    "ExploreGrid",
    "Extent",
    "LATENCY",
    "MAX_AXIS_TEXT",
    "MAX_AXIS_VALUES",
    "MAX_CONFIGS",
    "METRIC_LABELS",
    "Progress",
    "axis_text",
    "check_grid_size",
    "explore_grid",
    "explorer_metrics",
    "model_checkpoints",
    "parse_alphas",
    "parse_resolutions",
    "resolution_order",
    "registered_name",
    "with_dtype",
]

MAX_AXIS_TEXT = 4_000
"""An axis written as text (a range or a list) has at most this many characters."""

LATENCY = "latency_ms"
"""The explorer's name for the latency (needs a device profile): measured on the device
where the configuration was measured, else estimated."""
LATENCY_STATUS = "latency_status"
"""measured or estimated: what latency_ms is, configuration by configuration."""
LATENCY_ESTIMATE = "latency_estimate_ms"
"""The profile's estimate, measured configurations included (beside the measurement)."""
ACCURACY = "top1"
"""The explorer's name for the estimated top-1 (needs an accuracy model); its status
comes with it as ``top1_status``."""
ESTIMATES: tuple[str, ...] = (LATENCY, ACCURACY)
"""Columns that are estimates from a fitted model, not counts."""
DEFAULT_METRICS: tuple[str, ...] = ("mult_adds", "params", "weight_bytes", PEAK_ACTIVATION)
"""The counts every sweep gives unless asked for others."""

METRIC_LABELS: dict[str, str] = {
    "mult_adds": "MACs",
    "params": "params",
    "bn_params": "batch-norm params",
    "weight_bytes": "weight bytes",
    PEAK_ACTIVATION: "peak activation bytes",
    "input_bytes": "input bytes (summed over ops)",
    "output_bytes": "output bytes (summed over ops)",
    "conv_activation_bytes": "conv/FC activation bytes",
    "conv_weight_bytes": "conv weight bytes",
    "ops": "ops",
    LATENCY: "estimated latency (ms)",
    ACCURACY: "estimated top-1 (%)",
}
"""How each column is named in prose (titles, notes, budgets)."""

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called as a long computation advances."""


# --- the axes ---------------------------------------------------------------------------

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _resolution_value(text: str, where: str) -> int:
    if (
        len(text) > MAX_NUMBER_CHARS
        or not _ASCII_DIGITS.fullmatch(text)
        or not 1 <= int(text) <= MAX_RESOLUTION
    ):
        hint = (
            " (a range steps square sides: list HxW sizes, e.g. 240x320,480x640)"
            if any(c in text for c in "xX\u00d7")
            else ""
        )
        raise ExploreError(
            f"{where} must be a whole number from 1 to {MAX_RESOLUTION:,}, got {quote(text)}{hint}"
        )
    return int(text)


def _size_value(text: str, where: str) -> Resolution:
    """One input size: a side, or HxW (height x width, "320x240") for a non-square one."""
    if not any(c in text for c in "xX\u00d7"):
        try:
            return _resolution_value(text, where)
        except ExploreError as exc:
            raise ExploreError(f"{exc} (or HxW, such as 320x240)") from None
    try:
        return parse_resolution(text, where)
    except ScalingError as exc:
        raise ExploreError(str(exc)) from None


def resolution_order(resolution: Resolution) -> tuple[int, int, int]:
    """How resolutions sort on an axis: by pixel count, then height (224 before
    320x240 before 320x320)."""
    h, w = resolution_hw(resolution)
    return h * w, h, w


def _alpha_value(text: str, where: str) -> Fraction:
    try:
        return parse_multiplier(text, where)
    except ScalingError as exc:
        raise ExploreError(str(exc)) from None


def _parse_axis(
    text: str,
    what: str,
    value: Callable[[str, str], Any],
    item_value: Callable[[str, str], Any] | None = None,
    key: Callable[[Any], Any] | None = None,
) -> tuple[Any, ...]:
    """Comma-separated values and ``start:stop:step`` ranges, sorted (by ``key``), repeats
    dropped. A lone item is read by ``item_value`` (default ``value``), a range's three
    parts by ``value``."""
    if not isinstance(text, str):
        raise ExploreError(f"{what} must be text such as 0.25:1.4:0.05 or 0.5,0.75,1")
    raw = text.strip()
    if not raw:
        raise ExploreError(
            f"{what} is empty: give a value, a list (0.5,0.75,1) or a range (start:stop:step)"
        )
    if len(raw) > MAX_AXIS_TEXT:
        raise ExploreError(f"{what} must be at most {MAX_AXIS_TEXT:,} characters")
    values: set[Any] = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            raise ExploreError(f"{what} {quote(raw)} has an empty item between commas")
        if ":" not in item:
            values.add((item_value or value)(item, what))
        else:
            parts = [p.strip() for p in item.split(":")]
            if len(parts) != 3:
                raise ExploreError(
                    f"{what} range {quote(item)} must be start:stop:step "
                    "(three numbers, the stop included)"
                )
            start, stop = value(parts[0], f"{what} start"), value(parts[1], f"{what} stop")
            step = value(parts[2], f"{what} step")
            if stop < start:
                raise ExploreError(f"{what} range {quote(item)}: the stop is below the start")
            n = math.floor((stop - start) / step) + 1  # exact: Fractions or ints
            if n > MAX_AXIS_VALUES:
                raise ExploreError(
                    f"{what} range {quote(item)} has {n:,} values; the most "
                    f"is {MAX_AXIS_VALUES:,} (use a larger step)"
                )
            values.update(start + k * step for k in range(n))
        if len(values) > MAX_AXIS_VALUES:
            raise ExploreError(f"{what} has more than {MAX_AXIS_VALUES:,} values")
    return tuple(sorted(values, key=key))


def parse_alphas(text: str) -> tuple[Fraction, ...]:
    """Width multipliers from text: "0.25:1.4:0.05" (start:stop:step, the stop included
    when a step lands on it), "0.5,0.75,1" or a mix; exact, sorted, each 0 < alpha <= 16."""
    return _parse_axis(text, "alpha", _alpha_value)


def parse_resolutions(text: str) -> tuple[Resolution, ...]:
    """Resolutions from text: "96:320:16", "128,160,224", "320x240,640x480" (height x
    width) or a mix; sorted by pixel count (:func:`resolution_order`), each side a whole
    number from 1 to 16,384. A range steps square sides; list non-square sizes."""
    return _parse_axis(text, "resolution", _resolution_value, _size_value, key=resolution_order)


def check_grid_size(n_alphas: int, n_resolutions: int) -> None:
    """ExploreError unless the grid is non-empty and within the bounds."""
    if n_alphas == 0 or n_resolutions == 0:
        raise ExploreError("the grid is empty: give at least one alpha and one resolution")
    if n_alphas > MAX_AXIS_VALUES or n_resolutions > MAX_AXIS_VALUES:
        raise ExploreError(
            f"an axis has at most {MAX_AXIS_VALUES:,} values, got {max(n_alphas, n_resolutions):,}"
        )
    n = n_alphas * n_resolutions
    if n > MAX_CONFIGS:
        raise ExploreError(
            f"the grid has {n_alphas:,} alphas x {n_resolutions:,} "
            f"resolutions = {n:,} configurations; the most is "
            f"{MAX_CONFIGS:,} (use a larger step)"
        )


def axis_text(values: Sequence[Any]) -> str:
    """An axis in words: "0.25 to 1.4 in steps of 0.05 (24 values)", "128, 160, 224"."""

    def show(v: Any) -> str:
        if isinstance(v, Fraction):
            return multiplier_text(v)
        return resolution_text(v) if isinstance(v, tuple) else str(v)

    if len(values) <= 4 or any(isinstance(v, tuple) for v in values):
        if len(values) > 4:
            return (
                f"{len(values)} values from {show(values[0])} to {show(values[-1])} "
                f"({', '.join(show(v) for v in values[:3])}, ..., {show(values[-1])})"
            )
        return ", ".join(show(v) for v in values)
    steps = {b - a for a, b in zip(values, values[1:])}
    if len(steps) == 1:
        (step,) = steps
        return (
            f"{show(values[0])} to {show(values[-1])} in steps of "
            f"{show(step) if isinstance(step, Fraction) else step} ({len(values)} values)"
        )
    return (
        f"{len(values)} values from {show(values[0])} to {show(values[-1])} "
        f"({', '.join(show(v) for v in values[:3])}, ..., {show(values[-1])})"
    )


# --- metrics ----------------------------------------------------------------------------


def explorer_metrics() -> tuple[str, ...]:
    """Every column a sweep can give: the registered metrics, the peak, latency, top-1."""
    return (*DEFAULT_METRICS, *(m for m in METRICS if m not in DEFAULT_METRICS), *ESTIMATES)


def _check_metrics(metrics: Iterable[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    known = explorer_metrics()
    for name in metrics:
        if not isinstance(name, str) or name not in known:
            raise ExploreError(f"unknown metric {quote(name)}; choose from {', '.join(known)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ExploreError("no metric asked for")
    return tuple(chosen)


# --- published checkpoints --------------------------------------------------------------


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
    from mncost.sources.checkpoints import checkpoint_points

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


# --- the grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Extent:
    """A column's smallest and largest value over a grid, and where each occurs."""

    metric: str
    low: int | float
    low_alpha: Fraction
    low_resolution: Resolution
    high: int | float
    high_alpha: Fraction
    high_resolution: Resolution


@dataclass(frozen=True, eq=False)
class ExploreGrid:
    """One model's figures at every (alpha, resolution) of a grid.

    Arrays are shaped (len(alphas), len(resolutions)); :meth:`frame` and :meth:`column`
    flatten them alpha-major (one row per configuration, as :func:`mncost.sweep`).
    """

    model: str
    """The architecture's name."""
    registered: str | None
    """Its registry name (None: from a spec file)."""
    family: str | None
    """Its family (None: from a spec file)."""
    alphas: tuple[Fraction, ...]
    resolutions: tuple[Resolution, ...]
    """Sorted by :func:`resolution_order`: a side, or (height, width) where not square."""
    classes: int
    conventions: Conventions
    """The counting conventions; ``conventions.dtype`` sizes the byte counts."""
    execution: Execution
    """How the peak is reckoned (layer by layer; what runs in place)."""
    metrics: tuple[str, ...]
    """The columns asked for, in order (counts, then latency_ms and top1 when present)."""
    counts: dict[str, numpy.ndarray]
    """Exact int64 totals of each counted metric."""
    latency: numpy.ndarray | None = None
    """Latency in ms (float64), when a device profile was given: the measurement on the
    device where the configuration has one (:attr:`latency_measured`), else the
    estimate. Budgets are tested on it, so a measurement always wins."""
    latency_estimate: numpy.ndarray | None = None
    """The profile's estimate everywhere, measured configurations included."""
    latency_measured: numpy.ndarray | None = None
    """True where :attr:`latency` is a measurement on the device (the profile's own
    point, or a published one: :func:`mncost.analysis.latency.device_measurements`)."""
    profile: LatencyProfile | None = None
    latency_cautions: tuple[str, ...] = ()
    """Why the latency estimates are less sure than the profile's LOO error says."""
    latency_outside: numpy.ndarray | None = None
    """True where (alpha, R) lies outside the alphas or resolutions the profile was
    fitted on for this model (an extrapolation of the latency model)."""
    accuracy: AccuracyGrid | None = None
    """Top-1 estimates with their statuses, when the model has an accuracy model."""
    accuracy_reason: str = ""
    """Why there are no top-1 estimates ("" when there are)."""
    accuracy_caution: str = ""
    """Why the top-1 is less apt than its status says: of float32 checkpoints for an
    int8 model, none of it having been published in 8 bits ("" when apt)."""
    extrapolate: bool = False
    """Whether top-1 extrapolations are given (else withheld: NaN, status kept)."""
    checkpoints: tuple[Checkpoint, ...] = ()
    """The model's released checkpoints, to mark on a heatmap."""
    own_rule: WidthRule = WidthRule()
    """The architecture's own channel rounding rule (``conventions`` may override it)."""

    @property
    def dw_inplace(self) -> bool:
        """Whether the peak runs depthwise convs in place."""
        return self.execution.dw_inplace

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.alphas), len(self.resolutions)

    @property
    def size(self) -> int:
        """The number of configurations."""
        return len(self.alphas) * len(self.resolutions)

    @property
    def dtype(self) -> str:
        return self.conventions.dtype

    def axes_text(self) -> tuple[str, str]:
        """The alphas and the resolutions in words (:func:`axis_text`)."""
        return axis_text(self.alphas), axis_text(self.resolutions)

    def array(self, name: str) -> numpy.ndarray:
        """One column as a (alphas, resolutions) array: a count, latency_ms or top1."""
        if name in self.counts:
            return self.counts[name]
        if name == LATENCY and self.latency is not None:
            return self.latency
        if name == ACCURACY and self.accuracy is not None:
            return self.accuracy.value
        if name == LATENCY_ESTIMATE and self.latency_estimate is not None:
            return self.latency_estimate
        if name == LATENCY_STATUS and self.latency_measured is not None:
            import numpy as np

            return np.where(self.latency_measured, "measured", "estimated")
        raise KeyError(name)

    def has(self, name: str) -> bool:
        """Whether the grid holds the column ``name``."""
        try:
            self.array(name)
        except KeyError:
            return False
        return True

    def columns(self) -> tuple[str, ...]:
        """The data columns of :meth:`frame`, after alpha and resolution."""
        names = [m for m in self.metrics if m in self.counts or m == LATENCY]
        if LATENCY in names and self.latency is not None:
            at = names.index(LATENCY) + 1
            names[at:at] = [LATENCY_STATUS, LATENCY_ESTIMATE]
        if self.accuracy is not None and ACCURACY in self.metrics:
            names += [ACCURACY, "top1_status"]
        return tuple(names)

    def column(self, name: str) -> numpy.ndarray:
        """One column flattened alpha-major: alpha and resolution too, and top1_status."""
        import numpy as np

        if name == "alpha":
            return np.repeat(np.array([float(a) for a in self.alphas]), len(self.resolutions))
        if name == "resolution":
            from mncost.cost.sweep import resolution_column

            return resolution_column(self.resolutions, len(self.alphas))
        if name == "top1_status":
            if self.accuracy is None:
                raise KeyError(name)
            return self.accuracy.status.reshape(-1)
        if name == LATENCY_STATUS and self.latency_measured is not None:
            return np.where(self.latency_measured, "measured", "estimated").reshape(-1)
        if name == LATENCY_ESTIMATE and self.latency_estimate is not None:
            return self.latency_estimate.reshape(-1)
        return self.array(name).reshape(-1)

    def frame(self) -> pandas.DataFrame:
        """One row per (alpha, resolution), alpha-major: alpha, resolution, then
        :meth:`columns` (counts as exact int64, latency_ms and top1 as float64, NaN where
        an extrapolated top-1 was withheld)."""
        import pandas as pd

        frame_: pandas.DataFrame = pd.DataFrame(
            {name: self.column(name) for name in ("alpha", "resolution", *self.columns())}
        )
        return frame_

    def ranges(self) -> list[Extent]:
        """Each data column's smallest and largest value over the grid, and where (top-1
        over the configurations that have a value)."""
        import numpy as np

        out = []
        for name in self.columns():
            if name in ("top1_status", LATENCY_STATUS, LATENCY_ESTIMATE):
                continue
            values = self.array(name)
            if name == ACCURACY:
                if np.isnan(values).all():
                    continue
                lo, hi = np.nanargmin(values), np.nanargmax(values)
            else:
                lo, hi = values.argmin(), values.argmax()
            cells = []
            for flat in (int(lo), int(hi)):
                i, j = divmod(flat, len(self.resolutions))
                value = values[i, j]
                cells.append((value.item(), self.alphas[i], self.resolutions[j]))
            out.append(Extent(name, *cells[0], *cells[1]))
        return out

    def accuracy_summary(self) -> dict[str, Any] | None:
        """What the top-1 estimates are, as plain data (None when there are none)."""
        acc = self.accuracy
        if acc is None:
            return None
        import numpy as np

        from mncost.analysis.accuracy import STATUSES

        statuses = {s: int(np.count_nonzero(acc.status == s)) for s in STATUSES}
        return {
            "method": acc.method,
            "fitted_on": acc.fitted_on.describe(),
            "n_points": acc.fitted_on.n_points,
            "loo_mae": acc.loo_mae,
            "loo_max": acc.loo_max,
            "statuses": statuses,
            "extrapolations_given": self.extrapolate,
            "caution": self.accuracy_caution or None,
        }

    def latency_summary(self) -> dict[str, Any] | None:
        """The device profile behind latency_ms and its cautions (None: no device)."""
        if self.profile is None:
            return None
        import numpy as np

        outside = 0 if self.latency_outside is None else int(np.count_nonzero(self.latency_outside))
        measured = (
            0 if self.latency_measured is None else int(np.count_nonzero(self.latency_measured))
        )
        return {
            **self.profile.provenance(),
            "cautions": list(self.latency_cautions),
            "configurations_outside_fit_range": outside,
            "configurations_measured": measured,
        }


def _latency_cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    dtype: str,
) -> tuple[tuple[str, ...], numpy.ndarray]:
    """What makes a grid's latency estimates less sure, and where it leaves the fit."""
    from mncost.analysis.latency import dtype_caution

    cautions, outside = _grid_fit_cautions(profile, model, family, alphas, resolutions)
    poor = profile.poor_fit_caution
    kind = dtype_caution(profile, dtype)
    return ((poor,) if poor else ()) + ((kind,) if kind else ()) + cautions, outside


def _grid_fit_cautions(
    profile: LatencyProfile,
    model: str | None,
    family: str | None,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
) -> tuple[tuple[str, ...], numpy.ndarray]:
    import numpy as np

    from mncost.analysis.latency.estimate import structural_caution

    shape = (len(alphas), len(resolutions))
    kind = structural_caution(profile, model, family, grid=True)
    if kind is not None:
        return (kind,), np.ones(shape, dtype=bool)
    assert model is not None
    a_range, r_range = profile.alpha_range(model), profile.resolution_range(model)
    assert a_range is not None and r_range is not None
    a_out = np.array([not a_range[0] <= a <= a_range[1] for a in alphas])
    r_out = np.array(
        [
            not all(r_range[0] <= side <= r_range[1] for side in resolution_hw(r))
            for r in resolutions
        ]
    )
    outside = a_out[:, None] | r_out[None, :]
    cautions: tuple[str, ...] = ()
    if outside.any():
        cautions = (
            f"{int(outside.sum()):,} of the {outside.size:,} configurations lie "
            f"outside what {profile.name} was fitted on for {model} (alpha "
            f"{multiplier_text(a_range[0])} to {multiplier_text(a_range[1])}, "
            f"{r_range[0]} to {r_range[1]} pixels): there the latency is "
            "extrapolated",
        )
    return cautions, outside


def _accuracy(
    model: str | None,
    arch: Model,
    classes: int,
    conventions: Conventions,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    extrapolate: bool,
    own: AccuracyModel | PublishedOnly | None = None,
) -> tuple[AccuracyGrid | None, str, str]:
    """The top-1 grid, why there is none, and a caution on it (a top-1 of float32
    checkpoints for an int8 model)."""
    from mncost.analysis.accuracy import (
        no_model_reason,
        precision_caution,
        precision_of,
        top1_source,
    )

    if any(isinstance(r, tuple) for r in resolutions):
        return (
            None,
            (
                "no top-1 estimates at a non-square input (HxW): the accuracy models are "
                "fitted to square checkpoints, at one side R"
            ),
            "",
        )
    if own is not None:  # your points: of your model as you trained it
        grid = own.estimate_grid(
            [float(a) for a in alphas], list(resolutions), extrapolate=extrapolate
        )
        return grid, "", ""
    if model is None:
        return (
            None,
            (
                "no top-1 estimates for an architecture from a spec file: they come "
                "from a model's released checkpoints"
            ),
            "",
        )
    if classes != arch.classes or conventions.rounding is not None:
        return (
            None,
            (
                f"no top-1 estimates: they describe {model} as released "
                f"({arch.classes:,} classes, its own channel rounding), and "
                "--classes or --rounding change the network"
            ),
            "",
        )
    fitted = top1_source(model, precision_of(conventions.dtype))
    if fitted is None:
        return None, f"no top-1 estimates for {model}: {no_model_reason(model)}", ""
    grid = fitted.estimate_grid(
        [float(a) for a in alphas], list(resolutions), extrapolate=extrapolate
    )
    return grid, "", precision_caution(model, fitted, conventions.dtype)


def explore_grid(
    arch: Model,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    *,
    metrics: Iterable[str] | None = None,
    execution: Execution | None = None,
    profile: LatencyProfile | None = None,
    model: str | None = None,
    extrapolate: bool = False,
    top1: AccuracyModel | PublishedOnly | None = None,
    progress: Progress | None = None,
) -> ExploreGrid:
    """``arch``'s figures at every (alpha, resolution).

    ``metrics`` names the columns (:func:`explorer_metrics`; default
    :data:`DEFAULT_METRICS`, plus latency_ms with a ``profile`` and top1 when the model
    has an accuracy model). ``model`` is ``arch``'s registered name (None: a spec
    file's); top-1 estimates need it, unless ``top1`` gives your own (fitted to your
    checkpoints, :mod:`mncost.analysis.accuracy_points`), which replaces the published.
    ``conventions.dtype`` sizes the byte counts; the
    latency's bytes follow the profile's own dtype. ExploreError for an unknown metric,
    a column that cannot be given (latency_ms without a profile, top1 without an
    accuracy model) or a grid out of bounds; ScalingError when a configuration cannot
    be counted.
    """
    from mncost.cost.sweep import grid

    alphas, resolutions = tuple(alphas), tuple(resolutions)
    check_grid_size(len(alphas), len(resolutions))
    if conventions.dtype not in DTYPE_BYTES:
        raise ExploreError(f"dtype must be one of {', '.join(DTYPE_BYTES)}")
    if execution is None:
        execution = Execution(dtype=conventions.dtype)
    conventions = execution.conventions(conventions)
    asked = metrics is not None
    chosen = (
        list(_check_metrics(metrics))
        if metrics is not None
        else [*DEFAULT_METRICS, LATENCY, ACCURACY]
    )
    if LATENCY in chosen and profile is None:
        if asked:
            raise ExploreError(
                "latency_ms needs a device profile (--device pixel1-cpu, or "
                "a profile file made by `mncost calibrate`)"
            )
        chosen.remove(LATENCY)
    n_classes = arch.classes if classes is None else classes
    family = None
    if model is not None:
        from mncost.arch.registry import get_entry

        family = get_entry(model).family
    accuracy, reason, accuracy_caution = (None, "", "")
    if ACCURACY in chosen:
        if progress is not None:
            progress("estimating top-1", 0, 1)
        accuracy, reason, accuracy_caution = _accuracy(
            model, arch, n_classes, conventions, alphas, resolutions, extrapolate, top1
        )
        if accuracy is None:
            if asked:
                raise ExploreError(f"top1: {reason}")
            chosen.remove(ACCURACY)
    counted = [m for m in chosen if m not in ESTIMATES]

    def step(phase: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(phase, done, total)

    counts = (
        grid(arch, alphas, resolutions, classes, conventions, counted, step("counting"), execution)
        if counted
        else {}
    )
    latency = outside = None
    estimate: numpy.ndarray | None = None
    measured: numpy.ndarray | None = None
    cautions: tuple[str, ...] = ()
    if profile is not None and LATENCY in chosen:
        from mncost.analysis.latency import latency_grid

        latency = latency_grid(
            profile,
            arch,
            alphas,
            resolutions,
            classes,
            conventions.rounding,
            step("estimating latency"),
        )
        cautions, outside = _latency_cautions(
            profile, model, family, alphas, resolutions, conventions.dtype
        )
        estimate = latency
        if classes is None and conventions.rounding is None:
            latency, measured = _measured_first(
                profile, model, alphas, resolutions, conventions.dtype, latency
            )
            if measured.all():  # every latency measured: only the estimates' own caution
                cautions = tuple(c for c in cautions if c == profile.poor_fit_caution)
    return ExploreGrid(
        model=arch.name,
        registered=model,
        family=family,
        alphas=alphas,
        resolutions=resolutions,
        classes=n_classes,
        conventions=conventions,
        execution=execution,
        metrics=tuple(chosen),
        counts=counts,
        latency=latency,
        latency_estimate=estimate,
        latency_measured=measured,
        profile=profile if LATENCY in chosen else None,
        latency_cautions=cautions,
        latency_outside=outside,
        accuracy=accuracy,
        accuracy_reason=reason,
        accuracy_caution=accuracy_caution,
        extrapolate=extrapolate,
        checkpoints=model_checkpoints(model),
        own_rule=WidthRule(
            arch.width.rule,
            arch.width.divisor,
            arch.width.min_value,
        ),
    )


def _measured_first(
    profile: LatencyProfile,
    model: str | None,
    alphas: Sequence[Fraction],
    resolutions: Sequence[Resolution],
    dtype: str,
    estimate: numpy.ndarray,
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The latency grid with each configuration measured on the device set to its
    measurement, and where those are."""
    import numpy as np

    from mncost.analysis.latency import device_measurements

    measured = np.zeros(estimate.shape, dtype=bool)
    if model is None:
        return estimate, measured
    at_alpha = {a: i for i, a in enumerate(alphas)}
    at_res = {r: j for j, r in enumerate(resolutions)}
    latency = estimate
    for (name, alpha, resolution, kind), m in device_measurements(profile).items():
        i, j = at_alpha.get(alpha), at_res.get(resolution)
        if name != model or kind != dtype or i is None or j is None:
            continue
        if latency is estimate:
            latency = estimate.copy()
        latency[i, j] = m.latency_ms
        measured[i, j] = True
    return latency, measured


def with_dtype(conventions: Conventions, dtype: str) -> Conventions:
    """``conventions`` in ``dtype``; ExploreError for an unknown one."""
    if dtype not in DTYPE_BYTES:
        raise ExploreError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {quote(dtype)}")
    return replace(conventions, dtype=dtype)  # type: ignore[arg-type]
