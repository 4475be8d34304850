"""Model definitions and the catalogue that names them."""
from core.models.catalogue import ModelSpec, get_spec, model_names

__all__ = ["ModelSpec", "get_spec", "model_names"]
