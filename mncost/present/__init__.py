"""Presentation: the format-neutral report model (:mod:`~mncost.present.model`), one
renderer per format picked from one table, the terminal layout
(:mod:`~mncost.present.terminal`), the views that lay out each command's results
(:mod:`~mncost.present.views`), plotly figures and their export, and safe file output
(:mod:`~mncost.present.files`). Views only arrange figures they are given: they never count.
"""
