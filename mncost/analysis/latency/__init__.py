"""Latency estimates: device profiles fitted to measured latencies, and predictions from
them per op, per configuration and over a whole alpha x resolution grid.

An estimate is never a measurement. Every profile carries how it was made (the method,
the configurations and the source of the measurements it was fitted on) and how wrong
it is where that can be checked: its leave-one-out (LOO) error, next to the error of a
model with mult-adds alone.

**The model.** A device profile predicts an op's time as a non-negative combination of
four per-op features, each a registered metric (:mod:`mncost.cost.metrics.latency`):

- ``mult_adds``: multiply-accumulates (compute);
- the activation bytes the op reads and writes, and the weight bytes it reads, in the
  profile's ``traffic`` cut: ``all`` (``activation_bytes``, ``read_weight_bytes``: every
  op), or ``conv`` (``conv_activation_bytes``, ``conv_weight_bytes``: conv and FC
  layers' activations, conv weights; the built-in Pixel 1 profile's);
- ``ops``: 1 per op, for a fixed cost per op (dispatch, a kernel launch).

A network's time is the sum over its ops, so it is the same combination of the four
totals, and the per-op figures always add up to it. Bytes are counted in the profile's
data type: the Pixel-1 latencies of the released float checkpoints imply float32
(4 bytes a value).

**The fit.** The coefficients (ms per unit of each feature) are fitted by non-negative
least squares (Lawson and Hanson's active-set algorithm, :func:`nnls`; a time cannot
fall as work grows) on relative error: each point is weighted by 1 / its latency, so a
4 ms model counts as much as a 140 ms one and the fit minimises what is reported, the
error in percent. Its LOO error refits without each point in turn and predicts it.

**Profiles.** ``pixel1-cpu`` is built in: fitted, when first asked for, to the 22
MobileNet V2 Pixel-1 latencies TF-slim published with its checkpoints
(:mod:`mncost.sources.checkpoints`); nothing in it is typed in. A user fits their own
device with :func:`read_measurements` and :func:`fit_profile` (``mncost calibrate``),
and saves and loads it as JSON (:func:`profile_json`, :func:`load_profile`), in the
format of :class:`ProfileFile`.

**The modules.** Each imports only those listed before it:

- :mod:`~mncost.analysis.latency.features`, :mod:`~mncost.analysis.latency.nnls`,
  :mod:`~mncost.analysis.latency.model` and the estimators
  (:mod:`~mncost.analysis.latency.linear`, :mod:`~mncost.analysis.latency.roofline`,
  :mod:`~mncost.analysis.latency.per_kind`): per-op feature tables, the fit, the
  estimator interface;
- :mod:`~mncost.analysis.latency.limits`: the bounds on inputs and fitted figures;
- :mod:`~mncost.analysis.latency.measurements`: measured latencies and their CSV;
- :mod:`~mncost.analysis.latency.profile`: device profiles and fitting them;
- :mod:`~mncost.analysis.latency.builtin`: the built-in profile, its cross-family check
  and the measurements that beat estimates;
- :mod:`~mncost.analysis.latency.estimate`: estimates per op, per configuration and
  over a grid;
- :mod:`~mncost.analysis.latency.files`: the profile file, and a device by name or file.

This module only re-exports their names: those of ``__all__``, and (as ``X as X``) the
others that other modules and the tests import from here.
"""

from __future__ import annotations

from mncost.analysis.latency.builtin import (
    BUILTIN_DEVICES,
    CrossCheck,
    builtin_profile,
    cross_family_check,
)
from mncost.analysis.latency.builtin import DeviceMeasurement as DeviceMeasurement
from mncost.analysis.latency.builtin import MeasurementKey as MeasurementKey
from mncost.analysis.latency.builtin import device_measurements as device_measurements
from mncost.analysis.latency.builtin import measured_latency as measured_latency
from mncost.analysis.latency.estimate import (
    LatencyEstimate,
    OpLatency,
    estimate_latency,
    latency_grid,
    predict_grid,
)
from mncost.analysis.latency.estimate import dtype_caution as dtype_caution
from mncost.analysis.latency.files import (
    ProfileFile,
    check_name,
    load_profile,
    profile_json,
    resolve_device,
)
from mncost.analysis.latency.files import _alpha_text as _alpha_text
from mncost.analysis.latency.limits import MAX_COEFFICIENT as MAX_COEFFICIENT
from mncost.analysis.latency.limits import MAX_LATENCY_MS as MAX_LATENCY_MS
from mncost.analysis.latency.limits import (
    MAX_MEASUREMENT_BYTES,
    MAX_MEASUREMENTS,
    MAX_PROFILE_BYTES,
)
from mncost.analysis.latency.limits import MAX_PREDICTED_MS as MAX_PREDICTED_MS
from mncost.analysis.latency.limits import MIN_LATENCY_MS as MIN_LATENCY_MS
from mncost.analysis.latency.limits import POOR_FIT_PERCENT as POOR_FIT_PERCENT
from mncost.analysis.latency.linear import FEATURES, features
from mncost.analysis.latency.measurements import (
    MEASUREMENT_COLUMNS,
    MEASUREMENT_EXTRAS,
    Measurement,
    parse_measurements,
    read_measurements,
    split_holdout,
)
from mncost.analysis.latency.measurements import is_model_file as is_model_file
from mncost.analysis.latency.model import ESTIMATORS, Estimator
from mncost.analysis.latency.nnls import nnls
from mncost.analysis.latency.profile import (
    BASELINE,
    METHOD,
    HeldOut,
    LatencyProfile,
    PointFit,
    feature_rank,
    fit_profile,
    predict_measurements,
)
from mncost.analysis.latency.profile import KIND_WORDS as KIND_WORDS
from mncost.analysis.latency.profile import MAC_KINDS as MAC_KINDS
from mncost.analysis.latency.profile import SEEN_RATIO as SEEN_RATIO
from mncost.analysis.latency.profile import UNSEEN_SHARE as UNSEEN_SHARE
from mncost.analysis.latency.profile import kind_mix_caution as kind_mix_caution
from mncost.errors import LatencyError

__all__ = [
    "BASELINE",
    "BUILTIN_DEVICES",
    "CrossCheck",
    "ESTIMATORS",
    "Estimator",
    "FEATURES",
    "features",
    "LatencyError",
    "LatencyEstimate",
    "LatencyProfile",
    "MAX_MEASUREMENTS",
    "MAX_MEASUREMENT_BYTES",
    "MAX_PROFILE_BYTES",
    "METHOD",
    "MEASUREMENT_COLUMNS",
    "MEASUREMENT_EXTRAS",
    "HeldOut",
    "split_holdout",
    "predict_measurements",
    "Measurement",
    "OpLatency",
    "PointFit",
    "ProfileFile",
    "builtin_profile",
    "check_name",
    "cross_family_check",
    "estimate_latency",
    "feature_rank",
    "fit_profile",
    "latency_grid",
    "load_profile",
    "nnls",
    "parse_measurements",
    "predict_grid",
    "profile_json",
    "read_measurements",
    "resolve_device",
]
