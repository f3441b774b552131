"""The ``memory`` command: activation memory op by op, its peak, and the weight bytes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from mncost.cli.options import (
    ScenarioOptions,
    emit_report,
    memory_options,
    output_options,
    resolve_format,
    resolve_scenario,
    scenario_options,
    user_errors,
)

if TYPE_CHECKING:
    from mncost.cost.execution import Execution

__all__ = ["memory_command"]


@click.command(
    "memory",
    short_help="Activation memory per layer, its peak, and weight bytes.",
    epilog="""\b
Examples:
  mncost memory mobilenet-v2 --dtype int8 --dw-inplace   # MCUNetV2's 1,372 kB peak
  mncost memory mobilenet-v2 --dtype int8                # depthwise convs not in place
  mncost memory -a 0.5 -r 160 --dtype float16
  mncost memory --spec examples/tiny-cifar.yaml -o memory.html
  mncost memory mobilenet-v2 --dtype int8 -f json | jq .peak_activation_bytes
""",
)
@scenario_options
@memory_options(schedule=True)
@output_options()
def memory_command(
    scenario: ScenarioOptions, execution: Execution, fmt: str | None, output: Path | None
) -> None:
    """Activation memory of MODEL (default: mobilenet-v1) under layer-by-layer execution.

    For each op: the bytes it reads, the bytes it writes, and the bytes live while it
    runs (its inputs, its output and every earlier tensor a later op still reads; the
    network's input counts; batch norm and activations run fused, in place). Then the
    peak and the op where it occurs, the weight bytes, and the peak under the other
    --dw-inplace setting. Bytes are exact; tables show KiB (1,024 bytes).
    """
    from mncost.analysis.models import memory_scenario
    from mncost.cost.scaling import ScalingError
    from mncost.present.views.memory import memory_report

    fmt = resolve_format(fmt, output)
    chosen = resolve_scenario(scenario)
    with user_errors(ScalingError):
        result = memory_scenario(chosen, execution)
    emit_report(memory_report(result), fmt, output)
