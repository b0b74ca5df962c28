"""The facility directory on disk: a folder of CSV files, read together and merged into atomically."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.facilities.schema import (
    Facility,
    FacilityFileError,
    facilities_csv,
    read_facility_file,
    write_atomically,
)

PACKAGED_FACILITIES_DIR = Path(__file__).resolve().parent
FACILITIES_DIR_ENV = "ELDERBOT_FACILITIES_DIR"
LOCAL_FILE_NAME = "local.csv"


def facilities_dir_from_env(environ: Mapping[str, str]) -> Path:
    """The directory a settings builder should use: $ELDERBOT_FACILITIES_DIR, else the packaged one."""
    value = environ.get(FACILITIES_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else PACKAGED_FACILITIES_DIR


def directory_files(directory: Path) -> list[Path]:
    """The CSV files of a directory folder, in name order (hidden and temporary files skipped)."""
    if not directory.is_dir():
        raise FacilityFileError(str(directory), ["not a folder: set the facilities directory to a folder of CSV files"])
    return sorted(p for p in directory.glob("*.csv") if not p.name.startswith("."))


def read_directory(directory: Path) -> list[tuple[Path, list[Facility]]]:
    """Every CSV file of the folder with its facilities; all files' problems are reported together."""
    problems: list[str] = []
    result: list[tuple[Path, list[Facility]]] = []
    for path in directory_files(directory):
        try:
            result.append((path, read_facility_file(path)))
        except FacilityFileError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
    if problems:
        raise FacilityFileError(str(directory), problems)
    return result


def merge_facilities(old: Facility, new: Facility) -> Facility:
    """The same facility described twice: non-empty fields of `new` fill in or correct `old`."""
    changes = {}
    for f in dataclasses.fields(Facility):
        value = getattr(new, f.name)
        if value not in (None, "") and value != getattr(old, f.name):
            changes[f.name] = value
    return dataclasses.replace(old, **changes) if changes else old


def combined(files: list[tuple[Path, list[Facility]]]) -> list[Facility]:
    """All facilities of the folder, rows with the same name+region+address merged (later files win)."""
    by_key: dict[tuple[str, str, str], Facility] = {}
    for _, facilities in files:
        for facility in facilities:
            known = by_key.get(facility.key)
            by_key[facility.key] = facility if known is None else merge_facilities(known, facility)
    return list(by_key.values())


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    source: Path
    added: list[Facility] = field(default_factory=list)
    updated: list[Facility] = field(default_factory=list)
    unchanged: list[Facility] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    unknown_regions: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.source.name}: {len(self.added)} added, {len(self.updated)} updated, "
                 f"{len(self.unchanged)} unchanged"]
        if self.unknown_regions:
            lines.append(f"note: region(s) {'、'.join(self.unknown_regions)} are not regions of the plans; write "
                         "region as the full name (e.g. 四川省资阳市) and put a county into the county column")
        return "\n".join(lines)


def canonical_regions(facilities: list[Facility], resolve: Callable[[str], str | None]) -> list[Facility]:
    """Regions written short (涪陵区, 涪陵) replaced by the canonical name (重庆市涪陵区) when `resolve` knows
    it and the canonical name really is that region (乐至县 is not rewritten to 四川省资阳市: it is a county)."""
    result = []
    for facility in facilities:
        canonical = resolve(facility.region)
        if canonical and canonical != facility.region and region_matches(canonical, facility.region):
            facility = dataclasses.replace(facility, region=canonical)
        result.append(facility)
    return result


def region_matches(facility_region: str, wanted: str) -> bool:
    """重庆市涪陵区 matches 重庆市涪陵区, 涪陵区, 涪陵 and 重庆市; 四川省资阳市 matches 资阳市 and 资阳."""
    short = wanted[:-1] if len(wanted) > 2 and wanted[-1] in "省市区县" else wanted
    return (facility_region.startswith(wanted) or facility_region.endswith(wanted)
            or wanted.endswith(facility_region) or facility_region.endswith(short + facility_region[-1:]))


def import_facility_file(source: Path, directory: Path, dry_run: bool = False,
                         resolve_region: Callable[[str], str | None] | None = None) -> ImportReport:
    """Validate `source`, then merge it into the folder: known rows (name+region+address) are updated in
    the file that holds them, new rows go to local.csv. A bad file, or a bad folder, changes nothing.
    With `resolve_region` (e.g. Gazetteer.resolve_region), short region names are made canonical first."""
    incoming = read_facility_file(source)
    report = ImportReport(source=source)
    if resolve_region is not None:
        incoming = canonical_regions(incoming, resolve_region)
        report.unknown_regions = sorted({f.region for f in incoming if resolve_region(f.region) != f.region})
    files = read_directory(directory)
    holder: dict[tuple[str, str, str], tuple[int, int]] = {}
    for file_index, (_, facilities) in enumerate(files):
        for row_index, facility in enumerate(facilities):
            holder.setdefault(facility.key, (file_index, row_index))
    contents = [list(facilities) for _, facilities in files]
    changed: set[int] = set()
    local_path = directory / LOCAL_FILE_NAME
    local_index = next((i for i, (p, _) in enumerate(files) if p == local_path), None)
    for facility in incoming:
        place = holder.get(facility.key)
        if place is None:
            if local_index is None:
                files.append((local_path, []))
                contents.append([])
                local_index = len(files) - 1
            contents[local_index].append(facility)
            holder[facility.key] = (local_index, len(contents[local_index]) - 1)
            changed.add(local_index)
            report.added.append(facility)
            continue
        file_index, row_index = place
        merged = merge_facilities(contents[file_index][row_index], facility)
        if merged == contents[file_index][row_index]:
            report.unchanged.append(merged)
            continue
        contents[file_index][row_index] = merged
        changed.add(file_index)
        report.updated.append(merged)
    report.written = [files[i][0] for i in sorted(changed)]
    if not dry_run and changed:
        write_atomically({files[i][0]: facilities_csv(contents[i]) for i in sorted(changed)})
    return report
