"""Text for speech: the user's words, what is actually spoken for each, and sentence chunks.

A *word* is a whitespace-separated token of the user's text exactly as written ("$3.50," "Dr.").
Each word becomes zero or more spoken *tokens* (plain lower-case words an engine and an aligner
can say: "three dollars fifty cents"), and every token remembers the index of its word, so timings
found for tokens map back exactly to the words the user wrote.

How a word is read is decided by one table of rules (:mod:`voxcap.text.rules`), one module per
class of token: money, dates and times, electronic (addresses, phone numbers, versions),
measures, numbers, Roman numerals, abbreviations, acronyms, and plain words. A rule sees the
words around its word ("July 4" is July fourth), but returns tokens for its own word only.
"""

from voxcap.text.language import check_language, language_of
from voxcap.text.preview import Spoken, spoken
from voxcap.text.script import Script, Sentence, Token, prepare, sentence_ends, words_of
from voxcap.text.words import SYMBOLS

__all__ = [
    "SYMBOLS",
    "Script",
    "Sentence",
    "Spoken",
    "Token",
    "check_language",
    "language_of",
    "prepare",
    "sentence_ends",
    "spoken",
    "words_of",
]
