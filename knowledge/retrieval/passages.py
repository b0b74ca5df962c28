"""The units retrieval hands out: plans, passages of plans, and scored hits."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Plan:
    """One plan document, as its manifest line describes it."""

    file: str
    title: str
    issuer: str
    doc_number: str
    date: str
    province: str
    city: str
    county: str
    source_file: str = ""

    @property
    def region(self) -> str:
        """Canonical region name, e.g. 重庆市涪陵区, 四川省资阳市, 河北省承德市双桥区."""
        city = "" if self.city == self.province else self.city
        return f"{self.province}{city}{self.county}"

    @property
    def short_region(self) -> str:
        """The name people use: 涪陵, 资阳, 双桥."""
        name = self.county or self.city or self.province
        return name[:-1] if len(name) > 2 and name[-1] in "区县市" else name


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of a plan with everything needed to cite it."""

    chunk_id: str
    text: str
    doc: str
    title: str
    region: str
    short_region: str
    section: str
    start: int
    end: int
    kind: str = "paragraph"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Passage:
        return cls(**data)  # type: ignore[arg-type]

    @property
    def citation(self) -> str:
        """One line a person can check: plan title · section."""
        return f"《{self.title}》 · {self.section}" if self.section else f"《{self.title}》"


@dataclass(frozen=True)
class Hit:
    """A passage with the score a retriever gave it for one query."""

    passage: Passage
    score: float

    def to_source(self) -> dict[str, object]:
        """The source object of the CLI/API contracts."""
        p = self.passage
        return {
            "text": p.text,
            "title": p.title,
            "region": p.region,
            "section": p.section,
            "chunk_id": p.chunk_id,
            "score": round(float(self.score), 4),
        }
