"""``mncost published``: the published results (paper and released checkpoints) beside
mncost's exact count of the same configuration."""

from __future__ import annotations

from pathlib import Path

import click

from mncost.cli.files import emit_report, output_options, resolve_format
from mncost.cli.options import query_options, run_query
from mncost.cli.process import UserError

__all__ = ["published_command"]


@click.command(
    "published",
    short_help="Published accuracy and cost, beside mncost's count.",
    epilog="""\b
Examples:
  mncost published                          # paper and checkpoints
  mncost published --source paper           # the paper's Tables 4-10
  mncost published --family mobilenet_v1 --source checkpoints
  mncost published --dataset stanford_dogs  # Table 10
  mncost published --dataset coco           # detectors' COCO mAP (Table 13, torchvision)
  mncost published -f csv -o published.csv  # exact figures, one row each
""",
)
@query_options(default_dataset=None)
@output_options(("table", "csv", "json", "markdown", "html"))
def published_command(
    families: tuple[str, ...],
    source: str,
    dataset: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """List published (model, top-1, mult-adds, params) results with their sources.

    The paper's Tables 4-10 (one point per distinct result: a model the paper prints in
    several tables with the same figures is one row naming every table) and the released
    checkpoints (MobileNet v1's 16 models in float and 8-bit, MobileNet v2's grid).
    Where mncost can count the same configuration, its exact count and the gap to the
    published figure are shown beside it.

    --dataset coco lists detectors by their COCO box mAP instead (the paper's Table 13,
    torchvision's SSD weights), --dataset coco_voc segmentation models by their mIoU
    (torchvision's); neither is ever listed, plotted or ranked as a top-1.
    """
    from mncost.present.views.published import published_report

    fmt = resolve_format(fmt, output, ("table", "csv", "json", "markdown", "html"))
    points = run_query(families, source, dataset)
    if not points:
        raise UserError("no published results match these options")
    emit_report(published_report(points), fmt, output)
