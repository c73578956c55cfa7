"""The ASS writer: any caption preset (:mod:`voxcap.captions.presets`) for any frame.

The file's ``PlayResX/PlayResY`` are the frame (1080x1920 by default), so libass draws it without
stretching; the text stays in the platform's safe area, a word too wide for it is scaled down
(:mod:`voxcap.captions.fit`). Emoji are kept in the events but drawn fully transparent: libass
cannot draw colour emoji (libass#381), and a box is worse than a gap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pysubs2

from voxcap.captions.emoji import hide
from voxcap.captions.fit import fit_scale, safe_area, text_width
from voxcap.captions.presets import Effect, Preset
from voxcap.domain import Cue, Word
from voxcap.text import sentence_ends

PLAY_RES = (1080, 1920)
BLACK = pysubs2.Color(0, 0, 0)
_AMOUNT = re.compile(r"^[$€£¥₹]?[+-]?\d[\d.,:/%]*\w*[%]?$|^[$€£¥₹]\d")


def escape(text: str) -> str:
    """User text made safe for an ASS event: braces and backslashes would start overrides."""
    return text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")")


def colour(value: str) -> pysubs2.Color:
    return pysubs2.Color(int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def _tag(value: str, which: str = "1") -> str:
    """An ASS colour override for #RRGGBB (``\\1c`` primary, ``\\2c`` secondary)."""
    hex_ = value.upper()
    return rf"\{which}c&H{hex_[5:7]}{hex_[3:5]}{hex_[1:3]}&"


@dataclass(frozen=True, slots=True)
class Paint:
    """How words are drawn: the ``look``, and the words (by identity) in its keyword colour:
    the user's keywords, and with the look's ``emphasis`` numbers, money, percentages and
    names."""

    look: Preset
    marked: frozenset[int] = frozenset()

    def display(self, word: Word) -> str:
        """A word as drawn: capitals for an all-caps look, its keyword colour, emoji hidden."""
        look = self.look
        text = escape(word.text.upper() if look.uppercase else word.text)
        text = hide(text)
        if id(word) in self.marked:
            base = look.highlight if look.effect == "fill" else look.colour
            text = (
                f"{{{_tag(look.keyword)}{_tag(look.keyword, '2')}}}{text}"
                f"{{{_tag(base)}{_tag(look.colour, '2')}}}"
            )
        return text

    def active(self, word: Word) -> str:
        """The word being said: in the highlight colour, with the look's animation."""
        shown = f"{{{_tag(self.look.highlight)}}}{self.display(word)}{{{_tag(self.look.colour)}}}"
        animation = ANIMATIONS[self.look.animation]
        return f"{animation.enter}{shown}{animation.leave}"


@dataclass(frozen=True, slots=True)
class Animation:
    """How the active word comes in: the tags before it (from the moment it is said), those
    after it, and the largest it grows to (a word is fitted at that size)."""

    enter: str
    leave: str
    peak: float


_REST = r"{\fscx100\fscy100}"
ANIMATIONS: dict[str, Animation] = {
    "none": Animation("", "", 1.0),
    "pop": Animation(r"{\fscx118\fscy118\t(0,120,\fscx100\fscy100)}", _REST, 1.18),
    "scale": Animation(r"{\fscx80\fscy80\t(0,120,\fscx108\fscy108)}", _REST, 1.08),
    "bounce": Animation(r"{\t(0,80,\fscx122\fscy122)\t(80,200,\fscx100\fscy100)}", _REST, 1.22),
}


def _still(text: str) -> str:
    """Event text without its scale animations (the tags and the blocks they leave empty)."""
    return _SCALING.sub("", text).replace("{}", "")


_SCALING = re.compile(r"\\fsc[xy][\d.]+|\\t\(\d+,\d+,\\fscx[\d.]+\\fscy[\d.]+\)")


def marked_words(words: Sequence[Word], look: Preset, keywords: Sequence[str]) -> frozenset[int]:
    """The words (ids) drawn in the keyword colour: each word whose letters are one of
    ``keywords`` (any case, punctuation aside), and with the look's ``emphasis`` numbers,
    money, percentages and names (a capitalised word that does not start a sentence)."""
    wanted = {_bare(k) for k in keywords if _bare(k)}
    ends = sentence_ends([w.text for w in words])
    marked = set()
    for i, word in enumerate(words):
        bare = _bare(word.text)
        starts = i == 0 or (i - 1) in ends
        name = (
            not starts
            and word.text[:1].isupper()
            and not word.text.isupper()
            and bare not in {"i", "im", "ive", "ill", "id"}
        )
        if bare in wanted or (look.emphasis and (bool(_AMOUNT.search(word.text)) or name)):
            marked.add(id(word))
    return frozenset(marked)


def _bare(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def style_for(look: Preset, frame: tuple[int, int]) -> pysubs2.SSAStyle:
    """The ASS style of ``look`` on a ``frame``: text scaled with the frame's short side (the
    same size on 9:16, 1:1 and 16:9 at 1080), margins from the safe area."""
    width, height = frame
    scale = min(width, height) / min(PLAY_RES)
    area = safe_area(frame)
    middle = look.position == "middle"
    # libass wraps on the glyphs' advances: the outline and shadow reach past them
    edge = math.ceil((look.outline + look.shadow) * scale)
    return pysubs2.SSAStyle(
        fontname=look.font,
        fontsize=round(look.size * scale),
        primarycolor=colour(look.highlight if look.effect == "fill" else look.colour),
        secondarycolor=colour(look.colour),
        outlinecolor=BLACK,
        backcolor=pysubs2.Color(0, 0, 0, 128),
        bold=True,
        outline=round(look.outline * scale, 1),
        shadow=round(look.shadow * scale, 1),
        alignment=pysubs2.Alignment.MIDDLE_CENTER if middle else pysubs2.Alignment.BOTTOM_CENTER,
        marginl=area.left + edge,
        marginr=area.right + edge,
        marginv=0 if middle else max(area.bottom, round(0.29 * height)),
    )


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


POP_PEAK = 1.15


def _pop(top: int, rest: int) -> str:
    return rf"{{\fscx{top}\fscy{top}\t(0,90,\fscx{rest}\fscy{rest})}}"


POP = _pop(round(100 * POP_PEAK), 100)


def _pop_events(cues: Sequence[Cue], paint: Paint) -> list[pysubs2.SSAEvent]:
    """One event per spoken word. A word with no spoken time of its own (a dash, an emoji,
    a word the engine swallowed) is shown with its neighbour, never dropped."""
    events: list[pysubs2.SSAEvent] = []
    for cue in cues:
        carried: list[str] = []  # silent words before the cue's first timed word
        first = len(events)  # this cue's events start here
        for i, word in enumerate(cue.words):
            later = [w.start for w in cue.words[i + 1 :] if w.end > w.start]
            end = later[0] if later else cue.end
            if word.end <= word.start or end <= word.start:
                if len(events) > first:
                    events[-1].text += " " + paint.display(word)  # after the word before
                else:
                    carried.append(paint.display(word))  # before the first timed word
                continue
            text = " ".join([*carried, paint.display(word)])
            carried = []
            events.append(pysubs2.SSAEvent(_ms(word.start), _ms(end), POP + text))
        if carried:  # a cue of silent words only: shown for the cue's own time
            events.append(pysubs2.SSAEvent(_ms(cue.start), _ms(cue.end), POP + " ".join(carried)))
    return events


def _fill_events(cues: Sequence[Cue], paint: Paint) -> list[pysubs2.SSAEvent]:
    events = []
    for cue in cues:
        parts, shown = [], round(cue.start * 100)  # \k counts centiseconds from the cue start
        for word in cue.words:
            lead = round(word.start * 100) - shown
            if lead > 0:
                parts.append(rf"{{\k{lead}}}")
            length = max(round(word.end * 100) - round(word.start * 100), 0)
            parts.append(rf"{{\kf{length}}}{paint.display(word)} ")
            shown = max(shown, round(word.start * 100)) + length
        events.append(pysubs2.SSAEvent(_ms(cue.start), _ms(cue.end), "".join(parts).rstrip()))
    return events


def _active_events(cues: Sequence[Cue], paint: Paint) -> list[pysubs2.SSAEvent]:
    """The cue shown for as long as it lasts, one event per spoken word with only that word in
    the highlight colour (words with no time of their own stay in the text, unlit)."""
    events = []
    for cue in cues:
        timed = [i for i, w in enumerate(cue.words) if w.end > w.start]
        if not timed:
            text = " ".join(paint.display(w) for w in cue.words)
            events.append(pysubs2.SSAEvent(_ms(cue.start), _ms(cue.end), text))
            continue
        for n, i in enumerate(timed):
            start = cue.start if n == 0 else cue.words[i].start
            end = cue.words[timed[n + 1]].start if n + 1 < len(timed) else cue.end
            if end <= start:
                continue
            parts = [
                paint.active(w) if k == i else paint.display(w) for k, w in enumerate(cue.words)
            ]
            events.append(pysubs2.SSAEvent(_ms(start), _ms(end), " ".join(parts)))
    return events


def _plain_events(cues: Sequence[Cue], paint: Paint) -> list[pysubs2.SSAEvent]:
    return [
        pysubs2.SSAEvent(_ms(c.start), _ms(c.end), " ".join(paint.display(w) for w in c.words))
        for c in cues
    ]


EFFECTS: dict[Effect, Callable[[Sequence[Cue], Paint], list[pysubs2.SSAEvent]]] = {
    "fill": _fill_events,
    "active": _active_events,
    "pop": _pop_events,
    "none": _plain_events,
}


def ass_file(
    cues: Sequence[Cue],
    look: Preset,
    frame: tuple[int, int] = PLAY_RES,
    keywords: Sequence[str] = (),
    hook: str | None = None,
) -> pysubs2.SSAFile:
    """An ASS subtitle file in the ``look`` for a video of ``frame`` (width, height), with
    ``keywords`` in the look's keyword colour and a ``hook`` title over the first seconds."""
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"], subs.info["PlayResY"] = str(frame[0]), str(frame[1])
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.info["WrapStyle"] = "0"
    style = style_for(look, frame)
    subs.styles["Default"] = style
    pops = look.effect == "pop"
    words = [w for c in cues for w in c.words]
    marked = marked_words(words, look, keywords)
    grow = ANIMATIONS[look.animation].peak if look.effect == "active" else 1.0
    colours = speaker_colours(words, look)
    events = []
    for cue in cues:  # a dialogue's speakers each in their own colour
        speaker = cue.words[0].speaker if cue.words else None
        if speaker not in colours or colours[speaker] == look.colour:
            events += EFFECTS[look.effect]([cue], Paint(look, marked))
            continue
        painted = replace(look, colour=colours[speaker])
        base = "{" + _tag(painted.colour, "2" if look.effect == "fill" else "1") + "}"
        for event in EFFECTS[look.effect]([cue], Paint(painted, marked)):
            event.text = base + event.text
            events.append(event)
    subs.events = [_shrink(e, style, frame, pops, grow) for e in events]
    if hook and hook.strip():
        subs.styles["Hook"] = hook_style(look, frame)
        end = min(HOOK_SECONDS, max((c.end for c in cues), default=HOOK_SECONDS))
        title = escape(hook.strip().upper() if look.uppercase else hook.strip())
        title = hide(title)
        event = pysubs2.SSAEvent(0, _ms(end), HOOK_IN + title, style="Hook", layer=1)
        subs.events.insert(0, _shrink(event, subs.styles["Hook"], frame, False))
    return subs


# the colours of a dialogue's second and later speakers (the first keeps the look's)
SPEAKER_COLOURS = ("#FFD23F", "#7FDBFF", "#FF9AA2", "#B9F18C", "#C3A6FF", "#FFB870", "#9AF5E1")


def speaker_colours(words: Sequence[Word], look: Preset) -> dict[str | None, str]:
    """The text colour of each speaker of a dialogue, in order of appearance: the look's own
    for the first, then :data:`SPEAKER_COLOURS` (any close to the highlight colour skipped:
    the spoken word must stand out)."""
    speakers = list(dict.fromkeys(w.speaker for w in words if w.speaker is not None))
    palette = [c for c in SPEAKER_COLOURS if _distance(c, look.highlight) >= 150]
    colours = [look.colour, *palette]
    return {s: colours[i % len(colours)] for i, s in enumerate(speakers)}


def _distance(a: str, b: str) -> float:
    """How far apart two #RRGGBB colours are (Euclidean, 0-441)."""
    pairs = zip(bytes.fromhex(a[1:7]), bytes.fromhex(b[1:7]), strict=True)
    return math.sqrt(sum((x - y) ** 2 for x, y in pairs))


HOOK_SECONDS = 3.0  # how long the hook title stays up (or the whole narration, if shorter)
HOOK_IN = r"{\fad(120,250)\fscx85\fscy85\t(0,160,\fscx100\fscy100)}"  # pops in, fades out
HOOK_SCALE = 1.1
HOOK_TEXT = "#111111"


def hook_style(look: Preset, frame: tuple[int, int]) -> pysubs2.SSAStyle:
    """The hook title's style: the look's font a size up, dark text in a box of the look's
    highlight colour, in the upper third of the frame, inside the safe area."""
    style = style_for(look, frame)
    width, height = frame
    area = safe_area(frame)
    style.fontsize = round(style.fontsize * HOOK_SCALE)
    style.primarycolor = colour(HOOK_TEXT)
    style.secondarycolor = colour(HOOK_TEXT)
    style.outlinecolor = colour(look.highlight)
    style.backcolor = colour(look.highlight)
    style.borderstyle = 3  # an opaque box behind the text
    style.outline = round(0.012 * min(width, height), 1)
    style.shadow = 0
    style.alignment = pysubs2.Alignment.TOP_CENTER
    style.marginv = area.top + round(0.06 * height)
    return style


WRAP_LINES = 2  # the most lines one wrapped word takes
_WRAP_AFTER = re.compile(r"(?<=[/.@?&=_\-])(?=.)")  # where a URL or address may wrap


def _wrap(word: str, family: str, size: float, outline: float, room: float) -> list[str]:
    """``word`` in lines that fit ``room`` pixels, cut after its ``/ . @ ? & = _ -`` (the
    word itself, one line, when it fits or has no such place)."""
    if text_width(word, family, size) + 2 * outline <= room:
        return [word]
    lines = [""]
    for piece in _WRAP_AFTER.split(word):
        if lines[-1] and text_width(lines[-1] + piece, family, size) + 2 * outline > room:
            lines.append(piece)
        else:
            lines[-1] += piece
    return lines


def _shrink(
    event: pysubs2.SSAEvent,
    style: pysubs2.SSAStyle,
    frame: tuple[int, int],
    pops: bool,
    grow: float = 1.0,
) -> pysubs2.SSAEvent:
    """``event`` with a word too wide for the margins (a URL, an e-mail address) wrapped
    after its ``/``, ``.``, ``@``...; scaled down when a word still would not fit (a long
    compound); a popping word fits at the top of its pop, an animated one at the top of its
    animation (``grow``), unless a word is too wide even at rest: then the event keeps still."""
    room = frame[0] - style.marginl - style.marginr
    peak = POP_PEAK if pops else grow
    widest = max(
        (text_width(w, style.fontname, style.fontsize) for w in event.plaintext.split()),
        default=0.0,
    )
    if not pops and grow > 1 and widest * grow + 2 * style.outline > room:
        event.text, peak = _still(event.text), 1.0
    size = style.fontsize * peak
    for word in event.plaintext.split():
        lines = _wrap(word, style.fontname, size, style.outline, room)
        width: float = room
        while len(lines) > WRAP_LINES:  # fewer, wider lines, scaled down below
            width *= 1.1
            lines = _wrap(word, style.fontname, size, style.outline, width)
        if len(lines) > 1:
            event.text = event.text.replace(word, r"\N".join(lines), 1)
    words = event.plaintext.split()
    scale = fit_scale(words, style.fontname, size, style.outline, room)
    if scale >= 100:
        return event
    if pops:
        event.text = event.text.replace(POP, _pop(round(scale * peak), scale), 1)
    else:  # an animated word keeps still: its scaling would undo the fit
        event.text = rf"{{\fscx{scale}\fscy{scale}}}" + _still(event.text)
    return event
