"""Start-up benchmark: `mncost table --alpha 0.75 --res 160` against a baseline run in the
same session, `python -c "import click, rich, pydantic"` (the floor any CLI built on those
packages pays). Prints medians and their ratio; the target is a ratio <= 2.0, which holds
only if pandas, plotly and numpy stay off the `table` path.

mncost's modules are byte-compiled first, as `pip install` does: the baseline's packages
were compiled when they were installed, and an editable install under
PYTHONDONTWRITEBYTECODE (set on some machines) would otherwise recompile mncost from
source on every run and measure the compiler instead of mncost.

Usage: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import click, rich, pydantic"]
COMMAND = [sys.executable, "-m", "mncost", "table", "--alpha", "0.75", "--res", "160"]
TARGET = 2.0


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    args = parser.parse_args()
    import compileall
    from pathlib import Path

    import mncost

    compileall.compile_dir(str(Path(mncost.__file__).parent), quiet=1)
    for cmd in (BASELINE, COMMAND):  # warm the file cache; not timed
        _time(cmd)
    base, ours = [], []
    for _ in range(args.runs):  # interleaved, so drift in machine load hits both alike
        base.append(_time(BASELINE))
        ours.append(_time(COMMAND))
    b, o = statistics.median(base), statistics.median(ours)
    ratio = o / b
    print(
        f"baseline  import click, rich, pydantic     median {b * 1000:7.1f} ms  ({args.runs} runs)"
    )
    print(
        f"mncost    table --alpha 0.75 --res 160      median {o * 1000:7.1f} ms  ({args.runs} runs)"
    )
    print(
        f"ratio     {ratio:.2f}  (target <= {TARGET})  {'OK' if ratio <= TARGET else 'OVER TARGET'}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
