"""ASS styles for vertical (9:16) video: ``word``, ``karaoke`` and ``plain``.

- ``word``: one big word at a time, with a short pop-in.
- ``karaoke``: the phrase is shown; each word turns highlight colour as it is spoken (``\\kf``).
- ``plain``: the phrase in white.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pysubs2

from voxcap.captions.fit import fit_scale, safe_area
from voxcap.domain import Cue

PLAY_RES = (1080, 1920)
FONT = "DejaVu Sans"
WHITE = pysubs2.Color(255, 255, 255)
YELLOW = pysubs2.Color(255, 214, 0)
BLACK = pysubs2.Color(0, 0, 0)


def escape(text: str) -> str:
    """User text made safe for an ASS event: braces and backslashes would start overrides."""
    return text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")")


def _style(size: int, primary: pysubs2.Color, secondary: pysubs2.Color) -> pysubs2.SSAStyle:
    """A style laid out for 1080x1920 (see :func:`fit` for other frames)."""
    return pysubs2.SSAStyle(
        fontname=FONT,
        fontsize=size,
        primarycolor=primary,
        secondarycolor=secondary,
        outlinecolor=BLACK,
        backcolor=pysubs2.Color(0, 0, 0, 128),
        bold=True,
        outline=6,
        shadow=2,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=80,
        marginr=80,
        marginv=560,
    )


def fit(style: pysubs2.SSAStyle, frame: tuple[int, int]) -> pysubs2.SSAStyle:
    """``style`` laid out for a ``frame`` of another size: text scaled with the frame's short
    side (the same size on 9:16, 1:1 and 16:9 at 1080), margins with its width and height."""
    width, height = frame
    scale = min(width, height) / min(PLAY_RES)
    fitted = style.copy()
    fitted.fontsize = round(style.fontsize * scale)
    fitted.outline = round(style.outline * scale, 1)
    fitted.shadow = round(style.shadow * scale, 1)
    area = safe_area(frame)
    fitted.marginl, fitted.marginr = area.left, area.right
    fitted.marginv = max(area.bottom, round(style.marginv * height / PLAY_RES[1]))
    return fitted


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _word_events(cues: Sequence[Cue]) -> list[pysubs2.SSAEvent]:
    """One event per spoken word. A word with no spoken time of its own (a dash, an emoji,
    a word the engine swallowed) is shown with its neighbour, never dropped."""
    events: list[pysubs2.SSAEvent] = []
    pop = POP
    for cue in cues:
        carried: list[str] = []  # silent words before the cue's first timed word
        first = len(events)  # this cue's events start here
        for i, word in enumerate(cue.words):
            end = cue.words[i + 1].start if i + 1 < len(cue.words) else cue.end
            if end <= word.start:
                if len(events) > first:
                    events[-1].text += " " + escape(word.text)  # after the word before it
                else:
                    carried.append(escape(word.text))  # before the cue's first timed word
                continue
            text = " ".join([*carried, escape(word.text)])
            carried = []
            events.append(pysubs2.SSAEvent(_ms(word.start), _ms(end), pop + text))
        if carried:  # a cue of silent words only: shown for the cue's own time
            events.append(pysubs2.SSAEvent(_ms(cue.start), _ms(cue.end), pop + " ".join(carried)))
    return events


def _karaoke_events(cues: Sequence[Cue]) -> list[pysubs2.SSAEvent]:
    events = []
    for cue in cues:
        parts, shown = [], round(cue.start * 100)  # \k counts centiseconds from the cue start
        for word in cue.words:
            lead = round(word.start * 100) - shown
            if lead > 0:
                parts.append(rf"{{\k{lead}}}")
            length = max(round(word.end * 100) - round(word.start * 100), 0)
            parts.append(rf"{{\kf{length}}}{escape(word.text)} ")
            shown = max(shown, round(word.start * 100)) + length
        events.append(pysubs2.SSAEvent(_ms(cue.start), _ms(cue.end), "".join(parts).rstrip()))
    return events


def _plain_events(cues: Sequence[Cue]) -> list[pysubs2.SSAEvent]:
    return [pysubs2.SSAEvent(_ms(c.start), _ms(c.end), escape(c.text)) for c in cues]


STYLES: dict[str, tuple[Callable[[Sequence[Cue]], list[pysubs2.SSAEvent]], pysubs2.SSAStyle]] = {
    "word": (_word_events, _style(120, WHITE, WHITE)),
    "karaoke": (_karaoke_events, _style(84, YELLOW, WHITE)),
    "plain": (_plain_events, _style(84, WHITE, WHITE)),
}


def ass_file(cues: Sequence[Cue], style: str, frame: tuple[int, int] = PLAY_RES) -> pysubs2.SSAFile:
    """An ASS subtitle file in ``style`` for a video of ``frame`` (width, height; 1080x1920 by
    default): PlayRes is the frame, so libass draws it without stretching."""
    build, ass_style = STYLES[style]
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"], subs.info["PlayResY"] = str(frame[0]), str(frame[1])
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.info["WrapStyle"] = "0"
    fitted = fit(ass_style, frame)
    subs.styles["Default"] = fitted
    subs.events = [_shrink(e, fitted, frame, style == "word") for e in build(cues)]
    return subs


def _shrink(
    event: pysubs2.SSAEvent, style: pysubs2.SSAStyle, frame: tuple[int, int], pops: bool
) -> pysubs2.SSAEvent:
    """``event`` scaled down when its widest word (a URL, a long compound) would not fit
    between the margins; a popping word fits at the top of its pop."""
    room = frame[0] - style.marginl - style.marginr
    words = event.plaintext.split()
    peak = 1.15 if pops else 1.0
    scale = fit_scale(words, style.fontname, style.fontsize * peak, style.outline, room)
    if scale >= 100:
        return event
    if pops:
        top = round(scale * peak)
        event.text = event.text.replace(POP, _pop(top, scale), 1)
    else:
        event.text = rf"{{\fscx{scale}\fscy{scale}}}" + event.text
    return event


def _pop(top: int, rest: int) -> str:
    return rf"{{\fscx{top}\fscy{top}\t(0,90,\fscx{rest}\fscy{rest})}}"


POP = _pop(115, 100)
