"""The patch-schedule trade-off as a figure: peak activation memory against the extra
MACs of recomputation, one point per schedule tried (what ``mncost plot patches``
draws).

Each split point is one colour; the frontier (no schedule has both a lower peak and
fewer extra MACs) is a line; the pick is a star; the layer-by-layer peak and the cap on
extra MACs are dashed lines. The figure is built from the search's result only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.analysis.schedules import ScheduleSearch
from mncost.present.plotly_data import Figure
from mncost.present.style import FONT, plot_text, plotly_template

if TYPE_CHECKING:
    from mncost.cost.memory import PatchTrial

__all__ = ["off_figure", "patches_figure", "x_limit"]

KIB = 1024
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


_esc = plot_text


def _hover(t: PatchTrial, search: ScheduleSearch) -> str:
    where = _esc(t.peak.layer or "input")
    return (
        f"--split {_esc(t.block)} --patches {t.grid[0]}x{t.grid[1]}<br>"
        f"peak {t.peak.bytes:,} bytes ({t.peak.bytes / KIB:,.1f} KiB) at {where} "
        f"({t.peak.part})<br>"
        f"patch stage {t.stage_peak.bytes / KIB:,.1f} KiB, rest {t.rest_peak.bytes / KIB:,.1f} KiB"
        f"<br>extra {t.extra_macs:,} MACs ({float(t.overhead * 100):.1f}% of the network)"
        + ("" if search.eligible(t) else "<br>over the --max-overhead cap")
    )


def x_limit(search: ScheduleSearch) -> float:
    """The right edge of the x axis, in percent: past the frontier and the cap by a
    margin, at least 20%; schedules further right (splits deep in the network that
    recompute several times its MACs) are left off the figure."""
    far = max((float(t.overhead * 100) for t in search.frontier), default=0.0)
    cap = search.search.max_overhead
    if cap is not None:
        far = max(far, float(cap * 100))
    return max(20.0, far * 1.5)


def off_figure(search: ScheduleSearch) -> int:
    """How many schedules lie right of the figure's x axis."""
    limit = x_limit(search)
    return sum(float(t.overhead * 100) > limit for t in search.trials)


def patches_figure(search: ScheduleSearch, title: str, subtitle: str = "") -> Figure:
    """Peak (KiB) against extra MACs (% of the network's) for every schedule tried, as
    plain data (plotly's Python package is not imported)."""
    limit = x_limit(search)
    visible = [t for t in search.trials if float(t.overhead * 100) <= limit]
    splits = list(dict.fromkeys(t.block for t in visible))
    traces: list[dict[str, Any]] = []
    for n, split in enumerate(splits):
        rows = [t for t in visible if t.block == split]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _esc(split),
                "x": [float(t.overhead * 100) for t in rows],
                "y": [t.peak.bytes / KIB for t in rows],
                "marker": {
                    "size": 8,
                    "color": _PALETTE[n % len(_PALETTE)],
                    "symbol": "circle" if n < len(_PALETTE) else "square",
                    "opacity": [1.0 if search.eligible(t) else 0.35 for t in rows],
                },
                "hovertext": [_hover(t, search) for t in rows],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    front = sorted(search.frontier, key=lambda t: t.extra_macs)
    traces.append(
        {
            "type": "scatter",
            "mode": "lines+markers+text",
            "name": "frontier",
            "x": [float(t.overhead * 100) for t in front],
            "y": [t.peak.bytes / KIB for t in front],
            "line": {"color": "#333", "width": 1.5, "shape": "hv"},
            "marker": {"size": 4, "color": "#333"},
            "text": [f"{_esc(t.block)} {t.grid[0]}x{t.grid[1]}" for t in front],
            "textposition": "top right",
            "textfont": {"size": 11},
            "hoverinfo": "skip",
        }
    )
    best = search.best
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "chosen",
            "x": [float(best.overhead * 100)],
            "y": [best.peak.bytes / KIB],
            "marker": {"size": 18, "symbol": "star", "color": "#d62728", "line": {"width": 1}},
            "hovertext": [_hover(best, search)],
            "hovertemplate": "chosen: %{hovertext}<extra></extra>",
        }
    )
    shapes: list[dict[str, Any]] = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": search.layer_peak / KIB,
            "y1": search.layer_peak / KIB,
            "line": {"dash": "dot", "color": "#555", "width": 1},
        }
    ]
    annotations: list[dict[str, Any]] = [
        {
            "xref": "paper",
            "x": 1,
            "xanchor": "right",
            "y": search.layer_peak / KIB,
            "yanchor": "bottom",
            "showarrow": False,
            "text": f"layer by layer: {search.layer_peak / KIB:,.1f} KiB",
            "font": {"size": 11, "color": "#555"},
        },
        {
            "x": float(best.overhead * 100),
            "y": best.peak.bytes / KIB,
            "ax": 30,
            "ay": -40,
            "xanchor": "left",
            "text": f"chosen: {_esc(best.block)} {best.grid[0]}x{best.grid[1]}, "
            f"{best.peak.bytes / KIB:,.1f} KiB, +{float(best.overhead * 100):.1f}% MACs",
            "font": {"size": 12, "color": "#d62728"},
            "arrowcolor": "#d62728",
            "bgcolor": "rgba(255,255,255,0.85)",
        },
    ]
    cap = search.search.max_overhead
    if cap is not None:
        shapes.append(
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": float(cap * 100),
                "x1": float(cap * 100),
                "line": {"dash": "dash", "color": "#d62728", "width": 1},
            }
        )
        annotations.append(
            {
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "x": float(cap * 100),
                "showarrow": False,
                "text": f"--max-overhead {float(cap * 100):g}%",
                "font": {"size": 11, "color": "#d62728"},
            }
        )
    heading = _esc(title) + (f"<br><sup>{_esc(subtitle)}</sup>" if subtitle else "")
    layout: dict[str, Any] = {
        "template": plotly_template(),
        "title": {"text": heading, "x": 0.01, "xanchor": "left"},
        "font": {"family": FONT},
        "xaxis": {
            "title": {"text": "extra MACs of recomputation, % of the network's MACs"},
            "range": [-limit * 0.03, limit * 1.04],
            "ticksuffix": "%",
        },
        "yaxis": {
            "title": {"text": "peak activation memory, KiB (1,024 bytes)"},
            "rangemode": "tozero",
        },
        "legend": {"title": {"text": "split after"}},
        "shapes": shapes,
        "annotations": annotations,
        "margin": {"t": 90},
    }
    return Figure(traces, layout)
