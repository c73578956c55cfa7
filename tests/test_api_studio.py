"""What the studio reads from the API, over HTTP: the server's capabilities, a key's job
history (and only its own), and voices with a playable clip URL and advice on the clip."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
import soundfile

from voxcap.audio import FORMATS, decode, encode
from voxcap.domain import Audio
from voxcap.runtime import Runtime

from .apihelp import KEY, Api, live_api

OTHER = "other-key-9876543210"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, runtime: Runtime) -> Iterator[Api]:
    with live_api(tmp_path_factory.mktemp("studio-api"), runtime, api_keys=[KEY, OTHER]) as live:
        yield live


def test_capabilities_describe_this_server(api: Api) -> None:
    with api.client() as client:
        caps = client.get("/v1/capabilities").json()
    engines = {e["name"]: e for e in caps["engines"]}
    assert engines["piper"] == {
        "name": "piper",
        "voices": ["joe"],
        "clones": False,
        "problem": None,
    }
    assert engines["f5"]["clones"] is True and "not downloaded" in engines["f5"]["problem"]
    # the cache folder is not shown to a client (newuser #18), the way out is
    problem = engines["f5"]["problem"]
    assert "<server path>" in problem and "/tmp/" not in problem and "/root" not in problem
    assert "--engine piper" in problem
    assert caps["default_engine"] == api.settings.engine
    assert caps["transcribes"] is True  # voxcap[asr] is installed, with its packaged tiny.en
    assert caps["caption_styles"]["karaoke"]["highlight"] == "#FFD600"
    assert caps["caption_formats"] == ["srt", "vtt", "ass", "csv", "json", "txt"]
    assert caps["cue_modes"] == ["phrase", "word", "broadcast"]
    assert caps["loudness_presets"]["broadcast"] == -23.0
    assert caps["audio_formats"] == ["wav", "mp3", "flac", "opus"]
    assert caps["video"] == {"available": True, "aspects": ["9:16", "1:1", "16:9"]}
    assert caps["limits"] == {
        "max_text_chars": api.settings.max_text_chars,
        "max_voice_bytes": api.settings.max_voice_bytes,
    }
    assert httpx.get(f"{api.url}/v1/capabilities").status_code == 401  # keys apply here too


def test_the_job_history_is_the_callers_own_newest_first(api: Api) -> None:
    with api.client() as mine, api.client(OTHER) as theirs:
        first = mine.post("/v1/speech", json={"text": "First of mine."}).json()["id"]
        other = theirs.post("/v1/speech", json={"text": "Theirs."}).json()["id"]
        second = mine.post("/v1/speech", json={"text": "Second of mine. " * 20}).json()["id"]
        api.drain()
        history = mine.get("/v1/jobs").json()["jobs"]
        assert [j["id"] for j in history] == [second, first]
        assert history[1]["text"] == "First of mine." and len(history[0]["text"]) == 120
        assert history[1]["status"] == "succeeded" and history[1]["result"]["audio"]["url"]
        assert [j["id"] for j in mine.get("/v1/jobs?limit=1").json()["jobs"]] == [second]
        assert [j["id"] for j in theirs.get("/v1/jobs").json()["jobs"]] == [other]
        assert mine.get("/v1/jobs?limit=0").status_code == 422
        assert mine.get("/v1/jobs?limit=201").status_code == 422


def test_a_voice_has_a_playable_clip_and_advice_on_it(api: Api, clip_wav: bytes) -> None:
    clip = decode(clip_wav, "clip.wav")
    quiet = encode(Audio(clip.samples * 0.03, clip.sample_rate), FORMATS["wav"])
    with api.client() as client:
        made = client.post("/v1/voices", data={"name": "soft"}, files={"audio": ("s.wav", quiet)})
        assert made.status_code == 201, made.text
        voice = made.json()
        assert [n.split(":")[0] for n in voice["notes"]] == [
            "quiet",
            "transcribed by speech recognition",  # no transcript was given
        ]
        assert "reference clip" in voice["transcript"].lower()
        [listed] = client.get("/v1/voices").json()
        assert listed["notes"] == voice["notes"] and listed["audio_url"].startswith(api.url)
        played = httpx.get(voice["audio_url"])
        assert played.status_code == 200 and "wav" in played.headers["content-type"]
        data, rate = soundfile.read(io.BytesIO(played.content))
        assert rate == 24_000 and abs(len(data) / rate - voice["duration"]) < 0.01
        client.delete("/v1/voices/soft")


@pytest.mark.parametrize(
    ("seconds", "advice"),
    [(2.0, ["short: 2.0 s of speech; 3-12 s clones best"]),
     (16.0, ["long: a cloning engine uses the first 12 s, cut at a pause"])],
)  # fmt: skip
def test_advice_on_short_and_long_clips(
    api: Api, clip_wav: bytes, seconds: float, advice: list[str]
) -> None:
    clip = decode(clip_wav, "clip.wav")
    speech = np.resize(clip.samples, round(seconds * clip.sample_rate))  # no silence at the ends
    speech[:10] = speech[-10:] = 0.1
    wav = encode(Audio(speech, clip.sample_rate), FORMATS["wav"])
    with api.client() as client:
        form = {"name": "sized", "transcript": "what it says"}
        voice = client.post("/v1/voices", data=form, files={"audio": ("c.wav", wav)})
        assert voice.json()["notes"] == advice
        client.delete("/v1/voices/sized")
