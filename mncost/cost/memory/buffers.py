"""Which tensors each op holds, and in how many bytes: every tensor's bytes
(:func:`tensor_bytes`), the depthwise convs that can run in place (:func:`in_place_ops`)
and the residual adds that can accumulate into their skip (:func:`accumulating_adds`),
which tensors share a buffer under an execution (:func:`shared_buffers`, the one
definition of in-place execution) and the bytes each op holds (:func:`op_live`,
:func:`live_bytes`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.execution import Execution
from mncost.cost.geometry import Geometry, Static, WidthPlan
from mncost.cost.plans import CACHED_OPS


def tensor_bytes(geometry: Geometry, per_value: Conventions | int) -> tuple[int, ...]:
    """Bytes of every tensor of the program (tensor 0 is the input image), at
    ``per_value`` bytes per value (or the conventions' dtype)."""
    size = per_value if isinstance(per_value, int) else DTYPE_BYTES[per_value.dtype]
    return tuple(
        h * w * c * size
        for h, w, c in zip(
            geometry.spatial.heights, geometry.spatial.widths, geometry.width.channels
        )
    )


def _read_later(static: Static) -> tuple[bool, ...]:
    """Per op: whether a later op still reads the op's (first) input.

    A tensor another op reads after op i is live at op i + 1 (the ``live`` column keeps
    a tensor from its writer to its last reader), so the live set of the next op says it.
    """
    n = len(static.name)
    return tuple(i + 1 < n and static.inputs[i][0] in static.live[i + 1] for i in range(n))


def _is_depthwise(role: str, kind: str, groups: int, c_in: int) -> bool:
    # A depthwise conv: the spec's dw, or any conv with one group per input channel.
    return role == "dw" or (kind == "conv" and groups == c_in and groups > 1)


_KEPT: list[tuple[Static, WidthPlan, tuple[bool, ...]]] = []
"""The last two deep programs' in-place ops (a report asks for them four times)."""


def in_place_ops(static: Static, width: WidthPlan) -> tuple[bool, ...]:
    """Per op: whether it is a depthwise conv that can run in place (under
    ``dw_inplace``): one that runs at inference and whose input nothing after it reads."""
    for kept_static, kept_width, ops in _KEPT:
        if kept_static is static and kept_width is width:
            return ops
    ops = _in_place_ops(static, width)
    if len(static.name) > CACHED_OPS:  # the objects are kept too, so no id is reused
        _KEPT[:] = [(static, width, ops), *_KEPT[:1]]
    return ops


def _in_place_ops(static: Static, width: WidthPlan) -> tuple[bool, ...]:
    later = _read_later(static)
    return tuple(
        not static.aux[i]
        and not later[i]
        and _is_depthwise(static.role[i], static.kind[i], width.groups[i], width.c_in[i])
        for i in range(len(static.name))
    )


Shared = tuple[tuple[int, ...], ...]
"""Per op: groups of its live tensors that share one buffer (each group holds as many
bytes as its largest member)."""


def accumulating_adds(static: Static) -> dict[int, tuple[int, int, int]]:
    """The residual adds that can accumulate into their skip buffer (``add_inplace``):
    add op -> (its skip input, its other input, the op that writes that other input).

    The writer of the other input writes it straight into the skip's buffer, and the
    sum takes the buffer over. That needs: two inputs; the other input read by the add
    alone; the skip read by nothing at or after that writer but the add; neither held
    past the add (a head's output is held to the end).
    """
    n = len(static.name)
    readers: dict[int, list[int]] = {}
    for i in range(n):
        if not static.aux[i]:
            for t in static.inputs[i]:
                readers.setdefault(t, []).append(i)
    out: dict[int, tuple[int, int, int]] = {}
    for i in range(n):
        if not static.is_add[i] or static.aux[i] or len(static.inputs[i]) != 2:
            continue
        a, b = static.inputs[i]
        skip, body = (a, b) if a < b else (b, a)  # the later-written input is the body's
        if body == 0:
            continue
        writer = body - 1  # tensor t is written by op t - 1
        after = static.live[i + 1] if i + 1 < n else ()
        if (
            readers.get(body) == [i]
            and all(r < writer or r == i for r in readers.get(skip, []))
            and skip not in after
            and body not in after
        ):
            out[i] = (skip, body, writer)
    return out


def shared_buffers(static: Static, width: WidthPlan, execution: Execution) -> tuple[Shared, ...]:
    """Which live tensors share a buffer at each op under ``execution``: the one
    definition of in-place execution, which the per-op reckoning, the sweep's peak and
    the patch stage all evaluate.

    - ``dw_inplace``: a depthwise conv that can run in place shares its input's buffer
      with its output;
    - ``add_inplace``: an accumulating add's body writes into the skip's buffer (at the
      op that writes it), and the sum takes that buffer over (at the add). An op that
      already runs in place over its input does not also accumulate: such an add keeps
      its buffers apart.
    """
    n = len(static.name)
    shared: list[list[tuple[int, ...]]] = [[] for _ in range(n)]
    if execution.dw_inplace:
        for i, ok in enumerate(in_place_ops(static, width)):
            if ok:
                shared[i].append((static.inputs[i][0], static.output[i]))
    if execution.add_inplace:
        for i, (skip, body, writer) in accumulating_adds(static).items():
            if shared[writer]:
                continue
            shared[writer].append((skip, body))
            shared[i].append((skip, body, static.output[i]))
    return tuple(tuple(groups) for groups in shared)


def op_live(live: Sequence[int], shared: Shared, size: Callable[[int], int]) -> int:
    """The bytes one op holds: its live tensors, each group that shares a buffer
    counted as its largest member (``size``: a tensor's bytes)."""
    total = sum(size(t) for t in live)
    for group in shared:
        sizes = [size(t) for t in group]
        total -= sum(sizes) - max(sizes)
    return total


def live_bytes(geometry: Geometry, execution: Execution) -> tuple[int, ...]:
    """Bytes held while each op runs layer by layer: the sum of its live tensors (0 for
    an op of an auxiliary head), tensors that share a buffer counted once, as their
    largest."""
    per_value = execution.bytes_per_value
    if per_value == 1:
        return _live_values(geometry, execution)
    return tuple(v * per_value for v in _live_values(geometry, execution))


def _live_values(geometry: Geometry, execution: Execution) -> tuple[int, ...]:
    # Values held per op. Every tensor's bytes are its values times the bytes per value,
    # and a shared buffer's largest member stays the largest when all are scaled, so one
    # count of values serves every dtype (kept in the geometry's memo, per in-place
    # setting: a report reckons int8 and float32 of one configuration).
    key = ("live values", execution.dw_inplace, execution.add_inplace)
    memo = geometry.memo
    values: tuple[int, ...] | None = memo.get(key)
    if values is not None:
        return values
    sizes = tensor_bytes(geometry, 1)
    st = geometry.static
    shared = shared_buffers(st, geometry.width, execution)
    size = sizes.__getitem__
    # op_live, inlined: most ops share no buffer, and a deep spec has 100,000 of them.
    values = memo[key] = tuple(
        0 if aux else (op_live(live, groups, size) if groups else sum(map(size, live)))
        for aux, live, groups in zip(st.aux, st.live, shared)
    )
    return values
