"""Misprints found in the source documents outside the cost cells, with the evidence.

These are findings, kept as data with their reasons; the cost cells' errata are found
by the status rules in :mod:`mncost.analysis.reproduce.status` instead. Where the right value
cannot be told, ``correct`` says so rather than guessing. Each misprint is cited by the
publication and its table or section (:attr:`Misprint.citation`); the transcription it was
found in (``document``) stays in the data and is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from mncost.sources.paper_cells import cite

__all__ = ["MISPRINTS", "Misprint"]


@dataclass(frozen=True)
class Misprint:
    """One misprint: where it is, what is printed, what is right, and why."""

    document: str
    """The transcription it was found in (a file in shared/paper/): data, never shown."""
    table: str
    """The table or section of :attr:`publication` it is in ("Table 1", "Section 4.5
    (Face Attributes)")."""
    where: str
    """The cell or phrase within ``table``."""
    printed: str
    """What is printed there."""
    correct: str
    """What is right, or why that cannot be told."""
    why: str
    """The evidence."""
    publication: str = cite()
    """What it is printed in, as a reader can look it up: the paper ("Howard et al. 2017,
    arXiv:1704.04861") unless said otherwise."""

    @property
    def citation(self) -> str:
        """The publication and the table or section: "Howard et al. 2017,
        arXiv:1704.04861, Table 1"."""
        return f"{self.publication}, {self.table}"


MISPRINTS: list[Misprint] = [
    Misprint(
        document="001_ee45856d9e240888.txt",
        table="Table 1",
        where="13th depthwise conv (3x3x1024 dw, input 7x7x1024)",
        printed="Conv dw / s2",
        correct="Conv dw / s1",
        why="Its input is 7x7x1024 and so is the next row's, which stride 2 cannot give "
        "(it would make 4x4); TF-slim's MobileNet v1 (tensorflow/models "
        "research/slim/nets/mobilenet_v1.py) builds this block at stride 1. mncost "
        "uses stride 1.",
    ),
    Misprint(
        document="002_93eb01e4fe1299d0.txt",
        table="Section 4.5 (Face Attributes)",
        where="the baseline face attribute classifier",
        printed="75 million parameters",
        correct="7.5 or 75 million: cannot tell which",
        why="Table 12 prints the same baseline (1600 million mult-adds in both) with 7.5 "
        "million parameters; the text and the table differ by a factor of 10 and the "
        "paper gives no way to decide.",
    ),
    Misprint(
        document="001_ee45856d9e240888.txt",
        table="Table 14",
        where="row labels 3 and 4",
        printed="0.75 MobileNet-128 (twice)",
        correct="two different labels: cannot tell which",
        why="Two rows with different accuracy (75.2%, 72.5%), mult-adds (166, 108) and "
        "parameters (3.4, 3.8) cannot be the same model; at least one label is wrong.",
    ),
    Misprint(
        document="000_abfca0e6b9411fd9.txt",
        table="text (Width Multiplier)",
        where="typical width multipliers",
        printed="1, 0.75, 0.6 and 0.25",
        correct="1, 0.75, 0.5 and 0.25",
        why="A misprint of lecture slides on the paper, not of the paper: its Section 3.3 "
        "lists 1, 0.75, 0.5 and 0.25, every table uses 0.5 (Tables 6, 9 and 12) and "
        "none uses 0.6.",
        publication=f"lecture slides on {cite()}",
    ),
]
"""The misprints found outside the cost cells, in table order."""
