"""The ``measure`` summary: each configuration as timed on this machine, and how far the
run can be trusted (its split-half agreement and the machine's drift)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mncost.analysis.measure import PROFILE_RUNS, MeasureResult, Profiled
from mncost.cost.scaling import multiplier_text, resolution_text
from mncost.present.model import Column, Report, Table

__all__ = ["measure_report"]


def _ms(value: Any) -> str:
    return f"{value:,.3f}"


def _per_layer_table(profiled: Sequence[Profiled]) -> tuple[Table, list[str]]:
    """Per profiled configuration: how much of a run the node times cover, the runtime's
    own nodes, and the slowest op."""
    rows = []
    coverages = []
    for p in sorted(profiled, key=lambda p: (p.config.model, p.times.run_ms)):
        t = p.times
        timed = [layer for layer in t.layers if layer.ms is not None]
        slowest = max(timed, key=lambda layer: layer.ms or 0.0, default=None)
        node = t.node_ms
        coverages.append(t.coverage * 100)
        rows.append(
            [
                p.config.model,
                multiplier_text(p.config.alpha),
                resolution_text(p.config.resolution),
                t.run_ms,
                node,
                f"{t.coverage * 100:.0f}%",
                f"{t.runtime_ms / node * 100:.1f}%" if node else "",
                (
                    f"{slowest.name} ({(slowest.ms or 0.0) / node * 100:.0f}%)"
                    if slowest is not None and node
                    else ""
                ),
                sum(1 for layer in t.layers if layer.ms is None),
            ]
        )
    table = Table(
        title="Per layer (onnxruntime's profiler)",
        columns=[
            Column("Model"),
            Column("Alpha", "right"),
            Column("Res", "right"),
            Column("Run ms", "right", show=_ms),
            Column("Nodes ms", "right", show=_ms),
            Column("Covered", "right"),
            Column("Runtime nodes", "right", hide_rank=2),
            Column("Slowest op", hide_rank=1),
            Column("Fused away", "right", hide_rank=3),
        ],
        rows=rows,
    )
    low, high = min(coverages), max(coverages)
    notes = [
        f"Per layer: each configuration run {PROFILE_RUNS} times under the profiler, after "
        "the rounds; a node's time is its median, an op's the sum of its nodes'. The node "
        f"times cover {low:.0f}% to {high:.0f}% of a profiled run (Covered); the rest is "
        "the runtime's own work between nodes.",
        "A node is the op its name starts with: an activation or a residual add that "
        "onnxruntime fused into a conv is timed in the conv, and the add counts as fused "
        "away (no time of its own); the layout reorders it adds (NCHWc) are the runtime "
        "nodes, a '(runtime)' row of their own in the CSV.",
    ]
    return table, notes


def measure_report(
    result: MeasureResult,
    skipped: int = 0,
    scale: tuple[float, int] | None = None,
    profiled: Sequence[Profiled] = (),
) -> Report:
    """The timings, slowest last, with the run's agreement, drift and environment; and
    with ``profiled``, the per-layer coverage."""
    env = result.environment
    rows = [
        [
            t.config.model,
            multiplier_text(t.config.alpha),
            resolution_text(t.config.resolution),
            t.latency_ms,
            f"{t.spread_percent:.1f}%",
            t.runs,
        ]
        for t in sorted(result.timings, key=lambda t: (t.config.model, t.latency_ms))
    ]
    table = Table(
        title="Measured latency per configuration (median of the normalised rounds)",
        columns=[
            Column("Model"),
            Column("Alpha", "right"),
            Column("Res", "right"),
            Column("Latency ms", "right", show=_ms),
            Column("Spread", "right"),
            Column("Runs", "right"),
        ],
        rows=rows,
    )
    notes = [
        f"Measured on {env['cpu']} ({env['cores']} cores), {env['runtime']} "
        f"{env['runtime_version']}, {env['intra_op_threads']} intra-op and "
        f"{env['inter_op_threads']} inter-op thread(s), batch 1, float32, {env['date']}.",
        f"{result.rounds} interleaved rounds of {result.repeats} run(s) per model, each "
        "round in a new shuffled order; spread: the interquartile range of a model's "
        "round times, as a share of its median.",
    ]
    if result.normalised and result.drift is not None:
        notes.append(
            f"Each round was divided by its common factor (the machine's speed at the "
            f"time): it ran from {result.drift[0]:.3f} to {result.drift[1]:.3f}."
        )
    else:
        notes.append(
            "Not normalised: fewer than three models, so the machine's drift cannot be "
            "told from the models' own differences; time more configurations together."
        )
    if result.agreement_percent is not None:
        median, worst = result.agreement_percent
        notes.append(
            f"Run-to-run agreement (each model's median over the odd rounds against the "
            f"even ones): {median:.1f}% median, {worst:.1f}% at worst."
        )
    if skipped:
        notes.append(f"Skipped {skipped} configuration(s) the CSV already held.")
    if scale is not None:
        factor, n = scale
        notes.append(
            f"Scaled by {factor:.3f} to the CSV's earlier run: {n} of its configurations, "
            "timed again in this run, set the factor (the machine's speed differs from "
            "one run to the next)."
        )
    if result.failures:
        notes.append(
            f"{len(result.failures)} configuration(s) could not be timed (each said why "
            "above) and are not in the CSV."
        )
    tables = [table]
    if profiled:
        layers, layer_notes = _per_layer_table(profiled)
        tables.append(layers)
        notes += layer_notes
    return Report(
        title=f"Timed {len(result.timings)} configuration(s) on this machine",
        tables=tables,
        notes=notes,
    )
