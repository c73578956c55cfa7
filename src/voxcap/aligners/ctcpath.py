"""The best CTC path through a window's text, where the text may end anywhere and whole
sentences may be skipped (:meth:`voxcap.aligners.ctc.CTCAligner.place`).

A Viterbi search over the standard CTC topology (blank, c1, blank, c2, ... blank per sentence)
in numpy, one vectorised step per frame: O(frames x states) time, and one byte per frame and
state for the way back. Between sentences sits a "gate" that the end of one sentence opens,
or that the gate before it opens at a cost (the sentence is skipped). With ``garbage``, a star
state (any sound, at a cost per frame) comes before the first sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SKIP = -30.0  # log-score of skipping a sentence
STAR_COST = -3.0  # log-score per frame of sound that is not in the text
_NEG = -1e30


@dataclass(frozen=True, slots=True)
class Path:
    """Per token: (first frame, last frame + 1) of its characters, or None; and its fit (the
    mean log-probability of its characters in their frames)."""

    frames: list[tuple[int, int] | None]
    fits: list[float | None]
    garbage: tuple[int, int] | None  # frames the star took before the text


def best_path(
    emission: np.ndarray[Any, Any],
    sentences: Sequence[Sequence[Sequence[int]]],
    blank: int,
    star: int,
    garbage: bool,
) -> Path:
    """``emission``: [frames, labels] log-probabilities. ``sentences``: per sentence, per
    token, the token's label indices (a token may have none)."""
    graph = _Graph(sentences, blank)
    frames = emission.shape[0]
    states = len(graph.labels)
    k = len(graph.starts)  # sentences
    back = np.zeros((frames, states), dtype=np.int8)  # 0 stay, 1 from j-1, 2 from j-2, 3 gate
    origin = np.zeros((frames, k), dtype=np.int16)  # gate k opened by: sentence i's end (i+1)
    end_blank = np.zeros((frames, k), dtype=bool)  # ... its last blank (else its last char)
    star_score = _NEG
    score = np.full(states, _NEG)
    gate = np.arange(k) * SKIP  # before the first frame: skipping k sentences costs k skips
    for t in range(frames):
        row = emission[t]
        stay = score
        one = np.concatenate(([_NEG], score[:-1]))
        one[graph.starts] = _NEG
        two = np.concatenate(([_NEG, _NEG], score[:-2]))
        two[~graph.skip2] = _NEG
        enter = np.full(states, _NEG)
        enter[graph.entry] = gate[graph.entry_sentence]
        options = np.stack([stay, one, two, enter])
        choice = options.argmax(axis=0)
        score = options[choice, np.arange(states)] + row[graph.labels]
        back[t] = choice
        if garbage:
            star_score = (0.0 if t == 0 else star_score) + row[star] + STAR_COST
        gate, opener, ends_blank = _gates(score, graph, star_score if garbage else _NEG)
        origin[t], end_blank[t] = opener, ends_blank
    return graph.trace(score, back, origin, end_blank, emission, star_score if garbage else _NEG)


class _Graph:
    """The states of the window's text and the arrays that drive each frame's step."""

    def __init__(self, sentences: Sequence[Sequence[Sequence[int]]], blank: int) -> None:
        labels: list[int] = []
        starts: list[int] = []
        token_of: list[int] = []  # per state: its token (-1: a blank)
        token = 0
        for sentence in sentences:
            starts.append(len(labels))
            labels.append(blank)
            token_of.append(-1)
            for chars in sentence:
                for c in chars:
                    labels += [c, blank]
                    token_of += [token, -1]
                token += 1
        self.labels = np.array(labels, dtype=np.int64)
        self.starts = np.array(starts, dtype=np.int64)
        self.token_of = np.array(token_of, dtype=np.int64)
        self.tokens = token
        self.ends = np.array([*starts[1:], len(labels)], dtype=np.int64) - 1  # last blanks
        sentence_of = np.zeros(len(labels), dtype=np.int64)
        for s, start in enumerate(starts):
            sentence_of[start:] = s
        self.sentence_of = sentence_of  # per state: its sentence
        is_char = self.token_of >= 0
        self.skip2 = np.zeros(len(labels), dtype=bool)
        self.skip2[2:] = is_char[2:] & (self.labels[2:] != self.labels[:-2])
        self.skip2[2:] &= sentence_of[2:] == sentence_of[:-2]
        entry = [*starts, *(s + 1 for s in starts if s + 1 < len(labels) and is_char[s + 1])]
        self.entry = np.array(entry, dtype=np.int64)
        self.entry_sentence = sentence_of[self.entry]
        # a word ends on its last character or on the blank after it
        last_char = np.zeros(len(labels), dtype=bool)
        for j in range(len(labels)):
            if is_char[j] and (j + 2 >= len(labels) or self.token_of[j + 2] != self.token_of[j]):
                last_char[j] = True
                last_char[j + 1] = True
        self.final = last_char

    def trace(
        self,
        score: np.ndarray[Any, Any],
        back: np.ndarray[Any, Any],
        origin: np.ndarray[Any, Any],
        end_blank: np.ndarray[Any, Any],
        emission: np.ndarray[Any, Any],
        star_score: float,
    ) -> Path:
        frames = back.shape[0]
        frames_of: list[list[int]] = [[] for _ in range(self.tokens)]
        fit_of: list[list[float]] = [[] for _ in range(self.tokens)]
        candidates = np.where(self.final, score, _NEG)
        j = int(candidates.argmax())
        garbage_end = 0
        if star_score >= candidates[j]:
            return Path([None] * self.tokens, [None] * self.tokens, (0, frames))
        t = frames - 1
        while t >= 0:
            token = self.token_of[j]
            if token >= 0:
                frames_of[token].append(t)
                fit_of[token].append(float(emission[t, self.labels[j]]))
            step = back[t, j]
            if step == 3:
                s = int(self.sentence_of[j])
                opened_by = int(origin[t - 1, s]) if t > 0 else 0
                if opened_by == 0:
                    garbage_end = t  # the text starts here (after the star, if any)
                    break
                previous = opened_by - 1
                j = int(self.ends[previous] if end_blank[t - 1, s] else self.ends[previous] - 1)
            else:
                j -= int(step)
            t -= 1
        spans = [(min(f), max(f) + 1) if f else None for f in frames_of]
        fits = [float(np.mean(f)) if f else None for f in fit_of]
        return Path(spans, fits, (0, garbage_end) if garbage_end > 0 else None)


def _gates(
    score: np.ndarray[Any, Any], graph: _Graph, star: float
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each sentence's gate after this frame: opened by the end of the sentence before it
    (its last blank or last character), by the star (gate 0), or by the gate before it at the
    cost of a skip. Returns the gates, who opened each (0: the star/start; i + 1: the end of
    sentence i) and whether that end was the blank."""
    k = len(graph.starts)
    by_blank = score[graph.ends]
    by_char = score[graph.ends - 1]
    ends = np.maximum(by_blank, by_char)
    # opener 0 is the star, opener i + 1 the end of sentence i;
    # gate k = the best over openers i <= k of opener i + (k - i) skips
    opened = np.concatenate(([star], ends[:-1])) if k else np.array([])
    shifted = opened - np.arange(k) * SKIP
    best = np.maximum.accumulate(shifted)
    who = np.maximum.accumulate(np.where(shifted >= best, np.arange(k), 0)).astype(np.int16)
    gate = best + np.arange(k) * SKIP
    ends_blank = np.concatenate(([False], (by_blank >= by_char)[:-1])) if k else np.array([])
    return gate, who, ends_blank[who]
