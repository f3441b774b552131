"""Sweep benchmark: configurations per second of the vectorised sweep against
``mncost.cost`` called in a loop, both measured in this run.

For MobileNet v1 and v2 it times:
- ``mncost.cost(model, alpha, resolution).total`` over 2,000 configurations drawn from the
  grid, once with the interpreter's per-alpha and per-resolution plans cached as a long
  session has them ("warm") and once with every cache cleared before each call ("cold");
- the sweep over 1,000 alphas x 1,000 resolutions (10**6 configurations): the engine's
  grid of exact int64 totals, and ``mncost.sweep`` returning a pandas DataFrame.
It checks a sample of the sweep against ``mncost.cost`` exactly, then prints rates and
ratios. Targets: >= 10**6 configs/s for the sweep, <= 50 us per cold ``mncost.cost`` call
on v1.

Usage: python benchmarks/sweep.py [--alphas N] [--resolutions N]
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from fractions import Fraction

import mncost
from mncost.cost.sweep import grid

_geometry = importlib.import_module("mncost.cost.geometry")

TARGET_RATE = 1_000_000
TARGET_CALL_US = 50.0


def _clear_caches() -> None:
    _geometry._width_plan.cache_clear()
    _geometry._spatial_plan.cache_clear()


def _per_call(model: str, configs: list[tuple[Fraction, int]], cold: bool) -> float:
    mncost.cost(model)  # registry and program built once, as in any session
    start = time.perf_counter()
    for alpha, res in configs:
        if cold:
            _clear_caches()
        mncost.cost(model, alpha, res).total
    return (time.perf_counter() - start) / len(configs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", type=int, default=1000)
    parser.add_argument("--resolutions", type=int, default=1000)
    args = parser.parse_args()
    alphas = [Fraction(250 + k * 1150 // args.alphas, 1000) for k in range(args.alphas)]
    resolutions = [96 + k for k in range(args.resolutions)]
    n = len(alphas) * len(resolutions)
    rng = random.Random(1)
    configs = [(rng.choice(alphas), rng.choice(resolutions)) for _ in range(2000)]
    ok = True
    print(f"{'model':<14}{'cost() warm':>14}{'cost() cold':>14}{'grid':>16}{'DataFrame':>16}"
          f"{'grid/loop':>12}")
    for model in ("mobilenet-v1", "mobilenet-v2"):
        warm = _per_call(model, configs, cold=False)
        cold = _per_call(model, configs, cold=True)
        arch = mncost.get_model(model)
        _clear_caches()
        start = time.perf_counter()
        totals = grid(arch, alphas, resolutions)
        grid_s = time.perf_counter() - start
        _clear_caches()
        start = time.perf_counter()
        mncost.sweep(model, alphas, resolutions)
        frame_s = time.perf_counter() - start
        for alpha, res in configs[:200]:
            i, j = alphas.index(alpha), resolutions.index(res)
            exact = mncost.cost(model, alpha, res).total
            if (int(totals["mult_adds"][i, j]), int(totals["params"][i, j])) != \
                    (exact.mult_adds, exact.params):
                print(f"MISMATCH {model} {alpha} {res}", file=sys.stderr)
                ok = False
        rate, loop_rate = n / grid_s, 1 / warm
        print(f"{model:<14}{warm * 1e6:>11.1f} us{cold * 1e6:>11.1f} us"
              f"{rate / 1e6:>10.2f} M/s{n / frame_s / 1e6:>10.2f} M/s{rate / loop_rate:>11,.0f}x")
        ok &= rate >= TARGET_RATE and (model != "mobilenet-v1" or cold * 1e6 <= TARGET_CALL_US)
    print(f"{n:,} configurations per sweep; targets: sweep >= {TARGET_RATE / 1e6:.0f} M "
          f"configs/s, cold cost() on v1 <= {TARGET_CALL_US:.0f} us; "
          f"{'OK' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
