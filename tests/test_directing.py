"""Directing the read (docs/DIRECTING.md): SSML, pronunciation lexicons and dialogue, on real
speech (Piper and espeak-ng), timed by the real aligner, heard back by an independent listener
(the packaged Whisper tiny.en), caption files parsed back by pysubs2 and webvtt-py."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pysubs2
import pytest
import webvtt

from voxcap.captions.formats import render_captions
from voxcap.domain import Audio, CaptionOptions, Pronunciation, SpeechRequest, SpeechResult
from voxcap.errors import InvalidInput, LexiconNotFound
from voxcap.lexicons import Lexicons, parse, to_pls, to_tsv
from voxcap.pipeline import speak, synthesize
from voxcap.runtime import Runtime
from voxcap.settings import Settings
from voxcap.text import prepare, ssml
from voxcap.text.dialogue import parse as dialogue
from voxcap.text.script import reading

FORMATS = ["srt", "vtt", "ass", "csv", "json", "txt"]


def heard(runtime: Runtime, audio: Audio) -> str:
    """What an independent listener (Whisper tiny.en) hears, lower case without punctuation."""
    text = runtime.transcriber().transcribe(audio)
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def captions_text(result: SpeechResult, options: CaptionOptions | None = None) -> dict[str, str]:
    files = render_captions(result, FORMATS, options or CaptionOptions())
    return {fmt: data.decode("utf-8") for fmt, data in files.items()}


def _silences(audio: Audio, floor_db: float = -45.0) -> list[tuple[float, float]]:
    """Stretches quieter than ``floor_db`` (20 ms frames)."""
    frame = audio.sample_rate // 50
    n = len(audio.samples) // frame
    rms = np.sqrt(np.mean(audio.samples[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    quiet = 20 * np.log10(rms) < floor_db
    out, start = [], None
    for i, q in enumerate([*quiet, False]):
        if q and start is None:
            start = i
        elif not q and start is not None:
            out.append((start / 50, i / 50))
            start = None
    return out


# ---------------------------------------------------------------- SSML
BREAK = (
    '<speak>Stop scrolling. <break time="1500ms"/> This <say-as interpret-as="characters">AI'
    '</say-as> tool saves <say-as interpret-as="cardinal">3</say-as> hours &amp; more.</speak>'
)


@pytest.fixture(scope="module")
def break_result(runtime: Runtime) -> SpeechResult:
    return speak(SpeechRequest(BREAK), runtime)


def test_a_break_is_silence_and_no_tag_reaches_a_caption(break_result: SpeechResult) -> None:
    words = break_result.words
    assert [w.text for w in words] == "Stop scrolling. This AI tool saves 3 hours & more.".split()
    gap = words[2].start - words[1].end
    assert gap >= 1.3, gap
    # the silence is in the audio itself, not only between the aligner's times
    longest = max(b - a for a, b in _silences(break_result.audio))
    assert longest >= 1.3, longest
    files = captions_text(break_result)
    for fmt, text in files.items():
        assert "<speak" not in text and "break" not in text and "say-as" not in text, fmt
    srt = pysubs2.SSAFile.from_string(files["srt"])
    assert " ".join(e.plaintext.replace("\n", " ") for e in srt) == break_result.text
    vtt = webvtt.from_buffer(io.StringIO(files["vtt"]))
    assert " ".join(c.text.replace("\n", " ") for c in vtt) == break_result.text
    assert json.loads(files["json"])["text"] == break_result.text


def test_say_as_sub_phoneme_and_rates_are_read_as_marked() -> None:
    marked = ssml.parse(
        "<speak><say-as interpret-as='characters'>NASA</say-as> "
        "<say-as interpret-as='ordinal'>21</say-as> "
        "<say-as interpret-as='telephone'>+1 555</say-as> "
        "<say-as interpret-as='verbatim'>a.b</say-as> "
        "<say-as interpret-as='date'>3/14</say-as> "
        "<sub alias='World Wide Web Consortium'>W3C</sub> "
        "<phoneme alphabet='ipa' ph='pəˈteɪtoʊz'>tomatoes</phoneme> "
        "<prosody rate='slow'>slow <prosody rate='200%'>fast</prosody></prosody> "
        "<p><s>One.</s><s>Two</s></p> three</speak>",
        reading,
    )
    assert marked.text == "NASA 21 +1 555 a.b 3/14 W3C tomatoes slow fast One. Two three"
    script = prepare(marked.text, direction=marked.direction)
    said = [t.text for t in script.tokens]
    assert said[:4] == ["en", "ay", "ess", "ay"]
    assert "twenty" in said and "first" in said
    assert said[said.index("first") + 1 : said.index("first") + 6] == [
        "plus",
        "one",
        "five",
        "five",
        "five",
    ]
    assert ["ay", "dot", "bee"] == said[said.index("bee") - 2 : said.index("bee") + 1]
    assert "march" in said and "fourteenth" in said
    assert said[said.index("world") : said.index("world") + 4] == [
        "world",
        "wide",
        "web",
        "consortium",
    ]
    assert "/pəˈteɪtoʊz/" in said  # Piper takes the IPA; the aligner maps it
    rates = {s.tokens[0].text: s.rate for s in script.sentences}
    assert rates["slow"] == 0.75 and rates["fast"] == 1.5
    # <s> and <p> end sentences; "Two" gets the paragraph's pause
    two = next(s for s in script.sentences if s.tokens[0].text == "two")
    assert two.pause is not None and two.pause >= 0.5
    # an engine without phonemes says the written word instead (with a warning)
    plain = prepare(marked.text, direction=marked.direction, phonemes=False)
    assert "tomatoes" in [t.text for t in plain.tokens]


def test_a_slow_prosody_stretch_takes_longer(runtime: Runtime) -> None:
    line = "this sentence is read at a different pace"
    normal = synthesize(SpeechRequest(f"<speak>{line}</speak>"), runtime)
    slowly = f"<speak><prosody rate='x-slow'>{line}</prosody></speak>"
    slow = synthesize(SpeechRequest(slowly), runtime)
    assert slow.duration >= 1.6 * normal.duration, (slow.duration, normal.duration)


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<speak>Hello <break time='1s'>", r"line 1, column \d+: (no element found|unclosed)"),
        ("<speak>Hi\n<emphasis>there</emphasis></speak>", r"line 2, column 1: <emphasis> is not"),
        ("<speak><phoneme alphabet='x-sampa' ph='h@'>ha</phoneme></speak>", r"x-sampa.*ipa"),
        ("<speak><break time='forever'/></speak>", r"500ms"),
        ("<speak><break time='60s'/></speak>", r"longest is 10 s"),
        ("<speak><prosody pitch='high'>x</prosody></speak>", r"<prosody> has no attribute pitch"),
        ("<speak><sub>x</sub></speak>", r"<sub> needs an alias"),
        ("<speak><say-as interpret-as='cardinal'>many</say-as></speak>", r"not a whole number"),
        ("<speak><sub alias='a'><break/></sub></speak>", r"holds text only"),
        ("<speak>a</speak><speak>b</speak>", r"junk after document element"),
        ("<speak>&nbsp;</speak>", r"undefined entity"),
        ("<speak>Tom & Jerry</speak>", r"write & as &amp;"),
    ],
)
def test_bad_ssml_is_invalid_input_naming_where(
    runtime: Runtime, markup: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        speak(SpeechRequest(markup), runtime)


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<speak>&c;</speak>"
)
XXE = '<!DOCTYPE speak [<!ENTITY x SYSTEM "file:///etc/passwd">]><speak>&x;</speak>'


@pytest.mark.parametrize("markup", [BOMB, XXE])
def test_ssml_with_entities_or_a_dtd_is_refused(markup: str) -> None:
    with pytest.raises(InvalidInput, match="DOCTYPE is not allowed"):
        ssml.parse(markup.replace('<?xml version="1.0"?>', ""), reading)
    with pytest.raises(InvalidInput):
        ssml.parse("<speak>" + "a " * 600_000 + "</speak>", reading)  # over 1 MB


def test_plain_text_with_markup_characters_stays_plain(runtime: Runtime) -> None:
    text = "Tom & Jerry <3 forever, x < y."
    assert not ssml.is_ssml(text)
    result = speak(SpeechRequest(text), runtime)
    assert [w.text for w in result.words] == text.split()


# ---------------------------------------------------------------- lexicons
PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>tomatoes</grapheme><alias>potatoes</alias></lexeme>
  <lexeme><grapheme>GlowCut</grapheme><grapheme>Glowcut</grapheme>
    <phoneme>ɡloʊkʌt</phoneme><alias>glow cut</alias></lexeme>
</lexicon>
"""


def test_a_pls_alias_changes_what_is_heard_and_the_caption_keeps_the_word(
    runtime: Runtime,
) -> None:
    text = "I bought fresh tomatoes at the market today."
    entries = tuple(parse(PLS))
    plain = speak(SpeechRequest(text), runtime)
    directed = speak(SpeechRequest(text, pronunciations=entries), runtime)
    assert "tomatoes" in heard(runtime, plain.audio)
    said = heard(runtime, directed.audio)
    assert "potatoes" in said and "tomatoes" not in said, said
    assert [w.text for w in directed.words] == text.split()  # the written words, all timed
    assert all(w.end > w.start for w in directed.words)
    files = captions_text(directed)
    assert "tomatoes" in files["srt"] and "potatoes" not in files["srt"]


def test_ipa_goes_to_piper_as_phonemes(runtime: Runtime) -> None:
    text = "I bought fresh tomatoes at the market today."
    ipa = (Pronunciation("tomatoes", ipa="pəˈteɪtoʊz"),)
    result = speak(SpeechRequest(text, pronunciations=ipa), runtime)
    said = heard(runtime, result.audio)
    assert "potatoes" in said and "tomatoes" not in said, said
    assert [w.text for w in result.words] == text.split()


def test_an_engine_without_phonemes_says_the_alias_or_says_why_not(runtime: Runtime) -> None:
    text = "GlowCut is free."
    both = tuple(parse(PLS))
    result = synthesize(SpeechRequest(text, engine="espeak", pronunciations=both), runtime)
    assert result.duration > 0.5
    only_ipa = (Pronunciation("GlowCut", ipa="ɡloʊkʌt"),)
    with pytest.raises(InvalidInput, match=r"takes no phonemes.*no alias"):
        synthesize(SpeechRequest(text, engine="espeak", pronunciations=only_ipa), runtime)


def test_lexicons_in_the_store_by_request_voice_and_project(tmp_path: object) -> None:
    rt = Runtime(Settings(engine="piper", storage=f"file://{tmp_path}/store"))
    lexicons = Lexicons(rt.store)
    lexicons.add("default", [Pronunciation("Nike", "Nyke"), Pronunciation("SQL", "sequel")])
    lexicons.add("brand", [Pronunciation("Nike", "Nee kay")])
    lexicons.add("brand", [Pronunciation("GIF", "jif")])  # added to, not replaced
    assert {e.grapheme for e in lexicons.get("brand").entries} == {"Nike", "GIF"}
    text = "Nike and SQL and GIF"
    said = lambda request: [  # noqa: E731
        t.text for t in prepare(text, direction=_direction(request, rt)).tokens
    ]
    assert said(SpeechRequest(text)) == ["nyke", "and", "sequel", "and", "gif"]
    assert said(SpeechRequest(text, lexicons=("brand",))) == [
        "nee",
        "kay",
        "and",
        "sequel",
        "and",
        "jif",
    ]
    with pytest.raises(LexiconNotFound):
        said(SpeechRequest(text, lexicons=("nope",)))
    # a voice's own lexicon, between the request's and the project's
    lexicons.add("kim", [Pronunciation("SQL", "structured query language")])
    assert said(SpeechRequest(text, voice="kim"))[2:5] == ["structured", "query", "language"]
    assert said(SpeechRequest(text, voice="kim", lexicons=("brand",)))[3] == "structured"
    lexicons.delete("kim")
    lexicons.remove("default", ["SQL"])
    assert said(SpeechRequest(text))[2] == "ess"
    lexicons.delete("default")
    assert said(SpeechRequest(text))[0] == "nike"


def _direction(request: SpeechRequest, rt: Runtime) -> object:
    from voxcap.directing import read_of

    return read_of(request, rt).direction


def test_pls_and_tsv_round_trip_and_bad_files_are_refused() -> None:
    entries = parse(PLS)
    assert [(e.grapheme, e.alias, e.ipa) for e in entries] == [
        ("tomatoes", "potatoes", None),
        ("GlowCut", "glow cut", "ɡloʊkʌt"),
        ("Glowcut", "glow cut", "ɡloʊkʌt"),
    ]
    assert parse(to_pls(entries)) == entries
    tsv = to_tsv(entries)
    assert parse(tsv)[0] == entries[0] and parse(tsv)[1].ipa == "ɡloʊkʌt"
    bad = {
        "<lexicon alphabet='x-sampa'><lexeme><grapheme>a</grapheme></lexeme></lexicon>": "x-sampa",
        "<lexicon><lexeme><grapheme>a</grapheme>": "no element found",
        "<lexicon><lexeme><alias>a</alias></lexeme></lexicon>": "needs a <grapheme>",
        "<lexicon><lexeme><grapheme>a</grapheme></lexeme></lexicon>": "needs an alias or IPA",
        BOMB.replace("speak", "lexicon"): "DOCTYPE is not allowed",
        XXE.replace("speak", "lexicon"): "DOCTYPE is not allowed",
        "tomatoes potatoes\n": "line 1",
        "word\talias\n" * 900_000: "over 1 MB",  # a 10 MB lexicon
        "\xff\xfe": "UTF-8",
    }
    for data, message in bad.items():
        with pytest.raises(InvalidInput, match=re.escape(message)):
            parse(data.encode("latin-1") if data == "\xff\xfe" else data)


# ---------------------------------------------------------------- dialogue
DIALOGUE = """Ana: Did you try the new caption app?
Ben: Not yet. Is it any good?
[Ana] It times every word to the millisecond.
"""


def _pitch(audio: Audio) -> float:
    """The median pitch (Hz) of the voiced 40 ms frames, by autocorrelation (60-400 Hz)."""
    rate, x = audio.sample_rate, audio.samples
    size = int(0.04 * rate)
    pitches = []
    for start in range(0, len(x) - size, size // 2):
        frame = x[start : start + size] - np.mean(x[start : start + size])
        if np.sqrt(np.mean(frame**2)) < 0.02:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        lo, hi = rate // 400, rate // 60
        lag = lo + int(np.argmax(corr[lo:hi]))
        if corr[lag] > 0.4 * corr[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches))


@pytest.fixture(scope="module")
def dialogue_result(runtime: Runtime) -> SpeechResult:
    speakers = (("ana", "espeak:en-us+f3"), ("Ben", "piper:joe"))
    return speak(SpeechRequest(DIALOGUE, speakers=speakers), runtime)


def test_a_dialogue_has_two_voices_and_speakers_on_every_word(
    dialogue_result: SpeechResult,
) -> None:
    result = dialogue_result
    words = result.words
    assert result.text == (
        "Did you try the new caption app?\nNot yet. Is it any good?\n"
        "It times every word to the millisecond."
    )
    assert "Ana:" not in result.text and "[Ana]" not in result.text
    assert [w.speaker for w in words] == ["Ana"] * 7 + ["Ben"] * 6 + ["Ana"] * 7
    assert all(w.end > w.start for w in words)
    assert words[7].start - words[6].end >= 0.3  # a turn gap
    turn = {s: [w for w in words if w.speaker == s] for s in ("Ana", "Ben")}

    def piece(speaker: str) -> Audio:
        rate = result.audio.sample_rate
        spoken = turn[speaker]
        parts = [result.audio.samples[int(w.start * rate) : int(w.end * rate)] for w in spoken]
        return Audio(np.concatenate(parts), rate)

    ana, ben = _pitch(piece("Ana")), _pitch(piece("Ben"))
    assert ana >= 1.4 * ben, (ana, ben)  # espeak's female variant against Piper's joe


def test_dialogue_captions_name_their_speakers(dialogue_result: SpeechResult) -> None:
    files = captions_text(dialogue_result, CaptionOptions(speaker_labels=True))
    vtt = webvtt.from_buffer(io.StringIO(files["vtt"]))
    voices = [c.voice for c in vtt]
    assert set(voices) == {"Ana", "Ben"} and voices[0] == "Ana"
    for cue in vtt:  # no cue holds two speakers' words
        assert cue.text.replace("\n", " ") in {
            " ".join(w.text for w in dialogue_result.words if w.speaker == cue.voice)
        } or all(
            any(part == w.text for w in dialogue_result.words if w.speaker == cue.voice)
            for part in cue.text.split()
        )
    srt = [e.plaintext for e in pysubs2.SSAFile.from_string(files["srt"])]
    assert srt[0].startswith("Ana: ")
    assert sum(line.startswith(("Ana: ", "Ben: ")) for line in srt) == 3  # one per turn
    document = json.loads(files["json"])
    assert document["speakers"] == ["Ana", "Ben"]
    assert {w["speaker"] for w in document["words"]} == {"Ana", "Ben"}
    assert "speaker" in files["csv"].splitlines()[0]
    ass = pysubs2.SSAFile.from_string(files["ass"])
    ben_lines = [e.text for e in ass if "Not" in e.text or "yet" in e.text]
    assert ben_lines and all(r"\2c&H" in t or r"\1c&H" in t for t in ben_lines)
    # without labels, SRT is the words alone
    plain = captions_text(dialogue_result)["srt"]
    assert "Ana:" not in plain and "Ben:" not in plain


def test_dialogue_is_found_only_where_it_is_one() -> None:
    assert dialogue("Note: this is one line of prose.") is None
    assert dialogue("The plan was simple: we go.\nThen: home.") is None
    found = dialogue("Ana: Hi.\nBen: Hello.")
    assert found is not None and found.cast == ("Ana", "Ben")
    one = dialogue("Ana: Hi.\nand more.", mapped=True)
    assert one is not None and one.speakers == ("Ana", "Ana", "Ana")
    with pytest.raises(InvalidInput, match="first line needs a speaker"):
        dialogue("Hello.\nAna: Hi.", mapped=True)


def test_a_speaker_mapped_who_is_not_in_the_script_or_an_unknown_voice(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput, match=r"no speaker 'Cy'.*Ana, Ben"):
        speak(SpeechRequest("Ana: Hi.\nBen: Hello.", speakers=(("Cy", "joe"),)), runtime)
    with pytest.raises(InvalidInput, match="no voice 'nobody'"):
        speak(SpeechRequest("Ana: Hi.\nBen: Hello.", speakers=(("Ana", "nobody"),)), runtime)
