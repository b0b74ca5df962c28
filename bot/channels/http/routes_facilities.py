"""/v1/facilities: the places the plans name, near a named place or nearest to coordinates, with sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from bot.channels.http.errors import documented_errors
from bot.channels.http.security import require_api_key
from bot.channels.http.services import Services, get_services

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=documented_errors())
ServicesDep = Annotated[Services, Depends(get_services)]


@router.get("/facilities", summary="Facilities near a place (near=蔺市) or nearest to a point (lat, lon)")
def facilities(
    services: ServicesDep,
    near: Annotated[str | None, Query(min_length=1, max_length=200, description="a place or a question")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    topic: Annotated[str | None, Query(pattern="^(meal|station|elder_university|institution)$")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Each facility with the plan (and quote) it comes from; an empty list says the directory names none."""
    directory = services.facilities
    types = [topic] if topic else None
    if lat is not None and lon is not None:
        found = directory.nearest(lat, lon, types=types, limit=limit)
        return {"facilities": [{**f.to_source(), "distance_m": round(d)} for f, d in found]}
    if near is None:
        raise HTTPException(422, "请给出 near（地名）或 lat 和 lon。 / Give near (a place) or both lat and lon.")
    text = services.knowledge.index.text.normalize(near)
    return directory.near_place(text, types=types, limit=limit).to_dict()
