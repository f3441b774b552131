"""``mncost report``: the design-review page of one configuration, in any report format
(HTML and Markdown lay out its parts and charts; the terminal, CSV and JSON give its
tables)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mncost import __version__
from mncost.cli.files import (
    OutputFile,
    check_output_path,
    emit_report,
    endings,
    write_output,
)
from mncost.cli.options import ScenarioOptions, memory_options, resolve_scenario, scenario_options
from mncost.cli.process import ERROR_LINE_LIMIT, UserError, user_errors
from mncost.cost.execution import Execution
from mncost.cost.scaling import ScalingError
from mncost.present.files import display_path, printable
from mncost.present.formats import REPORT_FORMATS, FormatError, format_from_path
from mncost.text import quote, shorten

if TYPE_CHECKING:
    from mncost.analysis.schedules import PatchSearch
    from mncost.present.views.review import Colophon

__all__ = ["report_command"]


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is not None:
        return fmt
    if output is None:  # -o -: standard output gets the HTML page
        return "html"

    try:
        found = format_from_path(output, REPORT_FORMATS)
    except FormatError as exc:
        raise UserError(f"cannot write {quote(display_path(output.name))}: {exc}") from None
    if found is None:
        raise UserError(
            f"cannot write {quote(display_path(output.name))}: no file ending; use one of "
            f"{endings(REPORT_FORMATS)}, or give --format"
        )
    return found


def _wrote(path: Path, fmt: str) -> None:
    click.echo(f"wrote {display_path(path.resolve())} ({fmt})", err=True)


_ARGS_KEY = "mncost.report.args"
"""ctx.meta key: the command's arguments as typed, for the page's footer."""


class _TypedCommand(click.Command):
    """A command that keeps its arguments as typed (click keeps only parsed values), so
    the page can say exactly which command made it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGS_KEY] = tuple(args)
        return super().parse_args(ctx, args)


def _colophon() -> Colophon:
    from datetime import datetime, timezone

    from mncost.present.views.review import Colophon

    ctx = click.get_current_context()
    # "mncost" whatever the program was called (python -m mncost, a test runner), then
    # the subcommand path and the arguments as typed.
    words = ("mncost", *ctx.command_path.split()[1:], *ctx.meta.get(_ARGS_KEY, ()))
    return Colophon(version=__version__, command=words, generated=datetime.now(timezone.utc))


def _warn(message: str) -> None:
    """One line on stderr; the command still succeeds."""
    where = click.get_current_context().command_path
    click.echo(shorten(printable(f"{where}: warning: {message}"), ERROR_LINE_LIMIT), err=True)


@click.command(
    "report",
    cls=_TypedCommand,
    short_help="Design-review page of one configuration (HTML or Markdown).",
    epilog="""\b
Examples:
  mncost report --alpha 0.75 --res 160 -o review.html
  mncost report -a 0.5 -r 128 -o review.md    # charts as PNG files beside it
  mncost report --spec examples/tiny-cifar.yaml -o tiny.html
  mncost report -o review.md --no-images      # Markdown without the charts
  mncost report mobilenet-v2 --audit          # with the paper audit as an appendix
  mncost report mobilenet-v2 --dtype int8 --dw-inplace --add-inplace \
      --schedule patch --stream-input -o mcu.html   # memory profile, patch-based
""",
)
@scenario_options
@memory_options(
    "Data type of the memory profile the page charts (default: int8 with --dw-inplace, "
    "as MCU runtimes run it, unless any of these options is given).",
    schedule=True,
    search=True,
)
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    default="review.html",
    metavar="FILE",
    help="Write FILE, in the format its ending names (.html: one offline file; .md: "
    "charts as PNG files next to it; .txt, .csv (the per-layer table) and .json: the "
    "tables); '-' writes the HTML page (or --format) to standard output. "
    "[default: ./review.html]",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown", "html"]),
    default=None,
    help="The format, whatever -o's ending says.",
)
@click.option(
    "--images/--no-images",
    default=True,
    show_default=True,
    help="Markdown only: write the charts as PNG files next to FILE (needs "
    "kaleido and Chromium; without them the page is written without "
    "charts, with a warning).",
)
@click.option(
    "--audit",
    is_flag=True,
    help="Add an appendix: how mncost's counts compare with every cost figure "
    "of the MobileNet paper (the summary of `mncost reproduce`).",
)
def report_command(
    scenario: ScenarioOptions,
    execution: Execution,
    search: PatchSearch | None,
    output: Path | None,
    fmt: str | None,
    images: bool,
    audit: bool,
) -> None:
    """Write the page a design reviewer wants for MODEL (default: mobilenet-v1) at the
    given alpha and resolution.

    First a summary: the configuration, its totals, and the configuration against the
    nearest published models of the same task (the same number of classes, and an RGB
    input within a factor of 2 of its size, per side); then the Pareto plot of those
    published results with this configuration marked; the breakdown by layer type
    (also as a chart); and the per-layer table. When no published result is of the
    same task (a 10-class 32x32 net), the page says so and has no comparison and no
    plot. A footer names the mncost version, this command line and the UTC date.

    The memory section charts the live bytes at every op: int8 with depthwise convs in
    place by default, or as --dtype, --dw-inplace and --add-inplace say; with
    --schedule patch (--split and --patches, or auto), patch-based drawn over layer by
    layer (MCUNetV2's Figure 1).
    """
    from mncost.analysis.models import cost_scenario
    from mncost.analysis.review import review_data
    from mncost.present.export import PlotOutputError, figure_images
    from mncost.present.views.review import review_markdown, review_page

    fmt = _format(fmt, output)
    if output is not None:
        check_output_path(output)
    chosen = resolve_scenario(scenario)
    with user_errors(ScalingError):
        result = cost_scenario(chosen)
    review = review_page(
        review_data(
            result,
            chosen.origin,
            match_published=chosen.registered is not None,
            audit=audit,
            arch=chosen.arch,
            model=chosen.registered,
            execution=None if execution == Execution() and search is None else execution,
            search=search,
        ),
        _colophon(),
    )
    if fmt != "markdown" or output is None:  # one file, rendered by the format table
        emit_report(review, fmt, output)
        return
    # Markdown: check every chart's file and render every chart first, so a failure
    # leaves no file half-written.
    keys = [s.figure for s in review.sections if s.figure is not None]
    names = {key: f"{output.stem}-{key.replace('_', '-')}.png" for key in keys}
    pictures: dict[str, bytes] = {}
    missing = "--no-images was given"
    if images:
        for key in keys:
            check_output_path(output.with_name(names[key]))
        try:
            rendered = figure_images([review.figures[k]() for k in keys], "png")
            pictures = dict(zip(keys, rendered, strict=True))
        except PlotOutputError as exc:
            missing = str(exc)
    for key, data in pictures.items():
        write_output(output.with_name(names[key]), data)
    write_output(output, review_markdown(review, {k: names[k] for k in pictures}, missing))
    for key in pictures:
        _wrote(output.with_name(names[key]), "png")
    _wrote(output, "markdown")
    if images and len(pictures) < len(keys):  # asked for, not made: say so, still exit 0
        _warn(f"{display_path(output.name)} has no charts: {missing}")
