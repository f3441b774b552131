"""Sweep benchmark: configurations per second of the vectorised sweep against
``mncost.cost`` called in a loop, both measured in this run.

For MobileNet v1 and v2 it times:
- ``mncost.cost(model, alpha, resolution).total`` over 2,000 configurations drawn from the
  grid, once with the interpreter's per-alpha and per-resolution plans cached as a long
  session has them ("warm") and once with every cache cleared before each call ("cold");
- the sweep over 1,000 alphas x 1,000 resolutions (10**6 configurations): the engine's
  grid of exact int64 totals, and ``mncost.sweep`` returning a pandas DataFrame.
It checks a sample of the sweep against ``mncost.cost`` exactly, then prints rates and
ratios. Then it times the explorer's grid (``mncost sweep``'s engine,
:func:`mncost.analysis.explore.explore_grid`) over the same 10**6 configurations with
every figure that needs no accuracy model: mult-adds, params, weight bytes, the peak
activation memory and the estimated latency on pixel1-cpu, caches cleared first; and,
for reference, the same with top-1 estimates added. Targets: >= 10**6 configs/s for the
sweep and for the explorer's grid without top-1, <= 50 us per cold ``mncost.cost`` call
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
from mncost.analysis.explore import DEFAULT_METRICS, LATENCY, explore_grid
from mncost.analysis.latency import builtin_profile
from mncost.cost.sweep import grid

_plans = importlib.import_module("mncost.cost.plans")

TARGET_RATE = 1_000_000
TARGET_CALL_US = 50.0


def _clear_caches() -> None:
    _plans._width_plan.cache_clear()
    _plans._spatial_plan.cache_clear()


def _per_call(model: str, configs: list[tuple[Fraction, int]], cold: bool) -> float:
    """Seconds per ``mncost.cost`` call. Warm: each configuration's width and spatial
    plans are cached (every configuration is counted once, untimed, first); cold: both
    caches are cleared before each call (and the clearing is not timed)."""
    mncost.cost(model)  # registry and program built once, as in any session
    if not cold:
        for alpha, res in configs:
            mncost.cost(model, alpha, res)
    total = 0.0
    for alpha, res in configs:
        if cold:
            _clear_caches()
        start = time.perf_counter()
        _ = mncost.cost(model, alpha, res).total
        total += time.perf_counter() - start
    return total / len(configs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alphas", type=int, default=1000)
    parser.add_argument("--resolutions", type=int, default=1000)
    args = parser.parse_args()
    alphas = [Fraction(250 + k * 1150 // args.alphas, 1000) for k in range(args.alphas)]
    resolutions = [96 + k for k in range(args.resolutions)]
    n = len(alphas) * len(resolutions)
    rng = random.Random(1)
    # 2,000 configurations: within the plan caches' 4,096 entries, so warm calls hit them
    configs = [(rng.choice(alphas), rng.choice(resolutions)) for _ in range(2000)]
    # numpy and pandas imported before anything is timed: a first pass would count them
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    grid(mncost.get_model("mobilenet-v1"), alphas[:2], resolutions[:2])  # numpy's first calls
    ok = True
    print(
        f"{'model':<14}{'cost() warm':>14}{'cost() cold':>14}{'grid':>16}{'DataFrame':>16}"
        f"{'grid/loop':>12}"
    )
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
            if (int(totals["mult_adds"][i, j]), int(totals["params"][i, j])) != (
                exact.mult_adds,
                exact.params,
            ):
                print(f"MISMATCH {model} {alpha} {res}", file=sys.stderr)
                ok = False
        rate, loop_rate = n / grid_s, 1 / warm
        print(
            f"{model:<14}{warm * 1e6:>11.1f} us{cold * 1e6:>11.1f} us"
            f"{rate / 1e6:>10.2f} M/s{n / frame_s / 1e6:>10.2f} M/s{rate / loop_rate:>11,.0f}x"
        )
        ok &= rate >= TARGET_RATE and (model != "mobilenet-v1" or cold * 1e6 <= TARGET_CALL_US)
    print(
        f"{n:,} configurations per sweep; targets: sweep >= {TARGET_RATE / 1e6:.0f} M "
        f"configs/s, cold cost() on v1 <= {TARGET_CALL_US:.0f} us; "
        f"{'OK' if ok else 'NOT MET'}"
    )
    ok &= _explorer(alphas, resolutions, configs)
    return 0 if ok else 1


def _explorer(
    alphas: list[Fraction], resolutions: list[int], configs: list[tuple[Fraction, int]]
) -> bool:
    """The explorer's grid: counts, peak and latency (and, apart, top-1) per second."""
    profile = builtin_profile("pixel1-cpu")  # fitted once, as in any session
    n = len(alphas) * len(resolutions)
    ok = True
    print()
    print(f"{'explorer grid':<14}{'MACs+params+weights+peak+latency':>34}{'with top-1 too':>18}")
    for model in ("mobilenet-v1", "mobilenet-v2"):
        arch = mncost.get_model(model)
        _clear_caches()
        start = time.perf_counter()
        result = explore_grid(
            arch,
            alphas,
            resolutions,
            profile=profile,
            model=model,
            metrics=[*DEFAULT_METRICS, LATENCY],
        )
        seconds = time.perf_counter() - start
        _clear_caches()
        start = time.perf_counter()
        explore_grid(arch, alphas, resolutions, profile=profile, model=model)
        with_top1 = time.perf_counter() - start
        assert result.latency is not None
        for alpha, res in configs[:50]:
            i, j = alphas.index(alpha), resolutions.index(res)
            memory = mncost.memory(model, alpha, res)
            estimate = mncost.latency(model, alpha, res, device=profile).total_ms
            if (
                int(result.counts["peak_activation_bytes"][i, j]) != memory.peak_activation_bytes
                or int(result.counts["weight_bytes"][i, j]) != memory.weight_bytes
                or abs(float(result.latency[i, j]) - estimate) > 1e-9 * estimate
            ):
                print(f"MISMATCH {model} {alpha} {res}", file=sys.stderr)
                ok = False
        rate = n / seconds
        print(
            f"{model:<14}{rate / 1e6:>28.2f} M/s ({seconds:.2f} s){n / with_top1 / 1e6:>12.2f} M/s"
        )
        ok &= rate >= TARGET_RATE
    print(
        f"{n:,} configurations per grid, caches cleared before each; target: >= "
        f"{TARGET_RATE / 1e6:.0f} M configs/s without top-1; {'OK' if ok else 'NOT MET'}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
