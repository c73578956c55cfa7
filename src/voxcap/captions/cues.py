"""Group timed words into caption cues (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

from voxcap.captions.broadcast import FUNCTION_WORDS, broadcast_cues
from voxcap.domain import CaptionOptions, Cue, Word
from voxcap.text import sentence_ends

DEFAULT_OPTIONS = CaptionOptions()


def make_cues(words: Sequence[Word], options: CaptionOptions = DEFAULT_OPTIONS) -> list[Cue]:
    """Cues for ``words``: one word per cue, phrases bounded by ``options``, or broadcast
    subtitles (``mode="broadcast"``: :mod:`voxcap.captions.broadcast`).

    A phrase ends at ``max_words``, ``max_chars`` (text with spaces), ``max_duration``, a pause
    of at least ``options.pause`` seconds, or a sentence end. A phrase cut by a limit does not
    end on a function word ("decided a | recipe" becomes "decided | a recipe"). Words with no
    duration (a lone "-") join the cue before them. Each cue's end is stretched to the next
    cue's start when the gap is shorter than a pause, so captions do not flicker off between
    words, but not past ``max_duration``.
    """
    if options.mode == "broadcast":
        return broadcast_cues(words)
    ends = sentence_ends([w.text for w in words])
    groups: list[list[Word]] = []
    for i, word in enumerate(words):
        new = not groups or _starts_new(groups[-1], word, options) or (i - 1) in ends
        if groups and (word.end <= word.start or not new):
            groups[-1].append(word)
        elif groups and (i - 1) not in ends and (moved := _dangling(groups[-1], word, options)):
            tail = groups[-1][-moved:]  # the function words go with their phrase
            del groups[-1][-moved:]
            groups.append([*tail, word])
        else:
            groups.append([word])
    cues = [Cue(tuple(g), g[0].start, max(g[-1].end, g[0].start + 0.01)) for g in groups]
    for i in range(len(cues) - 1):
        gap = cues[i + 1].start - cues[i].end
        if 0 < gap < options.pause:  # stretched, but never past --max-duration
            end = max(cues[i].end, min(cues[i + 1].start, cues[i].start + options.max_duration))
            cues[i] = Cue(cues[i].words, cues[i].start, end)
    return cues


def _dangling(current: list[Word], word: Word, options: CaptionOptions) -> int:
    """How many function words ``current`` ends on that belong with ``word`` (no punctuation
    or pause between them) and fit in a phrase with it; 0 when none should move."""
    if options.mode != "phrase" or word.start - current[-1].end >= options.pause:
        return 0
    count = 0
    while count < len(current) - 1 and current[-1 - count].text.lower() in FUNCTION_WORDS:
        count += 1
    moved = [*current[len(current) - count :], word]
    fits = (
        len(moved) <= options.max_words
        and len(" ".join(w.text for w in moved)) <= options.max_chars
        and word.end - moved[0].start <= options.max_duration
    )
    return count if fits else 0


def _starts_new(current: list[Word], word: Word, options: CaptionOptions) -> bool:
    if options.mode == "word":
        return True
    text = " ".join(w.text for w in current)
    return (
        len(current) >= options.max_words
        or len(text) + 1 + len(word.text) > options.max_chars
        or word.end - current[0].start > options.max_duration
        or word.start - current[-1].end >= options.pause
    )
