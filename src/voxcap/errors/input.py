"""Bad input: the text, the audio, names of things that do not exist, URLs (HTTP 4xx, exit 2)."""

from __future__ import annotations

from voxcap.errors.base import InvalidInput


class EmptyText(InvalidInput):
    """The text is empty, whitespace or only punctuation."""

    code = "empty_text"


class TextTooLong(InvalidInput):
    """The text is longer than ``VOXCAP_MAX_TEXT_CHARS`` (default 20,000) or, to align to a
    recording, ``VOXCAP_MAX_ALIGN_CHARS`` (default 250,000)."""

    code = "text_too_long"
    http_status = 413


class SpeechTooLong(TextTooLong):
    """The text would take longer to say than ``VOXCAP_MAX_SPEECH_SECONDS`` (default 3,600),
    estimated from its spoken words before any synthesis: a short text can be long work (5,000
    digits are half an hour of speech)."""

    code = "speech_too_long"


class UnsupportedLanguage(InvalidInput):
    """The text is in a language the chosen engine, voice or aligner (or verification, which
    reads English) cannot handle; the message names the language and what can (checked before
    any model loads)."""

    code = "unsupported_language"


class AudioDecodeError(InvalidInput):
    """An audio file is missing, corrupt, empty or a video without sound (the message names the
    file); any format ffmpeg reads is accepted."""

    code = "audio_unreadable"


class AudioTooLong(AudioDecodeError):
    """An audio file would decode to more than its limit: a voice clip over 2 minutes, a
    recording to align over ``VOXCAP_MAX_AUDIO_SECONDS`` (default 3 hours), or a sample rate
    over 192 kHz. Checked from the file's header, or while decoding, so a small compressed file
    that would decode to gigabytes is refused before it takes the memory."""

    code = "audio_too_long"
    http_status = 413


class NoSpeech(AudioDecodeError):
    """A recording to caption without a script has no speech in it: silence, music, noise."""

    code = "no_speech"


class UnknownEngine(InvalidInput):
    """The engine named is not one of voxcap's."""

    code = "unknown_engine"


class UnknownAligner(InvalidInput):
    """The aligner named is not one of voxcap's (checked before synthesis)."""

    code = "unknown_aligner"


class UnknownFormat(InvalidInput):
    """An audio or caption format voxcap does not write."""

    code = "unknown_format"


class VoiceNotFound(InvalidInput):
    """No voice by that name (in the caller's library or the shared one), no such voice file."""

    code = "voice_not_found"
    http_status = 400


class OutputError(InvalidInput):
    """The output folder (``--out``) cannot be created or written."""

    code = "output_unwritable"


class UnknownAspect(InvalidInput):
    """A video aspect other than 9:16, 1:1 or 16:9."""

    code = "unknown_aspect"


class BackgroundInvalid(InvalidInput):
    """A video background that is missing, unreadable, over 50 MP or has no picture."""

    code = "background_invalid"


class NoEngineTimings(InvalidInput):
    """``timings=engine`` was asked of an engine or voice that reports none."""

    code = "engine_timings_unavailable"


class InvalidVoiceName(InvalidInput):
    """A voice name that is not a safe slug (1-64 lower-case letters, digits, - and _)."""

    code = "invalid_voice_name"


class VoiceExists(InvalidInput):
    """Adding a voice whose name is taken (replace it, or delete it first)."""

    code = "voice_exists"
    http_status = 409


class BrandNotFound(InvalidInput):
    """No brand kit by that name (``voxcap brands list``, ``GET /v1/brands``)."""

    code = "brand_not_found"
    http_status = 404


class BrandExists(InvalidInput):
    """Adding a brand kit whose name is taken (replace it, or remove it first)."""

    code = "brand_exists"
    http_status = 409


class LexiconNotFound(InvalidInput):
    """No pronunciation lexicon by that name (``voxcap lexicon list``, ``GET /v1/lexicons``)."""

    code = "lexicon_not_found"
    http_status = 404


class VoiceAudioInvalid(InvalidInput):
    """A voice clip that is silent, or not 1-30 s of speech after trimming silence."""

    code = "voice_audio_invalid"


class TooLarge(InvalidInput):
    """A clip (or fetched file) over ``VOXCAP_MAX_VOICE_BYTES``."""

    code = "too_large"
    http_status = 413


class UrlRefused(InvalidInput):
    """A URL that is malformed, not http(s), or points at a private address."""

    code = "url_refused"
    http_status = 400


class UrlFetchFailed(InvalidInput):
    """A URL that could not be fetched: connection error, HTTP status, too many redirects, or
    over ``VOXCAP_FETCH_TIMEOUT`` in all."""

    code = "url_fetch_failed"
    http_status = 400
