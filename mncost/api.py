"""The Python API: one function per question, each taking the same model and conventions.

>>> import mncost
>>> mncost.cost("mobilenet-v1", alpha=0.75, resolution=160).total.mult_adds
166396800
>>> mncost.sweep("mobilenet-v2", [0.5, 1.0], [128, 224])  # a pandas DataFrame
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from mncost.arch.ops import Architecture
from mncost.cost.conventions import Conventions
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import ScalingError, parse_multiplier, resolution_from_rho

if TYPE_CHECKING:
    import pandas

__all__ = ["conventions", "cost", "resolve_model", "sweep"]

ModelLike = str | Architecture | Path
Number = float | int | str | Fraction


def resolve_model(model: ModelLike) -> Architecture:
    """A registered name, an :class:`Architecture`, or a Path to a YAML/JSON spec file."""
    from mncost.arch.load import load_spec
    from mncost.arch.registry import get_model

    if isinstance(model, Path):
        return load_spec(model)
    if isinstance(model, Architecture):
        return model
    return get_model(model)


def conventions(bn: str = "none", fc_bias: bool = True,
                rounding: str | None = None) -> Conventions:
    """The counting conventions, checked: ``bn`` none|affine|all, ``rounding`` None (the
    model's own rule) or round|floor|make_divisible (div8 is make_divisible)."""
    from mncost.arch.width import WidthError, parse_rule

    if bn not in ("none", "affine", "all"):
        raise ScalingError(f"bn must be none, affine or all, got {bn!r}")
    if rounding is not None:
        try:
            parse_rule(rounding)
        except WidthError as exc:
            raise ScalingError(str(exc)) from None
    return Conventions(bn=bn, fc_bias=bool(fc_bias), rounding=rounding)  # type: ignore[arg-type]


def cost(model: ModelLike = "mobilenet-v1", alpha: Number = 1, resolution: int | None = None,
         *, rho: Number | None = None, classes: int | None = None, bn: str = "none",
         fc_bias: bool = True, rounding: str | None = None) -> CostResult:
    """Exact per-op cost of ``model`` at width ``alpha`` and input ``resolution``.

    ``model`` is a registered name (see :func:`mncost.list_models`), an
    :class:`Architecture`, or a :class:`pathlib.Path` to a YAML/JSON spec file. Give
    ``resolution`` (pixels) or ``rho`` (resolution = round(the model's resolution * rho)),
    not both. ``rounding`` overrides the model's channel rounding rule.
    """
    arch = resolve_model(model)
    if resolution is not None and rho is not None:
        raise ScalingError("give resolution or rho, not both")
    if rho is not None:
        resolution = resolution_from_rho(parse_multiplier(rho, "rho"), arch.resolution)
    return count(arch, parse_multiplier(alpha, "alpha"), resolution, classes,
                 conventions(bn, fc_bias, rounding))


def sweep(model: ModelLike, alphas: Iterable[Number], resolutions: Iterable[int], *,
          classes: int | None = None, bn: str = "none", fc_bias: bool = True,
          rounding: str | None = None,
          metrics: Iterable[str] = ("mult_adds", "params", "bn_params")) -> pandas.DataFrame:
    """Every (alpha, resolution) combination as one row of a pandas DataFrame.

    Columns: ``alpha``, ``resolution`` and each metric (exact int64 counts, each row
    equal to :func:`cost` of that configuration). Vectorised with numpy: a million
    configurations take well under a second.
    """
    from mncost.cost.sweep import sweep_frame

    arch = resolve_model(model)
    alpha_list = [parse_multiplier(a, "alpha") for a in alphas]
    res_list = [_resolution(r) for r in resolutions]
    return sweep_frame(arch, alpha_list, res_list, classes, conventions(bn, fc_bias, rounding),
                       metrics)


def _resolution(value: Any) -> int:
    from mncost.limits import MAX_RESOLUTION

    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= MAX_RESOLUTION:
        raise ScalingError(f"resolution must be a whole number from 1 to {MAX_RESOLUTION}, "
                           f"got {value!r}")
    return value
