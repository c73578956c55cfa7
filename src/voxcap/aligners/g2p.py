"""Pronunciations for words missing from the aligner's dictionary, from espeak-ng's IPA.

espeak-ng (Debian ``espeak-ng``) phonemizes the word; the IPA is mapped onto the ARPAbet phone
set of the CMU/pocketsphinx en-US model.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from voxcap.errors import AlignmentError, MissingDependency
from voxcap.text.direction import ipa_of

# Longest match first; vowels + r and diphthongs before their parts.
IPA_TO_ARPABET: dict[str, str] = {
    "aɪɚ": "AY ER",
    "aɪə": "AY ER",
    "eɪ": "EY",
    "aɪ": "AY",
    "ɔɪ": "OY",
    "aʊ": "AW",
    "oʊ": "OW",
    "əʊ": "OW",
    "tʃ": "CH",
    "dʒ": "JH",
    "ɜː": "ER",
    "ɑː": "AA",
    "ɔː": "AO",
    "iː": "IY",
    "uː": "UW",
    "iə": "IY AH",
    "ɪə": "IH R",
    "ɛə": "EH R",
    "ʊə": "UH R",
    "ɑ": "AA",
    "æ": "AE",
    "ʌ": "AH",
    "ə": "AH",
    "ɐ": "AH",
    "ɔ": "AO",
    "ɛ": "EH",
    "e": "EY",
    "ɪ": "IH",
    "ᵻ": "IH",
    "i": "IY",
    "o": "OW",
    "ʊ": "UH",
    "u": "UW",
    "a": "AE",
    "ɚ": "ER",
    "ɝ": "ER",
    "ɜ": "ER",
    "b": "B",
    "d": "D",
    "ð": "DH",
    "f": "F",
    "ɡ": "G",
    "g": "G",
    "h": "HH",
    "j": "Y",
    "k": "K",
    "l": "L",
    "ɫ": "L",
    "m": "M",
    "n": "N",
    "ŋ": "NG",
    "p": "P",
    "ɹ": "R",
    "r": "R",
    "ɾ": "T",
    "s": "S",
    "ʃ": "SH",
    "t": "T",
    "θ": "TH",
    "v": "V",
    "w": "W",
    "z": "Z",
    "ʒ": "ZH",
    "ʔ": "T",
    "x": "K",
    "ç": "HH",
    "ɬ": "L",
    "y": "UW",
    "ø": "ER",
    "œ": "ER",
    "ʏ": "UH",
}
_LONGEST = max(len(k) for k in IPA_TO_ARPABET)


def ipa_to_arpabet(ipa: str) -> list[str]:
    """ARPAbet phones for an IPA string; stress, length and unknown marks are skipped."""
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        for n in range(_LONGEST, 0, -1):
            piece = ipa[i : i + n]
            if piece in IPA_TO_ARPABET:
                phones.extend(IPA_TO_ARPABET[piece].split())
                i += n
                break
        else:
            i += 1  # ˈ ˌ ː ̩ and anything else espeak marks
    return phones


@functools.lru_cache(maxsize=4096)
def pronounce(word: str, voice: str = "en-us") -> str:
    """Space-separated ARPAbet phones for ``word`` (an IPA token, ``/.../``, is mapped as it
    is: a pronunciation a lexicon or SSML gave).

    Raises:
        MissingDependency: espeak-ng is not installed.
        AlignmentError: espeak-ng gave no usable pronunciation.
    """
    ipa = ipa_of(word)
    if ipa is not None:
        phones = ipa_to_arpabet(ipa)
        if not phones:
            raise AlignmentError(f"no phones the aligner knows in the IPA {ipa!r}")
        return " ".join(phones)
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise MissingDependency(
            "espeak-ng is needed to align words missing from the dictionary "
            "(Debian/Ubuntu: apt-get install espeak-ng)"
        )
    done = subprocess.run(
        [exe, "-q", "--ipa", "-v", voice, "--", word],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    phones = ipa_to_arpabet(done.stdout.strip())
    if done.returncode != 0 or not phones:
        raise AlignmentError(f"no pronunciation for {word!r}: {done.stderr.strip()}")
    return " ".join(phones)
