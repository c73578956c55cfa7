"""The voice library: reference clips with transcripts, kept in a Store.

Workers keep a local copy of each reference (``reference()``): concurrent processes download a
voice once under an ``flock`` (released by the kernel if the holder dies), write it to a temp
file and rename it into place, so nobody reads a half-written file.
"""

from __future__ import annotations

import builtins
import fcntl
import hashlib
import json
import logging
import secrets
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from voxcap import audio as audio_io
from voxcap.aligners.base import Aligner
from voxcap.domain import Reference, Voice
from voxcap.errors import (
    AudioDecodeError,
    AuthRejected,
    ObjectExists,
    ObjectNotFound,
    TooLarge,
    UrlRefused,
    VoiceExists,
    VoiceNotFound,
)
from voxcap.fetch import FetchPolicy, display_url, fetch
from voxcap.reference import (
    DECODED_SECONDS,
    Transcribe,
    kept_clip,
    prepare_reference,
)
from voxcap.reference import RATE as REFERENCE_RATE
from voxcap.settings import Settings
from voxcap.storage import Store, keys
from voxcap.storage.local import write_atomic

log = logging.getLogger(__name__)


class VoiceLibrary:
    """Add, list, show, rename and delete voices; cache references on local disk.

    A library is *scoped*: the shared one (``scope=None``, what the CLI, RunPod and a keyless
    API use) or one API key's view (:meth:`for_caller`), which adds to and deletes from the
    key's private voices and reads its own voices before the shared ones.

    Every change is atomic on any store: a voice's files go to a fresh version folder, then
    ``voice.json`` (which names that folder) is written, exclusively when adding, so of two
    concurrent adds exactly one wins and nobody ever reads a mix of two versions.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        scope: str | None = None,
        transcribe: Transcribe | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.scope = scope
        self.transcribe = transcribe  # fills in the transcript of a clip added without one
        self._policy = FetchPolicy.of(
            settings.max_voice_bytes, settings.fetch_timeout, settings.fetch_allow_networks
        )

    def for_caller(self, caller: str) -> VoiceLibrary:
        """The library as an API caller sees it: ``key:<hash>`` callers get a private scope;
        without API keys (``ip:...`` callers) every voice is shared."""
        if not caller.startswith("key:"):
            return self
        return VoiceLibrary(self.store, self.settings, f"_{caller[4:20]}", self.transcribe)

    # ---------------------------------------------------------------- adding
    def add_from(
        self, name: str, location: str, transcript: str = "", replace: bool = False
    ) -> Voice:
        """Add a voice from a file path or an http(s) URL."""
        keys.voice_name(name)  # refuse a bad name, or a taken one, before any download
        if not replace and self.store.exists(keys.voice_meta(self._ref(name))):
            raise VoiceExists(f"voice {name!r} already exists; delete it or replace it")
        if location.startswith(("http://", "https://")):
            data, filename = fetch(location, self._policy)
            return self.add(
                name,
                data,
                transcript=transcript,
                filename=filename,
                source=display_url(location),
                replace=replace,
            )
        path = Path(location).expanduser()
        if "://" in location:
            raise UrlRefused(f"only http(s) URLs can be fetched, not {location.split(':', 1)[0]}:")
        if not path.is_file():
            raise AudioDecodeError(f"no audio file at {location}")
        if path.stat().st_size > self.settings.max_voice_bytes:
            raise TooLarge(
                f"{path.name} is over the limit of {self.settings.max_voice_bytes:,} bytes"
            )
        return self.add(
            name,
            path.read_bytes(),
            transcript=transcript,
            filename=path.name,
            source=f"file:{path.name}",
            replace=replace,
        )

    def add(
        self,
        name: str,
        data: bytes,
        *,
        transcript: str,
        filename: str,
        source: str,
        replace: bool = False,
    ) -> Voice:
        """Validate a clip and store it with its normalised reference and transcript; an
        empty ``transcript`` is filled in by :attr:`transcribe` (speech recognition) when the
        library has it.

        Raises:
            InvalidVoiceName, VoiceExists, TooLarge, AudioDecodeError, VoiceAudioInvalid,
            NoSpeech (nothing recognised in a clip given without a transcript).
        """
        ref = self._ref(name)
        if not replace and self.store.exists(keys.voice_meta(ref)):
            raise VoiceExists(f"voice {name!r} already exists; delete it or replace it")
        if len(data) > self.settings.max_voice_bytes:
            raise TooLarge(f"the clip is over the limit of {self.settings.max_voice_bytes:,} bytes")
        reference, notes = kept_clip(audio_io.decode(data, filename, DECODED_SECONDS))
        if not transcript.strip() and self.transcribe is not None:
            transcript = self.transcribe(reference)
            notes = (*notes, "transcribed by speech recognition: check the transcript")
        version = _new_version()
        voice = Voice(
            name,
            round(reference.duration, 3),
            REFERENCE_RATE,
            transcript.strip(),
            datetime.now(UTC).isoformat(timespec="seconds"),
            source,
            keys.voice_original(ref, version, Path(filename).suffix or ".bin"),
            len(data),
            keys.voice_reference(ref, version),
            shared=self.scope is None,
            notes=notes,
        )
        wav = audio_io.encode(reference, audio_io.FORMATS["wav"])
        self._commit(voice, ref, version, data, wav, replace=replace)
        return voice

    def _commit(
        self, voice: Voice, ref: str, version: str, original: bytes, wav: bytes, replace: bool
    ) -> None:
        """Write a version's files, then ``voice.json`` naming them (exclusively unless
        ``replace``); then drop the version it displaced. Nothing is left on failure."""
        previous = self._read(ref) if replace else None
        objects = [
            (voice.original, original, "application/octet-stream"),
            (voice.reference, wav, "audio/wav"),
            (keys.voice_transcript(ref, version), voice.transcript.encode(), "text/plain"),
        ]
        written: builtins.list[str] = []
        try:
            for key, blob, content_type in objects:
                self.store.put(key, blob, content_type)
                written.append(key)
            meta = json.dumps(asdict(voice)).encode()
            self.store.put(keys.voice_meta(ref), meta, "application/json", exclusive=not replace)
        except ObjectExists:
            self._remove(written)
            raise VoiceExists(f"voice {voice.name!r} already exists") from None
        except BaseException:
            self._remove(written)
            raise
        if previous is not None and _folder(previous.original) != _folder(voice.original):
            self._remove_files(ref, previous)

    # ---------------------------------------------------------------- reading
    def get(self, name: str) -> Voice:
        """The voice called ``name`` (this scope's own first, then the shared one).
        Raises VoiceNotFound."""
        voice = self._read(self.locate(name))
        if voice is None:
            raise VoiceNotFound(f"no voice named {name!r}")
        return voice

    def locate(self, name: str) -> str:
        """The reference (``name`` or ``_scope/name``) of the voice this scope sees as
        ``name``. Raises VoiceNotFound, InvalidVoiceName."""
        keys.voice_name(name)
        for ref in self._refs(name):
            if self.store.exists(keys.voice_meta(ref)):
                return ref
        raise VoiceNotFound(f"no voice named {name!r}")

    def exists(self, name: str) -> bool:
        """Whether this scope sees a voice ``name`` (or a scoped reference names one)."""
        if "/" in name:
            return bool(keys.VOICE_REF.fullmatch(name)) and self.store.exists(keys.voice_meta(name))
        if not keys.VOICE_NAME.fullmatch(name):
            return False
        return any(self.store.exists(keys.voice_meta(ref)) for ref in self._refs(name))

    def list(self) -> list[Voice]:
        """This scope's voices and the shared ones (a private voice hides a shared one of the
        same name); voices deleted while listing are left out."""
        found: dict[str, Voice] = {}
        for scope in dict.fromkeys([None, self.scope]):  # shared first, own voices override
            prefix = keys.voice_scope_prefix(scope)
            for key in self.store.list(prefix):
                parts = key[len(prefix) :].split("/")
                if len(parts) == 2 and parts[1] == "voice.json":
                    voice = self._read(keys.scoped(scope, parts[0]))
                    if voice is not None:
                        found[voice.name] = voice
        return [found[name] for name in sorted(found)]

    def rename(self, old: str, new: str) -> Voice:
        """Give voice ``old`` the name ``new``. Raises VoiceNotFound, VoiceExists."""
        voice = self.get(old)
        old_ref, new_ref = self._ref(old), self._ref(new)
        if self.store.exists(keys.voice_meta(new_ref)):
            raise VoiceExists(f"voice {new!r} already exists")
        if old_ref != self.locate(old):
            raise AuthRejected(f"voice {old!r} is shared; only the operator can rename it")
        version = _new_version()
        renamed = Voice(
            **{
                **asdict(voice),
                "name": new,
                "original": keys.voice_original(new_ref, version, Path(voice.original).suffix),
                "reference": keys.voice_reference(new_ref, version),
            }
        )
        original = self.store.get(voice.original)
        wav = self.store.get(self._reference_key(old_ref, voice))
        self._commit(renamed, new_ref, version, original, wav, replace=False)
        self.delete(old)
        return renamed

    def delete(self, name: str, missing_ok: bool = False) -> None:
        """Remove a voice of this scope: its ``voice.json`` first (so it is no longer listed),
        then exactly the files that ``voice.json`` named.

        Raises:
            VoiceNotFound, AuthRejected: a scoped caller deleting a shared voice.
        """
        ref = self._ref(name)
        voice = self._read(ref)
        if voice is None:
            if self.scope is not None and not missing_ok and self.exists(name):
                raise AuthRejected(f"voice {name!r} is shared; only the operator can delete it")
            if missing_ok:
                return
            raise VoiceNotFound(f"no voice named {name!r}")
        self.store.delete(keys.voice_meta(ref))
        self._remove_files(ref, voice)

    def _ref(self, name: str) -> str:
        return keys.scoped(self.scope, name)

    def _refs(self, name: str) -> builtins.list[str]:
        """Where ``name`` may live, in lookup order."""
        own = self._ref(name)
        return [own] if self.scope is None else [own, keys.scoped(None, name)]

    def _read(self, ref: str) -> Voice | None:
        """The voice at ``ref``, or None when there is none (or it vanished meanwhile)."""
        try:
            meta = json.loads(self.store.get(keys.voice_meta(ref)))
        except ObjectNotFound:
            return None
        return Voice(**{**meta, "shared": "/" not in ref, "notes": tuple(meta.get("notes", ()))})

    def _reference_key(self, ref: str, voice: Voice) -> str:
        return voice.reference or keys.voice_prefix(ref) + "reference.wav"  # pre-0.2 layout

    def _remove_files(self, ref: str, voice: Voice) -> None:
        folder = _folder(voice.original)
        if folder == keys.voice_prefix(ref):  # pre-0.2 layout: no version folders
            self._remove([k for k in self.store.list(folder) if k.count("/") == folder.count("/")])
        else:
            self._remove(self.store.list(folder))

    def _remove(self, objects: builtins.list[str]) -> None:
        for key in objects:
            self.store.delete(key)

    # ---------------------------------------------------------------- worker cache
    def reference(self, ref: str) -> Path:
        """A local path of the voice's normalised reference WAV, downloaded once per version.
        ``ref`` is a name or a scoped reference (:meth:`locate`)."""
        return self._local(ref, self._get_ref(ref))

    def _get_ref(self, ref: str) -> Voice:
        voice = self._read(keys.voice_ref(ref))
        if voice is None:
            raise VoiceNotFound(f"no voice named {ref.rsplit('/', 1)[-1]!r}")
        return voice

    def _local(self, ref: str, voice: Voice) -> Path:
        name = ref
        version = hashlib.sha256(f"{ref}\n{voice.created}\n{voice.reference}".encode()).hexdigest()
        version = version[:16]
        folder = self.settings.voice_cache_dir / name
        target = folder / f"{version}.wav"
        if target.is_file():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "a") as lock:  # flock dies with its holder: never stale
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not target.is_file():
                    for leftover in folder.glob(".tmp-*"):  # from a writer that was killed
                        leftover.unlink(missing_ok=True)
                    log.info("downloading voice %s from %s", name, self.store.url)
                    write_atomic(target, self.store.get(self._reference_key(ref, voice)))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return target

    def prepared(
        self, name: str, aligner: Aligner, transcribe: Transcribe | None = None
    ) -> Reference:
        """The voice ``name`` (a name or a scoped reference) ready to clone: its reference cut
        to at most 12 s at a pause, with the transcript cut at the same word
        (:mod:`voxcap.reference`). Cached on local disk beside the reference, so only the first
        request after a change aligns."""
        voice = self._get_ref(name)
        local = self._local(name, voice)
        wav, txt = local.with_suffix(".prepared.wav"), local.with_suffix(".prepared.txt")
        if wav.is_file() and txt.is_file():
            return Reference(name, audio_io.decode(wav.read_bytes()), txt.read_text())
        reference = prepare_reference(
            audio_io.decode(local.read_bytes()),
            voice.transcript,
            aligner,
            name=name,
            transcribe=transcribe,
        )
        write_atomic(txt, reference.text.encode())
        write_atomic(wav, audio_io.encode(reference.audio, audio_io.FORMATS["wav"]))
        return reference


def _new_version() -> str:
    return f"v{time.time_ns():x}{secrets.token_hex(3)}"


def _folder(key: str) -> str:
    return key.rsplit("/", 1)[0] + "/"
