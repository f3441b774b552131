"""Published figures as data, with provenance: the paper's table cells, the released
checkpoints, and the misprints found in the paper.

Nothing computed is ever stored here. :mod:`~mncost.sources.paper_cells` loads the
paper's cells (``data/paper_tables.csv``), :mod:`~mncost.sources.paper_rows` says which
model, width, resolution and classifier each row means (from the text around each table),
:mod:`~mncost.sources.points` is the record of one published result,
:mod:`~mncost.sources.paper_points` and :mod:`~mncost.sources.checkpoints` build those
records (:mod:`~mncost.sources.coco` those of COCO: the paper's Table 13, the MobileNetV2
paper's Table 6 and torchvision's weights, ``data/torchvision_weights.csv``, by mAP or
mIoU, never top-1), and
:mod:`~mncost.sources.misprints` lists the misprints outside the cost cells.
"""

from mncost.sources.paper_cells import (
    QUANTITIES,
    PaperDataError,
    PublishedCell,
    UnknownTableError,
    normalize_table,
    paper_cells,
    paper_tables,
    publication,
    published_cells,
    split_table,
)
from mncost.sources.paper_rows import (
    TABLE_CONTEXT,
    LayerConfig,
    RowConfig,
    TableContext,
    row_config,
    table3_layer,
    undefined_reason,
)

__all__ = [
    "LayerConfig",
    "PaperDataError",
    "PublishedCell",
    "QUANTITIES",
    "RowConfig",
    "TABLE_CONTEXT",
    "TableContext",
    "UnknownTableError",
    "normalize_table",
    "paper_cells",
    "paper_tables",
    "publication",
    "published_cells",
    "row_config",
    "split_table",
    "table3_layer",
    "undefined_reason",
]
