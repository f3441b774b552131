"""The ``mncost published`` listing: each published result beside mncost's exact count of
the same configuration, with the gap.

mncost's counts come attached to each point by
:func:`mncost.analysis.published.published_points`. The gap is signed as everywhere in
mncost (:func:`mncost.sources.points.relative_gap`): mncost minus published, relative to
published. Published figures are numbers in JSON and CSV; JSON also keeps each as printed
(``top1_text``: "0.50" is not 0.5), and cites the publication or repository file it is
printed in, never the transcription it was read from.

Each dataset's accuracy has a column of its own (:data:`~mncost.sources.points.METRICS`):
top-1 for ImageNet and Stanford Dogs, mAP for COCO, mIoU for COCO-VOC; a listing of one
kind shows that kind's column alone, so ImageNet's listing is unchanged by the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mncost.present.model import Column, Report, Table
from mncost.present.numbers import fixed, plain
from mncost.sources.coco import DATASET_NOTES
from mncost.sources.paper_cells import cite
from mncost.sources.points import (
    DATASETS,
    METRICS,
    PublishedPoint,
    relative_gap,
    within_rounding,
)

__all__ = ["published_report"]


def _millions_exact(value: int | None) -> str:
    return "" if value is None else fixed(value, 10**6, 2)


@dataclass(frozen=True)
class _Gap:
    """A table cell: (mncost - published) / published, and whether rounding explains it."""

    difference: Fraction
    within_rounding: bool

    @property
    def percent(self) -> float:
        """The gap in percent of the published figure."""
        return float(self.difference * 100)

    def __str__(self) -> str:  # what CSV writes: the percentage as a plain number
        return repr(self.percent)


def _gap(published: Decimal | None, computed: int | None) -> _Gap | None:
    difference = relative_gap(published, computed)
    if difference is None:
        return None
    return _Gap(difference, bool(within_rounding(published, computed)))


def _show_gap(cell: _Gap | None) -> str:
    if cell is None:
        return ""
    shown = f"{cell.percent:+.2f}%"
    if shown[1:] == "0.00%":  # no sign on a gap that shows as zero
        shown = "0.00%"
    return shown + ("" if cell.within_rounding else " *")


def _number(value: Decimal | None) -> int | float | None:
    """A printed figure as a JSON number: an int when printed without decimals."""
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


def _positional(value: Decimal | None) -> Decimal | None:
    """A published figure as a table cell: 1.2 billion, kept in millions as
    ``Decimal("1.2E+3")``, becomes ``Decimal("1200")``, so CSV writes 1200, not 1.2E+3."""
    return None if value is None else Decimal(plain(value))


def _text(value: Any) -> str | None:
    """A printed figure exactly as printed ("70.0", "0.50"), for JSON's ``*_text`` fields;
    one printed in billions, in millions without an exponent (1.2 B: "1200")."""
    return None if value is None else plain(value)


def _note_numbers(points: Sequence[PublishedPoint]) -> dict[str, int]:
    """Each distinct point note, numbered in the order the rows show them."""
    numbers: dict[str, int] = {}
    for p in points:
        if p.note and p.note not in numbers:
            numbers[p.note] = len(numbers) + 1
    return numbers


def published_report(points: Sequence[PublishedPoint]) -> Report:
    """The listing as a Report: one row per published point, both costs and the gap."""

    def text(value: Any) -> str:
        return "" if value is None else plain(value)

    numbers = _note_numbers(points)
    short_source = {p.citation: p.tables for p in points}
    metrics = [METRICS[key] for key in METRICS if any(p.metric.key == key for p in points)]
    top1 = any(m.key == "top1" for m in metrics)
    accuracy = [
        Column("Top-1 %", "right", show=text, csv_header="top1_percent", data_only=not top1),
        Column(
            "Top-5 %",
            "right",
            show=text,
            csv_header="top5_percent",
            hide_rank=2,
            data_only=not top1,
        ),
        *(
            Column(m.header, "right", show=text, csv_header=f"{m.key}_percent")
            for m in metrics
            if m.key != "top1"
        ),
    ]
    columns = [
        Column("Model", csv_header="model"),
        Column("Family", csv_header="family", hide_rank=1),
        Column("Source kind", csv_header="source", data_only=True),
        Column("α/res", csv_header="config", short_header="α/res", hide_rank=7),
        Column("Alpha", csv_header="alpha", data_only=True),
        Column("Resolution", csv_header="resolution", data_only=True),
        Column("Classes", csv_header="classes", data_only=True),
        # The built-in model that counts the row: the layout it was built with.
        Column("Counted as", csv_header="counted_as", data_only=True),
        Column("Precision", csv_header="precision", short_header="Prec.", hide_rank=3),
        Column(
            "Dataset",
            csv_header="dataset",
            show=lambda k: DATASETS.get(k, k) if k else "",
            hide_rank=10,
        ),
        *accuracy,
        Column(
            "Pub. MACs (M)",
            "right",
            show=text,
            csv_header="mult_adds_published_m",
            short_header="MACs(M)",
        ),
        Column(
            "mncost MACs (M)",
            "right",
            show=_millions_exact,
            csv_header="mult_adds_mncost",
            short_header="mncost(M)",
        ),
        Column(
            "Δ MACs (mncost - pub.)",
            "right",
            show=_show_gap,
            hide_rank=11,
            csv_header="mult_adds_diff_percent",
            short_header="Δ MACs",
        ),
        Column("MACs within rounding", csv_header="mult_adds_within_rounding", data_only=True),
        Column(
            "Pub. params (M)",
            "right",
            show=text,
            csv_header="params_published_m",
            short_header="Params(M)",
            hide_rank=6,
        ),
        Column(
            "mncost params (M)",
            "right",
            show=_millions_exact,
            csv_header="params_mncost",
            short_header="mncost(M)",
            hide_rank=4,
        ),
        Column(
            "Δ params (mncost - pub.)",
            "right",
            show=_show_gap,
            csv_header="params_diff_percent",
            short_header="Δ params",
            hide_rank=5,
        ),
        Column("Params within rounding", csv_header="params_within_rounding", data_only=True),
        Column("Source", csv_header="citation", show=lambda c: short_source.get(c, c), hide_rank=8),
        # Marks of the numbered notes under the table; CSV holds each note in full.
        Column(
            "Note",
            csv_header="note",
            show=lambda n: f"[{numbers[n]}]" if n else "",
            hide_rank=9,
            data_only=not numbers,
        ),
    ]
    rows = []
    for p in points:
        macs = p.computed.mult_adds if p.computed else None
        params = p.computed.params if p.computed else None
        macs_gap, params_gap = _gap(p.mult_adds_m, macs), _gap(p.params_m, params)
        rows.append(
            [
                p.label,
                p.family,
                p.source,
                p.config,
                None if p.alpha is None else float(p.alpha),
                p.resolution,
                p.classes,
                p.model,
                p.precision,
                p.dataset,
                p.top1,
                p.top5,
                *(getattr(p, m.key) for m in metrics if m.key != "top1"),
                _positional(p.mult_adds_m),
                macs,
                macs_gap,
                macs_gap.within_rounding if macs_gap else None,
                _positional(p.params_m),
                params,
                params_gap,
                params_gap.within_rounding if params_gap else None,
                p.citation,
                p.note,
            ]
        )
    notes = [
        "Pub.: published, as printed (millions; accuracy in %). mncost: mncost's exact count "
        "of the same configuration (exact integers in CSV and JSON), at mncost's default "
        "conventions (batch norm not counted, FC bias counted, each model's own channel "
        "rounding under alpha), with the source's classifier width.",
        *_metric_notes(points),
        "Δ = (mncost - published) / published, in %: positive when mncost counts more (as "
        "in `mncost reproduce`); * marks a gap larger than the published figure's rounding "
        "(half a unit of its last printed digit).",
        _sources_note(points),
    ]
    notes += [
        f"[{number}] " + _labels([p.label for p in points if p.note == note]) + f": {note}"
        for note, number in numbers.items()
    ]
    missing = _not_counted(points)
    if missing:
        notes.append("No mncost count for " + "; ".join(missing) + ".")
    data = [_point_data(p) for p in points]
    return Report(
        title=f"Published results ({len(points)})",
        tables=[Table(title="", columns=columns, rows=rows)],
        notes=notes,
        data=data,
    )


def _labels(labels: list[str]) -> str:
    labels = list(dict.fromkeys(labels))
    return ", ".join(labels) if len(labels) <= 6 else f"{len(labels)} results"


def _metric_notes(points: Sequence[PublishedPoint]) -> list[str]:
    """What each accuracy other than top-1 measures, and on which images each source
    measured it: one note per such dataset shown."""
    notes = []
    for dataset in dict.fromkeys(p.dataset for p in points if p.metric.key != "top1"):
        metric = METRICS[next(p.metric.key for p in points if p.dataset == dataset)]
        notes.append(
            f"{metric.header.removesuffix(' %')} ({DATASETS[dataset]}): {metric.meaning}. "
            f"{DATASET_NOTES[dataset]}"
        )
    return notes


def _sources_note(points: Sequence[PublishedPoint]) -> str:
    """What the Source column's short names stand for, from the points shown."""
    parts = []
    if any(p.source == "paper" for p in points):
        parts.append(f"paper = {cite()} (MobileNets), the table named")
    files = list(
        dict.fromkeys(
            s.citation
            for p in points
            if p.source == "checkpoints"
            for s in p.provenance
            if not s.brief
        )
    )
    if files:
        parts.append("checkpoints = the released checkpoints' tables in " + "; ".join(files))
    briefs: dict[str, list[str]] = {}
    for p in points:
        for s in p.provenance:
            if p.source == "checkpoints" and s.brief:
                briefs.setdefault(s.brief, [])
                if s.citation not in briefs[s.brief]:
                    briefs[s.brief].append(s.citation)
    for brief, citations in briefs.items():
        parts.append(f"{brief} = " + "; ".join(citations))
    return "Source: " + "; ".join(parts) + "."


def _not_counted(points: Sequence[PublishedPoint]) -> list[str]:
    """The points mncost cannot count, grouped by reason: "AlexNet, VGG 16: each is ..."."""
    groups: dict[str, list[str]] = {}
    for p in points:
        if p.computed is not None:
            continue
        # Reasons often start with the model's own name; group on the rest.
        reason = p.not_computed
        if reason.startswith(p.label + " "):
            reason = "each " + reason[len(p.label) + 1 :]
        groups.setdefault(reason, []).append(p.label)
    return [_labels(labels) + f": {reason}" for reason, labels in groups.items()]


def _point_data(p: PublishedPoint) -> dict[str, Any]:
    """One point as JSON: published figures as numbers (and as printed, in ``*_text``),
    mncost's exact counts and the signed gaps, the note and the citations."""
    computed: dict[str, Any] | None = None
    if p.computed is not None:
        computed = {"mult_adds": p.computed.mult_adds, "params": p.computed.params}
        for what, published in (("mult_adds", p.mult_adds_m), ("params", p.params_m)):
            gap = _gap(published, getattr(p.computed, what))
            computed[f"{what}_diff_percent"] = gap.percent if gap else None
            computed[f"{what}_within_rounding"] = gap.within_rounding if gap else None
    # A COCO result's mAP (or mIoU) has keys of its own, beside a null top-1.
    other = (
        {
            f"{p.metric.key}_percent": _number(p.accuracy),
            f"{p.metric.key}_text": _text(p.accuracy),
        }
        if p.metric.key != "top1"
        else {}
    )
    return {
        "model": p.label,
        "family": p.family,
        "source": p.source,
        "dataset": p.dataset,
        "precision": p.precision,
        "alpha": None if p.alpha is None else float(p.alpha),
        "resolution": p.resolution,
        "classes": p.classes,
        "counted_as": p.model,
        "top1_percent": _number(p.top1),
        "top1_text": _text(p.top1),
        "top5_percent": _number(p.top5),
        "top5_text": _text(p.top5),
        **other,
        "published": {
            "million_mult_adds": _number(p.mult_adds_m),
            "million_mult_adds_text": _text(p.mult_adds_m),
            "million_params": _number(p.params_m),
            "million_params_text": _text(p.params_m),
            "pixel1_latency_ms": _number(p.latency_ms),
            "latencies_ms": {device: _number(ms) for device, ms in p.latencies},
        },
        "mncost": computed,
        "mncost_missing": p.not_computed or None,
        "note": p.note or None,
        "citation": p.citation,
        "provenance": [
            {"citation": s.citation, "table": s.table or None, "row": s.row} for s in p.provenance
        ],
    }
