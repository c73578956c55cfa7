"""The RunPod worker: the handler called directly, the SDK's real local server driven over
HTTP, --test_input from the command line, and the Dockerfile linted."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from .servers import S3Server, free_port

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "RUNPOD.md"


def code_of(output: dict[str, Any]) -> str:
    assert set(output) <= {"error", "refresh_worker"}, output
    error = json.loads(output["error"])  # RunPod's error field is a string: JSON of the shape
    assert set(error) == {"code", "message"}
    code: str = error["code"]
    return code


def test_speak_is_the_default_operation(worker: ModuleType) -> None:
    output = worker.handler(
        {
            "id": "job-1",
            "input": {
                "text": "Dr. Smith paid $3.50.",
                "voice": "joe",
                "captions": ["srt", "ass"],
                "caption_style": "karaoke",
                "audio_format": "mp3",
            },
        }
    )
    assert set(output) == {"audio", "captions", "video", "words", "duration", "timings"}
    assert output["audio"]["url"].startswith("http") and output["audio"]["format"] == "mp3"
    assert set(output["captions"]) == {"srt", "ass"}
    assert [w["text"] for w in output["words"]] == ["Dr.", "Smith", "paid", "$3.50."]
    store = worker.RUNTIME.store
    assert store.list("outputs/job-1/") == [
        "outputs/job-1/captions.ass",
        "outputs/job-1/captions.srt",
        "outputs/job-1/speech.mp3",
    ]
    assert worker.COLD_START > 0


def test_speak_and_align_verified(
    worker: ModuleType, clip_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import CLIP_TEXT

    monkeypatch.setattr(worker.RUNTIME.settings, "fetch_allow_networks", ["127.0.0.0/8"])
    output = worker.handler(
        {"id": "job-v", "input": {"text": "Every word is here.", "verify": True}}
    )
    assert output["verification"]["verified"] is True
    assert output["verification"]["sentences"][0]["status"] == "ok"
    assert all(w["confidence"] > 0.5 for w in output["words"])
    aligned = worker.handler(
        {
            "id": "job-va",
            "input": {
                "operation": "align",
                "audio_url": f"{clip_server}/clip.wav",
                "text": CLIP_TEXT,
                "verify": True,
            },
        }
    )
    assert aligned["verification"]["verified"] is True, aligned["verification"]


def test_align_without_text_transcribes_the_recording(
    worker: ModuleType, clip_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import CLIP_TEXT

    monkeypatch.setattr(worker.RUNTIME.settings, "fetch_allow_networks", ["127.0.0.0/8"])
    output = worker.handler(
        {
            "id": "job-heard",
            "input": {"operation": "align", "audio_url": f"{clip_server}/clip.wav"},
        }
    )
    assert set(output["captions"]) == {"srt", "vtt", "ass", "json", "txt"}, output
    heard = [w["text"].lower().strip(".,") for w in output["words"]]
    assert len(heard) == len(CLIP_TEXT.split()) and "reference" in heard
    assert "transcribe" in output["timings"]
    no_url = worker.handler({"id": "j", "input": {"operation": "align", "text": "Hi."}})
    assert code_of(no_url) == "invalid_request"


def test_speak_with_video_returns_the_mp4(worker: ModuleType) -> None:
    output = worker.handler(
        {
            "id": "job-video",
            "input": {"text": "A short one.", "voice": "joe", "video": {"aspect": "16:9"}},
        }
    )
    assert output["video"]["format"] == "mp4" and output["video"]["url"].startswith("http")
    assert "render" in output["timings"]
    keys = worker.RUNTIME.store.list("outputs/job-video/")
    assert "outputs/job-video/video.mp4" in keys
    bad = worker.handler({"id": "j", "input": {"text": "Hi.", "video": {"aspect": "4:3"}}})
    assert code_of(bad) == "invalid_request"


def test_speak_clones_a_library_voice_with_the_tiny_f5(
    worker: ModuleType, clip_wav: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The F5 engine behind the handler: a random-weight model from local files, the CTC
    aligner with a random acoustic model (real pocketsphinx cannot place words in noise)."""
    pytest.importorskip("f5_tts")
    from voxcap.aligners.ctc import CTCAligner
    from voxcap.testing import tiny_ctc, tiny_f5

    from .conftest import CLIP_TEXT

    settings = worker.RUNTIME.settings
    for field, value in tiny_f5(tmp_path / "tiny").items():
        monkeypatch.setattr(settings, field, value)
    monkeypatch.setattr(settings, "verify", "off")  # its noise would fail every check
    monkeypatch.setattr(settings, "device", "cpu")
    worker.RUNTIME.use_aligner(CTCAligner(settings, *tiny_ctc()))
    worker.RUNTIME.voices.add("ana", clip_wav, transcript=CLIP_TEXT, filename="a.wav", source="t")
    try:
        output = worker.handler(
            {
                "id": "job-f5",
                "input": {
                    "text": "Cloned on RunPod. Two sentences!",
                    "engine": "f5",
                    "aligner": "ctc",
                    "voice": "ana",
                    "seed": 3,
                    "captions": ["srt", "json"],
                },
            }
        )
    finally:
        worker.RUNTIME.voices.delete("ana")
        # later tests must not find this tiny model and aligner loaded in the worker
        worker.RUNTIME._engines.pop("f5", None)
        worker.RUNTIME._aligners.pop("ctc", None)
    assert set(output) == {"audio", "captions", "video", "words", "duration", "timings"}, output
    assert [w["text"] for w in output["words"]] == ["Cloned", "on", "RunPod.", "Two", "sentences!"]
    assert output["duration"] > 0.5 and {"reference", "synthesize"} <= set(output["timings"])
    assert output["audio"]["url"].startswith("http") and output["audio"]["format"] == "mp3"
    assert worker.RUNTIME.store.exists("outputs/job-f5/speech.mp3")


def test_voice_operations(worker: ModuleType, clip_wav: bytes, tmp_path: Path) -> None:
    assert worker.handler({"input": {"operation": "voices.list"}}) == {"voices": []}
    worker.RUNTIME.voices.add("kim", clip_wav, transcript="hi", filename="k.wav", source="t")
    listed = worker.handler({"input": {"operation": "voices.list"}})
    assert [v["name"] for v in listed["voices"]] == ["kim"]
    assert worker.handler({"input": {"operation": "voices.delete", "name": "kim"}}) == {
        "deleted": "kim"
    }


def test_every_documented_error_code(
    worker: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    errors = DOCS.read_text().split("## Errors", 1)[1]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", errors, re.M))
    cases: list[tuple[Any, str]] = [
        ("not an object", "invalid_request"),
        ({"operation": "dance"}, "invalid_request"),
        ({"text": "   "}, "invalid_request"),
        ({"text": "hi", "colour": "red"}, "invalid_request"),
        ({"text": "x" * 501}, "text_too_long"),
        ({"text": "hi", "engine": "nope"}, "unknown_engine"),
        ({"text": "hi", "voice": "nobody"}, "voice_not_found"),
        (
            {"operation": "voices.add", "name": "../x", "audio_url": "https://example.com/a.wav"},
            "invalid_voice_name",
        ),
        (
            {"operation": "voices.add", "name": "x", "audio_url": "http://169.254.169.254/a"},
            "url_refused",
        ),
        (
            {"operation": "align", "audio_url": "http://127.0.0.1/a.wav", "text": "hi"},
            "url_refused",
        ),
        ({"operation": "voices.delete", "name": "ghost"}, "voice_not_found"),
        ({"text": "hi", "engine": "f5"}, "model_not_found"),  # no weights in an empty folder
    ]
    monkeypatch.setattr(worker.RUNTIME.settings, "model_dir", tmp_path)
    seen = set()
    for payload, expected in cases:
        output = worker.handler({"id": "bad", "input": payload})
        assert code_of(output) == expected, (payload, output)
        assert "refresh_worker" not in output
        seen.add(expected)
    ok = worker.handler({"input": {"text": "Still alive."}})  # the worker is not poisoned
    assert "audio" in ok
    seen |= _crashes(worker)
    assert documented == seen, f"documented {documented ^ seen} mismatch"


def _crashes(worker: ModuleType) -> set[str]:
    """A bug is internal_error; a CUDA out-of-memory asks RunPod for a fresh worker."""

    class OutOfMemoryError(RuntimeError):
        pass

    seen = set()
    original = worker.handle
    try:
        for exc, code, refresh in [
            (OutOfMemoryError("CUDA out of memory"), "engine_out_of_memory", True),
            (KeyError("bug"), "internal_error", False),
        ]:

            def boom(*args: object, exc: Exception = exc) -> None:
                raise exc

            worker.handle = boom
            output = worker.handler({"id": "crash", "input": {"text": "hi"}})
            assert code_of(output) == code and output["refresh_worker"] is refresh
            seen.add(code)
    finally:
        worker.handle = original
    return seen


@pytest.mark.slow
def test_sdk_local_server_runsync_run_and_status(
    s3_server: S3Server, s3_bucket: str, s3_prefix: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voxcap.runpod",
                "--rp_serve_api",
                "--rp_api_host",
                "127.0.0.1",
                "--rp_api_port",
                str(port),
            ],
            env={**os.environ, **s3_server.env(s3_bucket, s3_prefix, tmp_path / "cache")},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, process, log)
        sync = httpx.post(
            f"{url}/runsync",
            json={"input": {"text": "Served by the RunPod SDK.", "captions": ["srt", "json"]}},
            timeout=120,
        )
        body = sync.json()
        assert body["status"] == "COMPLETED", body
        output = body["output"]
        audio = httpx.get(output["audio"]["url"])
        assert audio.status_code == 200 and len(audio.content) == output["audio"]["bytes"]
        assert "X-Amz-Signature=" in output["captions"]["srt"]["url"]
        assert httpx.get(output["captions"]["json"]["url"]).json()["words"] == output["words"]
        job = httpx.post(f"{url}/run", json={"input": {"text": "Queued."}}, timeout=30).json()
        assert job["status"] == "IN_PROGRESS"
        status = httpx.post(f"{url}/status/{job['id']}", timeout=120).json()
        assert status["status"] == "COMPLETED" and "audio" in status["output"]
        bad = httpx.post(f"{url}/runsync", json={"input": {"text": ""}}, timeout=60).json()
        assert bad["status"] == "FAILED"
        assert json.loads(bad["error"])["code"] == "invalid_request"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/docs", timeout=2)
            return
        except httpx.TransportError:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the RunPod local server did not start"
            time.sleep(0.3)


@pytest.mark.slow
def test_test_input_from_the_command_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "voxcap.runpod",
            "--test_input",
            '{"input": {"text": "From the command line.", "captions": ["vtt"]}}',
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "VOXCAP_STORAGE": f"file://{tmp_path / 'store'}"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    line = next(x for x in (run.stdout + run.stderr).splitlines() if "Job result:" in x)
    result = ast.literal_eval(line.split("Job result:", 1)[1].strip())
    output = result["output"]
    assert output["audio"]["url"] and set(output["captions"]) == {"vtt"}
    assert [w["text"] for w in output["words"]] == ["From", "the", "command", "line."]


def test_missing_weights_stop_the_worker_with_one_line(tmp_path: Path) -> None:
    """First-use report #18: the worker's start-up printed an 18-line traceback."""
    run = subprocess.run(
        [sys.executable, "-m", "voxcap.runpod", "--test_input", '{"input": {"text": "Hi."}}'],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env={
            **os.environ,
            "VOXCAP_ENGINE": "f5",
            "VOXCAP_MODEL_DIR": str(tmp_path / "models"),
            "VOXCAP_STORAGE": f"file://{tmp_path / 'store'}",
        },
    )
    output = run.stdout + run.stderr
    assert run.returncode == 2, output
    assert "voxcap worker cannot start (" in output and "Traceback" not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1, output


def test_dockerfile_is_linted_and_uses_the_ci_recipe() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    run = subprocess.run(
        [str(hadolint), "--config", str(ROOT / ".hadolint.yaml"), str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "bash scripts/setup" in dockerfile  # the same install recipe as .ci/run
    assert "bash scripts/setup" in (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^USER 1000$", dockerfile, re.M)
