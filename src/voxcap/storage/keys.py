"""The only place that names objects. Layout (docs/STORAGE.md):

voices/{name}/voice.json                    metadata; written last (exclusively when adding),
                                            so its presence means "complete"; it names the
                                            version folder that holds the files:
voices/{name}/{version}/original{.ext}      the upload as received
voices/{name}/{version}/reference.wav       normalised: mono, 24 kHz, silence trimmed
voices/{name}/{version}/transcript.txt      what the reference says
voices/_{key}/{name}/...                    the same, for a voice private to one API key
outputs/{job}/speech.{ext}        narration
outputs/{job}/captions.{srt,vtt,ass}, outputs/{job}/words.{csv,json}
uploads/{id}/recording{.ext}      a recording sent to POST /v1/align, until its job ends
"""

from __future__ import annotations

import re

from voxcap.errors import InvalidInput, InvalidVoiceName

VOICES = "voices/"
OUTPUTS = "outputs/"
UPLOADS = "uploads/"
VOICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# A voice private to an API key: "_{16 hex of the key's hash}/{name}" (names never start with _).
SCOPE = re.compile(r"_[0-9a-f]{16}")
VOICE_REF = re.compile(rf"(?:{SCOPE.pattern}/)?{VOICE_NAME.pattern}")
VERSION = re.compile(r"v[0-9a-f]{12,32}")
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


def voice_ref(ref: str) -> str:
    """``ref`` if it names a voice: a name, or ``_{scope}/{name}`` for a private one."""
    if not VOICE_REF.fullmatch(ref):
        voice_name(ref.rsplit("/", 1)[-1])  # the name's own message when that is what is wrong
        raise InvalidVoiceName(f"invalid voice reference {ref!r}")
    return ref


def scoped(scope: str | None, name: str) -> str:
    """The reference of voice ``name`` in ``scope`` (None: the shared library)."""
    return voice_name(name) if scope is None else f"{scope}/{voice_name(name)}"


def voice_prefix(ref: str) -> str:
    return f"{VOICES}{voice_ref(ref)}/"


def voice_scope_prefix(scope: str | None) -> str:
    return VOICES if scope is None else f"{VOICES}{scope}/"


def voice_meta(ref: str) -> str:
    return voice_prefix(ref) + "voice.json"


def voice_version(ref: str, version: str) -> str:
    """The folder of one version of a voice's files."""
    if not VERSION.fullmatch(version):
        raise InvalidInput(f"invalid voice version {version!r}")
    return voice_prefix(ref) + version + "/"


def voice_reference(ref: str, version: str) -> str:
    return voice_version(ref, version) + "reference.wav"


def voice_transcript(ref: str, version: str) -> str:
    return voice_version(ref, version) + "transcript.txt"


def voice_original(ref: str, version: str, suffix: str) -> str:
    suffix = suffix.lower() if _SUFFIX.fullmatch(suffix.lower()) else ".bin"
    return voice_version(ref, version) + f"original{suffix}"


def output_prefix(job: str) -> str:
    return check(f"{OUTPUTS}{job}") + "/"


def output(job: str, filename: str) -> str:
    return check(f"{OUTPUTS}{job}/{filename}")


def upload(upload_id: str, suffix: str) -> str:
    """Where a recording sent to ``POST /v1/align`` waits for its job."""
    ext = suffix.lower() if _SUFFIX.fullmatch(suffix.lower()) else ".bin"
    return check(f"{UPLOADS}{upload_id}/recording{ext}")


def check(key: str) -> str:
    """``key`` if it is a safe relative object key (no '..', no absolute paths, no dotfiles)."""
    if not _KEY.fullmatch(key):
        raise InvalidInput(f"invalid object key {key!r}")
    return key
