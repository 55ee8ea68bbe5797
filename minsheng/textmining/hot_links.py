"""Linking and splitting for hot issues (steps 4–6 of ``hot_issues``): the links between similar
messages (``_edges_for``, all pairs; ``_topic_links``, block by block at scale), their components
(``_components``), the candidate groups at scale (``_groups_at_scale``) and the average-linkage
split of each component or group (``_split_average``, ``_main_place_parts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from minsheng.textmining.hot_prepare import _Prepared


@dataclass(frozen=True, slots=True)
class _Thresholds:
    place: float
    coarse: float
    topic: float
    text: float
    duplicate: float
    window_days: float
    average: float


def _sets(m: sparse.csr_matrix) -> list[frozenset[int]]:
    """Each row's column ids as a set (for the exact path, a few thousand rows)."""
    indptr, indices = m.indptr, m.indices.tolist()
    return [frozenset(indices[indptr[i] : indptr[i + 1]]) for i in range(m.shape[0])]


#: Added to the similarity of two messages sharing a topic word when splitting components.
TOPIC_BONUS = 0.05
#: Subtracted from the similarity of two messages naming different districts and no common one.
DISTRICT_PENALTY = 0.1
#: Added to the similarity of two messages naming the same estate, school, firm or community.
PLACE_BONUS = 0.1


def _edges_for(
    rows: np.ndarray,
    x: sparse.csr_matrix,
    prepared: _Prepared,
    topics: sparse.csr_matrix,
    days: np.ndarray,
    t: _Thresholds,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys, coarse, districts = _sets(prepared.keys), _sets(prepared.coarse), _sets(prepared.districts)
    topic_sets = _sets(topics)
    sub = x[rows]
    sims = (sub @ sub.T).tocoo()
    mask = (sims.row < sims.col) & (sims.data >= min(t.place, t.coarse, t.topic, t.text))
    a = rows[sims.row[mask]]
    b = rows[sims.col[mask]]
    s = sims.data[mask]
    keep = np.abs(days[a] - days[b]) <= t.window_days
    a, b, s = a[keep], b[keep], s[keep]
    good = np.zeros(len(a), dtype=bool)
    for i in range(len(a)):
        ka, kb = keys[a[i]], keys[b[i]]
        sim = s[i]
        da, db = districts[a[i]], districts[b[i]]
        if ka & kb:
            good[i] = sim >= t.place
        elif (ka and kb) or (da and db and not da & db):
            good[i] = sim >= t.duplicate  # different named places or districts: only near-duplicates
        elif topic_sets[a[i]] & topic_sets[b[i]]:
            good[i] = sim >= t.topic
        elif coarse[a[i]] & coarse[b[i]]:
            good[i] = sim >= t.coarse
        else:
            good[i] = sim >= t.text
    return a[good], b[good], s[good]


def _row_min(m: sparse.csr_matrix, value: np.ndarray) -> np.ndarray:
    """Per row, the smallest ``value`` of its columns (−1 for an empty row)."""
    out = np.full(m.shape[0], -1, dtype=np.int64)
    lens = np.diff(m.indptr)
    has = lens > 0
    if has.any():
        out[has] = np.minimum.reduceat(value[m.indices], m.indptr[:-1][has])
    return out


def _most_named(m: sparse.csr_matrix) -> np.ndarray:
    """Per row, the column of its own that the most rows have (the first column among equals;
    −1 for an empty row)."""
    width = m.shape[1]
    counts = np.bincount(m.indices, minlength=width).astype(np.int64)
    rank = (counts.max(initial=0) - counts) * width + np.arange(width, dtype=np.int64)
    best = _row_min(m, rank)
    return np.where(best >= 0, best % max(width, 1), -1)


def _groups_at_scale(
    x: sparse.csr_matrix,
    prepared: _Prepared,
    topics: sparse.csr_matrix,
    days: np.ndarray,
    t: _Thresholds,
    max_size: int,
) -> Iterator[np.ndarray]:
    """Candidate groups for large inputs, in linear time: messages naming the same place form a
    group — of a message's estate / school / firm / community keys, the one most messages name,
    so a message naming both a developer (广铁集团) and its estate (伊景园滨河苑) joins the
    estate's many messages —; a message naming none of those (it may name a road or street) is
    linked to the similar messages sharing a rare subject bigram with it (``_topic_links``), as on
    the all-pairs path (a problem named by no place: 58车贷; one along several roads and stations:
    地铁3号线) — the components of the links among such messages are groups —, and such a group
    linked to messages with a key joins the group of the key it is linked to most strongly
    (complaints about 伊景园滨河苑's parking that name no estate); the other messages are grouped by
    district and their highest-weight word. Groups over ``max_size`` are cut in time order
    (linked groups are first broken by raising the similarity level). Average linkage then
    splits each group by problem (see ``find_hot_issues``)."""
    n = x.shape[0]
    top = _top_word(x)
    key = _most_named(prepared.keys)
    district = _row_min(prepared.districts, np.arange(prepared.districts.shape[1]))
    width = np.int64(x.shape[1] + 1)
    code = np.where(
        key >= 0,
        key,
        prepared.keys.shape[1] + (district + 1) * width + (top + 1),
    )
    keyless = np.diff(prepared.keys.indptr) == 0
    a, b, sim = _topic_links(x, topics, keyless, prepared.districts, days, t, TOPIC_BLOCK)
    free = keyless[a] & keyless[b]
    base = int(code.max()) + 1 if n else 0
    if free.any():
        # Messages without a key: the components of their links, broken when too large.
        nodes = np.unique(np.concatenate((a[free], b[free])))
        for number, part in enumerate(_components(nodes, a[free], b[free], sim[free], 0.0, max_size, days)):
            if len(part) > 1:
                code[part] = base + number
    # A message without a key (with its component, if any) linked to messages with one joins the
    # group of the key it is linked to most strongly (the sum of the links' similarities); key
    # groups are never joined to each other this way, so nothing chains across places.
    to_key = ~free
    if to_key.any():
        loose = np.where(keyless[a[to_key]], a[to_key], b[to_key])
        named = key[np.where(keyless[a[to_key]], b[to_key], a[to_key])]
        # A component by its code; a message in none (its code is its district's and top
        # word's, shared with others) by −1 − its index.
        own = np.where(code[loose] >= base, code[loose], -1 - loose)
        pairs, where = np.unique(np.stack((own, named)), axis=1, return_inverse=True)
        weight = np.bincount(where.ravel(), weights=sim[to_key], minlength=pairs.shape[1])
        # Rounded, so that sums equal but for the order of their terms tie, whatever the row
        # order: the key first in name order then wins (keys are numbered by name).
        weight = np.round(weight, 6)
        best = np.lexsort((-weight, pairs[0]))
        first = best[np.r_[True, np.diff(pairs[0][best]) != 0]]  # the strongest key of each
        groups, keys_to = pairs[0][first], pairs[1][first]  # groups ascending
        alone = groups < 0
        code[-1 - groups[alone]] = keys_to[alone]
        moving = np.flatnonzero(np.isin(code, groups[~alone]))
        code[moving] = keys_to[~alone][np.searchsorted(groups[~alone], code[moving])]
    del a, b, sim
    order = np.lexsort((days, code))
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    del code, top, key, district
    for part in np.split(order, cuts) if n else []:
        for start in range(0, len(part), max_size):
            yield part[start : start + max_size]


#: At scale, a rare subject bigram links messages without a place key only when at most this
#: many messages use it (a problem's own word, such as 车贷): each block's similarities are computed
#: all-pairs, so the work is at most ``TOPIC_BLOCK`` times the number of such memberships.
TOPIC_BLOCK = 300


def _topic_links(
    x: sparse.csr_matrix,
    topics: sparse.csr_matrix,
    keyless: np.ndarray,
    districts: sparse.csr_matrix,
    days: np.ndarray,
    t: _Thresholds,
    cap: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The links ``_edges_for`` makes between a message naming no estate, school, firm or
    community (``keyless``; it may name a road or street) and any other message, when the two
    share a topic bigram used by at most ``cap`` messages — similarity ≥ ``t.topic``, or ≥
    ``t.duplicate`` when they name different districts and no common one, at most
    ``t.window_days`` apart —, found block by block. Two messages that both have a key are not
    linked here (their keys group them). Each pair once (``a < b``).

    A block offering at most ``_PAIRWISE_BLOCK`` pairs is compared pair by pair, with all other
    such blocks at once (one sparse product per block costs about half a millisecond whatever
    its size, and most blocks hold one or two messages without a key); a larger block by one
    sparse product."""
    df = np.bincount(topics.indices, minlength=topics.shape[1])
    with_keyless = np.bincount(topics[np.flatnonzero(keyless)].indices, minlength=topics.shape[1])
    blocks = sparse.csc_matrix(topics)
    columns = np.flatnonzero((df > 1) & (df <= cap) & (with_keyless > 0))
    size, free = df[columns].astype(np.int64), with_keyless[columns].astype(np.int64)
    offered = free * (size - 1) - free * (free - 1) // 2  # pairs with a message without a key first
    small = offered <= _PAIRWISE_BLOCK
    has_district = np.diff(districts.indptr) > 0
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def keep(a: np.ndarray, b: np.ndarray, s: np.ndarray) -> None:
        linked = (s >= t.topic) & (np.abs(days[a] - days[b]) <= t.window_days)
        a, b, s = a[linked], b[linked], s[linked]
        # Different districts, none in common: only near-duplicates are linked.
        apart = has_district[a] & has_district[b] & (_pair_dots(districts, a, b) == 0)
        close = ~apart | (s >= t.duplicate)
        a, b, s = a[close], b[close], s[close]
        found.append((np.minimum(a, b), np.maximum(a, b), s))  # a < b, whatever the row order

    for a, b in _block_pairs(blocks, columns[small], keyless):
        near = np.abs(days[a] - days[b]) <= t.window_days  # before the products, to save them
        a, b = a[near], b[near]
        keep(a, b, _pair_dots(x, a, b))
    for column in columns[~small].tolist():
        rows = blocks.indices[blocks.indptr[column] : blocks.indptr[column + 1]].astype(np.int64)
        rows = rows[np.argsort(~keyless[rows], kind="stable")]  # those without a key first
        count = int(keyless[rows].sum())
        # Rows: the messages without a key; columns: all. Two with a key are not linked here.
        sims = (x[rows[:count]] @ x[rows].T).tocoo()
        upper = sims.row < sims.col
        keep(rows[sims.row[upper]], rows[sims.col[upper]], sims.data[upper])
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    a, b, s = (np.concatenate(parts) for parts in zip(*found, strict=True))
    # A pair sharing several rare bigrams was found in each of their blocks: keep it once.
    _, first = np.unique(a * np.int64(x.shape[0]) + b, return_index=True)
    return a[first], b[first], s[first]


#: Blocks offering at most this many pairs are compared pair by pair, together (see
#: ``_topic_links``); larger ones by a sparse product each.
_PAIRWISE_BLOCK = 2_000
#: Pairs compared at a time by ``_pair_dots`` (bounds its temporary matrices).
_PAIR_CHUNK = 1 << 19


def _block_pairs(
    blocks: sparse.csc_matrix, columns: np.ndarray, keyless: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs of rows within each of ``blocks``' ``columns`` whose first row has no key, in
    the order a block's product would give them (rows without a key first, each pair once), in
    chunks of about ``_PAIR_CHUNK``."""
    starts = blocks.indptr[columns].astype(np.int64)
    lens = blocks.indptr[columns + 1].astype(np.int64) - starts
    total = int(lens.sum())
    offsets = np.cumsum(lens) - lens
    block = np.repeat(np.arange(len(columns)), lens)
    rows = blocks.indices[np.repeat(starts - offsets, lens) + np.arange(total)].astype(np.int64)
    rows = rows[np.lexsort((~keyless[rows], block))]  # stable: those without a key first
    pos = np.arange(total) - offsets[block]
    first = np.flatnonzero(keyless[rows])  # each block's first rows
    count = lens[block[first]] - 1 - pos[first]  # the rows after each
    if not count.sum():
        return
    bounds = np.searchsorted(np.cumsum(count), np.arange(0, int(count.sum()), _PAIR_CHUNK), side="right")
    for lo, hi in zip(bounds.tolist(), [*bounds[1:].tolist(), len(first)], strict=True):
        entry, many = first[lo:hi], count[lo:hi]
        step = np.arange(int(many.sum())) - np.repeat(np.cumsum(many) - many, many)
        left = np.repeat(entry, many)
        yield rows[left], rows[left + 1 + step]


def _pair_dots(m: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot products of ``m``'s rows ``a[k]`` and ``b[k]``, in chunks."""
    out = np.zeros(len(a), dtype=m.dtype)
    for lo in range(0, len(a), _PAIR_CHUNK):
        hi = lo + _PAIR_CHUNK
        out[lo:hi] = np.asarray(m[a[lo:hi]].multiply(m[b[lo:hi]]).sum(axis=1)).ravel()
    return out


def _top_word(x: sparse.csr_matrix) -> np.ndarray:
    """Each row's highest-weight column (the first in storage order among equals; −1 if none)."""
    n = x.shape[0]
    top = np.full(n, -1, dtype=np.int64)
    lens = np.diff(x.indptr)
    has = lens > 0
    if not has.any():
        return top
    best = np.zeros(n, dtype=x.data.dtype)
    best[has] = np.maximum.reduceat(x.data, x.indptr[:-1][has])
    step = 1 << 20  # rows at a time, to keep the temporary arrays small
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        a, b = x.indptr[lo], x.indptr[hi]
        rows = np.repeat(np.arange(lo, hi), lens[lo:hi])
        hit = np.flatnonzero(x.data[a:b] == best[rows])
        first_rows, first = np.unique(rows[hit], return_index=True)
        top[first_rows] = x.indices[a:b][hit[first]]
    return top


#: Bits per field of the combined membership products (see ``_membership``).
_FIELD_BITS = 20


def _membership(
    topics: sparse.csr_matrix, keys: sparse.csr_matrix, districts: sparse.csr_matrix
) -> sparse.csr_matrix:
    """One n × (bigrams + keys + districts) matrix whose row products count, in separate bit
    fields, the shared topic words (bits 0–19), shared places (20–39) and shared districts
    (40–): a single sparse product per group instead of three. Exact in float64."""
    scale = float(1 << (_FIELD_BITS // 2))
    return sparse.hstack([topics, keys * scale, districts * (scale * scale)], format="csr", dtype=np.float64)


def _split_average(
    idx: list[int],
    x: sparse.csr_matrix,
    member: sparse.csr_matrix | None,
    threshold: float,
    max_size: int,
) -> list[list[int]]:
    """Split one linked component by average-linkage clustering: a cluster's members must be
    similar on average (≥ ``threshold``), which undoes the chaining of single links. Sharing a
    rare subject word adds ``TOPIC_BONUS`` to a pair's similarity, sharing a place
    ``PLACE_BONUS``; naming different districts (and no common one) subtracts
    ``DISTRICT_PENALTY``. ``member`` is the matrix of ``_membership``."""
    if len(idx) <= 2:
        return [idx]
    if len(idx) > max_size:  # keep memory bounded: cut in time order (idx is sorted by time)
        return [
            part
            for start in range(0, len(idx), max_size)
            for part in _split_average(idx[start : start + max_size], x, member, threshold, max_size)
        ]
    sub = x[idx]
    sims = (sub @ sub.T).toarray()
    rows = member[idx] if member is not None else None
    if rows is not None and rows.nnz:
        shared = (rows @ rows.T).toarray().astype(np.int64)
        field = (1 << _FIELD_BITS) - 1
        if TOPIC_BONUS:
            sims += TOPIC_BONUS * ((shared & field) > 0)
        if PLACE_BONUS:
            sims += PLACE_BONUS * (((shared >> _FIELD_BITS) & field) > 0)
        if DISTRICT_PENALTY:
            # Two messages naming different districts (and no common one): different places.
            common = shared >> (2 * _FIELD_BITS)
            has = np.diagonal(common) > 0
            sims -= DISTRICT_PENALTY * (np.outer(has, has) & (common == 0))
    np.clip(sims, 0.0, 1.0, out=sims)
    dist = 1.0 - sims
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in zip(idx, labels.tolist(), strict=True):
        groups[label].append(i)
    return list(groups.values())


def _main_place_parts(
    idx: list[int],
    *,
    keys: sparse.csr_matrix,
    key_of: np.ndarray,
    n_keys: np.ndarray,
    districts: sparse.csr_matrix,
    x: sparse.csr_matrix,
    member: sparse.csr_matrix,
    threshold: float,
) -> list[list[int]]:
    """A cluster where at least half the messages name one estate, school, firm or community is
    that place's issue: a member naming only other such places and only districts that none of
    the place's messages names is about somewhere else (the same complaint in the same words at
    another estate). Those members leave the cluster and are clustered among themselves.
    ``key_of`` (each message's most named key, −1 for none) and ``n_keys`` (how many keys it
    names) skip, without slicing a matrix, the clusters where nobody can leave: fewer than half
    name a place, or all name the same one place."""
    if len(idx) < 3:
        return [idx]
    own = key_of[idx]
    named_once = own[own >= 0]
    if 2 * named_once.size < len(idx) or ((n_keys[idx] <= 1).all() and (named_once == named_once[0]).all()):
        return [idx]
    k = keys[idx]
    named = np.diff(k.indptr) > 0
    ids, counts = np.unique(k.indices, return_counts=True)  # not bincount: as long as all the keys
    if not counts.size or 2 * counts.max() < len(idx):
        return [idx]
    at_main = k[:, [int(ids[counts.argmax()])]].toarray().ravel() > 0
    d = districts[idx]
    main_districts = np.asarray(d[at_main].sum(axis=0)).ravel() > 0
    has_district = np.diff(d.indptr) > 0
    shares = np.asarray(d @ main_districts.astype(np.float64)).ravel() > 0
    away = named & ~at_main & has_district & ~shares & main_districts.any()
    if not away.any():
        return [idx]
    stay = [i for i, leave in zip(idx, away.tolist(), strict=True) if not leave]
    left = [i for i, leave in zip(idx, away.tolist(), strict=True) if leave]
    return [stay, *_split_average(left, x, member, threshold, len(left))]


def _components(
    nodes: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    sim: np.ndarray,
    level: float,
    max_size: int,
    days: np.ndarray,
) -> Iterator[np.ndarray]:
    """Connected components of the links ≥ ``level`` among ``nodes`` (each sorted by time); a
    component larger than ``max_size`` is broken by raising the level in steps of 0.05, and cut
    in time order as a last resort, so that no average-linkage step exceeds ``max_size``. Links
    with an end outside ``nodes`` are ignored; each oversized component is broken with its own
    links only, so the work stays linear in the links however many components are oversized."""
    by_id = np.argsort(nodes, kind="stable")
    sorted_nodes = nodes[by_id]

    def position(ends: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(sorted_nodes, ends), max(len(nodes) - 1, 0))
        return np.where(sorted_nodes[at] == ends, by_id[at], -1) if len(nodes) else np.full(len(ends), -1)

    pa, pb = position(a), position(b)
    keep = (sim >= level) & (pa >= 0) & (pb >= 0)
    a, b, sim, pa, pb = a[keep], b[keep], sim[keep], pa[keep], pb[keep]
    graph = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (pa, pb)), shape=(len(nodes),) * 2)
    count, labels = connected_components(graph, directed=False)
    order = np.lexsort((days[nodes], labels))
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    by_label = np.argsort(labels[pa], kind="stable")  # the links of each component together
    link_cuts = np.searchsorted(labels[pa][by_label], np.arange(count + 1))
    for part in np.split(order, cuts):
        if len(part) <= max_size:
            yield nodes[part]
        elif level < 0.95:
            inside = by_label[link_cuts[labels[part[0]]] : link_cuts[labels[part[0]] + 1]]
            yield from _components(
                nodes[part], a[inside], b[inside], sim[inside], max(level, 0.1) + 0.05, max_size, days
            )
        else:
            for start in range(0, len(part), max_size):
                yield nodes[part[start : start + max_size]]
