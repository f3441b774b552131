"""A figure on an HTML page: plotly.js as one inline script (:func:`plotly_script`) and a
figure as the <div> and script that draw it (:func:`figure_div`), written as plotly's
``to_html`` writes them without importing plotly's Python package. Both the figure pages
(:mod:`mncost.present.export`) and the pages in parts the HTML renderer lays out
(:mod:`mncost.present.render`) use them."""

from __future__ import annotations

import json
import re
from typing import Any

from mncost.present.plotly_data import FigureLike, figure_json, plotly_js
from mncost.present.style import PLOT_CONFIG

__all__ = ["IMAGE_SCALE", "PlotOutputError", "figure_div", "plotly_script"]

IMAGE_SCALE = 2.0
"""Device pixels per CSS pixel in a PNG: 2 gives 2560 x 1440, sharp on a slide or a
high-density screen. The HTML page's "download as PNG" button uses it too."""


class PlotOutputError(Exception):
    """A figure that cannot be written: bad ending, unwritable path, no image exporter."""


def plotly_script() -> str:
    """plotly.js as one inline <script> element, for the <head> of a page."""
    js = plotly_js()
    # The minified bundle contains no "</script" to end the element; checked, not trusted.
    if re.search("</script", js, re.IGNORECASE):
        raise PlotOutputError("the installed plotly.js contains '</script': cannot inline it")
    return f'<script type="text/javascript">{js}</script>\n'


_DIV_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def _css_size(value: Any) -> str:
    """A div's width or height as plotly's to_html writes it: a number gets "px"."""
    try:
        float(value)
    except (ValueError, TypeError):
        return str(value)
    return f"{value}px"


def figure_div(fig: FigureLike, div_id: str, scale: float = IMAGE_SCALE) -> str:
    """A figure as a <div> plus the script that draws it (plotly.js must be on the page);
    its "download as PNG" button renders at ``scale``.

    The markup is plotly's ``fig.to_html(full_html=False, include_plotlyjs=False,
    include_mathjax=False, config=..., div_id=div_id)``, byte for byte, written without
    plotly: the outer div as wide and tall as the layout (or its template) says, in px,
    else 100%; the JSON strict and escaped (:func:`figure_json`).
    """
    if not _DIV_ID.match(div_id):
        raise ValueError(f"not an HTML id for a figure: {div_id!r}")
    config: dict[str, Any] = {
        **PLOT_CONFIG,
        "toImageButtonOptions": {"format": "png", "scale": scale},
    }
    config.setdefault("responsive", True)
    if not config.get("showSendToCloud", False):
        config.pop("plotlyServerURL", None)  # as plotly: no Plotly URL in the page
    figure = fig.to_dict()
    layout = figure.get("layout", {})
    template = layout.get("template", {}).get("layout", {})
    width = _css_size(layout.get("width", template.get("width", "100%")))
    height = _css_size(layout.get("height", template.get("height", "100%")))
    # plotly's to_html joins the lines of its templates with backslashes, keeping their
    # indents: the same spaces here, so that the page is the same bytes.
    script = _indented(
        (16, f'if (document.getElementById("{div_id}")) {{'),
        (20, "Plotly.newPlot("),
        (24, f'"{div_id}",'),
        (24, figure_json(figure.get("data", [])) + ","),
        (24, figure_json(layout) + ","),
        (24, json.dumps(config)),
        (20, ")"),
        (16, "}"),
    )
    return _indented(
        (0, f'<div style="height:{height}; width:{width};">'),
        (8, ""),  # where plotly puts MathJax (none)
        (8, ""),  # and plotly.js (on the page once, not in every figure)
        (12, f'<div id="{div_id}" class="plotly-graph-div" {_FILL}></div>'),
        (12, "<script>"),
        (16, "window.PLOTLYENV=window.PLOTLYENV || {};"),
        (16, script + ";"),
        (12, "</script>"),
        (8, "</div>"),
    )


_FILL = 'style="height:100%; width:100%;"'


def _indented(*lines: tuple[int, str]) -> str:
    return "".join(" " * indent + text for indent, text in lines)
