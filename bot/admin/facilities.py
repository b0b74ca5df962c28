"""`elderbot facilities`: import, list and query the facility directory (knowledge/facilities/*.csv)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add `facilities import|list|near|nearest`."""
    parser = subparsers.add_parser("facilities", help="facility directory: import, list, near a place, nearest")
    actions = parser.add_subparsers(dest="facilities_action", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", type=Path, default=None,
                        help="directory folder (default: $ELDERBOT_FACILITIES_DIR, else the packaged one)")
    common.add_argument("--json", action="store_true", help="print JSON instead of text")

    importer = actions.add_parser("import", parents=[common], help="validate a CSV file and merge it in")
    importer.add_argument("file", type=Path)
    importer.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    importer.set_defaults(run=run_import)

    lister = actions.add_parser("list", parents=[common], help="list facilities")
    lister.add_argument("--region", help="region, county or town, e.g. 涪陵 / 重庆市涪陵区 / 乐至县")
    lister.add_argument("--type", help="a type (助餐点…) or topic (meal, station, elder_university, institution)")
    lister.set_defaults(run=run_list)

    near = actions.add_parser("near", parents=[common], help="facilities near a named place, e.g. 蔺市附近有养老院吗")
    near.add_argument("text")
    near.add_argument("--type", action="append", help="type or topic; repeatable (default: read from the text)")
    near.add_argument("--limit", type=int, default=5)
    near.set_defaults(run=run_near)

    nearest = actions.add_parser("nearest", parents=[common], help="nearest facilities to coordinates")
    nearest.add_argument("lat", type=float)
    nearest.add_argument("lon", type=float)
    nearest.add_argument("--type", action="append", help="type or topic; repeatable")
    nearest.add_argument("--limit", type=int, default=10)
    nearest.set_defaults(run=run_nearest)


def facilities_dir(args: argparse.Namespace) -> Path:
    """--dir, else the settings' facilities_dir ($ELDERBOT_FACILITIES_DIR, else the packaged folder)."""
    if args.dir is not None:
        return Path(args.dir)
    from knowledge.settings import KnowledgeSettings

    return KnowledgeSettings.from_env().facilities_dir


def run_import(args: argparse.Namespace) -> int:
    """Validate FILE; merge it into the directory unless --dry-run."""
    from knowledge.facilities.schema import FacilityFileError
    from knowledge.facilities.store import import_facility_file
    from knowledge.text.gazetteer import Gazetteer

    directory = facilities_dir(args)
    try:
        report = import_facility_file(args.file, directory, dry_run=args.dry_run,
                                      resolve_region=Gazetteer.load().resolve_region)
    except FacilityFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"could not write to {directory}: {exc.strerror or exc}; nothing was changed", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"added": len(report.added), "updated": len(report.updated),
                          "unchanged": len(report.unchanged), "dry_run": args.dry_run,
                          "written": [str(p) for p in report.written]}, ensure_ascii=False))
    else:
        verb = "would write" if args.dry_run else "wrote"
        print(report.summary())
        for path in report.written:
            print(f"  {verb} {path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the facilities of a region and/or type."""
    directory = _load(args)
    if directory is None:
        return 1
    try:
        facilities = directory.list(region=args.region, type=args.type)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([f.to_source() for f in facilities], ensure_ascii=False, indent=1))
        return 0
    for facility in facilities:
        print(_line(facility))
    print(f"({len(facilities)} facilities)")
    return 0


def run_near(args: argparse.Namespace) -> int:
    """Print the facilities near the place a question names."""
    directory = _load(args)
    if directory is None:
        return 1
    try:
        result = directory.near_place(args.text, types=args.type, limit=args.limit)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return 0
    where = result.place or result.region or "（未识别地点）"
    if not result.found:
        region = f"，所在地区：{result.region}" if result.region else ""
        print(f"目录里没有{where}的{'/'.join(result.types) or '服务设施'}{region}")
        return 0
    print(f"{where}（按{result.match.value}匹配，{result.region}）：")
    for facility in result.facilities:
        print(_line(facility))
        print(f"    来源：{directory.citation(facility)}「{_short(facility.quotes)}」")
    return 0


def run_nearest(args: argparse.Namespace) -> int:
    """Print the facilities nearest to coordinates, with distances."""
    directory = _load(args)
    if directory is None:
        return 1
    try:
        hits = directory.nearest(args.lat, args.lon, types=args.type, limit=args.limit)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([{**f.to_source(), "distance_m": round(d, 1)} for f, d in hits], ensure_ascii=False,
                         indent=1))
        return 0
    if not hits:
        print("目录里没有带坐标的设施（规划文本不提供坐标；工作人员可导入带经纬度的名录）")
    for facility, distance in hits:
        print(f"{distance:>10.0f} m  {_line(facility)}")
    return 0


def _load(args: argparse.Namespace) -> Any:
    from knowledge.facilities.directory import FacilityDirectory
    from knowledge.facilities.schema import FacilityFileError

    try:
        return FacilityDirectory.load(argparse.Namespace(facilities_dir=facilities_dir(args)))
    except FacilityFileError as exc:
        print(exc, file=sys.stderr)
        return None


def _line(facility: Any) -> str:
    where = " ".join(p for p in (facility.region, facility.county, facility.town, facility.address) if p)
    extra = "；".join(p for p in (facility.status, f"床位{facility.beds}" if facility.beds else "",
                                   facility.phone) if p)
    return f"{facility.display_name} · {facility.type} · {where}" + (f" · {extra}" if extra else "")


def _short(quotes: tuple[str, ...], limit: int = 80) -> str:
    text = "…".join(quotes)
    return text if len(text) <= limit else text[: limit - 1] + "…"
