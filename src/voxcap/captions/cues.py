"""Group timed words into caption cues (pure functions, no I/O).

Phrase cues are cut the way a person would cut them. Each sentence (a cue never crosses a
sentence end, nor a pause of ``options.pause``) is split at the places that cost least:

- the limits hold (``max_words``, ``max_chars``, ``max_duration``); emoji do not count;
- a cue of one word is a last resort (unless the sentence is one word), so is a cue that would
  flash by in under ``MIN_SECONDS``;
- a cue does not end on a function word ("decided a | recipe") or on an opening quote;
- pairs that read as one stay together: a number and its unit or noun ("80 kg", "30 days"),
  an amount and its magnitude ("3 million"), a title or initials and the name ("Dr. Lisa
  Cook", "J.P. Morgan"), a name and its number ("React 18.2");
- a cut after a comma, a colon or a closing quote is preferred.

Words with no time of their own (an emoji, a lone "-") go with the word before them.
A cue is held on screen through a pause shorter than ``HOLD`` seconds (up to the next cue), so
captions do not blink off between sentences, but not past ``max_duration``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from voxcap.captions.broadcast import FUNCTION_WORDS, broadcast_cues
from voxcap.domain import CaptionOptions, Cue, Word
from voxcap.text import sentence_ends
from voxcap.text.abbreviations import TITLES, key
from voxcap.text.emoji import is_emoji
from voxcap.text.measures import UNITS
from voxcap.text.script import is_initials

DEFAULT_OPTIONS = CaptionOptions()
MIN_SECONDS = 0.3  # the shortest a cue should be on screen
HOLD = 0.7  # a cue stays up through a pause shorter than this

_NUMBER = re.compile(r"^[$€£¥₹]?[+-]?\d[\d.,]*[%]?$")
_MAGNITUDES = {"hundred", "thousand", "million", "billion", "trillion", "k", "m", "bn"}
_OPENS = "\"“‘'«("
_CLOSES = "\"”’'»)"


def make_cues(words: Sequence[Word], options: CaptionOptions = DEFAULT_OPTIONS) -> list[Cue]:
    """Cues for ``words``: one word per cue (``mode="word"``), phrases bounded by ``options``
    and cut where they read best (``mode="phrase"``, see the module), or broadcast subtitles
    (``mode="broadcast"``: :mod:`voxcap.captions.broadcast`)."""
    if options.mode == "broadcast":
        turns = [list(g) for _, g in itertools.groupby(words, key=lambda w: w.speaker)]
        return [cue for turn in turns for cue in broadcast_cues(turn)]
    units = _units(words)
    if options.mode == "word":
        groups = units
    else:
        groups = [g for run in _runs(units, options) for g in _split(run, options)]
    cues = [_cue(g) for g in groups]
    return _hold(cues, options)


def _units(words: Sequence[Word]) -> list[list[Word]]:
    """The words with each word that has no time of its own (an emoji, a lone "-") joined to
    the word before it (to the one after it at the very start)."""
    units: list[list[Word]] = []
    leading: list[Word] = []
    for word in words:
        if word.end <= word.start:
            if units:
                units[-1].append(word)
            else:
                leading.append(word)
            continue
        units.append([*leading, word])
        leading = []
    if leading:
        units.append(leading)
    return units


def _runs(units: list[list[Word]], options: CaptionOptions) -> list[list[list[Word]]]:
    """The units cut at sentence ends and at pauses of ``options.pause``: no cue crosses one."""
    ends = sentence_ends([w.text for u in units for w in u])
    runs: list[list[list[Word]]] = [[]]
    first = 0  # the index of the unit's first word among all the words
    for k, unit in enumerate(units):
        runs[-1].append(unit)
        at_end = any(first + m in ends for m in range(len(unit)))
        first += len(unit)
        if k + 1 < len(units):
            gap = _spoken(units[k + 1])[0].start - _spoken(unit)[-1].end
            turn = units[k + 1][0].speaker != unit[-1].speaker  # a cue has one speaker
            if at_end or turn or gap >= options.pause:
                runs.append([])
    return [r for r in runs if r]


def _spoken(unit: list[Word]) -> list[Word]:
    """The words of a unit that have a time of their own (all of them if none has)."""
    timed = [w for w in unit if w.end > w.start]
    return timed or unit


def _split(run: list[list[Word]], options: CaptionOptions) -> list[list[Word]]:
    """The best cut of one run of units into cues (dynamic programming over the cut points)."""
    n = len(run)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            cost = _cost(run, i, j, options)
            if cost is None:
                if j - i > 1:
                    break  # a longer cue only breaks more limits
                cost = 1000.0  # one unit over the limits: a cue of its own all the same
            total = best[i][0] + cost
            if total < best[j][0]:
                best[j] = (total, i)
    cuts, j = [], n
    while j > 0:
        i = best[j][1]
        cuts.append((i, j))
        j = i
    return [[w for u in run[i:j] for w in u] for i, j in reversed(cuts)]


def _cost(run: list[list[Word]], i: int, j: int, options: CaptionOptions) -> float | None:
    """What a cue of units ``i..j`` costs in a run, or None if it breaks the limits."""
    words = [w for u in run[i:j] for w in u]
    counted = [w for w in words if not is_emoji(w.text)]
    text = " ".join(w.text for w in counted)
    spoken = [w for w in words if w.end > w.start] or words
    long_word = any(len(w.text) > options.max_chars for w in counted)
    if len(counted) > options.max_words:
        return None
    if len(text) > options.max_chars and not (long_word and len(counted) <= 3):
        return None
    if j - i > 1 and spoken[-1].end - spoken[0].start > options.max_duration:
        return None
    cost = 1.0 + ((options.max_chars - min(len(text), options.max_chars)) / options.max_chars) ** 2
    if len(counted) == 1 and len(run) > 1:
        cost += 6.0  # an orphan
    following = run[j] if j < len(run) else None
    if following is not None:
        shown_until = _spoken(following)[0].start
        if shown_until - spoken[0].start < MIN_SECONDS:
            cost += 8.0  # a flash
        last = counted[-1].text if counted else words[-1].text
        cost += _cut_cost(last, _spoken(following)[0].text)
    return cost


def _cut_cost(before: str, after: str) -> float:
    """What cutting between the words ``before`` and ``after`` costs (less than 0: a good
    place to cut)."""
    bare = before.strip(_CLOSES + ",;:").lower()
    if _glued(before, after):
        return 20.0
    if before[-1:] in ",;:—–" or (before[-1:] in _CLOSES and before[:1] not in _OPENS):
        return -1.0
    if bare in FUNCTION_WORDS and before[-1:].isalnum():
        return 5.0
    if before[:1] in _OPENS and not any(c in before[1:] for c in _CLOSES):
        if len(before) > 1 and before[-1:].isalnum():
            return 5.0  # a cue ending on '"Who' (an opening quote)
    if after[:1] in _OPENS:
        return -0.5
    return 0.0


def _glued(before: str, after: str) -> bool:
    """Whether two words read as one: "80 kg", "3 million", "Dr. Lisa", "J.P. Morgan",
    "Lisa Cook", "React 18.2"."""
    if before[-1:] in ",;:!?" or after[:1] in _OPENS:
        return False
    after_bare = after.rstrip(".,;:!?" + _CLOSES)
    if _NUMBER.match(before) and (
        after_bare in UNITS
        or after_bare.lower() in _MAGNITUDES
        or (after_bare.isalpha() and after_bare.lower() not in FUNCTION_WORDS)  # "30 days."
    ):
        return True
    if before.endswith(".") and key(before) in TITLES and after[:1].isupper():
        return True
    if is_initials(before) and after[:1].isupper():
        return True
    name = before[:1].isupper() and before[-1:].isalnum()
    return name and (after[:1].isupper() or after[:1].isdigit())


def _cue(words: list[Word]) -> Cue:
    spoken = _spoken(words)
    start = spoken[0].start
    return Cue(tuple(words), start, max(spoken[-1].end, start + 0.01))


def _hold(cues: list[Cue], options: CaptionOptions) -> list[Cue]:
    """Each cue held up to the next one through a pause shorter than ``HOLD`` (and at least
    ``MIN_SECONDS`` where there is room), never past ``max_duration`` from its start."""
    held = []
    for k, cue in enumerate(cues):
        following = cues[k + 1].start if k + 1 < len(cues) else float("inf")
        cap = cue.start + max(options.max_duration, MIN_SECONDS)
        end = cue.end
        if following - cue.end < HOLD:
            end = max(end, min(following, cap))
        end = max(end, min(cue.start + MIN_SECONDS, following))
        held.append(Cue(cue.words, cue.start, end, cue.breaks))
    return held
