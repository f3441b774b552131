"""The ``choose`` command: the best (model, alpha, R) under budgets, ranked by estimated
top-1."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mncost.cli.commands.sweep import RANGE_HELP, ProgressBar, parse_axes
from mncost.cli.files import emit, output_options, report_text, resolve_format
from mncost.cli.options import budget_options, device_option, memory_options, resolve_model
from mncost.cli.params import ModelArgument, ParamType, WholeNumber
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.text import quote, shorten

if TYPE_CHECKING:
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.execution import Execution

__all__ = ["FamilyChoice", "choose_command"]

FAMILIES_HELP = "mobilenet-v1, mobilenet-v2, mobilenet-v3 or all"
"""The families ``choose`` takes, as its help says them (a test checks them against
:func:`mncost.analysis.choose.choose_families`)."""


class FamilyChoice(ParamType):
    """A family with published checkpoints, or all: mobilenet-v1 = mobilenet_v1, any case.
    The choices come from the data, read only when the option is used."""

    name = "FAMILY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from mncost.analysis.choose import choose_families

        key = str(value).strip().lower().replace("_", "-")
        choices = [f.replace("_", "-") for f in choose_families()]
        if key not in choices:
            self.fail(
                f"unknown family {quote(value)}; choose from {', '.join(choices)} (the "
                "families with published checkpoints to estimate top-1 from)",
                param,
                ctx,
            )
        return key


_BUDGET_HELP = {
    "max_macs": "At most this many mult-adds (MACs), e.g. 300M or 3e8 (K, M, G: powers of 1,000).",
    "max_params": "At most this many parameters, e.g. 3M or 3.5e6.",
    "max_weight_bytes": "At most this many bytes of weights in --dtype, e.g. 4MB (4,000,000) "
    "or 4MiB (4,194,304): KB, MB are powers of 1,000, KiB, MiB of 1,024.",
    "max_peak_bytes": "At most this peak activation memory in --dtype, e.g. 512KB or 320KiB "
    "(with --dw-inplace: depthwise convs in place).",
    "max_latency_ms": "At most this estimated latency on --device, e.g. 30 or 30ms.",
}


@click.command(
    "choose",
    short_help="Which MobileNet to ship: the best (model, alpha, R) "
    "under budgets, by estimated top-1.",
    epilog="""\b
Examples:
  mncost choose --max-macs 300M
  mncost choose --family mobilenet-v2 --max-latency-ms 30 --device pixel1-cpu
  mncost choose --max-weight-bytes 4MB --dtype int8 --max-peak-bytes 512KB --dw-inplace
  mncost choose --max-macs 100M --alpha 0.25:1.4:0.025 --res 96:256:8 --top 5
  mncost choose --max-params 2M -o choose.html      # heatmaps: feasible region, picks
  mncost choose --max-macs 300M -f json | jq '.candidates[0]'
  mncost choose --model mine.onnx --objective macs --max-latency-ms 20 --device pixel1-cpu
  mncost choose --model mine.yaml --model mobilenet-v2 --max-peak-bytes 256KiB --dtype int8
  mncost choose --max-latency-ms 30 --device pixel1-cpu --margin 10
  mncost choose --model mine.onnx --accuracy my-points.csv --max-macs 200M
  mncost choose --family mobilenet-v2 --dtype int8 --dw-inplace --add-inplace \
      --max-peak-bytes 256KiB --max-weight-bytes 2MB --reserve-bytes 256KiB \
      --schedule patch --stream-input           # an MCU: patch-based picks beside

\b
Units: K, M, G and KB, MB, GB are powers of 1,000; KiB, MiB, GiB powers of 1,024.
""",
)
@click.option(
    "--family",
    type=FamilyChoice(),
    default=None,
    help=f"Which models to search: {FAMILIES_HELP} (the families with "
    "published checkpoints to take top-1 from). Default: all, unless --model is given.",
)
@click.option(
    "--model",
    "models",
    type=ModelArgument(),
    multiple=True,
    metavar="REF",
    help="Search this model too (repeatable): a built-in name, a spec file or an ONNX "
    "file. One without released checkpoints has no top-1: rank with --objective.",
)
@click.option(
    "--objective",
    type=click.Choice(["top1", "macs", "latency", "params", "peak", "weights"]),
    default="top1",
    show_default=True,
    help="Rank by: top1 (estimated or measured top-1, highest first), macs (the most "
    "MACs the budgets allow), latency (lowest; needs --device), params, peak or weights "
    "(fewest).",
)
@click.option(
    "--accuracy",
    "accuracy_csv",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="POINTS.csv",
    help="Your own checkpoints' top-1 (columns model, alpha, resolution, top1): fitted "
    "per model with the estimator the published checkpoints use, with its leave-one-out "
    "error; they replace a model's published checkpoints. A model is named as searched: "
    "a built-in's name, or a --model file's reference or file name.",
)
@click.option(
    "--classes",
    type=WholeNumber(0, 100_000_000, "classes"),
    default=None,
    metavar="N",
    help="Classifier width of every model searched (default: each one's own). A "
    "built-in model's top-1 is of its own 1,000 classes: with another N it has none.",
)
@budget_options(_BUDGET_HELP)
@click.option(
    "--reserve-bytes",
    metavar="BYTES",
    help="Flash kept for the runtime and the rest of the firmware: the weights must "
    "fit in --max-weight-bytes less this (e.g. 2MB with --reserve-bytes 256KiB).",
)
@click.option(
    "--reserve-sram-bytes",
    metavar="BYTES",
    help="SRAM the runtime's own arena takes: the peak must fit in --max-peak-bytes less this.",
)
@memory_options(
    "Data type of weights and activations for the byte budgets: 4, 2 or 1 "
    "byte per value (int8 folds batch norm into the conv before it).",
    schedule=True,
    search=True,
)
@device_option(
    "Estimate latency on a device (pixel1-cpu, or a profile file made by "
    "'mncost calibrate'); needed by --max-latency-ms."
)
@click.option(
    "--alpha",
    "-a",
    "alpha",
    default=None,
    metavar="RANGE",
    help=f"Search these alphas instead of each model's published range: {RANGE_HELP} (0.5,0.75,1).",
)
@click.option(
    "--res",
    "-r",
    "res",
    default=None,
    metavar="RANGE",
    help=f"Search these resolutions instead of each model's published range: "
    f"{RANGE_HELP} (128,160,224); HxW (height x width) for a non-square input (320x240).",
)
@click.option(
    "--top",
    type=WholeNumber(1, 1000, "top"),
    default=10,
    show_default=True,
    help="How many picks to list, 1 to 1,000.",
)
@click.option(
    "--margin",
    metavar="PCT",
    default=None,
    help="Make the latency budget conservative: an estimated latency must sit this "
    "many percent below it (e.g. 10 or 10%; a measurement on the device need only meet "
    "it). Default 0.",
)
@click.option(
    "--extrapolate",
    is_flag=True,
    help="Rank configurations outside the published grid too, on extrapolated "
    "top-1 estimates (else they are counted but not ranked).",
)
@output_options()
def choose_command(
    family: str | None,
    models: tuple[str, ...],
    objective: str,
    accuracy_csv: Path | None,
    classes: int | None,
    budgets: dict[str, str | None],
    reserve_bytes: str | None,
    reserve_sram_bytes: str | None,
    execution: Execution,
    search: PatchSearch | None,
    device: str | Path | None,
    alpha: str | None,
    res: str | None,
    top: int,
    margin: str | None,
    extrapolate: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """The best (model, alpha, resolution) candidates that meet every budget, ranked by
    estimated ImageNet top-1 (or by --objective).

    The search covers each model's published range (its released checkpoints' alphas in
    steps of 0.05 and resolutions in steps of 16; the output says which) unless --alpha
    and --res name another grid; a model given with --model and without checkpoints is
    searched at alpha 0.25 to 1 and from 96 pixels (or half its own size) to its own
    (a non-square input: its short side so, keeping its aspect).
    Each pick comes with its MACs, params, weight bytes,
    peak activation memory and (with --device) estimated latency, the budget that binds
    it (the one it comes closest to, as a share of the limit), and its top-1's status
    (measured, interpolated, extrapolated) and leave-one-out error. When nothing is
    feasible it says which budget rules everything out and the cheapest configuration
    on that axis (exit code 0).
    """
    from mncost.analysis.choose import apply_reserves, choose, parse_budgets
    from mncost.analysis.explore import ExploreError, parse_alphas, parse_resolutions
    from mncost.analysis.latency import LatencyError, resolve_device
    from mncost.present.formats import CHARTED
    from mncost.present.views.choose import choose_report
    from mncost.present.views.pages import choose_page

    fmt = resolve_format(fmt, output)
    max_latency_ms = budgets["max_latency_ms"]
    with user_errors(ExploreError):
        parsed = apply_reserves(
            parse_budgets(budgets),
            {"reserve_bytes": reserve_bytes, "reserve_sram_bytes": reserve_sram_bytes},
        )
    from mncost.analysis.schedules import as_search

    execution, search = as_search(execution, search)  # a named split and grid: that one
    if search is not None and search.max_overhead is not None:
        raise UserError("--max-overhead caps `mncost memory`'s search, not choose's")
    if max_latency_ms is not None and device is None:
        raise UserError(
            "--max-latency-ms needs --device (pixel1-cpu, or a profile file "
            "made by 'mncost calibrate')"
        )
    alphas = resolutions = None
    if alpha is not None or res is not None:
        with user_errors(ExploreError):
            alphas = parse_alphas(alpha) if alpha is not None else None
            resolutions = parse_resolutions(res) if res is not None else None
        if alphas is not None and resolutions is not None:
            parse_axes(alpha, res)  # type: ignore[arg-type]  # the command line's bound
    from mncost.analysis.choose import parse_margin

    with user_errors(ExploreError):
        share = parse_margin(margin, "--margin")
    if share and max_latency_ms is None:
        raise UserError(
            "--margin applies to the latency budget (an estimate); give --max-latency-ms "
            "with --device"
        )
    profile = None
    if device is not None:
        with user_errors(LatencyError):
            profile = resolve_device(device)
    refs = [resolve_model(m, None) for m in models]
    points: list[Any] = []
    if accuracy_csv is not None:
        from mncost.analysis.accuracy_points import read_points

        with user_errors(ExploreError):
            points = read_points(accuracy_csv)
    if family is None and not refs:
        family = "all"
    with ProgressBar() as bar, user_errors(ExploreError, ScalingError):
        result = choose(
            family,
            parsed,
            models=refs,
            objective=objective,
            classes=classes,
            alphas=alphas,
            resolutions=resolutions,
            execution=execution,
            profile=profile,
            top=top,
            extrapolate=extrapolate,
            margin=share,
            accuracy_points=points,
            accuracy_source=shorten(accuracy_csv.name) if accuracy_csv is not None else "",
            progress=bar,
            schedules=search,
        )
        # A charted format gets the heatmap page; the others, its tables and notes.
        report = (choose_page if fmt in CHARTED else choose_report)(result)
        bar(f"writing {fmt}", 0, 0)
        text = "".join(report_text(report, fmt, output))  # a few dozen rows
    emit(text, output, fmt)
