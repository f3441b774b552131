"""The sections of the design-review page (:mod:`mncost.present.views.review`), each from
what :func:`mncost.analysis.review.review_data` worked out: the summary, the nearest
published models, the Pareto plot's section, memory and latency on a device, and the
paper audit's appendix; with the few words they put numbers in."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mncost.analysis.review import SIZE_FACTOR
from mncost.cost.scaling import multiplier_text
from mncost.present.model import Code, Column, Prose, Section, Table
from mncost.present.numbers import si
from mncost.sources.points import DATASET_METRICS, DATASETS, METRICS, Metric
from mncost.units import show_bytes

if TYPE_CHECKING:
    from mncost.analysis.pareto import ParetoData, PlottedPoint
    from mncost.analysis.review import Deployment, Neighbour, Reproduction, ReviewData
    from mncost.sources.points import PublishedPoint

__all__ = [
    "appendix_section",
    "deployment_section",
    "nearest_section",
    "pareto_section",
    "schedule_label",
    "summary_section",
]


# --- numbers in words -------------------------------------------------------------------


def _ratio(value: Fraction | None) -> str:
    # Two decimals, or two significant digits below 0.1 (a tiny net is 0.016x, not 0.02x).
    if value is None:
        return ""
    return f"{float(value):.2f}x" if value >= Fraction(1, 10) else f"{float(value):.2g}x"


def _side(pixels: int) -> str:
    return f"{pixels}x{pixels}"


def _classes(n: int) -> str:
    return "1 class" if n == 1 else f"{n:,} classes"


def _metric(key: str) -> Metric:
    """What a dataset's published accuracy is: top-1, mAP or mIoU."""
    return METRICS[DATASET_METRICS[key]]


_TASK_WORDS = {"detection": "object detection", "segmentation": "semantic segmentation"}


def _dataset(key: str) -> str:
    return DATASETS.get(key, key)


def _in_millions(value: Fraction) -> str:
    # Beside the published figures, which are printed in millions: two decimals show
    # how far a printed figure is from the count.
    return f"{float(value) / 10**6:,.2f}"


# --- the sections -----------------------------------------------------------------------


def _config_rows(data: ReviewData) -> list[list[str]]:
    result, task, total = data.result, data.task, data.result.total
    rows = [
        ["Model", result.model],
        ["Defined by", data.source],
        ["Width multiplier α", multiplier_text(result.alpha)],
        ["Input", f"{task.height}x{task.width}x{task.channels}"],
        [
            "Classes",
            f"{task.classes} class slots (a {task.kind} model: no classifier)"
            if task.kind != "classification"
            else str(result.classifier.outputs)
            if result.classifier is not None
            else "no classifier",
        ],
        [
            "Mult-adds",
            f"{total.mult_adds:,} MACs ({si(total.mult_adds)} MACs; "
            f"FLOPs = 2 x MACs = {2 * total.mult_adds:,})",
        ],
        ["Parameters", f"{total.params:,} ({si(total.params)})"],
    ]
    own = data.published_self
    if own is not None and own.accuracy is not None:
        rows.append(
            [
                f"Published {own.metric.name} ({_dataset(own.dataset)})",
                f"{own.accuracy}% ({own.label}, {own.tables})",
            ]
        )
    return rows


def _nothing_comparable(data: ReviewData) -> Prose:
    task = data.task
    what = (
        "This configuration has no classifier, so no published accuracy applies"
        if not task.classes
        else f"No published result is of the same task: none classifies "
        f"{_classes(task.classes)} from an RGB input of {_side(task.sides[0])} to "
        f"{_side(task.sides[1])} pixels (within a factor of {SIZE_FACTOR} of this "
        f"configuration's {task.height}x{task.width}"
        + (f", which has {task.channels} channels" if task.channels != 3 else "")
        + ")"
    )
    held = [
        f"{_dataset(d.dataset)} ({', '.join(_classes(c) for c in d.classes)}, inputs "
        f"{_side(d.smallest)} to {_side(d.largest)})"
        for d in data.datasets
    ]
    listed = held[0] if len(held) == 1 else ", ".join(held[:-1]) + " and " + held[-1]
    return (
        f"{what}. So this page has no comparison and no Pareto plot. mncost holds "
        f"published results for {listed}.",
    )


def _same_task(data: ReviewData) -> Prose:
    task = data.task
    assert data.dataset is not None
    if task.kind != "classification":
        return (
            f"Compared with the {len(data.comparable)} published "
            f"{_dataset(data.dataset)} results of the same task: "
            f"{_TASK_WORDS.get(task.kind, task.kind)} scored by "
            f"{_metric(data.dataset).name}, with {_classes(task.classes)} (its class "
            f"slots), from an RGB input of {_side(task.sides[0])} to "
            f"{_side(task.sides[1])} pixels (within a factor of {SIZE_FACTOR} of this "
            f"configuration's {task.height}x{task.width}; a row that names no model mncost "
            "builds gives its input in its name, and is kept).",
        )
    return (
        f"Compared with the {len(data.comparable)} published "
        f"{_dataset(data.dataset)} results of the same task: {_classes(task.classes)} "
        f"from an RGB input of {_side(task.sides[0])} to {_side(task.sides[1])} pixels "
        f"(within a factor of {SIZE_FACTOR} of this configuration's "
        f"{task.height}x{task.width}).",
    )


def summary_section(data: ReviewData) -> Section:
    result = data.result
    table = Table(title="", columns=[Column("Setting"), Column("Value")], rows=_config_rows(data))
    intro = _same_task(data) if data.dataset is not None else _nothing_comparable(data)
    return Section(
        title="Summary",
        tables=[table],
        intro=intro,
        notes=[("Conventions: " + result.conventions.describe(result.own_rule),)],
    )


def _neighbour_row(row: Neighbour, data: ReviewData) -> list[Any]:
    point = row.point
    if point is None:  # this configuration: its published accuracy, if any
        own = data.published_self
        accuracy = own.accuracy if own is not None else None
        task = data.task
        return [
            "this configuration",
            "",
            f"{task.height}x{task.width}",
            accuracy,
            None,
            row.mult_adds,
            row.mult_adds_ratio,
            None,
            row.params,
            row.params_ratio,
        ]
    return [
        point.label,
        point.tables,
        _side(point.resolution) if point.resolution else "",
        point.accuracy,
        point.mult_adds_m,
        row.mult_adds,
        row.mult_adds_ratio,
        point.params_m,
        row.params,
        row.params_ratio,
    ]


def nearest_section(data: ReviewData) -> Section:
    assert data.dataset is not None
    # Published figures as printed; "1.2E+3" (1.2 billion, in millions) as 1200.
    text = lambda v: "" if v is None else format(v, "f")  # noqa: E731
    exact = lambda v: "" if v is None else f"{int(v):,}" if v.denominator == 1 else str(v)  # noqa: E731
    table = Table(
        title="",
        columns=[
            Column("Model"),
            Column("Source"),
            Column("Input"),
            Column(_metric(data.dataset).header, "right", show=text),
            Column("Pub. MACs (M)", "right", show=text),
            Column("mncost MACs (M)", "right", show=_in_millions, csv_header="mncost_mult_adds"),
            Column("MACs ratio", "right", show=_ratio),
            Column("Pub. params (M)", "right", show=text),
            Column(
                "mncost params", "right", show=exact, csv_header="mncost_params", data_only=True
            ),
            Column("Params ratio", "right", show=_ratio),
        ],
        rows=[_neighbour_row(row, data) for row in data.nearest],
        caption=f"Ratio: this configuration's count ÷ mncost's count of that model. "
        f"{_metric(data.dataset).header.removesuffix(' %')}: {_dataset(data.dataset)}, "
        "as published.",
    )
    intro = (
        "The published models nearest in mult-adds, cheapest first, with this "
        "configuration among them."
    )
    near = data.closest
    if near is not None and near.point is not None and near.mult_adds_ratio is not None:
        intro += (
            f" This configuration has {_ratio(near.mult_adds_ratio)} the mult-adds "
            f"and {_ratio(near.params_ratio)} the parameters of the nearest, "
            f"{near.point.label}."
        )
    notes: list[Prose] = [
        (
            "Both counts of a ratio are mncost's, under the same counting conventions (each "
            "model with its own width rule), so a published figure's rounding does not enter "
            "it; the published figures (Pub.) are shown as printed. An 8-bit checkpoint is "
            "the float model quantised, so only the float one is listed. ",
            Code("mncost published"),
            " lists every published result with mncost's count.",
        )
    ]
    if any(not row.counted for row in data.nearest):
        notes.append(
            (
                "mncost cannot count some of these models: their ratios divide by "
                "the published figures.",
            )
        )
    return Section(
        title="Against the nearest published models",
        tables=[table],
        intro=(intro,),
        notes=notes,
        level=3,
    )


def pareto_section(
    data: ParetoData, best: PlottedPoint | None, other_size: Sequence[PublishedPoint]
) -> Section:
    highlight = data.highlights[0]
    if highlight.mult_adds == 0:
        intro: Prose = (
            "This configuration costs 0 mult-adds, so it has no place on the "
            "plot's log scale and is not drawn.",
        )
    elif highlight.accuracy_from is not None:
        source = highlight.accuracy_from
        intro = (
            f"The star is this configuration at mncost's cost; its published "
            f"{source.metric.name} is {source.accuracy}% ({source.label}, {source.tables}).",
        )
    else:
        intro = (
            "The dotted line is this configuration at mncost's cost: no published "
            "accuracy exists for it.",
        )
    notes: list[Prose] = []
    if best is not None:
        notes.append(
            (
                f"Best published {best.point.metric.name} at no more than this cost: "
                f"{best.point.accuracy}% "
                f"({best.point.label}, {best.point.tables}).",
            )
        )
    shown = f"{len(data.points)} published {_dataset(data.dataset)} results of the same task"
    if other_size:
        sizes = sorted({p.resolution for p in other_size if p.resolution is not None})
        shown += (
            f"; {len(other_size)} more at an input of "
            + ", ".join(_side(s) for s in sizes)
            + " are left out (not within a "
            f"factor of {SIZE_FACTOR} of this configuration's)"
        )
    notes.append((shown + ".",))
    return Section(
        title="Among published results (Pareto plot)",
        tables=[],
        intro=intro,
        figure="pareto",
        notes=notes,
        interactive_notes=[
            (
                "Hover a point for its source. ",
                Code("mncost plot pareto"),
                " draws every published result, with options.",
            )
        ],
        static_notes=[
            (
                Code("mncost published"),
                " names each point's source; ",
                Code("mncost plot pareto -o pareto.html"),
                " draws every published result as an interactive page.",
            )
        ],
    )


def appendix_section(reproduction: Reproduction) -> Section:
    title = "Appendix: reproduction of the paper's cost figures"
    if reproduction.unavailable:
        return Section(
            title=title,
            tables=[],
            notes=[(f"Reproduction summary unavailable: {reproduction.unavailable}.",)],
        )
    statuses, summaries = reproduction.statuses, reproduction.summaries
    table = Table(
        title="",
        columns=[Column("Table"), Column("Cells", "right")]
        + [Column(status.capitalize(), "right") for status in statuses],
        rows=[
            [s.table, s.cells] + [s.counts.get(status, 0) for status in statuses]
            for s in summaries
            if s.table != "All"
        ],
        footer=[
            [s.table, s.cells] + [s.counts.get(status, 0) for status in statuses]
            for s in summaries
            if s.table == "All"
        ],
    )
    return Section(
        title=title,
        tables=[table],
        intro=(
            "How mncost's exact counts compare with every cost cell the paper "
            "(Howard et al. 2017) prints.",
        ),
        notes=[
            (
                "match: equal at the printed precision; convention: equal under a stated "
                "counting convention; close: within 1% (or truncated); erratum: the printed "
                "figure is demonstrably wrong; differs: unexplained; not computable: the "
                "paper does not define the model. ",
                Code("mncost reproduce"),
                " lists every cell.",
            )
        ],
    )


def _kib(value: int) -> str:
    return f"{value:,} B ({show_bytes(value, binary=True)})"


def schedule_label(result: Any) -> str:
    stage = result.stage
    if stage is None:
        return "layer by layer"
    return f"patch-based {stage.grid[0]}x{stage.grid[1]}, split {stage.split}"


def deployment_section(found: Deployment) -> Section:
    """Memory in two settings, and the latency estimate with its method and error."""
    f32, i8 = found.float32, found.int8
    rows: list[list[str]] = [
        ["Weights, float32", _kib(f32.weight_bytes)],
        ["Weights, int8 (batch norm folded)", _kib(i8.weight_bytes)],
        ["Peak activations, float32", f"{_kib(f32.peak_activation_bytes)} at {f32.peak_layer}"],
        [
            "Peak activations, int8, depthwise in place",
            f"{_kib(i8.peak_activation_bytes)} at {i8.peak_layer}",
        ],
    ]
    notes: list[Prose] = [
        (
            "Peak activations: the largest sum of the tensors alive at one op, layer by "
            "layer (the input image counts; batch norm and activations run in place). "
            "Details: ",
            Code("mncost memory"),
            ".",
        )
    ]
    if found.profile:
        layer = found.profile[0]
        run = layer.execution
        rows.append(
            [
                f"Peak activations, {run.describe()}",
                f"{_kib(layer.peak_activation_bytes)} at {layer.peak_layer}",
            ]
        )
    for patched in found.profile[1:]:
        stage = patched.stage
        assert stage is not None
        rows += [
            [
                f"Peak activations, {patched.execution.describe()}",
                f"{_kib(patched.peak_activation_bytes)} at {patched.peak_layer} "
                f"({patched.peak.part}), "
                f"{found.profile[0].peak_activation_bytes / patched.peak_activation_bytes:.2f}x "
                "lower",
            ],
            [
                "Recomputed MACs of the patch stage",
                f"{stage.extra_macs:,} ({100 * stage.extra_macs / stage.network_macs:.1f}% "
                "of the network's)",
            ],
        ]
        notes.append(
            (
                "Patch-based (MCUNetV2, Lin et al. 2021, arXiv:2110.15352): the ops up to "
                f"{stage.split} run patch by patch on a {stage.grid[0]}x{stage.grid[1]} grid, "
                "recomputing the halos neighbouring patches share"
                + (
                    f"; the split and grid were searched ({len(found.search.trials)} "
                    "schedules: the lowest peak, then the fewest extra MACs)"
                    if found.search is not None
                    else ""
                )
                + ". Details: ",
                Code("mncost memory --schedule patch"),
                ".",
            )
        )
    latency = found.latency
    if latency is not None:
        profile = latency.profile
        measured = latency.measurement
        if measured is not None:  # a measurement beats the estimate: it comes first
            rows.append(
                [
                    f"Latency on {profile.name} (measured)",
                    f"{measured.latency_ms:,.1f} ms in {measured.dtype} ({measured.label}; "
                    f"{measured.source})",
                ]
            )
        rows.append(
            [
                f"Latency on {profile.name} (an estimate)",
                f"{latency.total_ms:,.1f} ms"
                + (
                    f" ({(latency.total_ms - measured.latency_ms) / measured.latency_ms:+.1%}"
                    " against the measurement: estimate - measured, over measured)"
                    if measured is not None
                    else ""
                ),
            ]
        )
        if found.recomputation_ms is not None:
            rows.append(
                [
                    f"Latency on {profile.name}, patch-based (an estimate)",
                    f"{latency.total_ms + found.recomputation_ms:,.1f} ms "
                    f"(+{found.recomputation_ms:,.1f} ms of recomputed MACs, at the patch "
                    "stage's estimated ms per MAC)",
                ]
            )
        notes.append(
            (
                (
                    "The estimate is a model's"
                    if measured is not None
                    else "The latency is an estimate"
                )
                + f", not a measurement: {profile.method}; fitted on "
                f"{profile.fitted_on()} ({profile.source}); leave-one-out error "
                f"{profile.loo_mape_percent:.1f}% on average, {profile.loo_max_percent:.1f}% "
                "at most. Details: ",
                Code(f"mncost latency --device {profile.name} --fit-report"),
                ".",
            )
        )
        notes += [(f"Caution (latency): {caution.rstrip('.')}.",) for caution in latency.cautions]
    else:
        notes.append((f"No latency estimate: {found.latency_error}",))
    return Section(
        title="Memory and latency",
        tables=[Table(title="", columns=[Column("Setting"), Column("Value")], rows=rows)],
        intro=(
            "What this configuration needs on a device; the chart is its memory profile, "
            "the bytes live at every op (MCUNetV2's Figure 1).",
        ),
        notes=notes,
        level=3,
        figure="memory" if found.profile else None,
    )
