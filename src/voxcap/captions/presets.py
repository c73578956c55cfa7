"""Caption looks for social video (``--caption-style``): each preset is a data record; the ASS
writer (:mod:`voxcap.captions.ass_styles`) draws any of them. A user overrides a preset's font,
size, colours, outline and position with the same names everywhere (CLI ``--font``,
``--font-size``, ``--colour``, ``--highlight``, ``--outline``, ``--position``; the same fields
in the HTTP/RunPod body and :class:`voxcap.domain.CaptionOptions`).

Effects:

- ``fill``: the cue is shown; each word fills with the highlight colour as it is said (karaoke);
- ``active``: the cue is shown; only the word being said is in the highlight colour;
- ``pop``: one word at a time, popping in;
- ``none``: the cue, static.

Flair: ``keyword`` is the colour of the words a user names (``--keywords``) and, in presets
with ``emphasis``, of numbers, money, percentages and names; ``animation`` is how the word
being said comes in (``pop``, ``scale``, ``bounce`` or ``none``; ``active`` presets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from voxcap.captions.fit import font_families
from voxcap.domain import CaptionOptions
from voxcap.errors import InvalidInput

Effect = Literal["fill", "active", "pop", "none"]
Position = Literal["bottom", "middle"]
Animation = Literal["none", "pop", "scale", "bounce"]
ANIMATIONS: tuple[str, ...] = ("none", "pop", "scale", "bounce")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True, slots=True)
class Preset:
    """A caption look. Sizes are pixels on a 1080-pixel-wide short side; colours #RRGGBB."""

    name: str
    effect: Effect
    font: str = "DejaVu Sans"
    size: int = 84
    colour: str = "#FFFFFF"
    highlight: str = "#FFD600"
    outline: float = 6.0
    shadow: float = 2.0
    uppercase: bool = False
    keyword: str = "#FF8A00"  # the user's keywords (and, with emphasis, numbers and names)
    emphasis: bool = False  # numbers, money, percentages and names in the keyword colour
    animation: Animation = "none"  # how the word being said comes in (active presets)
    position: Position = "bottom"


PRESETS: dict[str, Preset] = {
    "karaoke": Preset("karaoke", "fill"),
    "word": Preset("word", "pop", size=120, highlight="#FFFFFF"),
    "plain": Preset("plain", "none"),
    "highlight": Preset(
        "highlight", "active", font="League Spartan", size=96, highlight="#3CE16E",
        keyword="#FFB020", animation="pop", position="middle",
    ),
    "bold": Preset(
        "bold", "active", font="Bebas Neue", size=150, highlight="#FFE000", outline=8,
        uppercase=True, keyword="#FF4D4D", emphasis=True, animation="bounce", position="middle",
    ),
    "accent": Preset(
        "accent", "active", font="League Spartan", size=92, highlight="#FFE45C",
        keyword="#FF8A00", emphasis=True, animation="scale", outline=7,
    ),
}  # fmt: skip


SHIPPED = frozenset(p.font for p in PRESETS.values())  # the fonts scripts/setup installs


def preset(
    name: str,
    *,
    font: str | None = None,
    size: int | None = None,
    colour: str | None = None,
    highlight: str | None = None,
    outline: float | None = None,
    position: str | None = None,
    keyword: str | None = None,
    animation: str | None = None,
) -> Preset:
    """The preset ``name`` with the overrides given (None keeps the preset's own).

    Raises:
        InvalidInput: an unknown preset, colour or position, or a size or outline out of range.
    """
    if name not in PRESETS:
        raise InvalidInput(f"unknown caption style {name!r}; choose one of: {', '.join(PRESETS)}")
    base = PRESETS[name]
    for label, value in (("colour", colour), ("highlight", highlight), ("keyword", keyword)):
        if value is not None and not _COLOUR.fullmatch(value):
            raise InvalidInput(f"{label} must be #RRGGBB, not {value!r}")
    if animation is not None and animation not in ANIMATIONS:
        raise InvalidInput(f"animation must be one of {', '.join(ANIMATIONS)}, not {animation!r}")
    if position is not None and position not in ("bottom", "middle"):
        raise InvalidInput(f"position must be bottom or middle, not {position!r}")
    if size is not None and not 8 <= size <= 400:
        raise InvalidInput(f"font size must be 8 to 400, not {size}")
    if outline is not None and not 0 <= outline <= 40:
        raise InvalidInput(f"outline must be 0 to 40, not {outline}")
    if font is not None and not font.strip():
        raise InvalidInput("font must name a font family")
    if font is not None and font.strip().lower() not in font_families():
        raise InvalidInput(
            f"font {font!r} is not installed (fontconfig would draw another one); "
            f"`fc-list : family` lists the installed ones, e.g. {', '.join(sorted(SHIPPED))}"
        )
    changes: dict[str, Any] = {
        "font": font,
        "size": size,
        "colour": colour,
        "highlight": highlight,
        "outline": outline,
        "position": position,
        "keyword": keyword,
        "animation": animation,
    }
    return replace(base, **{k: v for k, v in changes.items() if v is not None})


def look(options: CaptionOptions) -> Preset:
    """The caption preset of ``options`` with their overrides of its look. Raises
    InvalidInput."""
    return preset(
        options.style,
        font=options.font,
        size=options.font_size,
        colour=options.colour,
        highlight=options.highlight,
        outline=options.outline,
        position=options.position,
        keyword=options.keyword_colour,
        animation=options.animation,
    )
