"""The real ``voxcap`` command, run as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from .servers import run_voxcap as voxcap


@pytest.mark.slow
def test_speak_writes_audio_captions_and_a_summary(tmp_path: Path) -> None:
    run = voxcap(
        "speak",
        "Dr. Smith paid $3.50 for 2 apples.",
        "--out",
        str(tmp_path),
        "--audio-format",
        "mp3",
        "--caption-style",
        "word",
    )
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "captions.ass",
        "captions.srt",
        "captions.vtt",
        "speech.mp3",
        "words.csv",
        "words.json",
    ]
    assert "real-time factor" in run.stdout
    words = json.loads((tmp_path / "words.json").read_text())["words"]
    assert [w["text"] for w in words] == ["Dr.", "Smith", "paid", "$3.50", "for", "2", "apples."]
    assert sf.info(str(tmp_path / "speech.mp3")).duration > 1


@pytest.mark.slow
def test_speak_json_and_then_align_the_recording(tmp_path: Path) -> None:
    text = "Hello there, this is a test of the caption pipeline."
    run = voxcap("speak", text, "--out", str(tmp_path / "a"), "--json", "--captions", "json,srt")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert set(doc) == {"audio", "captions", "video", "words", "duration", "timings"}
    assert doc["video"] is None  # no --video
    assert doc["audio"]["url"].startswith("file://") and doc["audio"]["format"] == "wav"
    assert set(doc["captions"]) == {"json", "srt"}
    assert {"normalize", "synthesize", "align", "captions", "encode"} <= set(doc["timings"])
    wav = Path(doc["audio"]["url"].removeprefix("file://"))
    assert wav.stat().st_size == doc["audio"]["bytes"]

    text_file = tmp_path / "text.txt"
    text_file.write_text(text)
    run = voxcap(
        "align", str(wav), "--text-file", str(text_file), "--out", str(tmp_path / "b"), "--json"
    )
    assert run.returncode == 0, run.stderr
    again = json.loads(run.stdout)
    assert "audio" not in again  # the recording was the user's own (first-use report #23)
    assert again["alignment"] == {"unplaced_words": [], "unmatched_audio": []}
    # align searches the recording in windows, speak each sentence in its own stretch: the
    # same words, within a few 10 ms frames
    for ours, before in zip(again["words"], doc["words"], strict=True):
        assert ours["text"] == before["text"]
        assert abs(ours["start"] - before["start"]) <= 0.03


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["speak", ""], "empty_text"),
        (["speak", "   \n "], "empty_text"),
        (["speak", "hi", "--engine", "nope"], "unknown_engine"),
        (["speak", "hi", "--aligner", "nope"], "unknown_aligner"),
        (["speak"], "invalid_input"),
        (["speak", "hi", "--audio-format", "aiff"], "unknown_format"),
        (["speak", "hi", "--captions", "srt,docx"], "unknown_format"),
        (["speak", "hi", "--voice", "/no/such/voice.onnx"], "voice_not_found"),
        (["speak", "hi", "--text-file", "/no/such/file.txt"], "invalid_input"),
        (["speak", "hi", "--speed", "9"], "invalid_input"),
        (["align", "/no/such/audio.wav", "--text", "hi"], "audio_unreadable"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], code: str) -> None:
    out = tmp_path / "out"
    run = voxcap(*args, "--out", str(out))
    assert run.returncode == 2, run.stderr
    assert f"({code})" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_corrupt_audio_and_unwritable_out(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEjunk")
    run = voxcap("align", str(bad), "--text", "hello", "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "(audio_unreadable)" in run.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = voxcap("speak", "hello", "--out", str(blocker / "sub"))
    assert run.returncode == 2 and "(output_unwritable)" in run.stderr


def test_text_limit_is_a_setting(tmp_path: Path) -> None:
    run = voxcap(
        "speak",
        "this text is longer than ten",
        "--out",
        str(tmp_path),
        env={"VOXCAP_MAX_TEXT_CHARS": "10"},
    )
    assert run.returncode == 2 and "(text_too_long)" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_progress_in_a_terminal_shows_every_stage_with_percent_and_done(tmp_path: Path) -> None:
    """First-use report #14, seen as a user sees it: on a terminal (a pty) every stage, encoding
    included, gets a bar with its percentage, and a finished stage is marked done."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    text = "A few sentences to speak. Then a few more, to take a moment. And one more."
    process = subprocess.Popen(
        [sys.executable, "-m", "voxcap", "speak", text, "--out", str(tmp_path / "o")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    screen = b"".join(chunks).decode(errors="replace")
    for stage in ("normalize", "synthesize", "align", "encode"):
        assert stage in screen, stage
    assert "100%" in screen and "✓" in screen


def test_help_shows_no_type_after_flags() -> None:
    """First-use report #32: `--json <bool>`, `--help <bool>`."""
    run = voxcap("speak", "--help")
    assert run.returncode == 0 and "--json" in run.stdout and "<bool>" not in run.stdout


def test_play_feeds_a_player_as_sentences_are_made(tmp_path: Path) -> None:
    """`--play` (issue 14): the narration goes to the player (here a stand-in `aplay` that
    keeps what it is given) and the files are written as usual."""
    import os
    import stat

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    player = bin_dir / "aplay"
    played = tmp_path / "played.pcm"
    player.write_text(f'#!/bin/sh\necho "$@" > {played}.args\ncat > {played}\n')
    player.chmod(player.stat().st_mode | stat.S_IEXEC)
    text = "First sentence to hear. And the second one."
    run = voxcap(
        "speak",
        text,
        "--play",
        "--out",
        str(tmp_path / "o"),
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
    )
    assert run.returncode == 0, run.stderr
    samples, rate = sf.read(tmp_path / "o" / "speech.wav", dtype="int16")
    heard = np.frombuffer(played.read_bytes(), "<i2")
    assert len(heard) == len(samples)  # the same narration, sample for sample
    assert np.array_equal(heard, samples)
    assert f"-r {rate} -c 1" in (tmp_path / "played.pcm.args").read_text()
    words = json.loads((tmp_path / "o" / "words.json").read_text())["words"]
    assert [w["text"] for w in words] == text.split()


def test_play_without_a_player_says_so_before_speaking(tmp_path: Path) -> None:
    run = voxcap("speak", "Hello.", "--play", "--out", str(tmp_path / "o"), env={"PATH": "/none"})
    assert run.returncode == 2 and "(missing_dependency): --play needs a player" in run.stderr
    assert not (tmp_path / "o").exists()


def test_play_without_an_audio_device_warns(tmp_path: Path) -> None:
    """newuser.md #7: ffplay exits 0 after "audio open failed", so `--play` was silent. The
    real ffplay on a machine with no sound card: a warning, and the files all the same."""
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text():
        pytest.skip("this machine has a sound card")
    if shutil.which("aplay") or not shutil.which("ffplay"):
        pytest.skip("ffplay is not the player here")
    run = voxcap("speak", "Hello there.", "--play", "--out", str(tmp_path / "o"))
    assert run.returncode == 0, run.stderr
    assert "could not play the narration" in run.stderr and "ffplay" in run.stderr
    assert (tmp_path / "o" / "speech.wav").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("speak", "hi", "--caption-style", "fancy"), "'fancy' is not one of 'karaoke'"),
        (("speak", "hi", "--max-words", "0"), "'--max-words': Input should be greater than"),
        (("models", "download", "nope"), "'nope' is not one of 'f5'"),
        (("speak", "hi", "--bogus"), "No such option: --bogus"),
    ],
)
def test_a_bad_option_is_one_documented_line(args: tuple[str, ...], says: str) -> None:
    """newuser.md #19: a bad option printed click's usage box, not docs/CLI.md's
    ``error (invalid_input): ...`` line."""
    run = voxcap(*args)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error (invalid_input): "), run.stderr
    assert says in lines[0] and "--help`)" in lines[0]
    assert "╭" not in run.stderr and "Usage:" not in run.stderr


def test_align_to_an_empty_text_says_align(tmp_path: Path, clip_wav: bytes) -> None:
    """newuser.md #27: `align x.wav -t ""` said "the text has no words to speak"."""
    clip = tmp_path / "x.wav"
    clip.write_bytes(clip_wav)
    run = voxcap("align", str(clip), "-t", " ", "--out", str(tmp_path / "o"))
    assert run.returncode == 2
    assert "error (empty_text): the text has no words to align" in run.stderr, run.stderr
    assert "no text at all to have the recording transcribed" in run.stderr
    assert not (tmp_path / "o").exists()


def test_an_empty_setting_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """newuser.md #27: ``VOXCAP_ENGINE=`` gave "unknown engine ''"."""
    from voxcap.settings import Settings

    monkeypatch.setenv("VOXCAP_ENGINE", "")
    monkeypatch.setenv("VOXCAP_SENTENCE_PAUSE", "")
    assert Settings().engine is None and Settings().sentence_pause == 0.25  # None: by machine
