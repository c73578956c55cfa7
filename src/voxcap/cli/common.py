"""What ``voxcap speak`` and ``voxcap align`` share: reading the text, checking the video
and the caption look before any work, writing the files, and reporting the result."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from voxcap.captions import presets
from voxcap.cli.app import out
from voxcap.domain import CaptionOptions
from voxcap.errors import InvalidInput

if TYPE_CHECKING:
    from voxcap.domain import SpeechResult
    from voxcap.export import Artifact, Exported
    from voxcap.runtime import Runtime
    from voxcap.video import VideoPlan


def video_plan(
    video: bool,
    aspect: str,
    background: str,
    volume: float | None,
    fps: int,
    source: Path | None,
    loudness_asked: bool = False,
) -> VideoPlan | None:
    """The checked video plan (before any synthesis), or None without --video. The video is
    brought to -14 LUFS unless the user asked for a loudness (the narration has it then)."""
    if not video:
        return None
    from voxcap import loudness
    from voxcap.video import VideoOptions, plan

    lufs = None if loudness_asked else loudness.VIDEO
    return plan(VideoOptions(aspect, background, volume, fps, lufs), source)


def caption_options(
    grouping: CaptionOptions, plan: VideoPlan | None, rt: Runtime, brand: str | None, **look: Any
) -> CaptionOptions:
    """The caption options with the look asked for (on top of ``brand``'s, where given),
    checked before any work (a bad colour, an unknown brand or position stops here), laid out
    for the video's frame when there is one."""
    given = {k: v for k, v in look.items() if v is not None and v != ()}
    options = replace(grouping, **given)
    if brand is not None:
        options = rt.brands.get(brand).apply(options, set(given))
    presets.look(options)  # a bad colour, font or animation stops here
    return replace(options, frame=plan.frame) if plan is not None else options


PREFLIGHT_KEY = "outputs/preflight/probe"


def check_destination(rt: Runtime, out_dir: Path | None) -> None:
    """Where the files will go takes them, before any work: ``--out`` is a writable folder,
    or the store answers with these credentials (a wrong S3 secret is found before the
    synthesis, not after it: newuser #17).

    Raises:
        InvalidInput: ``--out`` cannot be written.
        StorageAuthError, BucketNotFound, StorageError: the store refuses or cannot be reached.
    """
    if out_dir is not None:
        from voxcap.export import check_writable

        check_writable(out_dir)
    else:
        rt.store.exists(PREFLIGHT_KEY)


def deliver(
    rt: Runtime, artifacts: list[Artifact], timings: dict[str, float], out_dir: Path | None
) -> Exported:
    from voxcap.export import to_folder, to_store

    if out_dir is not None:
        return to_folder(artifacts, out_dir, timings)
    return to_store(artifacts, rt.store, uuid.uuid4().hex, timings)


def read_text(text: str | None, text_file: Path | None, how: str = "as an argument") -> str:
    if text is None and text_file is None:
        raise InvalidInput(f"no text given: give it {how} or with --text-file")
    if text is not None and text_file is not None:
        raise InvalidInput(f"give the text {how} or with --text-file, not both")
    if text_file is None:
        assert text is not None
        return text
    try:
        return text_file.read_text(encoding="utf-8-sig")  # Notepad's byte-order mark is no word
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read text file {text_file}: {exc}") from None


def finish(result: SpeechResult, exported: Exported, started: float, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps(document(result, exported)))
        return
    files = ([exported.audio] if exported.audio else []) + list(exported.captions.values())
    files += [exported.video] if exported.video else []
    folders = {f.path.parent for f in files if f.path is not None}
    if len(folders) == 1 and all(f.path is not None for f in files):
        out.print(f"files in {folders.pop()}/", soft_wrap=True, highlight=False)  # never cut
        table = Table(show_header=False, box=None)
        for f in files:
            assert f.path is not None
            table.add_row(f.format, f.path.name, f"{f.bytes:,} bytes")
        out.print(table)
    else:
        for f in files:  # URLs: one per line, whole, to copy
            out.print(f"{f.format}  {f.bytes:,} bytes  {f.url}", soft_wrap=True, highlight=False)
    _mismatches(result)
    _verified(result)
    wall = time.perf_counter() - started
    rtf = wall / result.duration if result.duration else 0.0
    out.print(
        f"{len(result.words)} words, audio {result.duration:.2f} s, wall {wall:.2f} s, "
        f"real-time factor {rtf:.3f}"
    )


def _mismatches(result: SpeechResult) -> None:
    """Say what of the text and the recording did not match (an alignment)."""
    report = result.alignment
    if report is None:
        return
    if report.unplaced:
        shown = ", ".join(repr(result.words[i].text) for i in report.unplaced[:12])
        more = f" and {len(report.unplaced) - 12} more" if len(report.unplaced) > 12 else ""
        out.print(
            f"[yellow]{len(report.unplaced)} words not found in the audio[/] "
            f"(not spoken, or drowned out): {shown}{more}",
            soft_wrap=True,
            highlight=False,
        )
    if report.unmatched:
        spans = ", ".join(f"{s:.1f}-{e:.1f} s" for s, e in report.unmatched[:8])
        out.print(f"[yellow]speech that is not in the text[/] at {spans}", highlight=False)
    if result.transcribed:
        coarse = (
            f" ({len(report.recognised)} timed by recognition only)" if report.recognised else ""
        )
        out.print(
            f"transcribed {len(result.words)} words{coarse}: check transcript.txt, fix any "
            "word, and run align again with -f transcript.txt for captions exact to the word",
            soft_wrap=True,
            highlight=False,
        )


def _verified(result: SpeechResult) -> None:
    """Say how the speech compares with the text, when it was verified."""
    if result.verification is None:
        return
    flagged = result.verification.flagged
    if not flagged:
        out.print(f"[green]all {len(result.words)} words verified[/]", highlight=False)
        return
    out.print(
        f"[yellow]{len(flagged)} of {len(result.verification.sentences)} sentences not "
        "spoken as written:[/]",
        highlight=False,
    )
    for check in flagged[:12]:
        tries = f", {check.attempts} takes" if check.attempts > 1 else ""
        out.print(
            f"  {check.status} at {check.start:.1f} s{tries}: {check.reason}",
            soft_wrap=True,
            highlight=False,
        )


def document(result: SpeechResult, exported: Exported) -> dict[str, Any]:
    """The result JSON shared with the HTTP API and the RunPod worker."""
    from voxcap.schemas import speech_output

    return speech_output(result, exported).public()


def direction(lexicon: list[str] | None, speaker: list[str] | None) -> dict[str, tuple[Any, ...]]:
    """The request's ``lexicons`` (stored names), ``pronunciations`` (from lexicon files)
    and ``speakers`` (NAME=VOICE pairs) from the CLI's --lexicon and --speaker.

    Raises:
        InvalidInput: a --speaker without '=', a lexicon file that cannot be read or parsed.
    """
    from voxcap.lexicons import parse

    names: list[str] = []
    entries: list[Any] = []
    for given in lexicon or []:
        path = Path(given).expanduser()
        if path.suffix.lower() in {".pls", ".xml", ".tsv", ".txt"} or path.is_file():
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"cannot read lexicon {given}: {exc.strerror}") from None
            entries.extend(parse(data, path.name))
        else:
            names.append(given)
    pairs = []
    for given in speaker or []:
        name, sep, voice = given.partition("=")
        if not sep or not name.strip() or not voice.strip():
            raise InvalidInput(f"--speaker {given!r}: give NAME=VOICE (Ana=piper:joe)")
        pairs.append((name.strip(), voice.strip()))
    return {"lexicons": tuple(names), "pronunciations": tuple(entries), "speakers": tuple(pairs)}
