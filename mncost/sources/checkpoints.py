"""The released checkpoints' published figures, read from ``mncost/data/checkpoints.csv``.

The CSV is a copy of shared/published/checkpoints.csv: one row per released checkpoint
(MobileNet v1's 16-model grid in float and 8-bit, MobileNet v2's grid), every figure as
its publisher printed it, and a ``source`` column naming the file it was read from.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from importlib import resources

from mncost.sources.points import FAMILIES, Provenance, PublishedPoint

__all__ = ["CheckpointDataError", "checkpoint_points"]

_FIELDS = ["family", "variant", "alpha", "resolution", "precision", "million_mult_adds",
           "million_params", "top1", "top5", "pixel1_latency_ms", "source"]


class CheckpointDataError(ValueError):
    """The packaged checkpoints CSV is malformed (a bug in mncost's data, not user input)."""


def _decimal(text: str, where: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise CheckpointDataError(f"{where}: cannot read {text!r} as a number") from None
    if not value.is_finite() or value < 0:
        raise CheckpointDataError(f"{where}: {text!r} is not a published figure")
    return value


def _point(record: dict[str, str], where: str) -> PublishedPoint:
    if record["family"] not in FAMILIES:
        raise CheckpointDataError(f"{where}: unknown family {record['family']!r}")
    if record["precision"] not in ("float32", "int8"):
        raise CheckpointDataError(f"{where}: unknown precision {record['precision']!r}")
    try:
        alpha = Fraction(record["alpha"])
        resolution = int(record["resolution"])
    except ValueError:
        raise CheckpointDataError(f"{where}: bad alpha or resolution") from None
    return PublishedPoint(
        label=record["variant"],
        family=record["family"],
        source="checkpoints",
        dataset="imagenet",  # every released checkpoint is an ImageNet classifier
        precision=record["precision"],  # type: ignore[arg-type]
        provenance=(Provenance(document=record["source"], row=record["variant"]),),
        alpha=alpha,
        resolution=resolution,
        classes=1000,
        top1=_decimal(record["top1"], where),
        top5=_decimal(record["top5"], where),
        mult_adds_m=_decimal(record["million_mult_adds"], where),
        params_m=_decimal(record["million_params"], where),
        latency_ms=_decimal(record["pixel1_latency_ms"], where),
    )


def _read(text: str) -> tuple[PublishedPoint, ...]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != _FIELDS:
        raise CheckpointDataError(f"checkpoints.csv: expected columns {_FIELDS}, "
                                  f"got {reader.fieldnames}")
    return tuple(_point(record, f"checkpoints.csv line {number}")
                 for number, record in enumerate(reader, start=2))


@cache
def checkpoint_points() -> tuple[PublishedPoint, ...]:
    """Every released checkpoint, in the CSV's order (mncost's cost not yet attached)."""
    data = resources.files("mncost").joinpath("sources", "data", "checkpoints.csv")
    return _read(data.read_text(encoding="utf-8"))
