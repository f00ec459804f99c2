"""Interpreter of the catalog's declarative scoring rules, vectorised over counties (last axis).

Each item type of ``catalog.toml`` is a small class: ``evaluate`` turns measure arrays into point
arrays (NaN where an input is missing), ``explain`` renders one county's result in Chinese.
"""

from . import composite, efficacy, simple  # noqa: F401  (registers the item types)
from .base import Env, Item, ItemResult

__all__ = ["Env", "Item", "ItemResult"]
