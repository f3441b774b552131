"""The roofline figure of one latency estimate (``mncost latency MODEL --device D -o
roofline.html``): every op with mult-adds is a point, its arithmetic intensity (MACs per
byte it moves) across and the MAC rate it attains in the estimate up, both on log axes,
under the device's compute roof (P, MACs per second) and memory roof (B, bytes per
second, so a rate of B x intensity). Depthwise convs, with few MACs per byte, sit under
the memory roof: MobileNet's latency story in one picture.

Drawing only: every value comes from a :class:`~mncost.analysis.latency.LatencyEstimate`;
the roofs are the profile's fitted (or given) P and B, drawn only for a roofline
profile. A linear or per-kind profile has no roofs; its points are drawn alone, and the
page says so.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mncost.cost.scaling import multiplier_text, resolution_text
from mncost.present.plotly_data import Figure
from mncost.present.style import FONT as _FONT
from mncost.present.style import plot_text as _esc
from mncost.present.style import plotly_template

if TYPE_CHECKING:
    from mncost.analysis.latency import LatencyEstimate

__all__ = ["KIND_NAMES", "roofline_figure", "roofline_intro", "roofs"]

KIND_NAMES = {
    "dense_1x1": "conv 1x1 (pointwise)",
    "dense_kxk": "conv kxk (dense)",
    "depthwise": "depthwise conv",
    "fc": "fully connected",
}
"""Each op kind with mult-adds, as the legend names it, in drawing order."""
_KIND_COLOR = {
    "dense_1x1": "#1f77b4",
    "dense_kxk": "#2ca02c",
    "depthwise": "#ff7f0e",
    "fc": "#9467bd",
}
_ROOF_COLOR = "#d62728"


def roofs(estimate: LatencyEstimate) -> tuple[float, float] | None:
    """The device's compute roof P (G MACs per second) and memory roof B (GB per
    second, 10**9 bytes), from a roofline profile's coefficients (ms per MAC, ms per
    byte); None for any other profile, or a roof fitted to zero time (infinite)."""
    profile = estimate.profile
    if profile.estimator != "roofline":
        return None
    per_mac, per_byte = profile.coefficients[0], profile.coefficients[1]
    if per_mac <= 0 or per_byte <= 0:
        return None
    # 1 / per_mac MACs per ms = 1000 / per_mac MACs per second = 1e-6 / per_mac G MACs/s.
    return 1e-6 / per_mac, 1e-6 / per_byte


def _points(estimate: LatencyEstimate) -> dict[str, list[tuple[float, float, str, float]]]:
    """Per kind: (intensity, attained G MACs per second, hover text, ms) of each op with
    mult-adds and a positive time."""
    total = estimate.total_ms
    out: dict[str, list[tuple[float, float, str, float]]] = {k: [] for k in KIND_NAMES}
    for op in estimate.layers:
        macs = op.features[0]
        if op.kind not in out or macs <= 0 or op.ms <= 0 or op.intensity is None:
            continue
        rate = macs / (op.ms * 1e6)  # MACs per ms / 1e6 = G MACs per second
        moved = op.features[1] + op.features[2]
        share = op.ms / total * 100 if total else 0.0
        text = (
            f"<b>{_esc(op.name)}</b> ({_esc(op.type)})<br>"
            f"{macs:,} MACs, {moved:,} bytes moved<br>"
            f"{op.intensity:,.2f} MACs per byte<br>"
            f"estimated {op.ms:.4f} ms ({share:.1f}% of the total)<br>"
            f"attains {rate:,.2f} G MACs/s" + (f"; {op.bound}-bound" if op.bound else "")
        )
        out[op.kind].append((op.intensity, rate, text, op.ms))
    return out


def roofline_intro(estimate: LatencyEstimate) -> str:
    """The line above the figure: what a point is, and what the roofs are."""
    found = roofs(estimate)
    profile = estimate.profile
    what = (
        "Each op with mult-adds is a point: across, its arithmetic intensity (MACs per "
        "byte it moves: activations read and written, weights read); up, the MAC rate it "
        "attains in the estimate (its MACs over its estimated time, fixed cost included). "
        "Point size: the op's share of the time."
    )
    if found is None:
        return (
            f"{what} {profile.name} is a {profile.estimator} profile, so no roofs are drawn: "
            "`mncost calibrate --estimator roofline` fits a compute and a memory roof."
        )
    p, b = found
    return (
        f"{what} Red: the device's roofs ({profile.name}, a roofline profile): compute "
        f"P = {p:,.1f} G MACs/s and memory B = {b:,.1f} GB/s (a rate of B x intensity), "
        f"meeting at the ridge, {p / b:,.2f} MACs per byte; an op left of it is "
        "memory-bound."
    )


def _axis_range(values: list[float]) -> list[float]:
    """A log axis' range (in log10 units) around positive values, with a margin."""
    logs = [math.log10(v) for v in values if v > 0] or [0.0]
    low, high = min(logs), max(logs)
    pad = max(0.15 * (high - low), 0.2)
    return [low - pad, high + pad]


def roofline_figure(estimate: LatencyEstimate, titled: bool = True) -> Figure:
    """The roofline of ``estimate``: one point per op with mult-adds, coloured by kind,
    under the profile's roofs when it has them; ``titled`` draws the title in (an image
    needs it; a page has its own). Plain data: plotly's Python package is not imported."""
    points = _points(estimate)
    found = roofs(estimate)
    total = estimate.total_ms or 1.0
    traces: list[dict[str, Any]] = []
    xs = [x for pts in points.values() for x, _, _, _ in pts]
    ys = [y for pts in points.values() for _, y, _, _ in pts]
    if found is not None:
        p, b = found
        xs.append(p / b)
        ys.append(p)
    x_range = _axis_range(xs)
    y_range = _axis_range(ys)
    if found is not None:
        p, b = found
        ridge = p / b
        left, right = 10 ** x_range[0], 10 ** x_range[1]
        roof_x = [left] + ([ridge] if left < ridge < right else []) + [right]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": roof_x,
                "y": [min(p, b * x) for x in roof_x],
                "name": "roofs: min(P, B x intensity)",
                "line": {"color": _ROOF_COLOR, "width": 2},
                "hoverinfo": "skip",
            }
        )
        y_range = [y_range[0], max(y_range[1], math.log10(p) + 0.25)]
    for kind, name in KIND_NAMES.items():
        pts = points[kind]
        if not pts:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [x for x, _, _, _ in pts],
                "y": [y for _, y, _, _ in pts],
                "name": f"{name} ({len(pts)})",
                "hovertext": [t for _, _, t, _ in pts],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {
                    "color": _KIND_COLOR[kind],
                    "size": [6 + 24 * math.sqrt(ms / total) for _, _, _, ms in pts],
                    "opacity": 0.8,
                    "line": {"color": "white", "width": 0.5},
                },
            }
        )
    annotations: list[dict[str, Any]] = []
    if found is not None:
        p, b = found
        low = max(x_range[0], y_range[0] - math.log10(b))  # where the slope enters the plot
        memory_x = 10 ** max(low + 0.1, min(math.log10(p / b) - 1, (low + x_range[1]) / 2))
        annotations += [
            {
                "x": x_range[1],
                "y": math.log10(p),
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"compute roof P = {p:,.1f} G MACs/s",
                "font": {"color": _ROOF_COLOR, "size": 12},
            },
            {
                # One decade left of the ridge (or the axis' middle), on the slope.
                "x": math.log10(memory_x),
                "y": math.log10(b * memory_x),
                "xanchor": "left",
                "yanchor": "top",
                "xshift": 8,
                "showarrow": False,
                "text": f"memory roof B = {b:,.1f} GB/s",
                "font": {"color": _ROOF_COLOR, "size": 12},
            },
        ]
    if not any(points.values()):
        annotations.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "text": "No op has mult-adds: nothing to draw.",
            }
        )
    e = estimate
    title = (
        f"Roofline: {_esc(e.model)} alpha={multiplier_text(e.alpha)} "
        f"{resolution_text(e.resolution)} on {_esc(e.profile.name)} (estimate)"
    )
    layout: dict[str, Any] = {
        "template": plotly_template(),
        "font": {"family": _FONT},
        "xaxis": {
            "type": "log",
            "range": x_range,
            "title": {"text": "Arithmetic intensity (MACs per byte moved, log scale)"},
            "dtick": "D2",
        },
        "yaxis": {
            "type": "log",
            "range": y_range,
            "title": {"text": "Attained rate, estimated (G MACs per second, log scale)"},
            "dtick": "D2",
        },
        "legend": {"orientation": "h", "y": -0.18},
        "margin": {"l": 80, "r": 30, "t": 60 if titled else 20, "b": 90},
        "annotations": annotations,
        "height": 620,
    }
    if titled:
        layout["title"] = {"text": title, "x": 0.01, "xanchor": "left"}
    return Figure(traces, layout)
