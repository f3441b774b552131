"""The ``layer`` command: one layer as a standard conv vs a depthwise separable conv."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from mncost.cli.options import (MULTIPLIER, ROUNDING_CHOICES, UserError, WholeNumber, emit_report, output_options,
                                resolve_format)
from mncost.analysis.layer import FORMULAS, LayerComparison, compare_layer
from mncost.cost.scaling import ScalingError, multiplier_text
from mncost.limits import MAX_CHANNELS, MAX_KERNEL, MAX_MULTIPLIER, MAX_RESOLUTION
from mncost.present.model import Column, Report, Table

__all__ = ["layer_command"]




def _ratio_rows(comparison: LayerComparison) -> list[list[Any]]:
    from mncost.present.numbers import percent

    paper = comparison.paper_ratio
    rows = []
    for what, exact in (("Mult-adds", comparison.ratio), ("Params", comparison.params_ratio)):
        rows.append([
            what, f"{exact.numerator}/{exact.denominator}", f"{float(exact):.6f}",
            percent(exact), f"1/{comparison.n} + 1/{comparison.kernel}^2 = "
            f"{paper.numerator}/{paper.denominator}", "yes" if exact == paper else "no",
            f"{float(1 / exact):.2f}x",
        ])
    return rows


def _layer_report(comparison: LayerComparison) -> Report:
    c = comparison
    k, m, n, g = c.kernel, c.m, c.n, c.d_g
    numbers = {
        "standard": f"{k}·{k}·{m}·{n}·{g}·{g}",
        "depthwise": f"{k}·{k}·{m}·{g}·{g}",
        "pointwise": f"{m}·{n}·{g}·{g}",
        "separable": f"{k}·{k}·{m}·{g}·{g} + {m}·{n}·{g}·{g}",
    }
    forms = [("Standard conv", "standard", c.standard),
             (f"Depthwise {k}x{k}", "depthwise", c.depthwise),
             ("Pointwise 1x1", "pointwise", c.pointwise),
             ("Depthwise separable", "separable", c.separable)]
    counts = Table(
        title="Standard vs depthwise separable",
        columns=[Column("Form", csv_header="form"),
                 Column("Mult-Adds (MACs)", "right", short_header="MACs", csv_header="mult_adds"),
                 Column("Params", "right", csv_header="params"),
                 Column("Mult-adds formula", csv_header="formula", short_header="Formula"),
                 Column("With numbers", csv_header="formula_numbers", hide_rank=1),
                 Column("Params formula", csv_header="params_formula", data_only=True)],
        rows=[[label, counts.mult_adds, counts.params, FORMULAS[key][0], numbers[key],
               FORMULAS[key][1]] for label, key, counts in forms],
    )
    ratios = Table(
        title="Separable / standard (the paper's reduction, 1/N + 1/D_K^2)",
        columns=[Column("Of"), Column("Exact", "right"), Column("Decimal", "right"),
                 Column("%", "right"), Column("1/N + 1/D_K^2"), Column("Equal"),
                 Column("Fewer", "right")],
        rows=_ratio_rows(c),
    )
    scaled = []
    if c.alpha != 1:
        scaled.append(f"alpha {multiplier_text(c.alpha)}: M {c.in_channels} -> {m}, "
                      f"N {c.out_channels} -> {n}")
    if c.rho != 1:
        scaled.append(f"rho {multiplier_text(c.rho)}: D_F {c.size} -> round({c.size}*"
                      f"{multiplier_text(c.rho)}) = {c.d_f}")
    title = (f"One layer: D_K={k}, M={m}, N={n}, D_F={c.d_f}, stride {c.stride} "
             f"(D_G={g})")
    notes = scaled + [
        "Mult-adds are multiply-accumulates (MACs); params are weights (no bias, no batch "
        "norm, as in the paper's Table 3). D_G = ceil(D_F / stride) is the output side "
        "(the paper writes D_F, assuming stride 1). Params: D_K·D_K·M·N (standard), "
        "D_K·D_K·M + M·N (separable)."]
    data = {
        "kernel": k, "in_channels": c.in_channels, "out_channels": c.out_channels,
        "size": c.size, "stride": c.stride, "alpha": float(c.alpha), "rho": float(c.rho),
        "m": m, "n": n, "d_f": c.d_f, "d_g": g,
        **{key: {"mult_adds": counts.mult_adds, "params": counts.params,
                 "formula": FORMULAS[key][0], "params_formula": FORMULAS[key][1],
                 "with_numbers": numbers[key]} for _, key, counts in forms},
        "ratio": {"exact": f"{c.ratio.numerator}/{c.ratio.denominator}",
                  "value": float(c.ratio), "paper": f"1/{n} + 1/{k}^2",
                  "paper_value": float(c.paper_ratio), "equal": c.ratio == c.paper_ratio},
        "params_ratio": {"exact": f"{c.params_ratio.numerator}/{c.params_ratio.denominator}",
                         "value": float(c.params_ratio)},
    }
    return Report(title=title, tables=[counts, ratios], notes=notes, data=data)


def _table3_report() -> Report:
    from mncost.sources import paper_cells, table3_layer

    printed = {(cell.row, cell.quantity): cell.text for cell in paper_cells(["Table 3"])}
    rows, data = [], []
    for row in dict.fromkeys(cell.row for cell in paper_cells(["Table 3"])):
        layer = table3_layer(row)
        assert layer is not None  # every printed Table 3 row has a reading
        comparison = compare_layer(layer.kernel, layer.in_channels, layer.out_channels,
                                   layer.size, alpha=layer.alpha, rho=layer.rho)
        counts = comparison.separable if layer.separable else comparison.standard
        config = (f"{'separable' if layer.separable else 'standard'}, M=N={comparison.m}, "
                  f"D_F={comparison.d_f}")
        rows.append([row, config, counts.mult_adds, f"{counts.mult_adds / 10**6:.2f}",
                     printed[(row, "mult_adds")], counts.params,
                     f"{counts.params / 10**6:.4f}", printed[(row, "params")]])
        data.append({"row": row, "separable": layer.separable, "m": comparison.m,
                     "n": comparison.n, "d_f": comparison.d_f,
                     "alpha": float(layer.alpha), "rho": float(layer.rho),
                     "mult_adds": counts.mult_adds, "params": counts.params,
                     "paper_million_mult_adds": printed[(row, "mult_adds")],
                     "paper_million_params": printed[(row, "params")]})
    table = Table(
        title="The paper's Table 3, row by row (cumulative)",
        columns=[Column("Layer/Modification", short_header="Row", csv_header="row"),
                 Column("Counted as", csv_header="config", data_only=True),
                 Column("Mult-Adds (MACs)", "right", short_header="MACs",
                        csv_header="mult_adds"),
                 Column("Million Mult-Adds", "right", short_header="M MACs",
                        csv_header="million_mult_adds"),
                 Column("Paper", "right", csv_header="paper_million_mult_adds"),
                 Column("Params", "right", csv_header="params"),
                 Column("Million Params", "right", short_header="M params",
                        csv_header="million_params"),
                 Column("Paper", "right", csv_header="paper_million_params")],
        rows=rows,
    )
    return Report(
        title="Table 3: D_K=3, M=N=512, D_F=14 (an internal MobileNet layer)",
        tables=[table],
        notes=["Each row adds to the one above: a standard conv; the same layer as depthwise "
               "+ pointwise; alpha 0.75 (512 -> 384 channels); rho 0.714 (D_F 14 -> "
               "round(9.996) = 10). Paper = the figure printed in Table 3 (doc 000), in millions. "
               "Mult-adds are MACs; params are weights (no bias, no batch norm).",
               "`mncost reproduce 3` compares each cell and gives its status."],
        data=data,
    )


@click.command("layer", short_help="One layer as a standard conv vs a depthwise separable conv.",
               epilog="""\b
Examples:
  mncost layer --in 512 --out 512 --size 14            # Table 3's layer, 3x3 kernels
  mncost layer --in 512 --out 512 --size 14 --alpha 0.75 --rho 0.714
  mncost layer --kernel 5 --in 64 --out 128 --size 56 --stride 2
  mncost layer --table3                                # Table 3's four cumulative rows
  mncost layer --in 32 --out 64 --size 112 -a 0.25 --rounding floor -f json
""")
@click.option("--kernel", "-k", type=WholeNumber(1, MAX_KERNEL, "kernel"), default=3,
              show_default=True, help=f"Kernel size D_K (square), 1 to {MAX_KERNEL:,}.")
@click.option("--in", "in_channels", type=WholeNumber(1, MAX_CHANNELS, "input channels"),
              default=None, metavar="M",
              help=f"Input channels M (at alpha 1), 1 to {MAX_CHANNELS:,}.")
@click.option("--out", "out_channels", type=WholeNumber(1, MAX_CHANNELS, "output channels"),
              default=None, metavar="N",
              help=f"Output channels N (at alpha 1), 1 to {MAX_CHANNELS:,}.")
@click.option("--size", type=WholeNumber(1, MAX_RESOLUTION, "size"), default=None, metavar="D_F",
              help=f"Input feature map side D_F (at rho 1), 1 to {MAX_RESOLUTION:,}.")
@click.option("--stride", type=WholeNumber(1, MAX_KERNEL, "stride"), default=1, show_default=True,
              help=f"Stride, 1 to {MAX_KERNEL:,}; the output side is D_G = ceil(D_F / stride).")
@click.option("--alpha", "-a", type=MULTIPLIER, default="1", show_default=True,
              help=f"Width multiplier, 0 < alpha <= {MAX_MULTIPLIER}: M and N become "
                   "round(alpha*M), round(alpha*N).")
@click.option("--rho", type=MULTIPLIER, default="1", show_default=True, metavar="P",
              help=f"Resolution multiplier, 0 < P <= {MAX_MULTIPLIER}: D_F becomes "
                   "round(D_F * P).")
@click.option("--rounding", type=click.Choice(list(ROUNDING_CHOICES)), default="round",
              show_default=True,
              help="Channel rounding under alpha: round(c*a) (the paper's code), floor = "
                   "max(int(c*a), 8) (TF-slim), make_divisible (by 8, V2/V3; or div8).")
@click.option("--table3", is_flag=True,
              help="Show the paper's Table 3 (its four cumulative rows) instead.")
@output_options()
def layer_command(kernel: int, in_channels: int | None, out_channels: int | None,
                  size: int | None, stride: int, alpha: Fraction, rho: Fraction,
                  rounding: str, table3: bool, fmt: str | None,
                  output: Path | None) -> None:
    """Mult-adds and params of one conv layer, standard vs depthwise separable.

    A standard D_K x D_K conv from M to N channels on a D_F x D_F map, against the
    same layer as a depthwise conv plus a 1x1 pointwise conv (the paper's Section
    3.1), with the exact reduction and the paper's 1/N + 1/D_K^2.
    """
    fmt = resolve_format(fmt, output)
    given = {"--in": in_channels, "--out": out_channels, "--size": size}
    if table3:
        extra = [name for name, value in given.items() if value is not None]
        if extra or alpha != 1 or rho != 1 or kernel != 3 or stride != 1 \
                or rounding != "round":
            raise UserError("--table3 shows the paper's fixed layer; give it alone "
                            "(no --kernel, --in, --out, --size, --stride, --alpha, --rho, --rounding)")
        emit_report(_table3_report(), fmt, output)
        return
    missing = [name for name, value in given.items() if value is None]
    if in_channels is None or out_channels is None or size is None:
        raise UserError(f"missing {', '.join(missing)} (e.g. --in 512 --out 512 --size 14), "
                        "or use --table3")
    try:
        comparison = compare_layer(kernel, in_channels, out_channels, size, stride, alpha, rho,
                                   rounding)
    except ScalingError as exc:
        raise UserError(str(exc)) from None
    emit_report(_layer_report(comparison), fmt, output)
