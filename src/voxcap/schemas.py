"""Wire models shared by the faces: the speech request (CLI, HTTP API, RunPod, jobs) and the
result document they all return."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from voxcap import loudness
from voxcap.audio import AUDIO_SUFFIXES
from voxcap.domain import CaptionOptions, Pronunciation, SpeechRequest, SpeechResult
from voxcap.errors import InvalidInput

if TYPE_CHECKING:
    from voxcap.brands import Brand
    from voxcap.export import Exported
    from voxcap.storage import Store


class CaptionSpec(BaseModel):
    """Which caption files to make, and how cues are grouped and styled."""

    model_config = ConfigDict(extra="forbid")

    captions: list[Literal["srt", "vtt", "ass", "csv", "json", "txt"]] = [
        "srt",
        "vtt",
        "ass",
        "json",
    ]
    caption_style: str = Field("karaoke", description="A caption preset (docs/CAPTIONS.md).")
    font: str | None = None
    font_size: int | None = None
    colour: str | None = None
    highlight: str | None = None
    outline: float | None = None
    position: str | None = Field(None, description="bottom or middle")
    keyword_colour: str | None = Field(None, description="The keywords' colour, #RRGGBB.")
    animation: str | None = Field(
        None, description="How the word being said comes in: none, pop, scale, bounce."
    )
    keywords: list[str] = Field(
        [], max_length=100, description="Words drawn in the keyword colour (any case)."
    )
    hook: str | None = Field(
        None, max_length=200, description="A title over the first seconds of the video."
    )
    brand: str | None = Field(None, description="A saved look (GET /v1/brands) to start from.")
    cue_mode: Literal["phrase", "word", "broadcast"] = "phrase"
    max_words: int = Field(4, ge=1, le=50)
    max_chars: int = Field(28, ge=1, le=500)
    max_duration: float = Field(3.0, gt=0, le=60)
    speaker_labels: bool = Field(
        False, description="A dialogue's SRT cues start 'NAME: ' where the speaker changes."
    )

    @model_validator(mode="after")
    def _look(self) -> CaptionSpec:
        try:
            from voxcap.captions.presets import look

            look(self.caption_options())
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return self

    def caption_options(self, brand: Brand | None = None) -> CaptionOptions:
        """The caption options asked for, on top of ``brand``'s look where given."""
        options = CaptionOptions(
            self.cue_mode,
            self.max_words,
            self.max_chars,
            self.max_duration,
            style=self.caption_style,
            font=self.font,
            font_size=self.font_size,
            colour=self.colour,
            highlight=self.highlight,
            outline=self.outline,
            position=self.position,
            keyword_colour=self.keyword_colour,
            animation=self.animation,
            keywords=tuple(self.keywords),
            hook=self.hook,
            speaker_labels=self.speaker_labels,
        )
        if brand is None:
            return options
        given = {"style" if f == "caption_style" else f for f in self.model_fields_set}
        return brand.apply(options, given)


class VideoSpec(BaseModel):
    """``video`` in a narration request: also render video.mp4 (docs/VIDEO.md)."""

    model_config = ConfigDict(extra="forbid")

    aspect: Literal["9:16", "1:1", "16:9"] = "9:16"
    background: str = Field("#141420", description="A colour: a name or #RRGGBB.")
    background_url: str | None = Field(
        None, description="An http(s) image or video to put behind the captions instead."
    )
    background_volume: float | None = Field(
        None, ge=-60, le=12, description="dB of the background video's sound; None mutes it."
    )
    fps: int = Field(30, ge=1, le=60)

    @field_validator("background")
    @classmethod
    def _colour(cls, value: str) -> str:
        from voxcap.video import is_colour

        if not is_colour(value):
            raise ValueError("background must be a colour (a name or #RRGGBB); use background_url")
        return value


class PronunciationIn(BaseModel):
    """How a word is said: ``alias`` words, ``ipa`` phonemes, or both (docs/DIRECTING.md)."""

    model_config = ConfigDict(extra="forbid")

    grapheme: str = Field(min_length=1, max_length=200)
    alias: str | None = Field(None, max_length=200)
    ipa: str | None = Field(None, max_length=200)

    def pronunciation(self) -> Pronunciation:
        return Pronunciation(self.grapheme, self.alias, self.ipa)

    @model_validator(mode="after")
    def _valid(self) -> PronunciationIn:
        try:
            self.pronunciation()
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return self


class SpeechJob(CaptionSpec):
    """A narration request: ``POST /v1/speech``, a RunPod ``speak`` input, a queued job."""

    text: str = Field(min_length=1, description="What to say.")
    voice: str | None = Field(None, description="Library voice, engine voice name or path.")
    engine: str | None = Field(None, description="Engine; default VOXCAP_ENGINE.")
    audio_format: Literal["wav", "mp3", "flac", "opus"] = "mp3"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    seed: int | None = Field(None, description="For engines with sampling (F5); Piper ignores.")
    verify: bool | None = Field(
        None,
        description="Check the speech against the text and take failed sentences again "
        "(docs/VERIFY.md); default VOXCAP_VERIFY (auto: for cloning engines).",
    )
    timings: Literal["align", "engine"] = "align"
    aligner: str | None = None
    lexicons: list[str] = Field(
        [], max_length=10, description="Stored lexicons (GET /v1/lexicons) to say words by."
    )
    pronunciations: list[PronunciationIn] = Field(
        [], max_length=1000, description="Pronunciations for this request only."
    )
    speakers: dict[str, str] = Field(
        {},
        max_length=8,
        description="A dialogue's voices: speaker name -> a library voice, a preset or "
        "ENGINE:VOICE.",
    )
    video: VideoSpec | None = Field(None, description="Also render video.mp4.")
    loudness: float | str | None = Field(
        None,
        description="Target LUFS (-40 to -13) or a preset: tiktok, reels, youtube, social "
        "(-14), podcast (-16), broadcast (-23); off keeps the speech as it is. Unset: as it "
        "is, and a video at -14.",
    )

    @field_validator("text")
    @classmethod
    def _speakable(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty")
        return text

    @field_validator("loudness")
    @classmethod
    def _loudness(cls, value: float | str | None) -> float | str | None:
        """The LUFS asked for, or "off" (kept: it also says the video stays as spoken)."""
        try:
            lufs = loudness.target(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return loudness.OFF if value is not None and lufs is None else lufs

    @field_validator("voice")
    @classmethod
    def _not_a_server_clip(cls, voice: str | None) -> str | None:
        if voice and Path(voice).suffix.lower() in AUDIO_SUFFIXES:
            raise ValueError(
                "a clip on the server cannot be cloned by path; add it to the voice library "
                "(voices.add / POST /v1/voices) and use its name"
            )
        return voice

    def speech_request(self) -> SpeechRequest:
        return SpeechRequest(
            self.text,
            self.engine,
            self.voice,
            self.speed,
            self.timings,
            self.aligner,
            seed=self.seed,
            verify=self.verify,
            lexicons=tuple(self.lexicons),
            pronunciations=tuple(p.pronunciation() for p in self.pronunciations),
            speakers=tuple(self.speakers.items()),
        )


class AlignJob(CaptionSpec):
    """Caption a recording: ``POST /v1/align``, the RunPod ``align`` operation. Without
    ``text`` the recording is transcribed (``language``: as spoken, else detected) and the
    transcript comes back as ``captions.txt`` too (docs/ALIGN.md)."""

    operation: Literal["align"] = "align"
    audio_url: str | None = Field(
        None, pattern=r"^https?://", description="The recording (audio or video) by URL."
    )
    text: str | None = Field(None, description="What it says; none: it is transcribed.")
    language: str | None = Field(
        None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", description="Without text: e.g. en."
    )
    aligner: str | None = None
    verify: bool | None = Field(
        None, description="Check each sentence is spoken as written (default VOXCAP_VERIFY=on)."
    )
    video: VideoSpec | None = Field(
        None,
        description="Also render video.mp4: the captions burned into a video recording, or "
        "an audio recording over a background.",
    )

    @field_validator("text")
    @classmethod
    def _words(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            raise ValueError("text is empty; leave it out to transcribe the recording")
        return text

    def formats(self, transcribed: bool) -> list[str]:
        """The caption files to write: a transcript adds ``txt`` (to edit and re-time)."""
        return list(dict.fromkeys([*self.captions, *(["txt"] if transcribed else [])]))


class AlignTask(AlignJob):
    """A queued ``POST /v1/align`` job: the request and the key of its upload (set by the
    server, never by a client)."""

    upload: str | None = None


def describe(errors: Sequence[Any]) -> str:
    """One line from pydantic's validation errors: ``field: reason; ...``."""
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts)


class FileRef(BaseModel):
    """A produced file: handed out by ``url`` (``file://`` for local folders, else an expiring
    signed URL). Stored job results keep the object ``key`` and are signed when read."""

    url: str | None = None
    format: str
    bytes: int
    expires_at: int | None = None  # unix seconds; None for file:// URLs
    key: str | None = None
    filename: str | None = None


class AudioRef(FileRef):
    duration: float


class WordOut(BaseModel):
    text: str
    start: float
    end: float
    confidence: float | None = None  # verified speech only (left out otherwise)
    speaker: str | None = None  # dialogue only (left out otherwise)


class SentenceOut(BaseModel):
    """How one sentence came out (docs/VERIFY.md)."""

    index: int
    text: str
    status: Literal["ok", "suspect", "failed"]
    reason: str
    attempts: int
    start: float
    end: float


class VerificationOut(BaseModel):
    """The speech checked against the text: ``verified`` when every sentence is ok."""

    verified: bool
    sentences: list[SentenceOut]


class AlignmentOut(BaseModel):
    """What of the text and the recording did not match (an alignment only): the indices in
    ``words`` of the words that could not be placed, and the stretches of audio ([start, end]
    in seconds) with speech that is not in the text."""

    unplaced_words: list[int]
    unmatched_audio: list[tuple[float, float]]


class SpeechOutput(BaseModel):
    """``{"audio", "captions": {fmt: {...}}, "words", "duration", "timings"}``, and
    ``"alignment"`` for an alignment."""

    audio: AudioRef | None
    captions: dict[str, FileRef]
    video: FileRef | None = None
    words: list[WordOut]
    duration: float
    timings: dict[str, float]
    alignment: AlignmentOut | None = None
    verification: VerificationOut | None = None

    def signed(self, store: Store, expires: int | None = None) -> SpeechOutput:
        """A copy whose files carry fresh signed URLs instead of object keys."""

        def sign(ref: Any) -> Any:
            if ref.key is None:
                return ref
            url = store.signed_url(ref.key, expires, ref.filename)
            return ref.model_copy(
                update={"url": url.url, "expires_at": url.expires_at, "key": None, "filename": None}
            )

        return self.model_copy(
            update={
                "audio": sign(self.audio) if self.audio else None,
                "captions": {k: sign(v) for k, v in self.captions.items()},
                "video": sign(self.video) if self.video else None,
            }
        )

    def public(self) -> dict[str, Any]:
        """The JSON handed to users (no object keys). An alignment has no ``audio`` at all
        (not ``"audio": null``): the recording was the user's own."""
        document = self.model_dump(
            exclude_none=False,
            exclude={
                "audio": {"key", "filename"},
                "captions": {"__all__": {"key", "filename"}},
                "video": {"key", "filename"},
            },
        )
        if document["audio"] is None:
            del document["audio"]
        for block in ("alignment", "verification"):
            if document[block] is None:
                del document[block]
        for word in document["words"]:
            for optional in ("confidence", "speaker"):
                if word[optional] is None:
                    del word[optional]
        return document


def speech_output(
    result: SpeechResult, exported: Exported, keep_keys: bool = False
) -> SpeechOutput:
    """The result document of a narration whose files were exported."""
    from voxcap.captions.formats import verification_document, word_document

    def ref(f: Any) -> dict[str, Any]:
        if keep_keys:
            return {
                "url": None,
                "format": f.format,
                "bytes": f.bytes,
                "key": f.key,
                "filename": f.key.rsplit("/", 1)[-1] if f.key else None,
            }
        return {"url": f.url, "format": f.format, "bytes": f.bytes, "expires_at": f.expires_at}

    audio = exported.audio
    return SpeechOutput(
        audio=AudioRef(**ref(audio), duration=round(result.duration, 3)) if audio else None,
        captions={k: FileRef(**ref(f)) for k, f in exported.captions.items()},
        video=FileRef(**ref(exported.video)) if exported.video else None,
        words=[WordOut(**word_document(w)) for w in result.words],
        duration=round(result.duration, 3),
        timings={k: round(v, 4) for k, v in {**result.timings, **exported.timings}.items()},
        alignment=alignment_output(result),
        verification=(
            VerificationOut(**verification_document(result.verification))
            if result.verification is not None
            else None
        ),
    )


def alignment_output(result: SpeechResult) -> AlignmentOut | None:
    """The ``alignment`` block of a result (None for a narration)."""
    report = result.alignment
    if report is None:
        return None
    return AlignmentOut(
        unplaced_words=list(report.unplaced), unmatched_audio=list(report.unmatched)
    )
