"""``voxcap brands add|list|show|rm``: brand kits, saved caption looks (voxcap.brands)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from voxcap.cli.app import comma_list, guarded, out, runtime

brands_app = typer.Typer(
    help="Brand kits: saved caption looks, used with --brand NAME.", no_args_is_help=True
)


@brands_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A slug: lower-case letters, digits, - and _.")],
    caption_style: Annotated[str | None, typer.Option(help="The preset it starts from.")] = None,
    font: Annotated[str | None, typer.Option(help="Font family (fc-list).")] = None,
    font_size: Annotated[int | None, typer.Option(help="Pixels at 1080 wide.")] = None,
    colour: Annotated[str | None, typer.Option(help="Text colour, #RRGGBB.")] = None,
    highlight: Annotated[
        str | None, typer.Option(help="Spoken word (and hook box) colour, #RRGGBB.")
    ] = None,
    keyword_colour: Annotated[str | None, typer.Option(help="Keywords' colour, #RRGGBB.")] = None,
    outline: Annotated[float | None, typer.Option(help="Outline width, pixels.")] = None,
    position: Annotated[str | None, typer.Option(help="bottom or middle.")] = None,
    animation: Annotated[str | None, typer.Option(help="none, pop, scale or bounce.")] = None,
    keywords: Annotated[
        str | None, typer.Option(help="Comma-separated words always in the keyword colour.")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite an existing brand.")] = (
        False
    ),
) -> None:
    """Save a look as a brand kit (checked as a request's look is: an unknown font or a bad
    colour is refused)."""

    def run() -> None:
        look = {
            "style": caption_style,
            "font": font,
            "font_size": font_size,
            "colour": colour,
            "highlight": highlight,
            "keyword_colour": keyword_colour,
            "outline": outline,
            "position": position,
            "animation": animation,
        }
        brand = runtime().brands.add(name, look, comma_list(keywords), replace)
        out.print(f"added brand {brand.name!r}: {_described(brand.look, brand.keywords)}")

    guarded(run)


@brands_app.command("list")
def list_brands(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The brand kits in the store."""

    def run() -> None:
        brands = runtime().brands.list()
        if as_json:
            out.print_json(json.dumps([asdict(b) for b in brands]))
            return
        table = Table("brand", "look", "created")
        for brand in brands:
            table.add_row(brand.name, _described(brand.look, brand.keywords), brand.created)
        out.print(table)

    guarded(run)


@brands_app.command("show")
def show(name: str) -> None:
    """One brand kit as JSON."""
    guarded(lambda: out.print_json(json.dumps(asdict(runtime().brands.get(name)))))


@brands_app.command("rm")
def remove(name: str) -> None:
    """Remove a brand kit."""

    def run() -> None:
        runtime().brands.delete(name)
        out.print(f"removed brand {name!r}")

    guarded(run)


def _described(look: dict[str, object], keywords: tuple[str, ...]) -> str:
    parts = [f"{k}={v}" for k, v in look.items()]
    if keywords:
        parts.append("keywords=" + ",".join(keywords))
    return " ".join(parts) or "(the default look)"
