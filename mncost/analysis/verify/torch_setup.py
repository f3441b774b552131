"""What building a spec in PyTorch starts from: PyTorch itself (or the line that installs
it), the options besides the spec that size the network, and the errors a build raises.

Cut from :mod:`mncost.analysis.verify.torch_model` (which re-exports every name here) so
that the builder (:mod:`~mncost.analysis.verify.torch_build`) and the measurement share
them. PyTorch is an optional extra, imported only inside :func:`require_torch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from mncost.arch.width import WidthRule

__all__ = [
    "INSTALL_COMMAND",
    "INSTALL_HINT",
    "BuildOptions",
    "TorchFailed",
    "TorchMissing",
    "UnsupportedLayer",
    "require_torch",
    "torch_version",
]

INSTALL_COMMAND = "pip install 'mncost[torch]' (on this machine: pip install torch==2.13.0)"
"""How to install the optional PyTorch extra (the CPU build; never a bare ``torch``)."""
INSTALL_HINT = f"mncost verify needs PyTorch: {INSTALL_COMMAND}"
"""What :class:`TorchMissing` says."""


class TorchMissing(RuntimeError):
    """PyTorch is not installed; the message says how to install it."""


class UnsupportedLayer(ValueError):
    """A layer kind that has no PyTorch builder here yet."""


class TorchFailed(RuntimeError):
    """PyTorch refused to run a layer of the spec (so it cannot agree with mncost)."""


def require_torch() -> Any:
    """The ``torch`` module, or :class:`TorchMissing` with the install line."""
    try:
        import torch
    except ImportError:
        raise TorchMissing(INSTALL_HINT) from None
    return torch


def torch_version() -> str:
    """The installed PyTorch's version string."""
    return str(require_torch().__version__)


@dataclass(frozen=True)
class BuildOptions:
    """What, besides the spec, decides the PyTorch network's shape."""

    alpha: Fraction
    classes: int
    """Units of every fc layer whose spec leaves ``units`` out; 0 drops the classifier."""
    rule: WidthRule
    fc_bias: bool
    device: str = "meta"

    def width(self, filters: int, scale: str = "alpha") -> int:
        # The one rule shared with mncost's counter, on purpose: channel counts under
        # alpha are a convention to verify against, not a quantity to re-derive.
        return self.rule.scale(filters, self.alpha, scale)  # type: ignore[arg-type]
