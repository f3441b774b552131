"""The core commands: ``table``, ``models`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mncost.cli.files import OutputFile, emit, emit_report, output_options, resolve_format
from mncost.cli.options import ScenarioOptions, resolve_scenario, scenario_options
from mncost.cli.process import user_errors
from mncost.cost.scaling import ScalingError

__all__ = ["models_command", "schema_command", "table_command"]


@click.command(
    "table",
    short_help="Per-layer mult-adds and params at a given alpha and resolution.",
    epilog="""\b
Examples:
  mncost table                               # MobileNet v1, alpha 1, 224x224
  mncost table --alpha 0.75 --res 160        # the paper's 0.75 MobileNet-160
  mncost table --rho 0.714 --flops           # rho instead of R; FLOPs = 2 x MACs
  mncost table --classes 0 --bn affine       # body only, batch-norm gamma/beta counted
  mncost table --spec examples/tiny-cifar.yaml -o tiny.html
  mncost table -a 0.5 -f json | jq .total
""",
)
@scenario_options
@click.option(
    "--flops", is_flag=True, help="Show FLOPs (= 2 x mult-adds) instead of mult-adds (MACs)."
)
@output_options()
def table_command(
    scenario: ScenarioOptions, flops: bool, fmt: str | None, output: Path | None
) -> None:
    """Per-layer mult-adds and parameters of MODEL (default: mobilenet-v1).

    Rows follow the paper's Table 1 (a depthwise separable block is two rows: dw, then
    pw), with each layer's exact mult-adds, parameters and share of the total; then the
    totals, the breakdown by layer type (the paper's Table 2) and the counting
    conventions. All counts are exact integers.
    """
    from mncost.analysis.models import cost_scenario
    from mncost.present.formats import LAYOUTS
    from mncost.present.views.cost_table import cost_report

    fmt = resolve_format(fmt, output)
    chosen = resolve_scenario(scenario)
    with user_errors(ScalingError):
        result = cost_scenario(chosen)
    emit_report(cost_report(result, flops=flops, layout=LAYOUTS[fmt]), fmt, output)


@click.command(
    "models",
    short_help="The built-in architectures, with their cost at their defaults.",
    epilog="""\b
Examples:
  mncost models                              # name, family, paper, input, MACs, params
  mncost models -f json | jq '.[].name'      # the names MODEL accepts
  mncost models -o models.md
""",
)
@output_options(("table", "csv", "json", "markdown", "html"))
def models_command(fmt: str | None, output: Path | None) -> None:
    """List the built-in architectures (the names MODEL accepts): each with its family,
    the paper that defines it, its default input and classes, and its exact mult-adds
    and parameters at those defaults (alpha 1, the default conventions)."""
    from mncost.analysis.models import model_summaries
    from mncost.present.views.models import models_report

    fmt = resolve_format(fmt, output, ("table", "csv", "json", "markdown", "html"))
    emit_report(models_report(model_summaries()), fmt, output)


@click.command("schema", short_help="Print the JSON Schema of spec files (YAML or JSON).")
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    default=None,
    metavar="FILE",
    help="Write the schema to FILE instead of the terminal ('-': standard output).",
)
def schema_command(output: Path | None) -> None:
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
