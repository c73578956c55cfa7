"""OpenAI-compatible ``POST /v1/audio/speech``: existing OpenAI TTS clients work unchanged."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import numpy as np
import soxr
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from voxcap.api.deps import Caller, PoolsDep, RuntimeDep
from voxcap.api.pools import Pools
from voxcap.audio import AudioFormat, encode
from voxcap.audio import audio_format as find_format
from voxcap.domain import SpeechRequest
from voxcap.errors import VoiceNotFound
from voxcap.runtime import Runtime
from voxcap.storage import keys
from voxcap.streaming import StreamChunk, stream

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
STREAMED = frozenset({"pcm", "wav"})  # sent sentence by sentence as raw 16-bit PCM
NO_CACHE = {"Cache-Control": "no-cache"}
log = logging.getLogger(__name__)


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
    """Speak ``input`` and send the audio back as it is made (on the bounded synthesis pool:
    503 ``server_busy`` when it is full). ``pcm`` and ``wav`` stream sentence by sentence;
    ``stream_format: "sse"`` sends OpenAI's ``speech.audio.delta`` / ``speech.audio.done``
    events, plus voxcap's ``speech.words`` events (docs/API.md)."""
    voice = await pools.io.run(_voice, rt, who, body.voice)
    engine = None if body.model in OPENAI_MODELS else body.model
    fmt = find_format(body.response_format)
    request = SpeechRequest(body.input, engine, voice, body.speed)
    if body.stream_format == "sse":
        chunks = await _stream(rt, pools, request, timings=True)
        return StreamingResponse(
            _events(chunks, fmt), media_type="text/event-stream", headers=NO_CACHE
        )
    if fmt.name in STREAMED:
        chunks = await _stream(rt, pools, request, timings=False)
        return StreamingResponse(_raw(chunks, fmt), media_type=fmt.media_type)

    def work() -> bytes:
        from voxcap.pipeline import synthesize

        audio = synthesize(request, rt)
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


async def _stream(
    rt: Runtime, pools: Pools, request: SpeechRequest, timings: bool
) -> AsyncIterator[StreamChunk]:
    """The narration's chunks as they are made, on one synthesis thread. Everything before the
    first chunk (bad input, a busy pool) raises here, so the client gets a JSON error rather
    than a broken stream; a client that leaves stops the synthesis after the current sentence.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[StreamChunk | BaseException | None] = asyncio.Queue()
    gone = threading.Event()

    def produce() -> None:
        try:
            for chunk in stream(request, rt, timings):
                loop.call_soon_threadsafe(queue.put_nowait, chunk)
                if gone.is_set():
                    return
        except Exception as exc:  # noqa: BLE001 - handed to the response, which decides
            loop.call_soon_threadsafe(queue.put_nowait, exc)
            return
        loop.call_soon_threadsafe(queue.put_nowait, None)

    pools.synthesis.submit(produce)
    first = await queue.get()
    if isinstance(first, BaseException):
        raise first
    assert first is not None

    async def chunks() -> AsyncIterator[StreamChunk]:
        item: StreamChunk | BaseException | None = first
        try:
            while isinstance(item, StreamChunk):
                yield item
                item = None if item.last else await queue.get()
            if isinstance(item, BaseException):
                log.error("streamed speech stopped: %s", item)  # the status is already sent
        finally:
            gone.set()

    return chunks()


class _Pcm16:
    """Chunks to 16-bit PCM at ``rate`` (None: the engine's), resampled as one stream (soxr's
    streaming resampler: no seams where the chunks meet)."""

    def __init__(self, rate: int | None) -> None:
        self.rate = rate
        self._resampler: Any = None

    def __call__(self, chunk: StreamChunk) -> bytes:
        samples = chunk.audio.samples
        if self.rate and chunk.audio.sample_rate != self.rate:
            if self._resampler is None:
                self._resampler = soxr.ResampleStream(
                    chunk.audio.sample_rate, self.rate, 1, dtype="float32", quality="HQ"
                )
            samples = self._resampler.resample_chunk(samples, last=chunk.last)
        pcm: bytes = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        return pcm


async def _raw(chunks: AsyncIterator[StreamChunk], fmt: AudioFormat) -> AsyncIterator[bytes]:
    """16-bit PCM as it comes (``pcm``: at 24 kHz, as OpenAI's); for WAV at the engine's rate
    after a header whose sizes say "streaming" (the largest value, as for a live stream)."""
    to_pcm = _Pcm16(fmt.rates[0] if fmt.rates else None)
    wav = fmt.name == "wav"
    async for chunk in chunks:
        if wav:
            yield _wav_header(chunk.audio.sample_rate)
            wav = False
        yield to_pcm(chunk)


async def _events(chunks: AsyncIterator[StreamChunk], fmt: AudioFormat) -> AsyncIterator[str]:
    """OpenAI's speech SSE: ``speech.audio.delta`` (base64 audio: 16-bit PCM for pcm and wav,
    else each sentence encoded in the format, which concatenate into one stream) and
    ``speech.audio.done``; voxcap adds ``speech.words`` after the audio they describe."""
    to_pcm = _Pcm16(fmt.rates[0] if fmt.rates else None)
    async for chunk in chunks:
        data = to_pcm(chunk) if fmt.name in STREAMED else encode(chunk.audio, fmt)
        yield _sse({"type": "speech.audio.delta", "audio": base64.b64encode(data).decode()})
        if chunk.words:
            words = [{"text": w.text, "start": w.start, "end": w.end} for w in chunk.words]
            yield _sse({"type": "speech.words", "words": words})
    usage = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    yield _sse({"type": "speech.audio.done", "usage": usage})


def _sse(event: dict[str, Any]) -> str:
    return f"data: {json.dumps(event)}\n\n"


def _wav_header(rate: int) -> bytes:
    unknown = 0xFFFFFFFF
    return (
        b"RIFF"
        + struct.pack("<I", unknown)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", unknown)
    )


def _chunks(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), CHUNK):
        yield data[i : i + CHUNK]
