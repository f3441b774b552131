"""``mncost verify``: an independent cross-check of mncost's counts against PyTorch.

:mod:`mncost.analysis.verify.torch_build` builds an architecture spec as ``torch.nn``
modules (from the activations, padding and joins of
:mod:`~mncost.analysis.verify.torch_modules`), and
:mod:`mncost.analysis.verify.torch_model` measures the network with PyTorch's own FLOP
counter; :mod:`mncost.analysis.verify.compare` pairs those figures with mncost's, layer
by layer, and gives the verdict; :mod:`mncost.present.views.verify` lays it out. PyTorch
is an optional extra (``pip install 'mncost[torch]'``, checked for in
:mod:`~mncost.analysis.verify.torch_setup`), imported only when a verification runs.
"""

from mncost.analysis.verify.compare import LayerCheck, Verification, verify
from mncost.analysis.verify.torch_model import (
    INSTALL_COMMAND,
    INSTALL_HINT,
    TorchFailed,
    TorchMissing,
    UnsupportedLayer,
)

__all__ = [
    "INSTALL_COMMAND",
    "INSTALL_HINT",
    "LayerCheck",
    "TorchFailed",
    "TorchMissing",
    "UnsupportedLayer",
    "Verification",
    "verify",
]
