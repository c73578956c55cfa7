"""A narration streamed over HTTP: the chunks of :func:`voxcap.streaming.stream`, made on one
synthesis thread, turned into bytes as they come.

- ``pcm``: 16-bit mono at 24 kHz (OpenAI's), resampled as one stream (no seams at sentences);
- ``wav``: 16-bit PCM at the engine's rate after a header whose sizes say "streaming";
- ``mp3``, ``opus`` (Ogg), ``aac`` (ADTS), ``flac``: through one ``ffmpeg`` process fed the
  PCM as it comes, its output sent as ffmpeg writes it (it dies with voxcap);
- Server-Sent Events in OpenAI's shape (``speech.audio.delta``, ``speech.audio.done``) plus
  voxcap's ``speech.words`` after the audio they describe.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import shutil
import struct
import subprocess
import threading
from collections.abc import AsyncIterator
from typing import Any

import soxr

from voxcap.api.pools import Pool
from voxcap.audio import AudioFormat, encode, pcm16
from voxcap.domain import SpeechRequest
from voxcap.errors import MissingDependency
from voxcap.processes import die_with_parent
from voxcap.runtime import Runtime
from voxcap.streaming import StreamChunk, stream

log = logging.getLogger(__name__)
RAW = frozenset({"pcm", "wav"})  # sent as 16-bit PCM
# ffmpeg encoder and container for the compressed formats, and the rate they are made at
FFMPEG: dict[str, tuple[str, str, int | None]] = {
    "mp3": ("libmp3lame", "mp3", None),
    "opus": ("libopus", "ogg", 48_000),
    "aac": ("aac", "adts", 24_000),
    "flac": ("flac", "flac", None),
}
READ = 16 * 1024


async def narration(
    rt: Runtime, pool: Pool, request: SpeechRequest, timings: bool
) -> AsyncIterator[StreamChunk]:
    """The narration's chunks as they are made, on one thread of ``pool``. Everything before the
    first chunk (bad input, a full pool) raises here, so the client gets a JSON error rather
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

    pool.submit(produce)
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


class Pcm16:
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
        return pcm16(samples, self.rate or chunk.audio.sample_rate)


async def audio(chunks: AsyncIterator[StreamChunk], fmt: AudioFormat) -> AsyncIterator[bytes]:
    """The narration in ``fmt``, as it is made."""
    if fmt.name in RAW:
        async for data in _raw(chunks, fmt):
            yield data
        return
    async for data in _ffmpeg(chunks, fmt):
        yield data


async def _raw(chunks: AsyncIterator[StreamChunk], fmt: AudioFormat) -> AsyncIterator[bytes]:
    to_pcm = Pcm16(fmt.rates[0] if fmt.rates else None)
    wav = fmt.name == "wav"
    async for chunk in chunks:
        if wav:
            yield _wav_header(chunk.audio.sample_rate)
            wav = False
        yield to_pcm(chunk)


async def _ffmpeg(chunks: AsyncIterator[StreamChunk], fmt: AudioFormat) -> AsyncIterator[bytes]:
    """One ffmpeg encoding the PCM as it arrives; its output is sent as it is written."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise MissingDependency(f"streaming {fmt.name} needs ffmpeg (apt-get install ffmpeg)")
    codec, container, rate = FFMPEG[fmt.name]
    first = await anext(chunks)
    source = first.audio.sample_rate
    args = [exe, "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", str(source)]
    args += ["-ac", "1", "-i", "pipe:0", "-c:a", codec, "-ar", str(rate or source)]
    args += [*(["-b:a", "96k"] if fmt.name in {"aac", "opus"} else []), "-f", container, "pipe:1"]
    process = await asyncio.create_subprocess_exec(
        *args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent(),
    )
    assert process.stdin is not None and process.stdout is not None
    to_pcm = Pcm16(None)

    async def feed() -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(to_pcm(first))
            await process.stdin.drain()
            async for chunk in chunks:
                process.stdin.write(to_pcm(chunk))
                await process.stdin.drain()
        finally:
            process.stdin.close()

    feeder = asyncio.create_task(feed())
    try:
        while data := await process.stdout.read(READ):
            yield data
        await feeder
    finally:
        if process.returncode is None:
            feeder.cancel()
            process.kill()
        await process.wait()


async def events(chunks: AsyncIterator[StreamChunk], fmt: AudioFormat) -> AsyncIterator[str]:
    """OpenAI's speech SSE: ``speech.audio.delta`` (base64 audio: 16-bit PCM for pcm and wav,
    else each sentence encoded in the format, which concatenate into one stream) and
    ``speech.audio.done``; voxcap adds ``speech.words`` after the audio they describe."""
    to_pcm = Pcm16(fmt.rates[0] if fmt.rates else None)
    async for chunk in chunks:
        data = to_pcm(chunk) if fmt.name in RAW else encode(chunk.audio, fmt)
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
