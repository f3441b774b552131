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

import sys
import types
from typing import TYPE_CHECKING, Any

from mncost._lazy import lazy

__version__ = "0.3.0"

# Where each public name lives. They are imported when first used (PEP 562), so that
# `import mncost` (and `mncost --help`, which needs only __version__) does not pay for
# pydantic's models and the engine.
_EXPORTS: dict[str, str] = {
    "Architecture": "mncost.arch.ops",
    "Conventions": "mncost.cost.conventions",
    "CostResult": "mncost.cost.result",
    "ExploreError": "mncost.errors",
    "GraphModel": "mncost.cost.model",
    "OnnxImportError": "mncost.errors",
    "GeometryError": "mncost.cost.geometry",
    "LatencyError": "mncost.errors",
    "ScalingError": "mncost.cost.scaling",
    "SpecError": "mncost.arch.load",
    "UnknownModelError": "mncost.arch.registry",
    "choose": "mncost.api",
    "compare": "mncost.api",
    "cost": "mncost.api",
    "export_onnx": "mncost.api",
    "load_onnx": "mncost.api",
    "get_model": "mncost.arch.registry",
    "list_models": "mncost.arch.registry",
    "latency": "mncost.api",
    "load_spec": "mncost.arch.load",
    "memory": "mncost.api",
    "patch_search": "mncost.api",
    "sweep": "mncost.api",
}

__all__ = [
    "Architecture",
    "Conventions",
    "CostResult",
    "ExploreError",
    "GeometryError",
    "GraphModel",
    "LatencyError",
    "OnnxImportError",
    "ScalingError",
    "SpecError",
    "UnknownModelError",
    "__version__",
    "choose",
    "compare",
    "cost",
    "export_onnx",
    "get_model",
    "latency",
    "list_models",
    "load_onnx",
    "load_spec",
    "memory",
    "patch_search",
    "sweep",
]
assert sorted(__all__) == sorted([*_EXPORTS, "__version__"]), "every export is listed once"

if TYPE_CHECKING:
    from mncost.api import (
        choose,
        compare,
        cost,
        export_onnx,
        latency,
        load_onnx,
        memory,
        patch_search,
        sweep,
    )
    from mncost.arch.load import SpecError, load_spec
    from mncost.arch.ops import Architecture
    from mncost.arch.registry import UnknownModelError, get_model, list_models
    from mncost.cost.conventions import Conventions
    from mncost.cost.geometry import GeometryError
    from mncost.cost.model import GraphModel
    from mncost.cost.result import CostResult
    from mncost.cost.scaling import ScalingError
    from mncost.errors import ExploreError, LatencyError, OnnxImportError


__getattr__, __dir__ = lazy("mncost", globals(), _EXPORTS)


class _Package(types.ModuleType):
    """mncost's module type: ``mncost.cost`` is the function, though a subpackage has the
    same name. Importing a submodule binds it on its parent; the property keeps the name
    for the function (as eager imports used to, by binding the function last)."""

    @property
    def cost(self) -> Any:
        from mncost.api import cost

        return cost

    @cost.setter
    def cost(self, value: Any) -> None:
        pass  # the subpackage mncost.cost binding itself: sys.modules still has it


sys.modules[__name__].__class__ = _Package
