"""Fast hashed TF-IDF features: character n-grams and word uni/bigrams, computed with numpy.

No Python work per n-gram: a batch of texts is joined into one code-point array, n-gram hashes
are vectorised multiply–xor mixes, word hashes are polynomial hashes taken from prefix sums.
Every hash is deterministic (no ``PYTHONHASHSEED``), so a saved model means the same thing in
every process.

Weighting: raw term frequency × idf (raw counts beat sublinear tf in cross-validation on the
message data), each block (characters, words) scaled by its own length. The length is computed
per occurrence, ``sqrt(Σ idf²)`` over the n-grams of the text, which needs no sort or count of
distinct n-grams; it equals the L2 norm when no n-gram repeats, and training and prediction use
the same definition. A row may hold the same column twice; that is the same vector.

Lexicon words: the words of a known vocabulary (``lexicon_keys``) that occur in the first
characters of a text, found without segmenting: every substring of the configured lengths is
hashed like a character n-gram and looked up in the sorted 64-bit keys of the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["HashedTfidf", "HashingConfig", "lexicon_keys", "sorted_unique"]

_P = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_K = [np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)]
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
# Character n-grams: the multipliers of positions 1–8, then the seeds of sizes 1–8 (odd multiples
# of the golden-ratio constant; fixed: a saved model's columns depend on them).
_CHAR_K = [np.uint64((0x9E3779B97F4A7C15 * (2 * k + 1)) & 0xFFFFFFFFFFFFFFFF | 1) for k in range(16)]


def _splitmix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


# Lexicon words: independent odd multipliers of positions 1–8, then seeds of lengths 1–8. (The
# character n-gram multipliers above are all multiples of one constant, so their hash of a
# k-gram only depends on Σ c_i·(2i+1) and many n-grams of one size share a column; a lexicon
# look-up must be exact, so its keys use these instead. Fixed: a saved model's keys depend on them.)
_LEX_K = [np.uint64(_splitmix64(k) | 1) for k in range(16)]
_LEX_FILTER_BITS = 20  # a bitmap of the keys' top bits rejects most substrings before the search
_DOC_SEP = "\x00"
_TOKEN_SEP = "\x01"


@dataclass(frozen=True, slots=True)
class HashingConfig:
    """Feature layout. ``bits``: log2 of each block's width.

    Blocks, in this column order, each present when configured: character n-grams of the whole
    text; the same n-grams of its first ``head_chars`` characters (the subject of a message, which
    says most about its category), weighted ``head_weight``; the words of a lexicon (see
    ``lexicon_keys``) of ``lexicon_sizes`` characters found in those first ``head_chars``
    characters, weighted ``lexicon_weight``; word n-grams, weighted ``word_weight``.
    """

    bits: int = 20
    char_ngrams: tuple[int, ...] = (1, 2, 3)
    word_ngrams: tuple[int, ...] = (1, 2)
    word_weight: float = 1.0
    head_chars: int = 0
    head_weight: float = 0.5
    lexicon_sizes: tuple[int, ...] = ()
    lexicon_weight: float = 0.5

    def blocks(self) -> list[tuple[str, int, float]]:
        """(name, first column, weight) of each block present: ``chars``, ``head``, ``lexicon``,
        ``words``."""
        names = []
        if self.char_ngrams:
            names.append(("chars", 1.0))
            if self.head_chars > 0:
                names.append(("head", self.head_weight))
        if self.lexicon_sizes and self.head_chars > 0:
            names.append(("lexicon", self.lexicon_weight))
        if self.word_ngrams:
            names.append(("words", self.word_weight))
        return [(name, number << self.bits, weight) for number, (name, weight) in enumerate(names)]

    @property
    def n_features(self) -> int:
        """Columns: ``2**bits`` for each block present (characters, head, lexicon, words)."""
        return len(self.blocks()) << self.bits


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` without its slow paths: sort, then compare)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, in place on a uint64 array."""
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


_NULL = -1  # column of an n-gram that crosses a text boundary (replaced per use)


def _joined_codes(texts: Sequence[str], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """The batch as one uint64 code-point array: each text followed by a NUL, then ``pad`` NULs.

    Also returns ``starts``: the offset of each text and, last, the length without padding, so
    that text ``d`` with its separator is ``codes[starts[d]:starts[d + 1]]``. A NUL inside a text
    (never in a normalised text) is replaced by a space.
    """
    joined = _DOC_SEP.join(texts)
    if joined.count(_DOC_SEP) != max(len(texts) - 1, 0):
        joined = _DOC_SEP.join(text.replace(_DOC_SEP, " ") for text in texts)
    raw = np.frombuffer((joined + _DOC_SEP).encode("utf-32-le"), dtype=np.uint32)
    n = len(raw)
    codes = np.zeros(n + pad, dtype=np.uint64)
    codes[:n] = raw
    starts = np.empty(len(texts) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = np.flatnonzero(raw == 0) + 1
    return codes, starts


def _rolling_keys(codes: np.ndarray, n: int, sizes: tuple[int, ...], multipliers: list[np.uint64]
                  ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each size in ``sizes``, smallest first: ``(size, keys, crossing)``, the 64-bit key of the
    substring of that size starting at each of the ``n`` positions of ``codes`` (``Σ c_i·K_i + S_k``,
    then multiplied by an odd constant; ``K`` and ``S`` from ``multipliers``) and whether it crosses
    the end of its text. Each size reuses the sum of the size below: one multiply–add per size."""
    separator = codes == 0
    h = np.zeros(n, dtype=np.uint64)
    crossing = np.zeros(n, dtype=bool)
    for size in range(1, max(sizes) + 1):
        with np.errstate(over="ignore"):
            h += codes[size - 1 : n + size - 1] * multipliers[size - 1]
            crossing |= separator[size - 1 : n + size - 1]
            keys = (h + multipliers[size + 7]) * _M2 if size in sizes else None
        if keys is not None:
            yield size, keys, crossing


def _char_columns(
    texts: Sequence[str], ngrams: tuple[int, ...], bits: int, null: int = _NULL
) -> tuple[np.ndarray, np.ndarray]:
    """Column of every character n-gram, by position: shape ``(positions, len(ngrams))``.

    Row ``p`` holds the n-grams that start at position ``p`` of the joined batch (one column per
    size in ``ngrams``); an n-gram that would cross the end of its text gets ``null``. Text ``d``'s
    n-grams are rows ``starts[d]:starts[d + 1]`` (``starts`` is returned too), so the whole batch
    is one CSR matrix without any sorting or compaction.

    The hash of ``c0 … c(k-1)`` is ``Σ c_i·K_i + S_k`` (mod 2⁶⁴), folded to ``bits`` bits by
    multiply–shift (the top bits of the product with an odd constant); each size reuses the sum
    of the size below, so all sizes cost one multiply–add each.
    """
    longest = max(ngrams)
    if min(ngrams) < 1 or longest > 8:
        raise ValueError(f"character n-gram sizes must be 1 to 8, got {ngrams}")
    codes, starts = _joined_codes(texts, longest)
    n = int(starts[-1])
    columns = np.empty((n, len(ngrams)), dtype=np.int32)
    shift = np.uint64(64 - bits)
    for size, keys, crossing in _rolling_keys(codes, n, ngrams, _CHAR_K):
        column = ngrams.index(size)
        columns[:, column] = keys >> shift
        columns[crossing, column] = null
    return columns, starts


def _check_lexicon_sizes(sizes: tuple[int, ...]) -> None:
    if not sizes or min(sizes) < 1 or max(sizes) > 8:
        raise ValueError(f"lexicon word lengths must be 1 to 8, got {sizes}")


def lexicon_keys(words: Sequence[str], sizes: tuple[int, ...]) -> np.ndarray:
    """The sorted, distinct 64-bit keys of the ``words`` whose length is in ``sizes``.

    A word's key is a 64-bit hash of its characters (``Σ c_i·L_i + S_k``, then multiplied by an
    odd constant); its column is the key's top ``bits`` bits, and ``_lexicon_columns`` finds it by
    the same hash.
    """
    _check_lexicon_sizes(sizes)
    keys = [np.zeros(0, dtype=np.uint64)]
    with np.errstate(over="ignore"):
        for size in sizes:
            chosen = [word for word in words if len(word) == size and _DOC_SEP not in word]
            if not chosen:
                continue
            codes = _codes("".join(chosen)).reshape(len(chosen), size)
            h = np.zeros(len(chosen), dtype=np.uint64)
            for i in range(size):
                h += codes[:, i] * _LEX_K[i]
            keys.append((h + _LEX_K[size + 7]) * _M2)
    return sorted_unique(np.concatenate(keys))


def _lexicon_columns(
    texts: Sequence[str], sizes: tuple[int, ...], bits: int, lexicon: np.ndarray, null: int = _NULL,
    bitmap: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Like ``_char_columns`` for the substrings of ``sizes`` characters that are lexicon words
    (``lexicon``: sorted keys from ``lexicon_keys``); every other position and size is ``null``.
    ``bitmap``: ``_lexicon_filter(lexicon)``, if the caller keeps it."""
    _check_lexicon_sizes(sizes)
    longest = max(sizes)
    codes, starts = _joined_codes(texts, longest)
    n = int(starts[-1])
    columns = np.full((n, len(sizes)), null, dtype=np.int32)
    if not len(lexicon) or not n:
        return columns, starts
    shift = np.uint64(64 - bits)
    last = len(lexicon) - 1
    bitmap = _lexicon_filter(lexicon) if bitmap is None else bitmap
    filter_shift = np.uint64(64 - _LEX_FILTER_BITS)
    for size, key, crossing in _rolling_keys(codes, n, sizes, _LEX_K):
        candidates = np.flatnonzero(bitmap[key >> filter_shift] & ~crossing)
        found = candidates[lexicon[np.minimum(np.searchsorted(lexicon, key[candidates]), last)] == key[candidates]]
        columns[found, sizes.index(size)] = key[found] >> shift
    return columns, starts


def _lexicon_filter(lexicon: np.ndarray) -> np.ndarray:
    """A boolean table over the top ``_LEX_FILTER_BITS`` bits of the keys: True where a key may be."""
    bitmap = np.zeros(1 << _LEX_FILTER_BITS, dtype=bool)
    bitmap[lexicon >> np.uint64(64 - _LEX_FILTER_BITS)] = True
    return bitmap


def _by_document(columns: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, column) of the non-null entries of position-ordered ``columns``."""
    doc = np.repeat(np.arange(len(starts) - 1), np.diff(starts) * columns.shape[1])
    flat = columns.ravel()
    keep = flat != _NULL
    return doc[keep], flat[keep].astype(np.int64)


def _char_hashes(texts: Sequence[str], ngrams: tuple[int, ...], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, column) of every character n-gram inside one text, in document order."""
    return _by_document(*_char_columns(texts, ngrams, bits))


def _word_table() -> np.ndarray:
    """For each BMP code point: may a word start with it (letters, digits, ideographs)?"""
    return np.array([chr(code).isalnum() for code in range(0x10000)], dtype=bool)


_WORD_START = _word_table()


def _word_hashes(token_texts: Sequence[str], ngrams: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, hash) of every word uni/bigram, in document order (polynomial hashes).

    A token that does not start with a letter, digit or ideograph (spaces, punctuation) is dropped
    and does not take part in bigrams.
    """
    joined = _DOC_SEP + _DOC_SEP.join(token_texts) + _DOC_SEP
    codes = _codes(joined)
    n = len(codes)
    is_doc = codes == 0
    is_sep = is_doc | (codes == 1)
    with np.errstate(over="ignore"):
        powers = np.full(n, _P, dtype=np.uint64)
        powers[0] = 1
        powers = np.cumprod(powers)
        inverse = np.full(n, _P_INV, dtype=np.uint64)
        inverse[0] = 1
        inverse = np.cumprod(inverse)
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes * powers)))
        bounds = np.flatnonzero(is_sep)
        starts, ends = bounds[:-1] + 1, bounds[1:]
        first = codes[np.minimum(starts, n - 1)]
        nonempty = (ends > starts) & ((first >= 0x10000) | _WORD_START[np.minimum(first, 0xFFFF)])
        token_doc = np.cumsum(is_doc)[bounds[:-1]] - 1
        token_hash = (prefix[ends] - prefix[starts]) * inverse[np.minimum(starts, n - 1)]
        token_hash = mix64(token_hash + (ends - starts).astype(np.uint64) * _K[3])
        count = len(token_hash)
        hashes = np.zeros((count, 2), dtype=np.uint64)
        keep = np.zeros((count, 2), dtype=bool)
        if 1 in ngrams:
            hashes[:, 0] = token_hash
            keep[:, 0] = nonempty
        if 2 in ngrams:  # a bigram pairs each kept token with the next kept one of its text
            kept = np.flatnonzero(nonempty)
            pair_ok = token_doc[kept[:-1]] == token_doc[kept[1:]]
            hashes[kept[:-1], 1] = mix64(token_hash[kept[:-1]] * _K[1] + token_hash[kept[1:]] * _K[2] + _K[0])
            keep[kept[:-1], 1] = pair_ok
    keep = keep.ravel()
    return np.repeat(token_doc, 2)[keep], hashes.ravel()[keep]


class HashedTfidf:
    """Hashed TF-IDF over the blocks of a ``HashingConfig``, each block of unit length per row.

    ``texts`` are normalised texts; ``token_texts`` the same texts' words joined by
    ``segment.TOKEN_SEPARATOR`` (``Segmenter.joined``); they are not read (and may be ``None``)
    when the configuration has no word n-grams. ``lexicon``: the keys of the lexicon block's words
    (``lexicon_keys``); without it that block is empty.
    """

    def __init__(self, config: HashingConfig, idf: np.ndarray | None = None, lexicon: np.ndarray | None = None) -> None:
        self.config = config
        self.idf = idf
        self.lexicon = np.zeros(0, dtype=np.uint64) if lexicon is None else np.asarray(lexicon, dtype=np.uint64)
        self._bitmap: np.ndarray | None = None

    def _blocks(self, texts: Sequence[str]) -> Iterator[tuple[str, int, float, Sequence[str]]]:
        """``(name, offset, weight, texts it reads)`` of each block: head and lexicon read the same
        first ``head_chars`` characters (cut once), the others the whole texts."""
        heads = None
        for name, offset, weight in self.config.blocks():
            if name in ("head", "lexicon"):
                heads = heads if heads is not None else [text[: self.config.head_chars] for text in texts]
                yield name, offset, weight, heads
            else:
                yield name, offset, weight, texts

    def _word_columns(self, token_texts: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
        """(doc, column without the block's offset) of the word n-grams, in document order."""
        if token_texts is None:
            raise ValueError("this configuration has word n-grams: token_texts are needed")
        doc, hashes = _word_hashes(token_texts, self.config.word_ngrams)
        return doc, (hashes & np.uint64((1 << self.config.bits) - 1)).astype(np.int64)

    def _block_columns(self, name: str, texts: Sequence[str], null: int = _NULL) -> tuple[np.ndarray, np.ndarray]:
        """Position-ordered columns (without the block's offset) and ``starts`` of a non-word block."""
        config = self.config
        if name == "lexicon":
            if self._bitmap is None:
                self._bitmap = _lexicon_filter(self.lexicon)
            return _lexicon_columns(texts, config.lexicon_sizes, config.bits, self.lexicon, null, self._bitmap)
        return _char_columns(texts, config.char_ngrams, config.bits, null)

    def _columns(self, texts: Sequence[str], token_texts: Sequence[str] | None) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """(doc, column, weight) occurrence arrays of each block, in document order."""
        blocks = []
        if not len(texts):
            return blocks
        for name, offset, weight, block_texts in self._blocks(texts):
            if name == "words":
                doc, column = self._word_columns(token_texts)
            else:
                doc, column = _by_document(*self._block_columns(name, block_texts))
            blocks.append((doc, column + offset, weight))
        return blocks

    def fit(self, texts: Sequence[str], token_texts: Sequence[str] | None = None) -> HashedTfidf:
        """Learn inverse document frequencies (smoothed, as scikit-learn's ``smooth_idf``)."""
        width = self.config.n_features
        df = np.zeros(width, dtype=np.float64)
        for doc, columns, _ in self._columns(texts, token_texts):
            df += np.bincount(sorted_unique(doc * width + columns) % width, minlength=width)
        self.idf = (np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0).astype(np.float32)
        return self

    def pack(self, coef: np.ndarray) -> np.ndarray:
        """Weights for ``decision``: ``coef.T`` scaled by idf and idf² as a last column, one row
        per feature plus a last row of zeros (where n-grams crossing a text boundary point)."""
        if self.idf is None:
            raise ValueError("HashedTfidf.pack() before fit()")
        packed = np.zeros((self.config.n_features + 1, coef.shape[0] + 1), dtype=np.float32)
        packed[:-1, :-1] = coef.T * self.idf[:, None]
        packed[:-1, -1] = self.idf**2
        return packed

    def decision(self, texts: Sequence[str], token_texts: Sequence[str] | None, packed: np.ndarray) -> np.ndarray:
        """``transform(texts, token_texts) @ coef.T`` without building the weighted matrix.

        One sparse product per block, of occurrence counts with ``pack(coef)``, gives each text's
        idf-weighted scores and its squared length together; dividing one by the other's root is
        the block's contribution. A character block's matrix is built straight from the
        position-ordered n-gram columns (boundary-crossing n-grams point at the zero row), with
        no sorting or compaction.
        """
        n = len(texts)
        config = self.config
        total = np.zeros((n, packed.shape[1] - 1), dtype=np.float64)
        if not n:
            return total
        null = config.n_features
        for name, offset, weight, block_texts in self._blocks(texts):
            if name == "words":
                doc, column = self._word_columns(token_texts)
                indices = column + offset
                indptr = np.zeros(n + 1, dtype=np.int64)
                np.cumsum(np.bincount(doc, minlength=n), out=indptr[1:])
            else:
                columns, starts = self._block_columns(name, block_texts, null)
                indices = columns.ravel()
                if name == "lexicon":  # mostly null: keep only the words found
                    kept = indices != null
                    indptr = np.concatenate(([0], np.cumsum(kept)))[starts * columns.shape[1]].astype(indices.dtype)
                    indices = indices[kept] + offset
                else:
                    if offset:
                        indices[indices != null] += offset
                    indptr = (starts * columns.shape[1]).astype(indices.dtype)
            counts = sp.csr_matrix((_ones(len(indices)), indices, indptr), shape=(n, null + 1))
            product = np.asarray(counts @ packed)
            norm = np.sqrt(product[:, -1].astype(np.float64))
            scale = np.divide(weight, norm, out=np.zeros(n), where=norm > 0)
            total += product[:, :-1] * scale[:, None]
        return total

    def transform(self, texts: Sequence[str], token_texts: Sequence[str] | None = None) -> sp.csr_matrix:
        """Rows of TF-IDF features (possibly with repeated columns; ``sum_duplicates`` merges)."""
        if self.idf is None:
            raise ValueError("HashedTfidf.transform() before fit()")
        n = len(texts)
        docs, columns, values = [], [], []
        for doc, column, block_weight in self._columns(texts, token_texts):
            weight = self.idf[column]
            norm = np.sqrt(np.bincount(doc, weights=weight.astype(np.float64) ** 2, minlength=n))
            scale = np.divide(block_weight, norm, out=np.zeros(n), where=norm > 0)
            docs.append(doc)
            columns.append(column)
            values.append(weight * scale[doc].astype(np.float32))
        if not docs:
            return sp.csr_matrix((n, self.config.n_features), dtype=np.float32)
        doc = np.concatenate(docs)
        order = np.argsort(doc, kind="stable") if len(docs) > 1 else slice(None)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc, minlength=n), out=indptr[1:])
        return sp.csr_matrix(
            (np.concatenate(values)[order], np.concatenate(columns)[order], indptr), shape=(n, self.config.n_features)
        )


_ONES = np.ones(0, dtype=np.float32)


def _ones(count: int) -> np.ndarray:
    """A read-only float32 array of ``count`` ones (a view of one cached array)."""
    global _ONES
    if len(_ONES) < count:
        _ONES = np.ones(max(count, 2 * len(_ONES)), dtype=np.float32)
        _ONES.flags.writeable = False
    return _ONES[:count]
