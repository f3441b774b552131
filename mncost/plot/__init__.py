"""Plots of published results against cost: the Pareto figure and its files.

Modules: :mod:`~mncost.plot.frontier` (the Pareto frontier, a pure function),
:mod:`~mncost.plot.pareto` (what the plot shows, as data: placed points, frontier,
highlights), :mod:`~mncost.plot.figure` (plotly figures), :mod:`~mncost.plot.output`
(offline HTML, PNG/SVG through kaleido, atomic writes). plotly, kaleido and pandas are
imported only inside the functions that draw or write; this package imports nothing.
"""

__all__: list[str] = []
