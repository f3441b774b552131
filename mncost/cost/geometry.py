"""The one interpreter: an architecture at (alpha, resolution) as per-op geometry columns.

A program (:mod:`mncost.cost.graph`) is evaluated in two independent halves, because a
CNN's channel counts depend only on alpha and its feature-map sizes only on the
resolution:

- the **width plan** (alpha, width rule, classes): each op's input and output channels
  and groups;
- the **spatial plan** (resolution): each op's input and output height and width, and
  its kernel (a fully connected layer's kernel is its whole input).

:class:`Geometry` joins the two with the program's static columns (strides, batch norm,
bias, which tensors each op reads, writes and keeps alive). Metrics
(:mod:`mncost.cost.metrics`) are pure functions of these columns; the sweep
(:mod:`mncost.cost.sweep`) evaluates the same plans for many alphas and resolutions and
broadcasts them. Nothing is counted here.

The modules: :mod:`~mncost.cost.static` (the static columns and liveness),
:mod:`~mncost.cost.plans` (the width and spatial plans, their shape rules and caches, and
:class:`GeometryError`) and this one: each architecture's program (cached), and the
:class:`Geometry` that joins the three. It re-exports the others' public names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from mncost.arch.ops import Architecture
from mncost.arch.width import WidthRule
from mncost.cost.graph import LoweringError, Program, lower
from mncost.cost.plans import (
    CACHED_OPS,
    GeometryError,
    SpatialPlan,
    WidthPlan,
    spatial_plan,
    width_plan,
)
from mncost.cost.scaling import Resolution
from mncost.cost.static import Static, static_columns
from mncost.limits import MAX_CHANNELS

if TYPE_CHECKING:
    from mncost.cost.model import Model

__all__ = [
    "GeometryError",
    "Geometry",
    "SpatialPlan",
    "Static",
    "WidthPlan",
    "geometry",
    "program",
    "spatial_plan",
    "static_columns",
    "width_plan",
]


@lru_cache(maxsize=64)
def _program(arch: Any, drop_classifier: bool) -> Program:
    model = arch.value
    if isinstance(model, Architecture):
        try:
            prog = lower(model, drop_classifier)
        except LoweringError as exc:
            raise GeometryError(str(exc)) from None
    else:  # a GraphModel: already a program
        prog = model.drop_classifier() if drop_classifier else model.program
    # Spec fields are bounded one by one; what they add up to is bounded here: 60
    # concatenations that each double their input would otherwise reach 2**66 channels.
    # (A classifier's width, and what follows it, is the classes: MAX_CLASSES bounds it.)
    most = max(MAX_CHANNELS, prog.classes)
    for op, raw in zip(prog.ops, prog.raw_channels[1:]):
        if raw > most:
            raise GeometryError(
                f"layer {op.name!r}: its output has {raw:,} channels at alpha 1; "
                f"the most is {most:,}"
            )
    return prog


class _Key:
    # Architectures hold lists, so they are not hashable; they are frozen, so identity
    # is a sound cache key as long as the cache keeps the object alive.
    __slots__ = ("value",)

    def __init__(self, value: Model) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.value is self.value


def program(arch: Model, drop_classifier: bool = False) -> Program:
    """The lowered program of ``arch`` (cached per architecture object); a graph model's
    own program."""
    return _program(_Key(arch), drop_classifier)


@dataclass(frozen=True, slots=True)
class Geometry:
    """An architecture at one configuration: the static columns, the width plan and the
    spatial plan, read as one table of per-op columns (``geometry.column("c_out")``)."""

    program: Program
    static: Static
    width: WidthPlan
    spatial: SpatialPlan
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Per-op columns derived from this geometry, kept by whoever derives them (a
    metric's values under a set of conventions, the live tensors' sizes under an
    execution): a deep spec's configuration is counted, charted and estimated from one
    geometry, and each column is worked out once."""

    def column(self, name: str) -> tuple[Any, ...]:
        """One per-op column by name, from whichever half holds it."""
        try:
            return _COLUMN_GETTERS[name](self)  # type: ignore[no-any-return]
        except KeyError:
            raise KeyError(f"no geometry column {name!r}") from None

    def __len__(self) -> int:
        return len(self.program.ops)


_COLUMN_PART: dict[str, str] = {
    **{name: "static" for name in Static.__slots__},
    **{name: "width" for name in WidthPlan.__slots__},
    **{name: "spatial" for name in SpatialPlan.__slots__},
}
"""Which half of a Geometry holds each column."""
_COLUMN_GETTERS = {name: attrgetter(f"{part}.{name}") for name, part in _COLUMN_PART.items()}


def geometry(
    arch: Model, alpha: Fraction, resolution: Resolution, rule: WidthRule, classes: int
) -> Geometry:
    """``arch`` at (alpha, resolution) with ``classes`` (0: no classifier), as columns.

    The geometry of a program over :data:`~mncost.cost.plans.CACHED_OPS` ops is kept
    (the last two), so that its :attr:`~Geometry.memo` serves every count of that
    configuration in the process; a smaller one is cheap to join again."""
    prog = program(arch, classes == 0)
    if len(prog.ops) > CACHED_OPS:
        return _large_geometry(prog, alpha, resolution, rule, classes)
    return _join(prog, alpha, resolution, rule, classes)


def _join(
    prog: Program, alpha: Fraction, resolution: Resolution, rule: WidthRule, classes: int
) -> Geometry:
    return Geometry(
        prog,
        static_columns(prog),
        width_plan(prog, alpha, rule, classes),
        spatial_plan(prog, resolution),
    )


_large_geometry = lru_cache(maxsize=2)(_join)
