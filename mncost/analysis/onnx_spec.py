"""An imported ONNX graph as an editable spec file: ``mncost import model.onnx -o model.yaml``.

:func:`import_spec` nests the graph (:func:`mncost.cost.nest.nest`), validates the spec as
a spec file is validated, counts it against the graph (:func:`mncost.cost.nest.check`)
and writes it as YAML or JSON. Counting the graph itself never needs any of this: every
command counts an ``.onnx`` file directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mncost.arch.dump import spec_yaml
from mncost.arch.load import SpecError, parse_spec
from mncost.arch.ops import Architecture
from mncost.cost.model import GraphModel
from mncost.cost.nest import Check, Nested, check, nest
from mncost.cost.result import count
from mncost.cost.scaling import Resolution, ScalingError, input_text, parse_resolution
from mncost.errors import NestError
from mncost.text import escape_controls

if TYPE_CHECKING:
    from fractions import Fraction

    from mncost.cost.conventions import Conventions

__all__ = ["Imported", "import_spec", "spec_of_graph"]


@dataclass(frozen=True)
class Imported:
    """A graph nested into a spec, checked, and its text."""

    arch: Architecture
    """The spec, validated as a spec file is (what load_spec returns for the text)."""
    nested: Nested
    check: Check
    resolution: Resolution
    """The size it was checked at (the graph's input, or --res)."""

    def text(self, fmt: str = "yaml", source_name: str = "") -> str:
        """The spec file's text: YAML with a header of comments, or JSON."""
        if fmt == "json":
            return json.dumps(self.nested.spec, indent=2, ensure_ascii=False) + "\n"
        return spec_yaml(self.nested.spec, self.comments(source_name))

    def comments(self, source_name: str = "") -> list[str]:
        c = self.check
        where = f" from {source_name}" if source_name else ""
        lines = [
            f"{self.arch.name}, imported{where} by mncost import.",
            "Format: `mncost schema`. Channel counts are at alpha = 1; input sizes are derived.",
            f"It counts as the graph does, layer by layer: {c.macs:,} MACs and {c.params:,} "
            f"params at {input_text(self.resolution)}",
            "(checked by counting both at alpha 1"
            + (f" and {float(c.alpha):g}" if c.alpha is not None else "")
            + ").",
        ]
        if any(
            layer.get("batch_norm") is False for layer in _primitives(self.nested.spec["layers"])
        ):
            lines.append(
                "batch_norm: false marks a conv whose batch norm the exporter folded into its bias."
            )
        lines += [f"Note: {n}" for n in (*self.nested.notes, *c.notes)]
        return [escape_controls(line) for line in lines]


def _primitives(layers: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for layer in layers:
        children = [layer.get(k, []) for k in ("layers", "body", "shortcut")]
        children += layer.get("branches", [])
        if any(children):
            for group in children:
                out += _primitives(group)
        else:
            out.append(layer)
    return out


def import_spec(model: GraphModel, resolution: Resolution | None = None) -> Imported:
    """``model`` as a checked spec. NestError (one line) when it does not nest, names
    the node; ScalingError when its size is symbolic and ``resolution`` is None."""
    if resolution is None:
        resolution = model.resolution
    if resolution is None:
        raise ScalingError(
            f"{model.name}: the input's height and width are symbolic in the graph; give "
            "the size the spec should have (--res 224, or --res 320x240)"
        )
    resolution = parse_resolution(resolution)
    nested = nest(model, resolution)
    try:
        arch = parse_spec(nested.spec, "the nested spec")
    except SpecError as exc:
        raise NestError(f"the graph nests, but not into a valid spec: {exc}") from None
    result = check(model, nested, arch, resolution)
    return Imported(arch=arch, nested=nested, check=result, resolution=resolution)


def spec_of_graph(
    graph: GraphModel,
    alpha: Fraction,
    resolution: Resolution,
    classes: int | None,
    conventions: Conventions,
) -> Architecture:
    """The nested spec of ``graph``, once it counts as the graph does at this very
    configuration (what ``mncost verify`` builds in PyTorch for a graph). NestError when
    the graph does not nest, or its spec counts otherwise here."""
    imported = import_spec(graph, resolution)
    mine = count(graph, alpha, resolution, classes, conventions).total
    spec = count(imported.arch, alpha, resolution, classes, conventions).total
    if mine != spec:
        raise NestError(
            f"its spec counts {spec.mult_adds:,} MACs and {spec.params:,} params here, where "
            f"the graph counts {mine.mult_adds:,} and {mine.params:,}"
        )
    return imported.arch
