"""ONNX benchmark: costing an ONNX file with mncost against onnx-tool's model_profile of
the same file, measured side by side in this run.

It writes ResNet-18 and ResNet-50 as ONNX files (``mncost export``: float32 weights,
about 47 MB and 102 MB), then times, for each file, interleaved, best of --runs:

- mncost: ``load_onnx(path, nest=False)`` and ``count()`` of the result (read, lower, count every
  layer), in this process, after the imports;
- onnx-tool: ``onnx_tool.model_profile(path)`` (its per-node MACs and params), the same
  way; its import time is reported apart;
- and, in a fresh process each, ``mncost table FILE.onnx -f csv`` against ``python -c
  "import onnx_tool; onnx_tool.model_profile(FILE)"``: what a user waits for.

Both count the same MACs (checked). Target (issue 15): mncost below onnx-tool on the
100 MB ResNet-50.

Usage: python benchmarks/onnx.py [--runs N]   (needs: pip install onnx-tool)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This file is benchmarks/onnx.py: run as a script, its folder comes first on sys.path and
# would shadow the onnx package itself. Take it off before anything imports onnx.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    try:
        import onnx_tool
    except ImportError:
        print("onnx-tool is not installed: pip install onnx-tool")
        return 2
    tool_import = time.perf_counter() - start

    import mncost
    from mncost.cost.result import count

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name in ("resnet-18", "resnet-50"):
            path = Path(tmp) / f"{name}.onnx"
            mncost.export_onnx(name, path)
            files[name] = path

        def ours(path: Path) -> int:
            return count(mncost.load_onnx(path, nest=False)).total.mult_adds

        import numpy as np

        shapes = {"input": np.zeros((1, 3, 224, 224), dtype=np.float32)}  # batch 1, as ours

        def theirs(path: Path) -> None:
            with contextlib.redirect_stdout(io.StringIO()):  # it prints its table
                onnx_tool.model_profile(str(path), shapes)

        print(f"onnx-tool's import: {tool_import:.2f} s (not counted below)")
        print(
            f"{'file':<16}{'MB':>7}{'mncost':>10}{'onnx-tool':>11}{'ratio':>8}"
            f"{'mncost CLI':>12}{'onnx-tool CLI':>15}{'ratio':>8}"
        )
        ok = True
        for name, path in files.items():
            ours(path)  # warm: the OS's file cache, numpy's and onnx's first calls
            theirs(path)
            t_ours = best(lambda p=path: ours(p), args.runs)
            t_theirs = best(lambda p=path: theirs(p), args.runs)
            mncost_cli = [sys.executable, "-m", "mncost", "table", str(path), "-f", "csv"]
            tool_cli = [
                sys.executable,
                "-c",
                "import numpy, onnx_tool; onnx_tool.model_profile("
                f"{str(path)!r}, {{'input': numpy.zeros((1, 3, 224, 224), 'float32')}})",
            ]
            cli_ours = best(lambda c=mncost_cli: _run(c), args.runs)
            cli_theirs = best(lambda c=tool_cli: _run(c), args.runs)
            size = path.stat().st_size / 1e6
            print(
                f"{name:<16}{size:>7.0f}{t_ours:>9.3f}s{t_theirs:>10.3f}s{t_theirs / t_ours:>7.1f}x"
                f"{cli_ours:>11.2f}s{cli_theirs:>14.2f}s{cli_theirs / cli_ours:>7.1f}x"
            )
            if name == "resnet-50":
                ok = t_ours < t_theirs
        print("ratio: onnx-tool's time / mncost's (above 1: mncost is faster)")
        print("OK" if ok else "MISSED the target (mncost slower than onnx-tool on ResNet-50)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
