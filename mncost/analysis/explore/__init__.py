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

**The modules.** Each imports only those listed before it:

- :mod:`~mncost.analysis.explore.axes`: the axes read from text, bounded, and said in
  words;
- :mod:`~mncost.analysis.explore.columns`: the columns' names and labels, and which a
  sweep may be asked for;
- :mod:`~mncost.analysis.explore.checkpoints`: a model's released checkpoints, to mark;
- :mod:`~mncost.analysis.explore.grid`: the grid container, :class:`ExploreGrid`;
- :mod:`~mncost.analysis.explore.estimates`: the latency cautions and the top-1 grid;
- :mod:`~mncost.analysis.explore.build`: :func:`explore_grid`, which gathers them all.

This module only re-exports their names: those of ``__all__``, and (as ``X as X``) the
others that other modules import from here.
"""

from __future__ import annotations

from mncost.analysis.explore.axes import (
    MAX_AXIS_TEXT,
    axis_text,
    check_grid_size,
    parse_alphas,
    parse_resolutions,
    resolution_order,
)
from mncost.analysis.explore.build import Progress, explore_grid
from mncost.analysis.explore.checkpoints import Checkpoint, model_checkpoints
from mncost.analysis.explore.columns import (
    ACCURACY,
    DEFAULT_METRICS,
    ESTIMATES,
    LATENCY,
    METRIC_LABELS,
    explorer_metrics,
)
from mncost.analysis.explore.columns import LATENCY_ESTIMATE as LATENCY_ESTIMATE
from mncost.analysis.explore.columns import LATENCY_STATUS as LATENCY_STATUS
from mncost.analysis.explore.grid import ExploreGrid, Extent
from mncost.analysis.scenario import registered_name
from mncost.errors import ExploreError
from mncost.limits import MAX_AXIS_VALUES, MAX_CONFIGS

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
]
