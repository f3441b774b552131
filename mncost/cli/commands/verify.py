"""The ``verify`` command: mncost's per-layer counts checked against PyTorch's own."""

from __future__ import annotations

from pathlib import Path

import click

from mncost.cli.options import (
    ScenarioOptions,
    UserError,
    emit_report,
    output_options,
    resolve_format,
    resolve_scenario,
    scenario_options,
    user_errors,
)

__all__ = ["verify_command"]


@click.command("verify", short_help="Check mncost's per-layer counts against PyTorch's.",
               epilog="""\b
Examples:
  mncost verify                              # MobileNet v1, alpha 1, 224x224
  mncost verify --alpha 0.35 --res 97        # any alpha and resolution
  mncost verify --spec examples/tiny-cifar.yaml --bn all
  mncost verify -a 0.5 -f json | jq .verdict
\b
Exit code: 0 when every layer agrees; 1 on a mismatch (or a layer PyTorch
cannot run); 2 on bad input, or without PyTorch (pip install 'mncost[torch]').
""")
@scenario_options
@output_options()
@click.pass_context
def verify_command(ctx: click.Context, scenario: ScenarioOptions, fmt: str | None,
                   output: Path | None) -> None:
    """Build MODEL (default: mobilenet-v1) as a PyTorch network and compare, layer by
    layer, mncost's mult-adds, parameters and output shapes with PyTorch's own.

    PyTorch's side shares only the spec and the channel rounding rule with mncost: shapes
    come from its forward pass (on the meta device, so no weights are allocated), MACs
    from torch.utils.flop_counter.FlopCounterMode (FLOPs / 2) and parameters from the
    modules, counted under the same batch-norm and FC-bias conventions. Prints a row per
    layer and a one-line verdict.
    """
    from mncost.analysis.verify import (
        INSTALL_COMMAND,
        TorchFailed,
        TorchMissing,
        UnsupportedLayer,
        verify,
    )
    from mncost.cost.scaling import ScalingError
    from mncost.present.views.verify import verify_report

    fmt = resolve_format(fmt, output)
    chosen = resolve_scenario(scenario)
    try:
        with user_errors(ScalingError, UnsupportedLayer):
            check = verify(chosen.arch, chosen.alpha, chosen.resolution, chosen.classes,
                           chosen.conventions)
    except TorchMissing:
        raise UserError(f"PyTorch is not installed; install it with: {INSTALL_COMMAND}") from None
    except TorchFailed as exc:
        # Not bad input: mncost counted a layer that PyTorch cannot run, a disagreement.
        click.echo(f"{ctx.command_path}: MISMATCH: {exc}", err=True)
        ctx.exit(1)
    emit_report(verify_report(check), fmt, output)
    if not check.ok:
        ctx.exit(1)
