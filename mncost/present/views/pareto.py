"""The ``mncost plot pareto`` text: the frontier's members and the highlighted
configurations as a Report, and the notes under the plot. The plotted data comes worked
out from :func:`mncost.analysis.pareto.pareto_data`; the figure itself is
:func:`mncost.present.figures.pareto_figure`."""

from __future__ import annotations

from mncost.analysis.pareto import ParetoData
from mncost.present.figures import tables_text
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import plain
from mncost.sources.coco import DATASET_NOTES
from mncost.sources.points import DATASETS

__all__ = ["frontier_report", "page_notes"]


def frontier_report(data: ParetoData) -> Report:
    """The frontier members (and the highlights) as a short terminal Report."""
    unit = "MACs (M)" if data.x_axis == "mult_adds" else "Params (M)"
    metric = data.metric
    rows = []
    for i in data.frontier:
        plotted = data.points[i]
        p = plotted.point
        published = p.mult_adds_m if data.x_axis == "mult_adds" else p.params_m
        # A published cost is shown as printed; mncost's to two decimals (of millions).
        cost = f"{float(plotted.x):,.2f}" if plotted.x_basis == "mncost" else plain(published)
        rows.append([p.label, p.config, f"{p.accuracy}", cost, plotted.x_basis, p.tables])
    columns = [
        Column("Model"),
        Column("α/res", hide_rank=2),
        Column(metric.header, "right"),
        Column(unit, "right"),
        Column("Cost from", hide_rank=1),
        Column("Source"),
    ]
    if data.cost_basis == "published":  # every cost is published: the column says nothing
        columns[4] = Column("Cost from", data_only=True)
    frontier = Table(
        title=f"Pareto frontier: {DATASETS[data.dataset]} {metric.name} vs "
        f"{'mult-adds' if data.x_axis == 'mult_adds' else 'params'}",
        columns=columns,
        rows=rows,
    )
    tables = [frontier]
    if data.highlights:
        tables.append(
            Table(
                title="Highlighted (mncost's exact cost)",
                columns=[
                    Column("Config"),
                    Column("MACs", "right"),
                    Column("Params", "right"),
                    Column(metric.header, "right"),
                    Column("Accuracy from"),
                ],
                rows=[
                    [
                        h.label,
                        h.mult_adds,
                        h.params,
                        "" if h.accuracy_from is None else f"{h.accuracy_from.accuracy}",
                        "no published accuracy"
                        if h.accuracy_from is None
                        else f"{h.accuracy_from.label}, {h.accuracy_from.tables}",
                    ]
                    for h in data.highlights
                ],
            )
        )
    return Report(title="", tables=tables)


def _sources(data: ParetoData) -> str:
    """The documents behind the plotted points, named from their provenance, so a new
    set of checkpoints names its own file and a filtered plot names only its own."""
    parts = (
        [f"the MobileNets paper (Howard et al. 2017), {tables_text(data.paper_tables)}"]
        if data.paper_tables
        else []
    )
    for publication, numbers in data.other_paper_tables.items():
        parts.append(f"{publication}, {tables_text(numbers)}")
    if data.checkpoint_documents:
        parts.append(
            "the released checkpoints, as listed in " + "; ".join(data.checkpoint_documents)
        )
    for citations in data.documented.values():
        parts.append("the weights' documentation: " + "; ".join(citations))
    return " and ".join(parts) or "none"


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def page_notes(data: ParetoData) -> list[str]:
    """What the page says under the plot: sources, what x means, what was left out."""
    metric = data.metric
    notes = [
        "Published figures: " + _sources(data) + ". Hover a point for its source table or file.",
        f"{len(data.points)} published {DATASETS[data.dataset]} results plotted; the dashed "
        "staircase is the Pareto frontier (no other point is as cheap and as accurate, "
        "with one of the two strictly better).",
    ]
    if metric.key == "top1":
        notes.append(
            "Named on the plot: the frontier's points (alpha/resolution; the colour "
            "gives the family), the paper's variants (squares) and the other models; "
            "hover names every point."
        )
    else:
        notes.append(
            f"y is {metric.name}: {metric.meaning}, as each source prints it; no top-1 is "
            f"plotted here. {DATASET_NOTES[data.dataset]}"
        )
        notes.append(
            "Named on the plot: every point, as its source names it; the colour gives the "
            "backbone's family, the marker the source (circle: the paper; diamond: a "
            "released checkpoint)."
        )
    if data.cost_basis == "computed":
        notes.append(
            "x is mncost's exact count where mncost can count the model, at the "
            "default conventions"
            + (
                f'; {_points(data.at_published_cost)} (marked x, "published cost" '
                "in the legend) stay at their published cost."
                if data.at_published_cost
                else "; it counts every plotted point."
            )
        )
    if data.highlights:
        notes.append(
            "Stars and dotted lines are highlighted configurations at mncost's "
            f"exact cost; a star takes the published {metric.name} of the same configuration."
        )
    if data.left_out:
        notes.append(
            f"{len(data.left_out)} results left out: no {metric.name} or no cost on this axis."
        )
    return notes
