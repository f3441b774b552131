"""The ``measure`` command: time models on this machine in onnxruntime, interleaved, and
write the CSV that ``mncost calibrate`` fits a device profile to.

The files it reads back and writes (the CSV's columns, resuming, the per-layer rows) come
from :mod:`mncost.cli.commands.measure_files`.
"""

import json
from pathlib import Path
from typing import Any

import click

from mncost.cli.commands.measure_files import (
    LAYER_COLUMNS,
    csv_text,
    layer_rows,
    layers_path,
    model_label,
    old_layer_rows,
    pick_anchors,
    read_existing,
    rescaled,
    sidecar_path,
)
from mncost.cli.commands.sweep import ProgressBar
from mncost.cli.files import INPUTS_KEY, OutputFile, check_output_path, emit_report, write_output
from mncost.cli.process import UserError, user_errors
from mncost.errors import OnnxImportError
from mncost.present.files import display_path

__all__ = ["measure_command"]


@click.command(
    "measure",
    short_help="Time models on this machine (onnxruntime), for `mncost calibrate`.",
    epilog="""\b
Examples:
  mncost measure mobilenet-v1 mobilenet-v2 --alpha 0.5,0.75,1 --res 128,160,224 -o measured.csv
  mncost calibrate measured.csv -o laptop.json
  mncost latency mobilenet-v2 -a 0.75 --device laptop.json
  mncost measure mine.onnx resnet-18 -o measured.csv    # adds to measured.csv
  mncost measure mobilenet-v2 --threads 4 --rounds 20 -o measured-4t.csv

\b
The CSV (model,alpha,resolution,latency_ms,spread_percent,runs) is what calibrate
reads; measured.csv.json beside it says where it was measured (CPU, cores, runtime
and version, threads, date, the run's agreement). A model file is named by its path
relative to the CSV's folder, and must lie inside it.
""",
)
@click.argument("models", nargs=-1, required=True, metavar="MODEL...")
@click.option(
    "--alpha",
    "-a",
    "alpha",
    default="1",
    show_default=True,
    metavar="RANGE",
    help="Width multipliers: start:stop:step, a list (0.5,0.75,1), or both.",
)
@click.option(
    "--res",
    "-r",
    "res",
    default=None,
    metavar="RANGE",
    help="Resolutions: start:stop:step, a list (128,160,224), or both [default: each model's own].",
)
@click.option(
    "--output",
    "-o",
    type=OutputFile(),
    required=True,
    metavar="FILE.csv",
    help="The CSV to write, atomically. If it exists, the configurations it holds are "
    "kept and not timed again (a run resumes); --fresh starts it anew.",
)
@click.option("--fresh", is_flag=True, help="Replace -o's measurements instead of adding to them.")
@click.option(
    "--runtime",
    type=click.Choice(["onnxruntime"]),
    default="onnxruntime",
    show_default=True,
    help="What runs the models: onnxruntime's CPU provider (pip install 'mncost[measure]').",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Intra-op and inter-op threads (1: what drifts least on a shared machine).",
)
@click.option(
    "--rounds",
    type=click.IntRange(2, 1000),
    default=12,
    show_default=True,
    help="Interleaved rounds: each times every model once, in a new shuffled order.",
)
@click.option(
    "--repeats",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Runs per model in a round (their median is the round's time).",
)
@click.option(
    "--warmup",
    type=click.IntRange(0, 1000),
    default=5,
    show_default=True,
    help="Untimed runs per model before the rounds.",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(0.001, 3600, min_open=False),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="A run that takes longer drops its configuration (one line; the rest go on).",
)
@click.option(
    "--per-layer",
    is_flag=True,
    help="Also time every layer with onnxruntime's profiler (10 runs per configuration, "
    "after the rounds) and write the times, mapped to mncost's ops, to "
    "MEASURED-layers.csv beside -o.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=0,
    show_default=True,
    help="Seed of the weights, the input and the rounds' order.",
)
def measure_command(
    models: tuple[str, ...],
    alpha: str,
    res: str | None,
    output: Path | None,
    fresh: bool,
    runtime: str,
    threads: int,
    rounds: int,
    repeats: int,
    warmup: int,
    timeout_s: float,
    per_layer: bool,
    seed: int,
) -> None:
    """Time each MODEL (a built-in name, a spec file or an ONNX file) at every --alpha and
    --res on this machine, and write the latencies to -o for `mncost calibrate`.

    Each configuration is built as ONNX (seeded random weights) and run in
    onnxruntime, batch 1, float32. Every session is opened and warmed up first; then
    the models are timed in interleaved rounds in shuffled order, and each round is
    divided by its common factor (the median over the models of their time in it over
    their median time), so that the machine's drift during the run falls out. The
    summary gives each model's median, spread and runs, and the run's agreement (each
    model's median over the odd rounds against the even ones). A configuration that
    fails or times out is one line on standard error; the others are kept.

    --per-layer profiles each configuration timed now, after the rounds, and maps
    onnxruntime's node times to mncost's ops: a node is the op its name starts with, so
    an activation or a residual add fused into a conv is timed as part of the conv (the
    add then shows no time of its own); layout reorders the runtime adds are a
    "(runtime)" row of their own.
    """
    from mncost.analysis.explore import ExploreError, parse_alphas, parse_resolutions
    from mncost.analysis.latency import _alpha_text
    from mncost.analysis.measure import (
        Config,
        MeasureError,
        OnnxRuntime,
        measure,
        profile_layers,
    )
    from mncost.analysis.scenario import model_ref
    from mncost.arch.load import SpecError
    from mncost.arch.registry import UnknownModelError
    from mncost.present.views.measure import measure_report

    if output is None:
        raise UserError(
            "-o - is not taken: measure writes a CSV that it can resume, with its sidecar; "
            "give a file (-o measured.csv)"
        )
    folder = output.parent
    refs = []
    ctx = click.get_current_context()
    for text in models:
        with user_errors(SpecError, OnnxImportError, UnknownModelError):
            ref = model_ref(text)
        if ref.path is not None:
            ctx.meta.setdefault(INPUTS_KEY, {})[ref.path] = "MODEL"
        refs.append(ref)
    check_output_path(output)
    with user_errors(ExploreError):
        alphas = parse_alphas(alpha)
        sizes = parse_resolutions(res) if res is not None else None
    configs: list[Config] = []
    seen = set()
    for ref in refs:
        label = model_label(ref, folder)
        own = ref.arch.resolution
        for r in sizes if sizes is not None else (own,):
            if r is None:
                raise UserError(
                    f"{display_path(ref.given)}: its input size is symbolic; give --res"
                )
            if not isinstance(r, int):
                raise UserError(
                    f"{label}: {r[0]}x{r[1]} is not square, and calibrate fits square "
                    "resolutions only; give --res R"
                )
            for a in alphas:
                c = Config(label, ref.arch, a, r)
                if c.key not in seen:
                    seen.add(c.key)
                    configs.append(c)
    old_rows: list[dict[str, str]] = []
    skipped = 0
    anchors: list[tuple[Config, float]] = []
    if output.exists() and not fresh:
        old_rows, points = read_existing(output)
        done = {(p.model, p.alpha, p.resolution) for p in points}
        before = len(configs)
        configs = [c for c in configs if c.key not in done]
        skipped = before - len(configs)
        anchors = pick_anchors(points)
    if not configs:
        click.echo(
            f"nothing to time: {display_path(output)} holds all {skipped} configurations "
            "already (--fresh times them anew)",
            err=True,
        )
        return
    with user_errors(MeasureError):
        rt = OnnxRuntime()
        with ProgressBar() as bar:
            result = measure(
                configs + [c for c, _ in anchors] if configs else [],
                rt,
                threads=threads,
                rounds=rounds,
                repeats=repeats,
                warmup=warmup,
                timeout_s=timeout_s,
                seed=seed,
                progress=bar,
            )
    result, scale = rescaled(result, anchors)
    profiled: list[Any] = []
    if per_layer and result.timings:
        with user_errors(MeasureError), ProgressBar() as bar:
            profiled, failed = profile_layers(
                [t.config for t in result.timings],
                rt,
                threads=threads,
                timeout_s=timeout_s,
                progress=bar,
            )
        for f in failed:
            click.echo(f"mncost measure: {f.config.describe()}: {f.reason}", err=True)
    for f in result.failures:
        click.echo(f"mncost measure: {f.config.describe()}: {f.reason}", err=True)
    if not result.timings:
        raise UserError(f"no configuration could be timed ({len(result.failures)} failed)")
    new_rows = [
        {
            "model": t.config.model,
            "alpha": _alpha_text(t.config.alpha),
            "resolution": str(t.config.resolution),
            "latency_ms": f"{t.latency_ms:.4f}",
            "spread_percent": f"{t.spread_percent:.2f}",
            "runs": str(t.runs),
        }
        for t in result.timings
    ]
    write_output(output, csv_text(old_rows + new_rows))
    side = sidecar_path(output)
    runs: list[Any] = []
    if old_rows and side.is_file() and not side.is_symlink():
        try:
            previous = json.loads(side.read_text(encoding="utf-8")[: 1 << 20])
            if isinstance(previous, dict) and isinstance(previous.get("runs"), list):
                runs = previous["runs"][-100:]
        except (OSError, ValueError):
            runs = []  # a sidecar we cannot read is replaced, never trusted
    runs.append(
        {
            **result.environment,
            "configurations": len(result.timings),
            "failed": len(result.failures),
            "rounds": result.rounds,
            "repeats": result.repeats,
            "warmup": warmup,
            "normalised": result.normalised,
            "agreement_median_percent": None
            if result.agreement_percent is None
            else round(result.agreement_percent[0], 3),
            "agreement_max_percent": None
            if result.agreement_percent is None
            else round(result.agreement_percent[1], 3),
            "drift_min": None if result.drift is None else round(result.drift[0], 4),
            "drift_max": None if result.drift is None else round(result.drift[1], 4),
            "scaled_to_earlier_run": None if scale is None else round(scale[0], 4),
        }
    )
    sidecar = {"format": "mncost-measurements", "version": 1, "csv": output.name, "runs": runs}
    write_output(side, json.dumps(sidecar, indent=2, allow_nan=False) + "\n")
    click.echo(
        f"wrote {display_path(output.resolve())} ({len(new_rows)} timed now"
        + (f", {len(old_rows)} kept" if old_rows else "")
        + f") and {display_path(side.resolve())}",
        err=True,
    )
    if profiled:
        target = layers_path(output)
        rows = layer_rows(profiled)
        replaced = {(r["model"], r["alpha"], r["resolution"]) for r in rows}
        kept = old_layer_rows(target, fresh, replaced)
        check_output_path(target)
        write_output(target, csv_text(kept + rows, LAYER_COLUMNS))
        click.echo(
            f"wrote {display_path(target.resolve())} (per layer: {len(profiled)} configuration(s))",
            err=True,
        )
    emit_report(measure_report(result, skipped, scale, profiled), "table", None)
