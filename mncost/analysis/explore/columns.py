"""The explorer's columns: the names of the estimated ones (:data:`LATENCY` and its
status and estimate, :data:`ACCURACY`), the counts every sweep gives
(:data:`DEFAULT_METRICS`), how each is named in prose (:data:`METRIC_LABELS`), and which
a sweep may be asked for (:func:`explorer_metrics`, :func:`check_metrics`)."""

from __future__ import annotations

from collections.abc import Iterable

from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.metrics import METRICS
from mncost.errors import ExploreError
from mncost.text import quote

LATENCY = "latency_ms"
"""The explorer's name for the latency (needs a device profile): measured on the device
where the configuration was measured, else estimated."""
LATENCY_STATUS = "latency_status"
"""measured or estimated: what latency_ms is, configuration by configuration."""
LATENCY_ESTIMATE = "latency_estimate_ms"
"""The profile's estimate, measured configurations included (beside the measurement)."""
ACCURACY = "top1"
"""The explorer's name for the estimated top-1 (needs an accuracy model); its status
comes with it as ``top1_status``."""
ESTIMATES: tuple[str, ...] = (LATENCY, ACCURACY)
"""Columns that are estimates from a fitted model, not counts."""
DEFAULT_METRICS: tuple[str, ...] = ("mult_adds", "params", "weight_bytes", PEAK_ACTIVATION)
"""The counts every sweep gives unless asked for others."""

METRIC_LABELS: dict[str, str] = {
    "mult_adds": "MACs",
    "params": "params",
    "bn_params": "batch-norm params",
    "weight_bytes": "weight bytes",
    PEAK_ACTIVATION: "peak activation bytes",
    "input_bytes": "input bytes (summed over ops)",
    "output_bytes": "output bytes (summed over ops)",
    "activation_bytes": "activation bytes read and written (summed over ops)",
    "read_weight_bytes": "weight bytes read at inference",
    "conv_activation_bytes": "conv/FC activation bytes",
    "conv_weight_bytes": "conv weight bytes",
    "ops": "ops",
    LATENCY: "estimated latency (ms)",
    ACCURACY: "estimated top-1 (%)",
}
"""How each column is named in prose (titles, notes, budgets)."""


def explorer_metrics() -> tuple[str, ...]:
    """Every column a sweep can give: the registered metrics, the peak, latency, top-1."""
    return (*DEFAULT_METRICS, *(m for m in METRICS if m not in DEFAULT_METRICS), *ESTIMATES)


def check_metrics(metrics: Iterable[str]) -> tuple[str, ...]:
    """The metrics asked for, each once and in order; ExploreError for an unknown one or
    none."""
    chosen: list[str] = []
    known = explorer_metrics()
    for name in metrics:
        if not isinstance(name, str) or name not in known:
            raise ExploreError(f"unknown metric {quote(name)}; choose from {', '.join(known)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ExploreError("no metric asked for")
    return tuple(chosen)
