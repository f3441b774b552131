"""The built-in architectures, one module per family, each readable beside its paper.

The registry (:mod:`mncost.arch.registry`) imports every module here; each registers
its models with ``@register``.
"""
