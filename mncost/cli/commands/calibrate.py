"""The ``calibrate`` command: a latency profile for the user's own device, fitted to
latencies they measured, written as a JSON profile that ``mncost latency --device``
reads."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mncost.cli.files import (
    INPUTS_KEY,
    InputFile,
    OutputFile,
    check_output_path,
    emit,
    emit_report,
    write_output,
)
from mncost.cli.options import dtype_option
from mncost.cli.process import UserError, user_errors
from mncost.present.files import display_path

__all__ = ["calibrate_command"]


class _MeasuredFile(InputFile):
    """The measurements CSV: an input file, named as the usage line names it."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if ctx is not None:  # errors then say "the file given to MEASURED.csv"
            ctx.meta.setdefault(INPUTS_KEY, {})[Path(path)] = "MEASURED.csv"
        return path


@click.command(
    "calibrate",
    short_help="Fit a latency profile for your own device from latencies you measured.",
    epilog="""\b
MEASURED.csv has a header and one line per timed configuration (any order of columns):
  model,alpha,resolution,latency_ms
  mobilenet-v2,1.0,224,73.8
  mobilenet-v2,0.5,160,14.9
  ...
model is a built-in model ('mncost models') or a spec or ONNX file, its path
relative to the CSV's folder and inside it (nets/mine.onnx); latency_ms is in
milliseconds.

\b
Examples:
  mncost calibrate measured.csv -o mydevice.json --name "my phone"
  mncost calibrate measured.csv --holdout mobilenet_v3 -o mydevice.json
  mncost calibrate measured.csv --estimator roofline -o mydevice.json
  mncost latency mobilenet-v2 -a 0.75 --device mydevice.json
  mncost latency --device mydevice.json --fit-report
""",
)
@click.argument("measured", type=_MeasuredFile(), metavar="MEASURED.csv")
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    required=True,
    metavar="FILE.json",
    help="Write the profile (JSON) to FILE, atomically; '-' writes it to "
    "standard output (and the summary to standard error).",
)
@click.option(
    "--name",
    default=None,
    metavar="NAME",
    help="The device's name, as outputs show it (default: -o's file name without its ending).",
)
@dtype_option(
    "The data type the timed models ran in: activation and weight bytes are counted in it."
)
@click.option(
    "--estimator",
    type=click.Choice(["linear", "roofline", "per-kind"]),
    default="linear",
    show_default=True,
    help="linear: MACs, activation bytes, weight bytes and a constant per op; roofline: "
    "per op the larger of MACs / P and bytes / B, plus a constant; per-kind: a rate for "
    "dense 1x1, dense kxk, depthwise and fc MACs, plus a constant per op.",
)
@click.option(
    "--traffic",
    type=click.Choice(["all", "conv"]),
    default="all",
    show_default=True,
    help="The bytes the estimator weighs. all: every op's activations, read and "
    "written, and every weight it reads (the classifier's too); conv: conv and FC "
    "layers' activations and conv weights only (the built-in pixel1-cpu's cut).",
)
@click.option(
    "--peak-gmacs",
    type=click.FloatRange(1e-6, 1e9, min_open=False),
    default=None,
    metavar="G",
    help="roofline: the device's peak compute P, in G MACs per second (a datasheet's); "
    "with --bandwidth-gbs, only the constant per op is fitted.",
)
@click.option(
    "--bandwidth-gbs",
    type=click.FloatRange(1e-6, 1e9, min_open=False),
    default=None,
    metavar="G",
    help="roofline: the device's memory bandwidth B, in GB per second (10^9 bytes).",
)
@click.option(
    "--holdout",
    multiple=True,
    metavar="NAME",
    help="Fit without a family's (or a model's) measurements, then predict them and show "
    "the errors: how the profile does on a kind of model it never saw. Repeatable; "
    "family names as `mncost models` gives them (mobilenet_v3, resnet).",
)
@click.option(
    "--keep-poor-fit",
    is_flag=True,
    help="Write the profile even when the fit is too poor to use (every term zero, or a "
    "leave-one-out mean error of 50% or more); it is marked as a poor fit, and every "
    "estimate from it says so.",
)
def calibrate_command(
    measured: Path,
    output: Path | None,
    name: str | None,
    dtype: str,
    estimator: str,
    traffic: str,
    peak_gmacs: float | None,
    bandwidth_gbs: float | None,
    holdout: tuple[str, ...],
    keep_poor_fit: bool,
) -> None:
    """Fit a device profile to the latencies in MEASURED.csv and write it to -o.

    The profile is the estimator 'mncost latency' uses, chosen with --estimator (linear
    by default), its coefficients fitted by non-negative least squares on relative
    error. Its leave-one-out error (each point predicted by a fit on the others) is
    printed beside that of a fit on mult-adds alone. It needs at least one more measured
    configuration than the estimator has terms; time several alphas and resolutions. A
    fit too poor to use (every term zero, or a leave-one-out mean error of 50% or more)
    is refused with the reason (exit 2) unless --keep-poor-fit.
    """
    from mncost.analysis.latency import (
        LatencyError,
        check_name,
        feature_rank,
        fit_profile,
        predict_measurements,
        profile_json,
        read_measurements,
        split_holdout,
    )
    from mncost.present.views.latency import calibration_report

    if (peak_gmacs is None) != (bandwidth_gbs is None) or (
        peak_gmacs is not None and estimator != "roofline"
    ):
        raise UserError(
            "--peak-gmacs and --bandwidth-gbs go together, with --estimator roofline "
            "(a datasheet's peak and bandwidth; only the constant per op is then fitted)"
        )
    model: Any = estimator
    if peak_gmacs is not None and bandwidth_gbs is not None:
        from mncost.analysis.latency.roofline import Roofline

        # ms per MAC, per byte
        model = Roofline(1e-6 / peak_gmacs, 1e-6 / bandwidth_gbs, traffic=traffic)
    if output is not None:
        check_output_path(output)  # before the fit: a bad -o fails at once
    device = name if name is not None else (output or measured).stem
    with user_errors(LatencyError):
        device = check_name(device)
        points, held_points = split_holdout(read_measurements(measured), holdout)
        profile = fit_profile(
            points,
            device,
            f"the file {measured.name}",
            dtype=dtype,
            keep_poor_fit=keep_poor_fit,
            estimator=model,
            traffic=traffic,
        )
        rank = feature_rank(profile)
        held = predict_measurements(profile, held_points)
    text = profile_json(profile)
    shown = display_path(output.resolve()) if output is not None else None
    report = calibration_report(profile, rank, shown, held, holdout)
    if output is None:  # the profile is the output; the summary goes to standard error
        from mncost.present.terminal import render_terminal

        emit(text, None, "json")
        click.echo(
            render_terminal(report, color=False, encoding=getattr(sys.stderr, "encoding", None)),
            err=True,
            nl=False,
        )
        return
    write_output(output, text)
    click.echo(f"wrote {shown} (latency profile, json)", err=True)
    emit_report(report, "table", None)
