"""Streaming import of 12345 tickets from CSV (UTF-8 or GBK, detected) and Excel (.xlsx, read-only).

The file is never held in memory: rows are read one at a time, validated, and written in batches. Each
batch commits together with the job's checkpoint (byte offset for CSV, row number for Excel, the counts and
the size of the error report), so a run that dies half-way and is run again resumes exactly after the last
committed batch: no duplicates, no gaps. The ticket number is the key: a number already present is
skipped (SQLite: `INSERT … ON CONFLICT (number) DO NOTHING`; PostgreSQL: the rows are `COPY`'d straight
into the table and the unique constraint tells whether a number was present — then the batch is looked up
and copied again without those; see `_PgCopyWriter`). A writer thread
writes batch n while the reading thread validates batch n + 1; validation has a cached fast path
(`RowValidator.validate`) in front of the reference checks (`RowValidator.validate_slow`).

Bad rows go to a CSV error report (row, column, reason); the rest imports. An unreadable file or a missing
required column is refused by `inspect()` before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import operator
import os
import queue
import re
import socket
import sys
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.choices import AreaLevel, UnitKind
from minsheng.core.errors import Invalid, NotFound
from minsheng.core.exports import safe_value
from minsheng.core.models import Area, Job, LivelihoodTag, Unit
from minsheng.core.text import FORMULA_TRIGGERS, has_control

from . import aliases, errors
from .choices import Channel, DeadlineClass, Satisfaction, Status
from .models import Category, ImportSource, Ticket

BEIJING = dt.timezone(dt.timedelta(hours=8))  # no daylight saving since 1991: a fixed offset is exact
BATCH_SIZE = 20000  # SQLite: fewer commits rewrite the same index pages into the WAL less often
OWNER = f"{socket.gethostname()}:{os.getpid()}"  # who holds a running import (see services)
PG_BATCH_SIZE = 20000  # fewer, larger COPY batches: each commit costs a WAL flush
SNIFF_BYTES = 256 * 1024
SWITCH_INTERVAL = 0.0001  # seconds, while the reading and the writing thread run together (see run_import)


@dataclass(frozen=True)
class ImportField:
    name: str
    headers: tuple[str, ...]
    required: bool = False


REQUIRED = ("number", "kind", "received_at")
# The importable fields and the headers recognised without a saved mapping (`aliases.HEADERS`, where the
# generator's header is the first of each).
IMPORT_FIELDS: tuple[ImportField, ...] = tuple(
    ImportField(name, headers, required=name in REQUIRED) for name, headers in aliases.HEADERS.items())
FIELD_NAMES = tuple(f.name for f in IMPORT_FIELDS)
GENERATED_HEADER = [f.headers[0] for f in IMPORT_FIELDS]
PLACE_LEVELS = {"district": AreaLevel.DISTRICT, "street": AreaLevel.STREET, "community": AreaLevel.COMMUNITY}

# Database columns written by the importer, in this order.
COLUMNS = (
    "number", "channel", "kind", "status", "category_id", "district_id", "street_id", "community_id", "address",
    "received_at", "month", "unit_id", "deadline_class", "responded_in_time", "resolved", "satisfaction",
    "excluded", "exclusion_reason", "duplicate_group", "summary", "text", "import_job", "raw_values", "created_at",
)
# The coded columns, in the order of the fast path's cache key (`RowValidator._codes`).
CODE_FIELDS = ("kind", "channel", "deadline_class", "responded_in_time", "resolved", "satisfaction", "excluded",
               "status")
MAPPED_LIMIT = 200  # distinct (field, value) pairs counted by name in an import's result; the rest as "…"
_TAG_SPLIT = re.compile(r"[;；,，、|/\s]+")


# --- Reading: encoding, format, header ----------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    """`utf-8-sig`, `utf-8` or `gb18030` (a superset of GBK) for the first bytes of a CSV file.

    UTF-8 wins when the sample decodes with (almost) no errors: a few broken bytes in one row of a UTF-8
    file must not turn the whole file into GBK. Raises Invalid for binary or undecodable input.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise Invalid(_("The file is not text in UTF-8 or GBK (it looks binary or UTF-16)."),
                      code=errors.IMPORT_UNREADABLE, fields={"file": "binary"})
    as_utf8 = head.decode("utf-8", errors="replace")
    bad_utf8 = as_utf8.count("\ufffd")
    # A multi-byte character cut at the end of the sample is not an error.
    if bad_utf8 and head[-4:].decode("utf-8", errors="replace").endswith("\ufffd"):
        bad_utf8 -= 1
    non_ascii = sum(1 for ch in as_utf8 if ord(ch) > 127)
    # A few broken bytes in one row must not turn a whole file into the other encoding.
    if bad_utf8 == 0 or (non_ascii > 20 * bad_utf8 and bad_utf8 <= max(8, non_ascii // 100)):
        return "utf-8"
    as_gb = head.decode("gb18030", errors="replace")
    bad_gb = as_gb.count("\ufffd")
    non_ascii_gb = sum(1 for ch in as_gb if ord(ch) > 127)
    if bad_gb == 0 or (non_ascii_gb > 20 * bad_gb and bad_gb <= max(8, non_ascii_gb // 100)):
        return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is not None and best.encoding in {"gb18030", "gbk", "gb2312", "utf_8"}:
        return "utf-8" if best.encoding == "utf_8" else "gb18030"
    raise Invalid(_("The file's text encoding could not be recognised; save it as UTF-8 or GBK."),
                  code=errors.IMPORT_UNREADABLE, fields={"file": "encoding"})


def encoding_label(encoding: str) -> str:
    return "GBK" if encoding == "gb18030" else "UTF-8"


@dataclass
class Plan:
    """What `inspect()` found: format, encoding, header and which column holds which field."""

    path: Path
    format: str  # "csv" or "xlsx"
    encoding: str
    header: list[str]
    columns: dict[str, int]  # field name → column index
    size: int
    data_offset: int = 0  # CSV: byte offset of the first data row
    source: ImportSource | None = None
    unknown: list[str] = field(default_factory=list)  # headers of the columns that hold no field

    def column_label(self, field_name: str) -> str:
        index = self.columns.get(field_name)
        return self.header[index] if index is not None else field_name


_NOT_WORD = re.compile(r"[\W_]+")
_BRACKETED = re.compile(r"[(\[{<【〔《「][^)\]}>】〕》」]*[)\]}>】〕》」]")


def header_key(text: str) -> str:
    """A header as it is compared (`aliases`): NFKC, case folded, letters and digits only."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _header_keys(text: str) -> tuple[str, str]:
    """The header's key, and its key without any bracketed part (the second try)."""
    normal = unicodedata.normalize("NFKC", text)
    return header_key(normal), header_key(_BRACKETED.sub("", normal))


_HEADER_KEYS = {f.name: [header_key(h) for h in f.headers] for f in IMPORT_FIELDS}


def _resolve_columns(header: list[str], source: ImportSource | None) -> tuple[dict[str, int], list[str]]:
    """Which column holds which field, and the headers of the columns that hold none (named in the import's
    result and offered for mapping). A saved mapping comes first, then `aliases.HEADERS`, compared by
    `header_key`; a header that matches nothing is tried again without its bracketed part."""
    clean = [h.strip().lstrip("\ufeff") for h in header]
    keys = [_header_keys(h) for h in clean]
    mapping = (source.mapping if source else {}) or {}
    columns: dict[str, int] = {}
    taken: set[int] = set()

    def claim(name: str, match: Callable[[int], bool]) -> bool:
        for i in range(len(clean)):
            if i not in taken and clean[i] and match(i):
                columns[name] = i
                taken.add(i)
                return True
        return False

    for f in IMPORT_FIELDS:
        wanted = (mapping.get(f.name) or "").strip()
        if wanted:
            wanted_key = header_key(wanted)
            if not claim(f.name, lambda i, w=wanted: clean[i] == w):
                claim(f.name, lambda i, k=wanted_key: keys[i][0] == k)
    for which in (0, 1):  # the header's key, then its key without the bracketed part
        for f in IMPORT_FIELDS:
            if f.name in columns or (mapping.get(f.name) or "").strip():
                continue
            for alias in _HEADER_KEYS[f.name]:
                if claim(f.name, lambda i, a=alias, w=which: keys[i][w] == a):
                    break
    unknown = [clean[i] for i in range(len(clean)) if i not in taken and clean[i]]
    missing = [f for f in IMPORT_FIELDS if f.required and f.name not in columns]
    if missing:
        labels = [(mapping.get(f.name) or f.headers[0]) for f in missing]
        message = _("Required columns are missing: %(cols)s.") % {"cols": "、".join(labels)}
        if unknown:
            message += " " + _("Columns not recognised: %(cols)s; name them in a saved column mapping (import "
                               "source).") % {"cols": "、".join(unknown[:20])}
        raise Invalid(message, code=errors.IMPORT_MISSING_COLUMNS, fields={f.name: "missing" for f in missing})
    return columns, unknown


def _check_places(columns: dict[str, int]) -> None:
    """A file with place columns needs the city's areas in the database (`minsheng load_areas`): without them
    every row would be rejected for a place that is in fact fine. Refused once, naming what to run."""
    missing = [name for name, level in PLACE_LEVELS.items()
               if name in columns and not Area.objects.filter(level=level).exists()]
    if missing:
        labels = {"district": _("districts"), "street": _("streets and townships"), "community": _("communities")}
        raise Invalid(_("The database has no %(what)s yet, so the file's places cannot be matched: run "
                        "`minsheng load_areas` (or `make setup`), then import the file again.")
                      % {"what": "、".join(str(labels[m]) for m in missing)},
                      code=errors.AREAS_MISSING, fields={m: "not loaded" for m in missing})


def source_get(name: str | None) -> ImportSource | None:
    if not name:
        return None
    source = ImportSource.objects.filter(name=name).first()
    if source is None:
        raise Invalid(_("There is no import source named %(name)s.") % {"name": name}, code=errors.UNKNOWN_SOURCE,
                      fields={"mapping": "unknown"})
    return source


def inspect(path: str | Path, *, source: ImportSource | None = None) -> Plan:
    """Open the file, detect format and encoding, read the header and map the columns — or refuse."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(_("No such file: %(path)s") % {"path": path.name}, code=errors.IMPORT_NOT_FOUND)
    size = path.stat().st_size
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _inspect_xlsx(path, size, source)
    if suffix not in {".csv", ".txt", ""}:
        raise Invalid(_("Only CSV and Excel (.xlsx) files can be imported, not %(ext)s.") % {"ext": suffix},
                      code=errors.IMPORT_FORMAT, fields={"file": "format"})
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        if not head.strip():
            raise Invalid(_("The file is empty."), code=errors.IMPORT_UNREADABLE, fields={"file": "empty"})
        encoding = detect_encoding(head)
        handle.seek(0)
        lines = _LineReader(handle, encoding)
        try:
            header = next(csv.reader(lines))
        except (StopIteration, csv.Error) as exc:
            raise Invalid(_("The header row could not be read: %(err)s") % {"err": exc},
                          code=errors.IMPORT_UNREADABLE, fields={"file": "header"}) from exc
        if lines.decode_error:
            raise Invalid(_("The header row is not valid %(enc)s text.") % {"enc": encoding_label(encoding)},
                          code=errors.IMPORT_UNREADABLE, fields={"file": "encoding"})
        offset = lines.pos
    columns, unknown = _resolve_columns(header, source)
    _check_places(columns)
    return Plan(path=path, format="csv", encoding=encoding, header=[h.strip().lstrip("\ufeff") for h in header],
                columns=columns, size=size, data_offset=offset, source=source, unknown=unknown)


def _inspect_xlsx(path: Path, size: int, source: ImportSource | None) -> Plan:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise Invalid(_("The Excel file could not be opened: %(err)s") % {"err": exc},
                      code=errors.IMPORT_UNREADABLE, fields={"file": "xlsx"}) from exc
    try:
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if not first:
            raise Invalid(_("The file is empty."), code=errors.IMPORT_UNREADABLE, fields={"file": "empty"})
        header = ["" if v is None else str(v) for v in first]
        total = (sheet.max_row or 0) - 1
    finally:
        workbook.close()
    columns, unknown = _resolve_columns(header, source)
    _check_places(columns)
    return Plan(path=path, format="xlsx", encoding="xlsx", header=[h.strip() for h in header], columns=columns,
                size=max(total, 0), source=source, unknown=unknown)


class _LineReader:
    """Iterates decoded lines of a binary file, tracking the byte offset after each line.

    `csv.reader` pulls lines only as it needs them, so after it yields a record, `pos` is the offset just
    past that record — the resumable checkpoint. A line that does not decode is replaced (so the CSV
    parser keeps its place) and flagged in `decode_error` for the record being read.
    """

    def __init__(self, handle, encoding: str) -> None:
        self.handle = handle
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.pos = handle.tell()
        self.decode_error = False
        if encoding == "utf-8-sig" and self.pos == 0 and handle.read(3) != codecs.BOM_UTF8:
            handle.seek(0)
        self.pos = handle.tell()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            raise StopIteration
        self.pos += len(raw)
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            self.decode_error = True
            return raw.decode(self.encoding, errors="replace")


def iter_records(plan: Plan, *, offset: int | None, row: int) -> Iterator[tuple[int, list[Any], int, bool]]:
    """Yield (row number, values, checkpoint position, decode error) from `offset` / after `row`.

    Row numbers count the header as row 1, like a spreadsheet. For CSV the position is the byte offset
    after the record; for Excel it is the row number.
    """
    if plan.format == "xlsx":
        yield from _iter_xlsx(plan, row)
        return
    with plan.path.open("rb") as handle:
        handle.seek(offset if offset is not None else plan.data_offset)
        lines = _LineReader(handle, plan.encoding)
        reader = csv.reader(lines)
        number = row
        while True:
            lines.decode_error = False
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # e.g. a NUL byte: report the record, keep going
                number += 1
                yield number, [f"\x00{exc}"], lines.pos, True
                continue
            number += 1
            if not values or (len(values) == 1 and not values[0].strip()):
                yield number, [], lines.pos, False
                continue
            yield number, values, lines.pos, lines.decode_error


def _iter_xlsx(plan: Plan, row: int) -> Iterator[tuple[int, list[Any], int, bool]]:
    from openpyxl import load_workbook

    workbook = load_workbook(plan.path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        number = row
        for values in sheet.iter_rows(min_row=row + 1, values_only=True):
            number += 1
            cells = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else v)
                     for v in values]
            if all(c == "" for c in cells):
                yield number, [], number, False
                continue
            yield number, cells, number, False
    finally:
        workbook.close()


# --- Validation: one row → database values or reasons -------------------------------------------------


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


_EIGHT_HOURS = dt.timedelta(hours=8)
_MISSING = object()
_NO_TAGS: list[int] = []
_fromisoformat = dt.datetime.fromisoformat


def value_key(text: str) -> str:
    """A cell value as it is compared (`aliases`): NFKC, case folded, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(个)?(工作日|小时|时|天|日|hours?|hrs?|h|days?|d)")


class Vocabulary:
    """One coded column (`aliases.VALUES`): a non-empty cell → (code, known). A value in no table is not
    refused: it becomes the fallback of `aliases.FALLBACK` (after a look for an alias inside it, for the
    columns of `aliases.CONTAINS`; by the duration it states, for the deadline) with `known` False, so that
    the caller keeps the raw value and counts it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.exact: dict[str, Any] = {}
        for code, words in aliases.VALUES[name].items():
            for word in ((code,) if isinstance(code, str) else ()) + words:
                self.exact.setdefault(value_key(word), code)
        self.fallback = aliases.FALLBACK[name]
        self.inside = (sorted(((k, c) for k, c in self.exact.items() if len(k) >= 2), key=lambda kc: -len(kc[0]))
                       if name in aliases.CONTAINS else [])
        self.cache: dict[str, tuple[Any, bool]] = {}

    def resolve(self, raw: str) -> tuple[Any, bool]:
        found = self.cache.get(raw)
        if found is None:
            found = self._resolve(raw)
            if len(self.cache) < 10_000:
                self.cache[raw] = found
        return found

    def _resolve(self, raw: str) -> tuple[Any, bool]:
        key = value_key(raw)
        if key in self.exact:
            return self.exact[key], True
        if self.inside:
            hits = [(k, c) for k, c in self.inside if k in key]
            if hits and len({c for k, c in hits if len(k) == len(hits[0][0])}) == 1:
                return hits[0][1], False
        if self.name == "deadline_class":
            match = _DURATION.search(key)
            if match:
                hours = float(match.group(1)) * (1 if match.group(3)[0] in "小时h" else 24)
                fits = [c for c, h in aliases.DEADLINE_HOURS.items() if h >= hours]
                return (fits[0] if fits else "15d"), False
        return self.fallback, False


VOCABULARIES = {name: Vocabulary(name) for name in aliases.VALUES}
_EMPTY = {"channel": Channel.OTHER.value, "deadline_class": DeadlineClass.D7.value,
          "satisfaction": Satisfaction.NOT_RATED.value}  # an empty cell; the yes/no columns and status: None


def parse_received(value: Any, column: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip().replace("/", "-")
        if not text:
            raise RowError(column, _("The time received is empty."))
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise RowError(column, _("“%(v)s” is not a date and time (YYYY-MM-DD HH:MM:SS).")
                           % {"v": text[:40]}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    else:
        moment = moment.astimezone(BEIJING)
    if not 2000 <= moment.year <= 2100:
        raise RowError(column, _("The year %(y)s is out of range.") % {"y": moment.year})
    return moment


def _unit_kind(name: str) -> str:
    if name.endswith(("街道办事处", "地区办事处", "乡人民政府", "镇人民政府")):
        return UnitKind.STREET
    if name.endswith("区人民政府"):
        return UnitKind.DISTRICT
    if "公司" in name or "集团" in name:
        return UnitKind.ENTERPRISE
    return UnitKind.GOVERNMENT if name.startswith("北京市") else UnitKind.OTHER


class RowValidator:
    """Turns one row into the tuple of `COLUMNS` plus its tag ids, or raises RowError.

    Reference data (areas, units, tags, categories) is read once into dictionaries; unknown categories
    are added to the tree and, when the source allows it, unknown handling units are created (both are
    reference data, written at once and kept even if a batch is later rolled back).
    """

    def __init__(self, plan: Plan, job_id: uuid.UUID, *, vendor: str | None = None) -> None:
        self.plan = plan
        self.width = len(plan.header)
        self.idx = plan.columns
        self.create_units = plan.source.create_units if plan.source else True
        self.job_id = job_id
        self.districts: dict[str, int] = {}
        self.streets: dict[tuple[int, str], int] = {}
        self.street_by_name: dict[str, list[tuple[int, int]]] = {}
        self.communities: dict[tuple[int, str], int] = {}
        for pk, name, code, level, parent in Area.objects.filter(
            level__in=[AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY]
        ).values_list("pk", "name", "code", "level", "parent_id"):
            if level == AreaLevel.DISTRICT:
                self.districts[name] = pk
                self.districts[code] = pk
            elif level == AreaLevel.STREET:
                self.streets[(parent, name)] = pk
                self.street_by_name.setdefault(name, []).append((pk, parent))
            else:
                self.communities[(parent, name)] = pk
                if name.endswith("居委会"):
                    self.communities.setdefault((parent, name[:-3]), pk)
        self.units = dict(Unit.objects.values_list("name", "pk"))
        self.tags = {name: pk for pk, name in LivelihoodTag.objects.values_list("pk", "name")}
        self.categories: dict[tuple[str, ...], int] = {}
        parents: dict[int, tuple[str, ...]] = {}
        for pk, name, parent_id in Category.objects.order_by("level").values_list("pk", "name", "parent_id"):
            path = (*parents.get(parent_id, ()), name) if parent_id else (name,)
            parents[pk] = path
            self.categories[path] = pk

        self.pairs = list(self.idx.items())
        self.all_text = plan.format == "csv"
        self.place_cache: dict[tuple[str, str, str], Any] = {}
        self.tag_cache: dict[str, Any] = {}
        self.code_cache: dict[tuple[str, ...], Any] = {}
        self.new_units: dict[str, None] = {}  # units to create before the batch is written, in order
        self.category_cache: dict[tuple[str, str, str], int] = {}
        self.mapped_counts: dict[tuple[str, str, Any], int] = {}  # (field, raw, code) → rows, for the result
        # The fast path reads the fields in the order of IMPORT_FIELDS; a column the file lacks reads the
        # empty string appended after the last column.
        self.pick = operator.itemgetter(*(self.idx.get(name, self.width) for name in FIELD_NAMES))
        vendor = vendor or connection.vendor
        self.utc_text = vendor == "sqlite"  # received_at as Django stores it there (naive UTC text)
        self.job_value = job_id.hex if vendor == "sqlite" else str(job_id)

    def _category(self, path: tuple[str, ...]) -> int:
        pk = self.categories.get(path)
        if pk is None:
            parent = self._category(path[:-1]) if len(path) > 1 else None
            node, _created = Category.objects.get_or_create(parent_id=parent, name=path[-1])
            pk = self.categories[path] = node.pk
        return pk

    def _places(self, district: str, street: str, community: str, label: Callable[[str], str]
                ) -> tuple[int | None, int | None, int | None]:
        district_id = street_id = community_id = None
        if district:
            district_id = self.districts.get(district)
            if district_id is None:
                raise RowError(label("district"), _("“%(v)s” is not a district of the city.") % {"v": district[:40]})
        if street:
            if district_id is not None:
                street_id = self.streets.get((district_id, street))
                if street_id is None:
                    raise RowError(label("street"), _("“%(v)s” is not a street or township of %(d)s.")
                                   % {"v": street[:40], "d": district})
            else:
                found = self.street_by_name.get(street, [])
                if len(found) != 1:
                    raise RowError(label("street"), _("“%(v)s” is unknown or ambiguous without a district.")
                                   % {"v": street[:40]})
                street_id, district_id = found[0]
        if community:
            community_id = self.communities.get((street_id, community)) if street_id else None
            if community_id is None:
                raise RowError(label("community"), _("“%(v)s” is not a community of the street.")
                               % {"v": community[:40]})
        return district_id, street_id, community_id

    def _tags(self, tags: str, label: Callable[[str], str]) -> list[int]:
        tag_ids: list[int] = []
        for name in _TAG_SPLIT.split(tags):
            if not name:
                continue
            pk = self.tags.get(name)
            if pk is None:
                raise RowError(label("tags"), _("“%(v)s” is not a 七有 or 五性 tag.") % {"v": name[:20]})
            if pk not in tag_ids:
                tag_ids.append(pk)
        return tag_ids

    def _unit(self, unit: str, label: Callable[[str], str]) -> int | str:
        """The unit's id; a unit to be created gets its name as a stand-in, replaced by `resolve_units`."""
        unit_id = self.units.get(unit)
        if unit_id is None:
            if not self.create_units or len(unit) > 100:
                raise RowError(label("unit"), _("“%(v)s” is not a known handling unit.") % {"v": unit[:40]})
            self.new_units[unit] = None
            return unit
        return unit_id

    def resolve_units(self, batch: list[tuple[tuple[Any, ...], list[int]]]) -> None:
        """Create the units first seen in this batch (one statement) and put their ids into its rows.

        Units are reference data: they are committed at once and kept even if the batch is rolled back."""
        if not self.new_units:
            return
        names = list(self.new_units)
        self.new_units.clear()
        with transaction.atomic():
            Unit.objects.bulk_create([Unit(name=n, kind=_unit_kind(n)) for n in names], ignore_conflicts=True)
            self.units.update(Unit.objects.filter(name__in=names).values_list("name", "pk"))
        units = self.units
        for i, (row, tags) in enumerate(batch):
            if row[11].__class__ is str:
                batch[i] = ((*row[:11], units[row[11]], *row[12:]), tags)

    def _cached(self, cache: dict, key: Any, compute: Callable[[], Any]) -> Any:
        """Values repeat (places, tags, categories): remember results, including refusals."""
        try:
            found = cache[key]
        except KeyError:
            try:
                found = compute()
            except RowError as exc:
                found = exc
            if len(cache) < 100_000:
                cache[key] = found
        if isinstance(found, RowError):
            raise RowError(found.column, found.reason)  # a fresh one: re-raising one object grows its traceback
        return found

    def validate_slow(self, values: list[Any]) -> tuple[tuple[Any, ...], list[int]]:
        """The reference validation, check by check, naming the first failing column. `validate` sends
        anything unusual here; it also fills the caches that `validate` reads."""
        if len(values) != self.width:
            raise RowError("", _("Expected %(n)s columns, found %(m)s.") % {"n": self.width, "m": len(values)})
        if self.all_text:
            d = {name: values[i].strip() for name, i in self.pairs}
        else:
            d = {name: (values[i].strip() if isinstance(values[i], str)
                        else values[i] if isinstance(values[i], dt.date) else str(values[i]))
                 for name, i in self.pairs}
        get = d.get
        label = self.plan.column_label
        number = get("number", "")
        if not number:
            raise RowError(label("number"), _("The ticket number is empty."))
        if len(number) > 40:
            raise RowError(label("number"), _("The ticket number is longer than 40 characters."))
        if number.startswith(FORMULA_TRIGGERS):
            raise RowError(label("number"), _("The ticket number starts with “%(c)s”, which a spreadsheet runs as a "
                                              "formula.") % {"c": number[0]})
        if has_control(number):
            raise RowError(label("number"), _("The ticket number contains a control character."))
        if not get("kind", ""):
            raise RowError(label("kind"), _("The kind is empty (咨询, 求助, 投诉, 举报 or 建议)."))
        codes = self._codes(tuple(str(get(name, "")) for name in CODE_FIELDS))
        kind, channel, deadline, responded, resolved, satisfaction, excluded, with_unit, without_unit, raw, mapped \
            = codes
        received = parse_received(get("received_at", ""), label("received_at"))
        district, street, community = get("district", ""), get("street", ""), get("community", "")
        district_id, street_id, community_id = self._cached(
            self.place_cache, (district, street, community), lambda: self._places(district, street, community, label))
        unit = get("unit", "")
        unit_id = self._unit(unit, label) if unit else None
        reason = get("exclusion_reason", "")
        if excluded and not reason:
            raise RowError(label("exclusion_reason"), _("A ticket excluded from assessment needs a reason."))
        if len(reason) > 100:
            raise RowError(label("exclusion_reason"), _("The reason is longer than 100 characters."))
        tags = get("tags", "")
        tag_ids = self._cached(self.tag_cache, tags, lambda: self._tags(tags, label)) if tags else []
        path = tuple(p for p in (get("category1", ""), get("category2", ""), get("category3", "")) if p)
        category_id = None
        if path:
            if any(len(p) > 60 for p in path):
                raise RowError(label("category1"), _("A category name is longer than 60 characters."))
            category_id = self._category(path)
            if len(self.category_cache) < 100_000:
                key = (get("category1", ""), get("category2", ""), get("category3", ""))
                self.category_cache[key] = category_id
        status = with_unit if unit_id else without_unit
        address, summary, group = get("address", ""), get("summary", ""), get("duplicate_group", "")
        if len(address) > 200 or len(summary) > 200 or len(group) > 40:
            for name, value, limit in (("address", address, 200), ("summary", summary, 200),
                                       ("duplicate_group", group, 40)):
                if len(value) > limit:
                    raise RowError(label(name), _("Longer than %(n)s characters.") % {"n": limit})
        received_db, month_db = self._moment_db(received.astimezone(BEIJING).replace(tzinfo=None))
        row = (
            number, channel, kind, status, category_id, district_id, street_id, community_id, address, received_db,
            month_db, unit_id, deadline, responded, resolved, satisfaction, excluded, reason, group, summary,
            get("text", ""), self.job_value, raw, None,
        )
        if mapped:
            self._count(mapped)
        return row, tag_ids

    # The fast path. Every check of `validate_slow` is here too, in cheaper form: values that repeat (codes,
    # places, categories, tags) are looked up once per distinct value. Anything unusual — any failed check
    # — goes to `validate_slow`, which raises the same RowError (same column, same reason) as it always has.

    def _moment_db(self, local: dt.datetime) -> tuple[str, str]:
        """Beijing wall-clock time → (received_at as the database stores it, month as a date string)."""
        text = local.isoformat(" ")
        month = text[:8] + "01"
        if self.utc_text:  # SQLite: Django's format, naive UTC
            return (local - _EIGHT_HOURS).isoformat(" "), month
        return text + "+08:00", month

    def _codes(self, key: tuple[str, ...]) -> tuple[Any, ...] | None:
        """(kind, channel, deadline, responded, resolved, satisfaction, excluded, status with a unit, status
        without, the raw values kept as JSON or None, the (field, raw, code) of values mapped) for the texts of
        the `CODE_FIELDS` columns, or None when the kind is empty (the one refusal, named by `validate_slow`)."""
        if not key[0]:
            return None
        codes: list[Any] = []
        mapped: list[tuple[str, str, Any]] = []
        for name, raw in zip(CODE_FIELDS, key, strict=True):
            if not raw:
                codes.append(_EMPTY.get(name))
                continue
            code, known = VOCABULARIES[name].resolve(raw)
            codes.append(code)
            if not known:
                mapped.append((name, raw[:100], code))
        kind, channel, deadline, responded, resolved, satisfaction, excluded, status = codes
        if status:
            with_unit = without_unit = status
        elif resolved is not None or satisfaction != Satisfaction.NOT_RATED:
            with_unit = without_unit = Status.CLOSED.value
        else:
            with_unit, without_unit = Status.DISPATCHED.value, Status.CLOSED_DIRECT.value
        raw = json.dumps({name: value for name, value, _code in mapped}, ensure_ascii=False) if mapped else None
        return (kind, channel, deadline, responded, resolved, satisfaction, bool(excluded), with_unit, without_unit,
                raw, tuple(mapped))

    def _count(self, mapped: tuple[tuple[str, str, Any], ...]) -> None:
        """Count the rows whose values were mapped (`mapped_counts`, in the import's result)."""
        counts = self.mapped_counts
        for item in mapped:
            if item not in counts and len(counts) >= MAPPED_LIMIT:
                item = (item[0], "…", item[2])
            counts[item] = counts.get(item, 0) + 1

    def _received_fast(self, raw: str) -> tuple[str, str] | None:
        try:
            moment = _fromisoformat(raw.replace("/", "-") if "/" in raw else raw)
        except ValueError:
            return None
        if moment.tzinfo is not None:
            moment = moment.astimezone(BEIJING).replace(tzinfo=None)
        if not 2000 <= moment.year <= 2100:
            return None
        return self._moment_db(moment)

    def validate(self, values: list[Any]) -> tuple[tuple[Any, ...], list[int]]:
        """One row → (the values of `COLUMNS`, tag ids), or RowError."""
        if len(values) != self.width or not self.all_text:
            return self.validate_slow(values)
        (number, channel_raw, kind_raw, c1, c2, c3, district, street, community, address, received_raw, unit,
         deadline_raw, responded_raw, resolved_raw, satisfaction_raw, excluded_raw, reason, group, tags, status_raw,
         summary, text) = self.pick([*map(str.strip, values), ""])
        if not number or len(number) > 40 or len(address) > 200 or len(summary) > 200 or len(group) > 40 \
                or len(reason) > 100 or number.startswith(FORMULA_TRIGGERS) or not number.isprintable():
            return self.validate_slow(values)
        key = (kind_raw, channel_raw, deadline_raw, responded_raw, resolved_raw, satisfaction_raw, excluded_raw,
               status_raw)
        codes = self.code_cache.get(key, _MISSING)
        if codes is _MISSING:
            codes = self._codes(key)
            if len(self.code_cache) < 100_000:
                self.code_cache[key] = codes
        if codes is None:
            return self.validate_slow(values)
        kind, channel, deadline, responded, resolved, satisfaction, excluded, with_unit, without_unit, raw, mapped \
            = codes
        if excluded and not reason:
            return self.validate_slow(values)
        moment = self._received_fast(received_raw)
        if moment is None:
            return self.validate_slow(values)
        places = self.place_cache.get((district, street, community))
        if places is None:  # a place triple first met (thousands of communities): only it is checked here
            try:
                places = self._cached(self.place_cache, (district, street, community),
                                      lambda: self._places(district, street, community, self.plan.column_label))
            except RowError:
                return self.validate_slow(values)  # the reference path names the column and the reason
        elif isinstance(places, RowError):
            return self.validate_slow(values)
        district_id, street_id, community_id = places
        if unit:
            unit_id = self.units.get(unit)
            if unit_id is None:
                if not self.create_units or len(unit) > 100:
                    return self.validate_slow(values)
                self.new_units[unit] = None
                unit_id = unit  # a stand-in until resolve_units() has created it
        else:
            unit_id = None
        if tags:
            tag_ids = self.tag_cache.get(tags)
            if tag_ids is None or isinstance(tag_ids, RowError):
                return self.validate_slow(values)
        else:
            tag_ids = _NO_TAGS
        if c1 or c2 or c3:
            category_id = self.category_cache.get((c1, c2, c3))
            if category_id is None:
                return self.validate_slow(values)
        else:
            category_id = None
        row = (
            number, channel, kind, with_unit if unit_id else without_unit, category_id, district_id, street_id,
            community_id, address, moment[0], moment[1], unit_id, deadline, responded, resolved, satisfaction,
            excluded, reason, group, summary, text, self.job_value, raw, None,
        )
        if mapped:
            self._count(mapped)
        return row, tag_ids


# --- Reading and validating in batches -----------------------------------------------------------------

# A batch as read: the validated rows, the report lines (one per rejected row), the rows counted, the
# checkpoint position after the batch and its last row number.
ReadBatch = tuple[list[Any], list[tuple[int, str, str]], int, int, int]


def _read_batches(plan: Plan, validator: RowValidator, *, offset: int | None, row: int,
                  batch_size: int) -> Iterator[ReadBatch]:
    """Read and validate `batch_size` records at a time (empty lines count too)."""
    items: list[Any] = []
    lines: list[tuple[int, str, str]] = []
    read = rows = 0
    position, last_row = (offset if offset is not None else plan.data_offset), row
    bad_text = _("The row is not valid %(enc)s text.") % {"enc": encoding_label(plan.encoding)}
    validate = validator.validate
    for row_no, values, pos, decode_error in iter_records(plan, offset=offset, row=row):
        last_row, position = row_no, pos
        read += 1
        if not values:
            pass
        elif decode_error:
            rows += 1
            lines.append((row_no, "", values[0][1:] if isinstance(values[0], str) and values[0].startswith("\x00")
                          else bad_text))
        else:
            rows += 1
            try:
                items.append(validate(values))
            except RowError as exc:
                lines.append((row_no, exc.column, exc.reason))
        if read >= batch_size:
            yield items, lines, rows, position, last_row
            items, lines, read, rows = [], [], 0, 0
    if read:
        yield items, lines, rows, position, last_row


# --- Writing: batches with ON CONFLICT DO NOTHING ------------------------------------------------------


class _SqlWriter:
    """Portable writer: `INSERT … ON CONFLICT (number) DO NOTHING` with executemany, then the tag links of
    the rows actually inserted. On SQLite the driver is called directly (Django's wrapper re-converts every
    parameter list, ≈ 2× slower) and inserted rows are recognised by their new ids, with no look-up first."""

    def __init__(self) -> None:
        table = connection.ops.quote_name(Ticket._meta.db_table)
        self.table = table
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        self.insert = (f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders}) "
                       f"ON CONFLICT (number) DO NOTHING")
        through = Ticket.tags.through._meta.db_table
        self.insert_tags = f"INSERT INTO {through} (ticket_id, livelihoodtag_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
        self.tuned: Any = None

    def write(self, rows: list[tuple[tuple[Any, ...], list[int]]]) -> int:
        if connection.vendor == "sqlite":
            return self._write_sqlite(rows)
        now = timezone.now()
        numbers = [r[0][0] for r in rows]
        existing: set[str] = set()
        with connection.cursor() as cursor:
            for start in range(0, len(numbers), 900):
                chunk = numbers[start:start + 900]
                cursor.execute(f"SELECT number FROM {self.table} WHERE number IN ({', '.join(['%s'] * len(chunk))})",
                               chunk)
                existing.update(n for (n,) in cursor.fetchall())
            fresh, tagged = [], []
            for values, tags in rows:
                if values[0] in existing:
                    continue
                existing.add(values[0])
                fresh.append((*values[:23], now))
                if tags:
                    tagged.append((values[0], tags))
            if fresh:
                cursor.executemany(self.insert, fresh)
            ids: dict[str, int] = {}
            if tagged:
                missing = [n for n, _t in tagged]
                for start in range(0, len(missing), 900):
                    chunk = missing[start:start + 900]
                    cursor.execute(f"SELECT number, id FROM {self.table} WHERE number IN "
                                   f"({', '.join(['%s'] * len(chunk))})", chunk)
                    ids.update(cursor.fetchall())
                cursor.executemany(self.insert_tags, [(ids[n], t) for n, tags in tagged for t in tags])
        return len(fresh)

    def _write_sqlite(self, rows: list[tuple[tuple[Any, ...], list[int]]]) -> int:
        connection.ensure_connection()
        raw = connection.connection
        if self.tuned is not raw:
            # A larger page cache keeps the indexes of a growing table in memory; checkpointing the WAL
            # every 64 MiB rather than every 4 MiB copies each index page back to the database less often.
            raw.execute("PRAGMA cache_size = -131072")
            raw.execute(f"PRAGMA wal_autocheckpoint = {16384}")
            self.tuned = raw
        now = str(timezone.now().replace(tzinfo=None))  # naive UTC text, as Django stores it
        before_id = raw.execute(f"SELECT max(id) FROM {self.table}").fetchone()[0] or 0
        before = raw.total_changes
        # The last value (created_at) is replaced; repeated numbers (in the table or the batch) are skipped
        # by ON CONFLICT DO NOTHING.
        raw.executemany(self.insert.replace("%s", "?"), [(*values[:23], now) for values, _tags in rows])
        inserted = raw.total_changes - before
        if not inserted:
            return 0
        if inserted == len(rows):
            # We hold the write lock and inserted every row: their ids are consecutive (AUTOINCREMENT).
            first = raw.execute("SELECT last_insert_rowid()").fetchone()[0] - inserted + 1
            links = [(first + i, t) for i, (_values, tags) in enumerate(rows) for t in tags]
        else:
            # Some were skipped: the rows with ids above the old maximum are this batch's new ones.
            ids = dict(raw.execute(f"SELECT number, id FROM {self.table} WHERE id > ?", (before_id,)).fetchall())
            links = []
            for values, tags in rows:
                pk = ids.pop(values[0], None)  # pop: a number repeated in the batch links only its first row
                if pk is not None:
                    links.extend((pk, t) for t in tags)
        if links:
            raw.executemany(self.insert_tags.replace("%s", "?"), links)
        return inserted


_COPY_ESCAPE = re.compile(r"[\\\t\n\r]")
_COPY_BOOL = {None: "\\N", True: "t", False: "f"}


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_line(pk: int, row: tuple[Any, ...], now: str) -> str:
    """One line of COPY text format: id, the columns, created_at."""
    (number, channel, kind, status, category, district, street, community, address, received, month, unit,
     deadline, responded, resolved, satisfaction, excluded, reason, group, summary, text, job, raw, _created) = row
    line = (f"{pk}\t{number}\t{channel}\t{kind}\t{status}\t{'\\N' if category is None else category}\t"
            f"{'\\N' if district is None else district}\t{'\\N' if street is None else street}\t"
            f"{'\\N' if community is None else community}\t{address}\t{received}\t{month}\t"
            f"{'\\N' if unit is None else unit}\t{deadline}\t{_COPY_BOOL[responded]}\t{_COPY_BOOL[resolved]}\t"
            f"{satisfaction}\t{_COPY_BOOL[excluded]}\t{reason}\t{group}\t{summary}\t{text}\t{job}\t"
            f"{'\\N' if raw is None else raw}\t{now}\n")
    if _COPY_ESCAPE.search(f"{number}{address}{reason}{group}{summary}{text}{raw or ''}"):
        # A tab, newline, carriage return or backslash in the free text: escape field by field (rare; the
        # other fields are codes, numbers and times).
        line = "\t".join(_copy_field(v) for v in (pk, *row[:23], now)) + "\n"
    return line


@dataclass
class CopyBatch:
    """A batch prepared for PostgreSQL's COPY (`_PgCopyWriter.prepare`)."""

    rows: list[tuple[tuple[Any, ...], list[int]]]
    ids: list[int]
    now: dt.datetime
    tickets: str
    links: str


class _PgCopyWriter:
    """PostgreSQL. A batch is first `COPY`'d straight into the table, ids taken from the sequence, its tag
    links into the link table, with no look-up: new tickets (the usual case) cost one index probe each, the
    unique constraint's own. Before that, a sample of the batch's numbers is looked up (one query); if one is
    present — a file imported again, or overlapping an earlier one — the whole batch is looked up first and
    only its new rows are copied. If the direct COPY meets a number already present anyway (a sample is a
    sample; a concurrent import; a number repeated across batches of one file), the batch is rolled back to a
    savepoint, looked up, and copied again; if that too conflicts (a concurrent import inserted one of the
    numbers since the look-up) it goes the safe way: COPY into a temporary staging table, and one
    `INSERT … SELECT … ON CONFLICT DO NOTHING` that also writes the tag links of the rows it inserted."""

    STAGE = "hotline_ticket_stage"
    PROBE = 32  # numbers of a batch looked up before the optimistic COPY

    def __init__(self) -> None:
        table = Ticket._meta.db_table
        through = Ticket.tags.through._meta.db_table
        cols = ", ".join(COLUMNS)
        self.table = table
        self.create = f"""CREATE TEMP TABLE IF NOT EXISTS {self.STAGE} (
            number varchar(40), channel varchar(16), kind varchar(12), status varchar(16), category_id bigint,
            district_id bigint, street_id bigint, community_id bigint, address varchar(200), received_at timestamptz,
            month date, unit_id bigint, deadline_class varchar(4), responded_in_time boolean, resolved boolean,
            satisfaction varchar(12), excluded boolean, exclusion_reason varchar(100), duplicate_group varchar(40),
            summary varchar(200), text text, import_job uuid, raw_values jsonb, created_at timestamptz,
            tag_ids text
        ) ON COMMIT DELETE ROWS"""
        self.copy = f"COPY {self.STAGE} ({cols}, tag_ids) FROM STDIN"
        self.insert = f"""
            WITH ins AS (
                INSERT INTO {table} ({cols}) SELECT {cols} FROM {self.STAGE}
                ON CONFLICT (number) DO NOTHING RETURNING id, number
            ), links AS (
                INSERT INTO {through} (ticket_id, livelihoodtag_id)
                SELECT ins.id, unnest(string_to_array(s.tag_ids, ','))::bigint
                FROM ins JOIN {self.STAGE} s ON s.number = ins.number WHERE s.tag_ids <> ''
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM links)"""
        self.existing = f"SELECT number FROM {table} WHERE number = ANY(%s::varchar[])"
        self.existing_text = (f"SELECT number FROM {table} "
                              f"WHERE number = ANY(string_to_array(%s::text, chr(31))::varchar[])")
        # The sequence is resolved once (pg_get_serial_sequence per row cost 2 µs a ticket).
        self.sequence = f"SELECT pg_get_serial_sequence('{table}', 'id')"
        self.ids = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"
        self.sequence_name: str | None = None
        self.copy_direct = f"COPY {table} (id, {cols}) FROM STDIN"
        self.copy_links = f"COPY {through} (ticket_id, livelihoodtag_id) FROM STDIN"

    def _present(self, cursor, numbers: list[str]) -> set[str]:
        """The numbers already in the table (one query)."""
        joined = "\x1f".join(numbers)
        if joined.count("\x1f") == len(numbers) - 1:
            # One text parameter split by the server: much cheaper to send than an array of 20,000.
            cursor.execute(self.existing_text, [joined])
        else:  # a number contains the separator
            cursor.execute(self.existing, [numbers])
        return {n for (n,) in cursor.fetchall()}

    def prepare(self, rows: list[tuple[tuple[Any, ...], list[int]]]) -> CopyBatch:
        """Everything of a batch that needs no transaction, done in the reading thread while the writer's
        connection copies the previous batch: drop numbers repeated within the batch (the first row wins),
        take ids from the sequence (outside any transaction: a rolled-back batch only leaves a gap in the
        ids) and build the COPY text of the tickets and their tag links."""
        seen: set[str] = set()
        fresh = []
        for item in rows:
            number = item[0][0]
            if number not in seen:
                seen.add(number)
                fresh.append(item)
        ids: list[int] = []
        if fresh:
            with connection.cursor() as cursor:
                if self.sequence_name is None:
                    cursor.execute(self.sequence)
                    self.sequence_name = cursor.fetchone()[0]
                cursor.execute(self.ids, [self.sequence_name, len(fresh)])
                ids = [pk for (pk,) in cursor.fetchall()]
        return self._batch(fresh, ids, timezone.now())

    @staticmethod
    def _batch(rows: list[tuple[tuple[Any, ...], list[int]]], ids: list[int], now: dt.datetime) -> CopyBatch:
        stamp = now.isoformat()
        tickets = "".join([_copy_line(pk, values, stamp) for pk, (values, _tags) in zip(ids, rows, strict=True)])
        links = "".join([f"{pk}\t{t}\n" for pk, (_values, tags) in zip(ids, rows, strict=True) for t in tags])
        return CopyBatch(rows, ids, now, tickets, links)

    def _copy_new(self, cursor, batch: CopyBatch) -> bool:
        """COPY the batch under a savepoint; False (and nothing written) if one of its numbers is present."""
        try:
            with transaction.atomic():
                with cursor.copy(self.copy_direct) as copy:
                    copy.write(batch.tickets)
                if batch.links:
                    with cursor.copy(self.copy_links) as copy:
                        copy.write(batch.links)
            return True
        except Exception as exc:
            # psycopg's own error: COPY goes past Django's error wrapping.
            if not (isinstance(exc, IntegrityError) or getattr(exc, "sqlstate", None) == "23505"):
                raise
            return False

    def write(self, batch: CopyBatch | list[tuple[tuple[Any, ...], list[int]]]) -> int:
        """Write a prepared batch (or rows, prepared here) in the current transaction; the number inserted."""
        if not isinstance(batch, CopyBatch):
            batch = self.prepare(batch)
        if not batch.rows:
            return 0
        with connection.cursor() as cursor:
            # Safe here: the checkpoint commits in the same transaction as the rows, so a server crash that
            # loses the last commits loses both together and the rerun starts from the older checkpoint.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            numbers = [values[0] for values, _tags in batch.rows]
            step = max(1, len(numbers) // self.PROBE)
            if not self._present(cursor, numbers[::step]) and self._copy_new(cursor, batch):
                return len(batch.rows)
            present = self._present(cursor, numbers)
            keep = [i for i, number in enumerate(numbers) if number not in present]
            if not keep:
                return 0
            batch = self._batch([batch.rows[i] for i in keep], [batch.ids[i] for i in keep], batch.now)
            if self._copy_new(cursor, batch):
                return len(batch.rows)
            return self._write_staged(cursor, batch.rows, batch.now)

    def _write_staged(self, cursor, rows: list[tuple[tuple[Any, ...], list[int]]], now: dt.datetime) -> int:
        cursor.execute(self.create)
        with cursor.copy(self.copy) as copy:
            for values, tags in rows:
                copy.write_row((*values[:23], now, ",".join(map(str, tags))))
        cursor.execute(self.insert)
        inserted, _links = cursor.fetchone()
        return int(inserted)


def writer_for_connection(*, use_copy: bool = True) -> _SqlWriter | _PgCopyWriter:
    return _PgCopyWriter() if use_copy and connection.vendor == "postgresql" else _SqlWriter()


# --- The run: read, validate, write in batches, checkpoint ---------------------------------------------


@dataclass
class Counts:
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "imported": self.imported, "skipped": self.skipped, "rejected": self.rejected}


def report_path(job_id: uuid.UUID | str) -> Path:
    return Path(settings.MEDIA_ROOT) / "hotline" / "import-reports" / f"{job_id}.csv"


class _Report:
    """The error report: row, column, reason (UTF-8 with BOM, so Excel opens it). Truncated on resume to
    the size saved with the last checkpoint, so a batch that was rolled back leaves no lines behind."""

    HEADER = ["row", "column", "reason"]

    def __init__(self, path: Path, size: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        mode = "r+b" if path.exists() else "w+b"
        self.handle = open(path, mode)  # noqa: SIM115 - closed in close()
        if size:
            self.handle.truncate(size)
            self.handle.seek(size)
        else:
            self.handle.truncate(0)
            self.handle.write(codecs.BOM_UTF8 + ",".join(self.HEADER).encode() + b"\r\n")
        self.lines = 0

    def add(self, row: int, column: str, reason: str) -> None:
        out = _CsvLine()
        csv.writer(out).writerow([safe_value(v) for v in (row, column, reason)])
        self.handle.write(out.text.encode("utf-8"))
        self.lines += 1

    def flush(self) -> int:
        self.handle.flush()
        return self.handle.tell()

    def close(self) -> None:
        self.handle.close()


class _CsvLine:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


# Test hook: called after each committed batch with the counts; raising here simulates a crash.
after_batch: Callable[[Counts], None] | None = None


@dataclass
class RunContext:
    """What the importer needs from its caller (the job runner): params, state and reporting."""

    job: Job
    progress: Callable[..., None]
    log: Callable[[str], None]
    state: dict[str, Any] = field(default_factory=dict)


class _Pipeline:
    """Runs `commit(*item)` for each submitted batch in one background thread, in order, on its own
    database connection; at most one batch waits, so memory stays flat. The first error stops the work and
    is raised in the reading thread at its next submit or at finish()."""

    def __init__(self, commit: Callable[..., None]) -> None:
        self.commit = commit
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="hotline-import-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        try:
            while True:
                item = self.queue.get()
                if item is None:
                    return
                if self.error is None:
                    try:
                        self.commit(*item)
                    except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
                        self.error = exc
        finally:
            connection.close()

    def submit(self, *item: Any) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def finish(self) -> None:
        self.stop()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


def _mapped_state(validator: RowValidator) -> list[list[Any]]:
    """The mapped-value counts as the checkpoint keeps them: [field, raw, code, rows] (JSON-safe)."""
    return [[name, raw, code, n] for (name, raw, code), n in validator.mapped_counts.items()]


def run_import(ctx: RunContext, *, batch_size: int | None = None, use_copy: bool = True,
               pipelined: bool = True) -> dict[str, Any]:
    """Import the file of `ctx.job.params` from its checkpoint to the end; return the counts."""
    params = ctx.job.params
    batch_size = int(batch_size or params.get("batch_size") or (PG_BATCH_SIZE if connection.vendor == "postgresql"
                                                                  else BATCH_SIZE))
    plan = inspect(params["path"], source=source_get(params.get("source")))
    state = dict(ctx.state)
    counts = Counts(**state.get("counts", {}))
    if state:
        ctx.log(f"resuming after row {state.get('row')} ({counts.as_dict()})")
    else:
        ctx.log(f"{plan.format} {encoding_label(plan.encoding) if plan.format == 'csv' else ''} "
                f"{plan.size} {'bytes' if plan.format == 'csv' else 'rows'}; columns: "
                + ", ".join(f"{k}={plan.header[v]}" for k, v in plan.columns.items()))
    validator = RowValidator(plan, ctx.job.pk)
    validator.mapped_counts = {(f, raw, code): n for f, raw, code, n in state.get("mapped", [])}
    if plan.unknown and not state:
        ctx.log("columns not imported (not recognised): " + ", ".join(plan.unknown))
    writer = writer_for_connection(use_copy=use_copy)
    path = report_path(ctx.job.pk)
    report = _Report(path, int(state.get("report_size", 0)))
    last_row = int(state.get("row", 1))
    position: int | None = state.get("offset")
    total = plan.size

    def commit(rows: Any, valid: int, position_now: int, row_now: int, report_size: int, read: int,
               rejected: int, mapped: list[list[Any]]) -> None:
        """Write one batch (`valid` good rows, prepared or not) and its checkpoint in one transaction (in this
        thread or the pipeline's)."""
        new_state = {"offset": position_now, "row": row_now, "report_size": report_size, "owner": OWNER,
                     "mapped": mapped}
        with transaction.atomic():
            imported = writer.write(rows) if valid else 0
            pending = Counts(rows=read, imported=counts.imported + imported,
                             skipped=counts.skipped + valid - imported, rejected=rejected)
            new_state["counts"] = pending.as_dict()
            # The checkpoint commits with the rows it describes (the in-memory state follows after commit).
            Job.objects.filter(pk=ctx.job.pk).update(state=new_state, heartbeat_at=timezone.now())
        ctx.state.clear()
        ctx.state.update(new_state)
        counts.imported, counts.skipped = pending.imported, pending.skipped
        ctx.progress(position_now if plan.format == "csv" else row_now - 1, total)
        if after_batch is not None:
            after_batch(counts)

    # Outside a transaction, a second thread (with its own connection) writes batch n while this one reads
    # and validates batch n + 1. Both drivers release the GIL while the database works (SQLite inside
    # sqlite3_step, PostgreSQL while the server runs the COPY), so the two overlap on two cores.
    pipeline = (_Pipeline(commit) if pipelined and not connection.in_atomic_block
                and not (connection.vendor == "sqlite" and connection.is_in_memory_db()) else None)
    submit = pipeline.submit if pipeline else (lambda *item: commit(*item))
    # PostgreSQL: the COPY text of batch n + 1 is built here while the writer's connection copies batch n.
    prepare = getattr(writer, "prepare", None)
    submitted = False
    # The writer thread gives up the GIL at every send of a COPY chunk (128 KiB) and every SQLite step, and
    # must then wait for this thread to hand it back: by default after up to 5 ms, while the database
    # idles. A 0.1 ms switch interval while both threads run keeps the database busy (PostgreSQL import of
    # 400,000 tickets: 7.6 s → 6.1 s). Restored afterwards.
    interval = sys.getswitchinterval()
    if pipeline:
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        for rows, lines, read, batch_end, batch_last_row in _read_batches(
                plan, validator, offset=position, row=last_row, batch_size=batch_size):
            validator.resolve_units(rows)
            for line in lines:
                report.add(*line)
            counts.rows += read
            counts.rejected += len(lines)  # one report line per rejected row
            payload = prepare(rows) if prepare is not None and rows else rows
            submit(payload, len(rows), batch_end, batch_last_row, report.flush(), counts.rows, counts.rejected,
                   _mapped_state(validator))
            submitted = True
        if not submitted and not state:  # an empty file: still one checkpoint
            submit([], 0, plan.data_offset, last_row, report.flush(), counts.rows, counts.rejected,
                   _mapped_state(validator))
        if pipeline:
            pipeline.finish()
    finally:
        if pipeline:
            pipeline.stop()
            sys.setswitchinterval(interval)
        report.close()
    result = counts.as_dict()
    result["report"] = str(path) if counts.rejected else ""
    result["encoding"] = encoding_label(plan.encoding) if plan.format == "csv" else "xlsx"
    result["columns"] = {name: plan.header[index] for name, index in plan.columns.items()}
    result["unknown_columns"] = list(plan.unknown)
    result["mapped_values"] = [
        {"field": name, "column": plan.column_label(name), "value": raw, "to": "" if code is None else str(code),
         "rows": n} for name, raw, code, n in sorted(_mapped_state(validator),
                                                      key=lambda m: (FIELD_NAMES.index(m[0]), -m[3], m[1]))]
    for item in result["mapped_values"]:
        ctx.log(f"mapped {item['field']} “{item['value']}” → {item['to'] or '—'} ({item['rows']} rows)")
    ctx.log(f"done: {counts.as_dict()}")
    # PostgreSQL's statistics are refreshed (ANALYZE) by the job that follows an import with new tickets,
    # hotline.warm_caches, before it runs the first queries over them (autovacuum does it too, later).
    return result
