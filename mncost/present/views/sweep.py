"""The sweep report: one model's figures over an alpha x resolution grid (``mncost sweep``).

Every figure comes from :class:`mncost.analysis.explore.ExploreGrid`; this view lays it
out. Data formats (CSV, JSON, Markdown, HTML's table) get one row per configuration with
exact counts and bytes. A terminal gets what fits a screen: every row for a small grid;
for a larger one, a pivot of one figure (resolutions down, alphas across, thinned to the
terminal's width) or, when there are too many resolutions for that, the first and last
rows; then each figure's range over the grid, and a note saying how to get every row.
Estimates (latency, top-1) are labelled as such in headers and notes, with their method
and error; a withheld top-1 extrapolation is a blank cell, and its status says why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from mncost.analysis.accuracy import STATUSES, TRUSTED
from mncost.analysis.explore import (
    ACCURACY,
    LATENCY,
    LATENCY_ESTIMATE,
    LATENCY_STATUS,
    METRIC_LABELS,
    ExploreGrid,
    Extent,
)
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.cost.scaling import Resolution, multiplier_text, resolution_json, resolution_text
from mncost.present.model import Align, Column, Report, Rows, Table
from mncost.present.numbers import fixed

__all__ = [
    "FULL_ROWS",
    "PIVOT_ROWS",
    "SAMPLE_ROWS",
    "alpha_text",
    "column_spec",
    "config_text",
    "grid_notes",
    "pivot_table",
    "sweep_report",
]


def _label(metric: str) -> str:
    """A metric's name in prose."""
    return METRIC_LABELS[metric] if metric in METRIC_LABELS else metric


FULL_ROWS = 40
"""A terminal shows every configuration of a grid of at most this many."""
PIVOT_ROWS = 40
"""A larger grid is shown as a pivot when it has at most this many resolutions."""
SAMPLE_ROWS = 10
"""Otherwise the first and the last this many rows are shown."""

KIB = 1024
MIB = 1024 * 1024


def _blank(fmt: Callable[[Any], str]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        if value is None or isinstance(value, float) and math.isnan(value):
            return ""
        if isinstance(value, str):
            return value
        return fmt(value)

    return show


def _scaled(value: Any, divisor: int, digits: int) -> str:
    """``value / divisor`` with ``digits`` decimals, or more for a small network, so that
    it keeps three significant digits (9,754 params: "0.00975" M, never "0.01")."""
    while value and abs(value) * 10**digits < divisor * 100 and digits < 6:
        digits += 1
    return fixed(value, divisor, digits)


_SHOW: dict[str, tuple[str, str, Callable[[Any], str]]] = {
    # metric: (header, short header, how a cell shows)
    "mult_adds": ("M MACs", "M MACs", _blank(lambda v: _scaled(v, 10**6, 1))),
    "params": ("M params", "M par.", _blank(lambda v: _scaled(v, 10**6, 2))),
    "weight_bytes": ("Weights MiB", "W. MiB", _blank(lambda v: _scaled(v, MIB, 2))),
    PEAK_ACTIVATION: ("Peak KiB", "Peak KiB", _blank(lambda v: _scaled(v, KIB, 1))),
    LATENCY: ("Latency ms", "ms", _blank(lambda v: f"{v:,.2f}")),
    LATENCY_STATUS: ("Latency", "Lat.", _blank(str)),
    LATENCY_ESTIMATE: ("Est. ms", "Est. ms", _blank(lambda v: f"{v:,.2f}")),
    ACCURACY: ("Top-1 %", "Top-1", _blank(lambda v: f"{v:.1f}")),
    "top1_status": ("Top-1 status", "Status", _blank(str)),
}
"""Human formats round counts to a unit named in the header; CSV and JSON keep them exact."""

_HIDE = {
    "params": 3,
    "weight_bytes": 2,
    "top1_status": 4,
    PEAK_ACTIVATION: 1,
    LATENCY_ESTIMATE: 5,
    LATENCY_STATUS: 6,
}
"""In a narrow terminal, columns hidden first (lowest rank first)."""


def column_spec(name: str) -> Column:
    """The column of one figure: its header with its unit, exact in CSV under ``name``."""
    if name in _SHOW:
        header, short, show = _SHOW[name]
    else:
        header, short, show = _label(name), name, _blank(lambda v: f"{v:,}")
    align: Align = "left" if name == "top1_status" else "right"
    return Column(
        header, align, show=show, csv_header=name, short_header=short, hide_rank=_HIDE.get(name)
    )


def config_text(alpha: Any, resolution: Resolution) -> str:
    """ "0.75/160", "0.5/240x320"."""
    return f"{multiplier_text(alpha)}/{resolution_text(resolution)}"


def alpha_text(value: Any) -> str:
    # As the papers write it: "1.0", "0.75" (multiplier_text's form, from a float).
    if isinstance(value, str):  # the gap row of a sample: "…"
        return value
    return f"{value:.1f}" if float(value).is_integer() else f"{value:g}"


def _cell(value: Any) -> Any:
    # numpy scalars to Python values; a withheld top-1 (NaN) to None: blank, JSON null.
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


def _columns(grid: ExploreGrid) -> list[str]:
    return list(grid.columns())


_CHUNK = 2_000
"""Rows are made from the grid's columns this many at a time."""


def _row_chunks(grid: ExploreGrid) -> Iterator[list[list[Any]]]:
    """Every row, alpha-major, in lists of up to _CHUNK rows: Python values (numpy's
    ints and floats as ints and floats), a withheld top-1 (NaN) as None."""
    names = ["alpha", "resolution", *_columns(grid)]
    columns = [grid.column(name) for name in names]
    k = names.index(ACCURACY) if ACCURACY in names else None
    for start in range(0, grid.size, _CHUNK):
        rows = [list(row) for row in zip(*(c[start : start + _CHUNK].tolist() for c in columns))]
        if k is not None:
            for row in rows:
                if isinstance(row[k], float) and math.isnan(row[k]):
                    row[k] = None
        yield rows


def _all_rows(grid: ExploreGrid) -> list[list[Any]]:
    return [row for rows in _row_chunks(grid) for row in rows]


def _streamed_rows(grid: ExploreGrid) -> Rows:
    """Every row, made as it is written (a 250,000-row CSV or JSON is never held whole)."""
    return Rows(grid.size, lambda: (row for rows in _row_chunks(grid) for row in rows))


def _row(grid: ExploreGrid, i: int, j: int) -> list[Any]:
    r = grid.resolutions[j]
    row: list[Any] = [float(grid.alphas[i]), r if isinstance(r, int) else resolution_text(r)]
    for name in _columns(grid):
        if name == "top1_status":
            assert grid.accuracy is not None
            row.append(str(grid.accuracy.status[i, j]))
        else:
            row.append(_cell(grid.array(name)[i, j]))
    return row


def _rows_table(grid: ExploreGrid, rows: list[list[Any]] | Rows, title: str) -> Table:
    columns = [
        Column("Alpha", "right", show=alpha_text, csv_header="alpha"),
        Column("Res", "right", csv_header="resolution"),
    ]
    columns += [column_spec(name) for name in _columns(grid)]
    return Table(title=title, columns=columns, rows=rows)


def _sample_rows(grid: ExploreGrid) -> list[list[Any]]:
    n_r = len(grid.resolutions)
    head = [divmod(k, n_r) for k in range(SAMPLE_ROWS)]
    tail = [divmod(k, n_r) for k in range(grid.size - SAMPLE_ROWS, grid.size)]
    gap = ["…"] + [""] * (1 + len(_columns(grid)))
    return [_row(grid, i, j) for i, j in head] + [gap] + [_row(grid, i, j) for i, j in tail]


def _thinning_rank(k: int, n: int) -> int | None:
    """Hide rank of the k-th of n pivot columns: the first and last are always kept; odd
    positions go first, then every other of the rest, and so on; within one such round
    they go in bit-reversed order, so whatever is hidden, the kept alphas stay spread."""
    if k in (0, n - 1):
        return None
    level = (k & -k).bit_length()  # 1 for odd k, 2 for k = 2 mod 4, ...
    m = k >> level  # its place within the round
    width = max(1, (n >> level).bit_length())
    spread = int(format(m, f"0{width}b")[::-1], 2)
    return level * 2**20 + spread


def pivot_table(grid: ExploreGrid, metric: str, title: str | None = None) -> Table:
    """``metric`` at every configuration: a row per resolution, a column per alpha (in a
    narrow terminal every other alpha is hidden, evenly). A measured top-1 is marked *."""
    header, _, show = _SHOW.get(metric, (_label(metric), "", _blank(lambda v: f"{v:,}")))
    values = grid.array(metric)
    measured = None
    if metric == ACCURACY and grid.accuracy is not None:
        measured = grid.accuracy.status == "measured"
    n = len(grid.alphas)
    columns = [Column("Res", "right", csv_header="resolution")]
    columns += [
        Column(
            multiplier_text(a),
            "right",
            csv_header=f"alpha_{float(a):g}",
            hide_rank=_thinning_rank(k, n),
        )
        for k, a in enumerate(grid.alphas)
    ]
    rows = []
    for j, r in enumerate(grid.resolutions):
        row: list[Any] = [r if isinstance(r, int) else resolution_text(r)]
        for i in range(n):
            text = show(_cell(values[i, j]))
            if measured is not None and measured[i, j]:
                text += "*"
            row.append(text)
        rows.append(row)
    return Table(
        title=title or f"{header} (rows: resolution; columns: alpha)", columns=columns, rows=rows
    )


def _extent_table(grid: ExploreGrid, extents: list[Extent]) -> Table:
    rows = []
    for e in extents:
        header, _, show = _SHOW.get(e.metric, (_label(e.metric), "", _blank(lambda v: f"{v:,}")))
        rows.append(
            [
                header,
                show(e.low),
                config_text(e.low_alpha, e.low_resolution),
                show(e.high),
                config_text(e.high_alpha, e.high_resolution),
                e.metric,
                e.low,
                e.high,
            ]
        )
    return Table(
        title="Range over the grid",
        columns=[
            Column("Figure", csv_header="label"),
            Column("Lowest", "right", csv_header="low_shown"),
            Column("at alpha/res", csv_header="low_at"),
            Column("Highest", "right", csv_header="high_shown"),
            Column("at alpha/res", csv_header="high_at"),
            Column("Metric", csv_header="metric", data_only=True),
            Column("Low", csv_header="low", data_only=True),
            Column("High", csv_header="high", data_only=True),
        ],
        rows=rows,
    )


def _mode(dw_inplace: bool) -> str:
    return "depthwise convs in place" if dw_inplace else "depthwise convs not in place"


def grid_notes(grid: ExploreGrid) -> list[str]:
    """What the figures are: units, the data type, the latency profile and the top-1
    model, each with its error; shared by the sweep report and its heatmap page."""
    alphas, resolutions = grid.axes_text()
    size = {"float32": 4, "float16": 2, "int8": 1}.get(grid.dtype, 0)
    notes = [
        f"Grid: alpha {alphas}; resolution {resolutions}: {grid.size:,} "
        f"configurations, {grid.classes:,} classes."
    ]
    counted = [m for m in grid.columns() if m in grid.counts]
    if counted:
        units = ["MACs are multiply-accumulates, shown in millions (M = 10^6)"]
        if any(m in counted for m in ("weight_bytes", PEAK_ACTIVATION)):
            units.append(
                f"bytes are {grid.dtype} ({size} byte{'s' if size > 1 else ''} per "
                "value); weights are shown in MiB (1,048,576 bytes), the peak "
                "activation memory in KiB (1,024 bytes)"
            )
        if PEAK_ACTIVATION in counted:
            units.append(
                f"the peak is under layer-by-layer execution, {_mode(grid.dw_inplace)}"
                + ("" if grid.dw_inplace else " (--dw-inplace runs them in place)")
            )
        notes.append("; ".join(units) + ". CSV and JSON give exact counts and bytes.")
        if grid.dtype == "int8" and "weight_bytes" in counted:
            notes.append("int8 weights: batch norm is folded into the conv before it.")
    if grid.profile is not None:
        p = grid.profile
        measured = 0 if grid.latency_measured is None else int(grid.latency_measured.sum())
        if measured:
            notes.append(
                f"Latency ms: measured on the device for {measured:,} configuration"
                f"{'s' if measured != 1 else ''} (Latency: measured; {p.name}'s own points"
                + (" and the published Pixel-1 latencies of MobileNet V3" if p.builtin else "")
                + "), else the estimate (Est. ms), which is shown beside every measurement."
            )
        notes.append(
            f"Est. ms: an estimate, not a measurement, from the device profile {p.name}, "
            f"a {p.estimator} estimator ({p.fitted_on()}; leave-one-out error mean "
            f"{p.loo_mape_percent:.1f}%, max "
            f"{p.loo_max_percent:.1f}%; mult-adds alone: {p.baseline_loo_mape_percent:.1f}%). "
            "`mncost latency --device "
            f"{p.name if p.builtin else 'FILE.json'} --fit-report` shows the fit."
        )
        notes += [f"Caution (latency): {text}." for text in grid.latency_cautions]
    if grid.accuracy is not None:
        acc = grid.accuracy
        summary = grid.accuracy_summary() or {}
        counts = summary.get("statuses", {})
        shown = ", ".join(
            f"{counts.get(s, 0):,} {s}" for s in STATUSES if counts.get(s) or s != "out of range"
        )
        withheld = (
            ""
            if grid.extrapolate
            else " Extrapolated values are withheld (blank) unless --extrapolate."
        )
        if acc.loo_mae is None:
            notes.append(
                f"Top-1: ImageNet top-1 %, only at {grid.model}'s released checkpoints "
                f"({acc.fitted_on.describe()}): {acc.method}. Here: {shown}."
            )
        else:
            notes.append(
                "Top-1: ImageNet top-1 %, an estimate unless its status is measured: "
                f"{acc.method}, "
                f"fitted on {acc.fitted_on.describe()}; leave-one-out error mean "
                f"{acc.loo_mae:.2f}, max {acc.loo_max:.2f} top-1 points. Status: measured = a "
                "released checkpoint's published figure; interpolated = inside the published "
                f"grid; extrapolated = outside it, {TRUSTED}; out of range = beyond that, no "
                f"estimate even with --extrapolate. Here: {shown}.{withheld}"
            )
        if grid.accuracy_caution:
            notes.append(f"Caution (top-1): {grid.accuracy_caution}.")
    elif grid.accuracy_reason and ACCURACY in grid.metrics:
        notes.append(f"Top-1: {grid.accuracy_reason}.")
    elif grid.accuracy_reason:
        notes.append(f"No top-1 column: {grid.accuracy_reason}.")
    notes.append("Conventions: " + grid.conventions.describe(grid.own_rule))
    return notes


def _data(grid: ExploreGrid, rows: list[list[Any]] | Rows) -> dict[str, Any]:
    names = ["alpha", "resolution", *_columns(grid)]
    # A non-square grid's rows name each resolution as CSV does ("240x320"); JSON gives
    # it as everywhere else: the side, or [height, width].
    as_json = {resolution_text(r): resolution_json(r) for r in grid.resolutions}

    def record(row: list[Any]) -> dict[str, Any]:
        out = dict(zip(names, row))
        if isinstance(out["resolution"], str):
            out["resolution"] = as_json.get(out["resolution"], out["resolution"])
        return out

    records = Rows(len(rows), lambda: (record(row) for row in rows))
    return {
        "model": grid.model,
        "builtin": grid.registered is not None,
        "alphas": [float(a) for a in grid.alphas],
        "resolutions": [resolution_json(r) for r in grid.resolutions],
        "configurations": grid.size,
        "classes": grid.classes,
        "dtype": grid.dtype,
        "dw_inplace": grid.dw_inplace,
        "conventions": grid.conventions.as_dict(grid.own_rule),
        "columns": names,
        "top1": grid.accuracy_summary(),
        "top1_note": grid.accuracy_reason,
        "device": grid.latency_summary(),
        "checkpoints": [
            {
                "label": c.label,
                "alpha": float(c.alpha),
                "resolution": c.resolution,
                "top1": c.top1,
                "latency_ms": c.latency_ms,
            }
            for c in grid.checkpoints
        ],
        "rows": records,
    }


def sweep_report(grid: ExploreGrid, *, full: bool = True, pivot: str | None = None) -> Report:
    """The sweep as a report. ``full``: one row per configuration (data formats). Not
    ``full`` (a terminal): every row of a small grid, else a pivot of ``pivot`` (default:
    top-1 when there is one, else mult-adds) or the first and last rows, then each
    figure's range over the grid."""

    def count(n: int, what: str) -> str:
        return f"{n:,} {what}{'s' if n != 1 else ''}"

    title = (
        f"Sweep of {grid.model}: {count(len(grid.alphas), 'alpha')} x "
        f"{count(len(grid.resolutions), 'resolution')} = "
        f"{count(grid.size, 'configuration')}"
    )
    notes = grid_notes(grid)
    if full or grid.size <= FULL_ROWS:
        rows = _streamed_rows(grid) if full else _all_rows(grid)
        table = _rows_table(grid, rows, "One row per configuration")
        return Report(title=title, tables=[table], notes=notes, data=_data(grid, rows))
    metric = pivot or (ACCURACY if grid.has(ACCURACY) else "mult_adds")
    if len(grid.resolutions) <= PIVOT_ROWS and grid.has(metric):
        first = pivot_table(grid, metric)
        how = f"{first.title.split(' (')[0]} at each configuration"
        if metric == ACCURACY:
            first.caption = (
                "* measured (a released checkpoint); blank: extrapolated, withheld"
                if not grid.extrapolate
                else "* measured (a released checkpoint)"
            )
    else:
        first = _rows_table(
            grid, _sample_rows(grid), f"The first and last {SAMPLE_ROWS} of {grid.size:,} rows"
        )
        how = f"the first and last {SAMPLE_ROWS} rows"
    notes.insert(
        0,
        f"Shown: {how}, and each figure's range. Every row: -f csv, -f json or "
        "-o sweep.csv; a heatmap: -o sweep.html.",
    )
    return Report(
        title=title, tables=[first, _extent_table(grid, grid.ranges())], notes=notes, data=None
    )
