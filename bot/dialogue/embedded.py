"""The embedded backend: the dialogue core, the knowledge base and the facility directory behind the seam."""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from bot.dialogue.seam import (
    BadQuery,
    CompareRow,
    NearbyFacility,
    Region,
    Reply,
    Source,
    TopicInfo,
    Turn,
    topic_registry,
)
from knowledge.text.heard_places import repair_heard_regions

if TYPE_CHECKING:
    from bot.dialogue.core import DialogueCore
    from bot.settings import BotSettings
    from knowledge.facilities.directory import FacilityDirectory
    from knowledge.retrieval.search import KnowledgeBase
    from knowledge.text.same_sound import SameSoundReader

log = logging.getLogger(__name__)

HEARD_CONTEXT_PASSAGES = 5  # the passages whose words a heard text is read again with
_FULL_WIDTH = {"?": "？", "!": "！", ",": "，", ";": "；", ":": "："}
_CHINESE_MARK_AFTER_HAN = re.compile(r"(?<=[\u4e00-\u9fff])([?!,;:])")
_ENUMERATION_COMMA = re.compile(r"(?<=[\u4e00-\u9fff])、(?=[\u4e00-\u9fff])")


class EmbeddedBackend:
    """Everything in this process: light to build, opened by `warm_up()` (or the first call)."""

    def __init__(self, core: DialogueCore) -> None:
        self.core = core
        self._directory: FacilityDirectory | None = None
        self._heard_reader: SameSoundReader | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: BotSettings) -> EmbeddedBackend:
        from bot.dialogue.core import DialogueCore
        from bot.dialogue.state import open_conversations
        from knowledge.retrieval.search import KnowledgeBase

        conversations = open_conversations(settings.redis_url, settings.data_dir,
                                           settings.answers.conversation_max_age_s)
        core = DialogueCore(KnowledgeBase(settings.knowledge), settings.knowledge.index_dir / "intent-classifier.pkl",
                            conversations=conversations, settings=settings.answers)
        return cls(core)

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.core.knowledge

    def warm_up(self) -> None:
        self.core.warm_up()
        _ = self.directory

    def respond(self, turn: Turn) -> Reply:
        return self.core.respond(turn)

    def repair_heard(self, text: str) -> str:
        self.core.warm_up()
        index = self.knowledge.index
        # a recogniser's 、 inside what was said as one phrase (养老互助、点): its prompt's list habit, not a pause
        said = _ENUMERATION_COMMA.sub("", index.text.normalize(text))
        repaired = index.text.repair_homophones(said, heard=True)
        repaired = repair_heard_regions(index.gazetteer, self.heard_reader.reread(repaired))
        repaired = self.heard_reader.reread(repaired, self._passage_words(repaired))
        return _CHINESE_MARK_AFTER_HAN.sub(lambda m: _FULL_WIDTH[m.group(1)], repaired)  # NFKC made them ASCII

    def _passage_words(self, heard: str) -> list[str]:
        """The words of the passages the heard text finds: which same-sound reading the plans speak of (传委 is
        read 床位 when the passages found are about beds)."""
        from knowledge.retrieval.search import QueryError

        if not heard.strip():
            return []
        try:
            found = self.knowledge.search(heard, k=HEARD_CONTEXT_PASSAGES)
        except QueryError:  # nothing to search with (no Chinese): no context
            return []
        text = self.knowledge.index.text
        return [word for hit in found for word in text.tokenize(hit.passage.text)]

    @property
    def heard_reader(self) -> SameSoundReader:
        """Reads recognised speech again as the likeliest same-sound words, knowing the plans' and the users'
        example questions' character pairs (built at the first heard text: a few seconds)."""
        if self._heard_reader is None:
            from knowledge.text.nlu_data import load_training_data
            from knowledge.text.same_sound import same_sound_reader

            with self._lock:
                if self._heard_reader is None:
                    index = self.knowledge.index
                    known = [p.text for p in index.store.passages]
                    known += [example.text for example in load_training_data().examples]
                    reader = same_sound_reader(index.text, known)
                    reader.warm_up()
                    self._heard_reader = reader
        return self._heard_reader

    def regions(self) -> list[Region]:
        self.core.warm_up()
        return [Region(r.name, r.short_name) for r in self.knowledge.index.gazetteer.regions]

    def topics(self) -> list[TopicInfo]:
        return topic_registry()

    def resolve_region(self, name: str) -> Region:
        self.core.warm_up()
        canonical = self.knowledge.resolve_region(name)
        if canonical is None:
            shorts = "、".join(r.short_name for r in self.regions())
            raise BadQuery(f"不认识的地区：{name}。可选：{shorts}。 / Unknown region {name!r}; known regions: {shorts}.")
        return Region(canonical, self.knowledge.index.gazetteer.short_name(canonical))

    def search(self, query: str, region: str | None = None, topic: str | None = None, k: int = 5) -> list[Source]:
        from bot.dialogue.core import sources_of
        from knowledge.retrieval.search import QueryError

        self.core.warm_up()
        canonical = self.resolve_region(region).name if region else None
        try:
            return sources_of(self.knowledge.search(query, region=canonical, k=k, topic=topic))
        except QueryError as exc:
            raise BadQuery(str(exc)) from exc

    def compare(self, query: str, topic: str | None = None) -> list[CompareRow]:
        self.core.warm_up()
        if topic is not None and topic not in {t.name for t in self.topics()}:
            raise BadQuery(f"不认识的主题：{topic}。可选：{'、'.join(t.name for t in self.topics())}")
        found = self.core.compare_sources(query, topic)
        rows = []
        for region in self.regions():
            source, sentence, _ = found.get(region.name, (None, "", ""))
            rows.append(CompareRow(region, source, sentence))
        return rows

    @property
    def directory(self) -> FacilityDirectory:
        if self._directory is None:
            with self._lock:
                if self._directory is None:
                    self._directory = self.core.facilities.directory
        return self._directory

    def facilities_near(self, place: str, topic: str | None = None, limit: int = 10) -> dict[str, Any]:
        self.core.warm_up()
        text = self.knowledge.index.text.normalize(place)
        return self.directory.near_place(text, types=self._types(topic), limit=limit).to_dict()

    def facilities_nearest(self, lat: float, lon: float, topic: str | None = None,
                           limit: int = 10) -> list[NearbyFacility]:
        found = self.directory.nearest(lat, lon, types=self._types(topic), limit=limit)
        return [NearbyFacility(f.to_source(), float(d), self.directory.citation(f)) for f, d in found]

    def _types(self, topic: str | None) -> list[str] | None:
        from knowledge.facilities.schema import types_for

        if topic is None:
            return None
        try:
            return list(types_for([topic]))
        except ValueError as exc:
            raise BadQuery(str(exc)) from exc
