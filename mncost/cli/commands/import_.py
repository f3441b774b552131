"""The ``import`` command: an ONNX graph written as an editable spec file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mncost.cli.files import (
    STDOUT_CLOSED,
    OutputFile,
    check_output_path,
    stdout_closed,
    write_output,
)
from mncost.cli.options import resolve_model
from mncost.cli.params import RESOLUTION, ModelArgument
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.errors import NestError
from mncost.files import display_path

__all__ = ["import_command"]


@click.command(
    "import",
    short_help="Write an ONNX model as an editable spec file (YAML or JSON).",
    epilog="""\b
Examples:
  mncost import my-net.onnx -o my-net.yaml
  mncost import my-net.onnx --res 320x240 -o my-net.yaml   # a graph of symbolic size
  mncost import my-net.onnx | less                         # the YAML on standard output
  mncost table my-net.yaml -a 0.5    # then edit the spec, or scale it, as any other
  mncost table my-net.onnx -a 0.5    # counting needs no import: the file itself counts
""",
)
@click.argument("model", metavar="MODEL.onnx", type=ModelArgument())
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    default=None,
    metavar="FILE",
    help="The spec file to write, atomically: .yaml or .yml for YAML (with a header of "
    "comments), .json for JSON; '-' or none: YAML to standard output.",
)
@click.option(
    "--res",
    "-r",
    "resolution",
    type=RESOLUTION,
    default=None,
    metavar="R|HxW",
    help="The input size the spec gets, and is checked at (default: the graph's own; "
    "needed when the graph's height and width are symbolic).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse a graph with an op mncost does not know (exit 2), instead of leaving it "
    "out of the spec with a note.",
)
def import_command(model: str, output: Path | None, resolution: Any, strict: bool) -> None:
    """Write the ONNX graph MODEL.onnx as a spec file: the layers mncost counts, nested
    into chains, residuals, concats, squeeze-and-excite blocks and blocks named after the
    graph's modules (features.3, layer1.0), one line per layer, to read and edit.

    The spec is checked before it is written: counted against the graph layer by layer,
    its MACs, params (every batch-norm value included) and output shapes must be equal at
    alpha 1, and are compared at alpha 0.5 and in peak activation memory too; a note
    says where they differ. Where the graph does not nest (a connection that skips
    across a join, several outputs, a channel slice, a resize by a fraction), the error names the
    node that breaks the nesting, and nothing is written: every command still counts
    the .onnx file itself.
    """
    from mncost.analysis.onnx_spec import import_spec
    from mncost.cost.model import GraphModel

    if not model.lower().endswith(".onnx"):
        raise UserError(
            f"import reads an ONNX file (.onnx), not {display_path(model)}"
            "; a spec file or a built-in model counts as it is"
        )
    fmt = "yaml"
    if output is not None:
        ending = output.suffix.lower()
        if ending == ".json":
            fmt = "json"
        elif ending not in (".yaml", ".yml"):
            what = "has no file ending" if not ending else f"ends in {ending}"
            raise UserError(
                f"cannot write {display_path(output)}: it {what}; -o must name a .yaml, "
                ".yml or .json file (or - for standard output)"
            )
        check_output_path(output)
    elif stdout_closed():
        raise UserError(STDOUT_CLOSED)
    ref = resolve_model(model, None, strict)
    graph = ref.arch
    assert isinstance(graph, GraphModel)
    with user_errors(NestError, ScalingError):
        try:
            imported = import_spec(graph, resolution)
        except NestError as exc:
            raise NestError(
                f"{display_path(model)} does not nest into a spec: {exc}; every command "
                "counts the .onnx file itself"
            ) from None
    text = imported.text(fmt, Path(model).name)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)
    counts = imported.nested.counts
    parts = [
        f"{n:,} {kind}{'s' if n != 1 else ''}"
        for kind, n in (
            ("residual", counts["residual"]),
            ("concat", counts["concat"]),
            ("SE block", counts["se"]),
            ("block", counts["block"]),
        )
        if n
    ]
    where = "standard output" if output is None else display_path(output.resolve())
    c = imported.check
    checked = "alpha 1" + (f" and {float(c.alpha):g}" if c.alpha is not None else "")
    click.echo(
        f"wrote {where}: {graph.name} as a spec of {c.layers:,} layers"
        + (f" ({', '.join(parts)})" if parts else "")
        + f"; it counts as the graph does, layer by layer: {c.macs:,} MACs and "
        f"{c.params:,} params (checked at {checked})",
        err=True,
    )
    for note in (*imported.nested.notes, *c.notes):
        click.echo(f"note: {note}", err=True)
