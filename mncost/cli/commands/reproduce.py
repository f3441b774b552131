"""The ``reproduce`` command: every published cost figure of the paper, audited cell by cell."""

from __future__ import annotations

from pathlib import Path

import click

from mncost.cli.files import emit_report, output_options, resolve_format
from mncost.cli.process import UserError
from mncost.sources.paper_cells import UnknownTableError

__all__ = ["reproduce_command"]

_STATUS_CHOICES = ("match", "convention", "close", "erratum", "differs", "not-computable")


@click.command(
    "reproduce",
    short_help="Audit the paper's cost figures cell by cell against mncost.",
    epilog="""\b
Examples:
  mncost reproduce                          # every table (2-14, V2's 6), summary, misprints
  mncost reproduce 13 v2-6                  # the detection tables (SSD, SSDLite)
  mncost reproduce 6 7                      # Tables 6 and 7 ("Table 6", table6 also work)
  mncost reproduce 2 --status erratum       # only the errata
  mncost reproduce -f json | jq '.[] | select(.status != "match")'
  mncost reproduce -o audit.md              # Markdown, notes inline
""",
)
@click.argument("tables", nargs=-1, metavar="[TABLE]...")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(_STATUS_CHOICES),
    help="Show only cells with this status (repeatable); the summary still counts every cell.",
)
@output_options()
def reproduce_command(
    tables: tuple[str, ...], statuses: tuple[str, ...], fmt: str | None, output: Path | None
) -> None:
    """Compare each cost figure of the paper's Tables 2-14 (and the MobileNetV2 paper's
    Table 6: SSDLite, Sandler et al. 2018) with mncost's exact count.

    For every published mult-adds, parameters or share cell: the computed value, the
    difference, and a status (match, convention, close, erratum, differs, not
    computable) with the reason. Then a summary per table and the misprints found
    outside the cost cells (Table 1's stride). TABLE picks tables: 6, "Table 6" or table6.
    """
    from mncost.analysis.reproduce import MISPRINTS, reproduce, summarize
    from mncost.present.formats import LAYOUTS
    from mncost.present.views.reproduce import reproduce_report

    fmt = resolve_format(fmt, output)
    try:
        cells = reproduce(list(tables) or None)
    except UnknownTableError as exc:
        raise UserError(str(exc)) from None
    summaries = summarize(cells)
    if statuses:
        wanted = {status.replace("-", " ") for status in statuses}
        cells = [cell for cell in cells if cell.status in wanted]
    emit_report(reproduce_report(cells, summaries, MISPRINTS, LAYOUTS[fmt]), fmt, output)
