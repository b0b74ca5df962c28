"""/v1/facilities: the places the plans name, near a named place or nearest to coordinates, with sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from bot.channels.http.errors import documented_errors
from bot.channels.http.schemas import FACILITY_TOPIC_PATTERN
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
    topic: Annotated[str | None, Query(pattern=FACILITY_TOPIC_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Each facility with the plan (and quote) it comes from; an empty list says the directory names none."""
    backend = services.backend
    if lat is not None and lon is not None:
        found = backend.facilities_nearest(lat, lon, topic=topic, limit=limit)
        return {"facilities": [{**f.details, "distance_m": round(f.distance_m)} for f in found]}
    if near is None:
        raise HTTPException(422, "请给出 near（地名）或 lat 和 lon。 / Give near (a place) or both lat and lon.")
    return backend.facilities_near(near, topic=topic, limit=limit)
