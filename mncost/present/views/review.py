"""The design-review page of one configuration (``mncost report``), as HTML or Markdown.

The page reads top-down, the way a reviewer asks:

1. **Summary**: the configuration, its totals, and the configuration against the
   nearest published models of the same task (or why nothing published is comparable);
2. the **Pareto plot** of the published results of that task, this configuration marked
   (left out, with the reason in the summary, when nothing is comparable);
3. the **by-type breakdown**, as a table and a chart;
4. the **per-layer table**;
5. with ``--audit``, an **appendix**: the summary of mncost's reproduction of the paper;

and ends with a footer naming the mncost version, the command line and the UTC date.

Every figure and conclusion comes worked out from
:func:`mncost.analysis.review.review_data`; this module only lays them out, as a
:class:`~mncost.present.model.Report` in parts (:class:`~mncost.present.model.Section`:
a heading, prose, tables, a chart, notes) that the one format table renders
(:mod:`mncost.present.render`): HTML is one offline file with plotly.js inlined once;
Markdown links PNG files written next to it, or says why the charts are left out; the
terminal, CSV and JSON show its tables and notes. Charts come from
:mod:`mncost.present.figures`. Prose is a sequence of text and
:class:`~mncost.present.model.Code` (commands, flags): code is ``<code>`` that never
breaks across lines in HTML, and a code span in Markdown.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mncost.present.figures import by_type_figure, pareto_figure
from mncost.present.files import printable
from mncost.present.memory_figure import memory_figure
from mncost.present.model import (
    PAGE_ROWS,
    Code,
    Command,
    Prose,
    Report,
    Rows,
    Section,
    code_spans,
    plain,
)
from mncost.present.render import render
from mncost.present.views.cost_table import cost_report
from mncost.present.views.review_sections import (
    appendix_section,
    deployment_section,
    nearest_section,
    pareto_section,
    schedule_label,
    summary_section,
)
from mncost.text import escape_controls

if TYPE_CHECKING:
    from mncost.analysis.review import ReviewData
    from mncost.cost.result import CostResult
    from mncost.present.plotly_data import Figure

__all__ = [
    "FIGURES",
    "Code",
    "Colophon",
    "Prose",
    "Section",
    "code_spans",
    "plain",
    "review_html",
    "review_markdown",
    "review_page",
    "review_report",
]

FIGURES: dict[str, str] = {
    "by_type": "Share of the cost by layer type",
    "pareto": "Published results and this configuration",
    "memory": "Activation memory op by op (the memory profile)",
}
"""Figure key -> alt text; a section names at most one figure."""


@dataclass(frozen=True)
class Colophon:
    """Who made the page, how and when: the footer."""

    version: str
    """mncost's version (``mncost.__version__``)."""
    command: tuple[str, ...]
    """The command line as typed, one argument per item, unquoted ("mncost", "report", ...)."""
    generated: datetime
    """When the page was made (timezone-aware; shown in UTC)."""


def review_report(
    title: str,
    sections: list[Section],
    figures: dict[str, Callable[[], Figure]],
    colophon: Colophon | None = None,
) -> Report:
    """The sections as one page in parts (every format renders it), each chart's alt
    text from :data:`FIGURES`, the colophon as its closing line."""
    for section in sections:
        if section.figure is not None and not section.figure_alt:
            section.figure_alt = FIGURES[section.figure]
    closing: Prose = ()
    if colophon is not None:
        closing = (
            f"Made with mncost {colophon.version} on {_when(colophon.generated)} by: ",
            Command(tuple(_shell_words(colophon.command))),
        )
    return Report.in_parts(title, sections, dict(figures), closing)


_ROWS = "One row per layer, in the order the network runs them."


def review_page(data: ReviewData, colophon: Colophon | None = None) -> Report:
    """The review page of what :func:`mncost.analysis.review.review_data` worked out."""
    result: CostResult = data.result
    n = len(result.mult_adds)
    capped = n > PAGE_ROWS  # the page lists the first rows; the data formats, every one
    costs = cost_report(result, shown=PAGE_ROWS if capped else None)
    layers, by_type = (replace(t, title="") for t in costs.tables[:2])
    plotted = data.pareto

    def pareto() -> Figure:
        assert plotted is not None  # only listed when there is a plot
        return pareto_figure(plotted, titled=False)

    def by_type_chart() -> Figure:
        return by_type_figure(result)

    sections = [summary_section(data)]
    figures: dict[str, Callable[[], Figure]] = {"by_type": by_type_chart}
    if data.dataset is not None:
        sections.append(nearest_section(data))
    if data.deployment is not None:
        sections.append(deployment_section(data.deployment))
        charted = data.deployment.profile

        def memory_chart() -> Figure:
            return memory_figure([(schedule_label(r), r) for r in charted], titled=False)

        if charted:
            figures["memory"] = memory_chart
    if plotted is not None:
        sections.append(pareto_section(plotted, data.best_cheaper, data.other_size))
        figures["pareto"] = pareto
    sections += [
        Section(
            title="By layer type",
            tables=[by_type],
            figure="by_type",
            intro=("Mult-adds and parameters by layer type, laid out as the paper's Table 2.",),
        ),
        Section(
            title="Per-layer cost",
            tables=[layers],
            # Said before the table: a reader should not scroll 2,000 rows to learn it.
            intro=(
                (
                    f"{_ROWS} This page lists the first {PAGE_ROWS:,} of the {n:,} layers "
                    "(the totals count every one); the report's CSV (",
                    Code("-o review.csv"),
                    ") and JSON list them all.",
                )
                if capped
                else (_ROWS,)
            ),
        ),
    ]
    if data.reproduction is not None:
        sections.append(appendix_section(data.reproduction))
    report = review_report(f"Design review: {costs.title}", sections, figures, colophon)
    # CSV holds one table: the per-layer one.
    report.csv_table = next(i for i, t in enumerate(report.tables) if t.title == "Per-layer cost")
    if capped:  # the formats that read the flat tables get every layer, made as read
        full = report.tables[report.csv_table]

        def every_layer() -> Iterator[list[Any]]:
            return iter(cost_report(result).tables[0].rows)

        report.tables[report.csv_table] = replace(full, rows=Rows(n, every_layer))
    return report


# --- the footer -------------------------------------------------------------------------


def _shell_words(command: Sequence[str]) -> list[str]:
    """Each argument as a shell would need it typed: quoted where it must be, with
    undecodable bytes and control characters shown as escapes."""
    return [escape_controls(shlex.quote(printable(word))) for word in command]


def _when(moment: datetime) -> str:
    from datetime import timezone

    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# --- the page in its formats ---------------------------------------------------------


def review_html(review: Report) -> str:
    """The review as one offline HTML page (plotly.js inlined once, for every chart):
    the HTML renderer's page in parts."""
    return render(review, "html")


def review_markdown(review: Report, images: dict[str, str], missing: str = "") -> str:
    """The review as Markdown; ``images`` maps figure keys to image links next to it.

    A figure without an image is left out, with ``missing`` (mncost's own message,
    `backticks` as code) saying why.
    """
    return render(replace(review, images=images, missing=missing), "markdown")
