"""Hot issues: group messages about one problem at one place (or for one group) within a period,
and rank the groups by a documented heat index.

This module runs the steps below and computes the heat; the steps live in ``hot_messages``
(reading the rows), ``places`` (step 2), ``hot_prepare`` (steps 1 and 3), ``hot_links`` (steps
4–6) and ``hot_labels`` (the place or group of step 7).

Method (``find_hot_issues``):

1. **Normalise** subject and detail (width, traditional → simplified) and parse the time.
2. **Places and groups** (``extract_places``): anonymised administrative units (``A市``, ``A3区``,
   ``K8县``) and named places found by their Chinese suffixes — estates (小区 花园 家园 苑 府 湾
   新城 …), schools (学院 大学 中学 小学 幼儿园), firms (公司 集团 物业 医院 …), roads (路 大道
   街), streets and towns (街道 镇 乡), communities and villages (社区 村) — with the words in
   front of the name (反映, 关于, A市A2区, 劳动东路 …) trimmed off. A key that ends another key
   (``魅力之城`` in ``万科魅力之城``) absorbs it, so spelling variants of one place share a key.
   Groups of people (业主, 学生, 职工, 受害人 …) are recorded for the label.
3. **Similarity**: TF-IDF over rjieba words (stop words removed, the subject counted
   ``SUBJECT_WEIGHT`` = 3 times, the first ``DETAIL_CHARS`` = 300 characters of the detail, the
   words of the message's own estate/school/firm/community names left out: the place is matched
   by its key, similarity measures the problem), cosine similarity. Rare subject bigrams (at most 1.5% of subjects: 车贷, 搅拌 …) are *topic
   words*, robust to segmentation.
4. **Linking** (up to ``exact_block`` = 12,000 messages, all pairs): two messages at most
   ``window_days`` = 365 apart are linked when they name the same estate/school/firm/community
   and have similarity ≥ 0.10, share a topic word (≥ 0.15), the same road or street (≥ 0.30),
   or nothing in particular (≥ 0.35); naming *different* places or districts needs ≥ 0.60
   (near-duplicates only). Linked components over ``max_split`` are broken by raising the
   level in steps of 0.05.
5. **Splitting**: each component is split by average-linkage clustering at
   ``average_threshold`` = 0.18, where a shared place adds ``PLACE_BONUS`` = 0.10, a shared topic
   word ``TOPIC_BONUS`` = 0.05 and different districts subtract ``DISTRICT_PENALTY`` = 0.10.
   Single links find all the messages of a problem; average linkage undoes their chaining
   (one estate's fumes complaints stay apart from its cracked-floor complaints). A cluster where
   at least half the messages name one estate, school, firm or community is that place's issue:
   members naming only other such places, in districts none of its messages names, leave it
   (``_main_place_parts``: the same complaint in the same words at another estate) and are
   clustered among themselves. An issue of a group across places names no place that often.
6. **At scale** (more than ``exact_block`` messages): preparation runs in up to four worker processes (from 50,000 messages), and the
   candidate groups are "same place key" (of a message's keys, the one most messages name); for
   messages naming no estate, school, firm or community, the components of the step-4 topic
   links among them, found block by block (each rare subject bigram used by at most
   ``TOPIC_BLOCK`` = 300 messages is a block), each joining the key group it is linked to most
   strongly, if any; for the rest "same district and same highest-weight word". Each group (cut in time order at
   ``max_block``) goes through step 5. Linear in the number of messages. Memory: per message
   only numbers are kept (word counts, place, key, district, group and bigram ids in CSR arrays;
   the distinct places, words and bigrams once each); a batch of 5,000 messages is segmented
   with one rjieba call.
7. **Heat index** (``heat``) and, for each issue, period, place or group, a one-line description
   (the subject of the most central message), keywords and member ids. The heat of every
   cluster is first bounded with numpy (``_heat_candidates``); only the clusters that can reach
   the top get the exact ``heat`` and the echo count.

Heat index of an issue (every term is documented in ``HeatWeights``)::

    heat = 10 × ( 1.0·ln(1+people) + 0.5·ln(1+messages) + 0.55·ln(1+support)
                  + 2.0·min(span_days, 730)/730 + 0.5·recency + 0.3·growth + 1.0·ln(1+echoes)
                  + 1.0·unresolved_share + 1.0·dissatisfaction )

``support`` = Σ likes − ½·Σ dislikes (floored at 0); ``recency`` = exp(−days from the issue's
last message to the newest message in the data / 90); ``growth`` = ln((1+messages in the
issue's last 30 days) / (1+messages in the 30 days before)), clipped to [0, 2]; ``echoes`` =
members whose text another person repeats near-verbatim (cosine ≥ 0.8: a co-signed complaint,
"联名"); the last two terms only exist for tickets that carry ``resolved`` (0/1) and ``satisfaction`` (0–1 or 1–5).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

import numpy as np
from scipy import sparse

from minsheng.textmining.hot_labels import _label
from minsheng.textmining.hot_links import (
    _components,
    _edges_for,
    _groups_at_scale,
    _main_place_parts,
    _membership,
    _most_named,
    _split_average,
    _Thresholds,
)
from minsheng.textmining.hot_messages import REQUIRED_COLUMNS as REQUIRED_COLUMNS  # cli_more reads it here
from minsheng.textmining.hot_messages import Message, messages_from_rows, parse_time
from minsheng.textmining.hot_prepare import TOPIC_SHARE, _prepare, _Prepared, _tfidf, _topic_keys
from minsheng.textmining.normalize import clean, to_simplified
from minsheng.textmining.places import Place, extract_places

__all__ = [
    "HeatWeights",
    "HotIssue",
    "Message",
    "Place",
    "extract_places",
    "find_hot_issues",
    "heat",
    "messages_from_rows",
    "parse_time",
]

# --- heat --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeatWeights:
    """Weights of the heat index (see the module docstring for the formula)."""

    people: float = 1.0  # ln(1 + distinct users): many people beat one insistent person
    volume: float = 0.5  # ln(1 + messages)
    support: float = 0.55  # ln(1 + Σlikes − ½Σdislikes)
    span: float = 2.0  # min(span, 730 days) / 730: a problem raised again over years is unresolved
    recency: float = 0.5  # exp(−age / 90 days)
    growth: float = 0.3  # ln((1 + last 30 days) / (1 + previous 30 days)) in [0, 2]
    echo: float = 1.0  # ln(1 + messages repeated near-verbatim by another person): co-signing
    unresolved: float = 1.0  # share of tickets not resolved (tickets only)
    dissatisfaction: float = 1.0  # 1 − mean satisfaction scaled to 0–1 (tickets only)
    scale: float = 10.0


def heat(
    members: Sequence[Message], *, now: datetime, weights: HeatWeights = HeatWeights(), echoes: int = 0
) -> float:
    """Heat index of one issue made of ``members``; ``now`` is the reference time (the newest
    message of the data set, so that old data ranks the same whenever it is analysed);
    ``echoes`` the number of members that another person's message repeats near-verbatim."""
    people = len({m.user or m.message_id for m in members})
    support = max(0.0, sum(m.likes for m in members) - 0.5 * sum(m.dislikes for m in members))
    times = sorted(m.posted_at for m in members)
    span_days = (times[-1] - times[0]).total_seconds() / 86400
    age_days = max(0.0, (now - times[-1]).total_seconds() / 86400)
    last = times[-1]
    recent = sum(1 for t in times if t > last - timedelta(days=30))
    before = sum(1 for t in times if last - timedelta(days=60) < t <= last - timedelta(days=30))
    growth = min(2.0, max(0.0, math.log((1 + recent) / (1 + before))))
    value = (
        weights.people * math.log1p(people)
        + weights.volume * math.log1p(len(members))
        + weights.support * math.log1p(support)
        + weights.span * min(span_days, 730.0) / 730.0
        + weights.recency * math.exp(-age_days / 90.0)
        + weights.growth * growth
        + weights.echo * math.log1p(echoes)
    )
    resolved = [m.resolved for m in members if m.resolved is not None]
    if resolved:
        value += weights.unresolved * (1.0 - sum(min(1.0, max(0.0, r)) for r in resolved) / len(resolved))
    scores = [m.satisfaction for m in members if m.satisfaction is not None]
    if scores:
        mean = sum(scores) / len(scores)
        satisfied = (mean - 1.0) / 4.0 if max(scores) > 1.0 else mean  # 1–5 stars or a 0–1 share
        value += weights.dissatisfaction * (1.0 - min(1.0, max(0.0, satisfied)))
    return round(weights.scale * value, 2)


# --- clustering --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HotIssue:
    """One hot issue: rank and heat, period, place or group, description, keywords, members."""

    rank: int
    heat: float
    period_start: date
    period_end: date
    place: str
    description: str
    keywords: tuple[str, ...]
    message_ids: tuple[str, ...]
    people: int
    support: int = 0
    extra: dict[str, float] = field(default_factory=dict)

ECHO_SIMILARITY = 0.8


def _echoes(idx: list[int], x: sparse.csr_matrix, users: np.ndarray, threshold: float) -> int:
    """Members whose text another person repeats near-verbatim (co-signed complaints)."""
    if len(idx) < 2:
        return 0
    sub = x[idx]
    sims = (sub @ sub.T).tocoo()
    who = users[np.asarray(idx)]
    hit = (sims.row != sims.col) & (sims.data >= threshold) & (who[sims.row] != who[sims.col])
    return int(len(np.unique(sims.row[hit])))


def find_hot_issues(
    messages: Sequence[Message],
    *,
    top: int = 10,
    place_threshold: float = 0.1,
    coarse_threshold: float = 0.3,
    topic_threshold: float = 0.15,
    text_threshold: float = 0.35,
    duplicate_threshold: float = 0.6,
    average_threshold: float = 0.18,
    window_days: float = 365.0,
    weights: HeatWeights = HeatWeights(),
    exact_block: int = 12_000,
    max_block: int = 600,
    max_split: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> list[HotIssue]:
    """Group ``messages`` into issues and return the ``top`` hottest (all when ``top`` ≤ 0).

    See the module docstring for the method. Linking (single links, then split): ``place_threshold`` is the similarity that links two
    messages naming the same estate, school, firm or community; ``topic_threshold`` two sharing
    a rare subject word; ``coarse_threshold`` the same road or street; ``text_threshold`` any
    two not naming different places; ``duplicate_threshold`` two naming different places.
    ``window_days`` is the largest gap between two linked messages. Each linked component is
    then split by average linkage at ``average_threshold``. ``progress`` is called with the
    number of messages done (for a progress bar).
    """
    if not messages:
        return []
    prepared = _prepare(messages, progress)
    x, words, idf = _tfidf(prepared)
    topics = _topic_keys(prepared, TOPIC_SHARE)
    n = len(messages)
    epoch = datetime(1970, 1, 1)
    # Whole seconds since 1970 (naive, as parsed): exact and free of time-zone shifts.
    seconds = np.fromiter(
        ((m.posted_at.replace(tzinfo=None) - epoch) // _SECOND for m in messages), dtype=np.int64, count=n
    )
    days = seconds / 86400.0
    t = _Thresholds(
        place_threshold,
        coarse_threshold,
        topic_threshold,
        text_threshold,
        duplicate_threshold,
        window_days,
        average_threshold,
    )
    if n <= exact_block:
        a, b, sim = _edges_for(np.arange(n, dtype=np.int64), x, prepared, topics, days, t)
        parts: Iterable[np.ndarray] = _components(
            np.arange(n, dtype=np.int64), a, b, sim, 0.0, max_split, days
        )
    else:
        parts = _groups_at_scale(x, prepared, topics, days, t, max_block)
    member = _membership(topics, prepared.keys, prepared.districts)
    place_parts = partial(
        _main_place_parts,
        keys=prepared.keys,
        key_of=_most_named(prepared.keys),
        n_keys=np.diff(prepared.keys.indptr),
        districts=prepared.districts,
        x=x,
        member=member,
        threshold=average_threshold,
    )
    # Cluster labels as one array, numbered in the order the clusters are made.
    # (and each message's position in its cluster: descriptions depend on the members' order).
    labels = np.empty(n, dtype=np.int64)
    position = np.empty(n, dtype=np.int64)
    count = 0
    for part in parts:
        if len(part) <= 2:
            labels[part] = count
            position[part] = np.arange(len(part))
            count += 1
            continue
        clusters = [
            piece
            for cluster in _split_average(part.tolist(), x, member, average_threshold, max_split)
            for piece in place_parts(cluster)
        ]
        for cluster in clusters:
            labels[cluster] = count
            position[cluster] = np.arange(len(cluster))
            count += 1
    interned: dict[str, int] = {}
    users = np.fromiter(
        (interned.setdefault(m.user or m.message_id, len(interned)) for m in messages),
        dtype=np.int64,
        count=n,
    )
    del interned
    order = np.lexsort((position, labels))
    del position
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    members = np.split(order, cuts)
    candidates = _heat_candidates(labels, count, seconds, users, messages, weights, top)
    now = max(m.posted_at for m in messages)
    scored: list[tuple[float, datetime, int, list[int]]] = []
    for c in candidates.tolist():
        idx = members[c].tolist()
        echoes = _echoes(idx, x, users, ECHO_SIMILARITY)
        value = heat([messages[i] for i in idx], now=now, weights=weights, echoes=echoes)
        scored.append((value, min(messages[i].posted_at for i in idx), c, idx))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    chosen = scored if top <= 0 else scored[:top]
    return [
        _describe(rank, value, idx, messages, prepared, x, words)
        for rank, (value, _, _, idx) in enumerate(chosen, 1)
    ]


_SECOND = timedelta(seconds=1)


def _heat_candidates(
    labels: np.ndarray,
    count: int,
    seconds: np.ndarray,
    users: np.ndarray,
    messages: Sequence[Message],
    weights: HeatWeights,
    top: int,
) -> np.ndarray:
    """The clusters that may be among the ``top`` hottest (all when ``top`` ≤ 0).

    The heat of every cluster is bounded in numpy, without echoes and ticket terms (all ≥ 0):
    a lower bound, and an upper bound with the most echoes (every member) and the largest ticket
    terms. Only clusters whose upper bound reaches the ``top``-th lower bound get the exact
    ``heat`` (and the costly echo count)."""
    fields = (
        weights.people,
        weights.volume,
        weights.support,
        weights.span,
        weights.recency,
        weights.growth,
        weights.echo,
        weights.unresolved,
        weights.dissatisfaction,
        weights.scale,
    )
    if top <= 0 or count <= top or min(fields) < 0:
        return np.arange(count)
    size = np.bincount(labels, minlength=count).astype(np.float64)
    pairs = np.unique(labels * (int(users.max()) + 1) + users)
    people = np.bincount(pairs // (int(users.max()) + 1), minlength=count).astype(np.float64)
    likes = np.fromiter((m.likes for m in messages), dtype=np.float64, count=len(messages))
    dislikes = np.fromiter((m.dislikes for m in messages), dtype=np.float64, count=len(messages))
    support = np.maximum(
        0.0,
        np.bincount(labels, likes, minlength=count) - 0.5 * np.bincount(labels, dislikes, minlength=count),
    )
    first = np.full(count, np.iinfo(np.int64).max)
    last = np.full(count, np.iinfo(np.int64).min)
    np.minimum.at(first, labels, seconds)
    np.maximum.at(last, labels, seconds)
    span = (last - first) / 86400.0
    age = np.maximum(0.0, (seconds.max() - last) / 86400.0)
    behind = last[labels] - seconds  # how long before its cluster's last message
    month = 30 * 86400
    recent = np.bincount(labels[behind < month], minlength=count)
    before = np.bincount(labels[(behind >= month) & (behind < 2 * month)], minlength=count)
    growth = np.clip(np.log((1.0 + recent) / (1.0 + before)), 0.0, 2.0)
    lower = (
        weights.people * np.log1p(people)
        + weights.volume * np.log1p(size)
        + weights.support * np.log1p(support)
        + weights.span * np.minimum(span, 730.0) / 730.0
        + weights.recency * np.exp(-age / 90.0)
        + weights.growth * growth
    )
    upper = lower + weights.echo * np.log1p(np.where(size >= 2, size, 0.0))
    if any(m.resolved is not None for m in messages):
        upper += weights.unresolved
    if any(m.satisfaction is not None for m in messages):
        upper += weights.dissatisfaction
    lower *= weights.scale
    upper *= weights.scale
    bar = np.partition(lower, count - top)[count - top]
    return np.flatnonzero(upper >= bar - 0.1)  # 0.1: room for rounding


def _describe(
    rank: int,
    value: float,
    idx: list[int],
    messages: Sequence[Message],
    prepared: _Prepared,
    x: sparse.csr_matrix,
    words: list[str],
) -> HotIssue:
    sub = x[idx]
    centroid = np.asarray(sub.sum(axis=0)).ravel()
    central = 0
    if len(idx) > 1:
        # The most central message; among equally central ones (subjects that differ only in the
        # place names left out of the vectors) the earliest, so row order does not matter.
        closeness = np.asarray(sub @ centroid).ravel()
        tied = np.flatnonzero(closeness >= closeness.max() * (1 - 1e-9))
        central = int(min(tied.tolist(), key=lambda k: (messages[idx[k]].posted_at, messages[idx[k]].message_id)))
    key_counts = Counter(k for i in idx for k in prepared.key_names_of(i))
    top_order = np.argsort(-centroid)[:12]
    keywords = tuple(words[j] for j in top_order if centroid[j] > 0 and words[j] not in key_counts)[:6]
    subjects = [to_simplified(clean(messages[i].subject)) for i in idx]
    place = _label(idx, prepared, key_counts, subjects, subjects[central])
    times = sorted(messages[i].posted_at for i in idx)
    ordered = sorted(idx, key=lambda i: (messages[i].posted_at, messages[i].message_id))
    description = to_simplified(clean(messages[idx[central]].subject)) or "、".join(keywords[:3])
    return HotIssue(
        rank=rank,
        heat=value,
        period_start=times[0].date(),
        period_end=times[-1].date(),
        place=place,
        description=description,
        keywords=keywords,
        message_ids=tuple(messages[i].message_id for i in ordered),
        people=len({messages[i].user or messages[i].message_id for i in idx}),
        support=sum(messages[i].likes for i in idx),
    )
