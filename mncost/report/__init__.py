"""Reporting: format-neutral reports, one renderer per output format, atomic file output."""

from mncost.report.cost_table import cost_report
from mncost.report.files import OutputError, write_atomic
from mncost.report.tabular import FORMATS, Column, Report, Table, render

__all__ = ["FORMATS", "Column", "OutputError", "Report", "Table", "cost_report", "render",
           "write_atomic"]
