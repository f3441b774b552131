"""The design-review page of one configuration (``mncost report``), as HTML or Markdown.

One page holds what a reviewer asks for: the configuration and counting conventions, the
per-layer table and the by-type breakdown (:func:`~mncost.present.views.cost_table.cost_report`,
the breakdown also as a chart), cost ratios against the paper's published MobileNets,
the Pareto plot of published results with this configuration marked, and the summary of
mncost's reproduction of the paper's cost figures. Every figure and conclusion comes
worked out from :func:`mncost.analysis.review.review_data`; this module only lays them
out. Tables go through the shared renderers (:func:`~mncost.present.render.html_table`,
the Markdown renderer); charts come from :mod:`mncost.present.figures`. HTML is one
offline file with plotly.js inlined once; Markdown links PNG files written next to it,
or says why the charts are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable

from mncost.cost.scaling import multiplier_text
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import si
from mncost.present.render import html_page, html_table, html_text, render

if TYPE_CHECKING:
    from mncost.analysis.pareto import ParetoData, PlottedPoint
    from mncost.analysis.review import PaperComparison, Reproduction, ReviewData
    from mncost.cost.result import CostResult

__all__ = ["FIGURES", "Review", "Section", "review_html", "review_markdown", "review_page"]

FIGURES: dict[str, str] = {"by_type": "Share of the cost by layer type",
                           "pareto": "Published results and this configuration"}
"""Figure key -> alt text; a section names at most one figure."""


@dataclass
class Section:
    """One part of the page: a heading, a line of intro, tables, a figure, notes."""

    title: str
    tables: list[Table]
    intro: str = ""
    figure: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Review:
    """The whole page, format-neutral; ``figures`` builds each chart on demand."""

    title: str
    sections: list[Section]
    figures: dict[str, Callable[[], Any]]


def _ratio(value: Fraction | None) -> str:
    # Two decimals, or two significant digits below 0.1 (a tiny net is 0.002x, not 0.00x).
    if value is None:
        return ""
    return f"{float(value):.2f}x" if value >= Fraction(1, 10) else f"{float(value):.2g}x"


def _config_section(result: CostResult, source: str) -> Section:
    total = result.total
    rows = [
        ["Model", result.model],
        ["Defined by", source],
        ["Width multiplier α", multiplier_text(result.alpha)],
        ["Input resolution", f"{result.resolution}x{result.resolution}"],
        ["Classes", str(result.classes) if result.classes else "0 (no classifier)"],
        ["Mult-adds", f"{total.mult_adds:,} MACs ({si(total.mult_adds)} MACs; "
                      f"FLOPs = 2 x MACs = {2 * total.mult_adds:,})"],
        ["Parameters", f"{total.params:,} ({si(total.params)})"],
    ]
    return Section(
        title="Configuration and conventions",
        tables=[Table(title="", columns=[Column("Setting"), Column("Value")], rows=rows)],
        notes=["Conventions: " + result.conventions.describe(result.own_rule)],
    )


def _comparison_section(result: CostResult, comparisons: tuple[PaperComparison, ...]) -> Section:
    rows = [[c.point.label, c.point.tables.removeprefix("paper "), c.point.top1,
             c.point.mult_adds_m, c.mult_adds, c.mult_adds_ratio, c.point.params_m, c.params,
             c.params_ratio] for c in comparisons]
    text = lambda v: "" if v is None else str(v)  # noqa: E731 - published figures as printed
    table = Table(title="", columns=[
        Column("Paper model"), Column("Tables"),
        Column("Top-1 %", "right", show=text),
        Column("Pub. MACs (M)", "right", show=text),
        Column("mncost MACs", "right", csv_header="mncost_mult_adds", data_only=True),
        Column("Ratio, MACs", "right", show=_ratio),
        Column("Pub. params (M)", "right", show=text),
        Column("mncost params", "right", csv_header="mncost_params", data_only=True),
        Column("Ratio, params", "right", show=_ratio),
    ], rows=rows, caption="Ratio: this configuration's count / that model's count "
                          "(0.29x = 29% of its cost). Top-1: ImageNet, as published.")
    intro = ""
    if comparisons:
        first = comparisons[0]
        intro = (f"This configuration has {_ratio(first.mult_adds_ratio)} the mult-adds and "
                 f"{_ratio(first.params_ratio)} the parameters of {first.point.label}.")
    return Section(
        title="Compared with the paper's published MobileNets",
        intro=intro, tables=[table],
        notes=["Ratios divide mncost's exact counts of both configurations, under the same "
               "conventions, so a published figure's rounding does not enter them; the "
               "published figures (Pub.) are shown beside them as printed, and "
               "`mncost published --source paper` lists both side by side."],
    )


def _pareto_section(data: ParetoData, best: PlottedPoint | None) -> Section:
    highlight = data.highlights[0]
    notes = []
    if highlight.mult_adds == 0:
        intro = ("This configuration costs 0 mult-adds, so it has no place on the plot's "
                 "log scale and is not drawn.")
    elif highlight.accuracy_from is not None:
        source = highlight.accuracy_from
        intro = (f"The star is this configuration at mncost's cost; its published top-1 is "
                 f"{source.top1}% ({source.label}, {source.tables}).")
    else:
        intro = ("The dotted line is this configuration at mncost's cost: no published "
                 "accuracy exists for it.")
    if best is not None:
        notes.append(f"Best published top-1 at no more than this cost: {best.point.top1}% "
                     f"({best.point.label}, {best.point.tables}).")
    notes.append(f"{len(data.points)} published ImageNet results; hover a point for its "
                 "source. Run `mncost plot pareto` for options.")
    return Section(title="Among published results (Pareto plot)", tables=[], intro=intro,
                   figure="pareto", notes=notes)


def _reproduction_section(reproduction: Reproduction) -> Section:
    if reproduction.unavailable:
        return Section(title="Reproduction of the paper's cost figures", tables=[],
                       notes=[f"Reproduction summary unavailable: "
                              f"{reproduction.unavailable}."])
    statuses, summaries = reproduction.statuses, reproduction.summaries
    table = Table(
        title="",
        columns=[Column("Table"), Column("Cells", "right")]
        + [Column(status.capitalize(), "right") for status in statuses],
        rows=[[s.table, s.cells] + [s.counts.get(status, 0) for status in statuses]
              for s in summaries if s.table != "All"],
        footer=[[s.table, s.cells] + [s.counts.get(status, 0) for status in statuses]
                for s in summaries if s.table == "All"],
    )
    return Section(
        title="Reproduction of the paper's cost figures", tables=[table],
        intro="How mncost's exact counts compare with every cost cell the paper prints.",
        notes=["match: equal at the printed precision; convention: equal under a stated "
               "counting convention; close: within 1% (or truncated); erratum: the printed "
               "figure is demonstrably wrong; differs: unexplained; not computable: the "
               "paper does not define the model. `mncost reproduce` lists every cell."],
    )


def review_page(data: ReviewData) -> Review:
    """The review page of what :func:`mncost.analysis.review.review_data` worked out."""
    from mncost.present.views.cost_table import cost_report

    result = data.result
    costs = cost_report(result)
    layers, by_type = (replace(t, title="") for t in costs.tables)

    def pareto() -> Any:
        from mncost.present.figures import pareto_figure

        return pareto_figure(data.pareto, titled=False)

    def by_type_chart() -> Any:
        from mncost.present.figures import by_type_figure

        return by_type_figure(result)

    sections = [
        _config_section(result, data.source),
        Section(title="Per-layer cost", tables=[layers],
                intro="One row per layer, as in the paper's Table 1 (a depthwise separable "
                      "block is two rows: dw, then pw)."),
        Section(title="By layer type", tables=[by_type], figure="by_type",
                intro="The shape of the paper's Table 2."),
        _comparison_section(result, data.comparisons),
        _pareto_section(data.pareto, data.best_cheaper),
        _reproduction_section(data.reproduction),
    ]
    return Review(title=f"Design review: {costs.title}", sections=sections,
                  figures={"by_type": by_type_chart, "pareto": pareto})


def review_html(review: Review) -> str:
    """The review as one offline HTML page (plotly.js inlined once, for both charts)."""
    from mncost.present.export import figure_div, plotly_script

    parts = []
    for n, section in enumerate(review.sections):
        parts.append(f"<section>\n<h2>{html_text(section.title)}</h2>")
        if section.intro:
            parts.append(f'<p class="caption">{html_text(section.intro)}</p>')
        parts.extend(html_table(table) for table in section.tables)
        if section.figure is not None:
            parts.append(figure_div(review.figures[section.figure](), f"figure-{n}"))
        parts.extend(f'<p class="note">{html_text(note)}</p>' for note in section.notes)
        parts.append("</section>")
    return html_page(review.title, "\n".join(parts), head=plotly_script())


def _demoted(markdown: str) -> str:
    # The section's Report renders its title as "#"; on this page it is a "##".
    return "\n".join("#" + line if line.startswith("#") else line
                     for line in markdown.splitlines())


def review_markdown(review: Review, images: dict[str, str], missing: str = "") -> str:
    """The review as Markdown; ``images`` maps figure keys to image links next to it.

    A figure without an image is left out, with ``missing`` saying why.
    """
    from urllib.parse import quote

    parts = [render(Report(title=review.title, tables=[]), "markdown").rstrip()]
    for section in review.sections:
        # Heading and intro first, then the tables and notes (the renderer puts notes last).
        head = Report(title=section.title, tables=[],
                      notes=[section.intro] if section.intro else [])
        parts.append(_demoted(render(head, "markdown")).rstrip())
        if section.tables or section.notes:
            body = render(Report(title="", tables=section.tables, notes=section.notes),
                          "markdown")
            parts.append(body.split("\n", 1)[1].strip())  # drop the untitled "# " line
        if section.figure is not None:
            alt = FIGURES[section.figure]
            if section.figure in images:
                parts.append(f"![{alt}]({quote(images[section.figure])})")
            else:
                parts.append(f"_Chart left out ({alt.lower()}): {missing or 'no image'}._")
    return "\n\n".join(parts) + "\n"
