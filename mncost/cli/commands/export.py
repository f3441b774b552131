"""The ``export`` command: any model mncost counts, written as a runnable ONNX file."""

from __future__ import annotations

from pathlib import Path

import click

from mncost.cli.files import OutputFile, check_output_path, input_files
from mncost.cli.options import ScenarioOptions, resolve_scenario, scenario_options
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.present.files import OutputError, display_path

__all__ = ["export_command"]


@click.command(
    "export",
    short_help="Write any model as a runnable ONNX file (seeded random weights).",
    epilog="""\b
Examples:
  mncost export mobilenet-v2 -a 0.75 -r 160 -o mnv2-0.75-160.onnx
  mncost export my-net.yaml -o my-net.onnx
  mncost export mine.onnx -a 0.5 --res 320x240 -o mine-half.onnx
  mncost export mobilenet-v3-small --bn affine -o v3s.onnx   # BatchNormalization kept
  mncost table mnv2-0.75-160.onnx          # counts exactly as mobilenet-v2 -a 0.75 -r 160
""",
)
@scenario_options
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    required=True,
    metavar="FILE.onnx",
    help="The ONNX file to write, atomically (a model past 2 GB of weights also writes "
    "FILE.onnx.data next to it).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=0,
    show_default=True,
    help="Seed of the random weights: the same seed writes the same file.",
)
def export_command(scenario: ScenarioOptions, output: Path | None, seed: int) -> None:
    """Write MODEL (default: mobilenet-v1) at --alpha and --res as an ONNX model.

    The file is the program mncost counts, one ONNX node per op (opset 17), with seeded
    random weights: onnxruntime runs it, Netron opens it, a device can time it, and
    `mncost table FILE.onnx` counts exactly what `mncost table MODEL` counts. --bn none
    leaves batch norm out (it folds into the conv at inference); --bn affine or all keeps
    a BatchNormalization node after each conv that has one. An auxiliary training head
    is left out. Built with the onnx package alone (pip install 'mncost[onnx]').
    """
    from mncost.analysis.onnx_export import ExportError, export_onnx

    if output is None or output.suffix.lower() != ".onnx":
        shown = "standard output" if output is None else display_path(output.name)
        ending = (
            "has no file ending" if output is not None and not output.suffix else "is not .onnx"
        )
        raise UserError(f"cannot write {shown}: it {ending}; -o must name a .onnx file")
    check_output_path(output)
    chosen = resolve_scenario(scenario)
    with user_errors(ExportError, ScalingError, OutputError):
        written = export_onnx(
            chosen.arch,
            output,
            chosen.alpha,
            chosen.resolution,
            chosen.classes,
            chosen.conventions,
            seed=seed,
            inputs=input_files(),
        )
    extra = f" and {display_path(written.external.resolve())}" if written.external else ""
    click.echo(
        f"wrote {display_path(output.resolve())}{extra} (ONNX: {written.nodes:,} nodes, "
        f"{written.params:,} values of random weights, {written.bytes:,} bytes)",
        err=True,
    )
