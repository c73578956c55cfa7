"""Brand kits: a saved caption look used by name (``--brand NAME``, ``"brand"`` in a request).

A brand holds any of the look's fields (a preset and its font, size, colours, outline,
position, keyword colour and animation, which also style the hook title) and keywords always
drawn in the keyword colour. What a request gives itself wins over the brand; the brand wins
over the preset. Brands live in the store beside the voices (``brands/NAME.json``), shared by
every face (CLI, API, studio, RunPod, library) of one store.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from voxcap.captions.presets import look as caption_look
from voxcap.domain import CaptionOptions
from voxcap.errors import BrandExists, BrandNotFound, InvalidInput, ObjectNotFound
from voxcap.storage import Store, keys

# the fields of CaptionOptions a brand may set (the look; not the cue grouping)
LOOK_FIELDS = (
    "style",
    "font",
    "font_size",
    "colour",
    "highlight",
    "keyword_colour",
    "outline",
    "position",
    "animation",
)
PREFIX = "brands/"


@dataclass(frozen=True, slots=True)
class Brand:
    """A saved look: ``look`` maps fields of :data:`LOOK_FIELDS` to values."""

    name: str
    look: dict[str, Any] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    created: str = ""

    def apply(
        self, options: CaptionOptions, given: AbstractSet[str] = frozenset()
    ) -> CaptionOptions:
        """``options`` with this brand's look wherever the request did not give its own
        (``given``: the fields it set), and its keywords added to the request's."""
        changes = {k: v for k, v in self.look.items() if k not in given}
        keywords = tuple(dict.fromkeys((*options.keywords, *self.keywords)))
        return replace(options, **changes, keywords=keywords)


class Brands:
    """The brand kits kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        name: str,
        look: dict[str, Any],
        keywords: tuple[str, ...] = (),
        replace_existing: bool = False,
    ) -> Brand:
        """Save a brand after checking its look (an unknown preset, a bad colour or an
        uninstalled font is InvalidInput, nothing saved).

        Raises:
            InvalidVoiceName: the name is not a slug. BrandExists: it exists (without replace).
        """
        keys.voice_name(name)
        unknown = set(look) - set(LOOK_FIELDS)
        if unknown:
            raise InvalidInput(
                f"a brand sets {', '.join(LOOK_FIELDS)}; not {', '.join(sorted(unknown))}"
            )
        look = {k: v for k, v in look.items() if v is not None}
        caption_look(CaptionOptions(**look))  # the checks every request gets
        if not replace_existing and self.store.exists(_key(name)):
            raise BrandExists(f"brand {name!r} already exists; remove it or replace it")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        brand = Brand(name, look, tuple(k for k in keywords if k.strip()), created)
        self.store.put(_key(name), json.dumps(asdict(brand)).encode(), "application/json")
        return brand

    def get(self, name: str) -> Brand:
        """The brand ``name``. Raises BrandNotFound."""
        keys.voice_name(name)
        try:
            data = json.loads(self.store.get(_key(name)))
        except ObjectNotFound:
            raise BrandNotFound(f"no brand named {name!r} (voxcap brands list)") from None
        return Brand(data["name"], data["look"], tuple(data["keywords"]), data["created"])

    def list(self) -> list[Brand]:
        return [self.get(k.removeprefix(PREFIX).removesuffix(".json")) for k in self._keys()]

    def delete(self, name: str) -> None:
        """Remove the brand ``name``. Raises BrandNotFound."""
        self.get(name)
        self.store.delete(_key(name))

    def _keys(self) -> builtins.list[str]:
        return sorted(k for k in self.store.list(PREFIX) if k.endswith(".json"))


def _key(name: str) -> str:
    return f"{PREFIX}{name}.json"
