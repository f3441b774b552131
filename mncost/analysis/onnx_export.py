"""Writing any model mncost counts as a runnable ONNX model: the same program the engine
counts, at one (alpha, resolution), with seeded random weights.

:func:`export_onnx` builds the graph with the ``onnx`` package alone (no framework): one
ONNX node per engine op, the widths and shapes of the engine's geometry at the
configuration. So a built-in model, a spec or an imported graph leaves mncost as a file
that onnxruntime runs, Netron opens, and a device can time (``mncost measure``, the
device issue); and reading the file back counts exactly what the engine counted.

What the file holds:

- Conv nodes (their groups, dilation, and padding: SAME_UPPER for TensorFlow's "same",
  explicit pads otherwise), Gemm for fully connected layers (a Flatten before one that
  reads a map), MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool, Add, Concat,
  Mul (squeeze-and-excite's rescale), Softmax, Resize, and the activations;
- a learned per-channel scale (a ``scale`` layer): a Mul by a weight of shape
  [1, C, 1, 1] (ones), which counts as C params on re-import, as in the engine;
- batch norm: ``--bn none`` leaves it out (at inference it folds into the conv before it,
  and with random weights nothing is lost: the graph runs the ops mncost counts and
  its params are the convs' weights); ``--bn affine`` or ``all`` keeps a
  BatchNormalization node after each conv that has one, whose params mncost counts
  under that ``--bn`` on re-import;
- weights: float32, from numpy's default generator seeded with ``seed``, He-uniform so a
  deep network's outputs stay finite; biases zero;
- an auxiliary (training-only) head is left out: it never runs at inference, so the
  file's params are the original's less the head's;
- opset 17; the input is ``input`` (N, C, H, W) with a symbolic batch, the output
  ``output``. A model whose weights pass protobuf's 2 GB keeps them in ``FILE.data``
  next to the file.

The nodes, op by op, come from :mod:`mncost.analysis.onnx_nodes`; this module counts
the model, finishes the graph and writes the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from mncost.analysis.onnx_nodes import ExportError, NodeBuilder
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.result import count
from mncost.cost.scaling import Resolution
from mncost.files import write_atomic
from mncost.text import shorten

__all__ = ["OPSET", "EXTERNAL_LIMIT", "ExportError", "Exported", "build_onnx", "export_onnx"]

OPSET = 17
"""The ONNX opset of exported files."""
EXTERNAL_LIMIT = 1_800_000_000
"""Weights above this many bytes go to an external data file (protobuf refuses 2 GB)."""

INSTALL = "writing ONNX files needs the onnx package: pip install 'mncost[onnx]'"


@dataclass(frozen=True)
class Exported:
    """What :func:`export_onnx` wrote."""

    path: Path
    external: Path | None
    """The external data file, when the weights pass protobuf's limit (else None)."""
    nodes: int
    params: int
    """Weights and biases in the file (batch norm's four values per channel included
    when kept)."""
    bytes: int
    """The size of what was written (both files)."""


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ExportError(INSTALL) from None
    return onnx


def build_onnx(
    model: Model,
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    *,
    seed: int = 0,
) -> Any:
    """The ONNX ``ModelProto`` of ``model`` at (alpha, resolution) (see the module's
    docstring); ScalingError when the configuration cannot be counted."""
    return _build(model, alpha, resolution, classes, conventions, seed)[0]


def _build(
    model: Model,
    alpha: Fraction,
    resolution: Resolution | None,
    classes: int | None,
    conventions: Conventions,
    seed: int,
) -> tuple[Any, int]:
    onnx = _onnx()
    unknown = getattr(model, "not_counted", ())
    if unknown:  # an export would run something else in their place: never silently
        listed = ", ".join(
            f"{u.op_type}" + (f" x{u.count}" if u.count > 1 else "") for u in unknown[:8]
        )
        raise ExportError(
            f"{model.name}: holds ops mncost does not know ({shorten(listed, 200)}); an "
            "export cannot run them, so it is refused (count it with `mncost table`, "
            "which lists them as not counted)"
        )
    result = count(model, alpha, resolution, classes, conventions)
    g = result.geometry
    builder = NodeBuilder(onnx, g, conventions, seed)
    nodes, proto, params = builder.build()
    last = max((i for i, op in enumerate(g.program.ops) if not op.aux), default=None)
    if last is None:
        raise ExportError(f"{model.name}: no op runs at inference; nothing to export")
    last_t = g.program.ops[last].output
    final = builder.names[last_t]
    out_c, out_h, out_w = (
        g.width.channels[last_t],
        g.spatial.heights[last_t],
        g.spatial.widths[last_t],
    )
    if out_h == out_w == 1:
        # Scores (an fc's, or SqueezeNet's 1x1 conv map): N x K, as classifiers give them
        nodes.append(onnx.helper.make_node("Flatten", [final], ["output"], name="output", axis=1))
        out_shape: list[Any] = ["N", out_c]
    else:
        nodes.append(onnx.helper.make_node("Identity", [final], ["output"], name="output"))
        out_shape = ["N", out_c, out_h, out_w]
    h, w = g.spatial.heights[0], g.spatial.widths[0]
    graph = proto.graph
    graph.name = _graph_name(model.name)
    graph.node.extend(nodes)
    graph.input.append(
        onnx.helper.make_tensor_value_info(
            "input", onnx.TensorProto.FLOAT, ["N", g.program.input_channels, h, w]
        )
    )
    graph.output.append(
        onnx.helper.make_tensor_value_info("output", onnx.TensorProto.FLOAT, out_shape)
    )
    for t in g.program.outputs:  # each head's output, by the name of the op that wrote it
        if t != last_t:
            graph.output.append(
                onnx.helper.make_tensor_value_info(
                    builder.names[t],
                    onnx.TensorProto.FLOAT,
                    ["N", g.width.channels[t], g.spatial.heights[t], g.spatial.widths[t]],
                )
            )
    proto.opset_import.append(onnx.helper.make_opsetid("", OPSET))
    proto.producer_name = "mncost"
    proto.doc_string = (
        f"{model.name} at alpha {float(result.alpha):g}, {h}x{w}, {result.classes} classes; "
        "seeded random weights (for timing and shapes, not for accuracy)"
    )
    proto.ir_version = 8  # opset 17's IR: older runtimes read it
    return proto, params


def _graph_name(name: str) -> str:
    text = "".join(ch if ch.isprintable() else "_" for ch in name)[:200]
    return text or "mncost"


def export_onnx(
    model: Model,
    path: str | os.PathLike[str],
    alpha: Fraction = Fraction(1),
    resolution: Resolution | None = None,
    classes: int | None = None,
    conventions: Conventions = Conventions(),
    *,
    seed: int = 0,
    inputs: dict[Path, str] | None = None,
) -> Exported:
    """Write ``model`` at (alpha, resolution) to ``path`` as ONNX, atomically (the file and,
    for a model past 2 GB, its external data file ``path.data``)."""
    onnx = _onnx()
    proto, params = _build(model, alpha, resolution, classes, conventions, seed)
    path = Path(path)
    weights = sum(t.ByteSize() for t in proto.graph.initializer)
    external = None
    written = 0
    if weights > EXTERNAL_LIMIT:
        from onnx.external_data_helper import convert_model_to_external_data

        external = path.with_name(path.name + ".data")
        convert_model_to_external_data(
            proto, all_tensors_to_one_file=True, location=external.name, size_threshold=1024
        )
        data = bytearray()
        for tensor in proto.graph.initializer:
            if tensor.data_location != onnx.TensorProto.EXTERNAL:
                continue
            raw = tensor.raw_data
            offset = len(data)
            data += raw
            tensor.ClearField("raw_data")
            for entry in tensor.external_data:
                if entry.key == "offset":
                    entry.value = str(offset)
                elif entry.key == "length":
                    entry.value = str(len(raw))
            if not any(e.key == "offset" for e in tensor.external_data):
                tensor.external_data.add(key="offset", value=str(offset))
                tensor.external_data.add(key="length", value=str(len(raw)))
        write_atomic(external, bytes(data), inputs)
        written += len(data)
    blob = proto.SerializeToString()
    write_atomic(path, blob, inputs)
    written += len(blob)
    return Exported(path, external, len(proto.graph.node), params, written)
