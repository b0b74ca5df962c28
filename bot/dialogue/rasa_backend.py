"""A Rasa server as the dialogue backend, through its REST channel."""

from __future__ import annotations

import logging

import httpx

from bot.dialogue import replies
from bot.dialogue.seam import Action, DialogueBackend, Reply, Turn
from knowledge.retrieval.passages import Hit, Passage

log = logging.getLogger(__name__)


class RasaBackend:
    """Sends each turn to /webhooks/rest/webhook; the custom actions attach the core's reply as JSON."""

    def __init__(self, url: str, fallback: DialogueBackend | None = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.fallback = fallback
        self._client = httpx.Client(timeout=timeout)

    def region_names(self) -> list[str]:
        return self.fallback.region_names() if self.fallback else ["涪陵", "资阳", "巫溪", "双桥", "万州"]

    def respond(self, turn: Turn) -> Reply:
        """One round trip to Rasa; when Rasa is down, the embedded fallback or a clear message."""
        message = turn.text if not turn.region else f"{turn.text}"
        payload = {"sender": turn.conversation or "anonymous", "message": message}
        try:
            response = self._client.post(f"{self.url}/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            return reply_from_messages(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("Rasa unreachable (%s)", type(exc).__name__)
            if self.fallback is not None:
                return self.fallback.respond(turn)
            text = "系统忙，请稍后再试。" + replies.WHERE_TO_ASK
            return Reply("out_of_scope", 0.0, Action.FALLBACK, text, text)


def reply_from_messages(messages: list[dict[str, object]]) -> Reply:
    """The core's reply when an action attached it as custom JSON, else Rasa's plain texts."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and "action" in custom:
            return reply_from_dict(custom)
    text = "\n".join(str(m["text"]) for m in messages if m.get("text")) or replies.fallback()
    buttons = [str(b.get("title")) for m in messages for b in (m.get("buttons") or []) if isinstance(b, dict)]
    action = Action.CLARIFY_REGION if buttons else Action.SMALLTALK
    return Reply("rasa", 0.0, action, text, text, None, [], buttons)


def reply_from_dict(data: dict[str, object]) -> Reply:
    """Rebuild a Reply from its to_dict() form."""
    sources = []
    for source in data.get("sources") or []:  # type: ignore[union-attr]
        passage = Passage(
            chunk_id=str(source.get("chunk_id", "")),
            text=str(source.get("text", "")),
            doc="",
            title=str(source.get("title", "")),
            region=str(source.get("region", "")),
            short_region="",
            section=str(source.get("section", "")),
            start=0,
            end=0,
        )
        sources.append(Hit(passage, float(source.get("score", 0.0))))
    return Reply(
        intent=str(data.get("intent", "")),
        confidence=float(data.get("confidence", 0.0)),  # type: ignore[arg-type]
        action=Action(str(data.get("action", "answer"))),
        answer=str(data.get("answer", "")),
        speech=str(data.get("speech", "")),
        region=data.get("region") or None,  # type: ignore[arg-type]
        sources=sources,
        options=[str(o) for o in data.get("options") or []],  # type: ignore[union-attr]
    )
