"""How a read is directed: what the reading rules would say, overridden word by word.

A :class:`Direction` comes from SSML (:mod:`voxcap.text.ssml`), a dialogue script
(:mod:`voxcap.text.dialogue`) and pronunciation lexicons (:mod:`voxcap.lexicons`). It never
changes the user's words (the captions), only how each is said, where silence falls, how fast a
stretch is read and who reads it. Word indices are those of :func:`voxcap.text.words_of` of the
text the direction belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Say:
    """How word ``i`` (and the ``span`` - 1 words after it, which then say nothing) is said:
    ``tokens`` (plain lower-case words), or ``ipa`` (raw phonemes, for engines that take them)
    with ``tokens`` as the fallback for the others (empty: none)."""

    tokens: tuple[str, ...] = ()
    ipa: str | None = None
    span: int = 1
    source: str = ""  # where it came from, for messages ("lexicon brands", "<sub> at 3:5")


@dataclass(frozen=True, slots=True)
class Direction:
    """Overrides of a plain read. ``say``: words said otherwise; ``pauses``: seconds of silence
    after a word; ``rates``: a speed factor per word (1: as the request); ``ends``: words after
    which a new sentence starts; ``speakers``: the speaker of every word (empty: one voice)."""

    say: dict[int, Say] = field(default_factory=dict)
    pauses: dict[int, float] = field(default_factory=dict)
    rates: dict[int, float] = field(default_factory=dict)
    ends: frozenset[int] = frozenset()
    speakers: tuple[str, ...] = ()

    @property
    def plain(self) -> bool:
        return not (self.say or self.pauses or self.rates or self.ends or self.speakers)

    def with_say(self, said: dict[int, Say]) -> Direction:
        """This direction with ``said`` added where it says nothing of a word itself (what the
        script marks up wins over a lexicon)."""
        return replace(self, say=merged(self.say, said))


def merged(first: dict[int, Say], then: dict[int, Say]) -> dict[int, Say]:
    """``first`` with each of ``then`` whose words (its span) none of ``first`` covers."""
    covered = {i + k for i, s in first.items() for k in range(s.span)}
    extra = {i: s for i, s in then.items() if not covered.intersection(range(i, i + s.span))}
    return {**extra, **first}


PLAIN = Direction()
IPA_MARK = "/"


def ipa_token(ipa: str) -> str:
    """The spoken token that stands for raw phonemes: ``/ipa/`` (engines that take phonemes
    say them; the aligner maps them to its phone set)."""
    return f"{IPA_MARK}{ipa}{IPA_MARK}"


def ipa_of(token: str) -> str | None:
    """The phonemes of an :func:`ipa_token`, or None for a plain word."""
    if len(token) > 2 and token[0] == IPA_MARK and token[-1] == IPA_MARK:
        return token[1:-1]
    return None
