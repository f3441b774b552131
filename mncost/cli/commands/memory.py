"""The ``memory`` command: activation memory op by op, its peak, and the weight bytes;
with ``-o FILE.html``, ``.png`` or ``.svg``, the memory profile as a chart."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mncost.cli.commands.sweep import ProgressBar
from mncost.cli.files import emit_report, output_options, resolve_format, write_output
from mncost.cli.options import ScenarioOptions, memory_options, resolve_scenario, scenario_options
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.present.files import display_path
from mncost.present.formats import REPORT_FORMATS
from mncost.present.numbers import fixed
from mncost.text import quote
from mncost.units import UnitError, parse_budget

if TYPE_CHECKING:
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.execution import Execution
    from mncost.cost.memory import MemoryResult

__all__ = ["memory_command"]

IMAGE_FORMATS = ("png", "svg")
FORMATS = REPORT_FORMATS + IMAGE_FORMATS
CHARTS = ("html", *IMAGE_FORMATS)
"""The formats that, written to a file, draw the memory profile."""

KIB = 1024


def _budget(text: str | None) -> int | None:
    """--budget in bytes (a fraction of a byte rounds down: the peak is whole bytes)."""
    if text is None:
        return None

    with user_errors(UnitError):
        return int(parse_budget(text, "bytes", "--budget"))  # int() floors a Fraction >= 0


def _kib(value: int) -> str:
    return f"{fixed(value, KIB, 1)} KiB"


def _budget_note(result: MemoryResult, budget: int) -> str:
    """Whether the peak fits --budget, and (under the patch schedule) whether the same
    execution layer by layer would."""
    peak = result.peak.bytes
    text = f"Budget (--budget): {budget:,} bytes ({_kib(budget)}). The peak, {_kib(peak)}, "
    text += (
        f"fits, with {_kib(budget - peak)} to spare"
        if peak <= budget
        else f"does not fit: it is {_kib(peak - budget)} over"
    )
    before = result.layer_peak
    if before is not None:
        fits = "would fit" if before.bytes <= budget else "would not fit"
        text += f"; layer by layer ({_kib(before.bytes)}) it {fits}"
    return text + "."


def _schedule_label(execution: Execution) -> str:
    if not execution.patched or execution.patches is None:
        return "layer by layer"
    rows, cols = execution.patches
    return f"patch-based {rows}x{cols}, split {execution.split}"


CHART_NOTE = (
    "The chart: the bytes live at every op that runs, in execution order (an auxiliary "
    "head's ops do not run), one step per op; the peak of each schedule is marked. "
    "Under --schedule patch the same choices layer by layer are drawn too, and the "
    "shaded band is the patch stage, whose ops show their most over the patches. "
    "--budget is the dashed line. Hover over a step for its op."
)


@click.command(
    "memory",
    short_help="Activation memory per layer, its peak, and weight bytes.",
    epilog="""\b
Examples:
  mncost memory mobilenet-v2 --dtype int8 --dw-inplace   # MCUNetV2's 1,372 kB peak
  mncost memory mobilenet-v2 --dtype int8                # depthwise convs not in place
  mncost memory -a 0.5 -r 160 --dtype float16
  mncost memory --spec examples/tiny-cifar.yaml -o memory.html
  mncost memory mobilenet-v2 --dtype int8 -f json | jq .peak_activation_bytes
\b
Charts (MCUNetV2's Figure 1), patch-based drawn over layer by layer:
  mncost memory mobilenet-v2 --dtype int8 --dw-inplace --add-inplace \\
      --schedule patch --split block_4 --patches 4x4 --stream-input \\
      --budget 256KiB -o memory.html
  mncost memory mobilenet-v2 --dtype int8 --dw-inplace --budget 256KiB -o memory.png
\b
Patch schedules searched (the lowest peak; then the fewest extra MACs):
  mncost memory mobilenet-v2 --dtype int8 --dw-inplace --add-inplace --stream-input \\
      --schedule patch --split auto --patches auto --max-overhead 10
""",
)
@scenario_options
@memory_options(schedule=True, search=True)
@click.option(
    "--budget",
    metavar="BYTES",
    default=None,
    help="A memory budget for the activations, e.g. 256KiB, 512KB or 2MB (KB = 1,000 "
    "bytes, KiB = 1,024): a dashed line on the chart, and a note says whether the peak "
    "fits. JSON and CSV are unchanged.",
)
@output_options(FORMATS)
def memory_command(
    scenario: ScenarioOptions,
    execution: Execution,
    search: PatchSearch | None,
    budget: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Activation memory of MODEL (default: mobilenet-v1), layer by layer or (with
    --schedule patch) patch-based, as MCUNetV2 (Lin et al. 2021, arXiv:2110.15352) runs it.

    For each op: the bytes it reads, the bytes it writes, and the bytes live while it
    runs (its inputs, its output and every earlier tensor a later op still reads; the
    network's input counts; batch norm and activations run fused, in place). Then the
    peak and the op where it occurs, the weight bytes, and the peak under the other
    --dw-inplace setting. Bytes are exact; tables show KiB (1,024 bytes).

    -o FILE.html writes the memory profile: a step chart of the live bytes at every op,
    the peak marked, the patch stage shaded and the budget drawn, above the tables
    (one offline file). -o FILE.png or .svg writes the chart alone (needs kaleido and
    Chromium). Under --schedule patch the chart overlays the same execution layer by
    layer. Standard output (-f html alone) gets the tables' page, without the chart.

    --schedule patch runs the ops up to --split patch by patch on a --patches grid; the
    report adds each part's peak, the extra MACs of recomputation and how each
    assumption (--stream-input, --add-inplace, --dw-inplace) moves the peak. --split
    auto and --patches auto (the default under --schedule patch) search every block's
    end and grids 2x2 to 8x8 for the lowest peak (within --max-overhead PCT of extra
    MACs when given) and open the report with the trade-off.
    """
    from mncost.analysis.models import memory_scenario
    from mncost.present.views.memory import memory_report

    fmt = resolve_format(fmt, output, FORMATS)
    if fmt in IMAGE_FORMATS and output is None:
        raise UserError(f"a {fmt.upper()} image is written to a file: give -o FILE.{fmt}")
    limit = _budget(budget)
    chosen = resolve_scenario(scenario)
    found = None
    if search is not None:  # --split auto or --patches auto: search, then report the pick
        from mncost.analysis.models import search_scenario

        with ProgressBar() as bar, user_errors(ScalingError):
            found = search_scenario(
                chosen,
                execution,
                search,
                lambda done, total: bar("trying patch schedules", done, total),
            )
        execution = found.execution
    with user_errors(ScalingError):
        result = memory_scenario(chosen, execution)
    report = memory_report(result, found)
    if limit is not None:
        report = replace(report, notes=[*report.notes, _budget_note(result, limit)])
    if output is None or fmt not in CHARTS:
        emit_report(report, fmt, output)
        return

    from mncost.present.export import (
        IMAGE_SCALE,
        IMAGE_SIZE,
        PlotOutputError,
        figure_images,
        figure_page,
    )
    from mncost.present.memory_figure import memory_figure, memory_title

    drawn = [(_schedule_label(execution), result)]
    if execution.patched:
        with user_errors(ScalingError):
            layer = memory_scenario(chosen, execution.layer_by_layer())
        drawn.insert(0, (_schedule_label(layer.execution), layer))
    image = fmt in IMAGE_FORMATS
    # An HTML page carries the title itself; an image needs it drawn in.
    fig = memory_figure(
        drawn,
        limit,
        titled=image,
        width=IMAGE_SIZE[0] if image else None,
        height=IMAGE_SIZE[1] if image else None,
    )
    content: str | bytes
    if image:
        with user_errors(PlotOutputError):
            scale = 1.0 if fmt == "svg" else IMAGE_SCALE  # an SVG keeps its CSS size
            content = figure_images([fig], fmt, IMAGE_SIZE, scale)[0]
    else:
        title, subtitle = memory_title(drawn)
        content = figure_page(fig, title, subtitle, [CHART_NOTE, *report.notes], report.tables)
    write_output(output, content)  # atomically, never over an input (--spec)
    peak = result.peak
    where = "the input" if peak.layer is None else quote(peak.layer, 40)
    click.echo(
        f"wrote {display_path(output.resolve())} ({fmt}: the memory profile, peak {peak.bytes:,} "
        f"bytes at {where}" + (", layer by layer overlaid" if len(drawn) > 1 else "") + ")",
        err=True,
    )
