"""``mncost plot``: figures of published results against cost (``mncost plot pareto``)
and of patch schedules' memory against their recomputation (``mncost plot patches``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mncost.cli.commands.sweep import ProgressBar
from mncost.cli.files import OutputFile, emit, input_files
from mncost.cli.options import (
    ScenarioOptions,
    memory_options,
    query_options,
    resolve_scenario,
    run_query,
    scenario_options,
)
from mncost.cli.params import KeyChoice, ParamType, PatchGrid, WholeNumber
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError, input_text, multiplier_text
from mncost.limits import MAX_HIGHLIGHTS
from mncost.present.files import display_path
from mncost.text import quote

if TYPE_CHECKING:
    from mncost.cost.execution import Execution

__all__ = ["open_in_browser", "pareto_command", "patches_command", "plot_group"]

WIDTH_RANGE = (320, 3840)
HEIGHT_RANGE = (240, 2160)
SCALE_RANGE = (0.5, 4.0)
MAX_IMAGE_SIDE = 8192
"""An image side in device pixels (--width or --height times --scale) is at most this:
a 8,192 x 8,192 PNG is already 256 MiB to render."""


class _Scale(ParamType):
    """--scale: a decimal number in SCALE_RANGE, ASCII digits only."""

    name = "NUMBER"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        import re

        if isinstance(value, float):
            return value
        text = str(value).strip()
        low, high = SCALE_RANGE
        # A plain decimal: no exponent, nan or inf, and short, so nothing odd reaches float().
        if (
            len(text) > 12
            or not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text, re.ASCII)
            or not low <= float(text) <= high
        ):
            self.fail(
                f"scale must be a number from {low:g} to {high:g}, got {quote(value)}", param, ctx
            )
        return float(text)


@click.group(
    "plot",
    short_help="Plots: accuracy against cost (Pareto) of published models.",
    epilog="""\b
Examples:
  mncost plot pareto                            # writes pareto.html here
  mncost plot pareto --highlight 0.75/160 -o pareto.png
""",
)
def plot_group() -> None:
    """Plots of the published results against mncost's costs."""


def open_in_browser(path: Path) -> str | None:
    """Open ``path`` in a graphical browser without waiting; a note when there is none.

    Python's webbrowser falls back to text browsers (lynx, w3m) that would take over the
    terminal and block, so on Linux only a graphical session is used, via xdg-open.
    """
    import shutil
    import subprocess

    uri = path.resolve().as_uri()
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        import webbrowser

        return None if webbrowser.open(uri) else "no default browser found"
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "no graphical display here, so nothing was opened"
    opener = shutil.which("xdg-open")
    if opener is None:
        return "xdg-open not found, so nothing was opened"
    subprocess.Popen(
        [opener, uri],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return None


@plot_group.command(
    "pareto",
    short_help="Top-1 accuracy vs mult-adds or params, frontier marked.",
    epilog="""\b
Examples:
  mncost plot pareto                       # ImageNet, log x: pareto.html
  mncost plot pareto --highlight 0.75/160 --highlight mobilenet-v2@0.75/160
  mncost plot pareto --x params --source paper -o params.svg
  mncost plot pareto --cost computed       # mncost's exact MACs on x
  mncost plot pareto --dataset stanford_dogs -o dogs.png
  mncost plot pareto --dataset coco -o coco.html   # detectors: COCO mAP vs MACs
  mncost plot pareto --family mobilenet_v1 --show   # and open it
  mncost plot pareto -o pareto.png --width 1600 --height 900 --scale 1
""",
)
@query_options(default_dataset="imagenet")
@click.option(
    "--x",
    "x_axis",
    type=KeyChoice(("mult_adds", "params"), "x axis"),
    default="mult_adds",
    show_default=True,
    help="What the x axis counts: mult-adds (MACs) or parameters.",
)
@click.option(
    "--cost",
    "cost_basis",
    type=KeyChoice(("published", "computed"), "cost basis"),
    default="published",
    show_default=True,
    help="x from the published figures, or mncost's exact count (published "
    "where mncost cannot count the model).",
)
@click.option(
    "--highlight",
    "highlights",
    multiple=True,
    metavar="[MODEL@]ALPHA/RES",
    help="Mark a configuration at mncost's cost, e.g. 0.75/160 (MobileNet v1), "
    "mobilenet-v2@1.0/224 or mine.onnx@0.5/160; repeat for "
    f"several (at most {MAX_HIGHLIGHTS}).",
)
@click.option("--linear", is_flag=True, help="Linear x axis instead of log.")
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    default="pareto.html",
    metavar="FILE",
    help="Write FILE: .html (offline, plotly.js inlined), .png or .svg "
    "(needs kaleido and Chromium); '-' writes the HTML page to standard "
    "output instead of the frontier list. [default: ./pareto.html]",
)
@click.option(
    "--width",
    type=WholeNumber(*WIDTH_RANGE, "width"),
    default=None,
    metavar="PX",
    help=f"Figure width in CSS pixels, {WIDTH_RANGE[0]:,} to {WIDTH_RANGE[1]:,} "
    "[default: 1280 for .png/.svg; an HTML page's width].",
)
@click.option(
    "--height",
    type=WholeNumber(*HEIGHT_RANGE, "height"),
    default=None,
    metavar="PX",
    help=f"Figure height in CSS pixels, {HEIGHT_RANGE[0]:,} to {HEIGHT_RANGE[1]:,} [default: 720].",
)
@click.option(
    "--scale",
    type=_Scale(),
    default=None,
    help=f"Device pixels per CSS pixel in a .png (and the HTML page's PNG "
    f"download), {SCALE_RANGE[0]:g} to {SCALE_RANGE[1]:g} [default: 2: "
    "1280x720 becomes 2560x1440; 1 for .svg].",
)
@click.option(
    "--show", is_flag=True, help="Also open the file in the default browser (never waits for it)."
)
def pareto_command(
    families: tuple[str, ...],
    source: str,
    dataset: str,
    x_axis: str,
    cost_basis: str,
    highlights: tuple[str, ...],
    linear: bool,
    output: Path | None,
    width: int | None,
    height: int | None,
    scale: float | None,
    show: bool,
) -> None:
    """Plot published top-1 accuracy against mult-adds (or params) with the Pareto
    frontier, and list the frontier's models. --dataset coco plots detectors' COCO mAP
    instead, and coco_voc segmentation models' mIoU: each metric its own figure.

    Every published result of one dataset (ImageNet by default) is a point: colour is
    the model family (a detector's backbone's, on COCO), the marker the source (circle:
    the paper; diamond: a released checkpoint; square: one of the paper's variants;
    open: 8-bit; an x inside: a published cost where mncost's was asked for but cannot
    be counted). The frontier's
    points, the highlights and the other models are named on the plot. --highlight marks
    configurations at mncost's exact cost, with the published accuracy of the same
    configuration where there is one.

    Images are 1280x720; a PNG at scale 2 (2560x1440 pixels), an SVG at 1, unless
    --width, --height and --scale say otherwise. On an HTML page --width and --height
    fix the plot's size and --scale sets its PNG download's.
    """
    from mncost.analysis.pareto import (
        HighlightError,
        pareto_data,
        parse_highlight,
        resolve_highlight,
    )
    from mncost.present.export import (
        IMAGE_SCALE,
        IMAGE_SIZE,
        PlotOutputError,
        figure_page,
        plot_format,
        write_figure,
    )
    from mncost.present.figures import pareto_figure, pareto_title
    from mncost.present.terminal import render_terminal
    from mncost.present.views.pareto import frontier_report, page_notes

    if output is None and show:
        raise UserError("--show needs a file to open; -o - writes to standard output")
    if len(highlights) > MAX_HIGHLIGHTS:
        raise UserError(
            f"{len(highlights):,} --highlight options; a plot marks at most {MAX_HIGHLIGHTS}"
        )
    with user_errors(PlotOutputError, HighlightError):
        fmt = plot_format(output) if output is not None else "html"
        wanted = [parse_highlight(text) for text in highlights]
    if scale is None:  # a vector SVG keeps its CSS size; pixels are for PNG and download
        scale = 1.0 if fmt == "svg" else IMAGE_SCALE
    for option, side in (("--width", width), ("--height", height)):
        if side is not None and side * scale > MAX_IMAGE_SIDE:
            raise UserError(
                f"{option} {side:,} at --scale {scale:g} is "
                f"{side * scale:,.0f} pixels; at most {MAX_IMAGE_SIDE:,}"
            )
    if fmt != "html":  # an image has a size of its own; a page's plot fills the page
        width, height = width or IMAGE_SIZE[0], height or IMAGE_SIZE[1]
    points = run_query(families, source, dataset)
    # A highlight takes its accuracy from any published result of the dataset, whatever
    # --family and --source leave on the plot.
    every = run_query((), "all", dataset) if wanted else []
    with user_errors(HighlightError):
        marked = [resolve_highlight(h, every, x_axis) for h in wanted]  # type: ignore[arg-type]
    data = pareto_data(points, dataset, x_axis, cost_basis, marked)  # type: ignore[arg-type]
    if not data.points:
        what = "a top-1 accuracy" if data.metric.key == "top1" else f"a {data.metric.name} figure"
        raise UserError(f"no published results with {what} match these options")
    # An HTML page carries the title itself; an image needs it drawn in.
    fig = pareto_figure(data, log_x=not linear, titled=fmt != "html", width=width, height=height)
    title, subtitle = pareto_title(data)
    report = frontier_report(data)
    if output is None:  # -o -: the page is standard output, so no frontier list there
        emit(
            figure_page(fig, title, subtitle, page_notes(data), report.tables, scale), None, "html"
        )
        return
    with user_errors(PlotOutputError):
        write_figure(
            fig,
            output,
            title=title,
            intro=subtitle,
            notes=page_notes(data),
            tables=report.tables,
            inputs=input_files(),
            scale=scale,
        )
    shown = display_path(output.resolve())
    click.echo(
        f"wrote {shown} ({fmt}: {len(data.points)} published points, "
        f"{len(data.frontier)} on the frontier)",
        err=True,
    )
    if show:
        problem = open_in_browser(output)
        if problem:
            click.echo(f"--show: {problem}; open {shown} yourself", err=True)
    emit(render_terminal(report).lstrip("\n"), None, "table")


@plot_group.command(
    "patches",
    short_help="Patch schedules: peak memory against extra MACs (MCUNetV2).",
    epilog="""\b
Examples:
  mncost plot patches mobilenet-v2 --dtype int8 --dw-inplace --add-inplace --stream-input
  mncost plot patches mobilenet-v2 --dtype int8 --dw-inplace --max-overhead 10 -o p.png
  mncost plot patches mine.onnx --dtype int8 --split block_3   # every grid at one split
""",
)
@scenario_options
@memory_options()
@click.option(
    "--split",
    default="auto",
    show_default=True,
    metavar="NAME|auto",
    help="The op or block whose output ends the patch stage; auto tries every block's end.",
)
@click.option(
    "--patches",
    type=PatchGrid(auto=True),
    default="auto",
    show_default=True,
    metavar="PxQ|auto",
    help="The patch grid (4x4); auto tries 2x2 to 8x8.",
)
@click.option(
    "--stream-input",
    is_flag=True,
    help="Each patch reads only its own region of the input image; without it the "
    "whole image is held through the patch stage.",
)
@click.option(
    "--max-overhead",
    metavar="PCT",
    help="The most extra MACs a pick may add, in percent of the network's (10 or 10%).",
)
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    default="patches.html",
    metavar="FILE",
    help="Write FILE: .html (offline, plotly.js inlined), .png or .svg (needs kaleido "
    "and Chromium); '-' writes the HTML page to standard output. [default: ./patches.html]",
)
def patches_command(
    scenario: ScenarioOptions,
    execution: Execution,
    split: str,
    patches: Any,
    stream_input: bool,
    max_overhead: str | None,
    output: Path | None,
) -> None:
    """Plot the peak activation memory of MODEL's patch schedules against their extra
    MACs, and list the frontier: MCUNetV2's patch-based inference (Lin et al. 2021,
    arXiv:2110.15352), searched.

    Every split point (each block's end) and every square grid from 2x2 to 8x8 is
    tried, unless --split or --patches names one. Each point is one schedule; the line
    is the frontier (no schedule has both a lower peak and fewer extra MACs); the star
    is the pick (the lowest peak within --max-overhead; on a tie the fewest extra MACs),
    which `mncost memory --schedule patch --split auto --patches auto` reports op by op.
    """
    from mncost.analysis.models import search_scenario
    from mncost.analysis.scenario import schedule
    from mncost.present.export import PlotOutputError, figure_page, plot_format, write_figure
    from mncost.present.model import Report
    from mncost.present.schedule_figure import off_figure, patches_figure, x_limit
    from mncost.present.terminal import render_terminal
    from mncost.present.views.schedules import search_notes, search_table

    with user_errors(PlotOutputError):
        fmt = plot_format(output) if output is not None else "html"
    with user_errors(ScalingError):
        base, search = schedule(
            execution.dtype,
            execution.dw_inplace,
            execution.add_inplace,
            "patch",
            split,
            patches,
            stream_input,
            max_overhead,
            spelled="option",
        )
        if search is None:
            raise UserError("plot patches searches: give --split auto or --patches auto")
    chosen = resolve_scenario(scenario)
    with ProgressBar() as bar, user_errors(ScalingError):
        found = search_scenario(
            chosen, base, search, lambda done, total: bar("trying patch schedules", done, total)
        )
    size = chosen.resolution if chosen.resolution is not None else chosen.arch.resolution
    title = (
        f"Patch schedules of {chosen.arch.name} alpha={multiplier_text(chosen.alpha)} "
        f"{input_text(size)}"
    )
    subtitle = base.describe().replace(", layer by layer", "") + (
        ", input streamed" if search.stream_input else ", input held whole"
    )
    fig = patches_figure(found, title if fmt != "html" else "", subtitle if fmt != "html" else "")
    table = search_table(found)
    notes = search_notes(found)
    hidden = off_figure(found)
    if hidden:
        notes.append(
            f"{hidden} of the {len(found.trials)} schedules add more than "
            f"{x_limit(found):.0f}% extra MACs and lie right of the figure (JSON: "
            "mncost memory ... --split auto -f json)."
        )
    if output is None:
        emit(figure_page(fig, title, subtitle, notes, [table]), None, "html")
        return
    with user_errors(PlotOutputError):
        write_figure(
            fig,
            output,
            title=title,
            intro=subtitle,
            notes=notes,
            tables=[table],
            inputs=input_files(),
        )
    click.echo(
        f"wrote {display_path(output.resolve())} ({fmt}: {len(found.trials)} schedules, "
        f"{len(found.frontier)} on the frontier)",
        err=True,
    )
    emit(
        render_terminal(Report(title=title, tables=[table], notes=notes)).lstrip("\n"),
        None,
        "table",
    )
