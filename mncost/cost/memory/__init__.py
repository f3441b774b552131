"""Activation memory: the bytes of the tensors each op reads and writes, and the peak.

Per-tensor sizes come from the interpreter's plans (every tensor's height, width and
channels); which tensors are alive at each op comes from the program's dataflow (the
static column ``live``). The per-op byte counts (weights, what an op reads and writes)
are metrics (:mod:`mncost.cost.metrics.memory`); this package holds what needs the
dataflow: the live bytes of every op and the network's peak, for one configuration
(:func:`count_memory`) and for a whole alpha x resolution grid (:func:`peak_grid`, used
by :mod:`mncost.cost.sweep`).

The execution model is layer by layer, one op at a time, as inference runtimes for
small devices run a CNN:

- while an op runs, its **live set** is held in memory: its inputs, its output, and
  every earlier tensor a later op still reads (a residual's skip input, a branch's
  pending outputs). The network's input is a tensor like any other: it is live until
  the first op has read it. A network with heads (a detector, a segmenter) has several
  outputs: each head's output is held from when it is written until the network ends;
- batch norm and activations are fused into the op before them and work in place: they
  add nothing;
- an auxiliary (training-only) head does not run at inference: its ops hold nothing;
- with ``dw_inplace``, a depthwise conv runs in place, as MCU runtimes do (MCUNet's
  TinyEngine): its output overwrites its input, so of the two only the larger counts.
  This is possible only when nothing after the conv reads its input; where something
  does (a residual whose body starts with the depthwise conv), the conv keeps both.

The peak activation memory is the largest live set over the ops, in bytes, and the op
where it occurs (the first such op on a tie). Sizes follow
:attr:`mncost.cost.conventions.Conventions.dtype`: 4, 2 or 1 byte per value.

**The modules.** Each imports only those listed before it:

- :mod:`~mncost.cost.memory.buffers`: every tensor's bytes, which tensors share a buffer
  (in place), and the bytes each op holds;
- :mod:`~mncost.cost.memory.records`: the records of a result: tensors, ops, peaks,
  :class:`MemoryResult`;
- :mod:`~mncost.cost.memory.reckoning`: every op's live bytes and the peak under one
  execution, patch stage included;
- :mod:`~mncost.cost.memory.count`: :func:`count_memory`, one configuration (and
  :func:`memory_peak`, its peak alone);
- :mod:`~mncost.cost.memory.grid`: :func:`peak_grid`, the peak over an alpha x resolution
  grid (numpy);
- :mod:`~mncost.cost.memory.schedules`: the patch schedules tried, and the cheapest that
  fits a budget.

This module only re-exports their names, those of ``__all__``.
"""

from __future__ import annotations

from mncost.cost.memory.buffers import in_place_ops, live_bytes, tensor_bytes
from mncost.cost.memory.count import count_memory, memory_peak
from mncost.cost.memory.grid import PEAK_ACTIVATION, peak_grid
from mncost.cost.memory.records import MemoryPeak, MemoryResult, OpMemory, Peak, TensorInfo
from mncost.cost.memory.schedules import PatchTrial, PatchTrials, fitting_schedule, patch_trials

__all__ = [
    "MemoryPeak",
    "MemoryResult",
    "OpMemory",
    "PEAK_ACTIVATION",
    "Peak",
    "TensorInfo",
    "PatchTrial",
    "PatchTrials",
    "count_memory",
    "fitting_schedule",
    "in_place_ops",
    "patch_trials",
    "live_bytes",
    "memory_peak",
    "peak_grid",
    "tensor_bytes",
]
