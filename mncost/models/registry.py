"""The registry of built-in architectures: one name, one factory, one line of description.

The CLI's model choices, ``mncost models``, the docs and the test matrix all read this
registry, so a new architecture is supported everywhere by being registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable

from mncost.spec.layers import Architecture

__all__ = ["ModelEntry", "UnknownModelError", "get_model", "list_models", "register"]


class UnknownModelError(KeyError):
    """No built-in architecture has that name."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ModelEntry:
    """A registered architecture."""

    name: str
    description: str
    source: str
    """Where the architecture is defined (document and table)."""
    factory: Callable[[], Architecture]


_REGISTRY: dict[str, ModelEntry] = {}


def register(name: str, description: str, source: str) -> Callable[
        [Callable[[], Architecture]], Callable[[], Architecture]]:
    """Register a zero-argument factory that builds the architecture ``name``."""
    def decorate(factory: Callable[[], Architecture]) -> Callable[[], Architecture]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is registered twice")
        _REGISTRY[name] = ModelEntry(name, description, source, cache(factory))
        return factory
    return decorate


def list_models() -> list[ModelEntry]:
    """Every registered architecture, in registration order."""
    _load_builtins()
    return list(_REGISTRY.values())


def get_model(name: str) -> Architecture:
    """The architecture registered as ``name``; UnknownModelError names the choices."""
    _load_builtins()
    try:
        return _REGISTRY[name].factory()
    except KeyError:
        choices = ", ".join(_REGISTRY)
        raise UnknownModelError(f"unknown model {name!r}; built-in models: {choices}") from None


def _load_builtins() -> None:
    # Importing the definition modules runs their @register decorators.
    from mncost.models import mobilenet_v1  # noqa: F401
    from mncost.models import mobilenet_v1_variants  # noqa: F401
