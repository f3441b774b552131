"""What is searched: the families with published checkpoints and their models
(:func:`family_models`), each model's default candidate grid (its published range,
:func:`default_axes`; else alpha 0.25 to 1 and up to its own size), the models a search
names with your own accuracy points fitted to them, and why a detector or a segmenter
has no top-1 (:func:`other_task`)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from mncost.analysis.accuracy import PublishedOnly, precision_of, top1_source
from mncost.analysis.accuracy_points import own_sources
from mncost.analysis.choose.results import Searched
from mncost.analysis.explore import ExploreError, check_grid_size, resolution_order
from mncost.analysis.published import other_accuracy
from mncost.arch.registry import get_entry, get_model, list_models
from mncost.cost.model import GraphModel
from mncost.cost.scaling import Resolution, resolution_from_rho, resolution_hw, resolution_text
from mncost.sources.points import DATASETS
from mncost.text import quote, shorten

if TYPE_CHECKING:
    from mncost.analysis.accuracy import AccuracyModel
    from mncost.analysis.accuracy_points import OwnPoints, UserPoint
    from mncost.analysis.scenario import ModelRef
    from mncost.cost.model import Model

DEFAULT_ALPHA_STEP = Fraction(1, 20)
"""The default candidate grid's alpha step: 0.05."""
DEFAULT_RESOLUTION_STEP = 16
"""The default candidate grid's resolution step, in pixels."""

DEFAULT_ALPHAS = tuple(Fraction(k, 20) for k in range(5, 21))
"""A model without released checkpoints is searched at alpha 0.25 to 1 in steps of 0.05."""


def family_models() -> dict[str, tuple[str, ...]]:
    """Each family with published checkpoints, mapped to its registered models that have
    a top-1 source (a fitted surface, or the released checkpoints it counts:
    :func:`mncost.analysis.accuracy.top1_source`), in registry order (mobilenet_v1:
    mobilenet-v1; mobilenet_v3: the Large, Small, -slim and minimalistic models)."""
    families: dict[str, list[str]] = {}
    for entry in list_models():
        if top1_source(entry.name) is not None:
            families.setdefault(entry.family, []).append(entry.name)
    return {family: tuple(models) for family, models in families.items()}


def choose_families() -> tuple[str, ...]:
    """What ``family`` may be: each family with published checkpoints, then "all"."""
    return (*family_models(), "all")


def _models(family: str) -> tuple[str, ...]:
    key = family.strip().lower().replace("-", "_")
    families = family_models()
    if key == "all":
        return tuple(m for models in families.values() for m in models)
    if key not in families:
        raise ExploreError(
            f"unknown family {quote(family)}; choose from "
            f"{', '.join(f.replace('_', '-') for f in families)} or all "
            "(families with published checkpoints to estimate top-1 from)"
        )
    return families[key]


def default_axes(model: str) -> tuple[tuple[Fraction, ...], tuple[int, ...]]:
    """The model's published range: its checkpoints' alphas, smallest to largest in steps
    of 0.05, and resolutions, smallest to largest in steps of 16 (each end included)."""
    fitted = top1_source(model)
    if fitted is None:
        raise ExploreError(f"{model} has no published checkpoints")
    return _range_of(fitted)


def _range_of(
    fitted: AccuracyModel | PublishedOnly,
) -> tuple[tuple[Fraction, ...], tuple[int, ...]]:
    alphas = [o.alpha for o in fitted.observations]
    sizes = [o.resolution for o in fitted.observations]
    if isinstance(fitted, PublishedOnly):  # nothing between its checkpoints: those alone
        return tuple(sorted(set(alphas))), tuple(sorted(set(sizes)))
    lo, hi = min(alphas), max(alphas)
    a = sorted(
        {lo + k * DEFAULT_ALPHA_STEP for k in range(int((hi - lo) / DEFAULT_ALPHA_STEP) + 1)} | {hi}
    )
    r_lo, r_hi = min(sizes), max(sizes)
    r = sorted(set(range(r_lo, r_hi + 1, DEFAULT_RESOLUTION_STEP)) | {r_hi})
    return tuple(a), tuple(r)


def searched_models(
    family: str | None, models: Sequence[ModelRef]
) -> list[tuple[str, Model, str | None, frozenset[str]]]:
    """(label, architecture, registered name, the names an accuracy CSV may give it) of
    every model to search."""
    out: list[tuple[str, Model, str | None, frozenset[str]]] = []
    if family is not None:
        out += [(name, get_model(name), name, frozenset({name})) for name in _models(family)]
    from pathlib import Path

    builtin = {entry.name for entry in list_models()}
    labels = {label for label, _, _, _ in out}
    seen: set[object] = set(labels)
    for ref in models:
        key: object = ref.registered or (ref.path.resolve() if ref.path else id(ref.arch))
        if key in seen:
            continue
        seen.add(key)
        label = ref.registered or ref.arch.name  # a file gets its name only when needed
        if ref.registered is None and (label in builtin or label in labels):
            label = f"{label} ({Path(ref.given).name})"  # a file named as a built-in model
        labels.add(label)
        names = {label, ref.given, Path(ref.given).name} - {""}
        out.append((label, ref.arch, ref.registered, frozenset(names)))
    if not out:
        raise ExploreError("nothing to search: give a family or a model")
    return out


def own_top1(
    chosen: Sequence[tuple[str, Model, str | None, frozenset[str]]],
    points: Sequence[UserPoint],
    source: str,
    dtype: str,
) -> dict[str, OwnPoints]:
    """Your accuracy points, fitted per searched model (by its label); ExploreError for
    a model they name that is not searched."""
    if not points:
        return {}

    fitted = own_sources(points, source, precision_of(dtype))
    out = {}
    for name, own in fitted.items():
        label = next((lab for lab, _, _, names in chosen if name in names), None)
        if label is None:
            searched = ", ".join(lab for lab, _, _, _ in chosen)
            raise ExploreError(
                f"{source}: its model {quote(name)} is not searched (searched: "
                f"{shorten(searched, 200)}); add it with --model"
            )
        if label in out:
            raise ExploreError(f"{source}: two names for {label}; give it one")
        out[label] = own
    return out


def candidate_axes(
    label: str,
    arch: Model,
    registered: str | None,
    alphas: Sequence[Fraction] | None,
    resolutions: Sequence[Resolution] | None,
    own: OwnPoints | None = None,
) -> Searched:
    """The candidate grid of one model: what was asked for, else the range of your
    points or its published range, else alpha 0.25 to 1 in steps of 0.05 and 96 pixels
    to its own in steps of 16."""
    note = ""
    default_r: tuple[Resolution, ...]
    if own is not None:
        default_a, default_r = _range_of(own.source)
    elif registered is not None and top1_source(registered) is not None:
        default_a, default_r = default_axes(registered)
    else:
        default_a = DEFAULT_ALPHAS
        size = arch.resolution
        if resolutions is None and size is None:
            raise ExploreError(
                f"{label}: its input is of symbolic size, so it has no default "
                "resolutions to search; give --res"
            )
        side = 224 if size is None else min(resolution_hw(size))
        low = 96 if side >= 96 else max(1, side // 2)
        sides = sorted(set(range(low, side + 1, DEFAULT_RESOLUTION_STEP)) | {side})
        if isinstance(size, tuple):  # the short side so, the aspect kept
            default_r = tuple(
                sorted(
                    {resolution_from_rho(Fraction(s, side), size) for s in sides},
                    key=resolution_order,
                )
            )
            note = (
                f"{label} has no released ImageNet checkpoints: searched at alpha 0.25 "
                f"to 1 in steps of 0.05 and its short side from {low} to {side} pixels in steps "
                f"of 16, keeping its {resolution_text(size)} aspect"
            )
        else:
            default_r = tuple(sides)
            note = (
                f"{label} has no released ImageNet checkpoints: searched at alpha 0.25 "
                f"to 1 in steps of 0.05 and {low} to {side} pixels in steps of 16"
            )
    a = tuple(alphas) if alphas is not None else default_a
    if isinstance(arch, GraphModel) and arch.alpha_blocked:
        if alphas is not None and any(x != 1 for x in alphas):
            raise ExploreError(f"{label}: --alpha cannot scale it: {arch.alpha_blocked}")
        a = (Fraction(1),)
        note = f"{label} is searched at alpha 1 only: {arch.alpha_blocked}"
    r = tuple(resolutions) if resolutions is not None else default_r
    check_grid_size(len(a), len(r))
    return Searched(
        label, a, r, alphas is None and resolutions is None and not note, grid_note=note
    )


def other_task(label: str, name: str | None) -> str:
    """Why built-in model ``name`` (searched as ``label``) has no top-1, when it is a
    detection or segmentation model: its published accuracy is another metric (COCO
    mAP, COCO-VOC mIoU), which ranks nothing here; "" for any other model (a spec
    file's model proves nothing by its name)."""
    if name is None:
        return ""
    published = other_accuracy(name)
    if published:
        p = published[0]
        return (
            f"{label} is a {p.metric.task} model: its published accuracy is "
            f"{DATASETS[p.dataset]} {p.metric.name} ({p.accuracy}%, {p.tables}; `mncost "
            f"published --dataset {p.dataset}`), not an ImageNet top-1, so it ranks nothing here"
        )
    family = get_entry(name).family
    if family in ("detection", "segmentation"):
        return f"{label} is a {family} model, with no published ImageNet top-1"
    return ""
