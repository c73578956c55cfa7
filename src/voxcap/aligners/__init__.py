"""Forced aligners, chosen by name from a lazy registry (like :mod:`voxcap.engines`). The
function that times a text in a recording is :func:`voxcap.pipeline.align` (``voxcap.align``).
"""

from __future__ import annotations

from typing import Any

from voxcap.aligners.base import Aligner
from voxcap.errors import UnknownAligner
from voxcap.registry import create

ALIGNERS: dict[str, str] = {
    "ctc": "voxcap.aligners.ctc:CTCAligner",
    "sphinx": "voxcap.aligners.sphinx:SphinxAligner",
}

__all__ = ["ALIGNERS", "Aligner", "create_aligner"]


def create_aligner(name: str, **kwargs: Any) -> Aligner:
    """Build the aligner registered as ``name``.

    Raises:
        UnknownAligner: no aligner has that name.
    """
    aligner: Aligner = create(ALIGNERS, name, UnknownAligner, "aligner", **kwargs)
    return aligner
