"""The per-layer cost report of one configuration (what ``mncost table`` prints).

Two layouts of the same figures: ``document`` for the terminal, Markdown and HTML (the
paper's Table 1 wording, "Conv dw / s2", totals in a footer) and ``data`` for CSV (one
value per field: ``kind``, ``type``, ``stride``, ``output_h`` ..., then a totals row whose
``kind`` is ``total``). JSON is :meth:`~mncost.cost.result.CostResult.to_dict` in both,
with the classifier found by :func:`classifier` added.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import islice
from typing import Any

from mncost.cost.result import Classifier, CostResult, import_notes
from mncost.cost.scaling import input_text, multiplier_text
from mncost.present.formats import Layout
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import percent, scaled, shape

__all__ = [
    "Classifier",
    "classifier",
    "classifier_text",
    "cost_report",
    "describe_config",
    "table1_type",
]


_TABLE1_TYPE = {
    # MobileNet v1's kinds, as its Table 1 prints them.
    "conv": "Conv",
    "pw": "Conv",
    "dw": "Conv dw",
    "avgpool": "Avg Pool",
    "fc": "FC",
    "softmax": "Softmax",
    # The ops of composite layers, in the same wording: an inverted residual's 1x1 convs
    # (its projection is linear: no activation), max pooling, squeeze-and-excite's convs.
    "expand": "Conv expand",
    "project": "Conv project",
    "maxpool": "Max Pool",
    "se_reduce": "Conv SE reduce",
    "se_expand": "Conv SE expand",
}
_ELEMENTWISE = {
    "add": "Residual add",
    "concat": "Concat",
    "scale": "SE scale",
    "channel_scale": "Channel scale",
}
"""Ops that combine feature maps, or scale one channel by channel (a ``scale`` layer:
SSD300's L2Norm weight), rather than slide a window: a stride says nothing."""


def table1_type(kind: str, stride: int) -> str:
    """A layer's "Type / Stride" cell in the paper's Table 1 wording, e.g. "Conv dw / s2".

    Element-wise joins (a residual add, a concatenation, squeeze-and-excite's scaling)
    and a learned per-channel scale have no stride: "Residual add". A kind without a
    wording of its own shows as named.
    """
    if kind in _ELEMENTWISE:
        return _ELEMENTWISE[kind]
    return f"{_TABLE1_TYPE.get(kind, kind)} / s{stride}"


def classifier(result: CostResult) -> Classifier | None:
    """The classifier that is actually in ``result`` (see CostResult.classifier)."""
    return result.classifier


def classifier_text(result: CostResult) -> str:
    """The classifier in a header: "1000 classes"; "91 class slots" for a network whose
    ops are sized by the classes without a classifier (a detector's class predictors);
    else "no classifier"."""
    found = classifier(result)
    if found is not None:
        return f"{found.outputs} classes"
    return f"{result.classes} class slots" if result.class_sized else "no classifier"


def describe_config(result: CostResult) -> str:
    """One line naming the configuration: model, alpha, resolution, classifier."""
    return (
        f"{result.model}  alpha={multiplier_text(result.alpha)}  "
        f"{input_text(result.resolution)}  {classifier_text(result)}"
    )


def _layer_table(
    result: CostResult, factor: int, unit: str, flops: bool, shown: int | None = None
) -> Table:
    """The layers in the paper's Table 1 wording (the first ``shown`` of them, if given),
    totals of every layer in the footer."""
    total = result.total
    columns = [
        Column("Layer", csv_header="name"),
        Column("Type / Stride", csv_header="type_stride", short_header="Type/Stride", hide_rank=2),
        Column("Filter Shape", csv_header="filter_shape", short_header="Filter"),
        Column("Input Size", csv_header="input", short_header="Input", hide_rank=1),
        Column("Output Size", csv_header="output", short_header="Output", hide_rank=4),
        Column(
            f"Mult-Adds ({unit})" if not flops else "FLOPs",
            "right",
            csv_header="flops" if flops else "mult_adds",
            short_header=unit,
        ),
        Column("Params", "right", csv_header="params"),
        Column(
            f"% {unit}",
            "right",
            show=percent,
            csv_header=f"{unit.lower()}_share",
            short_header="%",
            hide_rank=3,
        ),
    ]
    c = result.layer_columns  # column by column: a deep spec needs no record per op
    whole = total.mult_adds
    rows = [
        [
            name,
            table1_type(kind, stride),
            filter_shape,
            shape(shape_in),
            shape(shape_out),
            macs * factor,
            params,
            # int / int is the correctly rounded quotient, as float(Fraction(a, b)) is,
            # at a fraction of the cost on a 100,000-layer table.
            macs / whole if whole else None,
        ]
        for name, kind, stride, filter_shape, shape_in, shape_out, macs, params in islice(
            zip(c.name, c.kind, c.stride, c.filter_shape, c.input, c.output, c.mult_adds, c.params),
            shown,
        )
    ]
    return Table(
        title="Layers",
        columns=columns,
        rows=rows,
        footer=[
            [
                "Total",
                "",
                "",
                "",
                "",
                total.mult_adds * factor,
                total.params,
                Fraction(1) if total.mult_adds else None,
            ]
        ],
        caption=(
            f"Total: {scaled(total.mult_adds * factor)} {unit}, {scaled(total.params)} params"
        ),
    )


_DATA_FIELDS = [
    "name",
    "kind",
    "type",
    "block",
    "stride",
    "filter_shape",
    "input_h",
    "input_w",
    "input_c",
    "output_h",
    "output_w",
    "output_c",
]
"""The CSV's fields before the counts; names as in the JSON's layer records."""


def _data_table(result: CostResult, factor: int, unit: str, flops: bool) -> Table:
    """One op per row, one value per field (exact integers), then the totals row."""
    total = result.total
    count = "flops" if flops else "mult_adds"
    share = f"{unit.lower()}_share"
    rows: list[list[Any]] = [
        [
            layer.name,
            layer.kind,
            layer.type,
            layer.block,
            layer.stride,
            layer.filter_shape,
            *layer.input,
            *layer.output,
            layer.mult_adds * factor,
            layer.params,
            # int / int is the correctly rounded quotient, as float(Fraction(a, b)) is,
            # at a fraction of the cost on a 100,000-layer table.
            layer.mult_adds / total.mult_adds if total.mult_adds else None,
        ]
        for layer in result.layers
    ]
    # The totals row: kind "total" marks it (no op has that kind; a layer may be named
    # "Total"), and only the counts and the share are filled in.
    rows.append(
        [
            "Total",
            "total",
            *[None] * (len(_DATA_FIELDS) - 2),
            total.mult_adds * factor,
            total.params,
            Fraction(1) if total.mult_adds else None,
        ]
    )
    columns = [Column(name) for name in (*_DATA_FIELDS, count, "params", share)]
    return Table(title="Layers", columns=columns, rows=rows)


def cost_report(
    result: CostResult,
    flops: bool = False,
    layout: Layout = "document",
    shown: int | None = None,
) -> Report:
    """Per-layer table, totals, by-type breakdown and the conventions line.

    ``document``: the layers in the paper's wording with their output sizes, totals in
    the footer (terminal, Markdown, HTML); ``data``: the layers as one value per field
    with a totals row, for CSV. JSON (``Report.data``) is the same in both. ``shown``
    (the document layout): list only the first so many layers; the totals count all.
    """
    factor = 2 if flops else 1
    unit = "FLOPs" if flops else "MACs"
    layers = (
        _data_table(result, factor, unit, flops)
        if layout == "data"
        else _layer_table(result, factor, unit, flops, shown)
    )
    by_type = Table(
        title="By layer type (the paper's Table 2)",
        columns=[
            Column("Type", csv_header="type"),
            Column(
                f"Mult-Adds ({unit})" if not flops else "FLOPs",
                "right",
                short_header=unit,
                csv_header="flops" if flops else "mult_adds",
            ),
            Column(
                f"% {unit}",
                "right",
                show=percent,
                short_header="%",
                hide_rank=1,
                csv_header=f"{unit.lower()}_share",
            ),
            Column("Params", "right", csv_header="params"),
            Column(
                "% Params",
                "right",
                show=percent,
                short_header="%",
                hide_rank=2,
                csv_header="params_share",
            ),
        ],
        rows=[
            [row.type, row.mult_adds * factor, row.mult_adds_share, row.params, row.params_share]
            for row in result.by_type
        ],
    )
    return Report(
        title=describe_config(result),
        tables=[layers, by_type],
        notes=[
            *import_notes(result.source),
            "Conventions: " + result.conventions.describe(result.own_rule),
        ],
        data=lambda: _payload(result, flops),
    )


def _payload(result: CostResult, flops: bool) -> dict[str, Any]:
    """The JSON: the result's records, the classifier, and FLOPs beside MACs with --flops."""
    data = result.to_dict()
    source = result.source
    not_counted = getattr(source, "not_counted", None)
    if not_counted is not None:  # an imported graph: what it holds that is not counted
        data["not_counted"] = [
            {"op_type": n.op_type, "count": n.count, "examples": list(n.names)} for n in not_counted
        ]
        data["alpha_blocked"] = getattr(source, "alpha_blocked", "") or None
    found = classifier(result)
    data["classifier"] = (
        None
        if found is None
        else {"layer": found.layer, "outputs": found.outputs, "sized_by": found.sized_by}
    )
    if flops:
        for record, layer in zip(data["layers"], result.layers):
            record["flops"] = 2 * layer.mult_adds
        data["total"]["flops"] = 2 * result.total.mult_adds
    return data
