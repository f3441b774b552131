"""Timing models on the machine at hand (``mncost measure``): each configuration is built
as ONNX (:mod:`mncost.analysis.onnx_export`) and run in onnxruntime, and the times are
written as the CSV that ``mncost calibrate`` fits a device profile to.

Timing that survives a shared machine. A machine's speed drifts while it runs (other
tenants, clocks, caches): timing one model after another puts that drift into the
differences between models. So, as the feasibility study behind this command found
(interleaving left mostly one common factor per moment, which divided out):

1. every session is opened and warmed up first;
2. the models are timed in ``rounds``, each round every model once (the median of
   ``repeats`` runs), in a new shuffled order each round;
3. each round's times are divided by the round's common factor: the median, over the
   models, of each model's time in that round over its median time in every round. (A
   single reference model, timed once a round, would add its own noise to every point;
   the median over all of them is the same idea with that noise averaged away.) With
   fewer than three models there is no factor to tell from the models' own differences,
   and the times stand as timed;
4. a model's latency is the median of its normalised round times; its spread is their
   interquartile range as a share of that median; its runs are rounds x repeats;
5. the run's agreement is split-half: each model's median over the odd rounds against
   its median over the even ones (their difference as a share of their mean); the
   median and the largest over the models are reported.

One intra-op and one inter-op thread by default: a phone's big core, and the setting
that drifts least on a shared machine. A configuration that fails to build or to run, or
that times at 0, NaN or past the timeout, is one line in :attr:`MeasureResult.failures`
and never ends the run.

The runtime is an extra (``pip install 'mncost[measure]'``); :class:`Runtime` is the
interface, so the tests time a deterministic stand-in.
"""

from __future__ import annotations

import math
import os
import platform
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from typing import Any, Protocol

from mncost.analysis.onnx_export import build_onnx
from mncost.analysis.per_layer import map_nodes, read_profile
from mncost.cost.conventions import Conventions
from mncost.cost.model import Model
from mncost.cost.result import count
from mncost.cost.scaling import Resolution, ScalingError, multiplier_text, resolution_text
from mncost.errors import MeasureError
from mncost.text import shorten

__all__ = [
    "INSTALL",
    "MAX_WEIGHT_BYTES",
    "Config",
    "Failure",
    "MeasureError",
    "MeasureResult",
    "OnnxRuntime",
    "PROFILE_RUNS",
    "Profiled",
    "Runtime",
    "Session",
    "Timing",
    "environment",
    "measure",
    "profile_layers",
]

INSTALL = "mncost measure runs models in onnxruntime: pip install 'mncost[measure]'"

MAX_WEIGHT_BYTES = 2 * 2**30
"""Every session is open at once (so that they can be interleaved): their float32
weights together may hold at most this many bytes (2 GiB). Measure fewer at a time: the
CSV resumes."""

MAX_CONFIGS = 1000
"""The most configurations one run times (a calibration needs tens)."""


@dataclass(frozen=True)
class Config:
    """One configuration to time: a model at (alpha, resolution)."""

    model: str
    """As the CSV names it: a built-in's name, or a model file's path relative to the
    CSV's folder."""
    arch: Model = field(compare=False, repr=False)
    alpha: Fraction
    resolution: Resolution

    @property
    def key(self) -> tuple[str, Fraction, Resolution]:
        return self.model, self.alpha, self.resolution

    def describe(self) -> str:
        """ "mobilenet-v2 0.75/160"."""
        return f"{self.model} {multiplier_text(self.alpha)}/{resolution_text(self.resolution)}"


@dataclass(frozen=True)
class Timing:
    """A configuration as timed."""

    config: Config
    latency_ms: float
    """The median of its normalised round times."""
    spread_percent: float
    """The interquartile range of its normalised round times, in percent of the median."""
    runs: int
    """Runs timed (rounds x repeats), warm-up not counted."""


@dataclass(frozen=True)
class Failure:
    """A configuration that could not be timed, and why (one line)."""

    config: Config
    reason: str


@dataclass(frozen=True)
class MeasureResult:
    timings: tuple[Timing, ...]
    failures: tuple[Failure, ...]
    rounds: int
    repeats: int
    agreement_percent: tuple[float, float] | None
    """Split-half disagreement, median and largest over the models, in percent (None:
    fewer than two rounds)."""
    drift: tuple[float, float] | None
    """The smallest and largest round factor (1: the run's typical speed; None: not
    normalised)."""
    normalised: bool
    environment: dict[str, Any]


class Session(Protocol):
    def run_once(self) -> float:
        """Run the model once; the wall time in seconds."""


class Runtime(Protocol):
    name: str
    version: str

    def open(self, config: Config, threads: int, timeout_s: float) -> Session:
        """A session ready to run ``config`` (warmed up once, within ``timeout_s``);
        any exception is that configuration's failure."""

    def profile(
        self, config: Config, threads: int, runs: int, timeout_s: float
    ) -> tuple[list[float], dict[str, list[float]]]:
        """``config`` run ``runs`` times under the runtime's profiler: each run's wall
        time and each node's times, in microseconds (:mod:`mncost.analysis.per_layer`)."""


class _OrtSession:
    def __init__(self, session: Any, feeds: dict[str, Any]) -> None:
        self._session, self._feeds = session, feeds

    def run_once(self) -> float:
        start = time.perf_counter()
        self._session.run(None, self._feeds)
        return time.perf_counter() - start


class OnnxRuntime:
    """onnxruntime's CPU execution provider, one session per configuration."""

    name = "onnxruntime"

    def __init__(self) -> None:
        try:
            import onnxruntime
        except ImportError:
            raise MeasureError(INSTALL) from None
        try:
            import onnx  # noqa: F401  (the exporter builds the graph with it)
        except ImportError:
            raise MeasureError(INSTALL) from None
        self._ort = onnxruntime
        self.version = str(onnxruntime.__version__)

    def _options(self, threads: int) -> Any:
        ort = self._ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = threads
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # warnings about the random weights: not the user's
        return options

    def open(self, config: Config, threads: int, timeout_s: float) -> Session:
        import numpy as np

        proto = build_onnx(config.arch, config.alpha, config.resolution, None, Conventions())
        data = proto.SerializeToString()
        ort = self._ort
        options = self._options(threads)
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        (first,) = session.get_inputs()
        shape = [d if isinstance(d, int) else 1 for d in first.shape]
        feeds = {first.name: np.random.default_rng(0).standard_normal(shape, dtype=np.float32)}
        # The first run, bounded: the runtime stops it at the timeout.
        run_options = ort.RunOptions()
        timer = threading.Timer(timeout_s, lambda: setattr(run_options, "terminate", True))
        timer.daemon = True
        timer.start()
        try:
            start = time.perf_counter()
            session.run(None, feeds, run_options)
            took = time.perf_counter() - start
        finally:
            timer.cancel()
        if took > timeout_s:
            raise TimeoutError(f"one run took {took:.1f} s, over the timeout of {timeout_s:g} s")
        return _OrtSession(session, feeds)

    def profile(
        self, config: Config, threads: int, runs: int, timeout_s: float
    ) -> tuple[list[float], dict[str, list[float]]]:
        """A new session with onnxruntime's profiler on, warmed up twice, then run
        ``runs`` times; its profile is written to a private temporary folder, read
        (bounded) and deleted."""
        import shutil
        import tempfile
        from pathlib import Path

        import numpy as np

        proto = build_onnx(config.arch, config.alpha, config.resolution, None, Conventions())
        folder = tempfile.mkdtemp(prefix="mncost-profile-")
        try:
            options = self._options(threads)
            options.enable_profiling = True
            options.profile_file_prefix = os.path.join(folder, "profile")
            session = self._ort.InferenceSession(
                proto.SerializeToString(), options, providers=["CPUExecutionProvider"]
            )
            (first,) = session.get_inputs()
            shape = [d if isinstance(d, int) else 1 for d in first.shape]
            feeds = {first.name: np.random.default_rng(0).standard_normal(shape, dtype=np.float32)}
            warm = 2
            for _ in range(warm + runs):
                start = time.perf_counter()
                session.run(None, feeds)
                _checked(time.perf_counter() - start, timeout_s)
            path = Path(session.end_profiling())
            if path.parent.resolve() != Path(folder).resolve():
                raise MeasureError("the runtime wrote its profile outside the folder it was given")
            all_runs, nodes = read_profile(path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        # The warm-up runs are profiled too: drop them (the first runs of each node).
        kept = {name: times[warm:] for name, times in nodes.items() if len(times) > warm}
        return all_runs[warm:], kept


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f.read(1 << 20).splitlines():
                if line.lower().startswith("model name"):
                    return shorten(line.split(":", 1)[1].strip(), 120)
    except OSError:
        pass
    return shorten(platform.processor() or platform.machine() or "unknown", 120)


def environment(runtime: Runtime, threads: int) -> dict[str, Any]:
    """Where the times were taken: CPU, cores, system, runtime and its version, threads
    and the date (UTC)."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "system": shorten(platform.platform(), 120),
        "python": platform.python_version(),
        "runtime": runtime.name,
        "runtime_version": runtime.version,
        "intra_op_threads": threads,
        "inter_op_threads": threads,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def median(values: Sequence[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _quantile(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _weight_bytes(config: Config) -> int:
    return count(config.arch, config.alpha, config.resolution, None, Conventions()).total.params * 4


def measure(
    configs: Sequence[Config],
    runtime: Runtime,
    *,
    threads: int = 1,
    rounds: int = 12,
    repeats: int = 3,
    warmup: int = 5,
    timeout_s: float = 30.0,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> MeasureResult:
    """Time every configuration (see the module's docstring). MeasureError when the
    configurations together hold more than MAX_WEIGHT_BYTES of weights, or exceed
    MAX_CONFIGS."""
    if not configs:
        raise MeasureError("nothing to measure")
    if len(configs) > MAX_CONFIGS:
        raise MeasureError(
            f"{len(configs):,} configurations; one run times at most {MAX_CONFIGS:,}"
        )
    failures: list[Failure] = []
    weights = 0
    countable: list[Config] = []
    for c in configs:
        try:
            weights += _weight_bytes(c)
        except ScalingError as exc:
            failures.append(Failure(c, f"cannot be counted: {exc}"))
            continue
        countable.append(c)
    if weights > MAX_WEIGHT_BYTES:
        raise MeasureError(
            f"the configurations hold {weights / 2**30:.1f} GiB of float32 weights together; "
            f"every session is open at once, so the most is {MAX_WEIGHT_BYTES / 2**30:.0f} "
            "GiB: measure fewer at a time (the CSV resumes)"
        )

    def tick(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    sessions: list[tuple[Config, Session]] = []
    for n, c in enumerate(countable):
        tick("opening sessions", n, len(countable))
        try:
            s = runtime.open(c, threads, timeout_s)
            for _ in range(warmup):
                _checked(s.run_once(), timeout_s)
        except Exception as exc:  # noqa: BLE001  (a stranger's model: any failure is its own)
            failures.append(Failure(c, _reason(exc)))
            continue
        sessions.append((c, s))
    rng = random.Random(seed)
    times: dict[int, list[float]] = {i: [] for i in range(len(sessions))}
    dropped: set[int] = set()
    total = rounds * len(sessions)
    done = 0
    for _ in range(rounds):
        order = [i for i in range(len(sessions)) if i not in dropped]
        rng.shuffle(order)
        for i in order:
            c, s = sessions[i]
            try:
                runs = [_checked(s.run_once(), timeout_s) for _ in range(repeats)]
            except Exception as exc:  # noqa: BLE001
                failures.append(Failure(c, _reason(exc)))
                dropped.add(i)
                continue
            times[i].append(median(runs))
            done += 1
            tick("timing", done, total)
    kept = [i for i in range(len(sessions)) if i not in dropped]
    normalised = len(kept) >= 3
    factors = [1.0] * rounds
    if normalised:
        medians = {i: median(times[i]) for i in kept}
        factors = [median([times[i][k] / medians[i] for i in kept]) for k in range(rounds)]
    timings = []
    halves: list[float] = []
    for i in kept:
        c, _ = sessions[i]
        values = [t / f * 1000 for t, f in zip(times[i], factors)]
        mid = median(values)
        spread = (_quantile(values, 0.75) - _quantile(values, 0.25)) / mid * 100
        timings.append(Timing(c, mid, spread, rounds * repeats))
        if rounds >= 2:
            odd, even = median(values[1::2]), median(values[0::2])
            halves.append(abs(odd - even) / ((odd + even) / 2) * 100)
    return MeasureResult(
        timings=tuple(timings),
        failures=tuple(failures),
        rounds=rounds,
        repeats=repeats,
        agreement_percent=(median(halves), max(halves)) if halves else None,
        drift=(min(factors), max(factors)) if normalised else None,
        normalised=normalised,
        environment=environment(runtime, threads),
    )


@dataclass(frozen=True)
class Profiled:
    """A configuration's per-layer times (``measure --per-layer``)."""

    config: Config
    times: Any
    """Its :class:`~mncost.analysis.per_layer.LayerTimes`."""
    mult_adds: tuple[int, ...]
    """Each op's mult-adds, in the order of ``times.layers``."""


PROFILE_RUNS = 10
"""Profiled runs per configuration (after two warm-up runs); a node's time is its median."""


def profile_layers(
    configs: Sequence[Config],
    runtime: Runtime,
    *,
    threads: int = 1,
    runs: int = PROFILE_RUNS,
    timeout_s: float = 30.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Profiled], list[Failure]]:
    """Each configuration's node times under the runtime's profiler, mapped to mncost's
    ops (:func:`mncost.analysis.per_layer.map_nodes`). One configuration at a time,
    after the timing rounds: the profiler slows every node a little, so these times
    say where a run's time goes, and the CSV's latencies stay the unprofiled ones."""
    done: list[Profiled] = []
    failures: list[Failure] = []
    for n, c in enumerate(configs):
        if progress is not None:
            progress("profiling layers", n, len(configs))
        try:
            result = count(c.arch, c.alpha, c.resolution, None, Conventions())
            runs_us, nodes_us = runtime.profile(c, threads, runs, timeout_s)
            layers = [(layer.name, layer.type) for layer in result.layers]
            times = map_nodes(layers, runs_us, nodes_us)
        except Exception as exc:  # noqa: BLE001  (a stranger's model: any failure is its own)
            failures.append(Failure(c, f"per layer: {_reason(exc)}"))
            continue
        done.append(Profiled(c, times, tuple(layer.mult_adds for layer in result.layers)))
    if progress is not None:
        progress("profiling layers", len(configs), len(configs))
    return done, failures


def _checked(seconds: float, timeout_s: float) -> float:
    if not isinstance(seconds, float) or not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"the runtime timed a run at {seconds!r} s, which is no time")
    if seconds > timeout_s:
        raise TimeoutError(f"one run took {seconds:.1f} s, over the timeout of {timeout_s:g} s")
    return seconds


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return shorten(text, 300)
