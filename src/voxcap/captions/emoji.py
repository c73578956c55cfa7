"""Emoji in colour in the video.

libass cannot draw colour emoji fonts (libass#381), so the ASS file a user downloads keeps each
emoji as written but transparent. For the video, each emoji becomes an invisible square of one
em (a vector drawing, so libass lays the line out around it), and libass itself says where it
put each square: a *probe* copy of the captions, with everything transparent but the squares,
each in a colour of its own, is drawn once per caption event that holds an emoji (one ffmpeg
run for all of them, only those frames). The emoji's own picture, the PNG in Debian's Noto
Color Emoji font (SIL OFL; ``fonts-noto-color-emoji``), read with fontTools, is then laid over
each square by ffmpeg's ``overlay`` for as long as its event is on screen.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pysubs2

from voxcap.captions import fit
from voxcap.errors import RenderFailed, VideoUnavailable
from voxcap.processes import die_with_parent

FONT_FAMILY = "Noto Color Emoji"
# emoji in a caption's text (pictographs, flags, their joiners and variation selectors)
_EMOJI = re.compile(
    "([\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u200d]+)"
)
# an emoji as :func:`hide` writes it, found again by :func:`place`
HIDDEN = re.compile(r"\{\\alpha&HFF&\}([^{}]+?)\{\\alpha&H00&\}")


def hide(text: str) -> str:
    """``text`` (ASS event text) with its emoji drawn fully transparent: libass cannot draw
    them in colour, and a box is worse than a gap; the video lays their pictures over them."""
    return _EMOJI.sub(r"{\\alpha&HFF&}\1{\\alpha&H00&}", text)


@dataclass(frozen=True, slots=True)
class Overlay:
    """One emoji picture laid over the frame at (x, y), ``size`` pixels square, from
    ``start`` to ``end`` seconds."""

    emoji: str
    x: int
    y: int
    size: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class _Spot:
    emoji: str
    event: int
    colour: tuple[int, int, int]


def place(ass: str, frame: tuple[int, int], ffmpeg: str) -> tuple[str, list[Overlay]]:
    """The ASS to burn in (each emoji an invisible one-em square) and where each emoji's
    picture goes. An ASS without emoji comes back unchanged, with no overlays.

    Events laid out alike (a cue shown again for each spoken word, its colours aside) are
    probed once; the probe's frames are read one at a time, so memory does not grow with the
    number of events."""
    subs = pysubs2.SSAFile.from_string(ass, format_="ass")
    size = round(subs.styles["Default"].fontsize)
    hidden = rf"{{\alpha&HFF&\bord0\shad0\p1}}{_square(size)}{{\p0\alpha&H00&}}"
    layouts: dict[tuple[str, str], list[int]] = {}  # layout -> the events that share it
    for k, event in enumerate(subs.events):
        if HIDDEN.search(event.text):
            layouts.setdefault((event.style, _LOOK.sub("", event.text)), []).append(k)
    if not layouts:
        return ass, []
    probe = pysubs2.SSAFile.from_string(ass, format_="ass")
    probe.events = []
    spots: list[_Spot] = []
    probed_events: list[int] = []  # the event each probe frame shows
    for group in layouts.values():
        k = max(group, key=lambda n: subs.events[n].duration)  # at rest, past any animation
        event = subs.events[k]

        def box(match: re.Match[str], k: int = k) -> str:
            colour = _colour(len(spots))
            spots.append(_Spot(match[1], k, colour))
            tag = _bgr(colour)
            return (
                rf"{{\alpha&H00&\1c{tag}\2c{tag}\bord0\shad0\p1}}{_square(size)}"
                r"{\p0\alpha&HFF&}"
            )

        # probe n shows at second n + 1 of the probe video, REST into the event
        probed = event.copy()
        probed.text = r"{\alpha&HFF&}" + HIDDEN.sub(box, event.text)
        duration = int(event.end - event.start)
        into = min(round(REST * 1000), duration - 1)
        probed.start = (len(probe.events) + 1) * 1000 - into
        probed.end = min(probed.start + duration, probed.start + into + 500)
        probe.events.append(probed)
        probed_events.append(k)
    wanted = [[s.colour for s in spots if s.event == k] for k in probed_events]
    boxes = _probe(probe.to_string("ass"), frame, wanted, ffmpeg)
    overlays = []
    for group in layouts.values():
        for spot in (s for s in spots if s.event in group):
            if spot.colour not in boxes:
                continue  # off screen
            x, y, side = boxes[spot.colour]
            overlays += [
                Overlay(
                    spot.emoji, x, y, side, subs.events[n].start / 1000, subs.events[n].end / 1000
                )
                for n in group
            ]
    for event in subs.events:
        event.text = HIDDEN.sub(lambda _: hidden, event.text)
    return subs.to_string("ass"), _merged(overlays)


REST = 0.25  # seconds into an event by which its animations (pop, bounce) are over
# what differs between events laid out alike: colours and scale animations
_LOOK = re.compile(r"\\[12]c&H[0-9A-Fa-f]+&|\\t\([^)]*\)|\\fsc[xy][\d.]+")


def _square(size: int) -> str:
    return f"m 0 0 l {size} 0 {size} {size} 0 {size}"


def _colour(index: int) -> tuple[int, int, int]:
    """A probe colour of its own for each square (never black, the probe's background)."""
    return (0xF0 - index // 256, index % 256, 0x0F)


def _bgr(colour: tuple[int, int, int]) -> str:
    red, green, blue = colour
    return f"&H{blue:02X}{green:02X}{red:02X}&"


def _merged(overlays: list[Overlay]) -> list[Overlay]:
    """Overlays of one emoji in one place that follow each other (a cue shown again for each
    spoken word) as one."""
    merged: list[Overlay] = []
    for overlay in sorted(overlays, key=lambda o: (o.start, o.x, o.y)):
        same = [
            k
            for k, m in enumerate(merged)
            if (m.emoji, m.x, m.y, m.size) == (overlay.emoji, overlay.x, overlay.y, overlay.size)
            and abs(m.end - overlay.start) < 1e-3
        ]
        if same:
            m = merged[same[-1]]
            merged[same[-1]] = Overlay(m.emoji, m.x, m.y, m.size, m.start, overlay.end)
        else:
            merged.append(overlay)
    return merged


def _probe(
    ass: str,
    frame: tuple[int, int],
    wanted: list[list[tuple[int, int, int]]],
    ffmpeg: str,
) -> dict[tuple[int, int, int], tuple[int, int, int]]:
    """The probe captions drawn by libass at seconds 1, 2, ... (a frame a second, one per
    list in ``wanted``), read one frame at a time: where each colour wanted in a frame is
    (x, y, side)."""
    count = len(wanted)
    import tempfile

    width, height = frame
    found: dict[tuple[int, int, int], tuple[int, int, int]] = {}
    with tempfile.TemporaryDirectory(prefix="voxcap-emoji-") as folder:
        (Path(folder) / "probe.ass").write_text(ass, encoding="utf-8")
        command = [
            *(ffmpeg, "-nostdin", "-v", "error", "-f", "lavfi"),
            *("-i", f"color=c=black:s={width}x{height}:r=1:d={count + 1}"),
            *("-vf", "format=rgb24,ass=probe.ass"),
            *("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"),
        ]
        with subprocess.Popen(
            command,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=die_with_parent(),
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            size = width * height * 3
            proc.stdout.read(size)  # second 0: nothing shown
            for colours in wanted:
                data = proc.stdout.read(size)
                if len(data) < size:
                    break
                pixels = np.frombuffer(data, np.uint8).reshape(height, width, 3)
                ys, xs = np.nonzero(pixels.any(axis=-1))  # the few drawn pixels
                drawn = pixels[ys, xs]
                for colour in colours:
                    at = np.all(drawn == colour, axis=-1)
                    if at.any():
                        cx, cy = xs[at], ys[at]
                        side = int(max(cx.max() - cx.min(), cy.max() - cy.min())) + 1
                        found[colour] = (int(cx.min()), int(cy.min()), side)
            errors = proc.stderr.read()
            code = proc.wait()
    if code != 0:
        raise RenderFailed(f"ffmpeg could not place the emoji: {errors.decode()[-300:]}")
    return found


def picture(emoji: str) -> tuple[bytes, float]:
    """The PNG of ``emoji`` in Noto Color Emoji (a sequence as its ligature where the font has
    one, else its first emoji), and how far up from the baseline its top is, in widths.
    Raises VideoUnavailable without the font."""
    glyphs = _glyphs()
    codes = [ord(c) for c in emoji if c not in "\ufe0f\ufe0e"]
    name = _ligature(tuple(codes)) or next(
        (glyphs.cmap[c] for c in codes if c in glyphs.cmap), None
    )
    if name is None or name not in glyphs.strike:
        name = glyphs.cmap.get(0x2753, "")  # ❓: an emoji the font lacks
    bitmap = glyphs.strike[name]
    bitmap.decompile()
    data: bytes = bitmap.imageData
    metrics = bitmap.metrics
    return data, metrics.BearingY / max(metrics.width, 1)


@dataclass(frozen=True, slots=True)
class _Glyphs:
    cmap: dict[int, str]
    strike: dict[str, Any]
    ligatures: dict[tuple[str, ...], str]


@functools.cache
def _glyphs() -> _Glyphs:
    from fontTools.ttLib import TTFont

    path = font_file()
    font = TTFont(str(path), lazy=True)
    ligatures: dict[tuple[str, ...], str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            if lookup.LookupType == 7:  # extension
                table = table.ExtSubTable
            for first, entries in getattr(table, "ligatures", {}).items():
                for entry in entries:
                    ligatures[(first, *entry.Component)] = entry.LigGlyph
    return _Glyphs(font.getBestCmap() or {}, font["CBDT"].strikeData[0], ligatures)


def _ligature(codes: tuple[int, ...]) -> str | None:
    if len(codes) < 2:
        return None
    glyphs = _glyphs()
    names = tuple(glyphs.cmap.get(c, "") for c in codes)
    return glyphs.ligatures.get(names)


def font_file() -> Path:
    """Noto Color Emoji's file. Raises VideoUnavailable when it is not installed."""
    found = fit.font_file(FONT_FAMILY, bold=False)  # what fontconfig picks for the name
    if found.name != "NotoColorEmoji.ttf":
        raise VideoUnavailable(
            "emoji in a video need the Noto Color Emoji font (apt-get install "
            "fonts-noto-color-emoji)"
        )
    return found


def overlay_graph(
    overlays: list[Overlay], folder: Path, first_input: int, video: str
) -> tuple[list[str], str, str]:
    """The ffmpeg inputs, the filter graph steps and the output label that lay ``overlays``
    over the stream labelled ``video``; each emoji's PNG is written into ``folder``."""
    inputs: list[str] = []
    steps: list[str] = []
    label = video
    written: dict[str, tuple[Path, float]] = {}
    for n, overlay in enumerate(overlays):
        if overlay.emoji not in written:
            png, rise = picture(overlay.emoji)
            written[overlay.emoji] = (folder / f"emoji{len(written)}.png", rise)
            written[overlay.emoji][0].write_bytes(png)
        path, rise = written[overlay.emoji]
        inputs += ["-i", str(path)]
        index = first_input + n
        # the square stands on the baseline; the emoji reaches below it as a glyph does
        y = overlay.y + overlay.size - round(rise * overlay.size)
        steps.append(f"[{index}:v]scale={overlay.size}:-1,format=rgba[e{n}]")
        steps.append(
            f"[{label}][e{n}]overlay=x={overlay.x}:y={y}:eof_action=repeat:"
            f"enable='between(t,{overlay.start:.3f},{overlay.end:.3f})'[o{n}]"
        )
        label = f"o{n}"
    return inputs, ";".join(steps), label
