"""The paper's two ablations of MobileNet v1, each a small transform of the v1 spec.

- ``mobilenet-v1-conv`` (Table 4, "Conv MobileNet"): every depthwise separable block
  (``dw_i`` then ``pw_i``) becomes one full conv with the depthwise conv's kernel and
  stride and the pointwise conv's filters.
- ``mobilenet-v1-shallow`` (Table 5, "Shallow MobileNet"): the five separable blocks on
  14x14x512 (``dw_7``/``pw_7`` .. ``dw_11``/``pw_11``, Table 1's "5x" rows) removed.

Both are built from ``get_model("mobilenet-v1")`` rather than copied, so a fix to the
v1 spec reaches them too.
"""

from __future__ import annotations

from collections.abc import Callable

from mncost.arch import ops as layers
from mncost.arch.ops import builtin
from mncost.arch.registry import get_model, register

__all__ = ["mobilenet_v1_conv", "mobilenet_v1_shallow", "separable_to_full", "without_layers"]

_Conv = builtin(layers.Conv)

# Table 1's "5x" rows: the separable blocks that keep 14x14x512 in and out.
_SHALLOW_DROPPED = frozenset(
    f"{kind}_{block}" for block in range(7, 12) for kind in ("dw", "pw"))


def separable_to_full(body: list[layers.Layer]) -> list[layers.Layer]:
    """``body`` with each dw followed by pw replaced by one full conv.

    The conv takes the dw's kernel and stride and the pw's filters; it is named after
    the block ("dw_3", "pw_3" -> "conv_3"). Other layers are kept as they are.
    """
    result: list[layers.Layer] = []
    i = 0
    while i < len(body):
        layer = body[i]
        following = body[i + 1] if i + 1 < len(body) else None
        if isinstance(layer, layers.DepthwiseConv) and isinstance(following, layers.PointwiseConv):
            block = layer.name.removeprefix("dw_")
            result.append(_Conv(name=f"conv_{block}", kernel=layer.kernel, stride=layer.stride,
                                filters=following.filters,
                                batch_norm=following.batch_norm))
            i += 2
        else:
            result.append(layer)
            i += 1
    return result


def without_layers(body: list[layers.Layer], names: frozenset[str]) -> list[layers.Layer]:
    """``body`` without the layers named in ``names`` (every name must be there)."""
    missing = names - {layer.name for layer in body}
    if missing:
        raise ValueError(f"layers not in the spec: {', '.join(sorted(missing))}")
    return [layer for layer in body if layer.name not in names]


def _v1_variant(name: str, description: str,
                layers_of: Callable[[list[layers.Layer]], list[layers.Layer]]
                ) -> layers.Architecture:
    # One way to derive a variant: the v1 spec with its layers transformed.
    base = get_model("mobilenet-v1")
    return base.model_copy(update={"name": name, "description": description,
                                   "layers": layers_of(list(base.layers))})


@register(
    "mobilenet-v1-conv",
    "Conv MobileNet: v1 with every depthwise separable block as a full conv",
    "Howard et al. 2017, arXiv:1704.04861, Table 4",
    family="mobilenet_v1",
)
def mobilenet_v1_conv() -> layers.Architecture:
    """Table 4's "Conv MobileNet": dw + pw -> one full 3x3 conv, block by block."""
    return _v1_variant("mobilenet-v1-conv",
                       "MobileNet v1 with full 3x3 convs instead of depthwise separable "
                       "blocks (Howard et al. 2017, Table 4)",
                       separable_to_full)


@register(
    "mobilenet-v1-shallow",
    "Shallow MobileNet: v1 without the five 14x14x512 separable blocks",
    "Howard et al. 2017, arXiv:1704.04861, Table 5",
    family="mobilenet_v1",
)
def mobilenet_v1_shallow() -> layers.Architecture:
    """Table 5's "Shallow MobileNet": Table 1's five repeated 14x14x512 blocks removed."""
    return _v1_variant("mobilenet-v1-shallow",
                       "MobileNet v1 without the five 14x14x512 separable blocks "
                       "(Howard et al. 2017, Table 5)",
                       lambda body: without_layers(body, _SHALLOW_DROPPED))
