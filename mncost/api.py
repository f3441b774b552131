"""The Python API: one function per question, each taking the same model and conventions.

>>> import mncost
>>> mncost.cost("mobilenet-v1", alpha=0.75, resolution=160).total.mult_adds
166396800
>>> mncost.sweep("mobilenet-v2", [0.5, 1.0], [128, 224])  # a pandas DataFrame
>>> mncost.choose("all", max_macs="300M", max_peak_bytes="512KB", dtype="int8")
>>> mncost.compare("mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128")

This module stays one file of about 600 lines on purpose: it is the Python API's
reference, every public function's signature and docstring (whose examples
tests/test_docs.py runs from this module), each over a body of a few lines that reads its
arguments through :mod:`mncost.analysis.scenario` and :mod:`mncost.analysis.arguments`
and hands over to the analysis that answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from mncost.analysis.arguments import (
    axis,
    check_choice,
    check_classes,
    check_dtype,
    check_flag,
    metric_names,
    multiplier,
    type_name,
)
from mncost.analysis.scenario import (
    DEFAULT_MODEL,
    conventions,
    device_profile,
    execution,
    input_size,
    model_architecture,
    model_ref,
)
from mncost.analysis.scenario import schedule as schedule_
from mncost.arch.ops import Architecture
from mncost.cost.model import GraphModel, Model
from mncost.cost.result import CostResult, count
from mncost.cost.scaling import Resolution, ScalingError, parse_resolution
from mncost.errors import ExploreError, NestError

# Each function below imports the analysis it hands over to when it is called: the
# first mncost.cost() loads the counting alone, not the sweep, latency or choose.

if TYPE_CHECKING:
    import pandas

    from mncost.analysis.accuracy_points import UserPoint
    from mncost.analysis.choose import ChooseResult
    from mncost.analysis.compare import Comparison
    from mncost.analysis.latency import LatencyEstimate, LatencyProfile
    from mncost.analysis.schedules import ScheduleSearch
    from mncost.cost.memory import MemoryResult

__all__ = [
    "choose",
    "compare",
    "conventions",
    "cost",
    "export_onnx",
    "latency",
    "load_onnx",
    "memory",
    "patch_search",
    "resolve_model",
    "sweep",
]

ModelLike = str | Path | Architecture | GraphModel
"""A model reference: a built-in model's name, a spec file's or an ONNX file's path (text
or a Path), an Architecture, or an imported graph (:func:`load_onnx`)."""
Number = float | int | str | Fraction


def resolve_model(model: ModelLike) -> Model:
    """The model a reference names (see :data:`ModelLike`); TypeError for anything else."""
    return model_architecture(model)


def cost(
    model: ModelLike = DEFAULT_MODEL,
    alpha: Number = 1,
    resolution: int | None = None,
    *,
    rho: Number | None = None,
    classes: int | None = None,
    bn: str = "none",
    fc_bias: bool = True,
    rounding: str | None = None,
) -> CostResult:
    """Exact per-op cost of ``model`` at width ``alpha`` and input ``resolution``.

    ``model`` is a registered name (see :func:`mncost.list_models`), an
    :class:`Architecture`, or a :class:`pathlib.Path` to a YAML/JSON spec file. Give
    ``resolution`` (pixels) or ``rho`` (resolution = round(the model's resolution * rho)),
    not both. ``rounding`` overrides the model's channel rounding rule.
    """
    arch = resolve_model(model)
    return count(
        arch,
        multiplier(alpha, "alpha"),
        input_size(arch, resolution, rho),
        check_classes(classes),
        conventions(bn, fc_bias, rounding),
    )


def sweep(
    model: ModelLike,
    alphas: Iterable[Number] | str,
    resolutions: Iterable[Resolution] | str,
    *,
    classes: int | None = None,
    bn: str = "none",
    fc_bias: bool = True,
    rounding: str | None = None,
    metrics: Iterable[str] | None = None,
    dtype: str = "float32",
    dw_inplace: bool = False,
    add_inplace: bool = False,
    device: str | Path | LatencyProfile | None = None,
    accuracy: bool | None = None,
    extrapolate: bool = False,
) -> pandas.DataFrame:
    """Every (alpha, resolution) combination as one row of a pandas DataFrame.

    Columns: ``alpha``, ``resolution`` and each metric (exact int64 counts, each row
    equal to :func:`cost` of that configuration); by default those ``mncost sweep``
    gives: mult_adds, params, weight_bytes, peak_activation_bytes, and top1 where the
    model has released checkpoints (``accuracy=False`` leaves it out).
    Vectorised with numpy: a million
    configurations take well under a second. Besides the registered metrics
    (:data:`mncost.cost.METRICS`), ``metrics`` may name ``"peak_activation_bytes"``,
    equal to :func:`memory`'s peak; ``dtype`` (float32, float16, int8) sizes it and
    ``weight_bytes``, ``dw_inplace`` runs depthwise convs in place and ``add_inplace``
    accumulates residual adds into their skip buffers (as :func:`memory`).

    ``alphas`` and ``resolutions`` are lists, or text as ``mncost sweep`` reads it
    (``"0.25:1.4:0.05"``: start:stop:step, the stop included; ``"128,160,224"``). A
    non-square input is (height, width) or ``"320x240"``; a grid with one gives the
    resolution column as text ("224", "320x240") and no top-1 (the accuracy models are
    fitted to square checkpoints). A grid has at most 10,000 values per axis and
    1,000,000 configurations.

    Estimates, never measurements, in float64 columns: ``device`` (as :func:`latency`'s)
    adds ``latency_ms``; ``accuracy=True`` adds ``top1`` (ImageNet top-1 %) and
    ``top1_status`` (measured, interpolated, extrapolated) for a built-in model with an
    accuracy model (mobilenet-v1, mobilenet-v2), as released (its own classes and
    rounding). An extrapolated top-1 is NaN unless ``extrapolate=True``.
    """
    from mncost.analysis.explore import (
        ACCURACY,
        DEFAULT_METRICS,
        LATENCY,
        explore_grid,
        registered_name,
    )

    arch = resolve_model(model)
    alpha_list, res_list = _alphas(alphas), _resolutions(resolutions)
    run = execution(dtype, dw_inplace, add_inplace)
    chosen = run.conventions(conventions(bn, fc_bias, rounding))
    profile = device_profile(device) if device is not None else None
    names: list[str] | None
    if metrics is None and accuracy is None:
        names = None  # the command's columns: counts, latency with a device, top-1 if any
    else:
        names = metric_names(metrics) if metrics is not None else list(DEFAULT_METRICS)
        if profile is not None:
            names.append(LATENCY)
        if accuracy is not None and check_flag(accuracy, "accuracy"):
            names.append(ACCURACY)
    result = explore_grid(
        arch,
        alpha_list,
        res_list,
        check_classes(classes),
        chosen,
        metrics=names,
        execution=run,
        profile=profile,
        model=registered_name(arch),
        extrapolate=check_flag(extrapolate, "extrapolate"),
    )
    return result.frame()


def memory(
    model: ModelLike = DEFAULT_MODEL,
    alpha: Number = 1,
    resolution: int | None = None,
    *,
    dtype: str = "float32",
    dw_inplace: bool = False,
    add_inplace: bool = False,
    schedule: str = "layer",
    split: str | None = None,
    patches: str | tuple[int, int] | None = None,
    stream_input: bool = False,
    max_overhead: Number | None = None,
    rho: Number | None = None,
    classes: int | None = None,
    bn: str = "none",
    fc_bias: bool = True,
    rounding: str | None = None,
) -> MemoryResult:
    """Activation memory of ``model`` op by op, its peak under layer-by-layer execution
    and its weight bytes, in ``dtype`` (float32, float16 or int8: 4, 2 or 1 byte per
    value; in int8 batch norm is folded into the conv before it).

    ``dw_inplace`` runs depthwise convs in place, as MCU runtimes do (only the larger of
    input and output counts); ``add_inplace`` accumulates each residual add into its
    skip buffer. ``schedule="patch"`` runs the ops up to ``split`` (an op or block name)
    patch by patch on a ``patches`` grid ("4x4" or (4, 4)), as MCUNetV2 (Lin et al. 2021,
    arXiv:2110.15352) does, with the input image streamed per patch when
    ``stream_input``; the result then has ``stage`` (regions and extra MACs), ``parts``
    and ``layer_peak``. ``split="auto"`` or ``patches="auto"`` takes the schedule of
    lowest peak that :func:`patch_search` finds (within ``max_overhead`` percent of
    extra MACs when given). The other arguments are :func:`cost`'s. The result has
    ``peak_activation_bytes``, ``peak_layer``, ``weight_bytes``, ``layers`` (per op
    ``input_bytes``, ``output_bytes``, ``live_bytes``), ``to_dict()`` and ``to_frame()``.

    >>> mncost.memory("mobilenet-v2", dtype="int8", dw_inplace=True).peak_activation_bytes
    1404928
    >>> mncost.memory("mobilenet-v2", dtype="int8", dw_inplace=True, add_inplace=True,
    ...               schedule="patch", split="block_4", patches="4x4",
    ...               stream_input=True).peak_activation_bytes
    175616
    """
    from mncost.cost.memory import count_memory  # only on this path: start-up stays fast

    arch = resolve_model(model)
    run, search = schedule_(
        dtype, dw_inplace, add_inplace, schedule, split, patches, stream_input, max_overhead
    )
    a, size, n, conv = (
        multiplier(alpha, "alpha"),
        input_size(arch, resolution, rho),
        check_classes(classes),
        conventions(bn, fc_bias, rounding),
    )
    if search is not None:
        from mncost.analysis.schedules import search_patches

        run = search_patches(arch, a, size, n, conv, run, search).execution
    return count_memory(arch, a, size, n, conv, run)


def patch_search(
    model: ModelLike = DEFAULT_MODEL,
    alpha: Number = 1,
    resolution: int | None = None,
    *,
    dtype: str = "float32",
    dw_inplace: bool = False,
    add_inplace: bool = False,
    split: str = "auto",
    patches: str | tuple[int, int] = "auto",
    stream_input: bool = False,
    max_overhead: Number | None = None,
    rho: Number | None = None,
    classes: int | None = None,
    bn: str = "none",
    fc_bias: bool = True,
    rounding: str | None = None,
) -> ScheduleSearch:
    """Patch schedules of ``model`` tried and the best picked (MCUNetV2's search, Lin et
    al. 2021, arXiv:2110.15352): every split point (each block's end) unless ``split``
    names one, every square grid 2x2 to 8x8 unless ``patches`` names one; the pick has
    the lowest peak, among those whose extra MACs are within ``max_overhead`` percent of
    the network's when given (on a tie: the fewest extra MACs). The result has
    ``best`` (split, grid, peak, extra MACs), ``execution`` (the pick, for
    :func:`memory`), ``trials``, ``frontier`` (peak against extra MACs) and
    ``to_dict()``. The other arguments are :func:`memory`'s.

    >>> best = mncost.patch_search("mobilenet-v2", dtype="int8", dw_inplace=True,
    ...                            add_inplace=True, stream_input=True).best
    >>> best.block, best.grid, best.peak.bytes
    ('block_4', (4, 4), 175616)
    """
    from mncost.analysis.schedules import search_patches

    arch = resolve_model(model)
    run, search = schedule_(
        dtype, dw_inplace, add_inplace, "patch", split, patches, stream_input, max_overhead
    )
    from mncost.analysis.schedules import as_search

    run, search = as_search(run, search)  # both named: the one schedule, tried
    assert search is not None
    return search_patches(
        arch,
        multiplier(alpha, "alpha"),
        input_size(arch, resolution, rho),
        check_classes(classes),
        conventions(bn, fc_bias, rounding),
        run,
        search,
    )


def latency(
    model: ModelLike = DEFAULT_MODEL,
    alpha: Number = 1,
    resolution: int | None = None,
    *,
    device: str | Path | LatencyProfile = "pixel1-cpu",
    rho: Number | None = None,
    classes: int | None = None,
    rounding: str | None = None,
    dtype: str | None = None,
) -> LatencyEstimate:
    """Estimated latency of ``model`` at width ``alpha`` and input ``resolution`` on a
    device, op by op: an estimate from a fitted device profile, and beside it the
    measurement of that configuration on the device where there is one
    (``measurement``; ``best_ms`` is it, else the estimate).

    ``dtype`` is the data type the model runs in (default: the profile's): it picks the
    measurement (pixel1-cpu has published 8-bit MobileNet V3 latencies), and an estimate
    in another type than the profile was fitted in says so among its cautions.

    ``device`` is a built-in profile's name (``"pixel1-cpu"``: fitted to TF-slim's 22
    MobileNet V2 Pixel-1 latencies), a Path to a profile file written by ``mncost
    calibrate``, or a profile object. The result has ``total_ms`` (the sum of the per-op
    ``layers[i].ms``), ``profile`` (what it was fitted on, ``loo_mape_percent``, ...),
    ``cautions`` (another family than the fit's, a configuration outside its range),
    ``to_dict()`` and ``to_frame()``. LatencyError for an unknown device or an invalid
    profile file; the other arguments are :func:`cost`'s.

    >>> round(mncost.latency("mobilenet-v2", 0.75, 160).total_ms, 1)
    29.9
    """
    from mncost.analysis.explore import registered_name
    from mncost.analysis.latency import estimate_latency

    arch = resolve_model(model)
    size = input_size(arch, resolution, rho)
    conventions(rounding=rounding)  # checks the rule's name
    return estimate_latency(
        arch,
        multiplier(alpha, "alpha"),
        size,
        check_classes(classes),
        device_profile(device),
        rounding=rounding,
        model=registered_name(arch),
        dtype=None if dtype is None else check_dtype(dtype),
    )


def choose(
    family: str | None = None,
    *,
    models: Iterable[ModelLike] = (),
    objective: str = "top1",
    classes: int | None = None,
    margin: Number | None = None,
    accuracy: str | Path | None = None,
    max_macs: Number | None = None,
    max_params: Number | None = None,
    max_weight_bytes: Number | None = None,
    max_peak_bytes: Number | None = None,
    max_latency_ms: Number | None = None,
    dtype: str = "float32",
    dw_inplace: bool = False,
    add_inplace: bool = False,
    schedule: str = "layer",
    split: str | None = None,
    patches: str | tuple[int, int] | None = None,
    stream_input: bool = False,
    reserve_bytes: Number | None = None,
    reserve_sram_bytes: Number | None = None,
    device: str | Path | LatencyProfile | None = None,
    alphas: Iterable[Number] | str | None = None,
    resolutions: Iterable[Resolution] | str | None = None,
    top: int = 10,
    extrapolate: bool = False,
) -> ChooseResult:
    """The best (model, alpha, resolution) under budgets, ranked by estimated top-1.

    ``family`` is ``"mobilenet-v1"``, ``"mobilenet-v2"``, ``"mobilenet-v3"`` or ``"all"``
    (the families with published checkpoints to take top-1 from; default: all, unless
    ``models`` are given). ``models`` are more models to search, any model references
    (names, spec or ONNX files, objects); one without released checkpoints has no top-1,
    so rank with ``objective``: ``"top1"`` (default), ``"macs"`` (the most MACs the
    budgets allow), ``"latency"`` (needs ``device``), ``"params"``, ``"peak"`` or
    ``"weights"`` (fewest). ``classes`` sizes every classifier. ``accuracy`` is a CSV of
    your own checkpoints' top-1 (model, alpha, resolution, top1), fitted per model in
    place of its published ones. ``margin`` (percent,
    e.g. 10) makes the latency budget conservative: an estimate must sit that far below
    it (a measurement on the device need only meet it). Budgets are upper limits, given as
    numbers or text with units, read exactly: ``max_macs="300M"`` and ``max_params``
    (K, M, G = powers of 1,000), ``max_weight_bytes="4MB"`` and ``max_peak_bytes="512KiB"``
    (in ``dtype``; KB, MB = powers of 1,000, KiB, MiB = of 1,024; the peak with
    ``dw_inplace``), ``max_latency_ms=30`` (needs ``device``, as :func:`latency`'s).
    ``reserve_bytes`` is flash kept for the runtime and the rest of the firmware (the
    weights must fit in ``max_weight_bytes`` less it), ``reserve_sram_bytes`` SRAM the
    runtime's own arena takes (the peak must fit in ``max_peak_bytes`` less it).

    ``schedule="patch"`` lets a configuration over the peak budget run patch by patch
    (MCUNetV2, Lin et al. 2021, arXiv:2110.15352): at ``split`` on a ``patches`` grid
    when given, else at the split and grid with the fewest extra MACs that meets the
    peak budget; each pick then has its ``schedule`` and its latency includes the
    recomputation. ``layer_candidates`` are the picks layer by layer, side by side.

    The candidate grid is each model's published range (its checkpoints' alphas in steps
    of 0.05, resolutions in steps of 16) unless ``alphas`` / ``resolutions`` are given
    (lists, or text such as ``"0.25:1.4:0.05"``). An extrapolated top-1 (outside the
    published grid) is not ranked unless ``extrapolate=True``.

    Returns a :class:`~mncost.analysis.choose.ChooseResult`: ``candidates`` (records,
    best first, each with its figures, its binding budget and the estimate's status and
    LOO error), ``to_frame()``, ``to_dict()``, and, when nothing is feasible,
    ``ruling_out`` and ``checks`` (each budget's cheapest configuration).

    >>> best = mncost.choose("mobilenet-v2", max_macs="100M", top=3).candidates[0]
    >>> (best.model, float(best.alpha), best.resolution, best.status, round(best.top1, 1))
    ('mobilenet-v2', 0.55, 208, 'interpolated', 65.9)
    """
    from mncost.analysis.choose import OBJECTIVES, parse_budgets, parse_margin
    from mncost.analysis.choose import choose as run_choose

    if family is not None and not isinstance(family, str):
        raise TypeError(f"family must be a family's name or 'all', got a {type_name(family)}")
    if isinstance(models, (str, Path)):
        models = [models]
    refs = [model_ref(m, "models") for m in islice(iter(models), 101)]
    if len(refs) > 100:
        raise ExploreError("models: at most 100 models to search")
    if family is None and not refs:
        family = "all"
    points: list[UserPoint] = []
    if accuracy is not None:
        from mncost.analysis.accuracy_points import read_points

        if not isinstance(accuracy, (str, Path)):
            raise TypeError(f"accuracy must be a CSV file's path, got a {type_name(accuracy)}")
        points = read_points(Path(accuracy))
    budgets = parse_budgets(
        {
            "max_macs": max_macs,
            "max_params": max_params,
            "max_weight_bytes": max_weight_bytes,
            "max_peak_bytes": max_peak_bytes,
            "max_latency_ms": max_latency_ms,
        },
        spelled="argument",
    )
    from mncost.analysis.choose import apply_reserves

    budgets = apply_reserves(
        budgets,
        {"reserve_bytes": reserve_bytes, "reserve_sram_bytes": reserve_sram_bytes},
        spelled="argument",
    )
    alpha_list = None if alphas is None else _alphas(alphas)
    resolution_list = None if resolutions is None else _resolutions(resolutions)
    run, search = schedule_(dtype, dw_inplace, add_inplace, schedule, split, patches, stream_input)
    from mncost.analysis.schedules import as_search

    run, search = as_search(run, search)  # a named split and grid: that one schedule
    profile = None if device is None else device_profile(device)
    if isinstance(top, bool) or not isinstance(top, int):
        raise TypeError(f"top must be a whole number, got a {type_name(top)}")
    return run_choose(
        family,
        budgets,
        models=refs,
        objective=check_choice(objective, "objective", OBJECTIVES),
        classes=check_classes(classes),
        margin=parse_margin(margin),
        accuracy_points=points,
        accuracy_source=Path(accuracy).name if accuracy is not None else "",
        alphas=alpha_list,
        resolutions=resolution_list,
        execution=run,
        profile=profile,
        top=top,
        extrapolate=check_flag(extrapolate, "extrapolate"),
        schedules=search,
    )


def compare(
    a: str,
    b: str,
    *,
    dtype: str = "float32",
    dw_inplace: bool = False,
    add_inplace: bool = False,
    device: str | Path | LatencyProfile | None = None,
) -> Comparison:
    """Two configurations side by side, written ``MODEL[@ALPHA[/RES]]``
    (``"mobilenet-v1@0.75/160"``, ``"mobilenet-v2"``): mult-adds, params and weight bytes
    by layer type and in total, the peak activation memory (in ``dtype``, depthwise convs
    in place with ``dw_inplace``), the estimated latency with a ``device``, and top-1
    where there is an accuracy model. Differences are B - A, relative ones (B - A) / A.

    Returns a :class:`~mncost.analysis.compare.Comparison`: ``totals`` and ``by_type``
    (each figure a ``Difference`` with ``a``, ``b``, ``delta``, ``relative``),
    ``to_dict()`` and ``to_frame()``.

    >>> mncost.compare("mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128").totals["mult_adds"].delta
    -67322752
    """
    from mncost.analysis.compare import compare as run_compare
    from mncost.analysis.compare import parse_config

    for name, config in (("a", a), ("b", b)):
        if not isinstance(config, str):
            raise TypeError(
                f"{name} must be text such as 'mobilenet-v1@0.75/160', got a {type_name(config)}"
            )
    run = execution(dtype, dw_inplace, add_inplace)
    profile = None if device is None else device_profile(device)
    return run_compare(parse_config(a), parse_config(b), execution=run, profile=profile)


def _alphas(values: object) -> list[Fraction]:
    from mncost.analysis.explore import parse_alphas

    return axis(values, "alphas", "alpha", parse_alphas, multiplier)


def _resolutions(values: object) -> list[Resolution]:
    from mncost.analysis.explore import parse_resolutions

    return axis(values, "resolutions", "resolution", parse_resolutions, parse_resolution)


def load_onnx(
    path: str | Path, *, strict: bool = False, nest: bool = True
) -> Architecture | GraphModel:
    """An ONNX model, as the spec ``mncost import`` writes for it where the graph nests
    (an :class:`~mncost.arch.ops.Architecture`, what :func:`load_spec` returns for that
    file), else as the engine's program (a :class:`~mncost.cost.model.GraphModel`).
    Every function here counts either as it counts a built-in model, and both count
    alike: the spec is returned only when it counts as the graph does in every respect
    checked (MACs, params and shapes layer by layer at alpha 1 and 0.5, and the peak
    activation memory). ``nest=False`` always gives the graph. Needs the ``onnx``
    package (``pip install 'mncost[onnx]'``).

    ``strict``: an op mncost does not know is an OnnxImportError rather than an op that
    counts nothing, listed in ``graph.not_counted`` (such a graph is returned as a
    graph). OnnxImportError (one line) for a file that is not an ONNX model mncost can
    count.

    >>> model = mncost.load_onnx("mobilenet_v2.onnx")   # doctest: +SKIP
    >>> mncost.cost(model, alpha=0.5, resolution=160).total.mult_adds   # doctest: +SKIP
    """
    from mncost.cost.onnx_import import load_onnx as read

    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be an ONNX file's path, got a {type_name(path)}")
    graph = read(path, strict=check_flag(strict, "strict"))
    if not check_flag(nest, "nest") or graph.not_counted or graph.resolution is None:
        return graph
    from mncost.analysis.onnx_spec import import_spec

    try:
        imported = import_spec(graph)
    except (NestError, ScalingError):
        return graph
    if imported.nested.notes or imported.check.notes:
        return graph
    return imported.arch


def export_onnx(
    model: ModelLike,
    path: str | Path,
    alpha: Number = 1,
    resolution: object = None,
    *,
    rho: Number | None = None,
    classes: int | None = None,
    bn: str = "none",
    rounding: str | None = None,
    seed: int = 0,
) -> Path:
    """Write ``model`` at ``alpha`` and ``resolution`` as a runnable ONNX file (opset 17,
    seeded random weights; see :mod:`mncost.analysis.onnx_export`) and return its path.
    Reading the file back (:func:`load_onnx`) counts exactly what :func:`cost` counts.
    ``bn`` "none" leaves batch norm out, "affine" or "all" keeps BatchNormalization
    nodes. Needs the ``onnx`` package.
    """
    from mncost.analysis.onnx_export import export_onnx as write

    arch = resolve_model(model)
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file's path, got a {type_name(path)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise TypeError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
    written = write(
        arch,
        Path(path),
        multiplier(alpha, "alpha"),
        input_size(arch, resolution, rho),
        check_classes(classes),
        conventions(bn, True, rounding),
        seed=seed,
    )
    return written.path
