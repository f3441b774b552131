"""The report ``mncost verify`` prints: one row per layer, both sides' counts, the verdict."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mncost.analysis.verify.compare import Verification
from mncost.present.model import Column, Report, Table
from mncost.present.views.cost_table import classifier, describe_config

__all__ = ["verify_report"]

_BN_NOTE = {
    "none": "; batch norm not counted",
    "affine": ", plus batch-norm weight and bias",
    "all": ", plus batch-norm weight, bias, running_mean and running_var "
    "(never num_batches_tracked)",
}


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _count(value: Any) -> str:
    # PyTorch's MACs are its FLOPs / 2: whole unless PyTorch counted an odd FLOP total.
    if value is None:
        return "-"
    if isinstance(value, Fraction) and value.denominator != 1:
        return f"{float(value):,}"
    return f"{int(value):,}"


def verify_report(check: Verification) -> Report:
    """Per-layer agreement table (with totals), the verdict and what was compared."""
    result = check.result
    columns = [
        Column("Layer", csv_header="name"),
        Column("Output (PyTorch)", csv_header="torch_output", short_header="Output", hide_rank=1),
        Column("mncost MACs", "right", show=_count, csv_header="mncost_mult_adds"),
        Column(
            "PyTorch MACs",
            "right",
            show=_count,
            csv_header="torch_mult_adds",
            short_header="torch MACs",
        ),
        Column("mncost params", "right", show=_count, csv_header="mncost_params", hide_rank=4),
        Column(
            "PyTorch params",
            "right",
            show=_count,
            csv_header="torch_params",
            short_header="torch params",
            hide_rank=3,
        ),
        Column("Shape", "center", show=_mark, csv_header="shape_ok", hide_rank=2),
        Column("Agree", "center", show=_mark, csv_header="agree", short_header="OK"),
    ]
    rows = [
        [
            layer.name,
            "x".join(map(str, layer.torch_output)) if layer.torch_output else "",
            layer.mncost_mult_adds,
            layer.torch_mult_adds,
            layer.mncost_params,
            layer.torch_params,
            layer.shape_ok,
            layer.agree,
        ]
        for layer in check.layers
    ]
    torch_flops = sum(layer.torch_flops or 0 for layer in check.layers) + check.outside_flops
    footer = [
        [
            "Total",
            "",
            result.total.mult_adds,
            Fraction(torch_flops, 2),
            result.total.params,
            sum(layer.torch_params or 0 for layer in check.layers),
            all(layer.shape_ok for layer in check.layers),
            check.ok,
        ]
    ]
    # The release, without the build's local tag (+cpu, +cu130): the counts are the same
    # in every build, and the page reads the same whichever one a machine installed. The
    # JSON's torch_version keeps the whole string.
    release = check.torch_version.split("+", 1)[0]
    title = f"{describe_config(result)}: mncost vs PyTorch {release}"
    # The verdict goes last: it is the line a user (or a CI log) reads first.
    notes = [
        f"PyTorch side: the spec built as torch.nn modules (SAME padding; batch norm and "
        f"ReLU after each conv) and run once on the {check.device} device. Its MACs are "
        f"FlopCounterMode's FLOPs / 2; its params are the modules' conv and linear weights "
        f"and biases{_BN_NOTE[result.conventions.bn]}. Only the channel rounding rule is "
        f"shared with mncost.",
        "Conventions: " + result.conventions.describe(result.own_rule),
        check.verdict(),
    ]
    data = check.to_dict()
    found = classifier(result)
    data["config"]["classifier"] = (
        None
        if found is None
        else {"layer": found.layer, "outputs": found.outputs, "sized_by": found.sized_by}
    )
    return Report(
        title=title,
        tables=[Table(title="Layers", columns=columns, rows=rows, footer=footer)],
        notes=notes,
        data=data,
    )
