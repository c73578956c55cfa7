"""A request's read as directed (docs/DIRECTING.md): its SSML or dialogue script read, its
lexicons applied, its speakers given engines and voices; checked before any model loads.

What the captions show is :attr:`Read.text` (the text without markup or speaker labels); how
it is said is :attr:`Read.direction`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from voxcap.audio import AUDIO_SUFFIXES
from voxcap.domain import Reference, SpeechRequest, Word
from voxcap.engines import ENGINES, Engine
from voxcap.engines.cast import Cast, Part, is_directed
from voxcap.errors import InvalidInput
from voxcap.lexicons import Lexicon, says
from voxcap.runtime import Runtime
from voxcap.storage import keys
from voxcap.text import Script, dialogue, ssml, words_of
from voxcap.text.direction import PLAIN, Direction
from voxcap.text.script import reading

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Read:
    """A request's text as the captions show it, how it is directed, and who reads it:
    ``parts`` maps each speaker (None: the request's own voice) to (engine name, voice)."""

    text: str
    direction: Direction
    parts: dict[str | None, tuple[str, str | None]]

    @property
    def engines(self) -> set[str]:
        return {engine for engine, _ in self.parts.values()}


def read_of(request: SpeechRequest, runtime: Runtime) -> Read:
    """The request's read: SSML (a text that starts with ``<speak>``), a dialogue, or plain
    text; with its lexicons' pronunciations and an engine and voice for every speaker.

    Raises:
        InvalidInput: bad markup, a speaker mapped who is not in the script, a lexicon that
            is not kept (LexiconNotFound), a voice no engine has.
    """
    text, direction, cast = request.text, PLAIN, tuple[str, ...]()
    if ssml.is_ssml(text):
        if request.speakers:
            raise InvalidInput("an SSML text has no speakers: give a dialogue script instead")
        marked = ssml.parse(text, reading)
        text, direction = marked.text, marked.direction
    else:
        found = dialogue.parse(text, mapped=bool(request.speakers))
        if found is not None:
            text, direction, cast = found.text, Direction(speakers=found.speakers), found.cast
    parts: dict[str | None, tuple[str, str | None]] = {
        None: (runtime.engine_name(request.engine, request.voice), request.voice)
    }
    parts.update(_cast(cast, request, runtime))
    said = says(_lexicons(request, runtime), words_of(text), reading)
    return Read(text, direction.with_say(said) if said else direction, parts)


def _lexicons(request: SpeechRequest, runtime: Runtime) -> list[Lexicon]:
    given = [Lexicon("request", request.pronunciations)] if request.pronunciations else []
    voice = request.voice.rsplit("/", 1)[-1] if request.voice else None
    if not request.lexicons and not runtime.store_exists():
        return given  # no store: no voice's or project lexicon (and none made by asking)
    return [*given, *runtime.lexicons.for_request(request.lexicons, voice)]


def _cast(
    cast: tuple[str, ...], request: SpeechRequest, runtime: Runtime
) -> dict[str | None, tuple[str, str | None]]:
    """Each speaker's engine and voice: as the request maps them (names match in any case),
    else the request's own."""
    by_name = {name.casefold(): name for name in cast}
    mapped: dict[str, str] = {}
    for name, voice in request.speakers:
        if name.casefold() not in by_name:
            listed = ", ".join(cast) or "none"
            raise InvalidInput(f"no speaker {name!r} in the script (its speakers: {listed})")
        mapped[by_name[name.casefold()]] = voice
    unmapped = [n for n in cast if n not in mapped]
    if unmapped:
        log.info("speakers %s read in the request's voice", ", ".join(unmapped))
    return {name: _part(mapped[name], request, runtime) for name in cast if name in mapped}


def _part(spec: str, request: SpeechRequest, runtime: Runtime) -> tuple[str, str | None]:
    """A speaker's (engine, voice) from ``spec``: "ENGINE:VOICE", a library voice or clip (the
    cloning engine), or a preset of an engine (the request's engine first)."""
    engine, sep, voice = spec.partition(":")
    if sep and engine in ENGINES:
        return engine, voice or None
    if Path(spec).suffix.lower() in AUDIO_SUFFIXES or (
        keys.VOICE_REF.fullmatch(spec) and runtime.voices.exists(spec)
    ):
        return runtime.engine_name(None, spec), spec
    for name in dict.fromkeys([runtime.engine_name(request.engine), *ENGINES]):
        if spec in runtime.engine_type(name).presets:
            return name, spec
    raise InvalidInput(
        f"no voice {spec!r}: give a library voice (voxcap voices list), an engine's voice as "
        f"ENGINE:VOICE (piper:joe, espeak:en-us+f3) or a preset "
        f"({', '.join(p for n in ENGINES for p in runtime.engine_type(n).presets)})"
    )


def takes_phonemes(read: Read, runtime: Runtime) -> bool:
    """Whether every engine of the read says raw phonemes (else pronunciations are aliases)."""
    return all(getattr(runtime.engine_type(n), "phonemes", False) for n in read.engines)


def engine_for(
    script: Script, read: Read, request: SpeechRequest, runtime: Runtime
) -> tuple[Engine, str | Reference | None]:
    """The engine that speaks ``script`` and the voice to hand it: the request's own, or a
    :class:`~voxcap.engines.cast.Cast` for a script with speakers, rates or pauses."""
    name, voice = read.parts[None]
    engine = runtime.engine(name)
    resolved = runtime.resolve_voice(voice, request.ref_text, engine)
    if not is_directed(script):
        return engine, resolved
    parts: dict[str | None, Part] = {None: Part(engine, resolved)}
    for speaker, (n, v) in read.parts.items():
        if speaker is not None:
            member = runtime.engine(n)
            parts[speaker] = Part(member, runtime.resolve_voice(v, None, member))
    cast: Engine = Cast(parts)
    return cast, resolved


def with_speakers(
    words: tuple[Word, ...], read: Read, count: int | None = None
) -> tuple[Word, ...]:
    """``words`` (the first ``count`` of the text's; None: all) with their speakers, in a
    dialogue."""
    speakers = read.direction.speakers
    if not speakers:
        return words
    speakers = speakers if count is None else speakers[:count]
    return tuple(replace(w, speaker=s) for w, s in zip(words, speakers, strict=True))
