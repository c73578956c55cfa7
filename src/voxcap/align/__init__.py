"""Forced aligners, chosen by name from a lazy registry."""

from __future__ import annotations

from typing import Any

from voxcap.align.base import Aligner
from voxcap.errors import UnknownAligner
from voxcap.registry import create

ALIGNERS: dict[str, str] = {
    "ctc": "voxcap.align.ctc:CTCAligner",
    "sphinx": "voxcap.align.sphinx:SphinxAligner",
}

__all__ = ["ALIGNERS", "Aligner", "create_aligner"]


def create_aligner(name: str, **kwargs: Any) -> Aligner:
    """Build the aligner registered as ``name``.

    Raises:
        UnknownAligner: no aligner has that name.
    """
    aligner: Aligner = create(ALIGNERS, name, UnknownAligner, "aligner", **kwargs)
    return aligner
