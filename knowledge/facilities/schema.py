"""The facility directory's open CSV format: columns, type vocabulary, one row's validation, reading, writing.

knowledge/facilities/README.md documents the format for the community staff who maintain it.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from knowledge.topics import TOPICS

COLUMNS: tuple[str, ...] = (
    "name", "type", "region", "county", "town", "address", "lat", "lon", "phone", "hours",
    "services", "beds", "status", "source", "source_quote",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "type", "region", "source")

FACILITY_TYPES: tuple[str, ...] = (
    "养老服务中心", "养老服务站", "日间照料中心", "幸福院", "农村互助养老点",
    "助餐点", "老年食堂", "老年大学", "养老机构", "养老院", "敬老院",
)
TYPE_ALIASES: dict[str, str] = {
    "社区养老服务中心": "养老服务中心", "街道养老服务中心": "养老服务中心", "乡镇养老服务中心": "养老服务中心",
    "区域养老服务中心": "养老服务中心", "区域性养老服务中心": "养老服务中心", "社区养老服务综合体": "养老服务中心",
    "社区养老服务站": "养老服务站", "养老服务驿站": "养老服务站", "养老服务点": "养老服务站",
    "日间照料站": "日间照料中心", "社区日间照料中心": "日间照料中心", "日照中心": "日间照料中心",
    "农村幸福院": "幸福院", "互助幸福院": "幸福院",
    "互助养老点": "农村互助养老点", "村级互助养老点": "农村互助养老点", "农村养老互助点": "农村互助养老点",
    "邻里互助点": "农村互助养老点",
    "老年助餐点": "助餐点", "老年餐桌": "助餐点", "长者食堂": "老年食堂", "老年幸福食堂": "老年食堂",
    "老年学校": "老年大学", "特困供养设施": "敬老院", "特困人员供养服务设施": "敬老院", "福利院": "养老机构",
}
TOPIC_TYPES: dict[str, tuple[str, ...]] = {t.name: t.facility_types for t in TOPICS.values() if t.facility_types}
QUOTE_SEPARATOR = "｜"
CLOSING_MARK = "关停"
MAX_FILE_BYTES = 50_000_000
MAX_ERRORS_SHOWN = 30

_PHONE = re.compile(r"^[0-9+()（）\-\s/、，,转]{5,60}$")
_BEDS = re.compile(r"^约?\d{1,6}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FIELD_LIMITS = {"name": 100, "region": 60, "county": 40, "town": 40, "address": 200, "hours": 200,
                 "services": 500, "status": 200, "source": 300, "source_quote": 4000}


@dataclass(frozen=True)
class Facility:
    """One place in the directory, as one CSV row describes it."""

    name: str
    type: str
    region: str
    source: str
    county: str = ""
    town: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str = ""
    hours: str = ""
    services: str = ""
    beds: str = ""
    status: str = ""
    source_quote: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """The identity used to merge rows: name + region + address."""
        return (self.name, self.region, self.address)

    @property
    def display_name(self) -> str:
        """乐至县童家镇敬老院: the county is prefixed when the name does not already carry it."""
        if self.county and not self.name.startswith(self.county):
            return f"{self.county}{self.name}"
        return self.name

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def closing(self) -> bool:
        """The source says the facility is to be closed or merged (关停并撤)."""
        return CLOSING_MARK in self.status

    @property
    def quotes(self) -> tuple[str, ...]:
        return tuple(q for q in self.source_quote.split(QUOTE_SEPARATOR) if q)

    def to_row(self) -> dict[str, str]:
        """The CSV row of this facility (coordinates written back as given, up to 7 decimals)."""
        row = {name: getattr(self, name) for name in COLUMNS}
        for axis in ("lat", "lon"):
            value = row[axis]
            row[axis] = "" if value is None else f"{value:.7f}".rstrip("0").rstrip(".")
        return {k: str(v) for k, v in row.items()}

    def to_source(self) -> dict[str, object]:
        """What a channel shows and cites: the place, and the passage or record it comes from."""
        return {
            "name": self.display_name,
            "type": self.type,
            "region": self.region,
            "county": self.county,
            "town": self.town,
            "address": self.address,
            "phone": self.phone,
            "hours": self.hours,
            "status": self.status,
            "lat": self.lat,
            "lon": self.lon,
            "source": self.source,
            "quotes": list(self.quotes),
        }


class FacilityFileError(ValueError):
    """A facility file that cannot be used; `problems` lists every problem with its line number."""

    def __init__(self, origin: str, problems: Sequence[str]) -> None:
        self.origin = origin
        self.problems = list(problems)
        shown = self.problems[:MAX_ERRORS_SHOWN]
        more = len(self.problems) - len(shown)
        lines = [f"{origin}: {len(self.problems)} problem(s), nothing was changed:"]
        lines += [f"  {p}" for p in shown]
        if more:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines))


def canonical_type(raw: str) -> str | None:
    """The vocabulary type for a written type (aliases such as 长者食堂 → 老年食堂), None if unknown."""
    value = raw.strip()
    if value in FACILITY_TYPES:
        return value
    return TYPE_ALIASES.get(value)


def types_for(names: Iterable[str]) -> tuple[str, ...]:
    """Facility types from topic names (meal, station…) and/or type names; unknown names raise ValueError."""
    result: list[str] = []
    for name in names:
        if name in TOPIC_TYPES:
            result.extend(TOPIC_TYPES[name])
        elif (canonical := canonical_type(name)) is not None:
            result.append(canonical)
        else:
            known = ", ".join([*TOPIC_TYPES, *FACILITY_TYPES])
            raise ValueError(f"unknown facility type or topic {name!r}; known: {known}")
    return tuple(dict.fromkeys(result))


def parse_facilities(text: str, origin: str = "<text>") -> list[Facility]:
    """Validate a whole CSV text; every problem is collected and reported with its line number."""
    if "\x00" in text:
        raise FacilityFileError(origin, ["this looks like a binary file, not a CSV text file"])
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FacilityFileError(origin, ["the file is empty: the first line must name the columns"]) from None
    except csv.Error as exc:
        raise FacilityFileError(origin, [f"line 1: not readable as CSV ({exc})"]) from None
    columns = [c.strip().lower() for c in header]
    problems = _header_problems(columns)
    if problems:
        raise FacilityFileError(origin, problems)
    facilities: list[Facility] = []
    first_line: dict[tuple[str, str, str], int] = {}
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"line {reader.line_num}: not readable as CSV ({exc})")
            break
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(columns):
            problems.append(f"line {line}: {len(values)} fields but the header has {len(columns)} columns")
            continue
        row = dict(zip(columns, values, strict=False))
        facility, row_problems = _facility_from_row(row)
        problems += [f"line {line}: {p}" for p in row_problems]
        if facility is None:
            continue
        if facility.key in first_line:
            problems.append(f"line {line}: repeats line {first_line[facility.key]} "
                            f"(same name, region and address: {facility.name})")
            continue
        first_line[facility.key] = line
        facilities.append(facility)
    if not problems and not facilities:
        problems.append("no facilities: the file has a header but no rows")
    if problems:
        raise FacilityFileError(origin, problems)
    return facilities


def read_facility_file(path: Path) -> list[Facility]:
    """Read and validate one CSV file (UTF-8, BOM tolerated)."""
    origin = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FacilityFileError(origin, [f"cannot read the file ({exc.strerror or exc})"]) from None
    if size > MAX_FILE_BYTES:
        raise FacilityFileError(origin, [f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}"])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FacilityFileError(origin, [f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV"]) from None
    except OSError as exc:
        raise FacilityFileError(origin, [f"cannot read the file ({exc.strerror or exc})"]) from None
    return parse_facilities(text, origin)


def facilities_csv(facilities: Iterable[Facility]) -> str:
    """The CSV text of facilities, with the full header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(f.to_row() for f in facilities)
    return buffer.getvalue()


def write_atomically(files: dict[Path, str]) -> None:
    """Write several files so that a failure leaves every one of them as it was (temp files, then replace)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(temp), path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, path in staged:
        os.replace(temp, path)


def _header_problems(columns: list[str]) -> list[str]:
    problems = []
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(map(repr, unknown))}; "
                        f"the columns are: {', '.join(COLUMNS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        problems.append(f"line 1: missing required column(s): {', '.join(missing)}")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        problems.append(f"line 1: column(s) named twice: {', '.join(repeated)}")
    return problems


def _facility_from_row(row: dict[str, str]) -> tuple[Facility | None, list[str]]:
    """One validated Facility, or the list of what is wrong with the row."""
    values = {k: (v or "").strip().strip("\u3000") for k, v in row.items()}
    problems: list[str] = []
    for name in REQUIRED_COLUMNS:
        if not values.get(name):
            problems.append(f"{name} is empty")
    for name, limit in _FIELD_LIMITS.items():
        value = values.get(name, "")
        if len(value) > limit:
            problems.append(f"{name} is longer than {limit} characters")
        if _CONTROL.search(value):
            problems.append(f"{name} contains control characters")
    kind = canonical_type(values.get("type", ""))
    if values.get("type") and kind is None:
        problems.append(f"type {values['type']!r} is not one of: {'、'.join(FACILITY_TYPES)}")
    lat, lon, coordinate_problems = _coordinates(values.get("lat", ""), values.get("lon", ""))
    problems += coordinate_problems
    if values.get("phone") and not _PHONE.match(values["phone"]):
        problems.append(f"phone {values['phone']!r} should contain only digits, spaces, +, -, ( ) and 转")
    if values.get("beds") and not _BEDS.match(values["beds"]):
        problems.append(f"beds {values['beds']!r} should be a whole number, optionally written 约300")
    if problems or kind is None:
        return None, problems
    text = {f.name: values.get(f.name, "") for f in fields(Facility) if f.name not in ("lat", "lon", "type")}
    return Facility(type=kind, lat=lat, lon=lon, **text), []


def _coordinates(raw_lat: str, raw_lon: str) -> tuple[float | None, float | None, list[str]]:
    if not raw_lat and not raw_lon:
        return None, None, []
    if not raw_lat or not raw_lon:
        return None, None, ["give both lat and lon, or leave both empty"]
    try:
        lat, lon = float(raw_lat), float(raw_lon)
    except ValueError:
        return None, None, [f"lat/lon {raw_lat!r}, {raw_lon!r} are not decimal degrees (e.g. 29.7032, 107.3894)"]
    problems = []
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        problems.append(f"lat {raw_lat} is outside -90…90")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        problems.append(f"lon {raw_lon} is outside -180…180")
    if lat == 0 and lon == 0:
        problems.append("lat/lon 0, 0 is a placeholder, not a place: leave them empty when unknown")
    return (None, None, problems) if problems else (lat, lon, [])
