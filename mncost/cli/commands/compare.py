"""The ``compare`` command: two configurations side by side, B - A."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mncost.cli.files import emit_report, output_options, resolve_format
from mncost.cli.options import device_option, memory_options
from mncost.cli.params import ParamType
from mncost.cli.process import user_errors
from mncost.cost.scaling import ScalingError
from mncost.errors import ExploreError, OnnxImportError

if TYPE_CHECKING:
    from mncost.cost.execution import Execution

__all__ = ["ConfigArgument", "compare_command"]


class ConfigArgument(ParamType):
    """MODEL[@ALPHA[/RES]], read and checked (:func:`mncost.analysis.compare.parse_config`)."""

    name = "MODEL[@ALPHA[/RES]]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mncost.analysis.scenario import Config, parse_config
        from mncost.arch.load import SpecError
        from mncost.arch.registry import UnknownModelError

        if isinstance(value, Config):
            return value
        try:
            return parse_config(value)
        except (ExploreError, SpecError, OnnxImportError, UnknownModelError) as exc:
            self.fail(str(exc), param, ctx)


@click.command(
    "compare",
    short_help="Two configurations side by side: MACs, params, memory, latency, top-1 (B - A).",
    epilog="""\b
A configuration is MODEL[@ALPHA[/RES]]: a model (a built-in name from 'mncost models', a
spec file or an ONNX file), its width multiplier (default 1) and its resolution, R or HxW
(default: the model's own).

\b
Examples:
  mncost compare mobilenet-v1@0.75/160 mobilenet-v2@1.0/128
  mncost compare mobilenet-v2@1.4 mobilenet-v3-large --device pixel1-cpu
  mncost compare mobilenet-v2 mobilenet-v2@0.5/224 --dtype int8 --dw-inplace
  mncost compare mobilenet-v1 mobilenet-v2 -f json | jq .total.mult_adds
  mncost compare mine.onnx@0.5/160 mobilenet-v2@1.0/128
""",
)
@click.argument("a", type=ConfigArgument(), metavar="A")
@click.argument("b", type=ConfigArgument(), metavar="B")
@memory_options()
@device_option()
@output_options()
def compare_command(
    a: Any,
    b: Any,
    execution: Execution,
    device: str | Path | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Configurations A and B side by side: mult-adds, params and weight bytes by layer
    type and in total, the peak activation memory, the estimated latency (--device) and
    top-1 where there are published checkpoints. Every difference is B - A; every
    relative difference is (B - A) / A.
    """
    from mncost.analysis.compare import compare
    from mncost.analysis.latency import LatencyError, resolve_device
    from mncost.present.views.compare import compare_report

    fmt = resolve_format(fmt, output)
    profile = None
    if device is not None:
        with user_errors(LatencyError):
            profile = resolve_device(device)
    with user_errors(ScalingError):
        comparison = compare(a, b, execution=execution, profile=profile)
    emit_report(compare_report(comparison), fmt, output)
