"""Forced aligners, chosen by name from a lazy registry.

This package is also ``voxcap.align``, the function that times a text in a recording: calling
the package calls :func:`voxcap.pipeline.align` (so the package and the function never shadow
each other, whichever is imported first).
"""

from __future__ import annotations

import sys
import types
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


class _Package(types.ModuleType):
    """The package, callable as :func:`voxcap.pipeline.align`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from voxcap.pipeline import align  # the pipeline uses aligners: imported on call

        return align(*args, **kwargs)


sys.modules[__name__].__class__ = _Package
