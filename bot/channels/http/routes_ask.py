"""/v1/ask, /v1/search, /v1/compare and the filter lists the staff page fills its menus from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

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
from knowledge.retrieval.passages import Hit
from knowledge.topics import TOPICS

router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], responses=documented_errors())
ServicesDep = Annotated[Services, Depends(get_services)]
QueryText = Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="question or keywords")]
RegionName = Annotated[str | None, Query(min_length=1, max_length=MAX_REGION_CHARS, description="涪陵, 资阳市…")]
TopicName = Annotated[Topic | None, Query(description="only passages about this topic")]


def resolve_region(services: Services, name: str | None) -> str | None:
    """Canonical region of any of its names; 422 with the known names when there is none."""
    if name is None or not name.strip():
        return None
    knowledge = services.knowledge
    region = knowledge.resolve_region(name)
    if region is None:
        shorts = [knowledge.retrieval.index.gazetteer.short_name(r) for r in knowledge.region_names()]
        raise HTTPException(422, f"不认识的地区：{name}。可选：{'、'.join(shorts)}。 / Unknown region {name!r}; "
                                 f"known regions: {', '.join(shorts)}.")
    return region


def find_passages(services: Services, query: str, region: str | None, topic: Topic | None, k: int) -> list[Hit]:
    """The knowledge base's hits; with a topic, only passages about it."""
    return services.knowledge.search(query, region=region, k=k, topic=topic.value if topic else None)


@router.post("/ask", response_model=AskResponse, summary="Answer a question (the ask contract)")
def ask(body: AskRequest, services: ServicesDep) -> dict[str, object]:
    """One turn through the dialogue core; `conversation` keeps state between turns."""
    region = resolve_region(services, body.region)
    turn = Turn(text=body.question, conversation=body.conversation, region=region, staff=body.staff)
    return services.respond(turn).to_dict()


@router.get("/search", response_model=SearchResponse, summary="Passages of the plans for a query")
def search(services: ServicesDep, q: QueryText, region: RegionName = None, topic: TopicName = None,
           k: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, object]:
    """Best passages, best first, with everything needed to cite them."""
    hits = find_passages(services, q, resolve_region(services, region), topic, k)
    return {"sources": [hit.to_source() for hit in hits]}


@router.get("/compare", response_model=CompareResponse, summary="Each region's best passage, side by side")
def compare(services: ServicesDep, q: QueryText, topic: TopicName = None) -> CompareResponse:
    """One row per region in manifest order; `source` is null where that plan says nothing on it."""
    knowledge = services.knowledge
    rows = []
    for region in knowledge.region_names():
        hits = find_passages(services, q, region, topic, 1)
        best = hits[0] if hits else None
        rows.append(CompareRow(
            region=region,
            short_region=knowledge.retrieval.index.gazetteer.short_name(region),
            citation=best.passage.citation if best else None,
            source=Source(**best.to_source()) if best else None,  # type: ignore[arg-type]
        ))
    return CompareResponse(query=q, rows=rows)


@router.get("/regions", response_model=RegionsResponse, summary="Regions the plans cover")
def regions(services: ServicesDep) -> RegionsResponse:
    knowledge = services.knowledge
    return RegionsResponse(regions=[RegionInfo(name=r, short_name=knowledge.retrieval.index.gazetteer.short_name(r))
                                    for r in knowledge.region_names()])


@router.get("/topics", response_model=TopicsResponse, summary="Topic filters of the search")
def topics() -> TopicsResponse:
    return TopicsResponse(topics=[TopicInfo(name=Topic(t.name), label=t.label) for t in TOPICS.values()])
