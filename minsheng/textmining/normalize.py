"""Text normalisation for citizens' messages.

``normalize`` turns what people paste into a message box (full-width letters, traditional
characters, spreadsheet artefacts, zero-width characters, links and contact details) into one
canonical simplified-Chinese string. Contact details and links become typed tokens such as
``PHONE`` so that a classifier or a spam filter sees *that* there is a phone number, not which.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import opencc

__all__ = ["ENTITY_TOKENS", "Entity", "clean", "find_entities", "normalize", "normalize_many", "to_simplified"]

#: Token inserted (surrounded by spaces) in place of each kind of entity.
ENTITY_TOKENS: dict[str, str] = {
    "url": "URL",
    "email": "EMAIL",
    "phone": "PHONE",
    "qq": "QQ",
    "wechat": "WECHAT",
    "masked_digits": "MASKED",
}


@dataclass(frozen=True, slots=True)
class Entity:
    """A span of ``text[start:end]`` recognised as a ``kind`` (see ``ENTITY_TOKENS``)."""

    kind: str
    start: int
    end: int
    value: str


# Excel writes carriage returns inside cells as ``_x000D_`` (and other controls likewise).
_EXCEL_ESCAPE = re.compile(r"_x00[0-1][0-9A-Fa-f]_")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\x00]+")

_TLD = r"(?:com|cn|net|org|gov|edu|info|top|xyz|vip|cc|me|io|co|tv|biz|site|shop|club|wang|ren|ink)"
# A link ends at a space, CJK punctuation or ideograph, a full-width form, a bracket or a quote
# (straight or curly: ``登录“http://a.cn”`` ends before ``”``).
_URL_CHAR = r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2018-\u201f\u2026<>\"'，。,;!)]"
# Patterns run on cleaned (NFKC) text, so digits are ASCII. Earlier kinds win on overlap. Each
# has a cheap prerequisite so that an ordinary message does not pay for six regex scans.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "url",
        re.compile(
            rf"(?:https?://|www\.){_URL_CHAR}+"
            rf"|\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.{_TLD}\b(?:/{_URL_CHAR}*)?",
            re.IGNORECASE | re.ASCII,
        ),
    ),
    ("qq", re.compile(r"(?:QQ|扣扣|企鹅|Q号)(?:群|号码|号)?\s*:?\s*([0-9]{5,11})(?![0-9])", re.IGNORECASE)),
    (
        "wechat",
        re.compile(
            r"(?:微信|威信|薇信|徽信|weixin|wechat|vx|wx|v信|加v)(?:号码|号|id)?\s*:?\s*"
            r"([A-Za-z][-_A-Za-z0-9]{5,19}|1[3-9][0-9]{9})(?![-_A-Za-z0-9])",
            re.IGNORECASE,
        ),
    ),
    (
        "phone",
        re.compile(
            r"(?<![0-9])(?:(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}"
            r"|0[0-9]{2,3}-?[0-9]{7,8}|400[- ]?[0-9]{3}[- ]?[0-9]{4})(?![0-9])"
        ),
    ),
    ("masked_digits", re.compile(r"[0-9]*\*{2,}[0-9]*|[0-9]+[xX×]{3,}[0-9]*")),
)
_KIND_ORDER = tuple(kind for kind, _ in _PATTERNS)


def _find(text: str, kinds: frozenset[str]) -> list[Entity]:
    taken: list[Entity] = []
    for kind, pattern in _PATTERNS:
        if kind not in kinds:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < other.end and other.start < end for other in taken):
                continue
            if kind == "url":  # a sentence's full stop or colon is not part of the link
                end = start + len(match.group().rstrip(".:?"))
            value = match.group(1) if pattern.groups else text[start:end]
            taken.append(Entity(kind, start, end, value))
    taken.sort(key=lambda entity: entity.start)
    return taken


def find_entities(text: str) -> list[Entity]:
    """Return the non-overlapping URLs, e-mails, phones, QQ and WeChat ids and masked digit runs.

    Offsets refer to ``text`` as given; pass text through ``clean`` first (full-width digits are
    not recognised). When two kinds overlap, the kind listed first in ``ENTITY_TOKENS`` wins.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return _find(text, _candidate_kinds(codes, None, 1)[0])


def _candidate_kinds(codes: np.ndarray, doc: np.ndarray | None, n_docs: int) -> list[frozenset[str]]:
    """For each text, the entity kinds it may contain (a superset; each kind's regex decides).

    ``codes`` are the texts' code points joined by NUL; ``doc`` (each code's text) is not needed
    and may be ``None``. Cheap tests on pairs of adjacent characters, vectorised over a batch, so
    an ordinary message runs no entity regex at all: an e-mail needs ``@``, a URL ``.`` before a
    letter, ``:/`` or ``ww``, masked digits ``**`` or ``xxx``, QQ ``QQ``/扣扣/企鹅/``Q号``, WeChat
    微信/``vx``/``wx``/``we``/``v信``/``加v``, and a phone ten digits within thirteen characters.
    """
    first_table, second_table, kind_bits = _pair_tables()
    if not len(codes):
        return [_KIND_SETS[0]] * n_docs
    first = first_table[codes]
    hits = np.empty(len(codes) + 1, dtype=np.uint8)  # one more, so the last text's run is not empty
    hits[-2:] = 0
    np.bitwise_and(first[:-1], second_table[codes[1:]], out=hits[:-2])
    hits[:-1] |= first & 1  # "@" needs no second character
    # Each text's run of codes ends with the NUL after it (whose flags are 0).
    starts = np.empty(n_docs, dtype=np.int64)
    starts[0] = 0
    starts[1:] = np.flatnonzero(codes == 0)[: n_docs - 1] + 1
    masks = kind_bits[np.bitwise_or.reduceat(hits, starts)]
    digits = np.flatnonzero((codes >= 0x30) & (codes <= 0x39))
    if len(digits) >= 10:
        dense = digits[:-9][digits[9:] - digits[:-9] <= 12]  # ten digits within thirteen characters
        if len(dense):
            masks[np.searchsorted(starts, dense, side="right") - 1] |= _PHONE_BIT
    return [_KIND_SETS[mask] for mask in masks.tolist()]


_PHONE_BIT = 1 << _KIND_ORDER.index("phone")
_KIND_SETS = [
    frozenset(kind for bit, kind in enumerate(_KIND_ORDER) if mask >> bit & 1) for mask in range(1 << len(_PATTERNS))
]
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@cache
def _pair_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bit flags per code point as the first and as the second of two adjacent characters.

    Bits: 1 e-mail, 2 URL, 4 masked digits, 8 QQ, 16 WeChat. A pair (a, b) may start an entity
    of a kind when both a's first-flags and b's second-flags have its bit; mixing the firsts and
    seconds of different pairs of one kind only adds harmless candidates. (A URL's ``http://``
    contains ``:/``.) The third array turns those bits into a mask of ``_KIND_ORDER`` bits.
    """
    first = np.zeros(0x110000, dtype=np.uint8)
    second = np.zeros(0x110000, dtype=np.uint8)
    pairs = (
        (1, "@", ""),
        (2, ".", _LETTERS),
        (2, ":", "/"),
        (2, "wW", "wW"),
        (4, "*xX×", "*xX×"),
        (8, "qQ扣企", "qQ扣鹅号"),
        (16, "微威薇徽vVwW加", "信xXeEvV"),
    )
    for bit, firsts, seconds in pairs:
        for char in firsts:
            first[ord(char)] |= bit
        for char in seconds:
            second[ord(char)] |= bit
    kind_bits = np.zeros(32, dtype=np.int64)
    for value in range(32):
        for bit, kind in enumerate(("email", "url", "masked_digits", "qq", "wechat")):
            if value >> bit & 1:
                kind_bits[value] |= 1 << _KIND_ORDER.index(kind)
    return first, second, kind_bits


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _traditional_table() -> np.ndarray:
    """For each BMP code point: does OpenCC t2s change it on its own? (about 3,700 do)."""
    candidates = [chr(code) for code in range(0x3400, 0xA000)]
    converted = _converter().convert("\n".join(candidates)).split("\n")
    table = np.zeros(0x10000, dtype=bool)
    for char, simplified in zip(candidates, converted, strict=True):
        if char != simplified:
            table[ord(char)] = True
    return table


@cache
def _traditional_all() -> np.ndarray:
    """``_traditional_table`` extended to every code point (none above the BMP is changed)."""
    table = np.zeros(0x110000, dtype=bool)
    table[:0x10000] = _traditional_table()
    return table


@cache
def _width_tables() -> tuple[re.Pattern[str], dict[str, str], np.ndarray]:
    """Every BMP character that NFKC changes, with its replacement (full width, ①, ㈠ …).

    Returns a regex of those characters, the replacement dictionary, and a code-point array for
    the one-to-one replacements in which zero-width characters map to ``_DROP``, whitespace to a
    space, and characters whose replacement is longer than one character to ``_COMPLEX``.
    """
    table: dict[str, str] = {}
    codes = np.arange(0x10000, dtype=np.uint32)
    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char:
            table[char] = folded
            codes[code] = ord(folded) if len(folded) == 1 else _COMPLEX
    for code in range(0x10000):
        if codes[code] < 0x10000 and chr(codes[code]).isspace():
            codes[code] = 0x20
    for char in _ZERO_WIDTH_CHARS:
        codes[ord(char)] = _DROP
    codes[0] = _COMPLEX  # NUL separates the texts of a batch
    return re.compile("[" + "".join(map(re.escape, table)) + "]"), table, codes


_DROP = 0xFFFFFFFF
_COMPLEX = 0xFFFFFFFE
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"


def to_simplified(text: str) -> str:
    """Convert traditional Chinese to simplified (OpenCC t2s, phrase-aware); cheap when none."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if not _traditional_table()[np.minimum(codes, 0xFFFF)].any():
        return text
    return _converter().convert(text)


def clean(text: str) -> str:
    """Fold widths (NFKC per character), drop spreadsheet escapes and zero-width characters,
    collapse whitespace runs (tabs, newlines, ``\\u3000``) to one space."""
    if "_x00" in text:
        text = _EXCEL_ESCAPE.sub(" ", text)
    pattern, table, _ = _width_tables()
    text = pattern.sub(lambda match: table[match.group()], text)
    if _ZERO_WIDTH.search(text):
        text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()


@cache
def _fold_all() -> np.ndarray:
    """``_width_tables``'s code-point array extended to every code point, NUL kept as NUL."""
    fold = np.arange(0x110000, dtype=np.uint32)
    fold[:0x10000] = _width_tables()[2]
    fold[0] = 0
    return fold


def _clean_many(texts: Sequence[str]) -> list[str]:
    """``[clean(t) for t in texts]``, vectorised: one code-point array for the whole batch."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a text contains NUL itself
        return [clean(text) for text in texts]
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    mapped = _fold_all()[codes]
    is_complex = mapped == _COMPLEX
    complex_docs: set[int] = set()
    if is_complex.any():
        doc = np.cumsum(codes == 0)
        complex_docs = set(doc[is_complex].tolist())
        mapped[is_complex] = ord("?")  # those texts are redone by ``clean`` below
    dropped = mapped == _DROP
    if dropped.any():
        mapped = mapped[~dropped]
    space = mapped == 0x20
    boundary = np.concatenate(([True], mapped[:-1] == 0)) if len(mapped) else np.zeros(0, dtype=bool)
    previous_space = np.concatenate(([False], space[:-1])) if len(mapped) else boundary
    extra_space = space & (previous_space | boundary)
    if extra_space.any():
        mapped = mapped[~extra_space]
        space = mapped == 0x20
    next_boundary = np.concatenate((mapped[1:] == 0, [True])) if len(mapped) else space
    trailing = space & next_boundary
    if trailing.any():
        mapped = mapped[~trailing]
    cleaned = mapped.astype("<u4", copy=False).tobytes().decode("utf-32-le").split("\x00")
    if "_x00" in joined:
        complex_docs.update(i for i, text in enumerate(texts) if "_x00" in text)
    for i in complex_docs:
        cleaned[i] = clean(texts[i])
    return cleaned


def normalize_many(texts: Sequence[str], *, mask_entities: bool = True) -> list[str]:
    """``[normalize(t, mask_entities=…) for t in texts]``, several times faster on a batch."""
    if not texts:
        return []
    cleaned = _clean_many(texts)
    joined = "\x00".join(cleaned)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    traditional = _traditional_all()[codes]
    if traditional.any():
        doc = np.cumsum(codes == 0)
        for i in sorted(set(doc[traditional].tolist())):
            cleaned[i] = _converter().convert(cleaned[i])
        if mask_entities:
            joined = "\x00".join(cleaned)
            codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    if not mask_entities:
        return cleaned
    kinds = _candidate_kinds(codes, None, len(cleaned))
    for i, text in enumerate(cleaned):
        if kinds[i]:
            cleaned[i] = _mask(text, _find(text, kinds[i]))
    return cleaned


def _mask(text: str, entities: list[Entity]) -> str:
    if not entities:
        return text
    parts: list[str] = []
    position = 0
    for entity in entities:
        parts.append(text[position : entity.start])
        parts.append(f" {ENTITY_TOKENS[entity.kind]} ")
        position = entity.end
    parts.append(text[position:])
    return _SPACES.sub(" ", "".join(parts)).strip()


def normalize(text: str, *, mask_entities: bool = True) -> str:
    """Return the canonical form of ``text``.

    Steps: spreadsheet escapes (``_x000D_``) and zero-width characters removed, full-width
    forms folded to half width (NFKC, so ``\\u3000`` becomes a space), traditional characters
    converted to simplified, runs of whitespace collapsed to one space. With ``mask_entities``
    each URL, e-mail, phone, QQ or WeChat id and masked digit run (``138****1234``) becomes its
    token from ``ENTITY_TOKENS`` surrounded by spaces. Placeholders such as ``A市`` or ``A1区``
    are kept as they are. For many texts, ``normalize_many`` is faster.
    """
    return normalize_many([text], mask_entities=mask_entities)[0]
