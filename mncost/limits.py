"""The bounds mncost puts on what it reads, stated once.

Every number a user gives (an option, a field of a spec file) is checked against these
before it is used, so no input can make mncost compute 10**(10**9), allocate without
bound or overflow a 64-bit integer in a vectorised sweep. The README's "Safety" section
quotes them; error messages state the bound that was crossed.

A leaf module: it imports nothing from mncost.
"""

from __future__ import annotations

__all__ = [
    "MAX_AXIS_VALUES",
    "MAX_CONFIGS",
    "MAX_CHANNELS",
    "MAX_CLASSES",
    "MAX_HIGHLIGHTS",
    "MAX_KERNEL",
    "MAX_MULTIPLIER",
    "MAX_NUMBER_CHARS",
    "MAX_RESOLUTION",
    "MAX_SPEC_ALIAS_NODES",
    "MAX_SPEC_BYTES",
    "MAX_SPEC_DEPTH",
    "MAX_SWEEP_OP_VALUES",
    "MAX_TENSOR_CHANNELS",
]

MAX_MULTIPLIER = 16
"""Width and resolution multipliers (alpha, rho) lie in 0 < m <= 16."""
MAX_RESOLUTION = 16384
"""Input resolution in pixels: 1 to 16,384."""
MAX_CLASSES = 100_000_000
"""Classifier width: 0 to 100,000,000."""
MAX_CHANNELS = 1_048_576
"""Channels, filters and units of one layer, at alpha 1: at most 2**20."""
MAX_TENSOR_CHANNELS = 2**27
"""Channels of any tensor at any alpha (a concatenation's sum, an expansion's multiple,
a rounded width, a classifier's classes): at most 2**27 = 134,217,728, above the
largest layer at alpha 1 times the largest alpha (2**24, with room for rounding) and
the most classes. At alpha 1, every tensor (a concatenation included) has at most
MAX_CHANNELS, or the classes where the classifier sets them."""
MAX_AXIS_VALUES = 10_000
"""An axis of a grid (alphas, or resolutions) has at most this many values; an iterable
given to the Python API is refused as soon as it passes it, so an endless one cannot hang."""
MAX_CONFIGS = 1_000_000
"""A grid has at most this many configurations (alphas x resolutions): the sweep itself
takes about a second for a million, and a million rows of CSV are some 60 MB."""
MAX_SWEEP_OP_VALUES = 4_000_000
"""A sweep holds ops x (alphas + resolutions) per-op values: at most this many (about
150 MB of columns). A 100-op network sweeps 40,000 axis values, a 100,000-op one 40."""
MAX_HIGHLIGHTS = 200
"""``plot pareto`` marks at most this many configurations (--highlight): more would not
read on one plot, and each is a line, a label and a legend entry."""
MAX_KERNEL = 1024
"""Kernel size, stride, pooling window and dilation: at most 1,024."""
MAX_NUMBER_CHARS = 40
"""A number written as text (an option, a spec-file scalar) has at most this many
characters; anything longer is refused before it is converted."""
MAX_SPEC_BYTES = 10 * 1024 * 1024
"""A spec file is a regular file of at most 10 MiB."""
MAX_SPEC_DEPTH = 64
"""Mappings and lists in a spec file nest at most this deep."""
MAX_SPEC_ALIAS_NODES = 1_000_000
"""A YAML spec file, with its aliases expanded, has at most this many nodes."""
