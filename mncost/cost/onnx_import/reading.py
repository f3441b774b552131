"""Reading the file, :func:`load_onnx`: a regular file of at most
:data:`~mncost.cost.onnx_import.bounds.MAX_ONNX_BYTES` read whole (never a directory, a
FIFO or a device), parsed as an ONNX model, refused with one line when it is empty, not
an ONNX model or holds no graph, or when its weights are said to lie outside the model's
folder (external data is never read either way), then lowered. The limit is this
module's ``MAX_ONNX_BYTES``, looked up as each file is read (the tests lower it here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mncost.bounded import BoundedReadError, read_bounded
from mncost.cost.model import GraphModel
from mncost.cost.onnx_import.bounds import MAX_ONNX_BYTES, require_onnx
from mncost.cost.onnx_import.walk import lower_onnx
from mncost.errors import OnnxImportError
from mncost.text import quote, shorten


def load_onnx(path: str | Path, *, strict: bool = False) -> GraphModel:
    """The ONNX model at ``path`` as a :class:`GraphModel`; OnnxImportError (one line) for
    a file that is not a readable ONNX model or a graph mncost cannot count."""
    onnx = require_onnx()
    path = Path(path)
    shown = quote(str(path))
    try:
        data = read_bounded(path, MAX_ONNX_BYTES, "ONNX file")
    except BoundedReadError as exc:
        raise OnnxImportError(str(exc)) from None
    if not data:
        raise OnnxImportError(f"ONNX file {shown} is empty")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as exc:  # google.protobuf.message.DecodeError, RecursionError, ...
        reason = shorten(str(exc) or type(exc).__name__, 100)
        raise OnnxImportError(
            f"ONNX file {shown} is not an ONNX model (cannot parse it: {reason})"
        ) from None
    del data
    if not model.HasField("graph") or not model.graph.node:
        raise OnnxImportError(f"ONNX file {shown} holds no graph (is it an ONNX model?)")
    _check_external_data(model, path)
    name = model.graph.name if _plain_name(model.graph.name) else path.stem
    return lower_onnx(
        model, name=name or "onnx-model", source=f"ONNX file {path.name}", strict=strict
    )


def _plain_name(text: str) -> bool:
    return (
        bool(text)
        and len(text) <= 200
        and text.isprintable()
        and text not in ("main_graph", "torch_jit", "torch-jit-export", "main")
    )


def _check_external_data(model: Any, path: Path) -> None:
    """Refuse an external-data location outside the model's folder (never read either way)."""
    folder = path.resolve().parent
    tensors = list(model.graph.initializer)
    for tensor in tensors:
        for entry in tensor.external_data:
            if entry.key != "location":
                continue
            location = entry.value
            target = (folder / location).resolve()
            if Path(location).is_absolute() or not target.is_relative_to(folder):
                raise OnnxImportError(
                    f"ONNX file {quote(str(path))}: the weights of {quote(tensor.name)} are "
                    f"said to lie in {quote(location)}, outside the model's folder; mncost "
                    "reads no data outside what you name (and never reads weights)"
                )
