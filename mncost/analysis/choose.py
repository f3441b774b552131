"""Which model should I ship? The best (model, alpha, R) under a set of budgets.

:func:`choose` searches a stated candidate grid of every model of a family that has an
accuracy model (:mod:`mncost.analysis.accuracy`), keeps the configurations that meet
every budget, and ranks them by estimated top-1, highest first (ties: fewer mult-adds,
then the model, alpha and resolution in order). The candidate grid defaults to each
model's published range: its released checkpoints' smallest to largest alpha in steps
of 0.05 and smallest to largest resolution in steps of 16 pixels.

Budgets bound the figures of :mod:`mncost.analysis.explore`: mult-adds and params
(exact counts), weight bytes and peak activation bytes (exact, in a data type; the peak
with or without in-place depthwise convs) and the estimated latency on a device. A
configuration meets a budget when its figure is at most the limit. Limits are read
exactly (:func:`mncost.units.parse_budget`: K, M, G are powers of 1,000; KiB, MiB, GiB
powers of 1,024).

Only a configuration with a top-1 value can be ranked: an extrapolation (outside the
published grid) is withheld unless ``extrapolate``, and the result counts the feasible
configurations withheld that way. For each pick, the *binding* budget is the one it
comes closest to, as a fraction of the limit. When nothing is feasible, the result says
which budgets alone rule out every configuration, and gives the cheapest configuration
on each budget's axis.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from mncost.analysis.explore import (
    ACCURACY,
    LATENCY,
    ExploreError,
    ExploreGrid,
    Progress,
    axis_text,
    check_grid_size,
    explore_grid,
    resolution_order,
)
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import (
    Resolution,
    multiplier_text,
    resolution_from_rho,
    resolution_hw,
    resolution_json,
    resolution_text,
)
from mncost.text import quote, shorten
from mncost.units import Quantity, UnitError, parse_budget

if TYPE_CHECKING:
    import numpy
    import pandas

    from mncost.analysis.accuracy import AccuracyModel, PublishedOnly
    from mncost.analysis.accuracy_points import OwnPoints, UserPoint
    from mncost.analysis.latency import LatencyProfile
    from mncost.analysis.scenario import ModelRef
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.memory import PatchTrial
    from mncost.cost.model import Model

__all__ = [
    "BUDGETS",
    "RESERVES",
    "apply_reserves",
    "budget_masks",
    "BudgetKind",
    "Budget",
    "BudgetCheck",
    "Candidate",
    "ChooseResult",
    "Cheapest",
    "DEFAULT_ALPHAS",
    "Exclusion",
    "MAX_MARGIN",
    "DEFAULT_ALPHA_STEP",
    "DEFAULT_RESOLUTION_STEP",
    "OBJECTIVES",
    "Objective",
    "parse_margin",
    "Searched",
    "choose",
    "choose_families",
    "describe_config",
    "default_axes",
    "family_models",
    "parse_budgets",
]

DEFAULT_ALPHA_STEP = Fraction(1, 20)
"""The default candidate grid's alpha step: 0.05."""
DEFAULT_RESOLUTION_STEP = 16
"""The default candidate grid's resolution step, in pixels."""


@dataclass(frozen=True)
class BudgetKind:
    """A figure a budget can bound."""

    metric: str
    """The explorer's column (mult_adds, params, weight_bytes, peak_activation_bytes,
    latency_ms)."""
    option: str
    """The command line's option and the Python keyword (max_macs, ...)."""
    quantity: Quantity
    """How its limit is read: a count, bytes or ms."""
    label: str
    """Its name in a table: "MACs", "Peak activation bytes"."""
    short: str
    """A short name, for a narrow column: "MACs", "peak"."""


BUDGETS: tuple[BudgetKind, ...] = (
    BudgetKind("mult_adds", "max_macs", "count", "MACs", "MACs"),
    BudgetKind("params", "max_params", "count", "Params", "params"),
    BudgetKind("weight_bytes", "max_weight_bytes", "bytes", "Weight bytes", "weights"),
    BudgetKind(PEAK_ACTIVATION, "max_peak_bytes", "bytes", "Peak activation bytes", "peak"),
    BudgetKind(LATENCY, "max_latency_ms", "ms", "Latency ms", "latency"),
)
"""Every kind of budget, in the order they are shown."""
_BY_OPTION = {kind.option: kind for kind in BUDGETS}


@dataclass(frozen=True)
class Budget:
    """One limit: a figure must be at most ``limit``."""

    kind: BudgetKind
    limit: Fraction
    """Exact, in counts, bytes or ms."""
    text: str
    """As given ("300M", "4MiB")."""
    reserved: Fraction = Fraction(0)
    """Kept back from the given limit (flash for the runtime and the rest of the
    firmware; SRAM for the runtime's own arena): ``limit`` is what is left."""
    reserved_text: str = ""

    @property
    def metric(self) -> str:
        return self.kind.metric

    @property
    def shown(self) -> str:
        """The limit as given, and what was kept back from it: "2MB less 512KiB"."""
        return f"{self.text} less {self.reserved_text}" if self.reserved else self.text


RESERVES = {"reserve_bytes": "max_weight_bytes", "reserve_sram_bytes": "max_peak_bytes"}
"""A reserve's option -> the budget it is kept back from."""


def apply_reserves(
    budgets: Sequence[Budget],
    reserves: Mapping[str, Any],
    spelled: Literal["option", "argument"] = "option",
) -> tuple[Budget, ...]:
    """``budgets`` with ``reserves`` (:data:`RESERVES`: ``reserve_bytes`` of flash for
    the runtime and the rest of the firmware, ``reserve_sram_bytes`` for the runtime's
    own arena; None skipped) kept back from the budgets they belong to; ExploreError for
    a reserve without its budget, or one that leaves nothing."""
    from dataclasses import replace

    out = list(budgets)
    for option, target in RESERVES.items():
        value = reserves.get(option)
        if value is None:
            continue

        def named(o: str) -> str:
            return "--" + o.replace("_", "-") if spelled == "option" else o

        if isinstance(value, bool) or not isinstance(value, (str, numbers.Number)):
            raise TypeError(f"{option} must be a number or text such as '512KiB'")
        text = str(value).strip()
        try:
            amount = parse_budget(text, "bytes", named(option))
        except UnitError as exc:
            raise ExploreError(str(exc)) from None
        k = next((n for n, b in enumerate(out) if b.kind.option == target), None)
        if k is None:
            raise ExploreError(
                f"{named(option)} is kept back from {named(target)}: give {named(target)} too"
            )
        b = out[k]
        if amount >= b.limit:
            raise ExploreError(
                f"{named(option)} {quote(text)} leaves nothing of {named(target)} {quote(b.text)}"
            )
        out[k] = replace(b, limit=b.limit - amount, reserved=amount, reserved_text=text)
    return tuple(out)


_BUDGET_EXAMPLE = {"count": "'300M'", "bytes": "'512KiB'", "ms": "30"}


def parse_budgets(
    values: Mapping[str, Any], spelled: Literal["option", "argument"] = "option"
) -> tuple[Budget, ...]:
    """Budgets from ``{option: value}`` (``max_macs="300M"``, ``max_params=3e6``; None
    skipped), in :data:`BUDGETS` order; ExploreError for an unknown option or a value
    that cannot be read, naming it as the command line does (``spelled="option"``:
    max-peak-bytes) or as the Python API does (``"argument"``: max_peak_bytes).
    A value that is no number nor text is a TypeError."""
    unknown = [k for k in values if k not in _BY_OPTION]
    if unknown:
        raise ExploreError(f"unknown budget {quote(unknown[0])}; budgets: {', '.join(_BY_OPTION)}")
    budgets = []
    for kind in BUDGETS:
        value = values.get(kind.option)
        if value is None:
            continue
        name = kind.option.replace("_", "-") if spelled == "option" else kind.option
        if isinstance(value, bool) or not isinstance(value, (str, numbers.Number)):
            raise TypeError(
                f"{kind.option} must be a number or text such as "
                f"{_BUDGET_EXAMPLE[kind.quantity]}, got a {type(value).__name__}"
            )
        if isinstance(value, numbers.Real) and not math.isfinite(float(value)):
            raise ExploreError(f"{name} must be a finite number, got {float(value)!r}")
        text = (
            value
            if isinstance(value, str)
            else float.__repr__(value)  # numpy.float64 too: its digits, not its repr
            if isinstance(value, float)
            else str(int(value))
            if isinstance(value, numbers.Integral)
            else str(value)
        )
        try:
            limit = parse_budget(text, kind.quantity, name)
        except UnitError as exc:
            raise ExploreError(str(exc)) from None
        budgets.append(Budget(kind, limit, text.strip()))
    return tuple(budgets)


# --- objectives ------------------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """What the picks are ranked by."""

    name: str
    """As --objective takes it: top1, macs, latency, params, peak, weights."""
    metric: str
    """The explorer's column it reads."""
    best: Literal["max", "min"]
    words: str
    """How a title says it: "Picks, {words} first"."""


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("top1", ACCURACY, "max", "best estimated top-1"),
        Objective("macs", "mult_adds", "max", "most MACs"),
        Objective("latency", LATENCY, "min", "lowest latency"),
        Objective("params", "params", "min", "fewest params"),
        Objective("peak", PEAK_ACTIVATION, "min", "lowest peak activation memory"),
        Objective("weights", "weight_bytes", "min", "fewest weight bytes"),
    )
}
"""Every --objective: top-1 (the default), or a figure to maximise or minimise when a
model has no top-1 (the most MACs within the budgets is the usual stand-in for accuracy
within one family)."""

DEFAULT_ALPHAS = tuple(Fraction(k, 20) for k in range(5, 21))
"""A model without released checkpoints is searched at alpha 0.25 to 1 in steps of 0.05."""


# --- families and their grids -------------------------------------------------------------


def family_models() -> dict[str, tuple[str, ...]]:
    """Each family with published checkpoints, mapped to its registered models that have
    a top-1 source (a fitted surface, or the released checkpoints it counts:
    :func:`mncost.analysis.accuracy.top1_source`), in registry order (mobilenet_v1:
    mobilenet-v1; mobilenet_v3: the Large, Small, -slim and minimalistic models)."""
    from mncost.analysis.accuracy import top1_source
    from mncost.arch.registry import list_models

    families: dict[str, list[str]] = {}
    for entry in list_models():
        if top1_source(entry.name) is not None:
            families.setdefault(entry.family, []).append(entry.name)
    return {family: tuple(models) for family, models in families.items()}


def choose_families() -> tuple[str, ...]:
    """What ``family`` may be: each family with published checkpoints, then "all"."""
    return (*family_models(), "all")


def _models(family: str) -> tuple[str, ...]:
    key = family.strip().lower().replace("-", "_")
    families = family_models()
    if key == "all":
        return tuple(m for models in families.values() for m in models)
    if key not in families:
        raise ExploreError(
            f"unknown family {quote(family)}; choose from "
            f"{', '.join(f.replace('_', '-') for f in families)} or all "
            "(families with published checkpoints to estimate top-1 from)"
        )
    return families[key]


def default_axes(model: str) -> tuple[tuple[Fraction, ...], tuple[int, ...]]:
    """The model's published range: its checkpoints' alphas, smallest to largest in steps
    of 0.05, and resolutions, smallest to largest in steps of 16 (each end included)."""
    from mncost.analysis.accuracy import top1_source

    fitted = top1_source(model)
    if fitted is None:
        raise ExploreError(f"{model} has no published checkpoints")
    return _range_of(fitted)


def _range_of(
    fitted: AccuracyModel | PublishedOnly,
) -> tuple[tuple[Fraction, ...], tuple[int, ...]]:
    from mncost.analysis.accuracy import PublishedOnly

    alphas = [o.alpha for o in fitted.observations]
    sizes = [o.resolution for o in fitted.observations]
    if isinstance(fitted, PublishedOnly):  # nothing between its checkpoints: those alone
        return tuple(sorted(set(alphas))), tuple(sorted(set(sizes)))
    lo, hi = min(alphas), max(alphas)
    a = sorted(
        {lo + k * DEFAULT_ALPHA_STEP for k in range(int((hi - lo) / DEFAULT_ALPHA_STEP) + 1)} | {hi}
    )
    r_lo, r_hi = min(sizes), max(sizes)
    r = sorted(set(range(r_lo, r_hi + 1, DEFAULT_RESOLUTION_STEP)) | {r_hi})
    return tuple(a), tuple(r)


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Searched:
    """One model's candidate grid."""

    model: str
    """The model as outputs name it: a built-in name, or a file's label."""
    alphas: tuple[Fraction, ...]
    resolutions: tuple[Resolution, ...]
    default: bool
    """Whether this is the model's published range (no --alpha / --res given)."""
    grid_note: str = ""
    """Why this grid, where it is not the published range nor the one asked for."""

    def describe(self) -> str:
        """ "mobilenet-v2: alpha 0.35 to 1.4 in steps of 0.05 (22 values) x resolution 96
        to 224 in steps of 16 (9 values), 198 configurations"."""
        n = len(self.alphas) * len(self.resolutions)
        return (
            f"{self.model}: alpha {axis_text(self.alphas)} x resolution "
            f"{axis_text(self.resolutions)}, {n:,} configuration{'s' if n != 1 else ''}"
        )


@dataclass(frozen=True)
class Candidate:
    """A configuration that meets every budget, with its figures and its estimate."""

    rank: int
    """1 for the best."""
    model: str
    alpha: Fraction
    resolution: Resolution
    top1: float | None
    """Estimated (or, when measured, published) top-1 in percent; None: the model has no
    top-1 (ranked by another objective)."""
    status: str
    """measured, interpolated or extrapolated (only with ``extrapolate``); "" without a
    top-1."""
    loo_mae: float | None
    """The accuracy model's leave-one-out mean absolute error, top-1 points (None: top-1
    only at released checkpoints, no estimate to be wrong)."""
    loo_max: float | None
    source: str
    """Document and row of the published figure, for a measured point."""
    figures: dict[str, int | float]
    """Every figure searched on: mult_adds, params, weight_bytes,
    peak_activation_bytes (exact ints), latency_ms (float) when a device was given."""
    fractions: dict[str, float]
    """Each budget's figure as a fraction of its limit (1.0: exactly at the limit)."""
    binding: str | None
    """The budget (its metric) closest to its limit; None when there are no budgets."""
    latency_extrapolated: bool = False
    """Whether the latency estimate lies outside what the profile was fitted on."""
    latency_measured: bool = False
    """Whether figures' latency_ms is a measurement on the device (it then decides the
    budget; the estimate is latency_estimate_ms)."""
    latency_estimate_ms: float | None = None
    """The device profile's estimate (None: no device)."""
    released: bool | None = None
    """Whether a published checkpoint has this configuration, so its weights can be
    downloaded (True), or it would have to be trained (False); None: a model without
    released checkpoints to tell (a file, or a built-in without any)."""
    at_limit: bool = False
    """Whether its latency is an estimate within the profile's leave-one-out mean error
    of the latency budget (the device may well exceed it)."""
    own_top1: bool = False
    """Whether its top-1 comes from your points (``--accuracy``), not published ones."""
    tie: bool = False
    """Whether its top-1 lies within the accuracy estimate's leave-one-out mean error of
    the best pick's (objective top1, rank 2 and on): the two cannot be told apart."""
    schedule: PatchTrial | None = None
    """The patch schedule it needs to meet the peak budget (None: layer by layer). Its
    peak_activation_bytes figure is then the schedule's, and its latency includes the
    recomputed MACs."""
    extra_latency_ms: float | None = None
    """The latency of the recomputed MACs included in its latency (None: none)."""

    @property
    def schedule_text(self) -> str:
        """ "layer by layer" or "patch block_4 4x4"."""
        t = self.schedule
        return "layer by layer" if t is None else f"patch {t.block} {t.grid[0]}x{t.grid[1]}"

    @property
    def binding_fraction(self) -> float | None:
        return self.fractions[self.binding] if self.binding is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "model": self.model,
            "alpha": float(self.alpha),
            "resolution": resolution_json(self.resolution),
            "top1": self.top1,
            "top1_status": self.status,
            "top1_loo_mae": self.loo_mae,
            "top1_loo_max": self.loo_max,
            "top1_source": self.source,
            **self.figures,
            "binding": self.binding,
            "binding_fraction": self.binding_fraction,
            "budget_fractions": dict(self.fractions),
            "latency_extrapolated": self.latency_extrapolated,
            "latency_status": (
                None
                if self.latency_estimate_ms is None
                else "measured"
                if self.latency_measured
                else "estimated"
            ),
            "latency_estimate_ms": self.latency_estimate_ms,
            "latency_at_limit": self.at_limit,
            "top1_tie": self.tie,
            "released_weights": self.released,
            "top1_yours": self.own_top1,
            "schedule": None
            if self.schedule is None
            else {
                "split": self.schedule.block,
                "patches": list(self.schedule.grid),
                "extra_mult_adds": self.schedule.extra_macs,
                "extra_percent_of_network": float(self.schedule.overhead * 100),
                "peak_part": self.schedule.peak.part,
                "extra_latency_ms": self.extra_latency_ms,
            },
        }


@dataclass(frozen=True)
class Cheapest:
    """The configuration with the smallest figure on one budget's axis."""

    model: str
    alpha: Fraction
    resolution: Resolution
    value: int | float


@dataclass(frozen=True)
class BudgetCheck:
    """How one budget alone cuts the candidate grid."""

    budget: Budget
    meeting: int
    """Configurations that meet this budget (ignoring the others)."""
    cheapest: Cheapest
    """The configuration with the smallest figure on this budget's axis."""

    @property
    def rules_out_all(self) -> bool:
        return self.meeting == 0


@dataclass(frozen=True)
class Exclusion:
    """A model searched with no configuration that meets every budget, and why."""

    model: str
    alone: tuple[tuple[Budget, Cheapest], ...]
    """Each budget that alone rules the model out, with the model's own cheapest
    configuration on its axis (over the limit)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "ruled_out_by": [
                {
                    "metric": budget.metric,
                    "limit": _number(budget.limit),
                    "cheapest": {
                        "alpha": float(c.alpha),
                        "resolution": resolution_json(c.resolution),
                        "value": c.value,
                    },
                    "over_by": float(Fraction(c.value) / budget.limit) if budget.limit else None,
                }
                for budget, c in self.alone
            ],
        }


def _number(value: Fraction) -> int | float:
    """A limit in JSON: an int when whole (bytes, counts), else a float."""
    return int(value) if value.denominator == 1 else float(value)


MAX_MARGIN = Fraction(9, 10)
"""--margin is a share below 90%: a larger one would leave no estimate under a budget."""


def parse_margin(value: object, what: str = "margin") -> Fraction:
    """A margin in percent ("10", "10%", 10, 2.5; None: 0) as an exact share of the
    limit, from 0 to below :data:`MAX_MARGIN`; ExploreError otherwise."""
    if value is None:
        return Fraction(0)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Fraction)):
        raise ExploreError(f"{what} must be a percentage such as 10 or '10%'")
    text = str(value).strip().removesuffix("%").strip()
    try:
        if len(text) > 32 or not text.isascii() or "_" in text:
            raise ValueError
        number = Decimal(text) if "/" not in text else Decimal(0)
        if not number.is_finite():
            raise ValueError
        # 1e999999999 is a finite Decimal whose exact Fraction would take ages to build
        share = Fraction(text) / 100 if abs(number.adjusted()) <= 6 else Fraction(100)
    except (ValueError, ArithmeticError):
        raise ExploreError(
            f"{what}: cannot read {quote(str(value))} as a percentage (e.g. 10 or 10%)"
        ) from None
    if not 0 <= share < MAX_MARGIN:
        raise ExploreError(
            f"{what} must be from 0 to below {float(MAX_MARGIN) * 100:.0f} percent, "
            f"got {quote(str(value))}"
        )
    return share


@dataclass(frozen=True, eq=False)
class ChooseResult:
    """The picks, the grid they were chosen from, and why when there are none."""

    family: str
    searched: tuple[Searched, ...]
    budgets: tuple[Budget, ...]
    execution: Execution
    """How the candidates run (dtype, what runs in place): their peaks' reckoning."""
    profile: LatencyProfile | None
    extrapolate: bool
    top: int
    candidates: tuple[Candidate, ...]
    checks: tuple[BudgetCheck, ...]
    """One per budget, in order."""
    n_configs: int
    n_feasible: int
    """Configurations that meet every budget."""
    n_withheld: int
    """Of those, how many have no top-1 value (extrapolations withheld): not ranked."""
    grids: tuple[ExploreGrid, ...] = field(repr=False)
    feasible: tuple[numpy.ndarray, ...] = field(repr=False)
    """Per grid: True where every budget is met."""
    meets: tuple[tuple[numpy.ndarray, ...], ...] = field(default=(), repr=False)
    """Per grid, per budget (in order): True where that budget alone is met (the margin
    applied), for drawing each budget's boundary."""
    latency_cautions: tuple[str, ...] = ()
    objective: Objective = field(default_factory=lambda: OBJECTIVES["top1"])
    unranked: tuple[str, ...] = ()
    """Models searched but not ranked: no top-1 to rank them by (objective top1)."""
    other_tasks: tuple[str, ...] = ()
    """Per searched detection or segmentation model, why it has no top-1 (its published
    accuracy, if any, is COCO mAP or mIoU, never shown or ranked as one)."""
    n_unranked: int = 0
    """Feasible configurations of those models."""
    excluded: tuple[Exclusion, ...] = ()
    """The searched models with no configuration meeting every budget."""
    margin: Fraction = Fraction(0)
    """The share by which a latency estimate must sit below its budget (0 to 0.9)."""
    own_reasons: dict[str, str] = field(default_factory=dict)
    """Per model with your own accuracy points that fit no surface: why."""
    schedules: PatchSearch | None = None
    """The patch schedules searched where layer-by-layer execution exceeds the peak
    budget (None: layer by layer only)."""
    layer_candidates: tuple[Candidate, ...] = ()
    """With ``schedules``: the best picks had every configuration run layer by layer,
    for the side-by-side."""
    n_layer_feasible: int = 0
    """With ``schedules``: how many configurations meet every budget layer by layer."""
    n_patched: int = 0
    """With ``schedules``: how many configurations meet the peak budget only patch by patch."""

    @property
    def dtype(self) -> str:
        """float32, float16 or int8."""
        return self.execution.dtype

    @property
    def dw_inplace(self) -> bool:
        """Whether depthwise convs run in place."""
        return self.execution.dw_inplace

    @property
    def n_ranked(self) -> int:
        """Feasible configurations with a value of the objective: what was ranked."""
        return self.n_feasible - self.n_withheld - self.n_unranked

    @property
    def own_models(self) -> tuple[str, ...]:
        """The searched models whose top-1 comes from your --accuracy points."""
        return tuple(
            s.model
            for s, g in zip(self.searched, self.grids)
            if g.accuracy is not None and g.accuracy.fitted_on.own
        )

    @property
    def accuracy_cautions(self) -> tuple[str, ...]:
        """Why some top-1 figures are less apt than their status says (float32
        checkpoints' top-1 for an int8 model)."""
        from mncost.analysis.accuracy import float_top1_caution

        models = [s.model for s, g in zip(self.searched, self.grids) if g.accuracy_caution]
        return (float_top1_caution(models),) if models else ()

    @property
    def ruling_out(self) -> tuple[BudgetCheck, ...]:
        """The budgets that alone rule out every configuration."""
        return tuple(c for c in self.checks if c.rules_out_all)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the documented JSON layout."""
        return {
            "family": self.family,
            "searched": [
                {
                    "model": s.model,
                    "alphas": [float(a) for a in s.alphas],
                    "resolutions": [resolution_json(r) for r in s.resolutions],
                    "default": s.default,
                    "configurations": len(s.alphas) * len(s.resolutions),
                }
                for s in self.searched
            ],
            "budgets": [
                {
                    "metric": c.budget.metric,
                    "option": c.budget.kind.option,
                    "limit": _number(c.budget.limit),
                    "given": c.budget.text,
                    "reserved": _number(c.budget.reserved),
                    "configurations_meeting": c.meeting,
                    "cheapest": {
                        "model": c.cheapest.model,
                        "alpha": float(c.cheapest.alpha),
                        "resolution": resolution_json(c.cheapest.resolution),
                        "value": c.cheapest.value,
                    },
                }
                for c in self.checks
            ],
            "dtype": self.dtype,
            "dw_inplace": self.dw_inplace,
            "device": self.profile.provenance() if self.profile is not None else None,
            "latency_cautions": list(self.latency_cautions),
            "top1_cautions": list(self.accuracy_cautions),
            "extrapolate": self.extrapolate,
            "configurations": self.n_configs,
            "feasible": self.n_feasible,
            "feasible_withheld": self.n_withheld,
            "objective": self.objective.name,
            "unranked_models": list(self.unranked),
            "no_top1_tasks": list(self.other_tasks),
            "feasible_unranked": self.n_unranked,
            "ruled_out_by": [c.budget.metric for c in self.ruling_out],
            "margin": float(self.margin),
            "models_without_candidates": [e.to_dict() for e in self.excluded],
            "candidates": [c.to_dict() for c in self.candidates],
            "schedules": None
            if self.schedules is None
            else {
                **self.schedules.as_dict(),
                "feasible_layer_by_layer": self.n_layer_feasible,
                "feasible_only_patch_based": self.n_patched,
                "layer_by_layer_candidates": [c.to_dict() for c in self.layer_candidates],
            },
        }

    def to_frame(self) -> pandas.DataFrame:
        """One row per candidate, best first."""
        import pandas as pd

        rows = []
        for c in self.candidates:
            row = c.to_dict()
            row.pop("budget_fractions")
            rows.append(row)
        frame_: pandas.DataFrame = pd.DataFrame(rows)
        return frame_


# --- the search -------------------------------------------------------------------------


def _meets(values: numpy.ndarray, budget: Budget) -> numpy.ndarray:
    import numpy as np

    if values.dtype.kind in "iu":  # exact: an int is <= limit iff <= floor(limit)
        return values <= math.floor(budget.limit)
    return np.asarray(values <= float(budget.limit))


def budget_masks(
    grid: ExploreGrid, budgets: Sequence[Budget], margin: Fraction = Fraction(0)
) -> tuple[numpy.ndarray, ...]:
    """Per budget, where ``grid`` meets it (as :func:`choose` tests it: a measurement or an
    exact count need only not exceed the limit; a latency estimate must sit ``margin``
    below it). ExploreError for a budget on a figure the grid does not have."""
    for b in budgets:
        if not grid.has(b.metric):
            raise ExploreError(
                f"--{b.kind.option.replace('_', '-')} bounds {b.metric}, which this grid "
                "does not have" + (": give --device" if b.metric == LATENCY else "")
            )
    return tuple(_meets_on(grid, b, margin) for b in budgets)


def _meets_on(grid: ExploreGrid, budget: Budget, margin: Fraction) -> numpy.ndarray:
    """Where ``grid`` meets ``budget``: a latency estimate must sit below it by
    ``margin`` (a share of the limit); a measurement, and every exact count, need only
    not exceed it."""
    import numpy as np

    values = grid.array(budget.metric)
    met = _meets(values, budget)
    if budget.metric != LATENCY or not margin:
        return met
    strict = np.asarray(values <= float(budget.limit * (1 - margin)))
    measured = grid.latency_measured
    return strict if measured is None else np.where(measured, met, strict)


def _patch_cells(
    grids: Sequence[ExploreGrid],
    met: Sequence[Sequence[numpy.ndarray]],
    budgets: Sequence[Budget],
    peak_budget: Budget,
    chosen: Sequence[tuple[str, Model, str | None, Any]],
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    schedules: PatchSearch,
    profile: LatencyProfile | None,
    progress: Progress | None,
) -> list[dict[tuple[int, int], tuple[PatchTrial, float]]]:
    """Per grid: the configurations that meet every budget but the peak layer by layer,
    mapped to the patch schedule with the fewest extra MACs that brings their peak
    within it (and the latency of those MACs, ms: the patch stage's estimated ms per MAC
    times its extra MACs; 0 without a device). A configuration whose MACs or latency
    the recomputation then pushes over its budget is left to the budget check."""
    import numpy as np

    from mncost.cost.memory import fitting_schedule

    p = budgets.index(peak_budget)
    todo = []
    for k, (g, per) in enumerate(zip(grids, met)):
        others = np.ones(g.shape, dtype=bool)
        for b, m in enumerate(per):
            if b != p:
                others &= m
        for i, j in zip(*np.nonzero(others & ~per[p])):
            todo.append((k, int(i), int(j)))
    cells: list[dict[tuple[int, int], tuple[PatchTrial, float]]] = [{} for _ in grids]
    limit = math.floor(peak_budget.limit)
    splits = None if schedules.split is None else (schedules.split,)
    grid_sizes = None if schedules.patches is None else (schedules.patches,)
    for n, (k, i, j) in enumerate(todo):
        if progress is not None:
            progress("fitting patch schedules", n, len(todo))
        _, arch, name, _ = chosen[k]
        g = grids[k]
        alpha, resolution = g.alphas[i], g.resolutions[j]
        trial = fitting_schedule(
            arch,
            alpha,
            resolution,
            classes,
            conventions,
            execution,
            limit,
            splits,
            grid_sizes,
            stream_input=schedules.stream_input,
        )
        if trial is None:
            continue
        extra_ms = 0.0
        if profile is not None and trial.stage_macs:
            from mncost.analysis.latency import estimate_latency

            est = estimate_latency(
                arch,
                alpha,
                resolution,
                classes,
                profile,
                model=name,
                rounding=conventions.rounding,
                dtype=execution.dtype,
            )
            from mncost.analysis.schedules import recomputation_ms

            extra_ms = recomputation_ms(est, trial.split, trial.stage_macs, trial.extra_macs)
        cells[k][(i, j)] = (trial, extra_ms)
    if progress is not None and todo:
        progress("fitting patch schedules", len(todo), len(todo))
    return cells


def _patched_met(
    grid: ExploreGrid,
    budget: Budget,
    margin: Fraction,
    base: numpy.ndarray,
    cells: Mapping[tuple[int, int], tuple[PatchTrial, float]],
) -> numpy.ndarray:
    """``base`` (where ``budget`` is met layer by layer) with the patched configurations
    judged on their schedule's figures: its peak, the MACs with the recomputation, the
    latency with the recomputation's (an estimate, so the margin applies)."""
    if not cells:
        return base
    met: numpy.ndarray = base.copy()
    for (i, j), (trial, extra_ms) in cells.items():
        if budget.metric == PEAK_ACTIVATION:
            met[i, j] = trial.peak.bytes <= math.floor(budget.limit)
        elif budget.metric == "mult_adds":
            total = int(grid.counts["mult_adds"][i, j]) + trial.extra_macs
            met[i, j] = total <= math.floor(budget.limit)
        elif budget.metric == LATENCY and grid.latency is not None:
            ms = float(grid.latency[i, j]) + extra_ms
            met[i, j] = ms <= float(budget.limit * (1 - margin))
    return met


def _patched_grid(
    grid: ExploreGrid, cells: Mapping[tuple[int, int], tuple[PatchTrial, float]]
) -> ExploreGrid:
    """``grid`` with the patched configurations' peaks and latencies (recomputation
    included; no longer a measurement), for the picks and the heatmaps."""
    if not cells:
        return grid
    from dataclasses import replace

    peak = grid.counts[PEAK_ACTIVATION].copy()
    latency = None if grid.latency is None else grid.latency.copy()
    estimate = None if grid.latency_estimate is None else grid.latency_estimate.copy()
    measured = None if grid.latency_measured is None else grid.latency_measured.copy()
    for (i, j), (trial, extra_ms) in cells.items():
        peak[i, j] = trial.peak.bytes
        if latency is not None:
            # A measurement is of layer-by-layer execution: the schedule's latency is it
            # (or the estimate) plus the recomputation's estimate, so no longer measured.
            latency[i, j] += extra_ms
        if estimate is not None:
            estimate[i, j] += extra_ms
        if measured is not None:
            measured[i, j] = False
    return replace(
        grid,
        counts={**grid.counts, PEAK_ACTIVATION: peak},
        latency=latency,
        latency_estimate=estimate,
        latency_measured=measured,
    )


def _order(
    grids: Sequence[ExploreGrid],
    masks: Sequence[numpy.ndarray],
    top: int,
    objective: Objective | None = None,
) -> list[tuple[int, int, int]]:
    """(grid, alpha index, resolution index) of the ``top`` best ranked configurations:
    the objective's best first (highest top-1 by default), then fewer mult-adds, then
    grid (model), alpha, resolution. A grid without the objective's column is left out."""
    import numpy as np

    objective = objective or OBJECTIVES["top1"]
    parts = []
    for g, (grid, mask) in enumerate(zip(grids, masks)):
        if not grid.has(objective.metric):
            continue
        values = np.asarray(grid.array(objective.metric), dtype=float)
        flat = np.flatnonzero(mask & ~np.isnan(values))
        score = values.reshape(-1)[flat]
        parts.append(
            (
                np.full(flat.size, g),
                flat,
                score if objective.best == "max" else -score,
                grid.counts["mult_adds"].reshape(-1)[flat],
            )
        )
    if not parts:
        return []
    which = np.concatenate([p[0] for p in parts])
    flat = np.concatenate([p[1] for p in parts])
    value = np.concatenate([p[2] for p in parts])
    macs = np.concatenate([p[3] for p in parts])
    order = np.lexsort((flat, which, macs, -value))[:top]  # the last key sorts first
    return [(int(which[k]), *divmod(int(flat[k]), grids[int(which[k])].shape[1])) for k in order]


def _cheapest(grids: Sequence[ExploreGrid], metric: str, labels: Sequence[str]) -> Cheapest:
    best: tuple[Any, ...] | None = None
    for grid, label in zip(grids, labels):
        values = grid.array(metric)
        i, j = divmod(int(values.argmin()), values.shape[1])
        value = values[i, j]
        r = grid.resolutions[j]
        key = (value, label, grid.alphas[i], resolution_order(r), r)
        if best is None or key[:4] < best[:4]:
            best = key
    assert best is not None
    value, model, alpha, _, resolution = best
    return Cheapest(
        model,
        alpha,
        resolution,
        int(value) if hasattr(value, "dtype") and value.dtype.kind in "iu" else float(value),
    )


def _searched_models(
    family: str | None, models: Sequence[ModelRef]
) -> list[tuple[str, Model, str | None, frozenset[str]]]:
    """(label, architecture, registered name, the names an accuracy CSV may give it) of
    every model to search."""
    from mncost.arch.registry import get_model

    out: list[tuple[str, Model, str | None, frozenset[str]]] = []
    if family is not None:
        out += [(name, get_model(name), name, frozenset({name})) for name in _models(family)]
    from pathlib import Path

    from mncost.arch.registry import list_models

    builtin = {entry.name for entry in list_models()}
    labels = {label for label, _, _, _ in out}
    seen: set[object] = set(labels)
    for ref in models:
        key: object = ref.registered or (ref.path.resolve() if ref.path else id(ref.arch))
        if key in seen:
            continue
        seen.add(key)
        label = ref.registered or ref.arch.name  # a file gets its name only when needed
        if ref.registered is None and (label in builtin or label in labels):
            label = f"{label} ({Path(ref.given).name})"  # a file named as a built-in model
        labels.add(label)
        names = {label, ref.given, Path(ref.given).name} - {""}
        out.append((label, ref.arch, ref.registered, frozenset(names)))
    if not out:
        raise ExploreError("nothing to search: give a family or a model")
    return out


def _own_top1(
    chosen: Sequence[tuple[str, Model, str | None, frozenset[str]]],
    points: Sequence[UserPoint],
    source: str,
    dtype: str,
) -> dict[str, OwnPoints]:
    """Your accuracy points, fitted per searched model (by its label); ExploreError for
    a model they name that is not searched."""
    if not points:
        return {}
    from mncost.analysis.accuracy import precision_of
    from mncost.analysis.accuracy_points import own_sources

    fitted = own_sources(points, source, precision_of(dtype))
    out = {}
    for name, own in fitted.items():
        label = next((lab for lab, _, _, names in chosen if name in names), None)
        if label is None:
            searched = ", ".join(lab for lab, _, _, _ in chosen)
            raise ExploreError(
                f"{source}: its model {quote(name)} is not searched (searched: "
                f"{shorten(searched, 200)}); add it with --model"
            )
        if label in out:
            raise ExploreError(f"{source}: two names for {label}; give it one")
        out[label] = own
    return out


def _axes(
    label: str,
    arch: Model,
    registered: str | None,
    alphas: Sequence[Fraction] | None,
    resolutions: Sequence[Resolution] | None,
    own: OwnPoints | None = None,
) -> Searched:
    """The candidate grid of one model: what was asked for, else the range of your
    points or its published range, else alpha 0.25 to 1 in steps of 0.05 and 96 pixels
    to its own in steps of 16."""
    from mncost.analysis.accuracy import top1_source
    from mncost.cost.model import GraphModel

    note = ""
    default_r: tuple[Resolution, ...]
    if own is not None:
        default_a, default_r = _range_of(own.source)
    elif registered is not None and top1_source(registered) is not None:
        default_a, default_r = default_axes(registered)
    else:
        default_a = DEFAULT_ALPHAS
        size = arch.resolution
        if resolutions is None and size is None:
            raise ExploreError(
                f"{label}: its input is of symbolic size, so it has no default "
                "resolutions to search; give --res"
            )
        side = 224 if size is None else min(resolution_hw(size))
        low = 96 if side >= 96 else max(1, side // 2)
        sides = sorted(set(range(low, side + 1, DEFAULT_RESOLUTION_STEP)) | {side})
        if isinstance(size, tuple):  # the short side so, the aspect kept
            default_r = tuple(
                sorted(
                    {resolution_from_rho(Fraction(s, side), size) for s in sides},
                    key=resolution_order,
                )
            )
            note = (
                f"{label} has no released ImageNet checkpoints: searched at alpha 0.25 "
                f"to 1 in steps of 0.05 and its short side from {low} to {side} pixels in steps "
                f"of 16, keeping its {resolution_text(size)} aspect"
            )
        else:
            default_r = tuple(sides)
            note = (
                f"{label} has no released ImageNet checkpoints: searched at alpha 0.25 "
                f"to 1 in steps of 0.05 and {low} to {side} pixels in steps of 16"
            )
    a = tuple(alphas) if alphas is not None else default_a
    if isinstance(arch, GraphModel) and arch.alpha_blocked:
        if alphas is not None and any(x != 1 for x in alphas):
            raise ExploreError(f"{label}: --alpha cannot scale it: {arch.alpha_blocked}")
        a = (Fraction(1),)
        note = f"{label} is searched at alpha 1 only: {arch.alpha_blocked}"
    r = tuple(resolutions) if resolutions is not None else default_r
    check_grid_size(len(a), len(r))
    return Searched(
        label, a, r, alphas is None and resolutions is None and not note, grid_note=note
    )


@dataclass(frozen=True)
class _Ranking:
    """What every pick is described against: the figures searched, the budgets, the
    device, the objective."""

    metrics: tuple[str, ...]
    budgets: tuple[Budget, ...]
    profile: LatencyProfile | None
    goal: Objective


def _all_met(grid: ExploreGrid, per_budget: Sequence[numpy.ndarray]) -> numpy.ndarray:
    """Where ``grid`` meets every budget (each budget's mask given)."""
    import numpy as np

    mask: numpy.ndarray = np.ones(grid.shape, dtype=bool)
    for m in per_budget:
        mask &= m
    return mask


def _candidate(
    ctx: _Ranking,
    picks: list[Candidate],
    rank: int,
    g: ExploreGrid,
    model: str,
    i: int,
    j: int,
    cell: tuple[PatchTrial, float] | None,
) -> Candidate:
    """The pick at (``i``, ``j``) of grid ``g`` (of ``model``), ``rank``-th, with its
    figures, its binding budget and its flags; ``picks`` are the ones ranked before it
    (the first decides ties), ``cell`` its patch schedule when it needs one."""
    metrics, budgets, profile, goal = ctx.metrics, ctx.budgets, ctx.profile, ctx.goal
    latency_budget = next((b for b in budgets if b.metric == LATENCY), None)
    acc = g.accuracy
    figures: dict[str, int | float] = {m: int(g.counts[m][i, j]) for m in metrics if m in g.counts}
    if g.latency is not None:
        figures[LATENCY] = float(g.latency[i, j])
    run = {**figures}
    if cell is not None:  # the MAC budget counts the recomputed MACs too
        run["mult_adds"] = int(figures["mult_adds"]) + cell[0].extra_macs
    fractions = {
        b.metric: float(Fraction(run[b.metric]) / b.limit) if b.limit else math.inf for b in budgets
    }
    binding = max(fractions, key=lambda m: fractions[m]) if fractions else None
    value = float(acc.value[i, j]) if acc is not None else math.nan
    measured = g.latency_measured is not None and bool(g.latency_measured[i, j])
    at_limit = (
        latency_budget is not None
        and profile is not None
        and not measured
        and bool(
            figures[LATENCY] * (1 + float(profile.loo_mape_percent) / 100)
            > float(latency_budget.limit)
        )
    )
    status = str(acc.status[i, j]) if acc is not None else ""
    error = 0.0 if status == "measured" else (acc.loo_mae or 0.0) if acc is not None else 0.0
    tie = False
    if goal.name == "top1" and picks and not math.isnan(value):
        best = picks[0]
        best_error = 0.0 if best.status == "measured" else best.loo_mae or 0.0
        tie = best.top1 is not None and best.top1 - value <= max(error, best_error)
    return Candidate(
        rank=rank,
        model=model,
        alpha=g.alphas[i],
        resolution=g.resolutions[j],
        top1=None if math.isnan(value) else value,
        status=status,
        loo_mae=acc.loo_mae if acc is not None else None,
        loo_max=acc.loo_max if acc is not None else None,
        source=str(acc.source[i, j]) if acc is not None else "",
        figures=figures,
        fractions=fractions,
        binding=binding,
        latency_extrapolated=bool(g.latency_outside[i, j])
        and not (g.latency_measured is not None and g.latency_measured[i, j])
        if g.latency_outside is not None
        else False,
        latency_measured=bool(g.latency_measured[i, j])
        if g.latency_measured is not None
        else False,
        latency_estimate_ms=float(g.latency_estimate[i, j])
        if g.latency_estimate is not None
        else None,
        released=None if acc is None else status == "measured",
        own_top1=acc is not None and acc.fitted_on.own,
        at_limit=at_limit,
        tie=tie,
        schedule=None if cell is None else cell[0],
        extra_latency_ms=None if cell is None or g.latency is None else cell[1],
    )


def choose(
    family: str | None = "all",
    budgets: Iterable[Budget] = (),
    *,
    models: Sequence[ModelRef] = (),
    objective: str = "top1",
    classes: int | None = None,
    alphas: Sequence[Fraction] | None = None,
    resolutions: Sequence[Resolution] | None = None,
    execution: Execution | None = None,
    profile: LatencyProfile | None = None,
    top: int = 10,
    extrapolate: bool = False,
    margin: Fraction = Fraction(0),
    accuracy_points: Sequence[UserPoint] = (),
    accuracy_source: str = "",
    progress: Progress | None = None,
    schedules: PatchSearch | None = None,
) -> ChooseResult:
    """The ``top`` best configurations of ``family``'s models and of ``models`` (any
    model references) that meet every budget, ranked by ``objective`` (:data:`OBJECTIVES`:
    estimated top-1 by default).

    ``alphas`` and ``resolutions`` replace each model's published range (the same grid
    for every model). ``classes`` sizes every classifier (a built-in model's top-1 is of
    its own 1,000 classes: with other classes it has none). A latency budget or
    objective needs a device ``profile``. ExploreError for an unknown family or
    objective, a latency budget without a device, nothing to rank by, or a grid out of
    bounds.
    """
    budgets = tuple(budgets)
    if not 1 <= top <= 1000:
        raise ExploreError(f"top must be a whole number from 1 to 1,000, got {top}")
    if not 0 <= margin < MAX_MARGIN:
        raise ExploreError(
            f"margin must be a share from 0 to below {float(MAX_MARGIN):.0%}, "
            f"got {float(margin):.4g}"
        )
    if objective not in OBJECTIVES:
        raise ExploreError(
            f"unknown objective {quote(objective)}; choose from {', '.join(OBJECTIVES)}"
        )
    goal = OBJECTIVES[objective]
    if (any(b.metric == LATENCY for b in budgets) or goal.metric == LATENCY) and profile is None:
        raise ExploreError(
            f"a latency {'objective' if goal.metric == LATENCY else 'budget'} needs a device: "
            "give --device (device= in Python): pixel1-cpu, or a profile file made by "
            "`mncost calibrate`"
        )
    if schedules is not None and not any(b.metric == PEAK_ACTIVATION for b in budgets):
        raise ExploreError(
            "patch schedules are searched to meet a peak budget: give --max-peak-bytes "
            "(max_peak_bytes= in Python)"
        )
    execution = execution or Execution()
    dtype = execution.dtype
    conventions = execution.conventions(Conventions())
    chosen = _searched_models(family, models)
    own = _own_top1(chosen, accuracy_points, accuracy_source, dtype)
    searched = [
        _axes(label, arch, name, alphas, resolutions, own.get(label))
        for label, arch, name, _ in chosen
    ]
    if sum(len(s.alphas) * len(s.resolutions) for s in searched) > 2_000_000:
        raise ExploreError(
            "the candidate grids hold more than 2,000,000 configurations "
            "together; use a larger step"
        )
    from mncost.analysis.accuracy import top1_source

    metrics = ["mult_adds", "params", "weight_bytes", PEAK_ACTIVATION]
    if profile is not None:
        metrics.append(LATENCY)

    def columns(arch: Model, name: str | None, label: str, s: Searched) -> list[str]:
        same = classes is None or classes == arch.classes
        has_top1 = label in own or name is not None and same and top1_source(name) is not None
        square = all(isinstance(r, int) for r in s.resolutions)  # top-1 is fitted in R
        return [*metrics, ACCURACY] if has_top1 and square else metrics

    grids = tuple(
        explore_grid(
            arch,
            s.alphas,
            s.resolutions,
            classes,
            conventions,
            metrics=columns(arch, name, label, s),
            execution=execution,
            profile=profile,
            model=name,
            extrapolate=extrapolate,
            top1=own[label].source if label in own else None,
            progress=progress,
        )
        for s, (label, arch, name, _) in zip(searched, chosen)
    )
    unranked = tuple(s.model for s, g in zip(searched, grids) if not g.has(goal.metric))
    # A detector or a segmentation model says what it has instead of a top-1.
    tasks = {
        s.model: other_task(label, name)
        for s, g, (label, _, name, _) in zip(searched, grids, chosen)
        if not g.has(ACCURACY)
    }
    other_tasks = tuple(why for why in tasks.values() if why)
    if (
        len(unranked) == len(grids)
        and goal.metric == ACCURACY
        and all(any(isinstance(r, tuple) for r in s.resolutions) for s in searched)
    ):
        raise ExploreError(
            "no top-1 to rank by at a non-square --res: top-1 estimates are fitted to "
            "square checkpoints; rank by another --objective (macs: the most MACs the "
            "budgets allow, latency, params, peak, weights)"
        )
    if len(unranked) == len(grids):
        rest = [m for m in unranked if not tasks.get(m)]
        whys = [tasks[m] for m in unranked if tasks.get(m)]
        if rest:
            whys.append(
                f"{', '.join(rest)} {'has' if len(rest) == 1 else 'have'} no released "
                "ImageNet checkpoints (or --classes changes the network)"
            )
        raise ExploreError(
            f"no top-1 to rank by: {'; '.join(whys)}; rank by another --objective (macs: "
            "the most MACs the budgets allow, latency, params, peak, weights)"
        )
    import numpy as np

    layer_grids = grids
    met = [[_meets_on(g, budget, margin) for budget in budgets] for g in grids]
    peak_budget = next((b for b in budgets if b.metric == PEAK_ACTIVATION), None)
    cells: list[dict[tuple[int, int], tuple[PatchTrial, float]]] = [{} for _ in grids]
    layer_met = met
    if schedules is not None and peak_budget is not None:
        cells = _patch_cells(
            grids,
            met,
            budgets,
            peak_budget,
            chosen,
            classes,
            conventions,
            execution,
            schedules,
            profile,
            progress,
        )
        met = [
            [_patched_met(g, b, margin, m, c) for b, m in zip(budgets, per)]
            for g, per, c in zip(grids, met, cells)
        ]
        grids = tuple(_patched_grid(g, c) for g, c in zip(grids, cells))
    masks = []
    checks = []
    for b, budget in enumerate(budgets):
        meeting = sum(int(np.count_nonzero(m[b])) for m in met)
        checks.append(
            BudgetCheck(
                budget, meeting, _cheapest(grids, budget.metric, [s.model for s in searched])
            )
        )
    excluded = []
    for s, g, per_budget in zip(searched, grids, met):
        mask = _all_met(g, per_budget)
        masks.append(mask)
        if budgets and not mask.any():
            alone = tuple(
                (budget, _cheapest([g], budget.metric, [s.model]))
                for budget, m in zip(budgets, per_budget)
                if not m.any()
            )
            excluded.append(Exclusion(s.model, alone))
    n_feasible = sum(int(m.sum()) for m in masks)
    n_unranked = sum(int(m.sum()) for g, m in zip(grids, masks) if not g.has(goal.metric))
    n_withheld = sum(
        int(np.count_nonzero(m & np.isnan(np.asarray(g.array(goal.metric), dtype=float))))
        for g, m in zip(grids, masks)
        if g.has(goal.metric)
    )
    ranking = _Ranking(tuple(metrics), budgets, profile, goal)
    picks: list[Candidate] = []
    for rank, (k, i, j) in enumerate(_order(grids, masks, top, goal), start=1):
        cell = cells[k].get((i, j))
        picks.append(_candidate(ranking, picks, rank, grids[k], searched[k].model, i, j, cell))
    layer_picks: list[Candidate] = []
    n_layer = n_feasible
    if schedules is not None:
        layer_masks = [_all_met(g, per) for g, per in zip(layer_grids, layer_met)]
        n_layer = sum(int(m.sum()) for m in layer_masks)
        for rank, (k, i, j) in enumerate(_order(layer_grids, layer_masks, top, goal), start=1):
            layer_picks.append(
                _candidate(
                    ranking, layer_picks, rank, layer_grids[k], searched[k].model, i, j, None
                )
            )
    cautions = tuple(dict.fromkeys(c for g in grids for c in g.latency_cautions))
    return ChooseResult(
        family="" if family is None else family.strip().lower().replace("_", "-"),
        searched=tuple(searched),
        budgets=budgets,
        execution=execution,
        profile=profile,
        extrapolate=extrapolate,
        top=top,
        candidates=tuple(picks),
        checks=tuple(checks),
        n_configs=sum(g.size for g in grids),
        n_feasible=n_feasible,
        n_withheld=n_withheld,
        grids=grids,
        feasible=tuple(masks),
        meets=tuple(tuple(m) for m in met),
        latency_cautions=cautions,
        objective=goal,
        unranked=unranked,
        other_tasks=other_tasks,
        n_unranked=n_unranked,
        excluded=tuple(excluded),
        margin=margin,
        own_reasons={label: o.reason for label, o in own.items() if o.reason},
        schedules=schedules,
        layer_candidates=tuple(layer_picks),
        n_layer_feasible=n_layer,
        n_patched=sum(int(bool(m[i, j])) for m, c in zip(masks, cells) for (i, j) in c),
    )


def other_task(label: str, name: str | None) -> str:
    """Why built-in model ``name`` (searched as ``label``) has no top-1, when it is a
    detection or segmentation model: its published accuracy is another metric (COCO
    mAP, COCO-VOC mIoU), which ranks nothing here; "" for any other model (a spec
    file's model proves nothing by its name)."""
    from mncost.analysis.published import other_accuracy
    from mncost.arch.registry import get_entry
    from mncost.sources.points import DATASETS

    if name is None:
        return ""
    published = other_accuracy(name)
    if published:
        p = published[0]
        return (
            f"{label} is a {p.metric.task} model: its published accuracy is "
            f"{DATASETS[p.dataset]} {p.metric.name} ({p.accuracy}%, {p.tables}; `mncost "
            f"published --dataset {p.dataset}`), not an ImageNet top-1, so it ranks nothing here"
        )
    family = get_entry(name).family
    if family in ("detection", "segmentation"):
        return f"{label} is a {family} model, with no published ImageNet top-1"
    return ""


def describe_config(model: str, alpha: Fraction, resolution: Resolution) -> str:
    """ "mobilenet-v2 0.75/160", "mine.onnx 0.5/240x320"."""
    return f"{model} {multiplier_text(alpha)}/{resolution_text(resolution)}"
