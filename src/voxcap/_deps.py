"""The one place that turns a missing optional package into an actionable error."""

from __future__ import annotations

import importlib
from types import ModuleType

from voxcap.errors import MissingDependency


def require(module: str, *, extra: str) -> ModuleType:
    """Import ``module`` or raise MissingDependency naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = f" ({exc.name} is missing)" if exc.name and exc.name != module else ""
        raise MissingDependency(
            f"{module!r} is not installed{missing}; install it with: pip install 'voxcap[{extra}]'"
        ) from exc
