"""Dialogue scripts: lines ``NAME: text`` or ``[NAME] text``, read by a voice per speaker.

A text is a dialogue when every line with words starts with a speaker label and there are at
least two speakers, or when the request maps speakers to voices (then a line without a label
goes on with the speaker before it). The labels are neither spoken nor captioned: the
captions' text is the lines without them, and every word knows its speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voxcap.errors import InvalidInput

MAX_SPEAKERS = 8
_LABEL_RE = re.compile(
    r"^\s*(?:\[(?P<bracket>[^\]\n]{1,32})\]|(?P<colon>[^\W\d_][\w .'-]{0,31}?)\s*:)"
    r"\s+(?P<rest>\S.*)$"
)


@dataclass(frozen=True, slots=True)
class Dialogue:
    """A dialogue read: ``text`` (the lines without their labels), the speaker of each of its
    words, and the speakers in order of appearance."""

    text: str
    speakers: tuple[str, ...]
    cast: tuple[str, ...]


def _label(line: str) -> tuple[str, str] | None:
    m = _LABEL_RE.match(line)
    if m is None:
        return None
    name = (m["bracket"] or m["colon"]).strip()
    if m["colon"] and len(name.split()) > 3:  # "The plan was simple: ..." is prose
        return None
    return name, m["rest"]


def parse(text: str, mapped: bool = False) -> Dialogue | None:
    """The dialogue in ``text``, or None when it is not one (see the module's docs).
    ``mapped``: the request names voices for speakers, so labelled lines are a dialogue even
    with one speaker.

    Raises:
        InvalidInput: a mapped script whose first line has no speaker, or too many speakers.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    labelled = [_label(line) for line in lines]
    names = list(dict.fromkeys(x[0] for x in labelled if x is not None))
    if not mapped and (not names or None in labelled or len(names) < 2):
        return None
    if not names:
        return None
    if labelled[0] is None:
        raise InvalidInput("a dialogue's first line needs a speaker: 'NAME: text' or '[NAME] text'")
    if len(names) > MAX_SPEAKERS:
        raise InvalidInput(f"a dialogue has at most {MAX_SPEAKERS} speakers, not {len(names)}")
    said: list[str] = []
    speakers: list[str] = []
    speaker = names[0]
    for line, label in zip(lines, labelled, strict=True):
        if label is not None:
            speaker, line = label
        words = line.split()
        said.append(" ".join(words))
        speakers.extend([speaker] * len(words))
    return Dialogue("\n".join(said), tuple(speakers), tuple(names))
