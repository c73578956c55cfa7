"""Keep burned-in captions inside the platform's safe area, measured with the real font.

A vertical video's right edge holds the app's buttons (TikTok, Reels, Shorts) and its bottom the
caption and description bar, so text must stay in a *safe area*. libass wraps lines at spaces
inside the style's margins, but cannot break a word: a URL, an e-mail address or a long German
compound would run off the frame. Each event whose longest word is wider than the safe area is
scaled down (``\\fscx``/``\\fscy``) until it fits, with widths from the font's own advance widths
(fontTools), not a character count.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from voxcap.errors import MissingDependency


@dataclass(frozen=True, slots=True)
class SafeArea:
    """Margins in pixels that text must stay inside of a ``width`` x ``height`` frame."""

    left: int
    right: int
    top: int
    bottom: int

    def width(self, frame: tuple[int, int]) -> int:
        return frame[0] - self.left - self.right


def safe_area(frame: tuple[int, int]) -> SafeArea:
    """The safe area of a frame. Vertical video keeps clear of the right-hand button column
    (about 15 % of the width) and the bottom bar (about 20 % of the height), as TikTok's,
    Reels' and Shorts' safe-zone guides ask, with the same margin on the left so that the text
    sits in the middle of the frame; square and landscape video keep 5 % margins."""
    width, height = frame
    if height > width:  # 9:16
        side = round(0.16 * width)
        return SafeArea(side, side, round(0.1 * height), round(0.2 * height))
    return SafeArea(
        round(0.05 * width), round(0.05 * width), round(0.05 * height), round(0.05 * height)
    )


@functools.cache
def font_file(family: str, bold: bool) -> Path:
    """The file fontconfig picks for ``family`` (what libass will draw with)."""
    exe = shutil.which("fc-match")
    if exe is None:
        raise MissingDependency("fitting captions needs fontconfig (apt-get install fontconfig)")
    style = ":bold" if bold else ""
    done = subprocess.run(
        [exe, "-f", "%{file}", f"{family}{style}"], capture_output=True, text=True, check=False
    )
    return Path(done.stdout.strip())


@functools.cache
def font_families() -> frozenset[str]:
    """The font families fontconfig knows, in lower case (each name a family goes by)."""
    exe = shutil.which("fc-list")
    if exe is None:
        raise MissingDependency("caption fonts need fontconfig (apt-get install fontconfig)")
    done = subprocess.run(
        [exe, ":", "family"], capture_output=True, text=True, check=False, timeout=60
    )
    return frozenset(
        name.strip().lower() for line in done.stdout.splitlines() for name in line.split(",")
    )


@functools.cache
def _advances(path: Path) -> tuple[dict[int, int], int, int]:
    """(codepoint -> advance width, the font's fallback advance, units per em)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        cmap = font.getBestCmap() or {}
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] for code, glyph in cmap.items() if glyph in metrics}
        units = int(font["head"].unitsPerEm)
        fallback = metrics.get(".notdef", (units // 2, 0))[0]
    return widths, fallback, units


def text_width(text: str, family: str, size: float, bold: bool = True) -> float:
    """The width in pixels of ``text`` drawn in ``family`` at ``size`` (ASS font size: the
    em height in pixels)."""
    widths, fallback, units = _advances(font_file(family, bold))
    return sum(widths.get(ord(c), fallback) for c in text) * size / units


def fit_scale(words: list[str], family: str, size: float, outline: float, room: float) -> int:
    """The percentage (≤ 100) to draw at so that the widest word, with its outline, fits in
    ``room`` pixels."""
    widest = max((text_width(w, family, size) for w in words), default=0.0) + 2 * outline
    if widest <= room:
        return 100
    return max(10, int(100 * room / widest))
