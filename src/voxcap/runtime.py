"""Runtime: the engines and aligners of one process, built from Settings once and reused."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from voxcap import registry
from voxcap.aligners import Aligner, create_aligner
from voxcap.audio import AUDIO_SUFFIXES
from voxcap.domain import Audio, Reference
from voxcap.engines import ENGINES, Engine, create_engine
from voxcap.engines.choice import Choice, default_engine
from voxcap.errors import InvalidInput, UnknownEngine, VoiceNotFound
from voxcap.reference import ReferenceCache, Transcribe
from voxcap.settings import Settings
from voxcap.storage import keys

if TYPE_CHECKING:
    from voxcap.aligners.sphinx import SphinxAligner
    from voxcap.asr import Transcriber
    from voxcap.brands import Brands
    from voxcap.lexicons import Lexicons
    from voxcap.storage import Store
    from voxcap.voices import VoiceLibrary


class Runtime:
    """Holds loaded engines and aligners so models load once per process."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._engines: dict[str, Engine] = {}
        self._aligners: dict[str, Aligner] = {}
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._voices: VoiceLibrary | None = None
        self._clips = ReferenceCache()
        self._transcriber: Transcriber | None = None
        self.engine_note: str | None = None  # why the default engine is the one it is
        self._default: Choice | None = None
        self._ready: set[str] = set()

    @property
    def store(self) -> Store:
        """The object store named by ``settings.storage`` (built on first use)."""
        if self._store is None:
            from voxcap.storage import create_store

            self._store = create_store(self.settings)
        return self._store

    @property
    def brands(self) -> Brands:
        """The brand kits in the store (voxcap.brands)."""
        from voxcap.brands import Brands

        return Brands(self.store)

    def store_exists(self) -> bool:
        """Whether the store may hold anything: a local store's folder exists (asking does not
        make it); any other store is taken to."""
        if self._store is not None or not self.settings.storage.startswith("file:"):
            return True
        from voxcap.storage.local import LocalStore

        return LocalStore.root_of(self.settings).is_dir()

    @property
    def lexicons(self) -> Lexicons:
        """The pronunciation lexicons in the store (voxcap.lexicons)."""
        from voxcap.lexicons import Lexicons

        return Lexicons(self.store)

    @property
    def voices(self) -> VoiceLibrary:
        """The voice library over :attr:`store`."""
        if self._voices is None:
            from voxcap.voices import VoiceLibrary

            self._voices = VoiceLibrary(self.store, self.settings, transcribe=self.transcribe)
        return self._voices

    def resolve_voice(
        self, voice: str | None, ref_text: str | None = None, engine: Engine | None = None
    ) -> str | Reference | None:
        """What ``engine`` should speak in: for a cloning engine, a prepared :class:`Reference`
        when ``voice`` names a library voice or an audio file (whose transcript is
        ``ref_text``); otherwise ``voice`` as given (a path or a name the engine knows).

        Raises:
            InvalidInput: a non-cloning engine was given a library voice; a clip has no text.
            VoiceAudioInvalid, AlignmentError: the reference cannot be prepared.
        """
        if voice is None:
            return None
        clones = engine is None or engine.clones
        if keys.VOICE_REF.fullmatch(voice) and voice not in (engine.presets if engine else ()):
            if engine is not None and not engine.clones:
                if self.voices.exists(voice):
                    raise InvalidInput(
                        f"engine {engine.name!r} cannot clone the library voice "
                        f"{voice.rsplit('/', 1)[-1]!r}; use the engine f5"
                    )
                return voice
            try:
                return self.voices.prepared(voice, self.aligner(), self.transcribe)
            except VoiceNotFound:
                return voice  # the engine says whether it knows the name
        path = Path(voice).expanduser()
        if path.suffix.lower() in AUDIO_SUFFIXES:
            if not clones:
                raise InvalidInput(
                    f"engine {engine.name if engine else ''!r} cannot clone the clip "
                    f"{path.name}; use the engine f5, or give a voice of its own"
                )
            return self._clips.file(path, ref_text or "", self.aligner(), self.transcribe)
        return voice

    def engine_name(self, name: str | None = None, voice: str | None = None) -> str:
        """The engine a request speaks with: ``name``, else ``VOXCAP_ENGINE``, else the one
        this machine can run (:mod:`voxcap.engines.choice`; F5 for a ``voice`` to clone).
        :attr:`engine_note` then says why, once.

        Raises:
            MissingDependency: a voice to clone, and F5 is not installed.
        """
        if name:
            return name
        if self.settings.engine:
            return self.settings.engine
        if voice is not None and self._is_clone(voice):
            choice = default_engine(clone=True)
        else:
            if self._default is None:  # what the machine has does not change
                self._default = default_engine(clone=False)
            choice = self._default
        self.engine_note = choice.note
        return choice.name

    def check_engine(self, name: str | None = None, voice: str | None = None) -> None:
        """Raise (ModelNotFound, ...) if the engine cannot run here, without loading its
        weights; a success is remembered for the process (a submit asks every time)."""
        name = self.engine_name(name, voice)
        if name not in self._ready:
            self.engine(name).check()
            self._ready.add(name)

    def _is_clone(self, voice: str) -> bool:
        """``voice`` is a clip or a library voice (something only a cloning engine speaks)."""
        if Path(voice).suffix.lower() in AUDIO_SUFFIXES:
            return True
        return keys.VOICE_REF.fullmatch(voice) is not None and self.voices.exists(voice)

    def engine_type(self, name: str | None = None, voice: str | None = None) -> type[Engine]:
        """The class of engine ``name`` (see :meth:`engine_name`) without building it (the
        loaded one's, if any).

        Raises:
            UnknownEngine: no engine has that name.
        """
        name = self.engine_name(name, voice)
        with self._lock:
            if name in self._engines:
                return type(self._engines[name])
        cls: type[Engine] = registry.create_class(ENGINES, name, UnknownEngine, "engine")
        return cls

    def engine(self, name: str | None = None, voice: str | None = None) -> Engine:
        """The engine ``name`` (see :meth:`engine_name`), loading it on first use."""
        name = self.engine_name(name, voice)
        with self._lock:
            if name not in self._engines:
                self._engines[name] = create_engine(name, settings=self.settings)
            return self._engines[name]

    @property
    def transcribe(self) -> Transcribe | None:
        """Speech recognition for clips without a transcript, when ``voxcap[asr]`` is
        installed (the model loads on first use); None otherwise."""
        if importlib.util.find_spec("faster_whisper") is None:
            return None
        return self._transcribe

    def _transcribe(self, audio: Audio) -> str:
        return self.transcriber().transcribe(audio)

    def transcriber(self) -> Transcriber:
        """The speech recognition model (``settings.asr_model``), loaded on first use.

        Raises:
            MissingDependency: ``voxcap[asr]`` is not installed.
            ModelNotFound: the model is not downloaded.
        """
        with self._lock:
            if self._transcriber is None:
                from voxcap.asr import Transcriber

                self._transcriber = Transcriber(self.settings)
            return self._transcriber

    def use_engine(self, engine: Engine) -> None:
        """Serve ``engine`` under its name (an engine built by hand, e.g. a wrapped one)."""
        with self._lock:
            self._engines[engine.name] = engine

    def use_aligner(self, aligner: Aligner) -> None:
        """Serve ``aligner`` under its name (an aligner built by hand, e.g. another model)."""
        with self._lock:
            self._aligners[aligner.name] = aligner

    def checker(self) -> SphinxAligner:
        """The aligner that verification searches with (:mod:`voxcap.verify`)."""
        from voxcap.aligners.sphinx import SphinxAligner

        aligner = self.aligner("sphinx")
        assert isinstance(aligner, SphinxAligner), "verification needs the sphinx aligner"
        return aligner

    def aligner(self, name: str | None = None) -> Aligner:
        """The aligner ``name`` (default: ``settings.aligner``), loading it on first use."""
        name = name or self.settings.aligner
        with self._lock:
            if name not in self._aligners:
                self._aligners[name] = create_aligner(name, settings=self.settings)
            return self._aligners[name]
