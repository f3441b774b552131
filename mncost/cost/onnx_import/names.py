"""Names and blocks: a layer is named after its node (the PyTorch module path its
exporter wrote, else the node's name, else its op type and index), unique in the graph,
and its block is the module path up to its first index (:func:`shown_name`)."""

from __future__ import annotations

import re
from typing import Any

from mncost.cost.onnx_import.values import State

_WEIGHT = re.compile(r"([^\s/:]+)\.weight")


def _module_path(node: Any) -> str:
    """The PyTorch module a node comes from, when its exporter says so: a conv's or a
    linear layer's weight name (``features.0.0.weight``; the newer exporter names a conv
    it fused with its batch norm after the norm, but keeps the weight's name), the legacy
    exporter's /a/a.b/c/c.0/Op name, or the newer one's name scopes."""
    if node.op_type in ("Conv", "Gemm", "MatMul") and len(node.input) > 1:
        weight = _WEIGHT.fullmatch(node.input[1])
        if weight is not None:
            return weight[1]
    for prop in node.metadata_props:
        if prop.key == "pkg.torch.onnx.name_scopes":
            scopes = re.findall(r"'([^']*)'", prop.value)
            parts = [s for s in scopes[1:-1] if s]
            return parts[-1] if parts else ""
    name = node.name
    if name.startswith("/") and name.count("/") >= 2:
        path: list[str] = []
        for part in name.strip("/").split("/")[:-1]:
            if path and part.startswith(path[-1] + "."):
                path[-1] = part
            else:
                path.append(part)
        return ".".join(path)
    return ""


def _block(module: str) -> str:
    """The block a module path belongs to: up to its first index ("features.3.conv.0"
    -> "features.3"; "layer1.0.conv1" -> "layer1.0"); its first name if it has none but
    is nested ("Mixed_5b.branch1x1" -> "Mixed_5b"); "" at the top."""
    parts = module.split(".") if module else []
    for i, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[: i + 1])
    return parts[0] if len(parts) > 1 else ""


def shown_name(node: Any, index: int, state: State) -> tuple[str, str]:
    """The layer's name (printable, unique in ``state``) and its block."""
    module = _module_path(node)
    op = node.op_type
    base = module or node.name.strip("/") or f"{op}_{index}"
    base = "".join(ch if ch.isprintable() else "_" for ch in base)[:180] or f"{op}_{index}"
    name = base if base not in state.names else f"{base}.{op}"
    n = 2
    while name in state.names:
        name = f"{base}.{op}_{n}"
        n += 1
    state.names.add(name)
    return name, _block(module)
