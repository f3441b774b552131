"""Plotly figures: the Pareto plot of published results, and a cost-by-layer-type chart.

Drawing only: every figure is built from data prepared elsewhere
(:func:`mncost.analysis.pareto.pareto_data`, a :class:`~mncost.cost.result.CostResult`).
plotly is imported inside the functions, so importing this module is cheap. Text that
plotly shows (hover, labels) goes through :func:`_esc`: plotly reads a subset of HTML in
it, and a model or layer name must show as typed, never as markup.
"""

from __future__ import annotations

import html
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from mncost.analysis.pareto import HighlightPoint, ParetoData, PlottedPoint
from mncost.sources.points import DATASETS
from mncost.text import escape_controls

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from mncost.cost.result import CostResult

__all__ = ["FAMILY_NAMES", "PLOT_CONFIG", "by_type_figure", "pareto_figure", "pareto_title"]

FAMILY_NAMES = {"mobilenet_v1": "MobileNet v1", "mobilenet_v2": "MobileNet v2",
                "mobilenet_v3": "MobileNet V3", "other": "other models"}
_FAMILY_COLOR = {"mobilenet_v1": "#1f77b4", "mobilenet_v2": "#2ca02c",
                 "mobilenet_v3": "#9467bd", "other": "#8c564b"}
_PRECISIONS_RELEASED = frozenset({"mobilenet_v1", "mobilenet_v3"})
"""Families released in float and 8-bit: their checkpoint legend entries name the precision."""
_SOURCE_SYMBOL = {"paper": "circle", "checkpoints": "diamond"}
_HIGHLIGHT_COLOR = "#d62728"

PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True,
                               "showSendToCloud": False, "plotlyServerURL": ""}
"""plotly.js config: no plotly logo link and no "Share chart" button (it uploads the
figure's data to Plotly Cloud); the modebar's PNG download stays (it is local)."""


def _esc(text: str) -> str:
    return html.escape(escape_controls(text), quote=False)


def _num(value: Fraction, digits: int = 2) -> str:
    return f"{float(value):,.{digits}f}"


def _axis_words(data: ParetoData) -> tuple[str, str]:
    """(what the x axis counts, its unit) for hover text and titles."""
    return ("mult-adds", "M MACs") if data.x_axis == "mult_adds" else ("params", "M params")


def _hover(plotted: PlottedPoint, data: ParetoData) -> str:
    point = plotted.point
    what, unit = _axis_words(data)
    lines = [f"<b>{_esc(point.label)}</b>"]
    if point.config:
        lines[0] += f" ({_esc(point.config)}, {point.precision})"
    lines.append(f"top-1 {point.top1}% ({DATASETS[point.dataset]})"
                 + (f", top-5 {point.top5}%" if point.top5 is not None else ""))
    published = point.mult_adds_m if data.x_axis == "mult_adds" else point.params_m
    if plotted.x_basis == "mncost":
        lines.append(f"{_num(plotted.x)} {unit} (mncost); published {published} {unit}")
    else:
        lines.append(f"{published} {unit} ({_esc(plotted.x_basis)})")
    other = point.params_m if data.x_axis == "mult_adds" else point.mult_adds_m
    if other is not None:
        lines.append(f"{other} " + ("M params" if data.x_axis == "mult_adds" else "M MACs")
                     + " (published)")
    lines.append(f"source: {_esc(point.tables)}")
    return "<br>".join(lines)


def _group_name(family: str, source: str, precision: str) -> str:
    name = f"{FAMILY_NAMES[family]}, {source}"
    return f"{name} ({precision})" if source == "checkpoints" \
        and family in _PRECISIONS_RELEASED else name


def _published_traces(data: ParetoData) -> list[go.Scatter]:
    import plotly.graph_objects as go

    groups: dict[tuple[str, str, str], list[PlottedPoint]] = {}
    for plotted in data.points:
        p = plotted.point
        groups.setdefault((p.family, p.source, p.precision), []).append(plotted)
    order = list(FAMILY_NAMES)
    traces = []
    for (family, source, precision), members in sorted(
            groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1], kv[0][2])):
        symbol = _SOURCE_SYMBOL[source] + ("-open" if precision == "int8" else "")
        # Named on the plot: the comparison models, which stand apart. The MobileNet
        # grids are too dense to name without labels overlapping; hover names them.
        labelled = family == "other"
        traces.append(go.Scatter(
            x=[float(m.x) for m in members], y=[float(m.y) for m in members],
            mode="markers+text" if labelled else "markers",
            text=[_esc(m.point.label) for m in members] if labelled else None,
            textposition="top center", textfont={"size": 10, "color": "#333"},
            name=_group_name(family, source, precision),
            marker={"symbol": symbol, "color": _FAMILY_COLOR[family],
                    "size": 11 if source == "paper" else 8,
                    "line": {"width": 1 if precision == "float32" else 1.5,
                             "color": "white" if precision == "float32"
                             else _FAMILY_COLOR[family]}},
            hovertext=[_hover(m, data) for m in members],
            hovertemplate="%{hovertext}<extra></extra>",
            meta={"kind": "published", "points": len(members)},
        ))
    return traces


def _frontier_trace(data: ParetoData) -> go.Scatter:
    import plotly.graph_objects as go

    members = [data.points[i] for i in data.frontier]
    # A staircase: the best accuracy reachable at a cost up to x.
    return go.Scatter(
        x=[float(m.x) for m in members], y=[float(m.y) for m in members],
        mode="lines", line={"color": "#555", "dash": "dash", "width": 1.5, "shape": "hv"},
        name=f"Pareto frontier ({len(members)} models)", hoverinfo="skip",
        meta={"kind": "frontier"},
    )


def _highlight_hover(h: HighlightPoint) -> str:
    lines = [f"<b>{_esc(h.label)}</b> (highlighted)",
             f"mncost: {h.mult_adds:,} MACs, {h.params:,} params"]
    if h.accuracy is not None and h.accuracy_from is not None:
        lines.append(f"top-1 {h.accuracy_from.top1}% from {_esc(h.accuracy_from.tables)} "
                     f"({_esc(h.accuracy_from.label)})")
    else:
        lines.append("no published accuracy")
    return "<br>".join(lines)


def _highlight_traces(highlights: Sequence[HighlightPoint],
                      y_range: tuple[float, float]) -> list[go.Scatter]:
    import plotly.graph_objects as go

    traces = []
    with_accuracy = [h for h in highlights if h.accuracy is not None]
    if with_accuracy:
        traces.append(go.Scatter(
            x=[float(h.x) for h in with_accuracy],
            y=[float(h.accuracy) for h in with_accuracy if h.accuracy is not None],
            mode="markers",
            marker={"symbol": "star", "size": 18, "color": _HIGHLIGHT_COLOR,
                    "line": {"width": 1, "color": "#fff"}},
            name="highlighted (mncost cost)",
            hovertext=[_highlight_hover(h) for h in with_accuracy],
            hovertemplate="%{hovertext}<extra></extra>", meta={"kind": "highlight"},
        ))
    steps = 40  # vertices along the line, so hovering anywhere on it shows the text
    low, high = y_range
    for h in (h for h in highlights if h.accuracy is None):
        ys = [low + (high - low) * k / steps for k in range(steps + 1)]
        traces.append(go.Scatter(
            x=[float(h.x)] * len(ys), y=ys, mode="lines",
            line={"color": _HIGHLIGHT_COLOR, "dash": "dot", "width": 2},
            name=f"{_esc(h.label)}: no published accuracy",
            hovertext=[_highlight_hover(h)] * len(ys),
            hovertemplate="%{hovertext}<extra></extra>", meta={"kind": "highlight"},
        ))
    return traces


def _y_range(data: ParetoData) -> tuple[float, float]:
    ys = [float(p.y) for p in data.points]
    ys += [float(h.accuracy) for h in data.highlights if h.accuracy is not None]
    if not ys:
        return 0.0, 100.0
    return max(0.0, min(ys) - 3), min(100.0, max(ys) + 3)


def pareto_title(data: ParetoData, interactive: bool = True) -> tuple[str, str]:
    """The plot's title and subtitle (plain text); a static image names the sources."""
    dataset = DATASETS[data.dataset]
    what = "mult-adds" if data.x_axis == "mult_adds" else "parameters"
    basis = ("published figures" if data.cost_basis == "published" else
             "mncost's exact count (published where mncost cannot count the model)")
    where = ("hover a point for its source" if interactive else
             "sources: the MobileNets paper, Tables 4-10; the released TF-slim checkpoints")
    return f"{dataset} top-1 accuracy vs {what}", f"cost: {basis}; {where}"


def pareto_figure(data: ParetoData, log_x: bool = True, titled: bool = True) -> go.Figure:
    """Top-1 accuracy against cost: published points by family and source, the frontier,
    and the highlighted configurations. ``titled=False`` leaves the title to the page."""
    import plotly.graph_objects as go

    y_range = _y_range(data)
    fig = go.Figure(_published_traces(data))
    if data.frontier:
        fig.add_trace(_frontier_trace(data))
    # A log axis has no place for a cost of 0 (a spec of pooling and softmax only):
    # such a highlight is named in a corner instead of drawn.
    drawn = [h for h in data.highlights if h.x > 0 or not log_x]
    for trace in _highlight_traces(drawn, y_range):
        fig.add_trace(trace)
    off_axis = [h for h in data.highlights if log_x and h.x <= 0]
    if off_axis:
        what, _ = _axis_words(data)
        fig.add_annotation(
            xref="paper", yref="paper", x=0.01, y=0.99, xanchor="left", yanchor="top",
            showarrow=False, align="left", font={"size": 12, "color": _HIGHLIGHT_COLOR},
            text="<br>".join(f"{_esc(h.label)}: 0 {what}, not drawn on the log scale"
                             for h in off_axis))
    dataset = DATASETS[data.dataset]
    title, subtitle = pareto_title(data, interactive=False)
    for n, h in enumerate(drawn):
        x = math.log10(float(h.x)) if log_x else float(h.x)  # annotations use log10 on log axes
        if h.accuracy is None:  # name the dotted line where it meets the top of the plot
            fig.add_annotation(x=x, y=y_range[1], text=_esc(h.label), showarrow=False,
                               yanchor="bottom", font={"size": 11, "color": _HIGHLIGHT_COLOR})
        else:  # a boxed label on a leader line, clear of the dense MobileNet points
            fig.add_annotation(x=x, y=float(h.accuracy), text=_esc(h.label),
                               showarrow=True, arrowcolor=_HIGHLIGHT_COLOR, arrowwidth=1,
                               ax=-60 if n % 2 == 0 else 60, ay=-50 + 18 * (n // 2 % 3),
                               font={"size": 12, "color": _HIGHLIGHT_COLOR},
                               bgcolor="rgba(255,255,255,0.9)", bordercolor=_HIGHLIGHT_COLOR,
                               borderpad=3)
    x_title = ("Mult-adds (millions of MACs)" if data.x_axis == "mult_adds"
               else "Parameters (millions)") + (", log scale" if log_x else "")
    fig.update_layout(
        title={"text": f"{_esc(title)}<br><sup>{_esc(subtitle)}</sup>" if titled else "",
               "x": 0.01, "xanchor": "left"},
        template="plotly_white", height=680, hovermode="closest",
        margin={"l": 70, "r": 30, "t": 90 if titled else 30, "b": 60},
        legend={"title": {"text": "family, source:"}, "itemsizing": "constant",
                "orientation": "h", "x": 0, "xanchor": "left", "y": -0.14,
                "yanchor": "top"},
        xaxis={"title": {"text": x_title}, "type": "log" if log_x else "linear",
               "showgrid": True},
        yaxis={"title": {"text": f"Top-1 accuracy on {dataset} (%)"}, "range": list(y_range)},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
    )
    return fig


def by_type_figure(result: CostResult) -> go.Figure:
    """Share of mult-adds and of parameters per layer type (the paper's Table 2), as bars."""
    import plotly.graph_objects as go

    rows = list(reversed(result.by_type))  # largest at the top of a horizontal bar chart
    types = [_esc(r.type) for r in rows]
    fig = go.Figure([
        go.Bar(y=types, x=[float(r.mult_adds_share) * 100 for r in rows], orientation="h",
               name="% of mult-adds (MACs)", marker_color="#1f77b4",
               hovertext=[f"{_esc(r.type)}: {r.mult_adds:,} MACs" for r in rows],
               hovertemplate="%{hovertext} (%{x:.2f}%)<extra></extra>"),
        go.Bar(y=types, x=[float(r.params_share) * 100 for r in rows], orientation="h",
               name="% of params", marker_color="#ff7f0e",
               hovertext=[f"{_esc(r.type)}: {r.params:,} params" for r in rows],
               hovertemplate="%{hovertext} (%{x:.2f}%)<extra></extra>"),
    ])
    fig.update_layout(
        title={"text": "Share of the cost by layer type", "x": 0.01, "xanchor": "left"},
        barmode="group", template="plotly_white", height=120 + 70 * max(len(rows), 1),
        margin={"l": 20, "r": 30, "t": 60, "b": 50},
        xaxis={"title": {"text": "% of the total"}, "range": [0, 100]},
        yaxis={"automargin": True, "ticksuffix": "  "},
        legend={"orientation": "h", "y": -0.25},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
    )
    if not rows:  # every layer costs 0 (pooling and softmax only): say so, not a blank
        fig.add_annotation(xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           text="No layer type has any mult-adds or params: nothing to chart.")
        fig.update_yaxes(visible=False)
    return fig
