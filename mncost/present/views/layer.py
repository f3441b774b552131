"""The ``mncost layer`` reports: one layer as a standard conv vs a depthwise separable
conv, and the paper's Table 3 row by row (counted by :mod:`mncost.analysis.layer`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mncost.analysis.layer import FORMULAS, LayerComparison, Table3Row
from mncost.cost.scaling import multiplier_text
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import percent
from mncost.sources.paper_cells import cite

__all__ = ["layer_report", "table3_report"]


def _number(value: Decimal) -> int | float:
    """A printed figure as a JSON number: an int when printed without decimals."""
    exponent = value.as_tuple().exponent
    return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)


def _ratio_rows(comparison: LayerComparison) -> list[list[Any]]:
    paper = comparison.paper_ratio
    rows = []
    for what, exact in (("Mult-adds", comparison.ratio), ("Params", comparison.params_ratio)):
        rows.append(
            [
                what,
                f"{exact.numerator}/{exact.denominator}",
                f"{float(exact):.6f}",
                percent(exact),
                f"1/{comparison.n} + 1/{comparison.kernel}^2 = "
                f"{paper.numerator}/{paper.denominator}",
                "yes" if exact == paper else "no",
                f"{float(1 / exact):.2f}x",
            ]
        )
    return rows


def layer_report(comparison: LayerComparison) -> Report:
    """One layer both ways: counts and formulas per form, the exact reduction and the
    paper's 1/N + 1/D_K^2, and how alpha and rho scaled the layer."""
    c = comparison
    k, m, n, g = c.kernel, c.m, c.n, c.d_g
    numbers = {
        "standard": f"{k}·{k}·{m}·{n}·{g}·{g}",
        "depthwise": f"{k}·{k}·{m}·{g}·{g}",
        "pointwise": f"{m}·{n}·{g}·{g}",
        "separable": f"{k}·{k}·{m}·{g}·{g} + {m}·{n}·{g}·{g}",
    }
    forms = [
        ("Standard conv", "standard", c.standard),
        (f"Depthwise {k}x{k}", "depthwise", c.depthwise),
        ("Pointwise 1x1", "pointwise", c.pointwise),
        ("Depthwise separable", "separable", c.separable),
    ]
    counts = Table(
        title="Standard vs depthwise separable",
        columns=[
            Column("Form", csv_header="form"),
            Column("Mult-Adds (MACs)", "right", short_header="MACs", csv_header="mult_adds"),
            Column("Params", "right", csv_header="params"),
            Column("Mult-adds formula", csv_header="formula", short_header="Formula"),
            Column("With numbers", csv_header="formula_numbers", hide_rank=1),
            Column("Params formula", csv_header="params_formula", data_only=True),
        ],
        rows=[
            [
                label,
                counts.mult_adds,
                counts.params,
                FORMULAS[key][0],
                numbers[key],
                FORMULAS[key][1],
            ]
            for label, key, counts in forms
        ],
    )
    ratios = Table(
        title="Separable / standard (the paper's reduction, 1/N + 1/D_K^2)",
        columns=[
            Column("Of"),
            Column("Exact", "right"),
            Column("Decimal", "right"),
            Column("%", "right"),
            Column("1/N + 1/D_K^2"),
            Column("Equal"),
            Column("Fewer", "right"),
        ],
        rows=_ratio_rows(c),
    )
    scaled = []
    if c.alpha != 1:
        scaled.append(
            f"alpha {multiplier_text(c.alpha)}: M {c.in_channels} -> {m}, N {c.out_channels} -> {n}"
        )
    if c.rho != 1:
        scaled.append(
            f"rho {multiplier_text(c.rho)}: D_F {c.size} -> round({c.size}*"
            f"{multiplier_text(c.rho)}) = {c.d_f}"
        )
    title = f"One layer: D_K={k}, M={m}, N={n}, D_F={c.d_f}, stride {c.stride} (D_G={g})"
    notes = scaled + [
        "Mult-adds are multiply-accumulates (MACs); params are weights (no bias, no batch "
        "norm, as in the paper's Table 3). D_G = ceil(D_F / stride) is the output side "
        "(the paper writes D_F, assuming stride 1). Params: D_K·D_K·M·N (standard), "
        "D_K·D_K·M + M·N (separable)."
    ]
    data = {
        "kernel": k,
        "in_channels": c.in_channels,
        "out_channels": c.out_channels,
        "size": c.size,
        "stride": c.stride,
        "alpha": float(c.alpha),
        "rho": float(c.rho),
        "m": m,
        "n": n,
        "d_f": c.d_f,
        "d_g": g,
        **{
            key: {
                "mult_adds": counts.mult_adds,
                "params": counts.params,
                "formula": FORMULAS[key][0],
                "params_formula": FORMULAS[key][1],
                "with_numbers": numbers[key],
            }
            for _, key, counts in forms
        },
        "ratio": {
            "exact": f"{c.ratio.numerator}/{c.ratio.denominator}",
            "value": float(c.ratio),
            "paper": f"1/{n} + 1/{k}^2",
            "paper_value": float(c.paper_ratio),
            "equal": c.ratio == c.paper_ratio,
        },
        "params_ratio": {
            "exact": f"{c.params_ratio.numerator}/{c.params_ratio.denominator}",
            "value": float(c.params_ratio),
        },
    }
    return Report(title=title, tables=[counts, ratios], notes=notes, data=data)


def table3_report(rows: Sequence[Table3Row]) -> Report:
    """The paper's Table 3, row by row: mncost's exact counts beside the printed figures."""
    table_rows, data = [], []
    for row in rows:
        c, counts = row.comparison, row.counts
        config = f"{'separable' if row.separable else 'standard'}, M=N={c.m}, D_F={c.d_f}"
        # Exact millions (CSV writes them as numbers); the printed figures as Decimals,
        # so CSV keeps their digits and JSON can give both the number and the text.
        paper_macs, paper_params = Decimal(row.printed_mult_adds), Decimal(row.printed_params)
        table_rows.append(
            [
                row.row,
                config,
                counts.mult_adds,
                Fraction(counts.mult_adds, 10**6),
                paper_macs,
                counts.params,
                Fraction(counts.params, 10**6),
                paper_params,
            ]
        )
        data.append(
            {
                "row": row.row,
                "separable": row.separable,
                "m": c.m,
                "n": c.n,
                "d_f": c.d_f,
                "alpha": float(c.alpha),
                "rho": float(c.rho),
                "mult_adds": counts.mult_adds,
                "params": counts.params,
                "paper_million_mult_adds": _number(paper_macs),
                "paper_million_mult_adds_text": row.printed_mult_adds,
                "paper_million_params": _number(paper_params),
                "paper_million_params_text": row.printed_params,
                "citation": cite("Table 3"),
            }
        )
    table = Table(
        title="The paper's Table 3, row by row (cumulative)",
        columns=[
            Column("Layer/Modification", short_header="Row", csv_header="row"),
            Column("Counted as", csv_header="config", data_only=True),
            Column("Mult-Adds (MACs)", "right", short_header="MACs", csv_header="mult_adds"),
            Column(
                "Million Mult-Adds",
                "right",
                short_header="M MACs",
                csv_header="million_mult_adds",
                show=lambda v: f"{float(v):.2f}",
            ),
            Column("Paper", "right", csv_header="paper_million_mult_adds"),
            Column("Params", "right", csv_header="params"),
            Column(
                "Million Params",
                "right",
                short_header="M params",
                csv_header="million_params",
                show=lambda v: f"{float(v):.4f}",
            ),
            Column("Paper", "right", csv_header="paper_million_params"),
        ],
        rows=table_rows,
    )
    return Report(
        title="Table 3: D_K=3, M=N=512, D_F=14 (an internal MobileNet layer)",
        tables=[table],
        notes=[
            "Each row adds to the one above: a standard conv; the same layer as depthwise "
            "+ pointwise; alpha 0.75 (512 -> 384 channels); rho 0.714 (D_F 14 -> "
            "round(9.996) = 10). Paper = the figure printed in " + cite("Table 3") + ", in "
            "millions. Mult-adds are MACs; params are weights (no bias, no batch norm).",
            "`mncost reproduce 3` compares each cell and gives its status.",
        ],
        data=data,
    )
