"""mncost: exact, framework-free cost of CNNs under width and resolution multipliers.

>>> import mncost
>>> r = mncost.cost("mobilenet-v1", alpha=0.75, resolution=160)
>>> r.total.mult_adds  # an exact int: multiply-accumulates (MACs)
166396800

The layout follows the flow of the data: :mod:`mncost.arch` (the spec language, width
rules, the registry and the built-in architectures), :mod:`mncost.cost` (the interpreter,
metrics and the vectorised sweep), :mod:`mncost.sources` (published figures),
:mod:`mncost.analysis` (the paper's audit, the PyTorch cross-check, published results,
the Pareto frontier), :mod:`mncost.present` (views, renderers, figures, files) and
:mod:`mncost.cli` (the ``mncost`` command).

Errors: a wrong type of argument is a TypeError naming it; a wrong value is a ValueError
with a one-line message: ScalingError (alpha, resolution, rho; GeometryError, a
configuration the architecture cannot take), SpecError (a spec file), ExploreError (a
grid, a budget), LatencyError (a device or profile); UnknownModelError (a KeyError) for
a name no built-in model has.
"""

from mncost.api import choose, compare, cost, latency, memory, sweep
from mncost.arch.load import SpecError, load_spec
from mncost.arch.ops import Architecture
from mncost.arch.registry import UnknownModelError, get_model, list_models
from mncost.cost.conventions import Conventions
from mncost.cost.geometry import GeometryError
from mncost.cost.result import CostResult
from mncost.cost.scaling import ScalingError
from mncost.errors import ExploreError, LatencyError

__version__ = "0.3.0"

__all__ = [
    "Architecture",
    "Conventions",
    "CostResult",
    "ExploreError",
    "GeometryError",
    "LatencyError",
    "ScalingError",
    "SpecError",
    "UnknownModelError",
    "__version__",
    "choose",
    "compare",
    "cost",
    "get_model",
    "list_models",
    "latency",
    "load_spec",
    "memory",
    "sweep",
]


def __dir__() -> list[str]:
    """The public API and nothing else (PEP 562): not the subpackages, not the helpers."""
    return sorted(__all__)
