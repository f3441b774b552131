"""The patch stage of patch-based inference (MCUNetV2, Lin et al. 2021, arXiv:2110.15352).

The split op's output is cut into a P x Q grid of patches. For each patch, the region of
every earlier tensor that the patch needs is traced back op by op:

- a window op (a conv of any kind, a windowed pool) with kernel k, stride s, dilation d
  and leading padding p needs, for output rows [a, b), input rows
  [a*s - p, (b-1)*s - p + d*(k-1) + 1), clipped to the input (the padding stays
  padding at the borders; rows whose windows read only padding need nothing; the
  simple pool form's windows start at pixel 0). Where the taps skip pixels (a dilation
  under a stride) the span may include a border pixel no tap reads: a region is then
  a safe bound, never short of a pixel read. Rows and columns trace apart: a region
  is the product of its row and column intervals;
- an element-wise op (a residual add, a concatenation, a fused activation) needs the
  same rows and columns of each input;
- a tensor read by several ops (a residual's skip, a concatenation's branches) needs
  the bounding box of their regions.

Each patch then runs layer by layer over its regions, recomputing the halos that
neighbouring patches share; the split's output is one whole buffer the patches fill.
Ops that need their whole input (fully connected, global or adaptive pooling,
squeeze-and-excite's gate, resizing) cannot be in the stage: the split must come before
them. The split must cut the network: nothing after it reads a tensor written before it.

The recomputation's MACs: a stage op's MACs are its output pixels times its MACs per
output pixel (a border pixel counts its whole kernel, padding included, as PyTorch's
count does), so each patch costs its output region's share; the overhead is the sum over
patches less the op's MACs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from mncost.cost.execution import Execution, ExecutionError
from mncost.cost.geometry import Geometry
from mncost.text import quote

__all__ = ["PatchStage", "Region", "patch_stage", "split_index"]


@dataclass(frozen=True)
class Region:
    """Rows [top, bottom) and columns [left, right) of a feature map."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def area(self) -> int:
        return self.height * self.width

    def union(self, other: Region) -> Region:
        """The bounding box of both."""
        return Region(
            min(self.top, other.top),
            max(self.bottom, other.bottom),
            min(self.left, other.left),
            max(self.right, other.right),
        )


@dataclass(frozen=True)
class PatchStage:
    """The patch stage of one configuration: which ops, each patch's regions, the MACs."""

    split: str
    """The op whose output ends the stage."""
    split_op: int
    """Its index: the stage is ops 0 to ``split_op``."""
    split_tensor: int
    grid: tuple[int, int]
    """(rows, columns) of patches."""
    down: tuple[dict[int, tuple[int, int]], ...] = field(repr=False)
    """Per row of patches: tensor index -> the rows [top, bottom) it needs."""
    across: tuple[dict[int, tuple[int, int]], ...] = field(repr=False)
    """Per column of patches: tensor index -> the columns [left, right) it needs."""
    stage_macs: int
    """The stage's MACs run layer by layer, once."""
    patched_macs: int
    """The stage's MACs run patch by patch, halos recomputed."""
    network_macs: int

    @cached_property
    def regions(self) -> tuple[dict[int, Region], ...]:
        """Per patch (row-major): tensor index -> the region the patch computes or reads
        (the product of its rows and columns). A tensor only an auxiliary head reads has
        no region."""
        return tuple(
            {t: Region(*y, *across[t]) for t, y in down.items()}
            for down in self.down
            for across in self.across
        )

    @property
    def extra_macs(self) -> int:
        """The recomputation overhead: patched_macs - stage_macs."""
        return self.patched_macs - self.stage_macs

    def largest(self, tensor: int) -> Region | None:
        """The largest region of ``tensor`` over the patches (the first on a tie)."""
        best: Region | None = None
        for regions in self.regions:
            r = regions.get(tensor)
            if r is not None and (best is None or r.area > best.area):
                best = r
        return best


def split_index(geometry: Geometry, split: str) -> int:
    """The op that ``split`` names: an op's name, or a block's (its last op)."""
    names = geometry.static.name
    blocks = geometry.static.block
    for i, name in enumerate(names):
        if name == split:
            return i
    last = [i for i, b in enumerate(blocks) if b == split]
    if last:
        return last[-1]

    near = [n for n in dict.fromkeys(b or n for n, b in zip(names, blocks))][:6]
    raise ExecutionError(
        f"--split {quote(split)}: no op or block has that name; the first are "
        + ", ".join(near)
        + " ('mncost memory MODEL' lists every op)"
    )


_LOCAL_KINDS = ("conv", "pool", "add", "concat", "map")


def _check_stage(geometry: Geometry, end: int) -> None:
    st = geometry.static
    ops = geometry.program.ops
    split_tensor = st.output[end]
    for i in range(end + 1):
        if st.aux[i]:
            continue
        kind = st.kind[i]
        whole = kind == "pool" and ops[i].pool in ("global", "adaptive")
        if whole or kind not in _LOCAL_KINDS:
            raise ExecutionError(
                f"--split {st.name[end]}: the patch stage would hold {st.name[i]} "
                f"({st.role[i]}), which needs its whole input, not a patch of it; split "
                "before it"
            )
    for k in range(end + 1, len(st.name)):
        if st.aux[k]:
            continue
        early = [t for t in st.live[k] if t < split_tensor]
        if early:
            t = early[0]
            held = "the network's input" if t == 0 else st.name[t - 1]
            raise ExecutionError(
                f"--split {st.name[end]}: it does not cut the network: {st.name[k]} still "
                f"needs {held}, written before the split; split at the end of a block"
            )


def _pad_begin(geometry: Geometry, i: int, axis: int) -> int:
    op = geometry.program.ops[i]
    sp = geometry.spatial
    k = (sp.k_h if axis == 0 else sp.k_w)[i]
    size = (sp.h_in if axis == 0 else sp.w_in)[i]
    out = (sp.h_out if axis == 0 else sp.w_out)[i]
    s, d = op.stride[axis], op.dilation[axis]
    pad = op.padding
    if pad == "legacy":  # the simple pool form: window = stride from pixel 0, ceil mode
        return 0
    if pad == "same":  # TensorFlow: the smaller half of the total before
        return max((out - 1) * s + d * (k - 1) + 1 - size, 0) // 2
    if pad == "valid":
        return 0
    return int(pad[axis])  # (top/bottom, left/right) or (top, left, bottom, right)


Interval = tuple[int, int]


def _axis_plan(geometry: Geometry, end: int, axis: int) -> list[tuple[int, int, int, int, int]]:
    """Per op up to ``end``: (kernel, stride, dilation, leading padding, input size)
    along ``axis``, or kernel 0 for an element-wise op."""
    st, sp = geometry.static, geometry.spatial
    plan = []
    for i in range(end + 1):
        if st.kind[i] not in ("conv", "pool"):
            plan.append((0, 1, 1, 0, 0))
            continue
        op = geometry.program.ops[i]
        k = (sp.k_h if axis == 0 else sp.k_w)[i]
        size = (sp.h_in if axis == 0 else sp.w_in)[i]
        plan.append((k, op.stride[axis], op.dilation[axis], _pad_begin(geometry, i, axis), size))
    return plan


def _trace(
    geometry: Geometry, end: int, plan: list[tuple[int, int, int, int, int]], band: Interval
) -> dict[int, Interval]:
    """Along one axis: the interval of every tensor that ``band`` of the split's output
    needs (rows and columns trace apart: a region is their product, and so is the
    bounding box of two regions)."""
    st = geometry.static
    spans = {st.output[end]: band}
    for i in range(end, -1, -1):
        out = spans.get(st.output[i])
        if st.aux[i] or out is None:
            continue
        k, s, d, p, size = plan[i]
        a, b = out
        if b <= a:  # nothing of this output is needed: nothing of its inputs either
            need = (0, 0)
        elif not k:
            need = out
        else:
            need = (max(a * s - p, 0), min((b - 1) * s - p + d * (k - 1) + 1, size))
            if need[1] <= need[0]:  # the band's windows read only padding
                need = (0, 0)
        for t in st.inputs[i]:
            old = spans.get(t)
            if old is None or old[1] <= old[0]:
                spans[t] = need
            elif need[1] > need[0]:
                spans[t] = (min(old[0], need[0]), max(old[1], need[1]))
    return spans


def _cuts(n: int, parts: int) -> list[int]:
    # As even as the pixels allow: boundaries floor(j * n / parts).
    return [j * n // parts for j in range(parts + 1)]


def patch_stage(geometry: Geometry, execution: Execution, macs: tuple[int, ...]) -> PatchStage:
    """The patch stage of ``execution`` (a patch schedule) on ``geometry``, with its
    regions and MACs (``macs``: each op's MACs, layer by layer); ExecutionError when the
    split cannot run patch by patch."""
    assert execution.patched and execution.split is not None and execution.patches
    st, sp = geometry.static, geometry.spatial
    end = split_index(geometry, execution.split)
    _check_stage(geometry, end)
    split_tensor = st.output[end]
    rows, cols = execution.patches
    h, w = sp.heights[split_tensor], sp.widths[split_tensor]
    if rows > h or cols > w:
        raise ExecutionError(
            f"--patches {rows}x{cols}: {st.name[end]}'s output is {h}x{w}, too small for that grid"
        )
    hb, wb = _cuts(h, rows), _cuts(w, cols)
    plan_h, plan_w = _axis_plan(geometry, end, 0), _axis_plan(geometry, end, 1)
    down = tuple(_trace(geometry, end, plan_h, (hb[r], hb[r + 1])) for r in range(rows))
    across = tuple(_trace(geometry, end, plan_w, (wb[c], wb[c + 1])) for c in range(cols))
    stage_macs = sum(macs[: end + 1])
    patched = 0
    for i in range(end + 1):
        if st.aux[i] or not macs[i]:
            continue
        o = st.output[i]
        pixels = sp.heights[o] * sp.widths[o]
        per_pixel, left = divmod(macs[i], pixels)
        if left:  # every local op's MACs are uniform per output pixel
            raise ExecutionError(f"{st.name[i]}: its MACs are not uniform per output pixel")
        tall = sum(b - a for d in down if (span := d.get(o)) for a, b in (span,))
        wide = sum(b - a for d in across if (span := d.get(o)) for a, b in (span,))
        patched += per_pixel * tall * wide
    return PatchStage(
        split=st.name[end],
        split_op=end,
        split_tensor=split_tensor,
        grid=(rows, cols),
        down=down,
        across=across,
        stage_macs=stage_macs,
        patched_macs=patched,
        network_macs=sum(macs),
    )
