"""Model definitions and the registry that names them."""
from core.models.registry import ModelSpec, get_spec, model_names

__all__ = ["ModelSpec", "get_spec", "model_names"]
