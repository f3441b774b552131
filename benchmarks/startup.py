"""Start-up benchmark: each command a user types, against a floor measured in the same run.

The floor is ``python -c "import click, rich, pydantic"``: what any command line built
on those packages pays to start. Each command runs in a fresh process, interleaved with
the floor (so a drift in the machine's speed hits both), and its median is divided by
the floor's median. Targets (issue 14):

- ``mncost table --alpha 0.75 --res 160``: at most 2.0x;
- ``mncost --help``: at most 1.5x;
- ``mncost plot pareto -o FILE.html`` and ``mncost report -o FILE.html``: at most 5x.

It also reports pydantic's own share: ``from pydantic import BaseModel`` alone, which
any spec-language built on pydantic pays and the floor (whose ``import pydantic`` is
lazy) does not.

Then the first call: in a fresh process that has imported mncost and counted one model,
the time of the first ``mncost.cost(MODEL)`` of each other built-in model; MobileNet v1's
against the median of the others' (target: at most 1.5x).

mncost's modules are byte-compiled first, as ``pip install`` does: the floor's packages
were compiled when they were installed, and an editable install under
PYTHONDONTWRITEBYTECODE would otherwise recompile mncost on every run.

Usage: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = [sys.executable, "-c", "import click, rich, pydantic"]
PYDANTIC = [sys.executable, "-c", "import click; from pydantic import BaseModel"]
MNCOST = [sys.executable, "-m", "mncost"]
TARGETS = {"table": 2.0, "--help": 1.5, "plot pareto": 5.0, "report": 5.0}
FIRST_CALL_TARGET = 1.5

_FIRST_CALL = """
import sys, time
import mncost
mncost.cost("resnet-18", resolution=32)  # imports, the registry, the engine: paid once
start = time.perf_counter()
mncost.cost(sys.argv[1])
print(time.perf_counter() - start)
"""


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="timed runs of each (default 11)")
    args = parser.parse_args()
    import compileall

    import mncost

    compileall.compile_dir(str(Path(mncost.__file__).parent), quiet=1)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "table": [*MNCOST, "table", "--alpha", "0.75", "--res", "160"],
            "--help": [*MNCOST, "--help"],
            "plot pareto": [*MNCOST, "plot", "pareto", "-o", f"{tmp}/pareto.html"],
            "report": [*MNCOST, "report", "-o", f"{tmp}/review.html"],
        }
        every = {"floor": FLOOR, "pydantic": PYDANTIC, **commands}
        for cmd in every.values():  # warm the file cache; not timed
            _time(cmd)
        times: dict[str, list[float]] = {name: [] for name in every}
        for _ in range(args.runs):
            for name, cmd in every.items():
                times[name].append(_time(cmd))
    floor = statistics.median(times["floor"])
    print(f"{'':<14}{'median':>10}{'x floor':>9}  target")
    for name in every:
        median = statistics.median(times[name])
        ratio = median / floor
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else (f"<= {target}  " + ("OK" if ratio <= target else "MISSED"))
        )
        print(f"{name:<14}{median * 1000:>8.1f} ms{ratio:>8.2f}x  {verdict}")
        if target is not None:
            ok &= ratio <= target
    print("(floor: python -c 'import click, rich, pydantic'; pydantic: its BaseModel alone)")
    first = {}
    for entry in mncost.list_models():
        runs = [
            float(subprocess.run([sys.executable, "-c", _FIRST_CALL, entry.name], check=True,
                                 capture_output=True, text=True).stdout)
            for _ in range(3)
        ]  # fmt: skip
        first[entry.name] = min(runs)
    others = statistics.median(v for k, v in first.items() if k != "mobilenet-v1")
    ratio = first["mobilenet-v1"] / others
    print(
        f"first mncost.cost() in a process: mobilenet-v1 {first['mobilenet-v1'] * 1000:.1f} ms, "
        f"the other models' median {others * 1000:.1f} ms: {ratio:.2f}x "
        f"(target <= {FIRST_CALL_TARGET}) {'OK' if ratio <= FIRST_CALL_TARGET else 'MISSED'}"
    )
    ok &= ratio <= FIRST_CALL_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
