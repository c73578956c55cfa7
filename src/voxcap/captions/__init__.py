"""Captions: words -> cues -> SRT / WebVTT / ASS / CSV / JSON."""

from voxcap.captions.cues import make_cues
from voxcap.captions.formats import WRITERS, parse_formats, render_captions, words_document
from voxcap.domain import CaptionOptions

__all__ = [
    "WRITERS",
    "CaptionOptions",
    "make_cues",
    "parse_formats",
    "render_captions",
    "words_document",
]
