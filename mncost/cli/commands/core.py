"""The core commands: ``table``, ``models`` and ``schema``."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import click

from mncost.cli.options import (
    OutputFile,
    UserError,
    emit,
    emit_report,
    load_architecture,
    model_options,
    output_options,
    resolve_format,
    resolve_resolution,
    scaling_options,
)

__all__ = ["models_command", "schema_command", "table_command"]


def compute_cost(model: str | None, spec: Path | None, alpha: Fraction, resolution: int | None,
                 rho: Fraction | None, classes: int | None, bn: str, fc_bias: bool,
                 rounding: str):
    """Resolve the CLI's model and scaling options and count; UserError on bad input."""
    from mncost.cost.conventions import Conventions
    from mncost.cost.result import count
    from mncost.cost.scaling import ScalingError

    arch = load_architecture(model, spec)
    resolution = resolve_resolution(arch, resolution, rho)
    try:
        return count(arch, alpha, resolution, classes,
                     Conventions(bn=bn, fc_bias=fc_bias, rounding=rounding))  # type: ignore[arg-type]
    except ScalingError as exc:
        raise UserError(str(exc)) from None


@click.command("table", short_help="Per-layer mult-adds and params at a given alpha and resolution.", epilog="""\b
Examples:
  mncost table                               # MobileNet v1, alpha 1, 224x224
  mncost table --alpha 0.75 --res 160        # the paper's 0.75 MobileNet-160
  mncost table --rho 0.714 --flops           # rho instead of R; FLOPs = 2 x MACs
  mncost table --classes 0 --bn affine       # body only, batch-norm gamma/beta counted
  mncost table --spec examples/tiny-cifar.yaml -o tiny.html
  mncost table -a 0.5 -f json | jq .total
""")
@model_options
@scaling_options
@click.option("--flops", is_flag=True,
              help="Show FLOPs (= 2 x mult-adds) instead of mult-adds (MACs).")
@output_options()
def table_command(model, spec, alpha, resolution, rho, classes, bn, fc_bias, rounding, flops,
                  fmt, output):
    """Per-layer mult-adds and parameters of MODEL (default: mobilenet-v1).

    Rows follow the paper's Table 1 (a depthwise separable block is two rows: dw, then
    pw), with each layer's exact mult-adds, parameters and share of the total; then the
    totals, the breakdown by layer type (the paper's Table 2) and the counting
    conventions. All counts are exact integers.
    """
    from mncost.present.views.cost_table import cost_report

    fmt = resolve_format(fmt, output)
    result = compute_cost(model, spec, alpha, resolution, rho, classes, bn, fc_bias, rounding)
    emit_report(cost_report(result, flops=flops), fmt, output)


@click.command("models")
@output_options(("table", "csv", "json", "markdown", "html"))
def models_command(fmt, output):
    """List the built-in architectures (the names MODEL accepts)."""
    from mncost.arch.registry import list_models
    from mncost.present.model import Column, Report, Table

    fmt = resolve_format(fmt, output)
    entries = list_models()
    report = Report(
        title="Built-in models",
        tables=[Table(title="", columns=[
            Column("Model", csv_header="name"), Column("Description", csv_header="description"),
            Column("Source", csv_header="source")],
            rows=[[e.name, e.description, e.source] for e in entries])],
        notes=["Use a name as MODEL, e.g. `mncost table mobilenet-v1`, "
               "or cost your own network with --spec FILE."],
        data=[{"name": e.name, "description": e.description, "source": e.source}
              for e in entries],
    )
    emit_report(report, fmt, output)


@click.command("schema", short_help="Print the JSON Schema of spec files (YAML or JSON).")
@click.option("--output", "-o", type=OutputFile(), default=None, metavar="FILE",
              help="Write the schema to FILE instead of the terminal ('-': standard "
                   "output).")
def schema_command(output):
    """Print the JSON Schema of architecture spec files (YAML or JSON).

    \b
    A spec file looks like examples/mobilenet-v1.yaml:
      name: my-net
      resolution: 224
      classes: 1000
      layers:
        - {kind: conv, name: conv_0, kernel: 3, stride: 2, filters: 32}
        - {kind: dw,   name: dw_1, stride: 1}
        - {kind: pw,   name: pw_1, filters: 64}
        - {kind: avgpool, name: pool}
        - {kind: fc, name: fc}
    """
    from mncost.arch.load import architecture_schema

    emit(json.dumps(architecture_schema(), indent=2) + "\n", output, "json")


