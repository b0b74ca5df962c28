"""The units retrieval hands out: plans, passages of plans, and scored hits."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

_DOC_KIND = re.compile(r"(方案|规划|计划|意见|办法|通知|纲要)")
_SECTION_NUMBER = re.compile(
    r"^\s*(第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、]|专栏\s*\d+|附件\s*\d*)"
)


def short_plan_name(title: str, short_region: str) -> str:
    """《万州方案》: the region's short name and the last kind word of the title (方案, 规划…)."""
    kinds = _DOC_KIND.findall(re.sub(r"[（(][^）)]*[）)]\s*$", "", title))
    return f"{short_region}{kinds[-1] if kinds else '文件'}"


def section_numbers(section: str, separator: str = " › ") -> str:
    """二、(二)5.: the numbers of a section path's headings, without their titles."""
    numbers = []
    for part in section.split(separator):
        found = _SECTION_NUMBER.match(part)
        if found:
            numbers.append(re.sub(r"\s+", "", found.group(1)).replace("（", "(").replace("）", ")"))
    return "".join(f"{n} " if n.startswith(("专栏", "附件")) else n for n in numbers).strip()


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

    @property
    def short_citation(self) -> str:
        """What a senior needs to find it again: 《万州方案》二、(二)5. (plan and section numbers only)."""
        return f"《{short_plan_name(self.title, self.short_region)}》{section_numbers(self.section)}"


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
