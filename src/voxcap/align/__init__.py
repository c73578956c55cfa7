"""Forced aligners, chosen by name from a lazy registry."""

from __future__ import annotations

from typing import Any

from voxcap.align.base import Aligner
from voxcap.errors import UnknownAligner
from voxcap.registry import load

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
    aligner: Aligner = load(target)(**kwargs)
    return aligner
