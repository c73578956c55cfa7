"""Map an engine's phoneme durations to spoken tokens (native word timings).

Phonemizers such as espeak-ng do not keep one phoneme group per word: unstressed function words
are joined ("in the" -> "ɪnðə") and a few words split. Groups are matched to tokens by a small
dynamic programme on phoneme counts (each token's count from phonemizing it alone), and a joined
group is cut between its words in proportion to those counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxcap.engines.base import Span
from voxcap.errors import EngineError

STRESS = frozenset("ˈˌ")
MAX_JOIN = 4  # tokens that one phoneme group may hold
MAX_SPLIT = 3  # phoneme groups that one token may span


@dataclass(frozen=True, slots=True)
class Group:
    """A run of phonemes between spaces/punctuation. ``times`` has one span per phoneme;
    ``onset`` is where the word starts, which may be earlier than its first phoneme."""

    phonemes: str
    times: tuple[Span, ...]
    onset: float

    @property
    def size(self) -> int:
        return sum(p not in STRESS for p in self.phonemes) or 1

    @property
    def end(self) -> float:
        return self.times[-1][1]


def map_groups(groups: list[Group], sizes: list[int]) -> list[Span]:
    """One (start, end) per token, given the tokens' phoneme counts.

    Raises:
        EngineError: groups and tokens cannot be matched.
    """
    n, m = len(sizes), len(groups)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], tuple[int, int]] = {}
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            steps = [(k, 1) for k in range(1, MAX_JOIN + 1)] + [
                (1, g) for g in range(2, MAX_SPLIT + 1)
            ]
            for k, g in steps:
                if i + k > n or j + g > m:
                    continue
                want = sum(sizes[i : i + k])
                have = sum(gr.size for gr in groups[j : j + g])
                c = cost[i][j] + abs(want - have) + 1.5 * (k + g - 2)
                if c < cost[i + k][j + g]:
                    cost[i + k][j + g] = c
                    back[(i + k, j + g)] = (i, j)
    if cost[n][m] == inf:
        raise EngineError(f"cannot match {m} phoneme groups to {n} words")
    spans: list[Span] = []
    path: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj = back[(i, j)]
        path.append((pi, i, pj, j))
        i, j = pi, pj
    for ti, tk, gj, gk in reversed(path):
        if tk - ti == 1:
            spans.append((groups[gj].onset, groups[gk - 1].end))
        else:
            spans.extend(_cut(groups[gj], sizes[ti:tk]))
    return spans


def _cut(group: Group, sizes: list[int]) -> list[Span]:
    """Cut one joined group between its tokens, in proportion to their phoneme counts."""
    times = [t for p, t in zip(group.phonemes, group.times, strict=True) if p not in STRESS]
    total = sum(sizes)
    spans: list[Span] = []
    start, done = group.onset, 0
    for size in sizes[:-1]:
        done += size
        cut = min(len(times) - 1, max(1, round(done * len(times) / total)))
        boundary = times[cut][0]
        spans.append((start, boundary))
        start = boundary
    spans.append((start, group.end))
    return spans
