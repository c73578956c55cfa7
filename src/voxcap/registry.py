"""Lazy registries: ``"name": "module:attribute"`` entries imported only when chosen."""

from __future__ import annotations

import importlib
from typing import Any

from voxcap.errors import VoxcapError


def load(target: str) -> Any:
    """The object that ``"package.module:attribute"`` names, importing its module now."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def create_class(entries: dict[str, str], name: str, unknown: type[VoxcapError], kind: str) -> Any:
    """The class registered as ``name``, not built; an unknown name raises ``unknown``."""
    if name not in entries:
        raise unknown(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(entries))}")
    return load(entries[name])


def create(
    entries: dict[str, str], name: str, unknown: type[VoxcapError], kind: str, **kwargs: Any
) -> Any:
    """Build the entry registered as ``name``; an unknown name raises ``unknown`` listing the
    choices."""
    return create_class(entries, name, unknown, kind)(**kwargs)
