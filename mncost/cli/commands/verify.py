"""The ``verify`` command: mncost's per-layer counts checked against PyTorch's own."""

from __future__ import annotations

import click

from mncost.cli.options import (
    UserError,
    emit_report,
    load_architecture,
    model_options,
    output_options,
    resolve_format,
    resolve_resolution,
    scaling_options,
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
@model_options
@scaling_options
@output_options()
@click.pass_context
def verify_command(ctx, model, spec, alpha, resolution, rho, classes, bn, fc_bias, rounding,
                   fmt, output):
    """Build MODEL (default: mobilenet-v1) as a PyTorch network and compare, layer by
    layer, mncost's mult-adds, parameters and output shapes with PyTorch's own.

    PyTorch's side shares only the spec and the channel rounding rule with mncost: shapes
    come from its forward pass (on the meta device, so no weights are allocated), MACs
    from torch.utils.flop_counter.FlopCounterMode (FLOPs / 2) and parameters from the
    modules, counted under the same batch-norm and FC-bias conventions. Prints a row per
    layer and a one-line verdict.
    """
    from mncost.cost.conventions import Conventions
    from mncost.cost.scaling import ScalingError
    from mncost.analysis.verify import (
        INSTALL_COMMAND,
        TorchFailed,
        TorchMissing,
        UnsupportedLayer,
        verify,
    )
    from mncost.present.views.verify import verify_report

    fmt = resolve_format(fmt, output)
    arch = load_architecture(model, spec)
    resolution = resolve_resolution(arch, resolution, rho)
    conventions = Conventions(bn=bn, fc_bias=fc_bias, rounding=rounding)
    try:
        check = verify(arch, alpha, resolution, classes, conventions)
    except TorchMissing:
        raise UserError(f"PyTorch is not installed; install it with: {INSTALL_COMMAND}") from None
    except (ScalingError, UnsupportedLayer) as exc:
        raise UserError(str(exc)) from None
    except TorchFailed as exc:
        # Not bad input: mncost counted a layer that PyTorch cannot run, a disagreement.
        click.echo(f"{ctx.command_path}: MISMATCH: {exc}", err=True)
        ctx.exit(1)
    emit_report(verify_report(check), fmt, output)
    if not check.ok:
        ctx.exit(1)
