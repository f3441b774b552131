"""Models under a configuration: one scenario's cost and activation memory, and every
registered model at its defaults (what ``mncost table``, ``mncost memory`` and ``mncost
models`` show).

A :class:`Scenario` is the question every costing command asks: an architecture, a
width multiplier, a resolution, a classifier width and the counting conventions. The
command line builds one from its options; analysis answers it through the cost engine
(:func:`mncost.cost.result.count`). The models listing is read from the registry, so a
model appears in it as soon as its def registers it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.scenario import registered_name
from mncost.arch.registry import get_model, list_models
from mncost.cost.conventions import Conventions
from mncost.cost.geometry import GeometryError
from mncost.cost.model import Model
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import Resolution
from mncost.text import shorten

if TYPE_CHECKING:
    from mncost.analysis.scenario import ModelRef
    from mncost.analysis.schedules import PatchSearch, ScheduleSearch
    from mncost.cost.execution import Execution
    from mncost.cost.memory import MemoryResult

__all__ = [
    "ModelSummary",
    "Scenario",
    "cost_scenario",
    "memory_scenario",
    "model_summaries",
    "search_scenario",
]


@dataclass(frozen=True)
class Scenario:
    """One architecture at one configuration, under stated counting conventions."""

    arch: Model
    alpha: Fraction = Fraction(1)
    """Width multiplier, exact."""
    resolution: Resolution | None = None
    """Input side in pixels, or (height, width); None: the architecture's own."""
    classes: int | None = None
    """Classifier width; None: the architecture's own; 0 drops the classifier."""
    conventions: Conventions = field(default_factory=Conventions)
    """Batch-norm params, FC bias and any channel-rounding override."""
    origin: str = ""
    """Where the architecture came from, in words ("built-in model (Howard et al. ...)",
    "spec file net.yaml"), for reports that say so."""
    ref: ModelRef | None = None
    """The model reference it was resolved from (None: an architecture given as is)."""

    @property
    def registered(self) -> str | None:
        """The registry's name when the model is a built-in one (None: a file's)."""
        return self.ref.registered if self.ref is not None else registered_name(self.arch)


@contextmanager
def _naming_the_file(scenario: Scenario) -> Iterator[None]:
    """A layer that cannot be counted is named in its file: "net.yaml: layer 'b3.add':
    its inputs have different channel counts (32, 16)"."""
    try:
        yield
    except GeometryError as exc:
        ref = scenario.ref
        if ref is None or ref.path is None or str(exc).startswith(ref.path.name):
            raise
        raise GeometryError(f"{shorten(ref.path.name)}: {exc}") from None


def _labelled(scenario: Scenario, result: Any) -> Any:
    """``result`` named as its model file is ("mobilenet-v2 (mine.onnx)"): a file's
    architecture may carry a built-in's name and be another network."""
    ref = scenario.ref
    if ref is None or ref.path is None:
        return result
    return replace(result, model=ref.label)


def cost_scenario(scenario: Scenario) -> CostResult:
    """The cost of ``scenario``, op by op; ScalingError when it cannot be counted."""
    with _naming_the_file(scenario):
        result = count(
            scenario.arch,
            scenario.alpha,
            scenario.resolution,
            scenario.classes,
            scenario.conventions,
        )
    return _labelled(scenario, result)  # type: ignore[no-any-return]


def memory_scenario(scenario: Scenario, execution: Execution | None = None) -> MemoryResult:
    """The activation memory of ``scenario`` op by op, its peak and its weight bytes,
    run as ``execution`` says (by default float32, layer by layer, nothing in place);
    ScalingError when it cannot be counted."""
    # lazy: `mncost table` counts no memory and runs no execution (start-up stays fast)
    from mncost.cost.execution import Execution
    from mncost.cost.memory import count_memory

    with _naming_the_file(scenario):
        result = count_memory(
            scenario.arch,
            scenario.alpha,
            scenario.resolution,
            scenario.classes,
            scenario.conventions,
            execution or Execution(),
        )
    return _labelled(scenario, result)  # type: ignore[no-any-return]


def search_scenario(
    scenario: Scenario,
    execution: Execution,
    search: PatchSearch,
    progress: Callable[[int, int], None] | None = None,
) -> ScheduleSearch:
    """The patch schedules of ``scenario`` that ``search`` asks for, tried under
    ``execution``'s other choices, and the pick
    (:func:`mncost.analysis.schedules.search_patches`)."""
    # lazy: only for a patch search
    from mncost.analysis.schedules import search_patches

    with _naming_the_file(scenario):
        return search_patches(
            scenario.arch,
            scenario.alpha,
            scenario.resolution,
            scenario.classes,
            scenario.conventions,
            execution,
            search,
            progress,
        )


@dataclass(frozen=True)
class ModelSummary:
    """A registered model and its cost at its defaults (alpha 1, its own resolution,
    classes and width rule, mncost's default conventions)."""

    name: str
    family: str
    """The family its published results are filed under (mobilenet_v1, ...)."""
    source: str
    """The publication that defines it."""
    description: str
    resolution: Resolution
    """Default input side in pixels."""
    classes: int
    """Default classifier width."""
    mult_adds: int
    """Multiply-accumulates at the defaults, exact."""
    params: int
    """Parameters at the defaults (batch norm not counted, FC bias counted), exact."""


def model_summaries(conventions: Conventions = Conventions()) -> list[ModelSummary]:
    """Every registered model, in registry order, counted at its defaults."""
    summaries = []
    for entry in list_models():
        arch = get_model(entry.name)
        total = count(arch, conventions=conventions).total
        summaries.append(
            ModelSummary(
                name=entry.name,
                family=entry.family,
                source=entry.source,
                description=entry.description,
                resolution=arch.resolution,
                classes=arch.classes,
                mult_adds=total.mult_adds,
                params=total.params,
            )
        )
    return summaries
