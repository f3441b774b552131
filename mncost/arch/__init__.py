"""Architectures as data: the spec language, width rules, the registry and the built-in defs."""
