"""``POST /v1/align`` on a real server and worker: a recording uploaded with no script is
transcribed and timed; its transcript, edited, times it again with the video; a recording by
URL; and what has no speech is refused clearly."""

from __future__ import annotations

import difflib
import io
import json
import subprocess
from pathlib import Path

import httpx
import numpy as np
import pysubs2
import pytest
import soundfile as sf

from tests.longform import piper_narration, prose
from voxcap.runtime import Runtime

from .apihelp import Api, live_api

SAID = prose(3, seed=21)  # what the recording says


@pytest.fixture(scope="module")
def recording() -> bytes:
    speech = piper_narration(SAID).audio
    out = io.BytesIO()
    sf.write(out, speech.samples, speech.sample_rate, format="FLAC")
    return out.getvalue()


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code


def test_upload_transcribe_edit_and_retime_with_video(api: Api, recording: bytes) -> None:
    with api.client() as client:
        queued = client.post("/v1/align", files={"audio": ("talk.flac", recording)})
        assert queued.status_code == 202, queued.text
        api.drain()
        done = client.get(f"/v1/jobs/{queued.json()['id']}").json()
        assert done["status"] == "succeeded", done
        result = done["result"]
        assert result.get("audio") is None and {"transcribe", "align"} <= set(result["timings"])
        transcript = httpx.get(result["captions"]["txt"]["url"]).text
        assert transcript.split() == [w["text"] for w in result["words"]]
        words = httpx.get(result["captions"]["json"]["url"]).json()
        assert words["transcribed"] is True and words["alignment"]["recognised_words"] == []
        options = {"video": {"aspect": "9:16"}, "captions": ["srt", "json"]}
        again = client.post(
            "/v1/align",
            files={"audio": ("talk.flac", recording)},
            data={"text": " ".join(SAID), "options": json.dumps(options)},  # the fixed text
        )
        api.drain()
        final = client.get(f"/v1/jobs/{again.json()['id']}").json()
    assert final["status"] == "succeeded", final
    result = final["result"]
    assert set(result["captions"]) == {"srt", "json"}  # a script: no transcript to edit
    srt = pysubs2.SSAFile.from_string(httpx.get(result["captions"]["srt"]["url"]).text)
    assert " ".join(e.plaintext.replace("\n", " ") for e in srt).split() == " ".join(SAID).split()
    video = httpx.get(result["video"]["url"]).content
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,width,height",
         "-of", "json", "-"],
        input=video, capture_output=True, check=True,
    )  # fmt: skip
    streams = {s["codec_type"]: s for s in json.loads(probe.stdout)["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (1080, 1920)
    assert "audio" in streams


def test_a_recording_by_url_without_text(api: Api, clip_server: str) -> None:
    from .conftest import CLIP_TEXT

    with api.client() as client:
        queued = client.post("/v1/align", json={"audio_url": f"{clip_server}/clip.wav"})
        assert queued.status_code == 202, queued.text
        api.drain()
        done = client.get(f"/v1/jobs/{queued.json()['id']}").json()
    assert done["status"] == "succeeded", done
    heard = [w["text"].lower().strip(".,") for w in done["result"]["words"]]
    said = [w.lower().strip(".,") for w in CLIP_TEXT.split()]
    assert difflib.SequenceMatcher(None, heard, said).ratio() >= 0.9, heard  # tiny.en: ~5 % WER


def test_a_recording_over_the_limit_is_refused_from_its_header(
    tmp_path: Path, runtime: Runtime
) -> None:
    long = io.BytesIO()  # 10 minutes of near silence: a small FLAC, never decoded by the API
    sf.write(long, np.full(8_000 * 600, 1e-4, np.float32), 8_000, format="FLAC")
    with live_api(tmp_path, runtime, max_audio_seconds=60) as small, small.client() as client:
        refused = client.post("/v1/align", files={"audio": ("long.flac", long.getvalue())})
        assert error_of(refused, 413) == "audio_too_long"
        assert "long.flac is longer than the limit of 60 s" in refused.json()["error"]["message"]
        junk = client.post("/v1/align", files={"audio": ("a.m3u8", b"#EXTM3U\nfile:///etc/x\n")})
        assert error_of(junk, 422) == "audio_unreadable"  # no playlists, nothing nested
        assert client.get("/v1/jobs").json()["jobs"] == []  # nothing was queued


def test_what_has_no_speech_is_refused_clearly(api: Api, tmp_path: Path) -> None:
    silence = io.BytesIO()
    sf.write(silence, np.zeros(16_000 * 4, np.float32), 16_000, format="WAV")
    mute = tmp_path / "mute.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=160x120:r=10", "-t", "2",
         "-c:v", "libx264", str(mute)],
        check=True,
    )  # fmt: skip
    with api.client() as client:
        empty = client.post("/v1/align", files={"audio": ("a.wav", b"")})
        assert error_of(empty, 422) == "audio_unreadable"
        no_sound = client.post("/v1/align", files={"audio": ("m.mp4", mute.read_bytes())})
        assert error_of(no_sound, 422) == "audio_unreadable"
        assert "no audio track" in no_sound.json()["error"]["message"]
        assert error_of(client.post("/v1/align", json={}), 422) == "invalid_request"
        assert error_of(client.post("/v1/align", content=b"x"), 422) == "invalid_request"
        sneaky = {"options": json.dumps({"upload": "voices/kim/voice.json"})}
        tried = client.post("/v1/align", files={"audio": ("a.wav", b"x")}, data=sneaky)
        assert error_of(tried, 422) == "invalid_request"  # a client never names an object
        blank = client.post(
            "/v1/align", files={"audio": ("a.wav", silence.getvalue())}, data={"text": " "}
        )
        assert blank.status_code == 202  # a blank text is no text: it is transcribed
        api.drain()
        failed = client.get(f"/v1/jobs/{blank.json()['id']}").json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "no_speech"
    assert "no speech was recognised" in failed["error"]["message"]
