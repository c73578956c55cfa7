from __future__ import annotations

import pytest

from voxcap.errors import EmptyText, TextTooLong
from voxcap.text import SYMBOLS, prepare, sentence_ends, words_of

from .sentences import PARAGRAPH, SENTENCES


def spoken(word_text: str) -> list[str]:
    script = prepare(word_text)
    return [t.text for t in script.tokens]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("$3.50", "three dollars fifty cents"),
        ("$1", "one dollar"),
        ("$1.2M", "one point two million dollars"),
        ("€20", "twenty euros"),
        ("£15.01", "fifteen pounds one penny"),
        ("45%", "forty five percent"),
        ("2.5%", "two point five percent"),
        ("2025", "twenty twenty five"),
        ("1990s", "nineteen nineties"),
        ("3rd", "third"),
        ("21st", "twenty first"),
        ("1,250", "one thousand two hundred and fifty"),
        ("3.14", "three point one four"),
        ("-5", "minus five"),
        ("-2.5%", "minus two point five percent"),
        ("9:30", "nine thirty"),
        ("7:05", "seven oh five"),
        ("7:00", "seven o'clock"),
        ("Dr.", "doctor"),
        ("e.g.", "for example"),
        ("a.m.,", "ay em"),
        ("FBI", "eff bee eye"),
        ("NASA", "nasa"),
        ("&", "and"),
        ("10km", "ten kilometers"),
        ("#1", "number one"),
        ("well-known", "well known"),
        ("Don't", "don't"),
        ("mp3", "em pee three"),
    ],
)
def test_normalises_what_engines_misread(written: str, said: str) -> None:
    assert " ".join(spoken(written)) == said


def test_st_is_saint_before_a_name_and_street_after() -> None:
    assert " ".join(spoken("St. Louis and Main St. was busy")) == (
        "saint louis and main street was busy"
    )


def test_every_token_maps_back_to_the_users_words() -> None:
    for text in [*SENTENCES, PARAGRAPH]:
        script = prepare(text)
        assert script.words == tuple(text.split())
        indexes = [t.word for t in script.tokens]
        assert indexes == sorted(indexes)
        speakable = {
            i for i, w in enumerate(script.words) if any(c.isalnum() or c in SYMBOLS for c in w)
        }
        assert set(indexes) == speakable


def test_words_are_whitespace_tokens_with_punctuation_attached() -> None:
    assert words_of('  apples, "$3.50"\tand a.m.,\n') == ("apples,", '"$3.50"', "and", "a.m.,")


def test_sentences_split_at_ends_but_not_at_abbreviations() -> None:
    script = prepare("Dr. Smith met Mr. Jones at 9 a.m. on Monday. Then etc. Then they left!")
    assert [s.speech for s in script.sentences] == [
        "doctor smith met mister jones at nine ay em on monday.",
        "then et cetera.",
        "then they left!",
    ]
    assert sentence_ends(script.words) == {9, 11, 14}


def test_punctuation_only_words_keep_their_pause() -> None:
    script = prepare("Wait -- what ... really")
    assert [t.text + t.punct for t in script.tokens] == ["wait", "what.", "really"]


def test_long_sentences_are_chunked_at_clauses() -> None:
    text = ", ".join(["one two three four five"] * 40) + "."
    script = prepare(text, max_tokens=30)
    assert len(script.sentences) > 3
    assert all(len(s.tokens) <= 60 for s in script.sentences)
    assert [t.text for t in script.tokens] == text.replace(",", "").replace(".", "").split()


def test_shouted_text_is_not_spelled_out() -> None:
    assert " ".join(spoken("THIS IS SO GREAT NOW")) == "this is so great now"


@pytest.mark.parametrize("text", ["", "   \n\t ", "-- ... !!"])
def test_empty_text_is_rejected(text: str) -> None:
    with pytest.raises(EmptyText):
        prepare(text)


def test_overlong_text_is_rejected() -> None:
    with pytest.raises(TextTooLong, match="limit is 10"):
        prepare("x" * 11, max_chars=10)


def test_initials_do_not_end_sentences_but_a_letter_can() -> None:
    assert [
        s.speech for s in prepare("J. K. Rowling wrote it. I chose Plan B. It worked.").sentences
    ] == [
        "jay kay rowling wrote it.",
        "i chose plan bee.",
        "it worked.",
    ]
    assert sentence_ends(("Gen.", "Patton", "won", "a", "Ph.D.,", "then", "left.")) == {6}
