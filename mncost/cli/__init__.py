"""The ``mncost`` command line: a thin layer that parses, calls the library and renders."""

from __future__ import annotations

import gc

import click

from mncost import __version__
from mncost.cli.commands.core import models_command, schema_command, table_command
from mncost.cli.process import MncostGroup

__all__ = ["cli", "main"]


@click.group(
    cls=MncostGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  mncost table --alpha 0.75 --res 160     per-layer cost of 0.75 MobileNet-160
  mncost table mobilenet-v2 -a 1.4        any built-in model (mncost models)
  mncost table --spec my-net.yaml -o my-net.html
  mncost memory mobilenet-v2 --dtype int8 --dw-inplace     peak activation memory
  mncost latency mobilenet-v2 --device pixel1-cpu          estimated latency
  mncost measure mobilenet-v2 --alpha 0.5,1 -o measured.csv time it on this machine
  mncost sweep mobilenet-v2 --alpha 0.35:1.4:0.05 -o sweep.html
  mncost choose --max-macs 300M --max-peak-bytes 512KB --dtype int8
  mncost compare mobilenet-v1@0.75/160 mobilenet-v2@1.0/128
  mncost table my-model.onnx --res 320x240   your own network, exported to ONNX
  mncost export mobilenet-v2 -a 0.75 -o mnv2.onnx   any model as a runnable ONNX file
  mncost import my-model.onnx -o my-model.yaml      an ONNX graph as an editable spec
  mncost reproduce                        audit every cost figure of the paper
  mncost verify --alpha 0.5 --res 128     cross-check against PyTorch (optional extra)
  mncost plot pareto --highlight 0.75/160 accuracy vs cost of published models
  mncost report -a 0.75 -r 160 -o review.html
  mncost schema                           the spec-file format for --spec

Run 'mncost COMMAND --help' for a command's options.""",
)
@click.version_option(__version__, "--version", "-V", prog_name="mncost")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Exact mult-adds, parameters and memory of MobileNets and their peers under
    width (alpha) and resolution (rho) multipliers, with no framework and no weights;
    latency and accuracy estimates; and which model and (alpha, R) to ship under a
    budget.

    Mult-adds are multiply-accumulates (MACs); FLOPs, when shown, are 2 x MACs.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


for _command in (table_command, models_command, schema_command):
    cli.add_command(_command)

# Commands whose modules are imported only when they run, to keep start-up fast.
# `mncost --help` imports them all (for each one's line of help), so a command module
# imports at its top only what --help loads anyway (the cli modules, text, scaling,
# present.files, the leaves); analysis and views are imported inside the command.
cli.lazy_commands.update(
    {
        "layer": "mncost.cli.commands.layer:layer_command",
        "memory": "mncost.cli.commands.memory:memory_command",
        "reproduce": "mncost.cli.commands.reproduce:reproduce_command",
        "verify": "mncost.cli.commands.verify:verify_command",
        "published": "mncost.cli.commands.published:published_command",
        "plot": "mncost.cli.commands.plot:plot_group",
        "report": "mncost.cli.commands.report:report_command",
        "latency": "mncost.cli.commands.latency:latency_command",
        "calibrate": "mncost.cli.commands.calibrate:calibrate_command",
        "measure": "mncost.cli.commands.measure:measure_command",
        "sweep": "mncost.cli.commands.sweep:sweep_command",
        "choose": "mncost.cli.commands.choose:choose_command",
        "compare": "mncost.cli.commands.compare:compare_command",
        "export": "mncost.cli.commands.export:export_command",
        "import": "mncost.cli.commands.import_:import_command",
    }
)


def main() -> None:
    """Console-script entry point (``mncost`` and ``python -m mncost``)."""
    # One command, then the process exits: the cyclic collector is off while it runs.
    # Counting a deep spec builds millions of tuples and records that live until the
    # end, and the collector scanned them again and again for nothing: a third of
    # `mncost table` on a 100,000-layer spec (benchmarks/layers.py). What mncost
    # allocates is freed by reference counting; its peak memory was the same either
    # way (report, sweep, reproduce, verify, measured with /usr/bin/time). Tests drive
    # `cli` directly, never this, so a test process keeps its collector.
    gc.disable()
    try:
        cli.main(prog_name="mncost")
    finally:
        # The process is about to exit. Its objects (hundreds of modules, pydantic's
        # schemas) are freed as the interpreter shuts down, but first the interpreter
        # runs a full cyclic collection over all of them: a sixth of `mncost table`'s
        # run time, and it frees nothing a process that is exiting needs. Frozen objects
        # are left out of it (benchmarks/startup.py). Tests drive `cli` directly, never
        # this, so a test process is never frozen.
        gc.freeze()
