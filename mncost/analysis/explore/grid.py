"""The grid container: :class:`ExploreGrid` holds one model's figures at every (alpha,
resolution) of a grid (exact counts, the latency with its status, estimate and cautions,
the top-1 with its statuses, the checkpoints to mark) and gives them as arrays, flat
columns, a DataFrame, summaries and each column's :class:`Extent`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.explore.axes import axis_text
from mncost.analysis.explore.checkpoints import Checkpoint
from mncost.analysis.explore.columns import ACCURACY, LATENCY, LATENCY_ESTIMATE, LATENCY_STATUS
from mncost.arch.width import WidthRule
from mncost.cost.conventions import Conventions
from mncost.cost.execution import Execution
from mncost.cost.scaling import Resolution
from mncost.cost.sweep import resolution_column

if TYPE_CHECKING:
    import numpy
    import pandas

    from mncost.analysis.accuracy import AccuracyGrid
    from mncost.analysis.latency import LatencyProfile


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

        # lazy: only when top-1 is asked for
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
