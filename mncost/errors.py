"""The exceptions of mncost's Python API, importable without the modules that raise them.

Every one is a :class:`ValueError` (or, for an unknown model, a :class:`KeyError`) whose
message is one line, the same line the command line prints. A wrong *type* of argument
(a list where a model name belongs, ``None`` for a device) is a :class:`TypeError` that
names the argument. A leaf module: it imports nothing from mncost.
"""

from __future__ import annotations

__all__ = ["ExploreError", "LatencyError", "MeasureError", "NestError", "OnnxImportError"]


class ExploreError(ValueError):
    """Bad input for the explorer (a grid, a budget, a family, a metric) or nothing to
    explore; the message is one line."""


class LatencyError(ValueError):
    """Bad input for a latency estimate or a calibration: an unknown device, an invalid
    profile file or measurements CSV, too few points. The message is one line."""


class MeasureError(ValueError):
    """A measurement that cannot start (no runtime, too much to open at once)."""


class OnnxImportError(ValueError):
    """An ONNX file mncost cannot read or count; the message is one line."""


class NestError(ValueError):
    """An imported graph that does not nest into the spec language's composites (``mncost
    import``); the message names the node that breaks the nesting, in one line."""
