"""``mncost reproduce``'s engine: every published cost figure of the paper, audited.

For each cost cell of the paper's tables (:mod:`mncost.sources`), mncost computes the same
figure exactly (:mod:`~mncost.analysis.reproduce.compute`), compares it at the printed precision
and gives a status with its reason (:mod:`~mncost.analysis.reproduce.status`). Misprints outside
the cost cells are listed in :data:`MISPRINTS`.
"""

from mncost.analysis.reproduce.audit import ReproCell, TableSummary, reproduce, summarize
from mncost.analysis.reproduce.status import (
    CLOSE,
    CONVENTION,
    DIFFERS,
    ERRATUM,
    MATCH,
    NOT_COMPUTABLE,
    STATUSES,
)
from mncost.sources.misprints import MISPRINTS, Misprint

__all__ = [
    "CLOSE",
    "CONVENTION",
    "DIFFERS",
    "ERRATUM",
    "MATCH",
    "MISPRINTS",
    "Misprint",
    "NOT_COMPUTABLE",
    "ReproCell",
    "STATUSES",
    "TableSummary",
    "reproduce",
    "summarize",
]
