"""Long recordings with known word times, for the long-form alignment tests and
bench/align_long.py.

- :func:`prose`: seeded everyday sentences (varied, never one repeated), any number of them.
- :func:`piper_narration`: continuous Piper speech of them; the reference is Piper's own phoneme
  timing (a word's onset sits inside the space token before it: a few tens of ms of slack).
- :func:`espeak_recording`: espeak-ng speech through libespeak-ng, with its own word events
  as the reference (the sample where each word starts).
- :func:`with_noise`, :func:`with_tone_bed`: white noise at an SNR, or a bed of changing chords
  (music-like) under the speech.
- :func:`edited`: the text with sentences added that are not spoken and spoken ones left out.
- :func:`heard`: a transcript's word error rate and the start errors of its matched words.
"""

from __future__ import annotations

import ctypes
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from voxcap.domain import Audio

_SUBJECTS = (
    "the old fisherman|a young teacher|my neighbour|the village doctor|our guide|the tired "
    "farmer|a curious child|the baker|her brother|the captain|a quiet student|the mayor|his "
    "grandmother|the new nurse|a travelling painter|the shop keeper"
).split("|")
_VERBS = (
    "carried|painted|repaired|found|described|opened|watched|cleaned|counted|borrowed|"
    "delivered|followed|remembered|washed|measured|wrapped"
).split("|")
_OBJECTS = (
    "a wooden box|the broken fence|several letters|the red bicycle|an empty basket|the garden "
    "gate|a heavy suitcase|the kitchen window|two silver spoons|the narrow bridge|a bundle of "
    "maps|the stone wall|a loaf of bread|the wet umbrella|three green bottles"
).split("|")
_PLACES = (
    "near the harbour|behind the church|across the market|beside the river|under the tall "
    "trees|along the coast road|inside the station|at the top of the hill|past the library|on "
    "the northern farm|by the frozen lake|in the busy square"
).split("|")
_TIMES = (
    "early in the morning|after lunch|before the storm|late at night|on Sunday|during the "
    "winter|at sunrise|while it rained|in the spring|every evening"
).split("|")
_EXTRAS = (
    "and then went home|without saying a word|because nobody else would|while the dogs "
    "barked|as the bells rang|and smiled at everyone|with great care|although it was difficult"
).split("|")


def prose(sentences: int, seed: int = 0) -> list[str]:
    """``sentences`` different everyday sentences, the same for the same seed."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < sentences:
        s, v, o = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)
        p, t, e = rng.choice(_PLACES), rng.choice(_TIMES), rng.choice(_EXTRAS)
        text = [f"{s} {v} {o} {p}", f"{t}, {s} {v} {o} {p}", f"{s} {v} {o} {p} {e}"][
            rng.randrange(3)
        ]
        text = text[0].upper() + text[1:] + rng.choice(".!?.")
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


@dataclass(frozen=True)
class Recording:
    """Speech of ``sentences`` and the reference start of every word (per sentence)."""

    audio: Audio
    sentences: list[str]
    starts: list[list[float]]  # per sentence, the start of each of its words in seconds (or NaN)


def piper_narration(sentences: list[str]) -> Recording:
    """The sentences read by Piper with no pause added between them."""
    from voxcap.aligners.timing import word_times
    from voxcap.engines.base import SynthesisOptions
    from voxcap.engines.piper import PiperEngine
    from voxcap.text import prepare

    script = prepare(" ".join(sentences), max_chars=10**7)
    synthesis = PiperEngine().synthesize(script, None, SynthesisOptions(sentence_pause=0.0))
    assert synthesis.token_times is not None
    words = word_times(script, synthesis.token_times, synthesis.audio.duration)
    starts, at = [], 0
    for sentence in sentences:
        n = len(sentence.split())
        starts.append([w.start for w in words[at : at + n]])
        at += n
    assert at == len(words)
    return Recording(synthesis.audio, sentences, starts)


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)
_WORD_EVENT, _SYNCHRONOUS, _UTF8 = 1, 2, 1


def espeak_recording(sentences: list[str], voice: str = "en-us", wpm: int = 165) -> Recording:
    """The sentences spoken by espeak-ng (libespeak-ng, in this process), each word's start
    from espeak-ng's own word events."""
    lib = ctypes.CDLL("libespeak-ng.so.1")
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0)
    lib.espeak_SetVoiceByName(voice.encode())
    lib.espeak_SetParameter(1, wpm, 0)  # espeakRATE
    pieces: list[np.ndarray[Any, Any]] = []
    events: list[tuple[int, int]] = []  # (character position, sample)

    def collect(wav: Any, count: int, event: Any) -> int:
        if count > 0:
            pieces.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while event[i].type != 0:
            if event[i].type == _WORD_EVENT:
                events.append((event[i].text_position, event[i].sample))
            i += 1
        return 0

    callback = _CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    text = " ".join(sentences).encode()
    lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, _UTF8, None, None)
    lib.espeak_Synchronize()
    samples = np.concatenate(pieces).astype(np.float32) / 32768
    word_at = {}  # 1-based character position of each word -> (sentence, word)
    position = 1
    for s, sentence in enumerate(sentences):
        for w, word in enumerate(sentence.split()):
            word_at[position] = (s, w)
            position += len(word) + 1
    starts: list[list[float]] = [[np.nan] * len(s.split()) for s in sentences]
    for char, sample in events:
        if char in word_at:
            s, w = word_at[char]
            starts[s][w] = sample / rate
    # espeak-ng joins some function words to their neighbour ("in the"): no event, no reference
    assert np.mean([np.isnan(x) for row in starts for x in row]) < 0.2
    return Recording(Audio(samples, rate), sentences, starts)


def with_noise(audio: Audio, snr_db: float, seed: int = 0) -> Audio:
    """White noise mixed in at ``snr_db`` below the speech's mean power."""
    power = float(np.mean(audio.samples**2))
    scale = np.sqrt(power / 10 ** (snr_db / 10))
    noise = np.random.default_rng(seed).normal(0.0, scale, len(audio.samples))
    return Audio((audio.samples + noise).astype(np.float32), audio.sample_rate)


def with_tone_bed(audio: Audio, below_db: float = 15.0) -> Audio:
    """Chords that change every 2 s (a music-like bed), ``below_db`` under the speech."""
    rate = audio.sample_rate
    t = np.arange(len(audio.samples)) / rate
    chords = ((220, 277, 330), (196, 247, 294), (175, 220, 262), (247, 311, 370))
    bed = np.zeros(len(t))
    for i in range(int(t[-1] // 2) + 1):
        part = slice(i * 2 * rate, (i + 1) * 2 * rate)
        for f in chords[i % len(chords)]:
            bed[part] += np.sin(2 * np.pi * f * t[part])
    power = float(np.mean(audio.samples**2))
    bed *= np.sqrt(power / np.mean(bed**2) / 10 ** (below_db / 10))
    return Audio((audio.samples + bed).astype(np.float32), rate)


@dataclass(frozen=True)
class Edit:
    """A text that differs from the recording: ``origin`` has, per sentence of the text, the
    recording's sentence it is (None: added, not spoken)."""

    sentences: list[str]
    origin: list[int | None]
    dropped: list[int]  # the recording's sentences that the text leaves out


def edited(spoken: list[str], added: int = 3, dropped: int = 2) -> Edit:
    """``spoken`` with ``added`` unspoken sentences put in and ``dropped`` spoken ones left
    out, spread over the text."""
    n = len(spoken)
    drop = [n * (i + 1) // (dropped + 1) for i in range(dropped)]
    add_after = [n * (2 * i + 1) // (2 * added + 1) for i in range(added)]
    extra = prose(added, seed=99)
    sentences: list[str] = []
    origin: list[int | None] = []
    for i, sentence in enumerate(spoken):
        if i not in drop:
            sentences.append(sentence)
            origin.append(i)
        if i in add_after:
            sentences.append(extra.pop())
            origin.append(None)
    return Edit(sentences, origin, drop)


@dataclass(frozen=True)
class Score:
    """How a result's word starts compare with a recording's reference."""

    errors: np.ndarray[Any, Any]  # |start - reference| in seconds, per placed spoken word
    at: np.ndarray[Any, Any]  # the reference start of each of those words
    unplaced_spoken: int  # spoken words (in the text) that were not placed
    placed_unspoken: int  # words of added sentences that were placed anyway

    def slices(self, seconds: float) -> list[tuple[float, float]]:
        """(mean error, p95 error) per slice of the recording, in order."""
        out = []
        for k in range(int(self.at.max() // seconds) + 1):
            inside = self.errors[(self.at >= k * seconds) & (self.at < (k + 1) * seconds)]
            if len(inside):
                out.append((float(inside.mean()), float(np.percentile(inside, 95))))
        return out


def score(
    words: Any,
    unplaced: set[int],
    recording: Recording,
    text: list[str],
    origin: list[int | None] | None = None,
) -> Score:
    """Compare ``words`` (a result's words, of ``text``) with the recording's reference;
    ``origin`` maps the text's sentences to the recording's (None: the same sentences)."""
    origin = origin if origin is not None else list(range(len(text)))
    errors, at, unplaced_spoken, placed_unspoken = [], [], 0, 0
    index = 0
    for sentence, source in zip(text, origin, strict=True):
        for w in range(len(sentence.split())):
            if source is None:
                placed_unspoken += index not in unplaced
            elif index in unplaced:
                unplaced_spoken += 1
            elif not np.isnan(reference := recording.starts[source][w]):
                errors.append(abs(words[index].start - reference))
                at.append(reference)
            index += 1
    assert index == len(words)
    return Score(np.array(errors), np.array(at), unplaced_spoken, placed_unspoken)


@dataclass(frozen=True)
class Heard:
    """How a transcript's words compare with a recording's: the word error rate, and the start
    error of each word matched (same word, after case and punctuation) to a spoken one."""

    wer: float
    errors: np.ndarray[Any, Any]


def _plain(word: str) -> str:
    return "".join(c for c in word.lower() if c.isalnum() or c == "'")


def heard(words: Any, recording: Recording) -> Heard:
    """Compare ``words`` (a transcript's, with times) with what ``recording`` says: a
    Levenshtein alignment of the words (substitution, insertion, deletion each cost 1)."""
    spoken = [w for s in recording.sentences for w in s.split()]
    starts = [x for row in recording.starts for x in row]
    ref, hyp = [_plain(w) for w in spoken], [_plain(w.text) for w in words]
    n, k = len(ref), len(hyp)
    cost = np.zeros((n + 1, k + 1), dtype=np.int32)
    cost[:, 0], cost[0, :] = np.arange(n + 1), np.arange(k + 1)
    for i in range(1, n + 1):
        same = np.array([ref[i - 1] != h for h in hyp], dtype=np.int32)
        row = np.minimum(cost[i - 1, 1:] + 1, cost[i - 1, :-1] + same)
        for j in range(1, k + 1):  # insertions run along the row
            row[j - 1] = min(row[j - 1], (row[j - 2] if j > 1 else cost[i, 0]) + 1)
        cost[i, 1:] = row
    errors, i, j = [], n, k
    while i and j:
        if cost[i, j] == cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] == hyp[j - 1] and not np.isnan(starts[i - 1]):
                errors.append(abs(words[j - 1].start - starts[i - 1]))
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + 1:
            i -= 1
        else:
            j -= 1
    return Heard(float(cost[n, k]) / n, np.array(errors))
