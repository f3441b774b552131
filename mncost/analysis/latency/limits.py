"""The bounds on what a measurements CSV and a profile file may hold, and on the figures
fitted from them (a latency, a coefficient, a leave-one-out error)."""

from __future__ import annotations

MAX_MEASUREMENTS = 1000
"""A measurements CSV (and a profile file) holds at most this many configurations."""
MAX_MEASUREMENT_BYTES = 1024 * 1024
"""A measurements CSV is a regular file of at most 1 MiB."""
MAX_PROFILE_BYTES = 1024 * 1024
"""A profile JSON file is a regular file of at most 1 MiB."""
MAX_LATENCY_MS = 10**7
"""A measured latency is at most 10**7 ms (about 3 hours)."""
MIN_LATENCY_MS = 0.001
"""... and at least 0.001 ms (1 microsecond): a smaller figure is not a timing (and
1e-400 would read as 0)."""
MAX_COEFFICIENT = 1e9
"""A profile's coefficients are at most 10**9 ms per unit. Every feature of an allowed
configuration is below 10**40 (at most 2**27 channels in and out, a 2**28-pixel map and
a window of as many, 10 MiB of spec), so every estimate is below 10**50 ms: finite, with
room to spare in float64 (which holds 1.8e308)."""
MAX_PREDICTED_MS = 1e12
"""A profile file's predictions for its own points (fitted_ms, loo_ms) are at most this."""
POOR_FIT_PERCENT = 50.0
"""``calibrate`` refuses a fit whose leave-one-out mean error is at least this (an
estimate off by half on average is no estimate), unless ``--keep-poor-fit``."""
