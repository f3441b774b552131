"""The look of every figure, in one place: the font, how user text is shown in plotly,
plotly's white template, and the plotly.js config of an HTML page's figures.

Figures are built as plain data (:class:`~mncost.present.plotly_data.Figure`, never
validated by plotly's Python package): these are what they share.
"""

from __future__ import annotations

import html
from typing import Any

from mncost.present.plotly_data import white_template
from mncost.text import escape_controls

__all__ = ["FONT", "PLOT_CONFIG", "plot_text", "plotly_template"]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
"""Every figure's font: the reader's own interface font."""

PLOT_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "plotlyServerURL": "",
}
"""plotly.js config: no plotly logo link and no "Share chart" button (it uploads the
figure's data to Plotly Cloud); the modebar's PNG download stays (it is local)."""


def plot_text(text: str) -> str:
    """User text as plotly shows it: control characters escaped, never read as markup
    (plotly reads a subset of HTML in text)."""
    return html.escape(escape_controls(text), quote=False)


def plotly_template() -> dict[str, Any]:
    """plotly's white template as plain data (read from plotly's package data, without
    importing plotly), for figures built as plain data; a new dict on every call."""
    return white_template()
