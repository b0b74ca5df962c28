"""/v1/ask, /v1/search, /v1/compare and the filter lists the staff page fills its menus from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from bot.channels.http.errors import documented_errors
from bot.channels.http.schemas import (
    MAX_QUESTION_CHARS,
    MAX_REGION_CHARS,
    AskRequest,
    AskResponse,
    CompareResponse,
    CompareRow,
    RegionInfo,
    RegionsResponse,
    SearchResponse,
    Source,
    Topic,
    TopicInfo,
    TopicsResponse,
)
from bot.channels.http.security import require_api_key
from bot.channels.http.services import Services, get_services
from bot.dialogue.seam import Turn

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=documented_errors())
ServicesDep = Annotated[Services, Depends(get_services)]
QueryText = Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="question or keywords")]
RegionName = Annotated[str | None, Query(min_length=1, max_length=MAX_REGION_CHARS, description="涪陵, 资阳市…")]
TopicName = Annotated[Topic | None, Query(description="only passages about this topic")]


def resolve_region(services: Services, name: str | None) -> str | None:
    """Canonical region of any of its names; 422 with the known names when there is none."""
    if name is None or not name.strip():
        return None
    return services.backend.resolve_region(name).name


@router.post("/ask", response_model=AskResponse, summary="Answer a question (the ask contract)")
def ask(body: AskRequest, services: ServicesDep) -> dict[str, object]:
    """One turn through the dialogue core; `conversation` keeps state between turns."""
    region = resolve_region(services, body.region)
    turn = Turn(text=body.question, conversation=services.conversation("ask", body.conversation), region=region,
                staff=body.staff)
    return services.respond(turn).to_dict()


@router.get("/search", response_model=SearchResponse, summary="Passages of the plans for a query")
def search(services: ServicesDep, q: QueryText, region: RegionName = None, topic: TopicName = None,
           k: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, object]:
    """Best passages, best first, with everything needed to cite them."""
    found = services.backend.search(q, region=region, topic=topic.value if topic else None, k=k)
    return {"sources": [source.to_dict() for source in found]}


@router.get("/compare", response_model=CompareResponse, summary="Each region's answer, side by side")
def compare(services: ServicesDep, q: QueryText, topic: TopicName = None) -> CompareResponse:
    """One row per region in manifest order, through the same relevance gate as every answer; `source` is
    null where that plan says nothing relevant."""
    rows = [CompareRow(region=row.region.name, short_region=row.region.short_name,
                       citation=row.source.citation if row.source else None, sentence=row.sentence or None,
                       source=Source(**row.source.to_dict()) if row.source else None)  # type: ignore[arg-type]
            for row in services.backend.compare(q, topic.value if topic else None)]
    return CompareResponse(query=q, rows=rows)


@router.get("/regions", response_model=RegionsResponse, summary="Regions the plans cover")
def regions(services: ServicesDep) -> RegionsResponse:
    return RegionsResponse(regions=[RegionInfo(name=r.name, short_name=r.short_name)
                                    for r in services.backend.regions()])


@router.get("/topics", response_model=TopicsResponse, summary="Topic filters of the search")
def topics(services: ServicesDep) -> TopicsResponse:
    return TopicsResponse(topics=[TopicInfo(name=Topic(t.name), label=t.label) for t in services.backend.topics()])
