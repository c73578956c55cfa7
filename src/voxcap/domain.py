"""The nouns of voxcap: frozen, slotted dataclasses. Seconds are floats."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from voxcap.errors import InvalidInput

Float32Array = npt.NDArray[np.float32]
TimingSource = Literal["align", "engine"]
Status = Literal["ok", "suspect", "failed"]


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono float32 samples in [-1, 1] and their sample rate."""

    samples: Float32Array
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True, slots=True)
class Word:
    """One whitespace-separated token of the user's text, exactly as written, with its timing.
    ``confidence`` (0-1, verified speech only): that the word is spoken where it is placed."""

    text: str
    start: float
    end: float
    confidence: float | None = None
    speaker: str | None = None  # who says it, in a dialogue


@dataclass(frozen=True, slots=True)
class Cue:
    """A caption cue: consecutive words shown together."""

    words: tuple[Word, ...]
    start: float
    end: float
    breaks: tuple[int, ...] | None = ()  # indexes of the words that start a new line

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def lines(self) -> list[str]:
        """The cue's text as its lines (one line unless ``breaks`` says otherwise)."""
        cuts = [0, *(self.breaks or ()), len(self.words)]
        return [" ".join(w.text for w in self.words[a:b]) for a, b in itertools.pairwise(cuts)]


@dataclass(frozen=True, slots=True)
class CaptionOptions:
    """How words are grouped into cues. ``mode="word"`` gives one word per cue."""

    mode: Literal["phrase", "word", "broadcast"] = "phrase"
    max_words: int = 4
    max_chars: int = 28
    max_duration: float = 3.0
    pause: float = 0.35
    style: str = "karaoke"  # a caption preset (voxcap.captions.presets; its look(): look())
    frame: tuple[int, int] = (1080, 1920)  # the video the ASS is laid out for (PlayRes)
    # the preset's own look unless given
    font: str | None = None
    font_size: int | None = None
    colour: str | None = None  # #RRGGBB
    highlight: str | None = None
    outline: float | None = None
    position: str | None = None  # bottom | middle
    keyword_colour: str | None = None  # the keywords' colour, #RRGGBB
    animation: str | None = None  # none | pop | scale | bounce
    # flair: words in the keyword colour, and a title over the first seconds (ASS and video)
    keywords: tuple[str, ...] = ()
    hook: str | None = None
    speaker_labels: bool = False  # SRT: "NAME: " where the speaker of a dialogue changes


MAX_GRAPHEME_WORDS = 4


@dataclass(frozen=True, slots=True)
class Pronunciation:
    """How ``grapheme`` (a word or a few, as written) is said: ``alias`` words said instead,
    ``ipa`` phonemes (for engines that take them; the others say the alias), or both."""

    grapheme: str
    alias: str | None = None
    ipa: str | None = None

    def __post_init__(self) -> None:
        words = self.grapheme.split()
        if not words or len(words) > MAX_GRAPHEME_WORDS:
            raise InvalidInput(f"grapheme {self.grapheme!r}: 1 to {MAX_GRAPHEME_WORDS} words")
        if not (self.alias or "").strip() and not (self.ipa or "").strip():
            raise InvalidInput(f"the pronunciation of {self.grapheme!r} needs an alias or IPA")
        if self.ipa is not None and not any(c.isalpha() for c in self.ipa):
            raise InvalidInput(f"the pronunciation of {self.grapheme!r}: {self.ipa!r} is not IPA")


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """Everything ``speak`` needs. ``voice`` is a path or a name the engine knows (None: the
    engine's default voice)."""

    text: str
    engine: str | None = None
    voice: str | None = None
    speed: float = 1.0
    timings: TimingSource = "align"
    aligner: str | None = None
    ref_text: str | None = None  # what a reference clip given by path says
    seed: int | None = None  # the same seed gives the same speech (cloning engines)
    verify: bool | None = None  # check the speech against the text (None: settings.verify)
    # directing the read (docs/DIRECTING.md): stored lexicons by name, pronunciations given
    # with the request (both before the voice's and the project's lexicon), and a voice per
    # dialogue speaker: (NAME, VOICE), VOICE a library voice, a preset or "ENGINE:VOICE"
    lexicons: tuple[str, ...] = ()
    pronunciations: tuple[Pronunciation, ...] = ()
    speakers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AlignmentReport:
    """What did not match between a text and its recording. ``unplaced``: the indices (in
    ``SpeechResult.words``) of the words that could not be found in the audio: not spoken, or
    drowned out; each has a zero-length time where its neighbours meet. ``unmatched``: the
    stretches of audio, (start, end) in seconds, with speech that is not in the text.
    ``recognised``: in a recording captioned without a script, the words the aligner could
    not place, timed by speech recognition instead (coarser: about 0.1 s)."""

    unplaced: tuple[int, ...] = ()
    unmatched: tuple[tuple[float, float], ...] = ()
    recognised: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    """How one sentence of the text came out (:mod:`voxcap.verify`): ``status`` ok, suspect
    (a word unclear: garbled or drowned out) or failed (words missing, repeated or replaced,
    or the sentence cut short), ``reason`` says which ("" when ok); ``attempts``: takes made
    of it (more than 1: it was synthesised again); (``start``, ``end``): where it lies."""

    index: int
    text: str
    status: Status
    reason: str
    attempts: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Verification:
    """The speech checked against the text, sentence by sentence."""

    sentences: tuple[SentenceCheck, ...]

    @property
    def flagged(self) -> tuple[SentenceCheck, ...]:
        """The sentences that are not ok."""
        return tuple(s for s in self.sentences if s.status != "ok")


@dataclass(frozen=True, slots=True)
class SpeechResult:
    """Speech plus the timing of every word of the input text, in order. ``alignment`` says
    what of a user's text and recording did not match (``voxcap.align`` only);
    ``verification``, when the speech was checked against the text, how each sentence came
    out."""

    text: str
    audio: Audio
    words: tuple[Word, ...]
    timings: dict[str, float] = field(default_factory=dict)
    engine_words: tuple[Word, ...] | None = None
    alignment: AlignmentReport | None = None
    verification: Verification | None = None
    transcribed: bool = False  # ``text`` is a transcript of ``audio`` (no script was given)

    @property
    def duration(self) -> float:
        return self.audio.duration


@dataclass(frozen=True, slots=True)
class Reference:
    """A voice to clone, ready for an engine: a clip and exactly the words spoken in it."""

    name: str
    audio: Audio  # mono, silence trimmed, short enough for the engine
    text: str


@dataclass(frozen=True, slots=True)
class Voice:
    """A reference voice in the library: a clip of someone speaking and what they say."""

    name: str
    duration: float
    sample_rate: int
    transcript: str
    created: str  # ISO 8601, UTC
    source: str  # "file:<name>", "upload:<name>" or the URL it came from (no secrets)
    original: str  # object key of the clip as received
    bytes: int  # size of the clip as received
    reference: str = ""  # object key of the normalised reference ("" in voices before 0.2)
    shared: bool = True  # False for a voice private to the API key that added it
    notes: tuple[str, ...] = ()  # advice on the clip: trimmed, short, long, quiet
