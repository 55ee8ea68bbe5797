"""Preparation of the messages for hot issues (steps 1–3 of ``hot_issues``): normalised text,
places, groups, subject bigrams and word counts as numeric arrays (``_Prepared``), in batches of
``PREPARE_BATCH`` with one rjieba call each, on several processes from ``PARALLEL_FROM``
messages; then TF-IDF (``_tfidf``) and the rare subject bigrams, the topic words (``_topic_keys``).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import rjieba
from scipy import sparse

from minsheng.textmining.hot_messages import Message
from minsheng.textmining.normalize import normalize_many
from minsheng.textmining.places import SPECIFIC_KINDS, Place, _groups, extract_places
from minsheng.textmining.segment import default_stop_words


@cache
def _stop_words() -> frozenset[str]:
    return default_stop_words() | frozenset(
        {
            "问题",
            "反映",
            "投诉",
            "请问",
            "希望",
            "领导",
            "您好",
            "你好",
            "尊敬",
            "政府",
            "相关",
            "部门",
            "我们",
            "没有",
            "一个",
            "现在",
            "进行",
            "情况",
            "解决",
            "要求",
            "建议",
            "关于",
            "什么",
            "时候",
            "已经",
            "目前",
            "还是",
            "可以",
            "这个",
            "这样",
            "为什么",
            "如何",
            "是否",
            "谢谢",
            "西地省",
            "书记",
            "市长",
            "尽快",
            "处理",
            "严重",
            "影响",
            "存在",
            "有关",
            "能够",
            "不能",
            "市民",
        }
    )


#: The subject states the problem; it counts this many times against the detail's words.
SUBJECT_WEIGHT = 3
#: Only the beginning of a long detail is used: it names the problem; the rest is narrative.
DETAIL_CHARS = 300
#: Drop the words of a message's own estate/school/firm/community names from its word vector.
DROP_PLACE_WORDS = True
#: Places and groups are looked for in the subject and this many characters of the detail.
PLACE_CHARS = 200
_SPLIT_RE = re.compile(r"[A-Z][0-9]{0,2}[省市区县州]")


def _words(text: str) -> list[str]:
    stops = _stop_words()
    text = _SPLIT_RE.sub(" ", text)
    return [
        w for w in rjieba.cut(text) if len(w) > 1 and w not in stops and not w.isdigit() and not w.isspace()
    ]


@dataclass(slots=True)
class _Prepared:
    """Everything the clustering needs, as numeric arrays (no Python object per message).

    ``counts``: n × vocabulary word counts (subject words ``SUBJECT_WEIGHT`` times); ``keys``,
    ``coarse``, ``districts``, ``bigrams``: n × vocabulary 0/1 matrices of the specific place
    keys (variants merged), roads/streets, districts (区/县) and distinct subject bigrams.
    Places and groups per message are CSR lists of ids into small tables."""

    words: list[str]
    counts: sparse.csr_matrix
    place_table: list[Place]
    place_ptr: np.ndarray
    place_ids: np.ndarray
    group_names: list[str]
    group_ptr: np.ndarray
    group_ids: np.ndarray
    key_names: list[str]
    keys: sparse.csr_matrix
    coarse: sparse.csr_matrix
    districts: sparse.csr_matrix
    bigrams: sparse.csr_matrix

    def places_of(self, i: int) -> list[Place]:
        return [
            self.place_table[j] for j in self.place_ids[self.place_ptr[i] : self.place_ptr[i + 1]].tolist()
        ]

    def groups_of(self, i: int) -> list[str]:
        return [
            self.group_names[j] for j in self.group_ids[self.group_ptr[i] : self.group_ptr[i + 1]].tolist()
        ]

    def key_names_of(self, i: int) -> list[str]:
        return [
            self.key_names[j]
            for j in self.keys.indices[self.keys.indptr[i] : self.keys.indptr[i + 1]].tolist()
        ]


class _Chunk(NamedTuple):
    """One batch prepared by a worker: chunk-local tables and flat arrays (cheap to pickle)."""

    words: list[str]  # local word table, in order of first use
    word_cols: np.ndarray  # int32, per message its distinct local word ids …
    word_data: np.ndarray  # float32 … and their counts
    word_lens: np.ndarray  # int64 entries per message
    places: list[Place]  # local place table
    place_ids: np.ndarray  # int32, per message its places in order
    place_lens: np.ndarray
    groups: list[str]  # per message its groups, flattened
    group_lens: np.ndarray
    bigrams: list[str]  # local bigram table
    bigram_ids: np.ndarray  # int32, per message its distinct subject bigrams
    bigram_lens: np.ndarray


def _name_parts(name: str, table: dict[str, int]) -> list[int]:
    """Local ids of the words of ``table`` that occur in ``name`` (its substrings of ≥ 2)."""
    size = len(name)
    found = {table.get(name[i:j], -1) for i in range(size) for j in range(i + 2, size + 1)}
    found.discard(-1)
    return sorted(found)


def _prepare_batch(subjects: Sequence[str], details: Sequence[str]) -> _Chunk:
    """Prepare a batch of messages: normalised text, places, groups, subject bigrams and the
    word counts, all as local tables plus flat arrays. One rjieba call for the whole batch
    (texts joined by newlines, which rjieba always cuts at); words are filtered once per
    distinct word, not per occurrence."""
    n = len(subjects)
    subjects = normalize_many(list(subjects), mask_entities=False)
    details = normalize_many(list(details), mask_entities=False)
    place_table: dict[Place, int] = {}
    place_ids: list[int] = []
    place_lens = np.zeros(n, dtype=np.int64)
    groups: list[str] = []
    group_lens = np.zeros(n, dtype=np.int64)
    bigram_table: dict[str, int] = {}
    bigram_ids: list[int] = []
    bigram_lens = np.zeros(n, dtype=np.int64)
    names: list[list[str]] = []
    for i in range(n):
        subject = subjects[i]
        head = details[i][:PLACE_CHARS]
        found = extract_places(subject + "。" + head)
        place_ids.extend(place_table.setdefault(p, len(place_table)) for p in found)
        place_lens[i] = len(found)
        names.append([p.name for p in found if p.kind in SPECIFIC_KINDS] if DROP_PLACE_WORDS else [])
        found_groups = _groups(subject + head)
        groups.extend(found_groups)
        group_lens[i] = len(found_groups)
        grams = _subject_bigrams(subject)
        bigram_ids.extend(bigram_table.setdefault(g, len(bigram_table)) for g in grams)
        bigram_lens[i] = len(grams)
    # Words: subject and detail of every message, all separated by newlines.
    joined = _SPLIT_RE.sub(" ", "\n".join(f"{subjects[i]}\n{details[i][:DETAIL_CHARS]}" for i in range(n)))
    tokens = rjieba.cut(joined)
    table = dict.fromkeys(tokens, 0)
    local = list(table)
    for j, word in enumerate(local):
        table[word] = j
    ids = np.fromiter(map(table.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    newline = table.get("\n", -1)
    separator = ids == newline
    segment = np.cumsum(separator)  # 2i: subject of message i, 2i + 1: its detail
    if n and int(segment[-1]) != 2 * n - 1:  # pragma: no cover - rjieba always cuts at "\n"
        raise RuntimeError("word segmentation lost a message boundary")
    stops = _stop_words()
    good = np.fromiter(
        (len(w) > 1 and w not in stops and not w.isdigit() and not w.isspace() for w in local),
        dtype=bool,
        count=len(local),
    )
    message = segment // 2
    keep = good[ids] & ~separator
    if any(names):
        # The problem, not the place, decides similarity: drop the words of the message's own
        # estate / school / firm / community names (the place is matched through its key).
        parts: dict[str, list[int]] = {}
        drop_rows: list[int] = []
        drop_cols: list[int] = []
        for i, own in enumerate(names):
            for name in own:
                cols = parts.get(name)
                if cols is None:
                    cols = parts[name] = _name_parts(name, table)
                drop_rows.extend([i] * len(cols))
                drop_cols.extend(cols)
        if drop_cols:
            width = len(local) + 1
            dropped = np.asarray(drop_rows, dtype=np.int64) * width + np.asarray(drop_cols, dtype=np.int64)
            keep &= ~np.isin(message * width + ids, dropped)
    kept_ids = ids[keep]
    kept_rows = message[keep]
    weight = np.where(segment[keep] % 2 == 0, float(SUBJECT_WEIGHT), 1.0)
    # Renumber the kept words in order of first use (the global vocabulary keeps that order).
    used, first = np.unique(kept_ids, return_index=True)
    order = used[np.argsort(first, kind="stable")]
    renumber = np.zeros(len(local) + 1, dtype=np.int64)
    renumber[order] = np.arange(len(order))
    width = max(1, len(order))
    pair, inverse = np.unique(kept_rows * width + renumber[kept_ids], return_inverse=True)
    data = np.bincount(inverse, weights=weight).astype(np.float32)
    rows = pair // width
    return _Chunk(
        words=[local[j] for j in order.tolist()],
        word_cols=(pair % width).astype(np.int32),
        word_data=data,
        word_lens=np.bincount(rows, minlength=n).astype(np.int64),
        places=list(place_table),
        place_ids=np.asarray(place_ids, dtype=np.int32),
        place_lens=place_lens,
        groups=groups,
        group_lens=group_lens,
        bigrams=list(bigram_table),
        bigram_ids=np.asarray(bigram_ids, dtype=np.int32),
        bigram_lens=bigram_lens,
    )


#: The messages being prepared, for the forked workers (set only during ``_prepare``).
_SOURCE: Sequence[Message] = ()


def _prepare_range(bounds: tuple[int, int]) -> _Chunk:
    part = _SOURCE[bounds[0] : bounds[1]]
    return _prepare_batch([m.subject for m in part], [m.detail for m in part])


#: Above this many messages preparation runs in worker processes (one per core, at most 4).
PARALLEL_FROM = 50_000
#: Messages per preparation batch.
PREPARE_BATCH = 5000


def _prepare(messages: Sequence[Message], progress: Callable[[int], None] | None) -> _Prepared:
    global _SOURCE
    n = len(messages)
    bounds = [(i, min(n, i + PREPARE_BATCH)) for i in range(0, n, PREPARE_BATCH)]
    workers = min(4, os.cpu_count() or 1)
    _SOURCE = messages
    try:
        if n >= PARALLEL_FROM and workers > 1:
            # Forked workers read the messages from memory; only compact arrays come back.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return _collect(n, pool.imap(_prepare_range, bounds), progress)
        return _collect(n, map(_prepare_range, bounds), progress)
    finally:
        _SOURCE = ()


def _csr(rows_lens: np.ndarray, cols: np.ndarray, width: int, n: int) -> sparse.csr_matrix:
    """0/1 matrix with the given entries per row (duplicates merged, indices sorted)."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(rows_lens, out=indptr[1:])
    m = sparse.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), cols.astype(np.int32), indptr), shape=(n, max(1, width))
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def _collect(n: int, results: Iterable[_Chunk], progress: Callable[[int], None] | None) -> _Prepared:
    vocab: dict[str, int] = {}
    places: dict[Place, int] = {}
    group_table: dict[str, int] = {}
    bigram_table: dict[str, int] = {}
    word_cols: list[np.ndarray] = []
    word_data: list[np.ndarray] = []
    word_lens: list[np.ndarray] = []
    place_ids: list[np.ndarray] = []
    place_lens: list[np.ndarray] = []
    group_ids: list[np.ndarray] = []
    group_lens: list[np.ndarray] = []
    bigram_ids: list[np.ndarray] = []
    bigram_lens: list[np.ndarray] = []
    for chunk in results:
        # Only the chunk's distinct words, places and bigrams go through Python dictionaries.
        to_global = np.fromiter(
            (vocab.setdefault(w, len(vocab)) for w in chunk.words), dtype=np.int32, count=len(chunk.words)
        )
        word_cols.append(to_global[chunk.word_cols] if len(to_global) else chunk.word_cols)
        word_data.append(chunk.word_data)
        word_lens.append(chunk.word_lens)
        to_global = np.fromiter(
            (places.setdefault(p, len(places)) for p in chunk.places), dtype=np.int32, count=len(chunk.places)
        )
        place_ids.append(to_global[chunk.place_ids] if len(to_global) else chunk.place_ids)
        place_lens.append(chunk.place_lens)
        group_ids.append(
            np.fromiter(
                (group_table.setdefault(g, len(group_table)) for g in chunk.groups),
                dtype=np.int32,
                count=len(chunk.groups),
            )
        )
        group_lens.append(chunk.group_lens)
        to_global = np.fromiter(
            (bigram_table.setdefault(g, len(bigram_table)) for g in chunk.bigrams),
            dtype=np.int32,
            count=len(chunk.bigrams),
        )
        bigram_ids.append(to_global[chunk.bigram_ids] if len(to_global) else chunk.bigram_ids)
        bigram_lens.append(chunk.bigram_lens)
        if progress is not None:
            progress(len(chunk.word_lens))

    def flat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)

    lens = flat(word_lens, np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    counts = sparse.csr_matrix(
        (flat(word_data, np.float32), flat(word_cols, np.int32), indptr), shape=(n, max(1, len(vocab)))
    )
    del word_cols, word_data
    counts.sum_duplicates()
    place_table = list(places)
    pl_ids = flat(place_ids, np.int32)
    pl_lens = flat(place_lens, np.int64)
    place_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(pl_lens, out=place_ptr[1:])
    # Place keys as ids: specific kinds (variants merged), roads and streets, districts.
    named = np.bincount(pl_ids, minlength=len(place_table)) if len(place_table) else np.zeros(0, np.int64)
    key_counts: dict[str, int] = {}
    for p, times in zip(place_table, named.tolist(), strict=True):
        if p.kind in SPECIFIC_KINDS:
            key_counts[p.key] = key_counts.get(p.key, 0) + times
    key_of = _merge_key_variants(key_counts)
    key_names = sorted(set(key_of.values()))
    key_index = {k: j for j, k in enumerate(key_names)}
    coarse_names = sorted({p.key for p in place_table if p.kind in ("road", "street")})
    coarse_index = {k: j for j, k in enumerate(coarse_names)}
    district_names = sorted({p.key for p in place_table if p.kind == "district" and p.key[-1] in "区县"})
    district_index = {k: j for j, k in enumerate(district_names)}
    specific = np.array([key_index[key_of[p.key]] if p.key in key_of else -1 for p in place_table] + [-1])
    road = np.array(
        [coarse_index.get(p.key, -1) if p.kind in ("road", "street") else -1 for p in place_table] + [-1]
    )
    district = np.array(
        [district_index.get(p.key, -1) if p.kind == "district" else -1 for p in place_table] + [-1]
    )
    rows = np.repeat(np.arange(n), pl_lens)

    def member(column_of: np.ndarray, width: int) -> sparse.csr_matrix:
        cols = column_of[pl_ids]
        ok = cols >= 0
        return _csr(np.bincount(rows[ok], minlength=n), cols[ok], width, n)

    group_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(flat(group_lens, np.int64), out=group_ptr[1:])
    return _Prepared(
        words=list(vocab),
        counts=counts,
        place_table=place_table,
        place_ptr=place_ptr,
        place_ids=pl_ids,
        group_names=list(group_table),
        group_ptr=group_ptr,
        group_ids=flat(group_ids, np.int32),
        key_names=key_names,
        keys=member(specific, len(key_names)),
        coarse=member(road, len(coarse_names)),
        districts=member(district, len(district_names)),
        bigrams=_csr(flat(bigram_lens, np.int64), flat(bigram_ids, np.int32), len(bigram_table), n),
    )


def _merge_key_variants(counts: Mapping[str, int]) -> dict[str, str]:
    """Map each key to the shortest key that ends it (万科魅力之城 → 魅力之城), or to itself;
    ``counts`` holds every key with the number of messages naming it.

    A short key that ends three or more *established* names is ambiguous and absorbs none of
    them: 锦绣花园 in 阳光锦绣花园, 海棠锦绣花园 and 福星锦绣花园, each named again and again, is
    three estates, not one. A name is established when it is named in at least two messages
    and in at least a quarter as many as the short key (the words a sentence puts in front of
    a name, 现广铁集团 or 但广铁集团, stay rarer than the name itself at any scale). Only
    established names that do not end in another such name count (房伊景园滨河苑 is
    伊景园滨河苑)."""
    endings: dict[str, list[str]] = {}
    for key in counts:
        for size in range(3, len(key)):
            tail = key[-size:]
            if tail in counts:
                endings.setdefault(tail, []).append(key)
    ambiguous: set[str] = set()
    for tail, keys in endings.items():
        floor = max(2, counts[tail] / 4)
        established = [key for key in keys if counts[key] >= floor]
        if len(established) < 3:
            continue
        distinct = sum(1 for key in established if not any(key != o and key.endswith(o) for o in established))
        if distinct >= 3:
            ambiguous.add(tail)
    mapping: dict[str, str] = {}
    for key in counts:
        best = key
        if key not in ambiguous:
            # Never past an ambiguous tail to a shorter one (江山帝景苑 is ambiguous: 万科江山帝景苑
            # must not become 帝景苑 either).
            floor = max((size for size in range(3, len(key)) if key[-size:] in ambiguous), default=2)
            for size in range(floor + 1, len(key)):
                if key[-size:] in counts:
                    best = key[-size:]
                    break
        mapping[key] = best
    return mapping


def _tfidf(prepared: _Prepared) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    counts = prepared.counts.copy()
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sparse.diags((1.0 / norms).astype(np.float32)) @ counts
    return x.tocsr(), prepared.words, idf


#: A subject word is a topic word when at most this share of messages (and at least 2) use it.
TOPIC_SHARE = 0.015


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}|[0-9]+[\u4e00-\u9fff]")


def _subject_bigrams(subject: str) -> frozenset[str]:
    found: set[str] = set()
    for run in _CJK_RUN.findall(_SPLIT_RE.sub(" ", subject)):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(found)


def _topic_keys(prepared: _Prepared, max_share: float) -> sparse.csr_matrix:
    """Rare character bigrams of the subjects shared by a few messages (车贷, 搅拌 …): a
    problem's own vocabulary, robust to segmentation (``58车贷案`` → 58车, 车贷, 贷案). An
    n × bigrams 0/1 matrix restricted to the rare bigrams."""
    grams = prepared.bigrams
    n = grams.shape[0]
    df = np.bincount(grams.indices, minlength=grams.shape[1])
    limit = max(5, int(max_share * n))
    rare = (df >= 2) & (df <= limit)
    topics = grams.copy()
    topics.data = rare[topics.indices].astype(np.float32)
    topics.eliminate_zeros()
    return topics
