"""The nodes that compute no feature map of their own (:class:`ShapePlumbing`): a node on
constants alone, folded to its value when it is a small shape computation; the shape
plumbing (Flatten, Reshape, Transpose, Squeeze, ...), the same engine tensor with its
layout followed; and Shape / Size, a constant of the map's shape."""

from __future__ import annotations

import math
from typing import Any

from mncost.cost.onnx_import.bounds import SMALL
from mncost.cost.onnx_import.folding import evaluate
from mncost.cost.onnx_import.lowering import LoweringBase
from mncost.cost.onnx_import.values import Const, Data, attr_int
from mncost.errors import OnnxImportError


class ShapePlumbing(LoweringBase):
    """Constants folded, shape plumbing followed, shapes read."""

    def fold(self, node: Any, attrs: dict[str, Any]) -> None:
        """A node on constants only: computed when it is a small shape computation."""
        if node.op_type == "Identity" and node.input and node.input[0] in self.consts:
            self.consts[node.output[0]] = self.consts[node.input[0]]  # a shared weight
            return
        value = None
        try:
            value = evaluate(node, attrs, self.consts)
        except Exception:  # an op the folder does not know: its value is unknown
            value = None
        for out in node.output:
            if value is None:
                self.consts[out] = Const(())
        if value is not None and node.output:
            import numpy as np

            array = np.asarray(value)
            self.consts[node.output[0]] = Const(
                tuple(array.shape), array if array.size <= SMALL else None
            )

    def alias(self, node: Any, attrs: dict[str, Any]) -> None:
        """Shape plumbing: the same engine tensor, its layout followed where it matters
        (a channel shuffle reshapes and transposes, then reshapes back)."""
        import numpy as np

        op_type = node.op_type
        d = self.take(node.input[0], node)
        for extra in node.output[1:]:  # Dropout's mask: never read by a counted op
            self.consts[extra] = Const(())
        before = self.layout(d)
        count = math.prod(before)
        after: tuple[int, ...] | None = before
        try:
            if op_type == "Flatten":
                axis = int(attrs.get("axis", 1)) % max(len(before), 1)
                after = (math.prod(before[:axis]), math.prod(before[axis:]))
            elif op_type == "Reshape":
                target = [int(v) for v in self.value(node.input[1], node, "shape")]
                target = [
                    before[i] if v == 0 and i < len(before) else v for i, v in enumerate(target)
                ]
                if target.count(-1) == 1:
                    known = math.prod(v for v in target if v != -1)
                    target[target.index(-1)] = count // known if known else 0
                after = tuple(target)
            elif op_type == "Transpose":
                perm = attrs.get("perm", list(range(len(before)))[::-1])
                after = tuple(before[int(i)] for i in perm)
            elif op_type == "Squeeze":
                axes = (
                    self.value(node.input[1], node, "axes")
                    if len(node.input) > 1 and node.input[1]
                    else attrs.get("axes")
                )
                if axes is None:
                    after = tuple(v for v in before if v != 1) or (1,)
                else:
                    drop = {int(a) % len(before) for a in axes}
                    after = tuple(v for i, v in enumerate(before) if i not in drop)
            elif op_type == "Unsqueeze":
                axes = (
                    self.value(node.input[1], node, "axes")
                    if len(node.input) > 1 and node.input[1]
                    else attrs.get("axes")
                )
                out = list(before)
                axes = list(axes or [])
                for a in sorted(int(a) % (len(before) + len(axes)) for a in axes):
                    out.insert(a, 1)
                after = tuple(out)
        except OnnxImportError:
            after = None  # a target computed at run time: the layout is not followed
        if after is not None and math.prod(after) != count:
            raise OnnxImportError(
                f"{self.where(node)} turns {count:,} values into {list(after)}: mncost "
                "follows shape plumbing only where it keeps every value"
            )
        own = self.layout(Data(d.tensor, 4)) if d.rank == 4 or d.shape else None
        rank = len(after) if after is not None else 2
        if after is not None and len(after) == 4 and own is not None and tuple(after) == own:
            self.data[node.output[0]] = Data(d.tensor, 4)
        elif after is not None and len(after) == 2:
            self.data[node.output[0]] = Data(
                d.tensor, 2, shape=None if after == (1, count) else after
            )
        else:
            self.data[node.output[0]] = Data(d.tensor, rank, shape=after)
        del np

    def shape_of(self, node: Any) -> None:
        import numpy as np

        d = self.take(node.input[0], node, allow_pad=True)
        shape = list(self.layout(d))
        if node.op_type == "Size":
            shape = [math.prod(shape)]
        else:
            start = int(attr_int(node, "start", 0))
            end = attr_int(node, "end", None)
            shape = shape[start:end]
        self.consts[node.output[0]] = Const((len(shape),), np.array(shape, dtype=np.int64))
