"""Searching patch schedules: which split point and patch grid give the lowest peak.

MCUNetV2 (Lin et al. 2021, arXiv:2110.15352) picks the split and the grid of its
patch-based inference by search. :func:`search_patches` tries every split point (each
block's end) and every square grid from 2x2 to 8x8, or the one split or grid the user
fixed, counts each schedule's peak and recomputation exactly
(:func:`mncost.cost.memory.patch_trials`), and picks the lowest peak, optionally among
the schedules whose extra MACs stay within a cap (a share of the network's MACs). On a
tie it takes the fewest extra MACs, then the fewest patches, then the earliest split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.cost.execution import Execution, ExecutionError
from mncost.cost.memory import patch_trials

if TYPE_CHECKING:
    from mncost.analysis.latency import LatencyEstimate
    from mncost.cost.conventions import Conventions
    from mncost.cost.memory import PatchTrial, PatchTrials
    from mncost.cost.model import Model
    from mncost.cost.scaling import Resolution

__all__ = ["PatchSearch", "ScheduleSearch", "as_search", "recomputation_ms", "search_patches"]


@dataclass(frozen=True)
class PatchSearch:
    """What to search: the splits and grids to try (None: all), the input's handling,
    and the cap on extra MACs."""

    split: str | None = None
    """The one split to try; None tries every block's end."""
    patches: tuple[int, int] | None = None
    """The one grid to try; None tries 2x2 to 8x8."""
    stream_input: bool = False
    max_overhead: Fraction | None = None
    """The most extra MACs, as a share of the network's (0.1 = 10%); None: no cap."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "split": self.split or "auto",
            "patches": list(self.patches) if self.patches else "auto",
            "stream_input": self.stream_input,
            "max_overhead_percent": None
            if self.max_overhead is None
            else float(self.max_overhead * 100),
        }


def as_search(
    execution: Execution, search: PatchSearch | None
) -> tuple[Execution, PatchSearch | None]:
    """A patch schedule named in full (split and grid) as the search of that one
    schedule, for the commands that search: (the same choices layer by layer, the
    search); anything else is returned as it is."""
    if search is not None or not execution.patched:
        return execution, search
    one = PatchSearch(execution.split, execution.patches, execution.stream_input)
    return execution.layer_by_layer(), one


def _rank(trial: PatchTrial, order: int) -> tuple[int, int, int, int]:
    return (trial.peak.bytes, trial.extra_macs, trial.grid[0] * trial.grid[1], order)


@dataclass(frozen=True)
class ScheduleSearch:
    """Every schedule tried, the pick, and the trade-off between peak and extra MACs."""

    search: PatchSearch
    execution: Execution
    """The pick's execution (the patch schedule at the best split and grid)."""
    tried: PatchTrials
    best: PatchTrial
    frontier: tuple[PatchTrial, ...]
    """The schedules no other beats on both the peak and the extra MACs, by peak."""

    @property
    def trials(self) -> tuple[PatchTrial, ...]:
        return self.tried.trials

    @property
    def layer_peak(self) -> int:
        """The peak of the same choices layer by layer, in bytes."""
        return self.tried.layer_peak.bytes

    def eligible(self, trial: PatchTrial) -> bool:
        """Whether ``trial``'s extra MACs are within the cap."""
        cap = self.search.max_overhead
        return cap is None or trial.overhead <= cap

    def to_dict(self) -> dict[str, Any]:
        """Plain data (bytes and MACs as ints) in the documented JSON layout."""
        on_front = {id(t) for t in self.frontier}

        def row(t: PatchTrial) -> dict[str, Any]:
            return {
                "split": t.block,
                "split_op": t.split,
                "patches": list(t.grid),
                "peak_activation_bytes": t.peak.bytes,
                "peak_layer": t.peak.layer,
                "peak_part": t.peak.part,
                "stage_peak_bytes": t.stage_peak.bytes,
                "rest_peak_bytes": t.rest_peak.bytes,
                "extra_mult_adds": t.extra_macs,
                "extra_percent_of_network": float(t.overhead * 100),
                "within_cap": self.eligible(t),
                "on_frontier": id(t) in on_front,
                "chosen": t is self.best,
            }

        return {
            "search": self.search.as_dict(),
            "execution": self.execution.as_dict(),
            "layer_by_layer_peak_bytes": self.layer_peak,
            "network_mult_adds": self.best.network_macs,
            "chosen": row(self.best),
            "trials": [row(t) for t in self.trials],
            "skipped": [{"split": s, "reason": r} for s, r in self.tried.skipped],
        }


def _frontier(trials: tuple[PatchTrial, ...]) -> tuple[PatchTrial, ...]:
    # By peak, then extra MACs: a trial is on the front when it has fewer extra MACs
    # than every trial with a lower (or equal, earlier) peak.
    ordered = sorted(range(len(trials)), key=lambda i: _rank(trials[i], i))
    front: list[PatchTrial] = []
    for i in ordered:
        t = trials[i]
        if not front or t.extra_macs < front[-1].extra_macs:
            front.append(t)
    return tuple(front)


def search_patches(
    arch: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    execution: Execution,
    search: PatchSearch,
    progress: Callable[[int, int], None] | None = None,
) -> ScheduleSearch:
    """Try the patch schedules ``search`` asks for under ``execution``'s other choices
    (dtype, what runs in place) and pick the lowest peak within the cap; ExecutionError
    when none can run or none is within the cap."""
    tried = patch_trials(
        arch,
        alpha,
        resolution,
        classes,
        conventions,
        execution.layer_by_layer(),
        None if search.split is None else (search.split,),
        None if search.patches is None else (search.patches,),
        progress,
        stream_input=search.stream_input,
    )
    trials = tried.trials
    if not trials:
        why = "; ".join(f"{s}: {r}" for s, r in tried.skipped[:2])
        raise ExecutionError(f"no patch schedule can run on this network ({why})")
    cap = search.max_overhead
    within = [i for i, t in enumerate(trials) if cap is None or t.overhead <= cap]
    if not within:
        least = min(range(len(trials)), key=lambda i: (trials[i].extra_macs, i))
        t = trials[least]
        raise ExecutionError(
            f"--max-overhead {_percent(cap)}: no schedule tried stays within it; the "
            f"fewest extra MACs are {_percent(t.overhead)} of the network's "
            f"(--split {t.block} --patches {t.grid[0]}x{t.grid[1]})"
        )
    best = trials[min(within, key=lambda i: _rank(trials[i], i))]
    chosen = execution.with_(
        schedule="patch", split=best.block, patches=best.grid, stream_input=search.stream_input
    )
    return ScheduleSearch(search, chosen, tried, best, _frontier(trials))


def _percent(share: Fraction | None) -> str:
    return "none" if share is None else f"{float(share * 100):.1f}%"


def recomputation_ms(
    estimate: LatencyEstimate, split: str, stage_macs: int, extra_macs: int
) -> float:
    """The estimated time of a patch stage's recomputed MACs: the stage's estimated ms
    (its ops up to ``split``, layer by layer) per MAC, times ``extra_macs``. An estimate
    built on an estimate: the profile was fitted layer by layer, and patches of the
    same op run at about its per-MAC speed."""
    if not stage_macs:
        return 0.0
    names = [op.name for op in estimate.layers]
    end = names.index(split) if split in names else len(names) - 1
    stage_ms = sum(op.ms for op in estimate.layers[: end + 1])
    return stage_ms * extra_macs / stage_macs
