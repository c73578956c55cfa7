"""The requests every face takes (CLI, HTTP API, RunPod, jobs): a narration and a recording to
caption, with their captions and video."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from voxcap import loudness
from voxcap.audio import AUDIO_SUFFIXES
from voxcap.domain import CaptionOptions, Pronunciation, SpeechRequest
from voxcap.errors import InvalidInput

if TYPE_CHECKING:
    from voxcap.brands import Brand


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
