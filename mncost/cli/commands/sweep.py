"""The ``sweep`` command: one model's figures at every (alpha, R) of a grid; and what the
explorer's commands share (a progress bar, the grid options)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from mncost.cli.files import emit, output_options, report_text, resolve_format
from mncost.cli.options import (
    ScenarioOptions,
    budget_options,
    device_option,
    grid_scenario_options,
    memory_options,
    resolve_scenario,
)
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.text import quote

if TYPE_CHECKING:
    from mncost.analysis.choose import Budget
    from mncost.cost.execution import Execution

__all__ = [
    "DEFAULT_ALPHAS",
    "DEFAULT_RESOLUTIONS",
    "MAX_CLI_CONFIGS",
    "ProgressBar",
    "RANGE_HELP",
    "sweep_command",
]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_ALPHAS = "0.25:1.4:0.05"
DEFAULT_RESOLUTIONS = "96:320:16"
MAX_CLI_CONFIGS = 250_000
"""The command line sweeps at most this many configurations (every row of a larger grid
would be some 15 MB of CSV per 250,000 rows, built in memory); ``mncost.sweep`` in Python
takes up to 1,000,000."""
RANGE_HELP = (
    "start:stop:step (the stop included when a step lands on it, read exactly), a list, or both"
)


class ProgressBar:
    """A progress bar on standard error, for a run that takes longer than ``delay``
    seconds: never on a pipe or a file, never for a quick run.

    Call it as ``bar(phase, done, total)`` (the explorer's progress callback; ``total``
    0 for a phase of unknown length, such as writing the output); ``close()`` (or
    leaving the ``with`` block) removes it. A phase that gives no further word (one
    long write) still gets the bar once ``delay`` has passed: a timer shows it.
    """

    def __init__(
        self, enabled: bool | None = None, delay: float = 1.0, file: IO[str] | None = None
    ) -> None:
        import threading

        if enabled is None:
            enabled = (
                sys.stderr is not None and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
            )
        self.enabled, self.delay, self.file = enabled, delay, file
        self.start = time.monotonic()
        self.shown = False
        self._state: tuple[str, int, int] = ("", 0, 0)
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        import threading

        with self._lock:
            self._state = (phase, done, total)
            if self._closed:
                return
            if self._progress is None:
                wait = self.delay - (time.monotonic() - self.start)
                if wait <= 0:
                    self._show()
                elif self._timer is None:
                    self._timer = threading.Timer(wait, self._on_time)
                    self._timer.daemon = True
                    self._timer.start()
                return
            self._progress.update(
                self._task, description=phase, completed=done, total=total or None
            )

    def _on_time(self) -> None:
        with self._lock:
            if not self._closed and self._progress is None:
                self._show()

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = (
            Console(file=self.file, force_terminal=True)
            if self.file is not None
            else Console(stderr=True)
        )
        self._progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._progress.start()
        phase, done, total = self._state
        self._task = self._progress.add_task(phase, total=total or None, completed=done)
        self.shown = True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._progress is not None:
                self._progress.stop()
                self._progress = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_axes(alpha: str, res: str, limit: int = MAX_CLI_CONFIGS) -> tuple[Any, Any]:
    """--alpha and --res as a grid, at most ``limit`` configurations; UserError if not."""
    from mncost.analysis.explore import ExploreError, parse_alphas, parse_resolutions

    with user_errors(ExploreError):
        alphas, resolutions = parse_alphas(alpha), parse_resolutions(res)
    n = len(alphas) * len(resolutions)
    if n > limit:
        raise UserError(
            f"the grid has {len(alphas):,} alphas x {len(resolutions):,} "
            f"resolutions = {n:,} configurations; the command line takes at "
            f"most {limit:,} (use a larger step, or mncost.sweep() in Python "
            "for up to 1,000,000)"
        )
    return alphas, resolutions


_METRICS = (
    "mult_adds, params, bn_params, weight_bytes, peak_activation_bytes, input_bytes, "
    "output_bytes, activation_bytes, read_weight_bytes, conv_activation_bytes, "
    "conv_weight_bytes, ops, latency_ms, top1"
)


@click.command(
    "sweep",
    short_help="Every (alpha, R) of a grid: MACs, params, memory, latency and top-1 estimates.",
    epilog=f"""\b
Examples:
  mncost sweep mobilenet-v2 --alpha 0.25:1.4:0.05 --res 96:320:16
  mncost sweep mobilenet-v2 --device pixel1-cpu --dtype int8 --dw-inplace
  mncost sweep mobilenet-v1 --alpha 0.25,0.5,0.75,1 --res 128:224:32 -f csv > v1.csv
  mncost sweep mobilenet-v2 --device pixel1-cpu -o sweep.html      # a heatmap
  mncost sweep mobilenet-v2 --metric mult_adds --metric top1 --extrapolate -f json
  mncost sweep --spec examples/tiny-cifar.yaml --res 32:128:16
  mncost sweep mine.onnx --alpha 0.5,1 --res 240x320,480x640    # non-square inputs

\b
A grid has at most {MAX_CLI_CONFIGS:,} configurations here (10,000 values per axis).
""",
)
@grid_scenario_options
@click.option(
    "--alpha",
    "-a",
    "alpha",
    default=DEFAULT_ALPHAS,
    show_default=True,
    metavar="RANGE",
    help=f"Width multipliers: {RANGE_HELP} (0.5,0.75,1).",
)
@click.option(
    "--res",
    "-r",
    "res",
    default=DEFAULT_RESOLUTIONS,
    show_default=True,
    metavar="RANGE",
    help=f"Resolutions in pixels: {RANGE_HELP} (128,160,224); HxW (height x width) for "
    "a non-square input (320x240,640x480).",
)
@click.option(
    "--metric",
    "-m",
    "metrics",
    multiple=True,
    metavar="NAME",
    help=f"A column to give (repeat for several): {_METRICS}. [default: "
    "mult_adds, params, weight_bytes, peak_activation_bytes; latency_ms "
    "with --device; top1 where the model has an accuracy model]",
)
@click.option(
    "--heatmap",
    "heat",
    default=None,
    metavar="NAME",
    help="The figure a heatmap (-o sweep.html) and the terminal's pivot show "
    "[default: top1 when given, else mult_adds].",
)
@budget_options(
    {
        "max_macs": "Draw this MAC budget on the heatmap (300M).",
        "max_params": "Draw this parameter budget (3M).",
        "max_weight_bytes": "Draw this weight budget, in --dtype (4MB).",
        "max_peak_bytes": "Draw this peak-memory budget, in --dtype (256KiB).",
        "max_latency_ms": "Draw this latency budget (needs --device).",
    }
)
@memory_options()
@device_option()
@click.option(
    "--extrapolate",
    is_flag=True,
    help="Give top-1 estimates outside the published grid too (else withheld, "
    "status extrapolated).",
)
@output_options()
def sweep_command(
    scenario: ScenarioOptions,
    alpha: str,
    res: str,
    metrics: tuple[str, ...],
    heat: str | None,
    budgets: dict[str, str | None],
    execution: Execution,
    device: str | Path | None,
    extrapolate: bool,
    fmt: str | None,
    output: Path | None,
) -> None:
    """MODEL's figures (default: mobilenet-v1) at every alpha and resolution of a grid.

    One row per configuration: exact mult-adds, params, weight bytes and the peak
    activation memory (in --dtype; --dw-inplace), the estimated latency on --device, and
    the estimated ImageNet top-1 with its status (measured, interpolated, extrapolated),
    method and leave-one-out error where the model has published checkpoints. A large
    grid in a terminal shows a pivot of one figure; -f csv or -f json give every row,
    -o sweep.html an offline heatmap with MAC contours and the released checkpoints.
    Budgets (--max-macs, --max-peak-bytes, ...) draw each one's boundary on the heatmap,
    shade the configurations over one, and say how many meet them all; `mncost choose`
    ranks the ones that do.
    """
    from mncost.analysis.explore import (
        ExploreError,
        explore_grid,
        explorer_metrics,
    )
    from mncost.analysis.latency import LatencyError, resolve_device

    fmt = resolve_format(fmt, output)
    known = explorer_metrics()
    for name in (*metrics, *((heat,) if heat else ())):
        if name not in known:
            raise UserError(f"unknown metric {quote(name)}; choose from {', '.join(known)}")
    from mncost.analysis.choose import budget_masks, parse_budgets

    with user_errors(ExploreError):
        limits = parse_budgets(budgets)
    if budgets["max_latency_ms"] is not None and device is None:
        raise UserError("--max-latency-ms needs --device (pixel1-cpu, or a profile file)")
    alphas, resolutions = parse_axes(alpha, res)
    chosen = resolve_scenario(scenario)
    profile = None
    if device is not None:
        with user_errors(LatencyError):
            profile = resolve_device(device)
    asked = list(metrics) or None
    for wanted in ([heat] if heat is not None else []) + [b.metric for b in limits]:
        if asked is not None and wanted not in asked:
            asked.append(wanted)
    registered = chosen.registered
    with ProgressBar() as bar, user_errors(ExploreError, ScalingError):
        grid = explore_grid(
            chosen.arch,
            alphas,
            resolutions,
            chosen.classes,
            execution.conventions(chosen.conventions),
            metrics=asked,
            execution=execution,
            profile=profile,
            model=registered,
            extrapolate=extrapolate,
            progress=bar,
        )
        if heat is not None and not grid.has(heat):
            raise UserError(
                f"--heatmap {heat} is not a figure of this sweep"
                + (": give --device" if heat == "latency_ms" else "")
            )
        meets = budget_masks(grid, limits)
        bar(f"writing {fmt}", 0, 0)
        text = _render(grid, fmt, heat, output, limits, meets)
        if output is not None:  # a file is written under the bar; standard output after it
            emit(text, output, fmt)
    if output is None:
        emit(text, output, fmt)


def _render(
    grid: Any,
    fmt: str,
    heat: str | None,
    output: Path | None,
    budgets: Sequence[Budget] = (),
    meets: Sequence[Any] = (),
) -> str | Iterable[str]:
    """The output's text: in a charted format (HTML) a heatmap page, else the sweep
    report (the terminal's pivot; every configuration in the other layouts)."""
    from mncost.present.formats import CHARTED, LAYOUTS
    from mncost.present.views.pages import sweep_page
    from mncost.present.views.sweep import sweep_report

    note = _budget_note(grid, budgets, meets)
    if fmt in CHARTED:
        return report_text(sweep_page(grid, heat, budgets, meets, note), fmt, output)
    report = sweep_report(grid, full=LAYOUTS[fmt] != "terminal", pivot=heat)
    if note:
        report = replace(report, notes=[*report.notes, note])
    return report_text(report, fmt, output)


def _budget_note(grid: Any, budgets: Sequence[Budget], meets: Sequence[Any]) -> str:
    """How many configurations meet each budget and all of them."""
    if not budgets:
        return ""
    import numpy as np

    every = np.ones(grid.shape, dtype=bool)
    parts = []
    for b, m in zip(budgets, meets):
        every &= m
        parts.append(f"{b.kind.short} <= {b.with_unit}: {int(m.sum()):,}")
    return (
        f"Budgets: {int(every.sum()):,} of {grid.size:,} configurations meet every one ("
        + "; ".join(parts)
        + " meet each alone). `mncost choose` ranks the ones that meet them all."
    )
