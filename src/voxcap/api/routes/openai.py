"""OpenAI-compatible ``POST /v1/audio/speech``: existing OpenAI TTS clients work unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from voxcap.api.deps import Caller, PoolsDep, RuntimeDep
from voxcap.audio import audio_format as find_format
from voxcap.audio import encode
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
CHUNK = 32 * 1024


class OpenAISpeech(BaseModel):
    model: str = "tts-1"
    input: str = Field(min_length=1, max_length=4096)
    voice: str
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    speed: float = Field(1.0, ge=0.25, le=4.0)
    instructions: str | None = None  # accepted for compatibility; engines ignore it


@router.post("/speech")
async def speech(
    body: OpenAISpeech, who: Caller, rt: RuntimeDep, pools: PoolsDep
) -> StreamingResponse:
    """Speak ``input`` and stream the encoded audio back (on the bounded synthesis pool: 503
    ``server_busy`` when it is full)."""
    voice = await pools.io.run(_voice, rt, who, body.voice)
    engine = None if body.model in OPENAI_MODELS else body.model
    fmt = find_format(body.response_format)

    def work() -> bytes:
        from voxcap.pipeline import synthesize

        audio = synthesize(SpeechRequest(body.input, engine, voice, body.speed), rt)
        return encode(audio, fmt)

    data = await pools.synthesis.run(work)
    return StreamingResponse(_chunks(data), media_type=fmt.media_type)


def _voice(rt: Runtime, who: str, name: str) -> str | None:
    """OpenAI names map through ``VOXCAP_OPENAI_VOICES`` (unset: the default voice); other
    names must be the caller's library voices or the engine's own presets."""
    if name in rt.settings.openai_voices:
        return rt.settings.openai_voices[name]
    if name in OPENAI_VOICES:
        return None
    if name in rt.engine().presets:
        return name
    if not keys.VOICE_NAME.fullmatch(name):
        raise VoiceNotFound(f"no voice named {name[:100]!r}")
    return rt.voices.for_caller(who).locate(name)


def _chunks(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), CHUNK):
        yield data[i : i + CHUNK]
