"""Near-duplicate detection: one-permutation MinHash over character shingles, LSH banding,
verification of candidate pairs, and connected components for the groups.

Each text is folded (full width → half width, ASCII lower case, spaces and punctuation dropped)
and cut into overlapping character ``shingle``-grams. One 64-bit hash per shingle chooses one of
``num_perm`` bins and a 32-bit value; a bin keeps its minimum (one-permutation hashing, with
empty bins filled from the next non-empty bin, "densification"). The share of equal bins between
two signatures estimates the Jaccard similarity of their shingle sets.

LSH: the signature is cut into bands of ``r`` values; texts with an identical band become
candidates (neighbours in the sorted band order, so a large bucket costs linear, not quadratic,
work). A candidate pair is kept when its estimated Jaccard is at least ``threshold``; the groups
are the connected components of the kept pairs (union–find), and each group's representative is
its first text. Everything is vectorised with numpy in batches: time and memory are linear in the
number of texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from minsheng.textmining.features import mix64, sorted_unique

__all__ = ["DedupeResult", "Deduper", "fold_codes"]

_EMPTY = np.uint32(0xFFFFFFFF)
_K = [np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                              0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x2545F4914F6CDD1D, 0x94D049BB133111EB)]


def _fold_table() -> np.ndarray:
    """Code point map for the BMP: 0 drops the character, otherwise its folded code."""
    table = np.arange(0x10000, dtype=np.uint32)
    table[0xFF01:0xFF5F] -= 0xFEE0  # full-width ASCII → ASCII
    table[ord("A") : ord("Z") + 1] += 32
    drop = [range(0, 0x30), range(0x3A, 0x41), range(0x5B, 0x61), range(0x7B, 0xC0), range(0x2000, 0x2070),
            range(0x3000, 0x3040), range(0xFE10, 0xFE70), range(0xFF00, 0xFF01), range(0xFF5F, 0xFF66)]
    for block in drop:
        table[block.start : block.stop] = 0
    folded_punct = (table >= 0x21) & (table < 0x30) | (table >= 0x3A) & (table < 0x41)
    folded_punct |= (table >= 0x5B) & (table < 0x61) | (table >= 0x7B) & (table < 0x80)
    table[folded_punct] = 0
    table[0xFF10:0xFF1A] = np.arange(0x30, 0x3A)
    table[0xFF21:0xFF3B] = np.arange(0x61, 0x7B)
    table[0xFF41:0xFF5B] = np.arange(0x61, 0x7B)
    return table


_FOLD = _fold_table()


def fold_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Folded code points of ``texts`` back to back, and each text's start offset (len+1 entries)."""
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    doc = np.repeat(np.arange(len(texts)), lengths)
    folded = np.where(codes < 0x10000, _FOLD[np.minimum(codes, 0xFFFF)], codes)
    keep = folded != 0
    folded, doc = folded[keep], doc[keep]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc, minlength=len(texts)), out=offsets[1:])
    return folded.astype(np.uint64), offsets


@dataclass(frozen=True, slots=True)
class DedupeResult:
    """``group[i]``: 1-based group number of text i (numbered by first appearance);
    ``representative[i]``: index of the first text of that group."""

    group: np.ndarray
    representative: np.ndarray
    n_groups: int
    n_pairs: int


def _bands(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows): the most rows per band whose S-curve midpoint stays 0.1 below the threshold."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        if num_perm % rows:
            continue
        bands = num_perm // rows
        if (1.0 / bands) ** (1.0 / rows) <= max(threshold - 0.1, 0.05):
            best = (bands, rows)
    return best


class Deduper:
    """Group near-duplicate texts whose estimated Jaccard similarity is at least ``threshold``."""

    def __init__(self, *, threshold: float = 0.8, num_perm: int = 64, shingle: int = 3,
                 batch_size: int = 20_000, seed: int = 1) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if num_perm not in (16, 32, 64, 128, 256):
            raise ValueError("num_perm must be a power of two between 16 and 256")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self.batch_size = batch_size
        self.seed = np.uint64(seed * 0x9E3779B97F4A7C15 % (1 << 64))
        self.bands, self.rows = _bands(num_perm, threshold)

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """MinHash signatures, shape (len(texts), num_perm), uint32."""
        codes, offsets = fold_codes(texts)
        n_docs, k, w = len(texts), self.num_perm, self.shingle
        lengths = np.diff(offsets)
        doc = np.repeat(np.arange(n_docs), lengths)
        signature = np.full(n_docs * k, _EMPTY, dtype=np.uint32)
        shift = np.uint64(64 - k.bit_length() + 1)
        with np.errstate(over="ignore"):
            # Shingles start at every position with ``w`` characters left in its text.
            last_start = offsets[1:] - w
            valid = np.zeros(len(codes) + 1, dtype=np.int32)
            long_docs = np.flatnonzero(lengths >= w)
            np.add.at(valid, offsets[long_docs], 1)
            np.add.at(valid, last_start[long_docs] + 1, -1)
            idx = np.flatnonzero(np.cumsum(valid[:-1]) > 0)
            h = codes[idx] * _K[0] + self.seed
            for j in range(1, w):
                h += codes[idx + j] * _K[j % len(_K)]
            shingle_doc = doc[idx]
            # A text shorter than ``w`` is one shingle: all of it.
            for d in np.flatnonzero((lengths > 0) & (lengths < w)):
                extra = self.seed + np.uint64(lengths[d])
                for j in range(int(lengths[d])):
                    extra += codes[offsets[d] + j] * _K[j]
                h = np.append(h, extra)
                shingle_doc = np.append(shingle_doc, d)
            h = mix64(h)
            bins = (h >> shift).astype(np.int64)
            values = (h & np.uint64(0xFFFFFFFE)).astype(np.uint32)
            np.minimum.at(signature, shingle_doc * k + bins, values)
        signature = signature.reshape(n_docs, k)
        empty_doc = lengths == 0
        # Densify: an empty bin takes the next non-empty bin's value, marked by its distance.
        for distance in range(1, k):
            empty = signature == _EMPTY
            empty[empty_doc] = False
            if not empty.any():
                break
            shifted = np.roll(signature, -1, axis=1)
            fill = empty & (shifted != _EMPTY)
            signature[fill] = shifted[fill] ^ np.uint32(distance * 0x9E3779B1 & 0xFFFFFFFE)
        # Empty texts get distinct odd values, so they never match anything.
        signature[empty_doc] = (np.flatnonzero(empty_doc)[:, None] * 2 + 1).astype(np.uint32)
        return signature

    def similarity(self, text: str, others: Sequence[str]) -> np.ndarray:
        """Estimated Jaccard similarity of ``text`` with each of ``others`` (the share of equal MinHash bins),
        as the grouping uses it: a score of at least ``threshold`` makes two texts near-duplicates."""
        if not others:
            return np.zeros(0, dtype=np.float32)
        signature = self.signatures([text, *others])
        return (signature[1:] == signature[0]).mean(axis=1).astype(np.float32)

    def groups(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> DedupeResult:
        """Near-duplicate groups of ``texts`` (see the module docstring for the method)."""
        n = len(texts)
        signature = np.empty((n, self.num_perm), dtype=np.uint32)
        for start in range(0, n, self.batch_size):
            batch = texts[start : start + self.batch_size]
            signature[start : start + len(batch)] = self.signatures(batch)
            if progress:
                progress(len(batch))
        sources, targets = [], []
        weights = np.array([int(k) for k in _K[: self.rows]], dtype=np.uint64)
        for band in range(self.bands):
            block = signature[:, band * self.rows : (band + 1) * self.rows].astype(np.uint64)
            with np.errstate(over="ignore"):
                key = mix64((block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band))
            order = np.argsort(key, kind="stable")
            same = np.flatnonzero(key[order[1:]] == key[order[:-1]])
            sources.append(order[same])
            targets.append(order[same + 1])
        u = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int64)
        v = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
        if len(u):
            pairs = sorted_unique(np.minimum(u, v) * n + np.maximum(u, v))
            u, v = pairs // n, pairs % n
            agreement = np.zeros(len(u), dtype=np.float32)
            for chunk in range(0, len(u), 1_000_000):
                a, b = u[chunk : chunk + 1_000_000], v[chunk : chunk + 1_000_000]
                agreement[chunk : chunk + len(a)] = (signature[a] == signature[b]).mean(axis=1)
            kept = agreement >= self.threshold - 1e-9
            u, v = u[kept], v[kept]
        graph = sp.coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n))
        _, component = connected_components(graph, directed=False)
        first = np.full(component.max() + 1 if n else 0, n, dtype=np.int64)
        np.minimum.at(first, component, np.arange(n))
        representative = first[component]
        order_of_first = np.argsort(first, kind="stable")
        number = np.empty_like(order_of_first)
        number[order_of_first] = np.arange(1, len(first) + 1)
        return DedupeResult(
            group=number[component],
            representative=representative,
            n_groups=len(first),
            n_pairs=len(u),
        )
