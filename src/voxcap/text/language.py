"""Which language a text is written in, told by its writing system, and whether an engine and
an aligner can handle it: checked before any model loads, so a text that cannot be spoken
fails at once with ``unsupported_language`` naming what can speak it."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection

from voxcap.errors import UnsupportedLanguage

# the first word of a letter's Unicode name -> (language code, name)
SCRIPTS: dict[str, tuple[str, str]] = {
    "LATIN": ("en", "English"),
    "CJK": ("zh", "Chinese"),
    "ARABIC": ("ar", "Arabic"),
    "CYRILLIC": ("ru", "Russian (Cyrillic script)"),
    "GREEK": ("el", "Greek"),
    "HEBREW": ("he", "Hebrew"),
    "DEVANAGARI": ("hi", "Hindi (Devanagari script)"),
    "THAI": ("th", "Thai"),
    "HANGUL": ("ko", "Korean"),
    "HIRAGANA": ("ja", "Japanese"),
    "KATAKANA": ("ja", "Japanese"),
    "BENGALI": ("bn", "Bengali"),
    "TAMIL": ("ta", "Tamil"),
    "ARMENIAN": ("hy", "Armenian"),
    "GEORGIAN": ("ka", "Georgian"),
}
NAMES = {code: name for code, name in SCRIPTS.values()}
SHARE = 0.3  # a writing system with at least this share of the letters sets the language


def language_of(text: str) -> str:
    """The language code of ``text`` by its letters' writing system ("en" for Latin letters,
    the only one voxcap reads as English; "zh" for Chinese characters, "ru" for Cyrillic...).
    A few words in another script inside an English text leave it English."""
    counts: Counter[str] = Counter()
    for c in text:
        if c.isalpha():
            script = unicodedata.name(c, "UNKNOWN").split(" ")[0]
            counts[SCRIPTS.get(script, ("?", script.title()))[0]] += 1
    total = sum(counts.values())
    if not total:
        return "en"
    if any(code == "ja" for code in counts):  # kana with kanji: Japanese, not Chinese
        counts["ja"] += counts.pop("zh", 0)
    code, count = max(
        ((c, n) for c, n in counts.items() if c != "en"), key=lambda x: x[1], default=("en", 0)
    )
    return code if count / total >= SHARE else "en"


def name_of(code: str) -> str:
    return NAMES.get(code, code)


def check_language(
    text: str,
    what: str,
    speaks: Collection[str] | None,
    others: dict[str, Collection[str] | None] | None = None,
) -> None:
    """Raise ``unsupported_language`` when ``text`` is in a language that ``what`` (an engine,
    a voice or an aligner) cannot handle; ``speaks`` None means any. ``others`` lists the
    alternatives by name, so the message can say which of them can.
    """
    code = language_of(text)
    if speaks is None or code in speaks:
        return
    able = [name for name, langs in (others or {}).items() if langs is None or code in langs]
    hint = f"; {', '.join(able)} can" if able else "; nothing installed here can"
    raise UnsupportedLanguage(
        f"the text is in {name_of(code)} ({code}), which {what} cannot handle "
        f"(it handles {', '.join(name_of(c) for c in sorted(speaks))}){hint}"
    )
