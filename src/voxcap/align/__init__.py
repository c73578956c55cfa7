"""Forced aligners, chosen by name from a lazy registry."""

from __future__ import annotations

import importlib
from typing import Any

from voxcap.align.base import Aligner
from voxcap.errors import UnknownAligner

ALIGNERS: dict[str, str] = {
    "sphinx": "voxcap.align.sphinx:SphinxAligner",
}

__all__ = ["ALIGNERS", "Aligner", "create_aligner"]


def create_aligner(name: str, **kwargs: Any) -> Aligner:
    """Build the aligner registered as ``name``.

    Raises:
        UnknownAligner: no aligner has that name.
    """
    try:
        target = ALIGNERS[name]
    except KeyError:
        raise UnknownAligner(
            f"unknown aligner {name!r}; choose one of: {', '.join(sorted(ALIGNERS))}"
        ) from None
    module, _, attr = target.partition(":")
    aligner: Aligner = getattr(importlib.import_module(module), attr)(**kwargs)
    return aligner
