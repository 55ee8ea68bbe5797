"""Chinese full-text search through a stored, segmented search column.

`search_terms` normalises (width, traditional → simplified) and segments text with rjieba's search
mode, so that "朝阳区" is stored as "朝阳 朝阳区" and a query for "朝阳" finds it. Each searchable
object has one `SearchEntry`; SQLite serves queries from an FTS5 table kept in step by triggers,
PostgreSQL from a GIN index over the stored `to_tsvector('simple', terms)` (migrations 0002 and 0005).

Apps register what they index with `register_source`; `search_rebuild` rebuilds everything (or one
model) from those sources. Services call `search_index` after writing a searchable object. Whatever shows
hits to a user (the search page, `/api/search`) asks `search_for`, which keeps only what the user may see.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import rjieba
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from minsheng.textmining.normalize import normalize

from .models import SearchEntry

_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")


def search_terms(text: str) -> str:
    """Space-separated search tokens of `text`: normalised, segmented in search mode, de-duplicated."""
    if not text:
        return ""
    clean = normalize(text, mask_entities=False).lower()
    seen: dict[str, None] = {}
    for chunk in _WORD.findall(clean):
        if chunk.isascii():
            seen.setdefault(chunk, None)
            continue
        for token in rjieba.cut_for_search(chunk):
            if _WORD.fullmatch(token):
                seen.setdefault(token, None)
    return " ".join(seen)


def title_grams(title: str) -> list[str]:
    """Character bigrams of a title's word runs (normalised, lower case). They are indexed beside the words,
    so "the title contains q" is answered from the index: a title containing q has every bigram of q, and only
    those candidates are compared with LIKE (no scan of every title)."""
    clean = normalize(title or "", mask_entities=False).lower()
    seen: dict[str, None] = {}
    for chunk in _WORD.findall(clean):
        for i in range(len(chunk) - 1):
            seen.setdefault(chunk[i : i + 2], None)
    return list(seen)


def entry_terms(title: str, text: str) -> str:
    """What a search entry indexes: the words of its title and text, and its title's bigrams."""
    terms = search_terms(f"{title} {text}")
    words = set(terms.split())
    grams = [g for g in title_grams(title) if g not in words]
    return f"{terms} {' '.join(grams)}".strip()


def query_words(query: str, limit: int = 12) -> list[str]:
    """The words a query is matched by: normalised, segmented (rjieba), de-duplicated, at most `limit`."""
    return _query_tokens(query, limit)


def _query_tokens(query: str, limit: int = 12) -> list[str]:
    clean = normalize(query or "", mask_entities=False).lower()
    tokens: list[str] = []
    for chunk in _WORD.findall(clean):
        parts = [chunk] if chunk.isascii() else [t for t in rjieba.cut(chunk) if _WORD.fullmatch(t)]
        tokens.extend(t for t in parts if t not in tokens)
    return tokens[:limit]


@dataclass(frozen=True)
class SearchSource:
    model: type[models.Model]
    queryset: Callable[[], models.QuerySet]
    title: Callable[[models.Model], str]
    text: Callable[[models.Model], str]
    visible: Callable[[Any, models.QuerySet], models.QuerySet] | None = None
    describe: Callable[[list[str]], dict[str, HitFacts]] | None = None


SOURCES: dict[str, SearchSource] = {}


def register_source(model: type[models.Model], *, queryset: Callable[[], models.QuerySet] | None = None,
                    title: Callable[[models.Model], str] = str, text: Callable[[models.Model], str] = str,
                    visible: Callable[[Any, models.QuerySet], models.QuerySet] | None = None,
                    describe: Callable[[list[str]], dict[str, HitFacts]] | None = None) -> None:
    """Declare how objects of `model` are indexed (called from the app's `ready()`). `visible(user, qs)`
    narrows `qs` to what the user may see (the mixed search page shows nothing else); None: everything.
    `describe(ids)` gives the facts a hit shows beside its title (`HitFacts`), in one or a few queries for
    all the ids; None: `search_facts` reads them from the model's own fields."""
    SOURCES[model._meta.label_lower] = SearchSource(model, queryset or model._default_manager.all, title, text, visible,
                                                    describe)


def search_visible(user: Any, hits: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The hits of `search` that `user` may see, in their order (one query per source with a `visible` rule)."""
    by_type: dict[int, list[str]] = {}
    for type_id, obj_id, _title in hits:
        by_type.setdefault(type_id, []).append(obj_id)
    allowed: set[tuple[int, str]] = set()
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        source = SOURCES.get(model._meta.label_lower) if model else None
        if source is None or source.visible is None:
            allowed.update((type_id, i) for i in ids)
            continue
        shown = source.visible(user, model._default_manager.filter(pk__in=ids)).values_list("pk", flat=True)
        allowed.update((type_id, str(pk)) for pk in shown)
    return [hit for hit in hits if (hit[0], hit[1]) in allowed]


SEARCH_BATCH = 200  # candidates read per round by `search_for`
SEARCH_SCAN_MAX = 5000  # and at most this many in all: past them a query answers what it found


def search_for(user: Any, query: str, *, limit: int = 50) -> list[tuple[int, str, str]]:
    """The best `limit` hits of `search(query)` that `user` may see (`search_visible`), best first: what the
    search page and `/api/search` answer. The visibility filter runs before the cut: candidates are read in
    rounds of SEARCH_BATCH until `limit` visible ones are found, the matches run out or SEARCH_SCAN_MAX
    candidates have been looked at, so hidden hits ranked first never shorten the answer (below that bound)."""
    shown: list[tuple[int, str, str]] = []
    offset = 0
    while len(shown) < limit and offset < SEARCH_SCAN_MAX:
        size = min(SEARCH_BATCH, SEARCH_SCAN_MAX - offset)
        batch = search(query, limit=size, offset=offset)
        shown.extend(search_visible(user, batch))
        if len(batch) < size:
            break
        offset += size
    return shown[:limit]


def search_index(obj: models.Model) -> None:
    """Write (or rewrite) the search entry of one object from its registered source."""
    source = SOURCES[obj._meta.label_lower]
    SearchEntry.objects.update_or_create(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk),
        defaults={"title": source.title(obj)[:300], "terms": entry_terms(source.title(obj), source.text(obj))},
    )


def search_remove(obj: models.Model) -> None:
    SearchEntry.objects.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)).delete()


def search_rebuild(*, labels: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None,
                   batch: int = 1000) -> int:
    """Rebuild the search entries of the registered sources (all, or those in `labels`). Returns the count."""
    chosen = [SOURCES[label] for label in (labels or SOURCES)]
    total = sum(src.queryset().count() for src in chosen)
    done = 0
    for src in chosen:
        ctype = ContentType.objects.get_for_model(src.model)
        with transaction.atomic():
            SearchEntry.objects.filter(target_type=ctype).delete()
            rows: list[SearchEntry] = []
            for obj in _iterate(src.queryset(), batch):
                title = src.title(obj)
                rows.append(SearchEntry(target_type=ctype, target_id=str(obj.pk), title=title[:300],
                                        terms=entry_terms(title, src.text(obj))))
                if len(rows) >= batch:
                    SearchEntry.objects.bulk_create(rows)
                    done += len(rows)
                    rows = []
                    if progress:
                        progress(done, total)
            SearchEntry.objects.bulk_create(rows)
            done += len(rows)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_search_fts(core_search_fts) VALUES ('optimize')")
    if progress:
        progress(done, total)
    return done


def _iterate(qs: models.QuerySet, batch: int) -> Iterator[models.Model]:
    yield from qs.order_by("pk").iterator(chunk_size=batch)


def search_ids(query: str, *, model: type[models.Model] | None = None, limit: int = 200) -> list[str]:
    """Ids (as strings) of the objects matching every token of `query`, best first.

    With `model`, only objects of that model; otherwise use `search` for mixed results.
    """
    return [target_id for _, target_id, _ in search(query, model=model, limit=limit)]


def search_filter(query: str, model: type[models.Model], *, or_title_contains: bool = False) -> models.Q:
    """`pk IN (search_matches(…))`: see there."""
    return models.Q(pk__in=search_matches(query, model, or_title_contains=or_title_contains))


def search_matches(query: str, model: type[models.Model], *, or_title_contains: bool = False) -> models.QuerySet:
    """The ids (one column) of `model`'s objects matching every token of `query`, all of them, unranked.

    The match runs inside the database as a semi-join (`pk IN (SELECT … FROM the search index)`), so a list
    can count, filter and page its matches in one statement, with no ids carried through Python and no limit.
    With `or_title_contains`, also the objects whose title contains `query` as typed (a title the segmenter
    cut differently): found through the title bigrams in the index, then checked with LIKE on those alone.
    For objects with integer primary keys.
    """
    tokens = _query_tokens(query)
    grams = title_grams(query) if or_title_contains else []
    if not tokens and not (or_title_contains and query):
        return SearchEntry.objects.none().values_list(Cast("target_id", models.BigIntegerField()))
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if connection.vendor == "postgresql":
        words = "terms_vector @@ to_tsquery('simple', %s)"
        params: list[object] = [" & ".join(f"{t}:*" for t in tokens)] if tokens else []
        title = "(terms_vector @@ to_tsquery('simple', %s) AND title LIKE %s)"
        title_params: list[object] = [" & ".join(grams), pattern]
    else:
        words = "id IN (SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s)"
        params = [" AND ".join(f'"{t}"*' for t in tokens)] if tokens else []
        title = ("id IN (SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s) "
                 "AND title LIKE %s ESCAPE '\\'")
        title_params = [" AND ".join(f'"{g}"' for g in grams), pattern]
    clauses = [words] if tokens else []
    if grams:
        clauses.append(title)
        params += title_params
    elif or_title_contains:  # a one-character query has no bigram: compare the model's every title
        clauses.append("title LIKE %s" + ("" if connection.vendor == "postgresql" else " ESCAPE '\\'"))
        params.append(pattern)
    where = "(" + " OR ".join(f"({c})" for c in clauses) + ")"
    return (SearchEntry.objects.filter(target_type=ContentType.objects.get_for_model(model))
            .filter(RawSQL(where, params, output_field=models.BooleanField()))
            .values_list(Cast("target_id", models.BigIntegerField())))


def search(query: str, *, model: type[models.Model] | None = None, limit: int = 50, offset: int = 0,
           words: Iterable[str] | None = None) -> list[tuple[int, str, str]]:
    """(content type id, object id, title) of the entries matching every token of `query`, best first (from
    the `offset`-th). Unfiltered: what a user may see of them is `search_visible`'s (or `search_for`'s) answer.

    With `words` instead (already segmented), the entries holding ANY of them, the most relevant first
    (BM25 on SQLite, ts_rank on PostgreSQL): the candidates of a similarity check."""
    tokens = list(dict.fromkeys(w for w in words if _WORD.fullmatch(w)))[:24] if words is not None else _query_tokens(query)
    if not tokens:
        return []
    join = " | " if words is not None else " & "
    params: list[object] = []
    type_filter = ""
    if model is not None:
        type_filter = " AND e.target_type_id = %s"
        params_type = [ContentType.objects.get_for_model(model).pk]
    else:
        params_type = []
    if connection.vendor == "postgresql":
        tsquery = join.join(f"{t}:*" for t in tokens)
        sql = (  # terms_vector: the stored to_tsvector('simple', terms) (migration 0005)
            "SELECT e.target_type_id, e.target_id, e.title FROM core_searchentry e "
            "WHERE e.terms_vector @@ to_tsquery('simple', %s)" + type_filter +
            " ORDER BY ts_rank(e.terms_vector, to_tsquery('simple', %s)) DESC, e.id LIMIT %s OFFSET %s"
        )
        params = [tsquery, *params_type, tsquery, limit, offset]
    else:
        match = (" OR " if words is not None else " AND ").join(f'"{t}"*' for t in tokens)
        sql = (
            "SELECT e.target_type_id, e.target_id, e.title FROM core_search_fts f "
            "JOIN core_searchentry e ON e.id = f.rowid WHERE core_search_fts MATCH %s" + type_filter +
            " ORDER BY f.rank, e.id LIMIT %s OFFSET %s"
        )
        params = [match, *params_type, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], str(row[1]), row[2]) for row in cursor.fetchall()]


# --- what a hit shows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HitFacts:
    """What tells one hit from another with the same title: its number, status, kind, date, who it is from,
    and the text it was indexed with (for the snippet around the match)."""

    number: str = ""
    status: str = ""
    kind: str = ""
    date: dt.date | dt.datetime | None = None
    who: str = ""
    text: str = ""


_DATE_FIELDS = ("submitted_at", "received_at", "held_on", "created_at")


def _model_facts(source: SearchSource, ids: list[str]) -> dict[str, HitFacts]:
    """The facts of a source without `describe`, from its model's own fields: `number`, the `status` and
    `kind` choices, the first of the usual date fields, and the indexed text. One query: every foreign key
    is joined (a number or an indexed text may read them)."""
    model = source.model
    names = {f.name: f for f in model._meta.concrete_fields}
    joins = [f.name for f in model._meta.concrete_fields if f.many_to_one]
    date_field = next((name for name in _DATE_FIELDS if name in names), None)
    facts: dict[str, HitFacts] = {}
    for obj in source.queryset().filter(pk__in=ids).select_related(*joins):
        status, kind = (getattr(obj, f"get_{name}_display")() if name in names and names[name].choices else ""
                        for name in ("status", "kind"))
        facts[str(obj.pk)] = HitFacts(number=str(getattr(obj, "number", "") or ""), status=str(status), kind=str(kind),
                                      date=getattr(obj, date_field) if date_field else None, text=source.text(obj))
    return facts


def search_facts(hits: list[tuple[int, str, str]]) -> dict[tuple[int, str], HitFacts]:
    """The facts of each hit of `search_for`, keyed (content type id, object id): one `describe` call (or one
    query) per kind of object, whatever the number of hits."""
    by_type: dict[int, list[str]] = {}
    for type_id, obj_id, _title in hits:
        by_type.setdefault(type_id, []).append(obj_id)
    facts: dict[tuple[int, str], HitFacts] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        source = SOURCES.get(model._meta.label_lower) if model else None
        if source is None:
            continue
        found = source.describe(ids) if source.describe else _model_facts(source, ids)
        facts.update(((type_id, obj_id), fact) for obj_id, fact in found.items())
    return facts


def highlight_words(query: str) -> list[str]:
    """What to mark in a hit for `query`: the query as typed and its words (one-character words only when the
    query is one character: a 的 or 和 marked everywhere helps nobody), longest first."""
    words = dict.fromkeys([query.strip(), *(w for w in query_words(query) if len(w) > 1)])
    return sorted((w for w in words if w), key=len, reverse=True)  # stable: words of a length in query order


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    words = list(words)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """`text` escaped, with each occurrence of `words` wrapped in <mark>. Only escaped pieces and the <mark>
    tags are joined, so the text of a user can never inject markup."""
    pattern = _pattern(words)
    if pattern is None or not text:
        return escape(text or "")
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(text: str, words: Iterable[str], *, before: int = 30, width: int = 120) -> SafeString:
    """About `width` characters of `text` around the first occurrence of `words` (the start when none
    occurs), whitespace collapsed, "…" where it is cut, the words marked (`highlight`)."""
    text = " ".join((text or "").split())
    words = list(words)
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - before) if match else 0
    end = min(len(text), start + width)
    piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return highlight(piece, words)
