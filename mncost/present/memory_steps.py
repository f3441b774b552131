"""What the memory profile draws: each result's ops as steps, and the chart's title.

A :class:`Series` is one (label, :class:`~mncost.cost.memory.MemoryResult`) as the chart
draws it: the ops that run (an auxiliary head's do not), numbered 1, 2, ... in execution
order, its peak op, and its steps (one per op, or past ``_MAX_STEPS`` ops one per run of
consecutive ops, at their most). :func:`memory_title` says what the chart shows; the
names and sizes a label reads are written here too (:func:`name_html`, :func:`kib_text`).

Cut from :mod:`mncost.present.memory_figure`, which draws these (and re-exports
:func:`memory_title`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace

from mncost.cost.memory import MemoryResult, OpMemory
from mncost.cost.scaling import input_text, multiplier_text
from mncost.present.numbers import fixed
from mncost.text import shorten

__all__ = [
    "KIB",
    "NAME_LIMIT",
    "Series",
    "kib_text",
    "memory_title",
    "name_html",
    "series_of",
    "stepped",
]

KIB = 1024
NAME_LIMIT = 40
"""A name in a label or the title is cut to this many characters."""
_MAX_STEPS = 2000
"""At most this many steps per trace: past it, each step is a run of consecutive ops
drawn at the most any of them holds (100,000 ops are 2,000 steps of 50; a page's plot
is about 600 px wide, so op by op each would be a fiftieth of a pixel). The peak, the
largest of them all, is drawn exactly."""


def name_html(text: str, limit: int = NAME_LIMIT) -> str:
    """User text for a label: controls escaped, cut, then HTML-escaped for plotly."""
    return html.escape(shorten(text, limit), quote=False)


def kib_text(value: int) -> str:
    return f"{fixed(value, KIB, 1)} KiB"


@dataclass(frozen=True)
class Series:
    """One result as drawn: the ops that run, numbered 1, 2, ... in execution order."""

    label: str
    result: MemoryResult
    ops: tuple[OpMemory, ...]
    index: tuple[int, ...]
    """Each drawn op's index in the program (its place in ``result.layers``)."""
    peak_at: int | None
    """The x of the peak op (1-based), None when no op runs."""
    per: int = 1
    """Ops per step: 1, or past ``_MAX_STEPS`` ops, as many as keep the steps within it."""

    @property
    def steps(self) -> list[tuple[int, int, int]]:
        """Each step: its first and last op's x (1-based) and the most they hold."""
        per, ops = self.per, self.ops
        if per == 1:
            return [(k, k, op.live_bytes) for k, op in enumerate(ops, start=1)]
        return [
            (k, min(k + per - 1, len(ops)), max(op.live_bytes for op in ops[k - 1 : k - 1 + per]))
            for k in range(1, len(ops) + 1, per)
        ]

    @property
    def stage_end(self) -> int | None:
        """The x of the patch stage's last op that runs (None without a patch stage)."""
        stage = self.result.stage
        if stage is None:
            return None
        inside = [k for k, i in enumerate(self.index, start=1) if i <= stage.split_op]
        return inside[-1] if inside else None


def series_of(label: str, result: MemoryResult) -> Series:
    running = [(i, op) for i, op in enumerate(result.layers) if not op.aux]
    names = [op.name for _, op in running]
    peak_at = names.index(result.peak.layer) + 1 if result.peak.layer in names else None
    return Series(
        label,
        result,
        tuple(op for _, op in running),
        tuple(i for i, _ in running),
        peak_at,
    )


def stepped(drawn: list[Series]) -> list[Series]:
    # One number of ops per step for every trace, so that their steps line up.
    n = max((len(s.ops) for s in drawn), default=0)
    per = max(1, -(-n // _MAX_STEPS))
    return drawn if per == 1 else [replace(s, per=per) for s in drawn]


def _config(result: MemoryResult) -> str:
    return (
        f"{shorten(result.model, NAME_LIMIT)}, alpha {multiplier_text(result.alpha)}, "
        f"{input_text(result.resolution)}, {result.dtype}"
    )


def _schedules(results: Sequence[tuple[str, MemoryResult]]) -> str:
    """The executions in words: their shared choices once, then each trace's schedule
    ("int8, depthwise convs in place: layer by layer vs patch-based up to block_4 (4x4
    patches, input held whole)"), or each trace's in full when they differ otherwise."""
    described = [r.execution.describe() for _, r in results]
    shared = {r.execution.layer_by_layer() for _, r in results}
    if len(results) > 1 and len(shared) == 1:
        common = shared.pop().describe().removesuffix(", layer by layer")
        if all(d.startswith(common + ", ") for d in described):
            return f"{common}: " + " vs ".join(d[len(common) + 2 :] for d in described)
    if len(results) == 1:
        return described[0]
    return "; ".join(
        f"{shorten(label, NAME_LIMIT)}: {d}" for (label, _), d in zip(results, described)
    )


def memory_title(results: Sequence[tuple[str, MemoryResult]]) -> tuple[str, str]:
    """The chart's title and subtitle, plain text (escape before showing them as HTML).

    The title names the model, alpha, resolution and dtype and what is overlaid; the
    subtitle, the execution (:meth:`~mncost.cost.execution.Execution.describe`).
    """
    configs = list(dict.fromkeys(_config(r) for _, r in results))
    title = "Activation memory op by op: " + (" vs ".join(configs) or "nothing")
    if len(results) > 1:
        title += ", " + " vs ".join(shorten(label, NAME_LIMIT) for label, _ in results)
    subtitle = (_schedules(results) + ". " if results else "") + (
        "Live bytes: what is held while each op runs."
    )
    return title, subtitle
