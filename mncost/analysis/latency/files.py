"""The profile file: a device profile as JSON (:class:`ProfileFile`), written by
:func:`profile_json` and read, every field checked, by :func:`load_profile`; a device
named on the command line (:func:`resolve_device`, :func:`check_name`)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mncost.analysis.latency.builtin import BUILTIN_DEVICES, builtin_profile
from mncost.analysis.latency.limits import (
    MAX_COEFFICIENT,
    MAX_LATENCY_MS,
    MAX_MEASUREMENTS,
    MAX_PREDICTED_MS,
    MAX_PROFILE_BYTES,
    MIN_LATENCY_MS,
)
from mncost.analysis.latency.measurements import Measurement, _read_text, is_model_file
from mncost.analysis.latency.model import estimator as named_estimator
from mncost.analysis.latency.profile import MAC_KINDS, LatencyProfile, PointFit
from mncost.arch.registry import UnknownModelError, get_entry
from mncost.cost.scaling import ScalingError, multiplier_text, parse_multiplier
from mncost.errors import LatencyError
from mncost.limits import MAX_NUMBER_CHARS, MAX_RESOLUTION
from mncost.safe_json import StrictJsonError, load_json
from mncost.text import escape_controls, quote, shorten

_FORMAT: Literal["mncost-latency-profile"] = "mncost-latency-profile"
_VERSION: Literal[1] = 1
_MAX_NAME = 64
_MAX_MODEL = 512  # a model file's relative path
_MAX_TEXT = 500
_MAX_PERCENT = 1e15  # a profile's LOO errors, in percent: finite, whatever they are


_Strict = ConfigDict(extra="forbid", frozen=True, strict=True)
_Rate = Field(ge=0, le=MAX_COEFFICIENT, allow_inf_nan=False)


_Coefficient = Annotated[float, _Rate]
_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _PointFile(BaseModel):
    """One measured configuration and the fit's predictions for it."""

    model_config = _Strict

    model: str = Field(min_length=1, max_length=_MAX_MODEL)
    """A built-in model's name (``mncost models``), or the spec or ONNX file the
    measurements CSV named (its path relative to the CSV), which is not read again."""
    alpha: str = Field(min_length=1, max_length=MAX_NUMBER_CHARS)
    """The width multiplier as text, read exactly ("0.75")."""
    resolution: int = Field(ge=1, le=MAX_RESOLUTION)
    """Input side in pixels."""
    latency_ms: float = Field(ge=MIN_LATENCY_MS, le=MAX_LATENCY_MS, allow_inf_nan=False)
    """The measured latency in ms."""
    fitted_ms: float = Field(ge=0, le=MAX_PREDICTED_MS, allow_inf_nan=False)
    """The profile's prediction for it (fitted on every point)."""
    loo_ms: float = Field(ge=0, le=MAX_PREDICTED_MS, allow_inf_nan=False)
    """The prediction of the fit on every other point (leave-one-out)."""
    label: str = Field(default="", max_length=_MAX_TEXT)
    """How its source names it (e.g. the CSV line)."""


class ProfileFile(BaseModel):
    """A device profile as a JSON file (``mncost calibrate`` writes it; ``--device
    FILE.json`` reads it). Every field is checked when the file is loaded; unknown
    fields are refused."""

    model_config = _Strict

    format: Literal["mncost-latency-profile"]
    """Always "mncost-latency-profile"."""
    version: Literal[1]
    """The format's version: 1."""
    name: str = Field(min_length=1, max_length=_MAX_NAME)
    """The device's name, as outputs show it."""
    description: str = Field(default="", max_length=_MAX_TEXT)
    """Free text about the device and how it was timed."""
    dtype: Literal["float32", "float16", "int8"]
    """The data type the timed models ran in; bytes are counted in it."""
    method: str = Field(max_length=_MAX_TEXT)
    """How it was fitted, in words."""
    source: str = Field(max_length=_MAX_TEXT)
    """Where the measurements came from."""
    estimator: Literal["linear", "roofline", "per-kind"] = "linear"
    """The estimator whose terms these are (a file without it: linear)."""
    traffic: Literal["all", "conv"] = "conv"
    """The bytes the estimator weighs: "all", every op's activations read and written
    and every weight read; "conv", conv and FC layers' activations and conv weights (a
    file without it: conv, the only cut before "all")."""
    terms: dict[str, _Coefficient] = Field(max_length=16)
    """The estimator's coefficients, by term: the linear one's mult_adds (ms per MAC),
    activation_bytes and read_weight_bytes under traffic "all", conv_activation_bytes
    and conv_weight_bytes under "conv" (ms per byte), ops (ms per op); the
    roofline's mult_adds, bytes and ops; per-kind's dense_1x1_mult_adds,
    dense_kxk_mult_adds, depthwise_mult_adds, fc_mult_adds and ops. Each term is
    required, and no other."""
    n_points: int = Field(ge=1, le=MAX_MEASUREMENTS)
    """How many configurations it was fitted on (the length of ``points``)."""
    loo_mape_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """Leave-one-out mean absolute error, in percent."""
    loo_max_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """Leave-one-out largest absolute error, in percent."""
    baseline_loo_mape_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """The same for latency proportional to mult-adds alone."""
    baseline_loo_max_percent: float = Field(ge=0, le=_MAX_PERCENT, allow_inf_nan=False)
    """The baseline's largest absolute LOO error, in percent."""
    points: list[_PointFile] = Field(min_length=1, max_length=MAX_MEASUREMENTS)
    """The measured configurations, with the fit's predictions."""
    poor_fit: bool = False
    """Written by ``calibrate --keep-poor-fit`` for a fit too poor to use; every
    estimate from the profile then says so."""
    kind_shares: dict[Literal["dense_1x1", "dense_kxk", "depthwise", "fc"], _Share] | None = None
    """Per op kind with mult-adds: the largest share (0 to 1) of a fitted
    configuration's mult-adds in it; estimates of models whose MACs lie mostly in a kind
    the fit hardly saw say so. Optional (older files)."""


def _alpha_text(alpha: Fraction) -> str:
    """alpha as text that reads back exactly: "0.75", else "3/7"."""
    text = multiplier_text(alpha)
    if Fraction(text) == alpha:
        return text
    if Fraction(str(float(alpha))) == alpha:  # a short decimal that :g cut
        return str(float(alpha))
    return f"{alpha.numerator}/{alpha.denominator}"


def profile_json(profile: LatencyProfile) -> str:
    """``profile`` as the JSON text of a :class:`ProfileFile`."""
    data = ProfileFile(
        format=_FORMAT,
        version=_VERSION,
        name=profile.name,
        description=profile.description,
        dtype=profile.dtype,  # type: ignore[arg-type]
        method=profile.method,
        source=profile.source,
        estimator=profile.estimator,  # type: ignore[arg-type]
        traffic=profile.traffic,  # type: ignore[arg-type]
        terms=dict(zip(profile.features, profile.coefficients)),
        n_points=profile.n_points,
        loo_mape_percent=profile.loo_mape_percent,
        loo_max_percent=profile.loo_max_percent,
        baseline_loo_mape_percent=profile.baseline_loo_mape_percent,
        baseline_loo_max_percent=profile.baseline_loo_max_percent,
        points=[
            _PointFile(
                model=p.measurement.model,
                alpha=_alpha_text(p.measurement.alpha),
                resolution=p.measurement.resolution,
                latency_ms=p.measurement.latency_ms,
                fitted_ms=p.fitted_ms,
                loo_ms=p.loo_ms,
                label=p.measurement.label,
            )
            for p in profile.points
        ],
        poor_fit=profile.poor_fit,
        kind_shares=dict(profile.kind_shares) or None,  # type: ignore[arg-type]
    )
    return json.dumps(data.model_dump(exclude_none=True), indent=2) + "\n"


def _validation_message(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{shorten(where)}: {shorten(first['msg'], 200)}"


def _parse_json(text: str, shown: str) -> Any:
    try:
        return load_json(text)
    except StrictJsonError as exc:
        raise LatencyError(f"profile file {shown}: {exc}") from None


def load_profile(path: Path) -> LatencyProfile:
    """Read and check a profile file (:class:`ProfileFile`); LatencyError, one line,
    naming the file and the field, when it is not a valid profile."""
    shown = quote(str(path))
    data = _parse_json(_read_text(path, "profile file", MAX_PROFILE_BYTES), shown)
    try:
        parsed = ProfileFile.model_validate(data)
    except ValidationError as exc:
        raise LatencyError(
            f"profile file {shown} is not a valid profile: {_validation_message(exc)}"
        ) from None
    names = [t.name for t in named_estimator(parsed.estimator, parsed.traffic).terms]
    if sorted(parsed.terms) != sorted(names):
        missing = [n for n in names if n not in parsed.terms]
        extra = [n for n in parsed.terms if n not in names]
        raise LatencyError(
            f"profile file {shown}: terms: the {parsed.estimator} estimator's terms are "
            f"{', '.join(names)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {quote(extra[0])}" if extra else "")
        )
    if parsed.n_points != len(parsed.points):
        raise LatencyError(
            f"profile file {shown}: n_points is {parsed.n_points} but it "
            f"lists {len(parsed.points)} points"
        )
    points = []
    for i, p in enumerate(parsed.points):
        where = f"profile file {shown}: points.{i}"
        try:
            if not is_model_file(p.model):  # a file is named, never read again
                get_entry(p.model)
        except UnknownModelError:
            raise LatencyError(f"{where}.model: unknown model {quote(p.model)}") from None
        try:
            alpha = parse_multiplier(p.alpha, "alpha")
        except ScalingError as exc:
            raise LatencyError(f"{where}.alpha: {exc}") from None
        points.append(
            PointFit(
                Measurement(p.model, alpha, p.resolution, p.latency_ms, p.label),
                p.fitted_ms,
                p.loo_ms,
            )
        )
    return LatencyProfile(
        name=parsed.name,
        dtype=parsed.dtype,
        coefficients=tuple(parsed.terms[name] for name in names),
        estimator=parsed.estimator,
        traffic=parsed.traffic,
        points=tuple(points),
        source=parsed.source,
        description=parsed.description,
        loo_mape_percent=parsed.loo_mape_percent,
        loo_max_percent=parsed.loo_max_percent,
        baseline_loo_mape_percent=parsed.baseline_loo_mape_percent,
        baseline_loo_max_percent=parsed.baseline_loo_max_percent,
        method=parsed.method,
        origin=str(path),
        poor_fit=parsed.poor_fit,
        kind_shares=_read_shares(parsed.kind_shares),
    )


def _read_shares(shares: Mapping[Any, float] | None) -> tuple[tuple[str, float], ...]:
    return tuple((kind, shares.get(kind, 0.0)) for kind in MAC_KINDS) if shares else ()


def check_name(name: str) -> str:
    """A device name as given (``--name``), checked: 1 to 64 characters, no controls."""
    if not 1 <= len(name) <= _MAX_NAME or escape_controls(name) != name:
        raise LatencyError(
            f"a device name has 1 to {_MAX_NAME} printable characters, got {quote(name)}"
        )
    return name


# --- a device by name or file ------------------------------------------------------------


def resolve_device(device: str | Path | LatencyProfile) -> LatencyProfile:
    """A built-in name, a Path (or a str ending in .json) to a profile file, or a profile."""
    if isinstance(device, LatencyProfile):
        return device
    if isinstance(device, Path):
        return load_profile(device)
    if device in BUILTIN_DEVICES:
        return builtin_profile(device)
    if device.lower().endswith(".json") or os.sep in device or "/" in device:
        return load_profile(Path(device))
    return builtin_profile(device)
