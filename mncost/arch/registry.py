"""The registry of built-in architectures: one name, one factory, one line of description.

Every module in :mod:`mncost.arch.defs` registers its models with :func:`register`; the
registry finds those modules itself, so a new architecture is a new file there. The CLI's
model choices, ``mncost models``, the docs and the test matrix all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from mncost.arch import defs
from mncost.arch.ops import Architecture

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
    """The publication that defines it (authors, year, arXiv id, table)."""
    family: str
    """The family its published results are filed under (mobilenet_v1, mobilenet_v2, ...)."""
    factory: Callable[[], Architecture]


_REGISTRY: dict[str, ModelEntry] = {}


def register(
    name: str, description: str, source: str, family: str = "other"
) -> Callable[[Callable[[], Architecture]], Callable[[], Architecture]]:
    """Register a zero-argument factory that builds the architecture ``name``."""

    def decorate(factory: Callable[[], Architecture]) -> Callable[[], Architecture]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is registered twice")
        _REGISTRY[name] = ModelEntry(name, description, source, family, cache(factory))
        return factory

    return decorate


def list_models() -> list[ModelEntry]:
    """Every registered architecture, in the order of :func:`_discover` (the MobileNets
    first, then by module), whatever order their modules were first imported in."""
    rank = _discover()

    def place(entry: ModelEntry) -> int:
        module = getattr(entry.factory, "__wrapped__", entry.factory).__module__
        return rank.get(module, len(rank))  # a model registered from outside the defs: last

    return sorted(_REGISTRY.values(), key=place)  # stable: a module's own order is kept


def get_model(name: str) -> Architecture:
    """The architecture registered as ``name``; UnknownModelError names the choices."""
    _discover()
    try:
        return _REGISTRY[name].factory()
    except KeyError:
        choices = ", ".join(_REGISTRY)
        raise UnknownModelError(f"unknown model {name!r}; built-in models: {choices}") from None


def get_entry(name: str) -> ModelEntry:
    """The registry entry of ``name`` (UnknownModelError as get_model), without building
    the model."""
    _discover()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):  # TypeError: a name that cannot be a key (a list)
        choices = ", ".join(_REGISTRY)
        raise UnknownModelError(f"unknown model {name!r}; built-in models: {choices}") from None


@cache
def _discover() -> dict[str, int]:
    # Importing each module of mncost.arch.defs runs its @register decorators. The order
    # (and so `mncost models`) is stable: the MobileNets first, the paper's subject, in
    # version order; then every other family by module name.
    import importlib
    import pkgutil

    def order(name: str) -> tuple[bool, str]:
        return (not name.startswith("mobilenet"), name)

    rank: dict[str, int] = {}
    for info in sorted(pkgutil.iter_modules(defs.__path__), key=lambda m: order(m.name)):
        module = f"{defs.__name__}.{info.name}"
        importlib.import_module(module)
        rank[module] = len(rank)
    return rank
