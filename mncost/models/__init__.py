"""Built-in architectures and the registry that names them."""

from mncost.models.registry import ModelEntry, UnknownModelError, get_model, list_models, register

__all__ = ["ModelEntry", "UnknownModelError", "get_model", "list_models", "register"]
