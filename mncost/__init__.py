"""mncost: exact, framework-free cost of MobileNet-family CNNs under alpha and rho.

>>> import mncost
>>> r = mncost.cost("mobilenet-v1", alpha=0.75, resolution=160)
>>> r.total.mult_adds  # an exact int: multiply-accumulates (MACs)

The layout: :mod:`mncost.spec` (layer kinds, spec files), :mod:`mncost.models`
(built-in architectures), :mod:`mncost.cost` (counting), :mod:`mncost.report`
(renderers) and :mod:`mncost.cli` (the ``mncost`` command).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from mncost.cost.counter import Conventions, CostResult, count
from mncost.cost.scaling import Rounding, ScalingError, parse_multiplier, resolution_from_rho
from mncost.models.registry import UnknownModelError, get_model, list_models
from mncost.spec.layers import Architecture
from mncost.spec.loader import SpecError, load_spec

__version__ = "0.1.0"

__all__ = [
    "Architecture",
    "Conventions",
    "CostResult",
    "ScalingError",
    "SpecError",
    "UnknownModelError",
    "__version__",
    "cost",
    "get_model",
    "list_models",
    "load_spec",
]


def cost(
    model: str | Architecture | Path = "mobilenet-v1",
    alpha: float | str | Fraction = 1,
    resolution: int | None = None,
    *,
    rho: float | str | Fraction | None = None,
    classes: int | None = None,
    bn: str = "none",
    fc_bias: bool = True,
    rounding: Rounding = "round",
) -> CostResult:
    """Exact per-layer cost of ``model`` at width ``alpha`` and input ``resolution``.

    ``model`` is a registered name (see :func:`list_models`), an :class:`Architecture`,
    or a :class:`pathlib.Path` to a YAML/JSON spec file. Give ``resolution`` (pixels) or
    ``rho`` (resolution = round(default resolution * rho)), not both.
    """
    if isinstance(model, Path):
        arch = load_spec(model)
    elif isinstance(model, Architecture):
        arch = model
    else:
        arch = get_model(model)
    if resolution is not None and rho is not None:
        raise ScalingError("give resolution or rho, not both")
    if rho is not None:
        resolution = resolution_from_rho(parse_multiplier(rho, "rho"), arch.resolution)
    if bn not in ("none", "affine", "all"):
        raise ScalingError(f"bn must be none, affine or all, got {bn!r}")
    conventions = Conventions(bn=bn, fc_bias=fc_bias, rounding=rounding)  # type: ignore[arg-type]
    return count(arch, parse_multiplier(alpha, "alpha"), resolution, classes, conventions)
