"""mncost's plain-data figures seen through plotly, for tests.

mncost builds its figures as plain data (:class:`mncost.present.plotly_data.Figure`) and
never imports plotly's Python package to write them. :func:`as_plotly` hands a figure's
data to ``plotly.graph_objects.Figure`` WITH validation: every property must be one
plotly knows, with a value it accepts (else ValueError), and the tests then read the
figure by attribute (``fig.layout.xaxis.ticktext``; None where a property is not set).
The template is left out: it is plotly's own file, not mncost's data, and validating it
again for every figure only slows the tests; tests/test_plotly_data.py checks it once,
against plotly's.
"""

from __future__ import annotations

from typing import Any

from mncost.present.plotly_data import FigureLike


def as_plotly(fig: FigureLike) -> Any:
    """``fig`` as a validated ``plotly.graph_objects.Figure`` (without its template)."""
    import plotly.graph_objects as go

    figure = fig.to_dict()
    layout = {k: v for k, v in figure.get("layout", {}).items() if k != "template"}
    return go.Figure({"data": figure.get("data", []), "layout": layout})
