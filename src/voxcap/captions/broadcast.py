"""Broadcast subtitles (``--cue-mode broadcast``) and the rules they keep, which
``voxcap captions check`` measures on any SRT/VTT/ASS file.

The rules are those of the big subtitle style guides (Netflix's timed-text guide, the BBC's
subtitle guidelines): at most 2 lines of 42 characters, line breaks at linguistic boundaries
(not after an article, a preposition or a conjunction), at least 5/6 s and at most 7 s on
screen, a reading speed of at most 20 characters per second where the timing allows, at least 2
frames between cues, and no cue across a sentence end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voxcap.domain import Cue, Word
from voxcap.text import sentence_ends


@dataclass(frozen=True, slots=True)
class Rules:
    """The limits a subtitle file is held to (the defaults are the broadcast ones)."""

    max_lines: int = 2
    max_line_chars: int = 42
    min_duration: float = 5 / 6
    max_duration: float = 7.0
    max_cps: float = 20.0
    min_gap_frames: int = 2
    fps: float = 30.0  # voxcap's videos are 30 fps

    @property
    def min_gap(self) -> float:
        return self.min_gap_frames / self.fps


BROADCAST = Rules()
# a line should not end on these: they belong with the words after them
FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with from into onto upon and or but nor so if as than that "
    "which who whom whose my your his her its our their this these those is are was were be "
    "not no".split()
)


def broadcast_cues(words: Sequence[Word], rules: Rules = BROADCAST) -> list[Cue]:
    """Cues that keep ``rules``: words packed sentence by sentence into at most
    ``max_lines`` balanced lines, then timed (held for reading, never overlapping)."""
    groups: list[list[Word]] = []
    ends = _sentence_ends([w.text for w in words])
    sentence: list[Word] = []
    for i, word in enumerate(words):
        sentence.append(word)
        if i in ends or i == len(words) - 1:
            groups.extend(_pack(sentence, rules))
            sentence = []
    groups = _merge_short(groups, ends, words, rules)
    cues = [Cue(tuple(g), g[0].start, g[-1].end, _breaks(g, rules) or ()) for g in groups]
    return _time(cues, rules)


def _sentence_ends(texts: Sequence[str]) -> frozenset[int]:
    """Sentence ends that a caption must not cross: not a pause before lower case ("Wait...
    are you sure?")."""
    return frozenset(
        i for i in sentence_ends(texts) if i + 1 == len(texts) or not texts[i + 1][:1].islower()
    )


def _merge_short(
    groups: list[list[Word]], ends: frozenset[int], words: Sequence[Word], rules: Rules
) -> list[list[Word]]:
    """Join a cue that could not stay on screen long enough (the next one follows at once)
    to its neighbour in the same sentence, where the two still fit."""
    index = {id(w): i for i, w in enumerate(words)}

    def joinable(a: list[Word], b: list[Word]) -> bool:
        crosses = index[id(a[-1])] in ends
        both = [*a, *b]
        return (
            not crosses
            and _breaks(both, rules) is not None
            and both[-1].end - both[0].start <= rules.max_duration
        )

    def short(k: int, cues: list[list[Word]]) -> bool:
        room = cues[k + 1][0].start - rules.min_gap if k + 1 < len(cues) else float("inf")
        return min(room, cues[k][0].start + rules.max_duration) - cues[k][0].start < (
            rules.min_duration
        )

    merged = list(groups)
    k = 0
    while k < len(merged):
        if short(k, merged):
            if k + 1 < len(merged) and joinable(merged[k], merged[k + 1]):
                merged[k : k + 2] = [[*merged[k], *merged[k + 1]]]
                continue
            if k > 0 and joinable(merged[k - 1], merged[k]):
                merged[k - 1 : k + 1] = [[*merged[k - 1], *merged[k]]]
                k -= 1
                continue
            # take the last words of the cue before ("at 10:15 | p.m." -> "at 10:15 p.m.")
            for take in (1, 2, 3):
                if k == 0 or len(merged[k - 1]) <= take:
                    break
                moved, kept = merged[k - 1][-take:], merged[k - 1][:-take]
                if index[id(kept[-1])] in ends or not joinable(moved, merged[k]):
                    continue
                if kept[-1].text.lower() in FUNCTION_WORDS:
                    continue  # "... at | 10:15 p.m." -> "... | at 10:15 p.m."
                trial = [*merged[: k - 1], kept, [*moved, *merged[k]], *merged[k + 1 :]]
                if not short(k, trial) and not short(k - 1, trial):
                    merged = trial
                    break
        k += 1
    return merged


def _pack(sentence: list[Word], rules: Rules) -> list[list[Word]]:
    """Greedy cues of one sentence: as many words as fit the lines and the longest duration;
    a cue that must be cut is cut after punctuation where one is near the end."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in sentence:
        if _breaks([word], rules) is None:  # a URL longer than a line: a cue of its own
            groups.extend([current, [word]] if current else [[word]])
            current = []
            continue
        trial = [*current, word]
        fits = _breaks(trial, rules) is not None and (
            word.end - trial[0].start <= rules.max_duration
        )
        if current and not fits:
            cut = _cut_point(current)
            groups.append(current[:cut])
            current = [*current[cut:], word]
        else:
            current = trial
    if current:
        groups.append(current)
    return groups


def _cut_point(current: list[Word]) -> int:
    """Where to end a full cue: after the last clause punctuation in its second half, else
    before a trailing function word, else at its end."""
    for k in range(len(current) - 1, len(current) // 2 - 1, -1):
        if current[k].text[-1:] in ",;:)—–-" and k + 1 < len(current):
            return k + 1
    last = len(current)
    while last > 1 and current[last - 1].text.lower().strip(",.") in FUNCTION_WORDS:
        last -= 1
    return last


def _breaks(words: Sequence[Word], rules: Rules) -> tuple[int, ...] | None:
    """Where the lines of ``words`` start (indexes of their first words after the first
    line), or None when they cannot fit ``rules``: the most balanced split whose lines fit and
    whose first line does not end on a function word (the words go to another cue rather than
    break that rule), penalised for a cut inside a name or a number."""
    texts = [w.text for w in words]
    if len(" ".join(texts)) <= rules.max_line_chars:
        return ()
    if rules.max_lines < 2:
        return None
    best: tuple[float, int] | None = None
    for k in range(1, len(texts)):
        first, second = " ".join(texts[:k]), " ".join(texts[k:])
        if len(first) > rules.max_line_chars or len(second) > rules.max_line_chars:
            continue
        cost = abs(len(first) - len(second))
        if texts[k - 1].lower() in FUNCTION_WORDS:
            continue
        if texts[k - 1][-1:] in ",;:.!?":
            cost -= 15
        if texts[k - 1][:1].isupper() and texts[k][:1].isupper() and k > 1:
            cost += 25  # "John | Smith"
        if texts[k - 1][:1].isdigit() and texts[k][:1].isalnum():
            cost += 25  # "3 | million"
        if best is None or cost < best[0]:
            best = (cost, k)
    return None if best is None else (best[1],)


def _time(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Hold each cue long enough to read (5/6 s at least, 20 characters per second): into the
    silence after it, then, if that is not enough, up to half a second into the silence
    before it; at most ``max_duration``, and ending at least ``min_gap`` before the next."""
    timed: list[Cue] = []
    for i, cue in enumerate(cues):
        limit = cues[i + 1].start - rules.min_gap if i + 1 < len(cues) else float("inf")
        need = max(rules.min_duration, len(cue.text) / rules.max_cps)
        end = min(max(cue.end, cue.start + need), cue.start + rules.max_duration, limit)
        start = cue.start
        if end - start < need:
            earliest = timed[-1].end + rules.min_gap if timed else 0.0
            start = max(earliest, cue.start - _LEAD_IN, end - need)
        timed.append(Cue(cue.words, start, max(end, start + 0.001), cue.breaks))
    return timed


_LEAD_IN = 0.5  # the longest a cue may show before its first word is spoken


@dataclass(frozen=True, slots=True)
class Failures:
    """Which cues (their indexes) break each rule, of ``total``."""

    total: int
    cues: dict[str, list[int]]

    @property
    def counts(self) -> dict[str, int]:
        return {rule: len(failing) for rule, failing in self.cues.items()}

    def percent(self, rule: str) -> float:
        return 100 * len(self.cues[rule]) / self.total if self.total else 0.0


RULE_NAMES = {
    "lines": "more than {max_lines} lines",
    "line_chars": "a line over {max_line_chars} characters",
    "short": "on screen under {min_duration:.3f} s",
    "long": "on screen over {max_duration:g} s",
    "cps": "over {max_cps:g} characters per second",
    "gap": "under {min_gap_frames} frames before the next cue",
    "function_word": "a line ending on a function word",
    "sentence": "a sentence ends inside the cue",
}


# the share of cues (percent) that may fail a rule by default: the style guides' own allowance
# for reading speed and line ends where the speech leaves no better choice
ALLOWED = {"cps": 5.0, "function_word": 2.0}


def check(cues: Sequence[tuple[float, float, list[str]]], rules: Rules = BROADCAST) -> Failures:
    """The cues (start, end, lines) that break each rule."""
    failing: dict[str, list[int]] = {rule: [] for rule in RULE_NAMES}
    for i, (start, end, lines) in enumerate(cues):
        text = " ".join(lines)
        duration = end - start
        words = text.split()
        broken = {
            "lines": len(lines) > rules.max_lines,
            "line_chars": any(len(line) > rules.max_line_chars for line in lines),
            "short": duration < rules.min_duration - 1e-3,
            "long": duration > rules.max_duration + 1e-3,
            "cps": duration > 0 and len(text) / duration > rules.max_cps + 1e-9,
            "gap": i + 1 < len(cues) and cues[i + 1][0] - end < rules.min_gap - 1e-3,
            "function_word": any(
                line.split() and line.split()[-1].lower() in FUNCTION_WORDS for line in lines
            ),
            "sentence": any(k in _sentence_ends(words) for k in range(len(words) - 1)),
        }
        for rule, fails in broken.items():
            if fails:
                failing[rule].append(i)
    return Failures(len(cues), failing)
