"""The cost of one configuration: per-op metrics over the geometry, totals, and breakdowns.

:func:`count` runs the interpreter (:func:`mncost.cost.geometry.geometry`) and the
registered metrics (:mod:`mncost.cost.metrics`). A :class:`CostResult` keeps the columns;
the per-layer records (:class:`LayerCost`) and the by-type breakdown are built from them
when asked for. Every count is a Python int; nothing is rounded until a view shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from mncost.arch.width import WidthRule
from mncost.cost.conventions import Conventions
from mncost.cost.geometry import Geometry, geometry
from mncost.cost.metrics import evaluate
from mncost.cost.scaling import Resolution, ScalingError, parse_resolution
from mncost.limits import MAX_CLASSES

if TYPE_CHECKING:
    import pandas

    from mncost.cost.model import Model

__all__ = [
    "Classifier",
    "CostResult",
    "LayerColumns",
    "LayerCost",
    "Shape",
    "Totals",
    "TypeShare",
    "count",
    "import_notes",
    "op_type",
]

Shape = tuple[int, int, int]
"""A feature map's (height, width, channels)."""

_ROLE_TYPE = {
    "fc": "Fully Connected",
    "bn": "Batch Norm",
    "act": "Activation",
    "resize": "Resize",
    "avgpool": "Avg Pool",
    "maxpool": "Max Pool",
    "add": "Add",
    "concat": "Concat",
    "scale": "Scale",
    "channel_scale": "Channel Scale",
    "softmax": "Softmax",
    "slice": "Slice",
}
UNKNOWN_ROLE = "onnx:"
"""The role of an imported op mncost does not know starts so: "onnx:LRN"."""
_ROLE_SUFFIX = {"expand": " expand", "project": " project"}


@lru_cache(maxsize=4096)  # a network repeats a few kinds of op: a deep spec asks again
def op_type(role: str, k_h: int, k_w: int, groups: int, c_in: int) -> str:
    """An op's group in the shape of the paper's Table 2: "Conv 1x1", "Conv DW 3x3", ..."""
    if role in _ROLE_TYPE:
        return _ROLE_TYPE[role]
    if role.startswith(UNKNOWN_ROLE):  # an imported op mncost does not know
        return f"{role[len(UNKNOWN_ROLE) :]} (not counted)"
    if role in ("se_reduce", "se_expand"):
        return "SE 1x1"
    if groups == c_in and groups > 1 or role == "dw":
        return f"Conv DW {k_h}x{k_w}"
    grouped = " grouped" if groups > 1 else ""
    return f"Conv {k_h}x{k_w}{grouped}{_ROLE_SUFFIX.get(role, '')}"


@lru_cache(maxsize=4096)
def _filter_shape(
    role: str,
    kind: str,
    k_h: int,
    k_w: int,
    c_in: int,
    c_out: int,
    groups: int,
    h_in: int,
    w_in: int,
) -> str:
    # The paper's Table 1 notation: 3x3x3x32, 3x3x32 dw, 1x1x32x64, Pool 7x7, 1024x1000.
    if kind == "conv":
        if role == "dw" or (groups == c_in and groups > 1):
            multiplier = c_out // c_in
            return f"{k_h}x{k_w}x{c_in} dw" + (f" x{multiplier}" if multiplier > 1 else "")
        grouped = f" g{groups}" if groups > 1 else ""
        return f"{k_h}x{k_w}x{c_in // groups}x{c_out}{grouped}"
    if kind == "fc":
        return f"{h_in * w_in * c_in}x{c_out}"
    if kind == "pool":
        return f"Pool {k_h}x{k_w}" if k_h else "Pool adaptive"
    if kind == "softmax":
        return "Classifier"
    if kind == "map":
        if role.startswith(UNKNOWN_ROLE):
            return role[len(UNKNOWN_ROLE) :]
        if role == "channel_scale":
            return f"Scale {c_in}"  # one weight per channel
        return {"bn": "Batch norm", "act": "Activation", "slice": "Slice"}.get(role, role)
    return {"add": "Add", "concat": "Concat", "scale": "Scale", "resize": "Resize"}.get(kind, kind)


@dataclass(frozen=True)
class Classifier:
    """The layer that classifies, as the cost result has it."""

    layer: str
    """Its name, e.g. "fc" or "conv10"."""
    outputs: int
    """Its output width: the number of classes it scores."""
    sized_by: Literal["classes", "units"]
    """"classes": sized by the architecture's classes (an fc with units omitted, or a
    conv with ``filters: classes``); "units": a final linear fc of fixed width."""


@dataclass(slots=True, unsafe_hash=True)
class LayerCost:
    """One op's record: where it sits, what it is, and what it costs.

    Treated as immutable, but not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, eight times the cost of these slots, and a 100,000-op spec
    has 100,000 records.
    """

    name: str
    kind: str
    """What the spec calls it: conv, dw, pw, expand, project, se_reduce, se_expand,
    avgpool, maxpool, fc, add, concat, scale (squeeze-and-excite's rescale) or softmax;
    bn, act, resize; channel_scale for a ``scale`` layer (a learned weight per channel)."""
    type: str
    """The op's group in the shape of the paper's Table 2 (e.g. "Conv 1x1", "Conv DW 3x3")."""
    stride: int
    filter_shape: str
    """The filter in the paper's Table 1 notation, e.g. 3x3x3x32, 3x3x32 dw, 1x1x32x64."""
    input: Shape
    output: Shape
    mult_adds: int
    params: int
    block: str = ""
    """The composite the op belongs to ("" at the top level)."""


class LayerColumns(NamedTuple):
    """The fields of the per-op records (:class:`LayerCost`) as columns, in op order:
    what a view of a deep spec reads, without a record per op."""

    name: tuple[str, ...]
    kind: tuple[str, ...]
    type: tuple[str, ...]
    stride: tuple[int, ...]
    filter_shape: tuple[str, ...]
    input: tuple[Shape, ...]
    output: tuple[Shape, ...]
    mult_adds: tuple[int, ...]
    params: tuple[int, ...]
    block: tuple[str, ...]


@dataclass(frozen=True)
class Totals:
    """Sums over all ops."""

    mult_adds: int
    params: int


@dataclass(frozen=True)
class TypeShare:
    """One row of the by-type breakdown (the shape of the paper's Table 2)."""

    type: str
    mult_adds: int
    params: int
    mult_adds_share: Fraction
    """Exact fraction of the total mult-adds (0 when the total is 0)."""
    params_share: Fraction


@dataclass(frozen=True, eq=False)
class CostResult:
    """The cost of one architecture at one configuration."""

    model: str
    alpha: Fraction
    resolution: Resolution
    """The input's side, or (height, width) for a non-square input."""
    classes: int
    conventions: Conventions
    geometry: Geometry = field(repr=False)
    rule: WidthRule
    """The channel rounding rule in force."""
    own_rule: WidthRule
    """The architecture's own rule (differs from ``rule`` under --rounding)."""
    mult_adds: tuple[int, ...] = field(repr=False)
    params: tuple[int, ...] = field(repr=False)
    total: Totals
    source: Model | None = field(default=None, repr=False)
    """The model counted (an Architecture, or an imported graph with its import notes)."""

    def metric(self, name: str) -> tuple[int, ...]:
        """Any registered metric, per op (see mncost.cost.metrics.METRICS)."""
        if name == "mult_adds":
            return self.mult_adds
        if name == "params":
            return self.params
        return evaluate(name, self.geometry, self.conventions)

    @cached_property
    def classifier(self) -> Classifier | None:
        """The classifier that is actually there, or None.

        The rule: take the network's last weighted op at inference (conv or fc;
        auxiliary heads are training-only and left out). It is the classifier if it is
        sized by the classes (an fc with ``units`` omitted, a conv with ``filters:
        classes``, as SqueezeNet's conv10), or if it is an fc without activation (a
        linear fc of fixed ``units``: its width is the classes, whatever ``classes``
        says). Anything else, such as a spec with ``classes: 10`` and no fc, or a backbone
        cut by ``--classes 0`` (whose last op may be MobileNet V3's hidden fc, which has
        an activation), has no classifier.
        """
        ops = self.geometry.program.ops
        weighted = [i for i, op in enumerate(ops) if not op.aux and op.kind in ("conv", "fc")]
        if not weighted:
            return None
        last = weighted[-1]
        op, outputs = ops[last], self.geometry.width.c_out[last]
        if op.width[0] == "classes":
            return Classifier(op.name, outputs, "classes")
        if op.kind == "fc" and op.act == "none":
            return Classifier(op.name, outputs, "units")
        return None

    @cached_property
    def class_sized(self) -> bool:
        """Whether some op that runs at inference is sized by the classes: a classifier,
        or a detector's class predictors (anchors x classes), which are no classifier."""
        return any(op.width[0] == "classes" and not op.aux for op in self.geometry.program.ops)

    @cached_property
    def layer_columns(self) -> LayerColumns:
        """The fields of :attr:`layers`, column by column."""
        g = self.geometry
        st, wd, sp = g.static, g.width, g.spatial
        return LayerColumns(
            st.name,
            st.role,
            tuple(map(op_type, st.role, sp.k_h, sp.k_w, wd.groups, wd.c_in)),
            st.s_h,
            tuple(
                map(
                    _filter_shape,
                    st.role,
                    st.kind,
                    sp.k_h,
                    sp.k_w,
                    wd.c_in,
                    wd.c_out,
                    wd.groups,
                    sp.h_in,
                    sp.w_in,
                )
            ),
            tuple(zip(sp.h_in, sp.w_in, wd.c_in)),
            tuple(zip(sp.h_out, sp.w_out, wd.c_out)),
            self.mult_adds,
            self.params,
            st.block,
        )

    @cached_property
    def layers(self) -> tuple[LayerCost, ...]:
        """One record per op, in execution order."""
        return tuple(map(LayerCost, *self.layer_columns))

    @cached_property
    def by_type(self) -> tuple[TypeShare, ...]:
        """Mult-adds and params per op type, largest mult-adds first; all-zero types left out."""
        groups: dict[str, list[int]] = {}
        c = self.layer_columns
        for kind, macs, params in zip(c.type, c.mult_adds, c.params):
            acc = groups.setdefault(kind, [0, 0])
            acc[0] += macs
            acc[1] += params
        total = self.total
        rows = [
            TypeShare(
                type=name,
                mult_adds=macs,
                params=params,
                mult_adds_share=Fraction(macs, total.mult_adds) if total.mult_adds else Fraction(0),
                params_share=Fraction(params, total.params) if total.params else Fraction(0),
            )
            for name, (macs, params) in groups.items()
            if macs or params
        ]
        rows.sort(key=lambda r: (-r.mult_adds, -r.params))
        return tuple(rows)

    def _records(self) -> list[dict[str, Any]]:
        return [
            {
                "name": layer.name,
                "kind": layer.kind,
                "type": layer.type,
                "block": layer.block,
                "stride": layer.stride,
                "filter_shape": layer.filter_shape,
                "input": list(layer.input),
                "output": list(layer.output),
                "mult_adds": layer.mult_adds,
                "params": layer.params,
            }
            for layer in self.layers
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (counts as ints) in the documented JSON layout."""
        return {
            "model": self.model,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "classes": self.classes,
            "conventions": self.conventions.as_dict(self.own_rule),
            "layers": self._records(),
            "total": {"mult_adds": self.total.mult_adds, "params": self.total.params},
            "by_type": [
                {
                    "type": row.type,
                    "mult_adds": row.mult_adds,
                    "params": row.params,
                    "mult_adds_share": float(row.mult_adds_share),
                    "params_share": float(row.params_share),
                }
                for row in self.by_type
            ],
        }

    def to_frame(self) -> pandas.DataFrame:
        """The per-op records as a pandas DataFrame (one row per op, ints kept)."""
        import pandas as pd  # heavy: only on this path

        rows = self._records()
        for row in rows:
            row["input"], row["output"] = tuple(row["input"]), tuple(row["output"])
        frame_: pandas.DataFrame = pd.DataFrame(rows)
        return frame_


def import_notes(arch: Model | None) -> list[str]:
    """What an imported graph's reader should know: the ops mncost did not count, and why
    --alpha cannot scale it. Empty for a spec."""
    # lazy: counting a built-in needs no graph model (`mncost published`, `reproduce`)
    from mncost.cost.model import GraphModel

    if not isinstance(arch, GraphModel):
        return []
    notes = []
    if arch.not_counted:
        listed = "; ".join(
            f"{n.op_type} x{n.count} ({', '.join(n.names)}"
            + (", ...)" if n.count > len(n.names) else ")")
            for n in arch.not_counted
        )
        notes.append(
            f"Not counted: ops mncost does not know, taken as 0 MACs and 0 params: {listed} "
            "(--strict refuses them)"
        )
    if arch.alpha_blocked:
        notes.append(f"Alpha: {arch.alpha_blocked}.")
    return notes


def _own_rule(arch: Model) -> WidthRule:
    spec = arch.width
    return _rule(spec.rule, spec.divisor, spec.min_value)


@lru_cache(maxsize=64)
def _rule(rule: str, divisor: int, min_value: int | None) -> WidthRule:
    return WidthRule(rule, divisor, min_value)  # type: ignore[arg-type]


def count(
    arch: Model,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
) -> CostResult:
    """Cost ``arch`` op by op at width ``alpha`` and input ``resolution`` (a side, or
    (height, width) for a non-square input).

    ``classes`` overrides the architecture's classifier width; 0 drops the classifier
    (the first fc sized by the classes, and every layer after it). ScalingError (or its
    subclass GeometryError) for a configuration that cannot be counted.
    """
    if not isinstance(alpha, Fraction) or alpha.numerator <= 0:  # (a Fraction's denominator is > 0)
        raise ScalingError(f"alpha must be a positive Fraction, got {alpha!r}")
    if resolution is None and arch.resolution is None:  # an imported graph of symbolic size
        raise ScalingError(
            f"{arch.name}: the input's height and width are symbolic in the graph; "
            "give a resolution (--res 224, or --res 320x240)"
        )
    resolution = parse_resolution(arch.resolution if resolution is None else resolution)
    classes = arch.classes if classes is None else classes
    if isinstance(classes, bool) or not isinstance(classes, int) or not 0 <= classes <= MAX_CLASSES:
        raise ScalingError(
            f"classes must be a whole number from 0 to {MAX_CLASSES}, got {classes!r}"
        )
    own = _own_rule(arch)
    rule = conventions.rule(own)
    geo = geometry(arch, alpha, resolution, rule, classes)
    macs = evaluate("mult_adds", geo, conventions)
    params = evaluate("params", geo, conventions)
    return CostResult(
        model=arch.name,
        alpha=alpha,
        resolution=resolution,
        classes=classes,
        conventions=conventions,
        geometry=geo,
        rule=rule,
        own_rule=own,
        mult_adds=macs,
        params=params,
        total=Totals(mult_adds=sum(macs), params=sum(params)),
        source=arch,
    )
