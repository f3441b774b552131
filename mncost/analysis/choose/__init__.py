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

**The modules.** Each imports only those listed before it (and
:mod:`mncost.analysis.explore`):

- :mod:`~mncost.analysis.choose.budgets`: budgets, reserves, the latency margin and the
  objectives;
- :mod:`~mncost.analysis.choose.results`: the result records, :class:`ChooseResult`
  and what it holds;
- :mod:`~mncost.analysis.choose.families`: what is searched: families, models and each
  model's candidate grid;
- :mod:`~mncost.analysis.choose.masks`: where each budget is met, patch schedules
  included;
- :mod:`~mncost.analysis.choose.ranking`: the picks, best first, and the cheapest
  configuration on each budget's axis (what each budget alone rules out);
- :mod:`~mncost.analysis.choose.search`: :func:`choose`, step by step.

This module only re-exports their names, those of ``__all__``.
"""

from __future__ import annotations

from mncost.analysis.choose.budgets import (
    BUDGETS,
    MAX_MARGIN,
    OBJECTIVES,
    RESERVES,
    Budget,
    BudgetKind,
    Objective,
    apply_reserves,
    parse_budgets,
    parse_margin,
)
from mncost.analysis.choose.families import (
    DEFAULT_ALPHA_STEP,
    DEFAULT_ALPHAS,
    DEFAULT_RESOLUTION_STEP,
    choose_families,
    default_axes,
    family_models,
)
from mncost.analysis.choose.masks import budget_masks
from mncost.analysis.choose.results import (
    BudgetCheck,
    Candidate,
    Cheapest,
    ChooseResult,
    Exclusion,
    Searched,
    describe_config,
)
from mncost.analysis.choose.search import choose

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
