"""Captions: cue grouping, and every format parsed back by an independent parser."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pysubs2
import pytest
import webvtt

from voxcap.captions import make_cues, parse_formats, render_captions
from voxcap.captions.presets import PRESETS, look
from voxcap.domain import Audio, CaptionOptions, SpeechResult, Word
from voxcap.errors import UnknownFormat


def ms(stamp: str) -> int:
    """WebVTT "hh:mm:ss.mmm" to milliseconds."""
    h, m, s = stamp.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def words(*spec: tuple[str, float, float]) -> list[Word]:
    return [Word(t, s, e) for t, s, e in spec]


SAMPLE = words(
    ("Dr.", 0.0, 0.3),
    ("Smith", 0.3, 0.6),
    ("paid", 0.6, 0.9),
    ("$3.50,", 0.9, 2.0),
    ("then", 2.6, 2.8),
    ("left.", 2.8, 3.2),
    ("Bye", 3.3, 3.6),
    ("-", 3.6, 3.6),
    ("now.", 3.6, 4.0),
)


def test_word_mode_is_one_word_per_cue_and_dashes_join_the_previous() -> None:
    cues = make_cues(SAMPLE, CaptionOptions(mode="word"))
    assert [c.text for c in cues] == [
        "Dr.",
        "Smith",
        "paid",
        "$3.50,",
        "then",
        "left.",
        "Bye -",
        "now.",
    ]


def test_phrases_break_at_limits_pauses_and_sentence_ends() -> None:
    cues = make_cues(SAMPLE, CaptionOptions(max_words=3, max_chars=40, pause=0.35))
    # "Dr." is not a sentence end; the pause before "then" and the end at "left." are breaks;
    # no one-word orphan ("$3.50,") where the words can be shared out
    assert [c.text for c in cues] == ["Dr. Smith", "paid $3.50,", "then left.", "Bye - now."]
    assert cues[0].end == cues[1].start  # small gaps are bridged
    assert cues[1].end == 2.6  # so is a pause under 0.7 s (captions do not blink off)
    long_pause = make_cues([Word("Hi.", 0.0, 0.5), Word("Bye.", 1.5, 2.0)])
    assert long_pause[0].end == 0.5  # a longer one is not
    chars = make_cues(SAMPLE, CaptionOptions(max_words=10, max_chars=10))
    assert all(len(c.text) <= 10 or len(c.words) == 1 for c in chars)
    short = make_cues(SAMPLE, CaptionOptions(max_words=10, max_chars=99, max_duration=1.0))
    assert all(c.words[-1].end - c.start <= 1.0 or len(c.words) == 1 for c in short)


def test_unknown_caption_format() -> None:
    assert parse_formats("srt, VTT ,srt") == ["srt", "vtt"]
    with pytest.raises(UnknownFormat, match="docx"):
        parse_formats("srt,docx")


@pytest.fixture(scope="module")
def rendered(sentence_results: list[SpeechResult]) -> tuple[SpeechResult, dict[str, bytes]]:
    result = sentence_results[1]  # numbers, currency, abbreviations
    return result, render_captions(result, ["srt", "vtt", "ass", "csv", "json"], CaptionOptions())


def test_srt_and_vtt_parse_back_to_the_same_cues(
    rendered: tuple[SpeechResult, dict[str, bytes]],
) -> None:
    result, files = rendered
    cues = make_cues(result.words)
    expected = [(round(c.start * 1000), round(c.end * 1000), c.text) for c in cues]
    srt = pysubs2.SSAFile.from_string(files["srt"].decode(), format_="srt")
    assert [(e.start, e.end, e.plaintext) for e in srt] == expected
    vtt = webvtt.from_buffer(io.StringIO(files["vtt"].decode()))
    got = [(ms(c.start), ms(c.end), c.text) for c in vtt]
    assert got == expected
    assert " ".join(t for *_, t in got) == result.text


def test_csv_and_json_list_every_word(rendered: tuple[SpeechResult, dict[str, bytes]]) -> None:
    result, files = rendered
    doc = json.loads(files["json"])
    assert set(doc) == {"text", "duration", "sample_rate", "words"}
    assert doc["text"] == result.text and doc["sample_rate"] == result.audio.sample_rate
    assert [w["text"] for w in doc["words"]] == result.text.split()
    assert all(round(w["start"], 3) == w["start"] for w in doc["words"])
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    assert [(r["text"], float(r["start"]), float(r["end"])) for r in rows] == [
        (w.text, w.start, w.end) for w in result.words
    ]


@pytest.mark.parametrize("style", ["word", "karaoke", "plain"])
def test_ass_styles_parse_and_time_every_word(
    sentence_results: list[SpeechResult], style: str
) -> None:
    result = sentence_results[1]
    data = render_captions(result, ["ass"], CaptionOptions(style=style))["ass"].decode()
    subs = pysubs2.SSAFile.from_string(data, format_="ass")
    assert subs.info["PlayResX"] == "1080" and subs.info["PlayResY"] == "1920"
    shown = " ".join(e.plaintext for e in subs)
    assert shown.split() == result.text.split()
    if style == "karaoke":
        for event, cue in zip(subs, make_cues(result.words), strict=True):
            ks = [int(k) for k in re.findall(r"\\kf?(\d+)", event.text)]
            assert abs(sum(ks) * 10 - (cue.words[-1].end - cue.start) * 1000) <= 20
    if style == "word":
        assert len(subs) == len(result.words)


def test_user_braces_cannot_inject_ass_overrides() -> None:
    result = SpeechResult(
        "a {\\b1}b",
        Audio(__import__("numpy").zeros(10, "float32"), 10),
        tuple(words(("a", 0.0, 0.5), ("{\\b1}b", 0.5, 1.0))),
    )
    data = render_captions(result, ["ass"], CaptionOptions(style="plain"))["ass"].decode()
    assert "{\\b1}" not in data.split("[Events]")[1]


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is installed by .ci/run")
@pytest.mark.parametrize("style", ["word", "karaoke", "plain"])
def test_ass_renders_with_libass_without_warnings(
    sentence_results: list[SpeechResult], style: str, tmp_path: Path
) -> None:
    result = sentence_results[3]
    path = tmp_path / "captions.ass"
    path.write_bytes(render_captions(result, ["ass"], CaptionOptions(style=style))["ass"])
    run = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-v",
            "warning",
            "-f",
            "lavfi",
            "-i",
            f"color=c=black:s=1080x1920:d={result.duration:.2f}",
            "-vf",
            f"ass={path}",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == ""


@pytest.mark.parametrize("style", list(PRESETS))
def test_no_word_is_lost_on_screen(style: str) -> None:
    # words with no spoken time of their own: a dash, an emoji, a version the engine skipped
    timed = words(
        ("🎉", 0.0, 0.0),
        ("Python", 0.0, 0.5),
        ("3.11.4", 0.5, 0.5),
        ("shipped", 0.5, 0.9),
        ("-", 0.9, 0.9),
        ("today!", 0.9, 1.4),
        ("✨", 1.4, 1.4),
    )
    result = SpeechResult(
        " ".join(w.text for w in timed), Audio(np.zeros(24000, np.float32), 24000), tuple(timed)
    )
    data = render_captions(result, ["ass"], CaptionOptions(style=style))["ass"].decode()
    subs = pysubs2.SSAFile.from_string(data, format_="ass")
    texts = [e.plaintext for e in subs]
    if PRESETS[style].effect == "active":  # the cue is shown again for each spoken word
        texts = [t for k, t in enumerate(texts) if k == 0 or t != texts[k - 1]]
    shown = " ".join(texts).split()
    assert [w.lower() for w in shown] == [w.text.lower() for w in timed]
    assert all(e.end > e.start for e in subs)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"style": "neon"}, "unknown caption style"),
        ({"colour": "red"}, "colour must be #RRGGBB"),
        ({"highlight": "#12345"}, "highlight must be #RRGGBB"),
        ({"position": "top"}, "position must be bottom or middle"),
        ({"font_size": 2}, "font size"),
        ({"outline": -1.0}, "outline"),
    ],
)
def test_bad_caption_overrides_are_invalid_input(override: dict[str, object], message: str) -> None:
    from voxcap.errors import InvalidInput
    from voxcap.schemas import SpeechJob

    with pytest.raises(InvalidInput, match=message):
        look(CaptionOptions(**override))  # type: ignore[arg-type]
    field = {"style": "caption_style", "font_size": "font_size"}.get(*2 * [next(iter(override))])
    with pytest.raises(ValueError, match=message):
        SpeechJob(text="Hi.", **{field: next(iter(override.values()))})


def test_max_duration_is_a_hard_cap_on_phrase_cues() -> None:
    timed = [Word(f"w{i}", i * 0.5, i * 0.5 + 0.3) for i in range(20)]  # 0.2 s gaps
    cues = make_cues(timed, CaptionOptions(max_words=5, max_chars=80, max_duration=1.0))
    assert all(c.end - c.start <= 1.0 + 1e-9 for c in cues)


def test_phrase_cues_do_not_end_on_a_function_word() -> None:
    """First-use report #29: "Our team decided a" | "recipe with 3 eggs"."""
    from voxcap.captions.cues import make_cues
    from voxcap.domain import Word

    texts = "Our team decided a recipe with 3 eggs, and the flour. Welcome back to the channel!"
    words = [Word(t, 0.3 * i, 0.3 * i + 0.25) for i, t in enumerate(texts.split())]
    cues = [" ".join(w.text for w in c.words) for c in make_cues(words)]
    assert cues[0] == "Our team decided" and cues[1].startswith("a recipe")
    for cue in cues:
        assert cue.split()[-1].lower() not in {"a", "an", "the", "to", "with", "and"}, cues
    assert [w.text for c in make_cues(words) for w in c.words] == texts.split()  # none lost


def test_urls_and_addresses_wrap_instead_of_shrinking() -> None:
    """captions-video.md §6.4: a 42-character URL in `bold` was drawn at 34 %, and an e-mail
    shrank its whole cue (`EMAIL` too) to 47 %. They wrap after `/ . @` now."""
    timed = words(
        ("at", 0.0, 0.3),
        ("www.glowcut-superdeals.com/blackfriday2026", 0.3, 2.0),
        ("Email", 2.5, 2.8),
        ("support@glowcut.app", 2.8, 3.8),
    )
    result = SpeechResult("", Audio(np.zeros(24000 * 4, np.float32), 24000), tuple(timed))
    data = render_captions(result, ["ass"], CaptionOptions(style="bold", mode="word"))["ass"]
    events = pysubs2.SSAFile.from_string(data.decode(), format_="ass").events
    url = next(e for e in events if "GLOWCUT-" in e.text)
    assert r"\N" in url.text
    scale = re.search(r"\\fscx(\d+)", url.text)
    assert scale is None or int(scale[1]) >= 50, url.text
    mail = next(e for e in events if "SUPPORT@" in e.text)
    assert r"SUPPORT@\NGLOWCUT.APP" in mail.text
    assert all(int(v) >= 100 for v in re.findall(r"\\fscx(\d+)", mail.text)), mail.text
    # the words are kept as written: the line break is only in the picture
    assert render_captions(result, ["srt"], CaptionOptions())["srt"].count(b"glowcut.app") == 1


def test_a_number_stays_with_its_noun() -> None:
    """newuser.md #23: "for the next 30" / "days."."""
    texts = "Try it for the next 30 days. It takes about 15 minutes a day.".split()
    timed, t = [], 0.0
    for text in texts:
        timed.append(Word(text, t, t + 0.25))
        t += 0.3 + (0.4 if text.endswith(".") else 0)
    cues = [c.text for c in make_cues(timed)]
    assert any("30 days." in c for c in cues) and any("15 minutes" in c for c in cues), cues
