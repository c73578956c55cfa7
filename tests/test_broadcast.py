"""Broadcast subtitles (--cue-mode broadcast) and `voxcap captions check`, on real speech and on
files made to break each rule."""

from __future__ import annotations

import json
from pathlib import Path

import pysubs2
import pytest
import webvtt

from voxcap.captions import make_cues, render_captions
from voxcap.captions.broadcast import BROADCAST, FUNCTION_WORDS, check
from voxcap.domain import CaptionOptions, SpeechRequest, SpeechResult, Word
from voxcap.pipeline import speak
from voxcap.runtime import Runtime

from .sentences import PARAGRAPH, SENTENCES
from .servers import run_voxcap as voxcap

EXPLAINER = "\n\n".join([PARAGRAPH, " ".join(SENTENCES)])  # 601 words


@pytest.fixture(scope="module")
def explainer(runtime: Runtime) -> SpeechResult:
    return speak(SpeechRequest(EXPLAINER), runtime)


@pytest.mark.slow
def test_broadcast_srt_of_a_600_word_explainer_keeps_the_rules(
    explainer: SpeechResult, tmp_path: Path
) -> None:
    assert len(explainer.words) >= 600
    files = render_captions(explainer, ["srt", "vtt"], CaptionOptions(mode="broadcast"))
    srt = tmp_path / "captions.srt"
    srt.write_bytes(files["srt"])
    (tmp_path / "captions.vtt").write_bytes(files["vtt"])
    run = voxcap("captions", "check", str(srt), "--json")
    report = json.loads(run.stdout)["rules"]
    for rule in ("lines", "line_chars", "short", "long", "gap", "sentence"):
        assert report[rule]["failing"] == 0, (rule, report)
    assert report["cps"]["percent"] <= 5 and report["function_word"]["percent"] <= 2
    allowed = voxcap(
        "captions", "check", str(srt), "--allow", "cps=5", "--allow", "function_word=2"
    )
    assert allowed.returncode == 0, allowed.stdout
    # every word, in order, in both files, read back by independent parsers
    subs = pysubs2.load(str(srt))
    assert " ".join(e.plaintext.replace("\n", " ") for e in subs).split() == EXPLAINER.split()
    vtt = [c.text.replace("\n", " ") for c in webvtt.read(str(tmp_path / "captions.vtt"))]
    assert " ".join(vtt).split() == EXPLAINER.split()
    # on screen while its words are said: at most half a second early, never late
    cues = make_cues(explainer.words, CaptionOptions(mode="broadcast"))
    assert all(c.words[0].start - 0.5 - 1e-9 <= c.start <= c.words[0].start for c in cues)


def test_lines_break_at_boundaries_and_long_words_are_kept_whole() -> None:
    text = (
        "The committee of the Royal Society published a report on the state of the art "
        "in 2025, and https://example.com/a/very/long/path/that/never/fits/on/one/line.html "
        "stays whole."
    )
    words = [Word(t, i * 0.3, i * 0.3 + 0.25) for i, t in enumerate(text.split())]
    cues = make_cues(words, CaptionOptions(mode="broadcast"))
    assert " ".join(c.text for c in cues).split() == text.split()
    for cue in cues:
        lines = cue.lines
        assert len(lines) <= 2
        assert all(len(line) <= 42 for line in lines) or len(cue.words) == 1
        assert not any(line.split()[-1].lower() in FUNCTION_WORDS for line in lines[:-1])


def test_check_counts_each_rule(tmp_path: Path) -> None:
    cues = [
        (0.0, 2.0, ["one", "two", "three"]),  # three lines
        (2.2, 4.2, ["x" * 50]),  # a line over 42
        (4.4, 4.9, ["short"]),  # under 5/6 s
        (5.1, 13.1, ["long"]),  # over 7 s
        (13.3, 14.2, ["thirty characters in a second"]),  # over 20 cps
        (14.34, 16.34, ["no gap"]),  # 40 ms before the next: one frame at 25 fps
        (16.38, 18.38, ["ends on the", "next line"]),  # a line ends on "the"
        (18.6, 20.6, ["One sentence. Another one."]),  # a sentence end inside
    ]
    failures = check(cues, BROADCAST)
    assert failures.counts == {
        "lines": 1,
        "line_chars": 1,
        "short": 1,
        "long": 1,
        "cps": 2,  # the 50 x's in 2 s too
        "gap": 1,
        "function_word": 1,
        "sentence": 1,
    }
    srt = tmp_path / "bad.srt"
    subs = pysubs2.SSAFile()
    for start, end, lines in cues:
        subs.append(pysubs2.SSAEvent(round(start * 1000), round(end * 1000), r"\N".join(lines)))
    subs.save(str(srt))
    run = voxcap("captions", "check", str(srt), "--json")
    assert run.returncode == 1
    report = json.loads(run.stdout)["rules"]
    assert report["gap"]["failing"] == 1
    # which cues fail, numbered as in the file (captions-video.md §3: it did not say)
    assert all(report[r]["cues"] == [k + 1 for k in failures.cues[r]] for r in report)
    assert report["cps"]["allowed"] == 5 and report["gap"]["allowed"] == 0  # as CAPTIONS.md
    table = voxcap("captions", "check", str(srt))
    first_gap = failures.cues["gap"][0]
    assert f"gap: cue {first_gap + 1} (" in table.stdout
    everything = [f"--allow={rule}=50" for rule in failures.counts]
    assert voxcap("captions", "check", str(srt), *everything).returncode == 0
    bad = voxcap("captions", "check", str(srt), "--allow", "speed=5")
    assert bad.returncode == 2 and "(invalid_input)" in bad.stderr
    missing = voxcap("captions", "check", str(tmp_path / "none.srt"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
