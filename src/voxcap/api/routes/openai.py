"""OpenAI-compatible ``POST /v1/audio/speech``: existing OpenAI TTS clients work unchanged."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from voxcap.api import streams
from voxcap.api.deps import Caller, PoolsDep, RuntimeDep
from voxcap.audio import audio_format as find_format
from voxcap.domain import SpeechRequest
from voxcap.errors import VoiceNotFound
from voxcap.runtime import Runtime
from voxcap.storage import keys

router = APIRouter(prefix="/v1/audio")
OPENAI_VOICES = frozenset(
    {
        "alloy",
        "ash",
        "ballad",
        "coral",
        "echo",
        "fable",
        "onyx",
        "nova",
        "sage",
        "shimmer",
        "verse",
        "marin",
        "cedar",
    }
)
OPENAI_MODELS = frozenset({"tts-1", "tts-1-hd", "gpt-4o-mini-tts"})
NO_CACHE = {"Cache-Control": "no-cache"}


class OpenAISpeech(BaseModel):
    model: str = "tts-1"
    input: str = Field(min_length=1, max_length=4096)
    voice: str
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    instructions: str | None = None  # accepted for compatibility; engines ignore it
    stream_format: Literal["audio", "sse"] = "audio"


@router.post("/speech")
async def speech(
    body: OpenAISpeech, who: Caller, rt: RuntimeDep, pools: PoolsDep
) -> StreamingResponse:
    """Speak ``input`` and send the audio back as it is made, sentence by sentence, in any
    format (on the bounded synthesis pool: 503 ``server_busy`` when it is full);
    ``stream_format: "sse"`` sends OpenAI's ``speech.audio.delta`` / ``speech.audio.done``
    events, plus voxcap's ``speech.words`` events (docs/API.md)."""
    engine = None if body.model in OPENAI_MODELS else body.model
    voice = await pools.io.run(_voice, rt, who, body.voice, engine)
    fmt = find_format(body.response_format)
    request = SpeechRequest(body.input, engine, voice, body.speed)
    if body.stream_format == "sse":
        chunks = await streams.narration(rt, pools.synthesis, request, timings=True)
        return StreamingResponse(
            streams.events(chunks, fmt), media_type="text/event-stream", headers=NO_CACHE
        )
    chunks = await streams.narration(rt, pools.synthesis, request, timings=False)
    return StreamingResponse(streams.audio(chunks, fmt), media_type=fmt.media_type)


def _voice(rt: Runtime, who: str, name: str, engine: str | None) -> str | None:
    """OpenAI names map through ``VOXCAP_OPENAI_VOICES`` (unset: the default voice); other
    names must be the caller's library voices or the presets of the engine asked for (the
    ``model``, else the default engine)."""
    if name in rt.settings.openai_voices:
        return rt.settings.openai_voices[name]
    if name in OPENAI_VOICES:
        return None
    if name in rt.engine(engine).presets:
        return name
    if not keys.VOICE_NAME.fullmatch(name):
        raise VoiceNotFound(f"no voice named {name[:100]!r}")
    return rt.voices.for_caller(who).locate(name)
