"""``/v1/brands``: brand kits, saved caption looks used by name (``"brand"`` in a request;
:mod:`voxcap.brands`). They are shared by every key of the server, as a team's kit is."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from voxcap.api.deps import Caller, PoolsDep, RuntimeDep

router = APIRouter(prefix="/v1/brands")


class BrandIn(BaseModel):
    """A brand kit: its name, the look (the request's caption field names) and keywords."""

    model_config = ConfigDict(extra="forbid")

    name: str
    caption_style: str | None = None
    font: str | None = None
    font_size: int | None = None
    colour: str | None = None
    highlight: str | None = None
    keyword_colour: str | None = None
    outline: float | None = None
    position: str | None = None
    animation: str | None = None
    keywords: list[str] = Field([], max_length=100)
    replace: bool = False

    def look(self) -> dict[str, Any]:
        fields = self.model_dump(exclude={"name", "keywords", "replace"}, exclude_none=True)
        if "caption_style" in fields:
            fields["style"] = fields.pop("caption_style")
        return fields


@router.post("", status_code=201)
async def add(body: BrandIn, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> dict[str, Any]:
    brand = await pools.io.run(
        rt.brands.add, body.name, body.look(), tuple(body.keywords), body.replace
    )
    return asdict(brand)


@router.get("")
async def list_brands(who: Caller, rt: RuntimeDep, pools: PoolsDep) -> list[dict[str, Any]]:
    return [asdict(b) for b in await pools.io.run(rt.brands.list)]


@router.get("/{name}")
async def show(name: str, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> dict[str, Any]:
    return asdict(await pools.io.run(rt.brands.get, name))


@router.delete("/{name}", status_code=204)
async def delete(name: str, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> Response:
    await pools.io.run(rt.brands.delete, name)
    return Response(status_code=204)
