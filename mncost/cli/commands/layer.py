"""The ``layer`` command: one layer as a standard conv vs a depthwise separable conv."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import click

from mncost.cli.files import emit_report, output_options, resolve_format
from mncost.cli.params import MULTIPLIER, ROUNDING_CHOICES, WholeNumber
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.limits import MAX_CHANNELS, MAX_KERNEL, MAX_MULTIPLIER, MAX_RESOLUTION

__all__ = ["layer_command"]


@click.command(
    "layer",
    short_help="One layer as a standard conv vs a depthwise separable conv.",
    epilog="""\b
Examples:
  mncost layer --in 512 --out 512 --size 14            # Table 3's layer, 3x3 kernels
  mncost layer --in 512 --out 512 --size 14 --alpha 0.75 --rho 0.714
  mncost layer --kernel 5 --in 64 --out 128 --size 56 --stride 2
  mncost layer --table3                                # Table 3's four cumulative rows
  mncost layer --in 32 --out 64 --size 112 -a 0.25 --rounding floor -f json
""",
)
@click.option(
    "--kernel",
    "-k",
    type=WholeNumber(1, MAX_KERNEL, "kernel"),
    default=3,
    show_default=True,
    help=f"Kernel size D_K (square), 1 to {MAX_KERNEL:,}.",
)
@click.option(
    "--in",
    "in_channels",
    type=WholeNumber(1, MAX_CHANNELS, "input channels"),
    default=None,
    metavar="M",
    help=f"Input channels M (at alpha 1), 1 to {MAX_CHANNELS:,}.",
)
@click.option(
    "--out",
    "out_channels",
    type=WholeNumber(1, MAX_CHANNELS, "output channels"),
    default=None,
    metavar="N",
    help=f"Output channels N (at alpha 1), 1 to {MAX_CHANNELS:,}.",
)
@click.option(
    "--size",
    type=WholeNumber(1, MAX_RESOLUTION, "size"),
    default=None,
    metavar="D_F",
    help=f"Input feature map side D_F (at rho 1), 1 to {MAX_RESOLUTION:,}.",
)
@click.option(
    "--stride",
    type=WholeNumber(1, MAX_KERNEL, "stride"),
    default=1,
    show_default=True,
    help=f"Stride, 1 to {MAX_KERNEL:,}; the output side is D_G = ceil(D_F / stride).",
)
@click.option(
    "--alpha",
    "-a",
    type=MULTIPLIER,
    default="1",
    show_default=True,
    help=f"Width multiplier, 0 < alpha <= {MAX_MULTIPLIER}: M and N become "
    "round(alpha*M), round(alpha*N).",
)
@click.option(
    "--rho",
    type=MULTIPLIER,
    default="1",
    show_default=True,
    metavar="P",
    help=f"Resolution multiplier, 0 < P <= {MAX_MULTIPLIER}: D_F becomes round(D_F * P).",
)
@click.option(
    "--rounding",
    type=click.Choice(list(ROUNDING_CHOICES)),
    default="round",
    show_default=True,
    help="Channel rounding under alpha: round(c*a) (the paper's code), floor = "
    "max(int(c*a), 8) (TF-slim), make_divisible (by 8, V2/V3; or div8).",
)
@click.option(
    "--table3", is_flag=True, help="Show the paper's Table 3 (its four cumulative rows) instead."
)
@output_options()
def layer_command(
    kernel: int,
    in_channels: int | None,
    out_channels: int | None,
    size: int | None,
    stride: int,
    alpha: Fraction,
    rho: Fraction,
    rounding: str,
    table3: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Mult-adds and params of one conv layer, standard vs depthwise separable.

    A standard D_K x D_K conv from M to N channels on a D_F x D_F map, against the
    same layer as a depthwise conv plus a 1x1 pointwise conv (the paper's Section
    3.1), with the exact reduction and the paper's 1/N + 1/D_K^2.
    """
    from mncost.analysis.layer import compare_layer, table3_rows
    from mncost.present.views.layer import layer_report, table3_report

    fmt = resolve_format(fmt, output)
    given = {"--in": in_channels, "--out": out_channels, "--size": size}
    if table3:
        extra = [name for name, value in given.items() if value is not None]
        if extra or alpha != 1 or rho != 1 or kernel != 3 or stride != 1 or rounding != "round":
            raise UserError(
                "--table3 shows the paper's fixed layer; give it alone "
                "(no --kernel, --in, --out, --size, --stride, --alpha, --rho, --rounding)"
            )
        emit_report(table3_report(table3_rows()), fmt, output)
        return
    missing = [name for name, value in given.items() if value is None]
    if in_channels is None or out_channels is None or size is None:
        raise UserError(
            f"missing {', '.join(missing)} (e.g. --in 512 --out 512 --size 14), or use --table3"
        )
    with user_errors(ScalingError):
        comparison = compare_layer(
            kernel, in_channels, out_channels, size, stride, alpha, rho, rounding
        )
    emit_report(layer_report(comparison), fmt, output)
