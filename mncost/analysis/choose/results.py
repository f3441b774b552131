"""The result records: each model's candidate grid (:class:`Searched`), a pick
(:class:`Candidate`), the cheapest configuration on a budget's axis (:class:`Cheapest`),
how one budget alone cuts the grid (:class:`BudgetCheck`), a model ruled out
(:class:`Exclusion`), and the whole answer with its JSON and DataFrame forms
(:class:`ChooseResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.accuracy import float_top1_caution
from mncost.analysis.choose.budgets import OBJECTIVES, Budget, Objective
from mncost.analysis.explore import ExploreGrid, axis_text
from mncost.cost.execution import Execution
from mncost.cost.scaling import Resolution, multiplier_text, resolution_json, resolution_text

if TYPE_CHECKING:
    import numpy
    import pandas

    from mncost.analysis.latency import LatencyProfile
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.memory import PatchTrial


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


def describe_config(model: str, alpha: Fraction, resolution: Resolution) -> str:
    """ "mobilenet-v2 0.75/160", "mine.onnx 0.5/240x320"."""
    return f"{model} {multiplier_text(alpha)}/{resolution_text(resolution)}"
