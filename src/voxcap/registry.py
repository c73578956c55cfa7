"""Lazy registries: ``"name": "module:attribute"`` entries imported only when chosen."""

from __future__ import annotations

import importlib
from typing import Any


def load(target: str) -> Any:
    """The object that ``"package.module:attribute"`` names, importing its module now."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
