"""Caption and word-timing files: SRT, WebVTT and ASS through pysubs2, CSV and JSON.

``WRITERS`` maps a format name to the file name it is written as and a function that renders
it to bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pysubs2

from voxcap.captions.ass_styles import ass_file
from voxcap.captions.cues import make_cues
from voxcap.captions.presets import look
from voxcap.domain import CaptionOptions, Cue, SpeechResult, Verification, Word
from voxcap.errors import UnknownFormat


@dataclass(frozen=True, slots=True)
class Writer:
    filename: str
    media_type: str
    render: Callable[[SpeechResult, list[Cue], CaptionOptions], bytes]


def _pysubs(fmt: str) -> Callable[[SpeechResult, list[Cue], CaptionOptions], bytes]:
    """SRT or WebVTT. In a dialogue, every WebVTT cue names its speaker (``<v NAME>``) and,
    with ``options.speaker_labels``, an SRT cue where the speaker changes starts "NAME: "."""

    def render(result: SpeechResult, cues: list[Cue], options: CaptionOptions) -> bytes:
        subs = pysubs2.SSAFile()
        before = None
        for cue in cues:
            event = pysubs2.SSAEvent(round(cue.start * 1000), round(cue.end * 1000))
            event.plaintext = "\n".join(cue.lines)
            speaker = cue.words[0].speaker if cue.words else None
            if speaker is not None and fmt == "vtt":
                event.text = f"<v {_voice_name(speaker)}>{event.text}"
            elif speaker is not None and options.speaker_labels and speaker != before:
                event.text = f"{speaker}: {event.text}"
            before = speaker
            subs.events.append(event)
        return subs.to_string(fmt).encode("utf-8")

    return render


def _voice_name(name: str) -> str:
    """A speaker's name as a WebVTT voice annotation may hold it (no <, > or &)."""
    return "".join(c for c in name if c not in "<>&") or "speaker"


def _ass(result: SpeechResult, cues: list[Cue], options: CaptionOptions) -> bytes:
    subs = ass_file(cues, look(options), options.frame, options.keywords, options.hook)
    return subs.to_string("ass").encode("utf-8")


def _csv(result: SpeechResult, cues: list[Cue], options: CaptionOptions) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    verified = result.verification is not None
    aligned = result.alignment is not None
    statuses = word_statuses(result)
    dialogue = any(w.speaker is not None for w in result.words)
    out.writerow(
        ["index", "text", "start", "end"]
        + (["speaker"] if dialogue else [])
        + (["confidence"] if verified else [])
        + (["status"] if aligned else [])
    )
    for i, word in enumerate(result.words):
        row = [i, word.text, f"{word.start:.3f}", f"{word.end:.3f}"]
        if dialogue:
            row.append(word.speaker or "")
        if verified:
            row.append("" if word.confidence is None else f"{word.confidence:.3f}")
        if aligned:
            row.append(statuses.get(i, "placed"))
        out.writerow(row)
    return buffer.getvalue().encode("utf-8")


def words_document(result: SpeechResult) -> dict[str, object]:
    """The words JSON: ``{"text", "duration", "sample_rate", "words": [{"text", "start",
    "end"}]}``, seconds with 3 decimals; an alignment adds ``"alignment": {"unplaced_words":
    [index...], "unmatched_audio": [[start, end]...]}`` and ``"status": "unplaced"`` to each
    word it could not find (such a word is in no caption). A recording captioned without a
    script adds ``"transcribed": true``, ``"recognised_words"`` and ``"status":
    "recognised"`` to each word timed by speech recognition instead of the aligner. A dialogue
    gives each word its ``"speaker"`` and adds ``"speakers"``, in order of appearance. Verified
    speech gives each word its ``"confidence"`` and adds ``"verification"``
    (:func:`verification_document`)."""
    words = [word_document(w) for w in result.words]
    for i, status in word_statuses(result).items():
        words[i]["status"] = status
    document: dict[str, object] = {
        "text": result.text,
        "duration": round(result.duration, 3),
        "sample_rate": result.audio.sample_rate,
        "words": words,
    }
    speakers = [w.speaker for w in result.words if w.speaker is not None]
    if speakers:
        document["speakers"] = list(dict.fromkeys(speakers))
    if result.alignment is not None:
        alignment: dict[str, object] = {
            "unplaced_words": list(result.alignment.unplaced),
            "unmatched_audio": [list(span) for span in result.alignment.unmatched],
        }
        if result.transcribed:
            document["transcribed"] = True
            alignment["recognised_words"] = list(result.alignment.recognised)
        document["alignment"] = alignment
    if result.verification is not None:
        document["verification"] = verification_document(result.verification)
    return document


def word_statuses(result: SpeechResult) -> dict[int, str]:
    """The words of an alignment that the aligner did not place: "unplaced" (in no caption),
    or "recognised" (timed by speech recognition); the others are "placed"."""
    if result.alignment is None:
        return {}
    statuses = dict.fromkeys(result.alignment.unplaced, "unplaced")
    statuses.update(dict.fromkeys(result.alignment.recognised, "recognised"))
    return statuses


def word_document(word: Word) -> dict[str, object]:
    """``{"text", "start", "end"}``, ``"confidence"`` when the word was verified and
    ``"speaker"`` in a dialogue."""
    out: dict[str, object] = {"text": word.text, "start": word.start, "end": word.end}
    if word.confidence is not None:
        out["confidence"] = word.confidence
    if word.speaker is not None:
        out["speaker"] = word.speaker
    return out


def verification_document(verification: Verification) -> dict[str, object]:
    """``{"verified": all sentences ok, "sentences": [{"index", "text", "status", "reason",
    "attempts", "start", "end"}]}`` (docs/VERIFY.md)."""
    return {
        "verified": not verification.flagged,
        "sentences": [dataclasses.asdict(s) for s in verification.sentences],
    }


def _txt(result: SpeechResult, cues: list[Cue], options: CaptionOptions) -> bytes:
    """The text, as written (a transcript: edit it and align again with ``-f``)."""
    return (result.text.strip() + "\n").encode("utf-8")


def _json(result: SpeechResult, cues: list[Cue], options: CaptionOptions) -> bytes:
    return json.dumps(words_document(result), ensure_ascii=False, indent=2).encode("utf-8")


WRITERS: dict[str, Writer] = {
    "srt": Writer("captions.srt", "application/x-subrip", _pysubs("srt")),
    "vtt": Writer("captions.vtt", "text/vtt", _pysubs("vtt")),
    "ass": Writer("captions.ass", "text/x-ass", _ass),
    "csv": Writer("words.csv", "text/csv", _csv),
    "json": Writer("words.json", "application/json", _json),
    "txt": Writer("transcript.txt", "text/plain; charset=utf-8", _txt),
}


def parse_formats(spec: str | list[str]) -> list[str]:
    """Caption format names from ``"srt,vtt"`` or a list. Raises UnknownFormat."""
    names = spec.split(",") if isinstance(spec, str) else spec
    names = [n.strip().lower() for n in names if n.strip()]
    for name in names:
        if name not in WRITERS:
            raise UnknownFormat(
                f"unknown caption format {name!r}; choose from: {', '.join(WRITERS)}"
            )
    return list(dict.fromkeys(names))


def render_captions(
    result: SpeechResult, formats: list[str], options: CaptionOptions
) -> dict[str, bytes]:
    """Each requested format rendered to bytes, keyed by format name."""
    cues = make_cues(shown_words(result), options)
    return {name: WRITERS[name].render(result, cues, options) for name in formats}


def shown_words(result: SpeechResult) -> list[Word]:
    """The words a caption shows: all but those not found in the audio (a skipped sentence in
    a user's recording), which stay in words.json and words.csv with their status."""
    unplaced = frozenset(result.alignment.unplaced) if result.alignment else frozenset()
    return [w for i, w in enumerate(result.words) if i not in unplaced]
