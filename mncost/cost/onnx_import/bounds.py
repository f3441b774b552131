"""What the importer needs before it reads a file: the bounds on what it reads
(:data:`MAX_ONNX_BYTES`, :data:`MAX_ONNX_NODES`, and :data:`SMALL`, the largest constant
read as values) and the ``onnx`` package (the ``mncost[onnx]`` extra), imported only when
a model is read."""

from __future__ import annotations

from typing import Any

from mncost.errors import OnnxImportError

MAX_ONNX_BYTES = 2**31 - 1
"""An ONNX file is at most protobuf's 2 GiB (larger models keep their weights in external
data files, which mncost never reads)."""
MAX_ONNX_NODES = 200_000
"""A graph has at most this many nodes."""
SMALL = 4096
"""Constants up to this many elements are read as values (shapes, axes, pads, scales);
weights never are."""

INSTALL = "reading ONNX files needs the onnx package: pip install 'mncost[onnx]'"
"""What to do when the onnx package is missing (one line)."""


def onnx_available() -> bool:
    """Whether the ``onnx`` package can be imported."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


def require_onnx() -> Any:
    """The ``onnx`` module; OnnxImportError saying what to install when it is missing."""
    try:
        import onnx
    except ImportError:
        raise OnnxImportError(INSTALL) from None
    return onnx
