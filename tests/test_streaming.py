"""Streaming narration (issue 14, first part): the library's sentence-by-sentence iterator and
`/v1/audio/speech` streaming pcm, wav and OpenAI's SSE with voxcap's word events, on real
Piper speech and a real uvicorn."""

from __future__ import annotations

import base64
import io
import json
import time

import numpy as np
import openai
import pytest
import soundfile as sf

from voxcap.domain import SpeechRequest
from voxcap.runtime import Runtime
from voxcap.streaming import stream

from .apihelp import KEY, Api

TEXT = "Dr. Smith paid $3.50 for coffee. The second sentence is here. And a third, to end it."
LONG = " ".join(f"This is sentence number {i}, spoken in its turn." for i in range(1, 31))


def test_the_library_streams_sentences_with_the_words_they_complete(runtime: Runtime) -> None:
    chunks = list(stream(SpeechRequest(TEXT), runtime))
    assert [c.sentence for c in chunks] == [0, 1, 2] and [c.last for c in chunks] == [
        False,
        False,
        True,
    ]
    assert [w.text for c in chunks for w in c.words] == TEXT.split()  # every word, in order
    elapsed = 0.0
    for chunk in chunks:
        assert abs(chunk.start - elapsed) < 1e-6
        elapsed += chunk.audio.duration
        for word in chunk.words:  # a word is sent with (or after) the audio it is in
            assert chunk.start - 0.3 <= word.start <= word.end <= elapsed + 1e-6
    starts = [w.start for c in chunks for w in c.words]
    assert starts == sorted(starts)


def test_pcm_streams_before_the_text_is_finished(api: Api) -> None:
    """The official client's streaming response gets its first bytes while later sentences
    are still being synthesised (30 sentences: first bytes well before the last)."""
    client = openai.OpenAI(base_url=f"{api.url}/v1", api_key=KEY)
    started = time.monotonic()
    first = None
    data = b""
    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=LONG, response_format="pcm"
    ) as response:
        for block in response.iter_bytes(4096):
            first = first or time.monotonic() - started
            data += block
    total = time.monotonic() - started
    assert first is not None and first < total / 3, (first, total)
    samples = np.frombuffer(data, "<i2")
    assert len(samples) / 24_000 > 30 and np.abs(samples).max() > 1000  # OpenAI's 24 kHz


def test_wav_streams_a_playable_file(api: Api) -> None:
    with api.client() as client:
        response = client.post(
            "/v1/audio/speech",
            json={"model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": "wav"},
        )
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    samples, rate = sf.read(io.BytesIO(response.content), dtype="int16")
    assert rate == 22_050 and len(samples) / rate > 4
    assert len(response.content) == 44 + 2 * len(samples)


def test_sse_sends_audio_deltas_then_the_words_they_hold(api: Api) -> None:
    body = {"model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": "pcm"}
    with api.client() as client:
        response = client.post("/v1/audio/speech", json={**body, "stream_format": "sse"})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")
    ]
    kinds = [e["type"] for e in events]
    assert kinds[-1] == "speech.audio.done" and kinds.count("speech.audio.delta") == 3
    assert kinds.index("speech.words") > kinds.index("speech.audio.delta")  # audio first
    words = [w for e in events if e["type"] == "speech.words" for w in e["words"]]
    assert [w["text"] for w in words] == TEXT.split()
    audio = b"".join(base64.b64decode(e["audio"]) for e in events if "audio" in e)
    duration = len(audio) / 2 / 24_000  # pcm is OpenAI's: 24 kHz
    assert words[-1]["end"] <= duration + 1e-3


def test_bad_input_is_a_json_error_not_a_broken_stream(api: Api) -> None:
    with api.client() as client:
        for stream_format in ("audio", "sse"):
            response = client.post(
                "/v1/audio/speech",
                json={
                    "model": "tts-1",
                    "voice": "alloy",
                    "input": "Привет мир",
                    "response_format": "pcm",
                    "stream_format": stream_format,
                },
            )
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "unsupported_language"


@pytest.mark.parametrize("name", ["mp3", "opus", "aac", "flac"])
def test_every_compressed_format_streams_a_whole_file(api: Api, name: str) -> None:
    """mp3, opus, aac and flac go through one ffmpeg fed as sentences are made; what arrives
    decodes to the whole narration."""
    from voxcap.audio import decode

    with api.client() as client:
        response = client.post(
            "/v1/audio/speech",
            json={"model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": name},
        )
    assert response.status_code == 200, response.text
    decoded = decode(response.content, f"speech.{name}")
    assert 4.5 < decoded.duration < 9, decoded.duration  # three sentences and their pauses
    assert np.abs(decoded.samples).max() > 0.05


def test_mp3_arrives_before_the_text_is_finished(api: Api) -> None:
    started = time.monotonic()
    first = None
    with (
        api.client() as client,
        client.stream(
            "POST",
            "/v1/audio/speech",
            json={"model": "tts-1", "voice": "alloy", "input": LONG, "response_format": "mp3"},
        ) as response,
    ):
        for _ in response.iter_bytes(1024):
            first = first or time.monotonic() - started
    total = time.monotonic() - started
    assert first is not None and first < total / 3, (first, total)
