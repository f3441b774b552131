"""The released checkpoints' published figures, read from ``mncost/sources/data/``.

Two CSVs, each a copy of the file of the same name in shared/published/, one row per
released checkpoint, every figure as its publisher printed it and a ``source`` column
naming the file it was read from:

- ``checkpoints.csv``: MobileNet v1's 16-model grid in float and 8-bit, MobileNet v2's
  grid (latency on a Pixel 1);
- ``checkpoints_v3.csv``: MobileNet V3's Large, Small and minimalistic checkpoints, all at
  224 (top-1 only; latency on Pixel 1, 2 and 3).

A CSV's ``family`` column names the checkpoint's line (``mobilenet_v3_small``);
:data:`CHECKPOINT_LINES` files each line under a family of
:data:`~mncost.sources.points.FAMILIES` and names the built-in model that counts it at
each width (the layout its checkpoints were built with), so the join to mncost's count is
this table, not a rule on names. :data:`GAP_NOTES` says what is known about the gaps
between a line's printed figures and that count.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from importlib import resources

from mncost.sources.points import FAMILIES, Provenance, PublishedPoint

__all__ = [
    "CHECKPOINT_FILES",
    "CHECKPOINT_LINES",
    "GAP_NOTES",
    "CheckpointDataError",
    "CheckpointLine",
    "checkpoint_points",
]

_BASE = [
    "family",
    "variant",
    "alpha",
    "resolution",
    "precision",
    "million_mult_adds",
    "million_params",
    "top1",
    "top5",
]

CHECKPOINT_FILES: dict[str, list[str]] = {
    "checkpoints.csv": [*_BASE, "pixel1_latency_ms", "source"],
    "checkpoints_v3.csv": [
        *_BASE,
        "pixel1_latency_ms",
        "pixel2_latency_ms",
        "pixel3_latency_ms",
        "source",
    ],
}
"""Each packaged checkpoints file, in reading order, with its exact header."""

_DEVICES = {
    "pixel1_latency_ms": "Pixel 1",
    "pixel2_latency_ms": "Pixel 2",
    "pixel3_latency_ms": "Pixel 3",
}
"""Latency column -> the phone it was measured on."""


@dataclass(frozen=True)
class CheckpointLine:
    """How one line of released checkpoints is filed and counted."""

    family: str
    """The family its points are filed under (one of FAMILIES)."""
    model: str
    """The built-in model (registry name) whose count is shown beside the printed one."""
    scaled: str | None = None
    """The built-in model of the layout this line was built with at widths other than 1,
    where that layout differs from ``model``'s (TF-slim's MobileNet V3); None: ``model``
    at every width."""

    def model_at(self, alpha: Fraction) -> str:
        """The built-in model that counts this line's checkpoint at ``alpha``."""
        return self.model if alpha == 1 or self.scaled is None else self.scaled


CHECKPOINT_LINES: dict[str, CheckpointLine] = {
    "mobilenet_v1": CheckpointLine("mobilenet_v1", "mobilenet-v1"),
    "mobilenet_v2": CheckpointLine("mobilenet_v2", "mobilenet-v2"),
    "mobilenet_v3_large": CheckpointLine(
        "mobilenet_v3", "mobilenet-v3-large", scaled="mobilenet-v3-large-slim"
    ),
    "mobilenet_v3_small": CheckpointLine(
        "mobilenet_v3", "mobilenet-v3-small", scaled="mobilenet-v3-small-slim"
    ),
    "mobilenet_v3_large_minimalistic": CheckpointLine(
        "mobilenet_v3", "mobilenet-v3-large-minimalistic"
    ),
    "mobilenet_v3_small_minimalistic": CheckpointLine(
        "mobilenet_v3", "mobilenet-v3-small-minimalistic"
    ),
}
"""A CSV's ``family`` column -> its family and built-in models. TF-slim built every V3
checkpoint; at width 1 its layer sizes are torchvision's, so those rows are counted by
mobilenet-v3-large and -small, and below width 1 they are counted by the ``-slim``
models, TF-slim's own layout (each expansion from its block's scaled input, the hidden
layer kept). The minimalistic lines are MobileNet V3 (no SE, ReLU, 3x3 kernels; the same
layer sizes), counted by their own built-in models."""

_SLIM_V3 = "TF-slim's mobilenet_v3.py at the README's commit"
_PORTS = "timm's and Keras' ports of the released checkpoints build it with 1024"
_LARGE_ROWS = (
    "It is not a counting convention: the same count gives the MACs of Large 1.0, Large "
    "0.75 and Large minimalistic within the printed figures' rounding."
)

GAP_NOTES: dict[tuple[str, Fraction], str] = {
    (
        "mobilenet_v3_large",
        Fraction(1),
    ): "The printed 5.4 M params is 5.46 M truncated (rounded it would be 5.5).",
    (
        "mobilenet_v3_large",
        Fraction(3, 4),
    ): "Counted as mobilenet-v3-large-slim, the layout TF-slim built this checkpoint with "
    "(each expansion from its block's scaled input, make_divisible(input x 4, 8), input "
    "x 3, ...; the 1280-unit hidden layer kept). mobilenet-v3-large at 0.75 is "
    "torchvision's layout (each exp size x 0.75, the hidden layer 960), a smaller "
    "network than this checkpoint.",
    (
        "mobilenet_v3_small",
        Fraction(1),
    ): f"{_SLIM_V3} (V3_SMALL) has this model's layer sizes: counted with its 1001-class "
    "classifier it is 56.51 M MACs and 2.53 M params, not the printed 66 M and 2.9 M. "
    "Cause unknown. The printed params fit a 1280-unit hidden layer (2.94 M), which "
    f"V3_SMALL does not have ({_PORTS}); it adds 0.40 M MACs (56.92 M), not 9.5 M. "
    f"{_LARGE_ROWS}",
    (
        "mobilenet_v3_small",
        Fraction(3, 4),
    ): "Counted as mobilenet-v3-small-slim, the layout TF-slim built this checkpoint with "
    "(each expansion from its block's scaled input, make_divisible(input x 72/16, 8), "
    "...; the 1024-unit hidden layer kept): with its 1001-class classifier 43.40 M MACs "
    "and 2.03 M params. The printed 44 M and 2.4 M fit that layout with a 1280-unit "
    f"hidden layer (43.77 M, 2.40 M), which the checkpoint does not have ({_PORTS}), as "
    "the Small 1.0 row's printed params do: cause unknown.",
    (
        "mobilenet_v3_small_minimalistic",
        Fraction(1),
    ): f"{_SLIM_V3} (V3_SMALL_MINIMALISTIC) has this model's layer sizes: counted with its "
    "1001-class classifier it is 52.29 M MACs and 2.03 M params. The printed 2.0 M "
    f"params agree; the printed 65 M MACs do not, by 12.7 M: cause unknown. {_LARGE_ROWS}",
}
"""(CSV line, alpha) -> what mncost found about the gap between the printed figures and
its count, and which layout counts the row where that needs saying. Every figure here was
computed (tests/test_zoo_mobilenet_v3.py and tests/test_v3_slim_layout.py rebuild
TF-slim's layouts in PyTorch and check each one)."""


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
    line = CHECKPOINT_LINES.get(record["family"])
    if line is None or line.family not in FAMILIES:
        raise CheckpointDataError(f"{where}: unknown family {record['family']!r}")
    if record["precision"] not in ("float32", "int8"):
        raise CheckpointDataError(f"{where}: unknown precision {record['precision']!r}")
    try:
        alpha = Fraction(record["alpha"])
        resolution = int(record["resolution"])
    except ValueError:
        raise CheckpointDataError(f"{where}: bad alpha or resolution") from None
    latencies = tuple(
        (device, value)
        for column, device in _DEVICES.items()
        if column in record and (value := _decimal(record[column], where)) is not None
    )
    return PublishedPoint(
        label=record["variant"],
        family=line.family,
        source="checkpoints",
        dataset="imagenet",  # every released checkpoint is an ImageNet classifier
        precision=record["precision"],  # type: ignore[arg-type]
        provenance=(Provenance(document=record["source"], row=record["variant"]),),
        model=line.model_at(alpha),
        alpha=alpha,
        resolution=resolution,
        classes=1000,
        top1=_decimal(record["top1"], where),
        top5=_decimal(record["top5"], where),
        mult_adds_m=_decimal(record["million_mult_adds"], where),
        params_m=_decimal(record["million_params"], where),
        latency_ms=_decimal(record["pixel1_latency_ms"], where),
        latencies=latencies,
        note=GAP_NOTES.get((record["family"], alpha), ""),
    )


def _read(text: str, name: str = "checkpoints.csv") -> tuple[PublishedPoint, ...]:
    reader = csv.DictReader(io.StringIO(text))
    expected = CHECKPOINT_FILES[name]
    if reader.fieldnames != expected:
        raise CheckpointDataError(f"{name}: expected columns {expected}, got {reader.fieldnames}")
    return tuple(
        _point(record, f"{name} line {number}") for number, record in enumerate(reader, start=2)
    )


@cache
def checkpoint_points() -> tuple[PublishedPoint, ...]:
    """Every released checkpoint, file by file in the CSVs' order (mncost's cost not yet
    attached)."""
    data = resources.files("mncost").joinpath("sources").joinpath("data")
    return tuple(
        point
        for name in CHECKPOINT_FILES
        for point in _read(data.joinpath(name).read_text(encoding="utf-8"), name)
    )
