"""Layer-count benchmark: the commands' time grows linearly with the number of layers.

It writes chain specs of 5,000, 40,000 and 100,000 layers (a stem conv, then alternating
depthwise and pointwise convs, a pool and a classifier; the largest is about 3.6 MB,
within the 10 MiB spec limit), then times, each in a fresh process as a user runs it:

- the baseline: reading the spec (``python -c "load_spec(path)"``: start-up, import and
  the validated spec, nothing counted);
- ``mncost table``, ``memory``, ``latency --device pixel1-cpu``, ``sweep`` (2 alphas x 2
  resolutions) and ``report`` (an HTML page), output to a file.

Each figure is the best of --runs runs (default 3), interleaved. It prints each time,
its ratio to the baseline of the same spec, and the ratio of 40,000 to 5,000 layers.
Targets (issue 14): 40k / 5k at most 10x (linear is 8x); at 100,000 layers, each command
within 3x the time of reading the spec.

Usage: python benchmarks/layers.py [--runs N] [--sizes 5000,40000,100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "table": ["table"],
    "memory": ["memory"],
    "latency": ["latency", "--device", "pixel1-cpu"],
    "sweep": ["sweep", "--alpha", "0.5,1", "--res", "32,64"],
    "report": ["report"],
}
TARGET_GROWTH = 10.0
TARGET_OF_LOAD = 3.0


def write_spec(folder: Path, n: int) -> Path:
    layers: list[dict[str, object]] = [
        {"kind": "conv", "name": "c0", "kernel": 3, "stride": 2, "filters": 8}
    ]
    for i in range(n - 3):
        layers.append(
            {"kind": "dw", "name": f"d{i}"}
            if i % 2 == 0
            else {"kind": "pw", "name": f"p{i}", "filters": 8}
        )
    layers += [{"kind": "avgpool", "name": "pool"}, {"kind": "fc", "name": "fc"}]
    path = folder / f"chain{n}.json"
    spec = {"name": f"chain{n}", "resolution": 32, "classes": 10, "layers": layers}
    path.write_text(json.dumps(spec, separators=(",", ":")))
    return path


def run(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="5000,40000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    mncost = [sys.executable, "-m", "mncost"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        specs = {n: write_spec(folder, n) for n in sizes}
        best: dict[tuple[int, str], float] = {}
        jobs: list[tuple[int, str, list[str]]] = []
        for n, path in specs.items():
            load = f"from mncost.arch.load import load_spec; load_spec({str(path)!r})"
            jobs.append((n, "load", [sys.executable, "-c", load]))
            for name, argv in COMMANDS.items():
                out = folder / f"{name}{n}.{'html' if name == 'report' else 'txt'}"
                jobs.append((n, name, [*mncost, *argv, "--spec", str(path), "-o", str(out)]))
        for _ in range(args.runs):  # interleaved: a drift in the machine's speed hits all
            for n, name, argv in jobs:
                t = run(argv)
                best[n, name] = min(t, best.get((n, name), t))
    names = ["load", *COMMANDS]
    print(f"{'layers':>8}" + "".join(f"{name:>16}" for name in names))
    for n in sizes:
        load = best[n, "load"]
        cells = [f"{load:>14.2f} s"] + [
            f"{best[n, name]:>7.2f} s {best[n, name] / load:>4.1f}x" for name in COMMANDS
        ]
        print(f"{n:>8,}" + "".join(f"{c:>16}" for c in cells))
    print("(each command: seconds, and its ratio to reading the same spec)")
    ok = True
    if 5000 in specs and 40000 in specs:
        growth = {name: best[40000, name] / best[5000, name] for name in COMMANDS}
        print(
            "40,000 / 5,000 layers: "
            + ", ".join(f"{name} {g:.1f}x" for name, g in growth.items())
            + f" (target <= {TARGET_GROWTH:.0f}x; linear 8x)"
        )
        ok &= all(g <= TARGET_GROWTH for g in growth.values())
    largest = max(sizes)
    worst = max(best[largest, name] / best[largest, "load"] for name in COMMANDS)
    print(
        f"{largest:,} layers: every command within {worst:.1f}x of reading the spec "
        f"(target <= {TARGET_OF_LOAD:.0f}x)"
    )
    ok &= worst <= TARGET_OF_LOAD
    print("OK" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
