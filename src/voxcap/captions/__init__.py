"""Captions: words -> cues -> SRT / WebVTT / ASS / CSV / JSON."""

from voxcap.captions.cues import make_cues
from voxcap.domain import CaptionOptions
from voxcap.captions.formats import WRITERS, parse_formats, render_captions, words_document

__all__ = ["WRITERS", "CaptionOptions", "make_cues", "parse_formats", "render_captions", "words_document"]
