"""The HTTP API on a real uvicorn, driven by httpx, an SSE client and the official openai
client; files fetched by their signed URLs."""

from __future__ import annotations

import io
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest
import soundfile as sf
from httpx_sse import connect_sse

from voxcap.runtime import Runtime

from .apihelp import KEY, Api, live_api
from .conftest import CLIP_TEXT

DOCS = Path(__file__).resolve().parents[1] / "docs" / "ERRORS.md"
CLI_BAD_INPUT = "tests/test_cli.py::test_bad_input_is_one_line_and_exit_2"
BUCKET_TEST = "tests/test_storage.py::test_s3_missing_bucket_and_unreachable_endpoint"
# Codes whose natural trigger lives in another test (the test is checked to exist).
PROVOKED_ELSEWHERE = {
    "no_speech": "tests/test_api_align.py::test_what_has_no_speech_is_refused_clearly",
    "lexicon_not_found": "tests/test_directing_faces.py::test_lexicons_and_a_dialogue_over_http",
    "voice_exists": "tests/test_api.py::test_voices_upload_url_list_show_delete",
    "not_ready": "tests/test_api.py::test_readyz_when_the_store_is_down",
    "too_large": "tests/test_voices.py::test_bad_clips_are_refused_and_leave_nothing",
    "storage_error": BUCKET_TEST,
    "storage_auth_failed": "tests/test_storage.py::test_s3_wrong_secret_is_one_clear_error",
    "storage_bucket_not_found": BUCKET_TEST,
    "engine_failed": "tests/test_piper.py::test_unmatchable_groups_raise",
    "video_unavailable": "tests/test_video.py::test_cli_without_ffmpeg_says_so_before_work",
    "unknown_aspect": "tests/test_video.py::test_bad_video_input_fails_before_synthesis",
    "background_invalid": "tests/test_video.py::test_bad_video_input_fails_before_synthesis",
    "render_failed": "tests/test_video.py::test_a_failed_render_leaves_no_video",
    "alignment_failed": "tests/test_alignment.py::test_unalignable_text_is_a_clear_error",
    "worker_died": "tests/test_jobs.py::test_a_job_whose_worker_keeps_dying_fails",
    "internal_error": "tests/test_jobs.py::test_an_unexpected_error_fails_the_job_not_the_worker",
    "model_not_found": "tests/test_f5.py::test_missing_weights_are_one_clear_error",
    "unknown_engine": CLI_BAD_INPUT,
    "unknown_aligner": CLI_BAD_INPUT,
    "unknown_format": CLI_BAD_INPUT,
    "empty_text": CLI_BAD_INPUT,
    "invalid_input": CLI_BAD_INPUT,
    "output_unwritable": "tests/test_cli.py::test_corrupt_audio_and_unwritable_out",
    "missing_dependency": "tests/test_layout.py::test_a_missing_extra_is_named",
    "engine_timings_unavailable": (
        "tests/test_piper.py::test_timings_engine_without_native_timings_is_an_error"
    ),
    "engine_out_of_memory": "tests/test_runpod.py::test_every_documented_error_code",
    "server_busy": (
        "tests/test_api_hardening.py::test_slow_work_of_one_kind_cannot_stall_job_submits"
    ),
    "queue_unavailable": (
        "tests/test_api_hardening.py::test_a_full_queue_is_503_and_not_ready_then_recovers"
    ),
    "model_hub_unreachable": (
        "tests/test_models.py::test_download_without_the_hub_is_one_clear_line"
    ),
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, runtime: Runtime) -> Iterator[Api]:
    hosts = ["127.0.0.1", "localhost"]  # as voxcap serve on loopback answers
    with live_api(tmp_path_factory.mktemp("api"), runtime, allowed_hosts=hosts) as live:
        yield live


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    code: str = body["error"]["code"]
    return code


def test_an_engine_without_its_weights_is_refused_at_submit(api: Api) -> None:
    """newuser.md #14: a job for F5 without weights was queued, then failed 7 s later with
    model_not_found. Now the submit says so, and nothing is queued."""
    with api.client() as client:
        before = client.get("/v1/jobs").json()["jobs"]
        refused = client.post("/v1/speech", json={"text": "Hello there.", "engine": "f5"})
        assert error_of(refused, 503) == "model_not_found"
        assert "--engine piper" in refused.json()["error"]["message"]
        assert client.get("/v1/jobs").json()["jobs"] == before


def test_submit_poll_and_fetch_every_file(api: Api) -> None:
    with api.client() as client:
        submitted = client.post(
            "/v1/speech",
            json={
                "text": "Dr. Smith paid $3.50 at 9:30 a.m.",
                "audio_format": "mp3",
                "captions": ["srt", "vtt", "ass", "csv", "json"],
                "caption_style": "word",
            },
        )
        assert submitted.status_code == 202
        job = submitted.json()
        assert job["status"] == "queued" and job["progress"]["fraction"] == 0
        api.drain()
        done = client.get(f"/v1/jobs/{job['id']}").json()
    assert done["status"] == "succeeded" and done["attempts"] == 1
    result = done["result"]
    assert [w["text"] for w in result["words"]] == [
        "Dr.",
        "Smith",
        "paid",
        "$3.50",
        "at",
        "9:30",
        "a.m.",
    ]
    assert {"normalize", "synthesize", "align", "encode", "captions"} <= set(result["timings"])
    audio = httpx.get(result["audio"]["url"])
    assert audio.status_code == 200 and len(audio.content) == result["audio"]["bytes"]
    assert audio.headers["content-type"] == "audio/mpeg"
    assert result["audio"]["expires_at"] > time.time()
    for fmt, ref in result["captions"].items():
        got = httpx.get(ref["url"])
        assert got.status_code == 200 and len(got.content) == ref["bytes"], fmt
    assert httpx.get(result["captions"]["json"]["url"]).json()["words"] == result["words"]
    assert "key" not in result["audio"]


def test_a_job_with_video_returns_a_signed_mp4_and_reports_render(api: Api, tmp_path: Path) -> None:
    body = {"text": "A video, please.", "video": {"aspect": "1:1", "background": "#203040"}}
    with api.client() as client:
        job_id = client.post("/v1/speech", json=body).json()["id"]
        with api.working(), connect_sse(client, "GET", f"/v1/jobs/{job_id}/events") as source:
            events = [(e.event, e.json()) for e in source.iter_sse()]
    stages = [data["progress"]["stage"] for _, data in events]
    assert stages[-1] == "render", stages  # the last stage the worker reported
    result = events[-1][1]["result"]
    assert "render" in result["timings"] and result["video"]["expires_at"] > time.time()
    video = httpx.get(result["video"]["url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    path = tmp_path / "video.mp4"
    path.write_bytes(video.content)
    probe = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-show_entries", "stream=width,height"),
            *("-of", "csv=p=0", str(path)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "1080,1080" in probe.stdout


def test_a_video_background_comes_by_url(api: Api, tmp_path: Path) -> None:
    from .media import ffmpeg

    image = tmp_path / "bg.png"
    ffmpeg("-f", "lavfi", "-i", "color=c=0x3070c0:s=320x240", "-frames:v", "1", image)
    store = api.worker.runtime.store
    store.put("uploads/bg.png", image.read_bytes(), "image/png")
    url = store.signed_url("uploads/bg.png", 600, "bg.png").url
    body = {"text": "Over a picture.", "video": {"background_url": url}}
    with api.client() as client:
        job_id = client.post("/v1/speech", json=body).json()["id"]
        api.drain()
        done = client.get(f"/v1/jobs/{job_id}").json()
    assert done["status"] == "succeeded", done
    path = tmp_path / "video.mp4"
    path.write_bytes(httpx.get(done["result"]["video"]["url"]).content)
    pixels = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", "0.2", "-i", str(path), "-frames:v", "1"),
            *("-vf", "crop=100:100:0:0", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    corner = [int(b) for b in pixels[:3]]
    assert abs(corner[0] - 0x30) < 12 and abs(corner[2] - 0xC0) < 12  # the picture, cropped in


def test_bad_video_requests_are_refused_at_submit(api: Api) -> None:
    with api.client() as client:
        bad_aspect = {"text": "Hi.", "video": {"aspect": "4:3"}}
        assert error_of(client.post("/v1/speech", json=bad_aspect), 422) == "invalid_request"
        server_file = {"text": "Hi.", "video": {"background": "/etc/passwd"}}
        response = client.post("/v1/speech", json=server_file)
        assert error_of(response, 422) == "invalid_request"
        assert "background_url" in response.json()["error"]["message"]


def test_wait_returns_the_finished_job(api: Api) -> None:
    with api.working(), api.client() as client:
        response = client.post("/v1/speech?wait=60", json={"text": "Waiting is fine."})
    assert response.status_code == 200 and response.json()["status"] == "succeeded"


def test_a_verified_narration_carries_the_verification_block(api: Api) -> None:
    text = "Check every word. Then say so."
    with api.working(), api.client() as client:
        job = client.post("/v1/speech?wait=60", json={"text": text, "verify": True}).json()
        plain = client.post("/v1/speech?wait=60", json={"text": text}).json()
    result = job["result"]
    assert result["verification"]["verified"] is True
    assert [
        (s["index"], s["status"], s["attempts"]) for s in result["verification"]["sentences"]
    ] == [
        (0, "ok", 1),
        (1, "ok", 1),
    ]
    assert all(0.5 < w["confidence"] <= 1 for w in result["words"])
    # Piper is not a cloning engine: not verified unless asked
    assert "verification" not in plain["result"]
    assert all("confidence" not in w for w in plain["result"]["words"])


def test_verification_that_cannot_run_is_refused_at_submit(api: Api) -> None:
    body = {"text": "Check every word.", "timings": "engine", "verify": True}
    with api.client() as client:
        response = client.post("/v1/speech", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    assert "verification" in response.json()["error"]["message"]


def test_events_stream_progress_until_done(api: Api) -> None:
    with api.client() as client:
        job = client.post("/v1/speech", json={"text": "Stream my progress. Two sentences."})
        job_id = job.json()["id"]
        with api.working(), connect_sse(client, "GET", f"/v1/jobs/{job_id}/events") as source:
            events = [(e.event, e.json()) for e in source.iter_sse()]
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "progress" and kinds[-1] == "done" and kinds.count("done") == 1
    assert events[-1][1]["status"] == "succeeded"
    fractions = [data["progress"]["fraction"] for kind, data in events if kind == "progress"]
    assert fractions == sorted(fractions) or len({e[1]["progress"]["stage"] for e in events}) > 1


def test_cancel_a_queued_job(api: Api) -> None:
    with api.client() as client:
        job_id = client.post("/v1/speech", json={"text": "Never mind."}).json()["id"]
        canceled = client.delete(f"/v1/jobs/{job_id}")
        assert canceled.json()["status"] == "canceled"
        assert error_of(client.delete(f"/v1/jobs/{job_id}"), 409) == "job_not_cancelable"
        api.drain()
        assert client.get(f"/v1/jobs/{job_id}").json()["status"] == "canceled"


def test_voices_upload_url_list_show_delete(api: Api, clip_wav: bytes) -> None:
    srt = f"1\n00:00:00,000 --> 00:00:03,000\n{CLIP_TEXT}\n".encode()
    with api.client() as client:
        made = client.post(
            "/v1/voices",
            data={"name": "kim"},
            files={
                "audio": ("kim.wav", clip_wav, "audio/wav"),
                "transcript_file": ("kim.srt", srt, "text/plain"),
            },
        )
        assert made.status_code == 201, made.text
        assert made.json()["transcript"] == CLIP_TEXT
        assert (
            error_of(
                client.post(
                    "/v1/voices", data={"name": "kim"}, files={"audio": ("k.wav", clip_wav)}
                ),
                409,
            )
            == "voice_exists"
        )
        shown = client.get("/v1/voices/kim").json()
        assert shown["name"] == "kim" and shown["sample_rate"] == 24_000
        from_url = client.post(
            "/v1/voices",
            json={"name": "kim-url", "audio_url": f"{api.url}/healthz", "transcript": "x"},
        )
        assert error_of(from_url, 422) == "audio_unreadable"  # fetched, but not audio
        assert [v["name"] for v in client.get("/v1/voices").json()] == ["kim"]
        failed = client.post("/v1/speech", json={"text": "Clone me.", "voice": "kim"})
        api.drain()
        job = client.get(f"/v1/jobs/{failed.json()['id']}").json()
        assert job["status"] == "failed" and job["error"]["code"] == "invalid_input"
        assert client.delete("/v1/voices/kim").status_code == 204
        assert error_of(client.get("/v1/voices/kim"), 400) == "voice_not_found"


def test_openai_client_works_unchanged(api: Api) -> None:
    client = openai.OpenAI(base_url=f"{api.url}/v1", api_key=KEY)
    wav = client.audio.speech.create(
        model="tts-1", voice="alloy", input="Hello from OpenAI.", response_format="wav"
    )
    info = sf.info(io.BytesIO(wav.content))
    assert info.channels == 1 and info.duration > 0.5
    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="joe", input="Streamed.", response_format="pcm"
    ) as response:
        pcm = b"".join(response.iter_bytes())
    assert len(pcm) % 2 == 0 and len(pcm) / 2 / 24_000 > 0.3
    for fmt in ["mp3", "opus", "aac", "flac"]:
        data = client.audio.speech.create(
            model="tts-1", voice="nova", input="Formats.", response_format=fmt
        ).content  # type: ignore[arg-type]
        assert len(data) > 500, fmt
    with pytest.raises(openai.BadRequestError) as info_err:
        client.audio.speech.create(model="tts-1", voice="nobody", input="Hi.")
    assert info_err.value.status_code == 400
    assert info_err.value.body["code"] == "voice_not_found"  # type: ignore[index]


def test_health_ready_metrics(api: Api) -> None:
    with api.working(), api.client() as client:  # a job of its own: tests run in any order
        done = client.post("/v1/speech?wait=60", json={"text": "Hi.", "captions": ["srt"]})
        assert done.json()["status"] == "succeeded", done.text
    assert httpx.get(f"{api.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{api.url}/readyz").json() == {"status": "ready"}
    metrics = httpx.get(f"{api.url}/metrics").text
    assert re.search(r'^voxcap_jobs\{status="succeeded"\} [1-9]', metrics, re.M)
    assert "voxcap_queue_depth" in metrics and "voxcap_stage_seconds_count" in metrics
    assert "voxcap_realtime_factor" in metrics
    again = httpx.get(f"{api.url}/metrics")  # fresh: answered before routing, the same
    assert again.text == metrics and again.headers["content-type"].startswith("text/plain")
    assert int(again.headers["content-length"]) == len(again.content)
    stranger = httpx.get(f"{api.url}/metrics", headers={"Host": "evil.example"})
    assert error_of(stranger, 421) == "host_refused"  # the host guard still comes first
    assert httpx.post(f"{api.url}/metrics").status_code == 405  # only a GET is answered


def test_openapi_docs(api: Api) -> None:
    assert httpx.get(f"{api.url}/docs").status_code == 200
    paths = httpx.get(f"{api.url}/openapi.json").json()["paths"]
    assert {"/v1/speech", "/v1/jobs/{job_id}", "/v1/audio/speech", "/v1/voices"} <= set(paths)


def test_a_clip_on_the_server_cannot_be_cloned_by_path(api: Api) -> None:
    with api.client() as client:
        response = client.post("/v1/speech", json={"text": "hi", "voice": "/etc/secret.wav"})
        assert error_of(response, 422) == "invalid_request"
        assert "voice library" in response.json()["error"]["message"]


def test_every_documented_error_code(api: Api, tmp_path: Path, runtime: Runtime) -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", DOCS.read_text(), re.M))
    seen: set[str] = set()
    with api.client() as client, api.client(None) as anonymous, api.client("wrong-key") as wrong:
        seen.add(error_of(anonymous.get("/v1/voices"), 401))
        seen.add(error_of(wrong.get("/v1/voices"), 403))
        seen.add(error_of(client.post("/v1/speech", json={"text": " "}), 422))
        seen.add(error_of(client.post("/v1/speech", json={"text": "x" * 20_001}), 413))
        seen.add(error_of(client.post("/v1/speech", json={"text": "hi", "voice": "zed"}), 400))
        seen.add(error_of(client.post("/v1/speech", json={"text": "Привет мир"}), 422))
        seen.add(error_of(client.get("/v1/jobs/nope"), 404))
        job_id = client.post("/v1/speech", json={"text": "Done."}).json()["id"]
        api.drain()
        seen.add(error_of(client.delete(f"/v1/jobs/{job_id}"), 409))
        seen.add(error_of(client.get("/v1/voices/Bad Name"), 422))
        long_clip = io.BytesIO()
        sf.write(long_clip, np.zeros(8000 * 130, np.float32), 8000, format="FLAC")
        seen.add(
            error_of(
                client.post(
                    "/v1/voices",
                    data={"name": "long"},
                    files={"audio": ("long.flac", long_clip.getvalue())},
                ),
                413,
            )
        )
        seen.add(error_of(client.post("/v1/speech", json={"text": "hi", "brand": "zed"}), 404))
        seen.add(error_of(client.post("/v1/speech", json={"text": "7" * 15_000}), 413))
        foreign = {"Origin": "https://evil.example"}
        seen.add(error_of(client.post("/v1/speech", json={"text": "hi"}, headers=foreign), 403))
        seen.add(error_of(client.get("/v1/voices", headers={"Host": "evil.example"}), 421))
        assert client.post("/v1/brands", json={"name": "kit"}).status_code == 201
        seen.add(error_of(client.post("/v1/brands", json={"name": "kit"}), 409))
        seen.add(
            error_of(
                client.post(
                    "/v1/voices", json={"name": "x", "audio_url": "http://169.254.169.254/a.wav"}
                ),
                400,
            )
        )
        malformed = {"name": "x", "audio_url": "http://[::1/x.wav"}  # was HTTP 500
        assert error_of(client.post("/v1/voices", json=malformed), 400) == "url_refused"
        seen.add(
            error_of(
                client.post(
                    "/v1/voices", json={"name": "x", "audio_url": f"{api.url}/missing.wav"}
                ),
                400,
            )
        )
        seen.add(
            error_of(
                client.post("/v1/voices", data={"name": "x"}, files={"audio": ("x.wav", b"junk")}),
                422,
            )
        )
        seen.add(
            error_of(
                client.post(
                    "/v1/voices", data={"name": "x"}, files={"audio": ("x.wav", _silence())}
                ),
                422,
            )
        )
        seen.add(
            error_of(client.get("/files/outputs/x/a.txt?expires=1&filename=a&signature=0"), 403)
        )
        seen.add(error_of(client.get("/nowhere"), 404))
        seen.add(error_of(client.put("/v1/speech"), 405))
    with (
        live_api(tmp_path / "small", runtime, max_body_bytes=1000, rate_limit=3) as small,
        small.client() as client,
    ):
        seen.add(error_of(client.post("/v1/speech", json={"text": "x" * 2000}), 413))
        responses = [client.get("/v1/voices") for _ in range(5)]
        limited = [r for r in responses if r.status_code == 429]
        assert limited and int(limited[0].headers["retry-after"]) >= 1
        seen.add(error_of(limited[0], 429))
    seen.add(error_of(httpx.get(_expired_url(api.settings)), 403))
    for test in PROVOKED_ELSEWHERE.values():
        path, name = test.split("::")
        assert f"def {name}(" in (DOCS.parents[1] / path).read_text(), test
    missing = documented - seen - set(PROVOKED_ELSEWHERE)
    assert not missing, f"documented but never provoked: {missing}"


def test_readyz_when_the_store_is_down(tmp_path: Path, runtime: Runtime) -> None:
    dead = {"storage": "s3://voxcap/x", "s3_endpoint_url": "http://127.0.0.1:9"}
    with live_api(tmp_path, runtime, **dead) as broken:
        response = httpx.get(f"{broken.url}/readyz", timeout=120)
    assert error_of(response, 503) == "not_ready"
    assert response.json()["error"]["message"].startswith("not ready: ")


def test_readyz_when_the_engine_weights_are_missing(tmp_path: Path) -> None:
    pytest.importorskip("f5_tts")
    with live_api(tmp_path, engine="f5", model_dir=tmp_path / "models") as api:
        response = httpx.get(f"{api.url}/readyz", timeout=120)
        assert httpx.get(f"{api.url}/healthz").status_code == 200
    assert error_of(response, 503) == "not_ready"
    message = response.json()["error"]["message"]
    assert "voxcap models download f5" in message
    assert str(tmp_path) not in message and "<server path>" in message  # what, not where


def _silence() -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(48_000, dtype="float32"), 24_000, format="WAV")
    return buffer.getvalue()


def _expired_url(settings: object) -> str:
    from voxcap.storage import create_store

    local = create_store(settings)  # type: ignore[arg-type]
    local.put("outputs/old/a.txt", b"a")
    url = local.signed_url("outputs/old/a.txt", 1).url
    time.sleep(1.5)
    return url


def test_cors_is_off_by_default_and_configurable(
    api: Api, tmp_path: Path, runtime: Runtime
) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    closed = httpx.options(f"{api.url}/v1/speech", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    with live_api(tmp_path, runtime, cors_origins=["https://app.example"]) as open_api:
        opened = httpx.options(f"{open_api.url}/v1/speech", headers=preflight)
    assert opened.headers["access-control-allow-origin"] == "https://app.example"
