"""Measured latencies: :class:`Measurement`, reading them from a measurements CSV
(:func:`read_measurements`, :func:`parse_measurements`, every cell checked), holding a
family out of a fit (:func:`split_holdout`), and the helpers every later step shares
(the counting conventions of a latency feature, a model's family and architecture)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path

from mncost.analysis.latency.limits import (
    MAX_LATENCY_MS,
    MAX_MEASUREMENT_BYTES,
    MAX_MEASUREMENTS,
    MIN_LATENCY_MS,
)
from mncost.arch.load import ONNX_ENDINGS, SPEC_ENDINGS, SpecError, load_spec
from mncost.arch.registry import UnknownModelError, get_entry, get_model
from mncost.bounded import BoundedReadError, read_bounded
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.model import Model
from mncost.cost.result import count
from mncost.cost.scaling import ScalingError, multiplier_text, parse_multiplier
from mncost.errors import LatencyError, OnnxImportError
from mncost.limits import MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.text import header_problem, quote, shorten

MEASUREMENT_COLUMNS: tuple[str, ...] = ("model", "alpha", "resolution", "latency_ms")
"""The columns a measurements CSV must have."""
MEASUREMENT_EXTRAS: tuple[str, ...] = ("spread_percent", "runs")
"""Columns it may have too, as ``mncost measure`` writes them (kept in the file, not fitted on)."""


@dataclass(frozen=True)
class Measurement:
    """One measured configuration: a model at (alpha, resolution), timed."""

    model: str
    """A registered model name, or a model file's path as the CSV gave it (relative to
    the CSV's folder: "nets/mine.onnx")."""
    alpha: Fraction
    resolution: int
    latency_ms: float
    """The measured latency in milliseconds."""
    label: str = ""
    """How its source names it ("MobileNet_v2_1.0_224", "measured.csv line 3")."""
    architecture: Model | None = field(default=None, compare=False, repr=False)
    """A model file's architecture, read when the CSV was (None: a built-in's, or a
    profile's point whose file is not read again)."""


def _conventions(dtype: str, rounding: str | None = None) -> Conventions:
    if dtype not in DTYPE_BYTES:
        raise LatencyError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, got {quote(dtype)}")
    # A latency feature follows the runtime, not a counting convention: batch norm is
    # folded at inference, so it is never counted among the weights read.
    return Conventions(rounding=rounding, dtype=dtype)  # type: ignore[arg-type]


@cache
def _model_family(model: str) -> str:
    """A built-in model's family; a model file is a family of its own (its path)."""
    try:
        return get_entry(model).family
    except UnknownModelError:
        return model


def _architecture(point: Measurement) -> Model:
    return point.architecture if point.architecture is not None else get_model(point.model)


def _family_key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def split_holdout(
    points: Sequence[Measurement], holdout: Sequence[str]
) -> tuple[list[Measurement], list[Measurement]]:
    """The points to fit and the points held out: those of a model or a family
    (``mncost models`` names both; mobilenet-v3 and mobilenet_v3 alike) in ``holdout``.
    LatencyError for a name that matches nothing, or one that leaves nothing to fit."""
    if not holdout:
        return list(points), []

    def matches(p: Measurement, name: str) -> bool:
        key = _family_key(name)
        return p.model == name or _family_key(_model_family(p.model)) == key

    for name in holdout:
        if not any(matches(p, name) for p in points):
            families = ", ".join(dict.fromkeys(_model_family(p.model) for p in points))
            raise LatencyError(
                f"--holdout {quote(name)} matches no measured configuration (the CSV's "
                f"families: {shorten(families, 200)}; a model's name works too)"
            )
    held = [p for p in points if any(matches(p, name) for name in holdout)]
    kept = [p for p in points if not any(matches(p, name) for name in holdout)]
    if not kept:
        raise LatencyError("--holdout holds out every measured configuration: nothing to fit")
    return kept, held


# --- reading files -----------------------------------------------------------------------


def _read_text(path: Path, what: str, limit: int) -> str:
    """A regular file of at most ``limit`` bytes, as UTF-8 text (one BOM dropped)."""
    try:
        data = read_bounded(path, limit, what)
    except BoundedReadError as exc:
        raise LatencyError(str(exc)) from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise LatencyError(
            f"{what} {quote(str(path))} is not UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})"
        ) from None


# A decimal number in ASCII digits, as the resolution column and the budgets read them:
# Decimal() alone would also take "\u0663" (Arabic-Indic 3), "\uff11\uff12" (full-width
# 12) and "1_000".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _cell_number(text: str, where: str, column: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise LatencyError(
            f"{where}, {column}: {quote(text)} is longer than {MAX_NUMBER_CHARS} characters"
        )
    if _NUMBER.fullmatch(text) is None:
        raise LatencyError(
            f"{where}, {column}: cannot read {quote(text)} as a number "
            "(write it in ASCII digits, e.g. 12.5)"
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise LatencyError(f"{where}, {column}: cannot read {quote(text)} as a number") from None
    if not value.is_finite():
        raise LatencyError(f"{where}, {column}: {quote(text)} is not a finite number")
    return value


def is_model_file(model: str) -> bool:
    """Whether a measured point's model names a file (a spec or an ONNX graph), by its
    ending, as every model reference is told apart."""
    return model.lower().endswith(ONNX_ENDINGS + SPEC_ENDINGS)


def _model_file(model: str, where: str, base: Path | None, read: dict[str, Model]) -> Model:
    """The architecture of a model file a CSV names: a path relative to the CSV's own
    folder and inside it (a CSV is a stranger's text: it may not make mncost read
    /etc/passwd, nor follow a link out of its folder)."""
    if model in read:
        return read[model]
    if base is None:
        raise LatencyError(
            f"{where}, model: {quote(model)} names a file; model files can be named "
            "only in a CSV read from a file (their paths are relative to its folder)"
        )
    path = Path(model)
    if path.is_absolute() or ".." in path.parts or "\\" in model:
        raise LatencyError(
            f"{where}, model: {quote(model)} must be a path relative to the CSV's folder "
            "and inside it (no absolute path, no '..')"
        )
    full = base / path
    try:
        inside = full.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise LatencyError(
            f"{where}, model: {quote(model)} leads out of the CSV's folder (a link); "
            "copy the file next to the CSV"
        )
    try:
        if model.lower().endswith(SPEC_ENDINGS):
            arch: Model = load_spec(full)
        else:
            from mncost.cost.onnx_import import load_onnx  # lazy: it imports onnx

            arch = load_onnx(full)
    except (SpecError, OnnxImportError) as exc:
        raise LatencyError(f"{where}, model: {exc}") from None
    read[model] = arch
    return arch


def _measurement(
    cells: dict[str, str], where: str, base: Path | None, read: dict[str, Model]
) -> Measurement:
    model = cells["model"]
    architecture = None
    if is_model_file(model):
        architecture = _model_file(model, where, base, read)
    else:
        try:
            get_entry(model)
        except UnknownModelError:
            raise LatencyError(
                f"{where}, model: unknown model {quote(model)} (a built-in model, listed "
                "by `mncost models`, or a spec or ONNX file beside the CSV: .yaml, .yml, "
                ".json or .onnx)"
            ) from None
    try:
        alpha = parse_multiplier(cells["alpha"], "alpha")
    except ScalingError as exc:
        raise LatencyError(f"{where}, alpha: {exc}") from None
    text = cells["resolution"]
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > MAX_NUMBER_CHARS
        or not 1 <= int(text) <= MAX_RESOLUTION
    ):
        raise LatencyError(
            f"{where}, resolution: must be a whole number from 1 to "
            f"{MAX_RESOLUTION:,}, got {quote(text)}"
        )
    latency = _cell_number(cells["latency_ms"], where, "latency_ms")
    if not Decimal(str(MIN_LATENCY_MS)) <= latency <= MAX_LATENCY_MS:
        raise LatencyError(
            f"{where}, latency_ms: must be from {MIN_LATENCY_MS} ms (1 microsecond) to "
            f"{MAX_LATENCY_MS:,} ms, got {quote(cells['latency_ms'])}"
        )
    return Measurement(
        model=model,
        alpha=alpha,
        resolution=int(text),
        latency_ms=float(latency),
        label=where,
        architecture=architecture,
    )


def parse_measurements(text: str, source: str, base: Path | None = None) -> list[Measurement]:
    """Measured configurations from CSV text (columns MEASUREMENT_COLUMNS, in any order),
    each cell checked; LatencyError names the line (and column) of the first bad cell.
    ``source`` names the file in messages. A model is a built-in's name or a spec or
    ONNX file's path relative to ``base`` (the CSV's folder; None: no files)."""
    read: dict[str, Model] = {}
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    points: list[Measurement] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue  # a blank line
            cells = [cell.strip() for cell in row]
            if header is None:
                header = _check_header(cells, source)
                continue
            where = f"{source} line {line}"
            if len(cells) != len(header):
                raise LatencyError(
                    f"{where}: expected {len(header)} cells ({', '.join(header)}), got {len(cells)}"
                )
            if len(points) == MAX_MEASUREMENTS:
                raise LatencyError(
                    f"{source}: more than {MAX_MEASUREMENTS:,} measured configurations"
                )
            point = _measurement(dict(zip(header, cells)), where, base, read)
            try:  # every configuration must be countable; say which line is not
                count(
                    _architecture(point),
                    point.alpha,
                    point.resolution,
                    None,
                    _conventions("float32"),
                )
            except ScalingError as exc:  # GeometryError among them
                raise LatencyError(
                    f"{where}: {point.model} at alpha "
                    f"{multiplier_text(point.alpha)}, {point.resolution} "
                    f"pixels cannot be counted: {exc}"
                ) from None
            points.append(point)
    except csv.Error as exc:
        raise LatencyError(
            f"{source} line {reader.line_num}: not valid CSV: {shorten(str(exc))}"
        ) from None
    if header is None:
        raise LatencyError(
            f"{source} is empty: expected a header line "
            f"({','.join(MEASUREMENT_COLUMNS)}) and one line per measurement"
        )
    return points


def _check_header(cells: list[str], source: str) -> list[str]:
    problem = header_problem(cells, MEASUREMENT_COLUMNS, MEASUREMENT_EXTRAS)
    if problem is not None:
        raise LatencyError(f"{source} line 1 (the header): {problem}")
    return cells


def read_measurements(path: Path) -> list[Measurement]:
    """Measured configurations from a CSV file (see :func:`parse_measurements`); the
    file is a regular file of at most MAX_MEASUREMENT_BYTES."""
    text = _read_text(path, "measurements file", MAX_MEASUREMENT_BYTES)
    return parse_measurements(text, shorten(path.name), path.parent)
