"""The preview of the read (issue 27 #7): `voxcap spoken` and `voxcap.spoken` show each written
word with what is said for it, the same map the captions rest on, before any synthesis; and the
creator-script readings that were wrong (issue 27's list)."""

from __future__ import annotations

import json

import pytest

import voxcap
from voxcap.errors import EmptyText, UnsupportedLanguage

from .servers import run_voxcap


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Grab a 5 lb bag.", "grab a five pound bag"),
        ("2 lbs of rice", "two pounds of rice"),
        ("The $12 rotisserie chicken.", "the twelve dollar rotisserie chicken"),
        ("One $12 rotisserie chicken", "one twelve dollar rotisserie chicken"),  # newuser #10
        ("It costs $12 today.", "it costs twelve dollars today"),
        ("Pi day is 3/14.", "pi day is march fourteenth"),
        ("Add 3/4 cup", "add three quarters cup"),
        ("Use #GlowUp2024 today.", "use hashtag glow up twenty twenty four today"),
        ("We hit 1.2M views.", "we hit one point two million views"),
        ("Shot in 4K.", "shot in four kay"),
        ("Meet me on Main St. at noon.", "meet me on main street at noon"),
        ("St. Patrick's day", "saint patrick's day"),
        ("It starts at 8 PM EST.", "it starts at eight pee em ee ess tee"),
        ("Only $200/month.", "only two hundred dollars a month"),
        ("Visit www.glowcut.app now.", "visit glowcut dot app now"),
    ],
)
def test_creator_scripts_read_right(written: str, said: str) -> None:
    words = voxcap.spoken(written)
    assert " ".join(t for w in words for t in w.spoken) == said
    assert " ".join(w.written for w in words) == written  # every word kept as written


def test_each_written_word_keeps_its_spoken_words() -> None:
    text = "Dr. Smith paid $3.50 — at 9:30 a.m. 🔥"
    words = voxcap.spoken(text)
    assert [w.written for w in words] == text.split()
    assert [w.index for w in words] == list(range(len(words)))
    shown = {w.written: " ".join(w.spoken) for w in words}
    assert shown["Dr."] == "doctor" and shown["$3.50"] == "three dollars fifty cents"
    assert shown["—"] == "" and shown["🔥"] == ""  # not said, still there


def test_what_it_cannot_read_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedLanguage, match=r"reads English \(en\), not 'es' yet"):
        voxcap.spoken("Hola amigos.", language="es")
    with pytest.raises(UnsupportedLanguage, match="Chinese"):
        voxcap.spoken("你好世界")
    with pytest.raises(EmptyText):
        voxcap.spoken(" -- ")


def test_the_command_shows_the_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "script.txt"
    script.write_text("\ufeffGrab a 5 lb bag for $12.", encoding="utf-8")  # Notepad's BOM
    run = run_voxcap("spoken", "-f", str(script), "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["language"] == "en"
    assert [w["written"] for w in doc["words"]] == ["Grab", "a", "5", "lb", "bag", "for", "$12."]
    assert doc["words"][3]["spoken"] == "pound" and doc["words"][6]["spoken"] == "twelve dollars"
    table = run_voxcap("spoken", "Visit www.glowcut.app — now")
    assert table.returncode == 0 and "glowcut dot app" in table.stdout
    assert "(not said)" in table.stdout
    refused = run_voxcap("spoken", "Hola", "--language", "es")
    assert refused.returncode == 2 and "error (unsupported_language)" in refused.stderr
