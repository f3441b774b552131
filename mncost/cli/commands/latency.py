"""The ``latency`` command: a configuration's estimated latency on a device, per op, from a
fitted device profile; or, with ``--fit-report``, the profile's fit and its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mncost.cli.files import emit, emit_report, input_files, output_options, resolve_format
from mncost.cli.options import ScenarioOptions, device_option, resolve_scenario, scenario_options
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.present.files import display_path
from mncost.present.formats import REPORT_FORMATS

__all__ = ["latency_command"]

LATENCY_FORMATS = (*REPORT_FORMATS, "png", "svg")
"""A report's formats, HTML being the roofline page with the report under it, and the
roofline figure alone as an image."""


_SCENARIO_DEFAULTS = {
    "model": None,
    "spec": None,
    "resolution": None,
    "rho": None,
    "classes": None,
    "rounding": None,
}


@click.command(
    "latency",
    short_help="Estimated latency on a device, per op (a fitted model, not a measurement).",
    epilog="""\b
Examples:
  mncost latency mobilenet-v2 --device pixel1-cpu
  mncost latency mobilenet-v2 -a 0.75 -r 160 --device pixel1-cpu -f json | jq .total_ms
  mncost latency --device pixel1-cpu --fit-report     # the fit, point by point
  mncost latency mobilenet-v3-large --device mydevice.json
  mncost latency mobilenet-v3-small --device pixel1-cpu --dtype int8   # measured: 15.5 ms
  mncost latency mobilenet-v2 --device mydevice.json -o roofline.html   # the roofline
  mncost calibrate measured.csv -o mydevice.json      # a profile for your device
""",
)
@scenario_options
@device_option(
    "The device profile: a built-in name (pixel1-cpu) or a profile file made by "
    "'mncost calibrate'.",
    required=True,
)
@click.option(
    "--fit-report",
    is_flag=True,
    help="Show the profile's fit instead: its terms with units, its "
    "leave-one-out error beside the MACs-only baseline's, every fitted "
    "point, and (pixel1-cpu) MobileNet V3 checkpoints it never saw.",
)
@click.option(
    "--dtype",
    type=click.Choice(["float32", "float16", "int8"]),
    default=None,
    help="The data type the model runs in (default: the profile's): a measurement on "
    "the device in it beats the estimate (pixel1-cpu has 8-bit MobileNet V3 latencies); "
    "an estimate from a profile fitted in another type says so.",
)
@output_options(LATENCY_FORMATS)
def latency_command(
    scenario: ScenarioOptions,
    device: str | Path,
    fit_report: bool,
    dtype: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Estimated latency of MODEL (default: mobilenet-v1) on a device, op by op.

    The device profile is an estimator fitted to measured latencies (see 'mncost
    calibrate --estimator'): linear (mult-adds, conv and FC activation bytes, conv
    weight bytes and a constant per op, as pixel1-cpu), roofline (per op the larger of
    MACs / P and bytes / B, plus a constant; the table then shows each op's MACs per
    byte and whether compute or memory bounds it) or per-kind (a MAC rate for each kind
    of op). The output is an estimate: it names the estimator, what it was fitted on,
    where the measurements come from and its leave-one-out error, and says so plainly
    when MODEL is of a family the profile was not fitted on.

    -o roofline.html draws the roofline (every op at its MACs per byte and the MAC rate
    it attains, under a roofline profile's compute and memory roofs) above the table,
    as one offline page; -o roofline.png or .svg writes the figure alone.
    """
    from mncost.analysis.latency import (
        LatencyError,
        cross_family_check,
        estimate_latency,
        resolve_device,
    )
    from mncost.present.views.latency import fit_report as fit_view
    from mncost.present.views.latency import latency_report

    fmt = resolve_format(fmt, output, LATENCY_FORMATS)
    if fmt in ("png", "svg") and (output is None or str(output) == "-"):
        raise UserError(
            f"a {fmt.upper()} image is written to a file: give -o roofline.{fmt} "
            "(or -o roofline.html for a page)"
        )
    if fit_report:
        given = [
            name
            for name, default in _SCENARIO_DEFAULTS.items()
            if getattr(scenario, name) != default
        ]
        if (
            given
            or scenario.alpha != 1
            or scenario.bn != "none"
            or not scenario.fc_bias
            or dtype is not None
        ):
            raise UserError(
                "--fit-report shows the device profile's fit; give it with "
                "--device alone (no MODEL, --spec, --alpha, --res, ...)"
            )
        if fmt in ("png", "svg"):
            raise UserError(
                "--fit-report is a report, not a figure: write it as .txt, .csv, "
                ".json, .md or .html"
            )
    elif scenario.bn != "none" or not scenario.fc_bias:
        raise UserError(
            "--bn and --no-fc-bias choose how parameters are counted; a "
            "latency estimate does not depend on them (batch norm is folded "
            "at inference)"
        )
    with user_errors(LatencyError):
        profile = resolve_device(device)
    if fit_report:
        emit_report(fit_view(profile, cross_family_check(profile)), fmt, output)
        return
    chosen = resolve_scenario(scenario)
    model = chosen.registered
    with user_errors(ScalingError):
        estimate = estimate_latency(
            chosen.arch,
            chosen.alpha,
            chosen.resolution,
            chosen.classes,
            profile,
            rounding=chosen.conventions.rounding,
            model=model,
            dtype=dtype,
        )
    report = latency_report(estimate)
    if fmt in ("html", "png", "svg"):
        _roofline(estimate, report, fmt, output)
        return
    emit_report(report, fmt, output)


def _roofline(estimate: Any, report: Any, fmt: str, output: Path | None) -> None:
    """The roofline page (the figure, then the report's table and notes), or the figure
    alone as an image."""
    from mncost.present.export import PlotOutputError, figure_page, write_figure
    from mncost.present.roofline import roofline_figure, roofline_intro

    intro = roofline_intro(estimate)
    drawn = sum(1 for op in estimate.layers if op.kind != "other" and op.ms > 0)
    if output is None or str(output) == "-":
        fig = roofline_figure(estimate, titled=False)
        emit(figure_page(fig, report.title, intro, report.notes, report.tables), None, "html")
        return
    fig = roofline_figure(estimate, titled=fmt != "html")
    with user_errors(PlotOutputError):
        write_figure(
            fig,
            output,
            title=report.title,
            intro=intro,
            notes=report.notes,
            tables=report.tables,
            inputs=input_files(),
        )
    roofs = "with its roofs" if estimate.profile.estimator == "roofline" else "no roofs"
    click.echo(
        f"wrote {display_path(output.resolve())} ({fmt}: the roofline, {drawn} ops, {roofs})",
        err=True,
    )
