"""The files ``mncost measure`` reads and writes: the measurements CSV (its columns, read
back to resume a run, with up to :data:`MAX_ANCHORS` of its configurations timed again
so that a resumed run is scaled to the earlier one), the per-layer CSV (its rows, and
the earlier run's rows to keep) and where each file and the sidecar go.

Cut from :mod:`mncost.cli.commands.measure`, the command, which parses, times and
writes through these.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import click

from mncost.bounded import BoundedReadError, read_bounded
from mncost.cli.process import UserError, user_errors
from mncost.present.files import display_path
from mncost.text import escape_controls

__all__ = [
    "COLUMNS",
    "LAYER_COLUMNS",
    "MAX_ANCHORS",
    "RUNTIME_LAYER",
    "csv_text",
    "layer_rows",
    "layers_path",
    "model_label",
    "old_layer_rows",
    "pick_anchors",
    "read_existing",
    "rescaled",
    "sidecar_path",
]

COLUMNS = ("model", "alpha", "resolution", "latency_ms", "spread_percent", "runs")
"""The measurements CSV's header: what ``mncost calibrate`` reads."""


LAYER_COLUMNS = (
    "model",
    "alpha",
    "resolution",
    "layer",
    "type",
    "mult_adds",
    "ms",
    "run_ms",
    "nodes",
)
RUNTIME_LAYER = "(runtime)"
"""The layer name of a configuration's nodes that map to no op (layout reorders)."""


def layers_path(csv_path: Path) -> Path:
    """Where ``--per-layer`` writes its times: ``measured-layers.csv`` beside
    ``measured.csv``."""
    return csv_path.with_name(f"{csv_path.stem}-layers.csv")


def layer_rows(profiled: list[Any]) -> list[dict[str, str]]:
    """The per-layer CSV's rows; names (a stranger's spec or graph may hold any) as a
    spreadsheet shows them safely: control characters escaped, no formula."""
    from mncost.analysis.latency import _alpha_text
    from mncost.present.render import csv_safe

    def text(value: str) -> str:
        return str(csv_safe(escape_controls(value)))

    rows = []
    for p in profiled:
        c, t = p.config, p.times
        key = {
            "model": text(c.model),
            "alpha": _alpha_text(c.alpha),
            "resolution": str(c.resolution),
        }
        run = f"{t.run_ms:.4f}"
        for layer, macs in zip(t.layers, p.mult_adds):
            rows.append(
                {
                    **key,
                    "layer": text(layer.name),
                    "type": text(layer.type),
                    "mult_adds": str(macs),
                    "ms": "" if layer.ms is None else f"{layer.ms:.5f}",
                    "run_ms": run,
                    "nodes": text(" ".join(layer.nodes)),
                }
            )
        rows.append(
            {
                **key,
                "layer": RUNTIME_LAYER,
                "type": "runtime nodes",
                "mult_adds": "0",
                "ms": f"{t.runtime_ms:.5f}",
                "run_ms": run,
                "nodes": text(" ".join(t.runtime_nodes)),
            }
        )
    return rows


def old_layer_rows(
    path: Path, fresh: bool, replaced: set[tuple[str, str, str]]
) -> list[dict[str, str]]:
    """The rows of an earlier --per-layer run to keep: those of configurations not
    profiled again now. A file that is not such a CSV is replaced, and said so."""
    if fresh or not path.exists():
        return []
    try:
        text = read_bounded(path, 64 * 2**20, "per-layer CSV").decode("utf-8")
        reader = csv.DictReader(io.StringIO(text))
        if tuple(reader.fieldnames or ()) != LAYER_COLUMNS:
            raise ValueError("its header is not measure's")
        rows = [row for row in reader]
    except (BoundedReadError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        click.echo(f"mncost measure: {display_path(path)} is replaced: {str(exc)[:120]}", err=True)
        return []
    return [r for r in rows if (r["model"], r["alpha"], r["resolution"]) not in replaced]


def sidecar_path(csv_path: Path) -> Path:
    """Where a measurements CSV says where it was measured: ``measured.csv.json``."""
    return csv_path.with_name(csv_path.name + ".json")


def model_label(ref: Any, folder: Path) -> str:
    """How the CSV names a model: a built-in's name, or a file's path relative to the
    CSV's folder (calibrate reads model files only from inside it)."""
    if ref.path is None:
        return str(ref.registered or ref.given)
    try:
        relative = Path(os.path.relpath(ref.path.resolve(), folder.resolve()))
    except ValueError:  # another drive
        relative = Path("..")
    if relative.parts and relative.parts[0] == "..":
        raise UserError(
            f"{display_path(ref.given)} lies outside the CSV's folder "
            f"({display_path(folder)}); calibrate reads model files only from inside it: "
            "write the CSV beside the model, or the model beside the CSV"
        )
    return relative.as_posix()


def read_existing(path: Path) -> tuple[list[dict[str, str]], list[Any]]:
    """A CSV to resume: its rows as written, and its measurements (checked as calibrate
    checks them, so a bad file stops here, before anything is timed)."""
    from mncost.analysis.latency import MAX_MEASUREMENT_BYTES, LatencyError, read_measurements

    with user_errors(LatencyError, BoundedReadError):
        points = read_measurements(path)
        text = read_bounded(path, MAX_MEASUREMENT_BYTES, "measurements file").decode("utf-8")
    rows = [
        {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]
    return rows, points


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> str:
    """``rows`` as CSV text under ``columns`` (a missing value is empty)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


MAX_ANCHORS = 8
"""At most this many of a resumed CSV's configurations are timed again."""


def pick_anchors(points: list[Any]) -> list[tuple[Any, float]]:
    """Up to eight configurations the CSV holds, evenly spread from its fastest to its
    slowest, timed again beside the new ones: the machine's speed differs from one run
    to the next, so a resumed run is scaled to the earlier one by their times."""
    from mncost.analysis.measure import Config
    from mncost.arch.registry import get_model

    if not points:
        return []
    ordered = sorted(points, key=lambda p: p.latency_ms)
    n = min(MAX_ANCHORS, len(ordered))
    picks = sorted({round(k * (len(ordered) - 1) / max(1, n - 1)) for k in range(n)})
    out = []
    for k in picks:
        p = ordered[k]
        arch = p.architecture if p.architecture is not None else get_model(p.model)
        out.append((Config(p.model, arch, p.alpha, p.resolution), p.latency_ms))
    return out


def rescaled(result: Any, anchors: list[tuple[Any, float]]) -> tuple[Any, tuple[float, int] | None]:
    """The new timings scaled to the CSV's earlier run (the median of the anchors' earlier
    over their new times), the anchors left out; and (the factor, anchors used)."""
    from dataclasses import replace

    from mncost.analysis.measure import median

    if not anchors:
        return result, None
    keys = {c.key: ms for c, ms in anchors}
    again = [t for t in result.timings if t.config.key in keys]
    rest = tuple(t for t in result.timings if t.config.key not in keys)
    failures = tuple(f for f in result.failures if f.config.key not in keys)
    if not again:
        return replace(result, timings=rest, failures=failures), None
    factor = median([keys[t.config.key] / t.latency_ms for t in again])
    scaled = tuple(replace(t, latency_ms=t.latency_ms * factor) for t in rest)
    return replace(result, timings=scaled, failures=failures), (factor, len(again))
