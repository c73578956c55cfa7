"""The CLI with a store: voices, outputs without --out, presigned URLs, doctor."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import httpx
import pytest

from .conftest import CLIP_TEXT
from .servers import S3Server
from .servers import run_voxcap as voxcap

pytestmark = pytest.mark.slow  # every test here runs the real CLI in subprocesses


@pytest.fixture
def local_env(tmp_path: Path) -> dict[str, str]:
    return {
        "VOXCAP_STORAGE": f"file://{tmp_path / 'store'}",
        "VOXCAP_VOICE_CACHE_DIR": str(tmp_path / "cache"),
    }


@pytest.fixture
def s3_env(s3_server: S3Server, s3_bucket: str, s3_prefix: str, tmp_path: Path) -> dict[str, str]:
    return s3_server.env(s3_bucket, s3_prefix, tmp_path / "cache")


def test_voices_commands(local_env: dict[str, str], clip_wav: bytes, tmp_path: Path) -> None:
    empty = voxcap("voices", "list", env=local_env)
    assert "no voices yet" in empty.stdout  # not an empty table (newuser #22)
    clip = tmp_path / "kim.wav"
    clip.write_bytes(clip_wav)
    srt = tmp_path / "kim.srt"
    srt.write_text(f"1\n00:00:00,000 --> 00:00:03,000\n{CLIP_TEXT}\n")
    run = voxcap("voices", "add", "kim", str(clip), "--transcript-file", str(srt), env=local_env)
    assert run.returncode == 0, run.stderr
    listed = json.loads(voxcap("voices", "list", "--json", env=local_env).stdout)
    assert [v["name"] for v in listed] == ["kim"]
    assert listed[0]["transcript"] == CLIP_TEXT and listed[0]["duration"] > 1
    shown = json.loads(voxcap("voices", "show", "kim", "--json", env=local_env).stdout)
    assert shown == listed[0]
    table = voxcap("voices", "show", "kim", env=local_env).stdout
    assert "shared" in table and "True" not in table and "()" not in table  # no Python reprs
    again = voxcap("voices", "add", "kim", str(clip), env=local_env)
    assert again.returncode == 2 and "(voice_exists)" in again.stderr
    bad = voxcap("voices", "add", "../kim", str(clip), env=local_env)
    assert bad.returncode == 2 and "(invalid_voice_name)" in bad.stderr
    refused = voxcap("voices", "add", "web", "http://169.254.169.254/clip.wav", env=local_env)
    assert refused.returncode == 2 and "(url_refused)" in refused.stderr
    bare = voxcap("voices", "add", "bare", str(clip), "--json", env=local_env)  # no transcript
    assert bare.returncode == 0, bare.stderr  # transcribed offline by the packaged model
    said = json.loads(bare.stdout)
    heard = [w.strip(".,") for w in said["transcript"].lower().split()]
    spoken = [w.strip(".,") for w in CLIP_TEXT.lower().split()]
    assert difflib.SequenceMatcher(None, heard, spoken).ratio() >= 0.9, heard  # tiny.en: ~5 % WER
    assert any("transcribed by speech recognition" in note for note in said["notes"])
    env = {**local_env, "VOXCAP_ASR_MODEL": "small"}  # a model that is not downloaded
    other = voxcap("voices", "add", "other", str(clip), env=env)
    assert other.returncode != 0 and "voxcap models download asr" in other.stderr
    clip_by_path = voxcap("speak", "Hi.", "--engine", "piper", "--voice", str(clip), env=local_env)
    assert clip_by_path.returncode == 2 and "cannot clone the clip kim.wav" in clip_by_path.stderr
    clone = voxcap("speak", "Hello.", "--voice", "kim", env=local_env)
    assert clone.returncode == 2 and "cannot clone the library voice 'kim'" in clone.stderr
    assert voxcap("voices", "rm", "kim", env=local_env).returncode == 0
    missing = voxcap("voices", "show", "kim", env=local_env)
    assert missing.returncode == 2 and "(voice_not_found)" in missing.stderr


def test_speak_without_out_goes_to_the_local_store(local_env: dict[str, str]) -> None:
    run = voxcap("speak", "Stored in the library folder.", "--json", env=local_env)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    audio = Path(doc["audio"]["url"].removeprefix("file://"))
    assert audio.is_file() and audio.stat().st_size == doc["audio"]["bytes"]
    assert audio.parent.parent.name == "outputs"
    assert {Path(c["url"]).name for c in doc["captions"].values()} == {
        "captions.srt",
        "captions.vtt",
        "captions.ass",
        "words.csv",
        "words.json",
    }


def test_speak_to_s3_prints_presigned_urls(s3_env: dict[str, str]) -> None:
    run = voxcap(
        "speak", "Stored in a real S3 server.", "--json", "--audio-format", "mp3", env=s3_env
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert "X-Amz-Signature=" in doc["audio"]["url"] and doc["audio"]["expires_at"] > 0
    response = httpx.get(doc["audio"]["url"])
    assert response.status_code == 200 and len(response.content) == doc["audio"]["bytes"]
    assert response.headers["content-type"] == "audio/mpeg"
    words = httpx.get(doc["captions"]["json"]["url"]).json()
    assert [w["text"] for w in words["words"]] == ["Stored", "in", "a", "real", "S3", "server."]


def test_doctor_passes_and_fails_with_a_fix(s3_env: dict[str, str]) -> None:
    ok = voxcap("doctor", env=s3_env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "signed URL fetched" in ok.stdout
    broken = voxcap("doctor", env={**s3_env, "AWS_SECRET_ACCESS_KEY": "WRONG-SECRET-1234"})
    assert broken.returncode == 1
    assert "FAIL" in broken.stdout and "check the credentials" in broken.stdout
    for secret in ("WRONG-SECRET-1234", s3_env["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in broken.stdout + broken.stderr


def test_doctor_leaves_no_data_folder_behind(tmp_path: Path) -> None:
    """newuser.md #27: `voxcap doctor` made ./voxcap-data wherever it was run. It still checks
    the default store (write, read, sign, delete), then removes the folder it had to make."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "VOXCAP_STORAGE": "file://./voxcap-data", "COLUMNS": "200"}
    env.pop("VOXCAP_QUEUE")
    run = subprocess.run(
        [sys.executable, "-m", "voxcap", "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "signed URL verified" in run.stdout and "made on first use" in run.stdout, run.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("storage", ["s3:/voxcap", "./relative", "s3://", "ftp://host/x"])
def test_a_malformed_storage_setting_is_bad_input(storage: str, tmp_path: Path) -> None:
    """First-use report #10: `s3:/voxcap` was storage_error (exit 1), `./relative` invalid_input
    (exit 2): the same kind of mistake now gets the same answer."""
    run = voxcap("speak", "Hi.", env={"VOXCAP_STORAGE": storage})  # to the store
    assert run.returncode == 2, run.stderr
    assert "error (invalid_input): VOXCAP_STORAGE=" in run.stderr
