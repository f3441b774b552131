"""The ``mncost models`` listing: every registered model, its paper, its defaults and its
cost at them (counted by :func:`mncost.analysis.models.model_summaries`)."""

from __future__ import annotations

from collections.abc import Sequence

from mncost.analysis.models import ModelSummary
from mncost.present.model import Column, Report, Table

__all__ = ["models_report"]


def models_report(models: Sequence[ModelSummary]) -> Report:
    """One row per model; JSON is a list of objects with every field and exact counts."""
    columns = [
        Column("Model", csv_header="name"),
        # Second, as in the listing's first CSV layout (name,description,...).
        Column("Description", csv_header="description", hide_rank=1),
        Column("Family", csv_header="family"),
        Column("Input", "right", csv_header="resolution", show=lambda side: f"{side}x{side}"),
        Column("Classes", "right", csv_header="classes", hide_rank=2),
        Column("Mult-Adds (MACs)", "right", csv_header="mult_adds", short_header="MACs"),
        Column("Params", "right", csv_header="params"),
        Column("Source", csv_header="source"),
    ]
    rows = [
        [m.name, m.description, m.family, m.resolution, m.classes, m.mult_adds, m.params, m.source]
        for m in models
    ]
    data = [
        {
            "name": m.name,
            "family": m.family,
            "source": m.source,
            "description": m.description,
            "resolution": m.resolution,
            "classes": m.classes,
            "mult_adds": m.mult_adds,
            "params": m.params,
        }
        for m in models
    ]
    return Report(
        title=f"Built-in models ({len(models)})",
        tables=[Table(title="", columns=columns, rows=rows)],
        notes=[
            "Mult-adds (MACs) and params at each model's defaults: alpha 1, its input "
            "resolution and classes, its own channel rounding; batch norm not counted, "
            "FC bias counted (`mncost table MODEL --bn affine` counts gamma and beta, as "
            "torchvision's figures do). Exact integers in CSV and JSON.",
            "Use a name as MODEL, e.g. `mncost table mobilenet-v1`, "
            "or cost your own network with --spec FILE.",
        ],
        data=data,
    )
