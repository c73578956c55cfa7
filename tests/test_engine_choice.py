"""The default engine follows what is installed and what the machine can run (issue 31): F5
with a GPU, else Piper, never F5 chosen silently on a CPU; a voice to clone without F5 is a
clear error naming the install."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxcap.cli import run_app
from voxcap.engines import choice
from voxcap.errors import MissingDependency
from voxcap.runtime import Runtime
from voxcap.settings import Settings

from .servers import run_voxcap


def without_f5(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process as on a CPU install: F5's packages are not there."""
    monkeypatch.setattr(choice, "F5_PACKAGES", ("torch", "voxcap_no_such_package"))


def test_the_choice_by_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = Settings(engine=None, storage=f"file://{tmp_path}")
    monkeypatch.setattr(choice, "NVIDIA_DRIVER", tmp_path / "no-driver")
    assert choice.f5_installed()  # the test install has every extra
    rt = Runtime(settings)
    assert rt.engine_name() == "piper" and "there is no GPU here" in (rt.engine_note or "")
    assert rt.engine_name(None, "clip.wav") == "f5"  # a clip asks for cloning
    assert rt.engine_name("f5") == "f5" and rt.engine_name(None, "joe") == "piper"
    driver = tmp_path / "version"
    driver.write_text("NVRM version: 550")
    monkeypatch.setattr(choice, "NVIDIA_DRIVER", driver)
    rt = Runtime(settings)
    assert rt.engine_name() == "f5" and rt.engine_note is None
    assert Runtime(Settings(engine="piper")).engine_name() == "piper"  # VOXCAP_ENGINE wins
    without_f5(monkeypatch)
    rt = Runtime(settings)
    assert rt.engine_name() == "piper" and "install F5: bash scripts/setup gpu" in (
        rt.engine_note or ""
    )
    with pytest.raises(MissingDependency, match=r"cloning a voice needs the F5 engine"):
        rt.engine_name(None, "me.wav")


def test_speak_without_an_engine_speaks_with_piper_and_says_why(tmp_path: Path) -> None:
    """No VOXCAP_ENGINE, no GPU here: Piper speaks, and one note says how F5 would."""
    if choice.has_gpu():
        pytest.skip("this machine has a GPU: F5 is its default")
    run = run_voxcap(
        "speak", "Hello there.", "--out", str(tmp_path / "o"), env={"VOXCAP_ENGINE": ""}
    )
    assert run.returncode == 0, run.stderr
    notes = [line for line in run.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "speaking with Piper" in notes[0], run.stderr
    assert (tmp_path / "o" / "speech.wav").stat().st_size > 1000


def test_a_clone_without_f5_names_the_install(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    clip_wav: bytes,
) -> None:
    """A CPU install asked for a cloned voice: one line naming what to install (the extra's
    brackets as written, not eaten as markup), before any work, exit 2."""
    without_f5(monkeypatch)
    monkeypatch.delenv("VOXCAP_ENGINE")
    clip = tmp_path / "me.wav"
    clip.write_bytes(clip_wav)
    out = tmp_path / "o"
    code = run_app(["speak", "Hello there.", "--voice", str(clip), "--out", str(out)])
    said = capsys.readouterr().err
    assert code == 2, said
    assert "error (missing_dependency): cloning a voice needs the F5 engine" in said
    assert "bash scripts/setup gpu" in said and "'voxcap[f5]'" in said
    assert not out.exists()
