"""Per-layer times (``mncost measure --per-layer``): onnxruntime's profiler times every
node of a configuration's graph, and the node times are mapped back to mncost's ops.

How a node maps to an op. The exporter (:mod:`mncost.analysis.onnx_export`) names each
node after the op it builds ("block_2.dw"), and a node it adds for that op with a suffix
("block_2.dw.relu6", "block_3.se.pool"). onnxruntime then rewrites the graph:

- **fused nodes**: a ReLU, clip or h-swish after a conv, and a residual add after a
  projection, are fused into the conv; the fused node keeps one of the names (the
  activation's, "block_2.dw.relu6", or the conv's). Its time goes to the op whose name
  it starts with: the conv. An op whose node was fused into another (a residual add) is
  not timed on its own, and shows no time: its work is in the conv's;
- **layout nodes**: with its NCHWc layout ("_nchwc" on the names, channels padded to
  multiples of 8 or 16) onnxruntime adds ReorderInput and ReorderOutput nodes between
  the layouts. They are no op of mncost's, and are summed apart as "runtime nodes", with
  any other node that maps to no op.

Each node's time is its median over the profiled runs (µs in the profile); an op's time
is the sum of its nodes'. The node times sum to less than a run's wall time: the rest is
the runtime's own overhead between nodes (a few µs a node), reported as the coverage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mncost.bounded import BoundedReadError, read_bounded
from mncost.errors import MeasureError

__all__ = [
    "MAX_PROFILE_BYTES",
    "LayerTime",
    "LayerTimes",
    "map_nodes",
    "read_profile",
]

MAX_PROFILE_BYTES = 256 * 2**20
"""The most of onnxruntime's profile JSON read for one configuration (256 MiB)."""

_SUFFIXES = ("_kernel_time",)
_LAYOUT = "_nchwc"


@dataclass(frozen=True)
class LayerTime:
    """One op's measured time: the sum of its nodes' median times."""

    name: str
    type: str
    ms: float | None
    """None: no node of its own (fused into another op's node, or not run)."""
    nodes: tuple[str, ...]
    """The profiled nodes mapped to it, as onnxruntime names them."""


@dataclass(frozen=True)
class LayerTimes:
    """A configuration's per-op times from one profiled session."""

    layers: tuple[LayerTime, ...]
    runtime_ms: float
    """Nodes that map to no op (layout reorders and other nodes the runtime added)."""
    runtime_nodes: tuple[str, ...]
    run_ms: float
    """The median wall time of a profiled run (the profiler's own overhead included)."""
    runs: int

    @property
    def node_ms(self) -> float:
        """The sum of every node's median time."""
        return sum(t.ms for t in self.layers if t.ms is not None) + self.runtime_ms

    @property
    def coverage(self) -> float:
        """The node times' share of a run's wall time (0 to 1)."""
        return self.node_ms / self.run_ms if self.run_ms > 0 else 0.0


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def read_profile(path: Path) -> tuple[list[float], dict[str, list[float]]]:
    """onnxruntime's profile file: each run's wall time and each node's times (µs), in
    the order the nodes first ran. MeasureError for a file that is not such a profile."""
    try:
        text = read_bounded(path, MAX_PROFILE_BYTES, "the runtime's profile").decode(
            "utf-8", errors="replace"
        )
    except BoundedReadError as exc:
        raise MeasureError(str(exc)) from None
    try:
        events = json.loads(text)
    except ValueError:
        raise MeasureError("the runtime's profile is not JSON") from None
    if not isinstance(events, list):
        raise MeasureError("the runtime's profile is not a list of events")
    runs: list[float] = []
    nodes: dict[str, list[float]] = {}
    for e in events:
        if not isinstance(e, dict):
            continue
        name, dur, cat = e.get("name"), e.get("dur"), e.get("cat")
        if not isinstance(name, str) or not isinstance(dur, (int, float)) or dur < 0:
            continue
        if cat == "Session" and name == "model_run":
            runs.append(float(dur))
        elif cat == "Node" and name.endswith(_SUFFIXES):
            for suffix in _SUFFIXES:
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
            nodes.setdefault(name, []).append(float(dur))
    return runs, nodes


def _owner(node: str, ops: Mapping[str, int]) -> str | None:
    """The op a node belongs to: the op named as the node is, or the longest op name
    that the node's name continues with a "."; None for a node of the runtime's own."""
    name = node[: -len(_LAYOUT)] if node.endswith(_LAYOUT) else node
    while True:
        if name in ops:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]


def map_nodes(
    layers: Sequence[tuple[str, str]],
    runs_us: Sequence[float],
    nodes_us: Mapping[str, Sequence[float]],
) -> LayerTimes:
    """Map profiled node times to ``layers`` ((name, type) of each op, in order)."""
    ops = {name: i for i, (name, _) in enumerate(layers)}
    per_op: dict[str, list[tuple[str, float]]] = {}
    runtime: list[tuple[str, float]] = []
    for node, times in nodes_us.items():
        if not times:
            continue
        ms = _median(times) / 1000
        owner = _owner(node, ops)
        (per_op.setdefault(owner, []) if owner is not None else runtime).append((node, ms))
    return LayerTimes(
        layers=tuple(
            LayerTime(
                name,
                kind,
                sum(ms for _, ms in per_op[name]) if name in per_op else None,
                tuple(n for n, _ in per_op.get(name, ())),
            )
            for name, kind in layers
        ),
        runtime_ms=sum(ms for _, ms in runtime),
        runtime_nodes=tuple(n for n, _ in runtime),
        run_ms=_median(runs_us) / 1000 if runs_us else 0.0,
        runs=len(runs_us),
    )
