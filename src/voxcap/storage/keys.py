"""The only place that names objects. Layout (docs/STORAGE.md):

voices/{name}/voice.json          metadata; written last, so its presence means "complete"
voices/{name}/original{.ext}      the upload as received
voices/{name}/reference.wav       normalised: mono, 24 kHz, silence trimmed
voices/{name}/transcript.txt      what the reference says
outputs/{job}/speech.{ext}        narration
outputs/{job}/captions.{srt,vtt,ass}, outputs/{job}/words.{csv,json}
"""

from __future__ import annotations

import re

from voxcap.errors import InvalidInput, InvalidVoiceName

VOICES = "voices/"
OUTPUTS = "outputs/"
VOICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# Segments may not start with "." (no "..", and the local store's own dotfiles, such as its
# signing key and temp files, can never be named).
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


def voice_name(name: str) -> str:
    """``name`` if it is a safe slug (lower-case letters, digits, - and _; 1-64 chars)."""
    if not VOICE_NAME.fullmatch(name):
        raise InvalidVoiceName(
            f"invalid voice name {name!r}: use 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def voice_prefix(name: str) -> str:
    return f"{VOICES}{voice_name(name)}/"


def voice_meta(name: str) -> str:
    return voice_prefix(name) + "voice.json"


def voice_reference(name: str) -> str:
    return voice_prefix(name) + "reference.wav"


def voice_transcript(name: str) -> str:
    return voice_prefix(name) + "transcript.txt"


def voice_original(name: str, suffix: str) -> str:
    suffix = suffix.lower() if _SUFFIX.fullmatch(suffix.lower()) else ".bin"
    return voice_prefix(name) + f"original{suffix}"


def output_prefix(job: str) -> str:
    return check(f"{OUTPUTS}{job}") + "/"


def output(job: str, filename: str) -> str:
    return check(f"{OUTPUTS}{job}/{filename}")


def check(key: str) -> str:
    """``key`` if it is a safe relative object key (no '..', no absolute paths, no dotfiles)."""
    if not _KEY.fullmatch(key):
        raise InvalidInput(f"invalid object key {key!r}")
    return key
