"""Reporting: format-neutral reports, one renderer per output format, atomic file output.

Modules: :mod:`~mncost.report.tabular` (the Report model and the renderers),
:mod:`~mncost.report.terminal` (rich), :mod:`~mncost.report.cost_table` (the per-layer
report of ``mncost table``), :mod:`~mncost.report.numbers` (display rounding, with units),
:mod:`~mncost.report.files` (atomic writes). Import from those modules directly; this
package imports nothing, to keep the CLI's start-up light.
"""
