"""The MobileNets paper as data: its published table cells and how mncost reads each row.

Published figures live in ``mncost/data/paper_tables.csv`` (with the document each was
read from); :mod:`mncost.paper.cells` loads them, :mod:`mncost.paper.rows` says which
model, width, resolution and classifier a row means, or what the paper leaves undefined.
"""

from mncost.paper.cells import (
    QUANTITIES,
    PaperDataError,
    PublishedCell,
    UnknownTableError,
    normalize_table,
    paper_cells,
    paper_tables,
)
from mncost.paper.rows import (
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
    "row_config",
    "table3_layer",
    "undefined_reason",
]
