"""``/v1/lexicons``: pronunciation lexicons used by name (``"lexicons"`` in a request;
:mod:`voxcap.lexicons`). ``default`` applies to every narration, one named after a library
voice to that voice's. Shared by every key of the server, as the brand kits are."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voxcap.api.deps import Caller, PoolsDep, RuntimeDep
from voxcap.errors import InvalidRequest
from voxcap.lexicons import FORMATS, MAX_ENTRIES, Lexicon, parse
from voxcap.schemas import PronunciationIn

router = APIRouter(prefix="/v1/lexicons")
MEDIA_TYPES = {"pls": "application/pls+xml", "tsv": "text/tab-separated-values"}


class LexiconIn(BaseModel):
    """Entries to add to a lexicon (made if new); ``replace``: it holds these only."""

    model_config = ConfigDict(extra="forbid")

    entries: list[PronunciationIn] = Field(min_length=1, max_length=MAX_ENTRIES)
    replace: bool = False


def _document(lexicon: Lexicon) -> dict[str, Any]:
    entries = [
        {k: v for k, v in (("grapheme", e.grapheme), ("alias", e.alias), ("ipa", e.ipa)) if v}
        for e in lexicon.entries
    ]
    return {"name": lexicon.name, "entries": entries, "created": lexicon.created}


@router.put("/{name}")
async def put(
    name: str,
    request: Request,
    who: Caller,
    rt: RuntimeDep,
    pools: PoolsDep,
    replace: bool = False,
) -> dict[str, Any]:
    """Add entries: a JSON body (:class:`LexiconIn`), or a PLS or TSV file as the body
    (``?replace=true`` to hold its entries only)."""
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            given = LexiconIn.model_validate_json(body)
        except ValidationError as exc:
            problems = "; ".join(e["msg"] for e in exc.errors()[:3])
            raise InvalidRequest(f"the lexicon's entries: {problems}") from None
        entries = [e.pronunciation() for e in given.entries]
        replace = given.replace
    elif body:
        entries = await pools.io.run(parse, body, name)
    else:
        raise InvalidRequest("give the entries as JSON, or a PLS or TSV file as the body")
    lexicon = await pools.io.run(rt.lexicons.add, name, entries, replace)
    return _document(lexicon)


@router.get("")
async def list_lexicons(who: Caller, rt: RuntimeDep, pools: PoolsDep) -> list[dict[str, Any]]:
    found = await pools.io.run(rt.lexicons.list)
    return [{"name": x.name, "entries": len(x.entries), "created": x.created} for x in found]


@router.get("/{name}", response_model=None)
async def show(
    name: str,
    who: Caller,
    rt: RuntimeDep,
    pools: PoolsDep,
    format: Annotated[Literal["json", "pls", "tsv"], Query()] = "json",
) -> dict[str, Any] | Response:
    """The lexicon as JSON, or as a PLS or TSV file (``?format=pls``)."""
    lexicon = await pools.io.run(rt.lexicons.get, name)
    if format == "json":
        return _document(lexicon)
    return Response(FORMATS[format](lexicon.entries), media_type=MEDIA_TYPES[format])


@router.delete("/{name}", status_code=204)
async def delete(name: str, who: Caller, rt: RuntimeDep, pools: PoolsDep) -> Response:
    await pools.io.run(rt.lexicons.delete, name)
    return Response(status_code=204)


@router.delete("/{name}/entries/{grapheme}")
async def remove_entry(
    name: str, grapheme: str, who: Caller, rt: RuntimeDep, pools: PoolsDep
) -> dict[str, Any]:
    return _document(await pools.io.run(rt.lexicons.remove, name, [grapheme]))
