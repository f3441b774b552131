"""Your own accuracy points: the top-1 of checkpoints you trained, read from a CSV
(``mncost choose --accuracy points.csv``) and fitted with the estimator the published
checkpoints use (:class:`mncost.analysis.accuracy.AccuracyModel`), with its
leave-one-out error.

The CSV has a header and one line per checkpoint, columns in any order::

    model,alpha,resolution,top1
    mine.onnx,0.5,160,61.2
    mobilenet-v2,0.75,192,70.1

``model`` names a model as ``choose`` searches it: a built-in's name, or the ``--model``
reference (or just its file name) of a file. ``top1`` is in percent, of your own task:
for a model with points, they replace its published checkpoints (your training is not
TF-slim's). Seven points or more, over at least three widths and three resolutions, fit
a surface; fewer give top-1 at those points alone (:class:`PublishedOnly`), as for a
model with few released checkpoints.

The file is a stranger's text like any other: a regular file of at most 1 MiB and
1,000 points, every cell checked, one line (naming the line and column) for the first
bad one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from mncost.analysis.accuracy import (
    AccuracyFitError,
    AccuracyModel,
    FittedOn,
    Observation,
    PublishedOnly,
)
from mncost.bounded import BoundedReadError, read_bounded
from mncost.cost.scaling import ScalingError, parse_multiplier
from mncost.errors import ExploreError
from mncost.limits import MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.text import header_problem, quote, shorten

__all__ = [
    "COLUMNS",
    "MAX_POINTS",
    "OwnPoints",
    "UserPoint",
    "own_sources",
    "parse_points",
    "read_points",
]

COLUMNS = ("model", "alpha", "resolution", "top1")
MAX_BYTES = 1 << 20
MAX_POINTS = 1000


@dataclass(frozen=True)
class UserPoint:
    """One of your checkpoints: a model at (alpha, resolution) and its top-1."""

    model: str
    alpha: Fraction
    resolution: int
    top1: Decimal
    """Top-1 in percent, as written."""
    where: str
    """"points.csv line 3"."""


@dataclass(frozen=True)
class OwnPoints:
    """A model's own top-1 source built from your points, and why it is not a surface."""

    source: AccuracyModel | PublishedOnly
    reason: str = ""
    """Why the points fit no surface ("" when they do)."""


def _fail(where: str, column: str, message: str) -> ExploreError:
    return ExploreError(f"{where}, {column}: {message}")


def _point(cells: dict[str, str], where: str) -> UserPoint:
    model = cells["model"]
    if not model or len(model) > 512:
        raise _fail(where, "model", "must name a model (1 to 512 characters)")
    try:
        alpha = parse_multiplier(cells["alpha"], "alpha")
    except ScalingError as exc:
        raise _fail(where, "alpha", str(exc)) from None
    text = cells["resolution"]
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > MAX_NUMBER_CHARS
        or not 1 <= int(text) <= MAX_RESOLUTION
    ):
        raise _fail(
            where,
            "resolution",
            f"must be a whole number from 1 to {MAX_RESOLUTION:,}, got {quote(text)}",
        )
    raw = cells["top1"].removesuffix("%").strip()
    try:
        if not raw.isascii() or len(raw) > MAX_NUMBER_CHARS or "_" in raw:
            raise InvalidOperation
        top1 = Decimal(raw)
    except InvalidOperation:
        raise _fail(where, "top1", f"cannot read {quote(cells['top1'])} as a number") from None
    if not top1.is_finite() or not 0 < top1 <= 100:
        raise _fail(
            where, "top1", f"must be a percentage above 0 and at most 100, got {quote(raw)}"
        )
    return UserPoint(model, alpha, int(text), top1, where)


def parse_points(text: str, source: str) -> list[UserPoint]:
    """Your points from CSV text (columns :data:`COLUMNS` in any order); ExploreError,
    one line naming the line and column, for the first bad cell or a repeated point."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    points: list[UserPoint] = []
    seen: dict[tuple[str, Fraction, int], str] = {}
    try:
        for row in reader:
            if not row or all(not cell.strip() for cell in row):
                continue
            cells = [cell.strip() for cell in row]
            if header is None:
                header = _header(cells, source)
                continue
            where = f"{source} line {reader.line_num}"
            if len(cells) != len(header):
                raise ExploreError(
                    f"{where}: expected {len(header)} cells ({', '.join(header)}), got {len(cells)}"
                )
            if len(points) == MAX_POINTS:
                raise ExploreError(f"{source}: more than {MAX_POINTS:,} points")
            point = _point(dict(zip(header, cells)), where)
            key = (point.model, point.alpha, point.resolution)
            if key in seen:
                raise ExploreError(
                    f"{where}: {quote(point.model)} at alpha {cells[header.index('alpha')]}, "
                    f"{point.resolution} pixels is given twice (also on {seen[key]})"
                )
            seen[key] = f"line {reader.line_num}"
            points.append(point)
    except csv.Error as exc:
        raise ExploreError(
            f"{source} line {reader.line_num}: not valid CSV: {shorten(str(exc))}"
        ) from None
    if header is None:
        raise ExploreError(
            f"{source} is empty: expected a header line ({','.join(COLUMNS)}) and one line "
            "per checkpoint"
        )
    if not points:
        raise ExploreError(f"{source} has a header but no points")
    return points


def _header(cells: list[str], source: str) -> list[str]:
    problem = header_problem(cells, COLUMNS)
    if problem is not None:
        raise ExploreError(f"{source} line 1 (the header): {problem}")
    return cells


def read_points(path: Path) -> list[UserPoint]:
    """Your points from a CSV file (see :func:`parse_points`): a regular file of at most
    1 MiB, UTF-8."""
    try:
        data = read_bounded(path, MAX_BYTES, "accuracy points file")
    except BoundedReadError as exc:
        raise ExploreError(str(exc)) from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ExploreError(
            f"accuracy points file {quote(str(path))} is not UTF-8 text (byte "
            f"0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    return parse_points(text, shorten(path.name))


def own_sources(
    points: Sequence[UserPoint], source: str, precision: str = "float32"
) -> Mapping[str, OwnPoints]:
    """Per model named in ``points``: the surface fitted to its points (with its LOO
    error), else its points alone with the reason (too few, or too few widths or
    resolutions to fit the surface with one point left out)."""
    by_model: dict[str, list[UserPoint]] = {}
    for p in points:
        by_model.setdefault(p.model, []).append(p)
    out: dict[str, OwnPoints] = {}
    for model, mine in by_model.items():
        observations = [
            Observation(
                label=p.where, alpha=p.alpha, resolution=p.resolution, top1=p.top1, source=p.where
            )
            for p in mine
        ]
        fitted_on = FittedOn(
            model=model,
            family="",
            n_points=len(mine),
            source=source,
            precision=precision,
            own=True,
        )
        try:
            out[model] = OwnPoints(AccuracyModel(observations, fitted_on))
        except AccuracyFitError as exc:
            out[model] = OwnPoints(PublishedOnly(observations, fitted_on), str(exc))
    return out
