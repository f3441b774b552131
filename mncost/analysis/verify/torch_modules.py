"""The PyTorch modules the builder puts together besides PyTorch's own layers: the spec's
activations as ``torch.nn`` modules, TensorFlow's SAME padding as a padding argument or a
``ZeroPad2d``, and the joins (an add, a concat, a scale by a gate, a learned per-channel
scale, a linear layer that maps NCHW to NCHW).

Cut from :mod:`mncost.analysis.verify.torch_model`; used by
:mod:`~mncost.analysis.verify.torch_build`. PyTorch is imported only inside these
functions.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from mncost.arch.ops import pair

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = ["activation", "join_modules", "padded"]

_ACTIVATIONS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "hswish": "Hardswish",
    "hsigmoid": "Hardsigmoid",
    "sigmoid": "Sigmoid",
    "swish": "SiLU",
    "gelu": "GELU",
    "tanh": "Tanh",
    "clip": "Hardtanh",
    "leaky_relu": "LeakyReLU",
    "prelu": "PReLU",
    "elu": "ELU",
    "selu": "SELU",
    "celu": "CELU",
    "softplus": "Softplus",
    "softsign": "Softsign",
    "mish": "Mish",
}
"""The spec's activations as torch modules; the other element-wise ops of an imported
graph (abs, exp, an add of a constant, ...) are an Identity: 0 FLOPs either way, and the
same shape."""


def activation(name: str) -> nn.Module:
    from torch import nn

    module = _ACTIVATIONS.get(name)
    if name == "prelu":  # one slope for all channels: PReLU's parameters are not counted
        return nn.LeakyReLU()
    return getattr(nn, module)() if module is not None else nn.Identity()


def _same_padding(side: int, extent: int, stride: int) -> tuple[int, int]:
    # TensorFlow's SAME rule: pad so the output side is ceil(side / stride), the extra
    # pixel going after (bottom/right).
    out = -(-side // stride)
    total = max((out - 1) * stride + extent - side, 0)
    return total // 2, total - total // 2


def padded(
    x: torch.Tensor,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    padding: Any,
    parts: OrderedDict[str, nn.Module],
) -> tuple[int, int]:
    """The padding argument for a conv or pool; SAME with an even extent adds a ZeroPad2d."""
    from torch import nn

    if padding == "valid":
        return (0, 0)
    if isinstance(padding, (list, tuple)) and len(padding) == 4:
        top, left, bottom, right = padding  # uneven: a ZeroPad2d first
        parts["pad"] = nn.ZeroPad2d((left, right, top, bottom))
        return (0, 0)
    if padding != "same":
        return pair(padding)
    extents = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if all(e % 2 for e in extents):
        # An odd extent has a centre: symmetric padding gives ceil(side / stride).
        return (extents[0] // 2, extents[1] // 2)
    top, bottom = _same_padding(x.shape[2], extents[0], stride[0])
    left, right = _same_padding(x.shape[3], extents[1], stride[1])
    parts["pad"] = nn.ZeroPad2d((left, right, top, bottom))
    return (0, 0)


def join_modules() -> dict[str, Any]:
    from torch import nn

    class Add(nn.Module):
        def __init__(self, act: str) -> None:
            super().__init__()
            self.act = activation(act)

        def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = self.act(a + b)
            return out

    class Concat(nn.Module):
        def forward(self, *parts: torch.Tensor) -> torch.Tensor:
            import torch

            return torch.cat(parts, dim=1)

    class Scale(nn.Module):
        def forward(self, x: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
            return x * gate

    class ChannelScale(nn.Module):
        # A learned weight per channel, as torchvision's L2Norm applies its weight.
        def __init__(self, channels: int, device: str) -> None:
            import torch

            super().__init__()
            self.weight = nn.Parameter(torch.ones(channels, device=device))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.weight.view(1, -1, 1, 1) * x

    class Linear2d(nn.Module):
        # Flatten, linear, and back to N x units x 1 x 1, so every module maps NCHW to
        # NCHW and any kind may follow an fc layer, as the spec format allows.
        def __init__(self, features: int, units: int, bias: bool, act: str, device: str) -> None:
            super().__init__()
            self.linear = nn.Linear(features, units, bias=bias, device=device)
            self.act = activation(act)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.act(self.linear(x.flatten(1)))
            out: torch.Tensor = y.reshape(y.shape[0], y.shape[1], 1, 1)
            return out

    return {
        "add": Add,
        "concat": Concat,
        "scale": Scale,
        "channel_scale": ChannelScale,
        "linear": Linear2d,
    }
