"""The packaged checkpoints: which published ImageNet checkpoints a built-in model or a
family is read from, in which precision (:func:`precision_of`), its fitted surface
(:func:`accuracy_model`) or its checkpoints alone (:func:`top1_source`), why a name has no
surface (:func:`no_model_reason`), and the caution on a float32 top-1 for an int8 model
(:func:`precision_caution`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from mncost.analysis.accuracy.published_only import PublishedOnly
from mncost.analysis.accuracy.records import FittedOn, Observation
from mncost.analysis.accuracy.statuses import METHOD, AccuracyFitError, AccuracyQueryError
from mncost.analysis.accuracy.surface import AccuracyModel
from mncost.arch.registry import list_models
from mncost.sources.checkpoints import checkpoint_points
from mncost.sources.points import FAMILIES, PublishedPoint
from mncost.text import quote


@dataclass(frozen=True)
class _Resolved:
    model: str | None
    family: str
    points: tuple[PublishedPoint, ...] = field(default=())
    reason: str = ""


PRECISIONS = ("float32", "int8")
"""The precisions of published checkpoints a top-1 can be of (float16 runs a float32
checkpoint's weights)."""


def precision_of(dtype: str) -> str:
    """The checkpoints' precision a top-1 in ``dtype`` is read from: int8 for int8, else
    float32 (float16 is a float32 checkpoint run in half precision)."""
    return "int8" if dtype == "int8" else "float32"


@cache
def _checkpoints(precision: str) -> tuple[PublishedPoint, ...]:
    return tuple(
        p
        for p in checkpoint_points()
        if p.precision == precision
        and p.dataset == "imagenet"
        and p.top1 is not None
        and p.alpha is not None
        and p.resolution is not None
    )


@cache
def _resolve(name: str, precision: str = "float32") -> _Resolved:
    entries = {entry.name: entry for entry in list_models()}
    checkpoints = _checkpoints(precision)
    if name in entries:
        points = tuple(p for p in checkpoints if p.model == name)
        reason = "" if points else f"no published {precision} ImageNet checkpoints of {name}"
        return _Resolved(name, entries[name].family, points, reason)
    family = name.replace("-", "_")
    if family not in FAMILIES:
        fitted = [n for n in entries if _fit(n) is not None]
        raise AccuracyQueryError(
            f"unknown model or family {quote(name)}; accuracy models exist for "
            f"{', '.join(fitted)} (families: {', '.join(FAMILIES)})"
        )
    points = tuple(p for p in checkpoints if p.family == family)
    models = list(dict.fromkeys(p.model for p in points if p.model))
    if not points:
        return _Resolved(
            None, family, (), f"no published {precision} ImageNet checkpoints in family {family}"
        )
    if len(models) > 1:
        counts = ", ".join(f"{m} {sum(p.model == m for p in points)}" for m in models)
        resolutions = sorted({p.resolution for p in points if p.resolution})
        return _Resolved(
            None,
            family,
            points,
            (
                f"family {family}'s {len(points)} {precision} ImageNet checkpoints are of "
                f"{len(models)} different models ({counts}), at resolution"
                f"{'s' if len(resolutions) > 1 else ''} {', '.join(map(str, resolutions))}: "
                f"too few of one model to fit a {METHOD}"
            ),
        )
    return _Resolved(models[0], family, points)


@cache
def _fit(model: str, precision: str = "float32") -> AccuracyModel | None:
    resolved = _resolve(model, precision)
    if not resolved.points or resolved.model is None:
        return None
    try:
        return _build(resolved)
    except AccuracyFitError:
        return None


def _build(resolved: _Resolved) -> AccuracyModel:
    return AccuracyModel(*_observations(resolved))


def _observations(resolved: _Resolved) -> tuple[list[Observation], FittedOn]:
    points = resolved.points
    precision = points[0].precision if points else "float32"
    documents = "; ".join(dict.fromkeys(pr.citation for p in points for pr in p.provenance))
    observations = []
    for p in points:
        if p.alpha is None or p.resolution is None or p.top1 is None:  # filtered out before
            raise AccuracyFitError(f"{p.label} has no configuration or no top-1")
        observations.append(
            Observation(
                label=p.label,
                alpha=p.alpha,
                resolution=p.resolution,
                top1=p.top1,
                source="; ".join(pr.describe() for pr in p.provenance),
            )
        )
    return observations, FittedOn(
        model=resolved.model or "",
        family=resolved.family,
        n_points=len(points),
        source=documents,
        precision=precision,
    )


def accuracy_model(name: str, precision: str = "float32") -> AccuracyModel | None:
    """The top-1 surface of a built-in model ("mobilenet-v2") or of a family whose
    checkpoints are all of one model ("mobilenet_v2"; "mobilenet-v2" spelling accepted),
    fitted to its ImageNet checkpoints of ``precision`` (float32, or int8: the quantized
    ones); None when there are too few of them (:func:`no_model_reason` says why).
    AccuracyQueryError for an unknown name."""
    resolved = _resolve(name, precision)
    return _fit(resolved.model, precision) if resolved.model is not None else None


def top1_source(name: str, precision: str = "float32") -> AccuracyModel | PublishedOnly | None:
    """Where a built-in model's top-1 comes from: its fitted surface
    (:func:`accuracy_model`), else its released checkpoints alone (:class:`PublishedOnly`:
    the checkpoints counted by this model, in the layout they were built with), else None
    (no checkpoint of it was released;
    :func:`no_model_reason` says why). For int8, the quantized checkpoints where they
    were published, else the float32 ones: the source's ``fitted_on.precision`` says
    which (and :func:`precision_caution` says so in words)."""
    for wanted in dict.fromkeys((precision, "float32")):
        fitted = accuracy_model(name, wanted)
        if fitted is not None:
            return fitted
        published = _published_only(name, wanted)
        if published is not None:
            return published
    return None


def precision_caution(model: str, source: AccuracyModel | PublishedOnly, dtype: str) -> str:
    """ "" when ``source`` is of the checkpoints ``dtype`` runs; else one sentence saying
    that the top-1 is of float32 checkpoints, none of ``model`` having been published in
    8 bits."""
    if source.fitted_on.precision == precision_of(dtype):
        return ""
    return float_top1_caution([model])


def float_top1_caution(models: Sequence[str]) -> str:
    """One sentence: the top-1 of ``models`` in int8 is of their float32 checkpoints."""
    one = len(models) == 1
    return (
        f"top-1 of {', '.join(models)} is of {'its' if one else 'their'} float32 "
        f"checkpoints: no 8-bit checkpoints of {'it' if one else 'them'} were published, "
        "and 8-bit inference usually loses some top-1 (MobileNet v1's 16 quantized "
        f"checkpoints: {_int8_loss_text()})"
    )


@cache
def _int8_loss_text() -> str:
    floats = {
        (p.model, p.alpha, p.resolution): p.top1
        for p in _checkpoints("float32")
        if p.top1 is not None
    }
    losses = [
        float(floats[key] - p.top1)
        for p in _checkpoints("int8")
        if p.model == "mobilenet-v1"
        and p.top1 is not None
        and (key := (p.model, p.alpha, p.resolution)) in floats
    ]
    if not losses:
        return "no pairs to compare"
    return f"{min(losses):.1f} to {max(losses):.1f} points below the float32 ones"


@cache
def _published_only(name: str, precision: str = "float32") -> PublishedOnly | None:
    resolved = _resolve(name, precision)
    if resolved.model is None or not resolved.points:
        return None
    return PublishedOnly(*_observations(resolved))


def no_model_reason(name: str) -> str:
    """Why ``name`` has no accuracy model, in one line; "" when it has one."""
    resolved = _resolve(name)
    if resolved.model is None or not resolved.points:
        return resolved.reason
    try:
        _build(resolved)
    except AccuracyFitError as exc:
        alphas = sorted({float(p.alpha) for p in resolved.points if p.alpha is not None})
        resolutions = sorted({p.resolution for p in resolved.points if p.resolution})
        return (
            f"{len(resolved.points)} float32 ImageNet checkpoints of {resolved.model} "
            f"(alpha {', '.join(f'{a:g}' for a in alphas)}; resolution "
            f"{', '.join(map(str, resolutions))}) cannot fit a {METHOD}: {exc}"
        )
    return ""
