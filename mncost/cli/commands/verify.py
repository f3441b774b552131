"""The ``verify`` command: mncost's per-layer counts checked against PyTorch's own."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mncost.cli.files import emit_report, output_options, resolve_format
from mncost.cli.options import ScenarioOptions, resolve_scenario, scenario_options
from mncost.cli.process import UserError, user_errors
from mncost.cost.scaling import ScalingError
from mncost.errors import NestError
from mncost.text import can_encode, quote

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["verify_command"]


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except ValueError:  # closed
        return False


class _Progress:
    """What ``verify`` is doing, shown on a terminal while PyTorch loads and measures.

    Importing PyTorch and running the network take seconds; a spinner with the stage
    and the elapsed time says the command is alive. It is drawn on stderr, only when
    stderr is a terminal, and erased when done: nothing reaches a pipe, a file or the
    report (JSON and CSV are on stdout).
    """

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if _stderr_is_terminal():
            from rich.console import Console
            from rich.progress import (
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            # Braille dots where stderr can show them, an ASCII line spinner where not.
            dots = can_encode("⠋", getattr(sys.stderr, "encoding", None) or "utf-8")
            self._progress = Progress(
                SpinnerColumn("dots" if dots else "line"),
                TextColumn("{task.description}", markup=False),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    @contextlib.contextmanager
    def shown(self, first: str) -> Iterator[_Progress]:
        """Draw the progress line, starting at stage ``first``, for the duration of the
        block (a no-op off a terminal)."""
        if self._progress is None:
            yield self
            return
        with self._progress:
            self._task = self._progress.add_task(first, total=None)
            yield self

    def stage(self, text: str) -> None:
        """Show ``text`` as what is happening now."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)


@click.command(
    "verify",
    short_help="Check mncost's per-layer counts against PyTorch's.",
    epilog="""\b
Examples:
  mncost verify                              # MobileNet v1, alpha 1, 224x224
  mncost verify --alpha 0.35 --res 97        # any alpha and resolution
  mncost verify --spec examples/tiny-cifar.yaml --bn all
  mncost verify -a 0.5 -f json | jq .verdict
\b
Exit code: 0 when every layer agrees; 1 on a mismatch (or a layer PyTorch
cannot run); 2 on bad input, or without PyTorch (pip install 'mncost[torch]').
""",
)
@scenario_options
@output_options()
@click.pass_context
def verify_command(
    ctx: click.Context, scenario: ScenarioOptions, fmt: str | None, output: Path | None
) -> None:
    """Build MODEL (default: mobilenet-v1) as a PyTorch network and compare, layer by
    layer, mncost's mult-adds, parameters and output shapes with PyTorch's own.

    PyTorch's side shares only the spec and the channel rounding rule with mncost: shapes
    come from its forward pass (on the meta device, so no weights are allocated), MACs
    from torch.utils.flop_counter.FlopCounterMode (FLOPs / 2) and parameters from the
    modules, counted under the same batch-norm and FC-bias conventions. Prints a row per
    layer and a one-line verdict.
    """
    from mncost.analysis.verify import (
        INSTALL_COMMAND,
        TorchFailed,
        TorchMissing,
        UnsupportedLayer,
        verify,
    )
    from mncost.analysis.verify.torch_model import require_torch
    from mncost.arch.ops import Architecture
    from mncost.present.views.verify import verify_report

    fmt = resolve_format(fmt, output)
    chosen = resolve_scenario(scenario)
    if not isinstance(chosen.arch, Architecture):
        chosen = _nested(chosen)
    try:
        # Loading PyTorch is most of a first run's time: a stage of its own.
        with (
            user_errors(ScalingError, UnsupportedLayer),
            _Progress().shown("Loading PyTorch") as progress,
        ):
            require_torch()
            progress.stage(
                f"Building {quote(chosen.arch.name)} in PyTorch and measuring each layer"
            )
            assert isinstance(chosen.arch, Architecture)  # a graph is nested above
            check = verify(
                chosen.arch, chosen.alpha, chosen.resolution, chosen.classes, chosen.conventions
            )
    except TorchMissing:
        raise UserError(f"PyTorch is not installed; install it with: {INSTALL_COMMAND}") from None
    except TorchFailed as exc:
        # Not bad input: mncost counted a layer that PyTorch cannot run, a disagreement.
        click.echo(f"{ctx.command_path}: MISMATCH: {exc}", err=True)
        ctx.exit(1)
    emit_report(verify_report(check), fmt, output)
    if not check.ok:
        ctx.exit(1)


def _nested(chosen: Any) -> Any:
    """An imported graph's scenario with the graph replaced by its nested spec (what
    ``mncost import`` writes), once the spec counts as the graph does at this very
    configuration: PyTorch builds the spec, so it checks the graph."""
    from dataclasses import replace

    from mncost.analysis.onnx_spec import spec_of_graph

    try:
        with user_errors(ScalingError):
            arch = spec_of_graph(
                chosen.arch, chosen.alpha, chosen.resolution, chosen.classes, chosen.conventions
            )
    except NestError as exc:
        raise UserError(
            f"verify builds a spec's layers in PyTorch, and {chosen.origin} does not nest "
            f"into a spec: {exc}"
        ) from None
    click.echo(
        f"verify: {chosen.origin} is built in PyTorch from its nested spec (mncost import), "
        "which counts as the graph does here",
        err=True,
    )
    return replace(chosen, arch=arch)
