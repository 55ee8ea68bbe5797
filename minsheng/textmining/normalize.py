"""Text normalisation for citizens' messages.

``normalize`` turns what people paste into a message box (full-width letters, traditional
characters, spreadsheet artefacts, zero-width characters, links and contact details) into one
canonical simplified-Chinese string. Contact details and links become typed tokens such as
``PHONE`` so that a classifier or a spam filter sees *that* there is a phone number, not which.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

__all__ = ["ENTITY_TOKENS", "Entity", "clean", "find_entities", "normalize", "to_simplified"]

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
_SPACES = re.compile(r"\s+")

_TLD = r"(?:com|cn|net|org|gov|edu|info|top|xyz|vip|cc|me|io|co|tv|biz|site|shop|club|wang|ren|ink)"
_URL_CHAR = r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef<>\"'，。]"
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
_DIGITS5 = re.compile(r"[0-9]{5}")
_QQ_WORDS = ("qq", "扣扣", "企鹅", "q号")
_WECHAT_WORDS = ("微信", "威信", "薇信", "徽信", "weixin", "wechat", "vx", "wx", "v信", "加v")


def _may_contain(kind: str, text: str, lowered: str) -> bool:
    if kind == "email":
        return "@" in text
    if kind == "url":
        return "." in text
    if kind == "qq":
        return any(word in lowered for word in _QQ_WORDS)
    if kind == "wechat":
        return any(word in lowered for word in _WECHAT_WORDS)
    if kind == "phone":
        return _DIGITS5.search(text) is not None
    return "**" in text or "xxx" in lowered or "×××" in text


def find_entities(text: str) -> list[Entity]:
    """Return the non-overlapping URLs, e-mails, phones, QQ and WeChat ids and masked digit runs.

    Offsets refer to ``text`` as given; pass text through ``clean`` first (full-width digits are
    not recognised). When two kinds overlap, the kind listed first in ``ENTITY_TOKENS`` wins.
    """
    lowered = text.lower()
    taken: list[Entity] = []
    for kind, pattern in _PATTERNS:
        if not _may_contain(kind, text, lowered):
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < other.end and other.start < end for other in taken):
                continue
            value = match.group(1) if pattern.groups else match.group()
            taken.append(Entity(kind, start, end, value))
    taken.sort(key=lambda entity: entity.start)
    return taken


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _traditional_pattern() -> re.Pattern[str]:
    """A character class of what t2s changes on its own; a text without any is left alone."""
    candidates = [chr(code) for code in range(0x3400, 0xA000)]
    converted = _converter().convert("\n".join(candidates)).split("\n")
    changed = "".join(c for c, s in zip(candidates, converted, strict=True) if c != s)
    return re.compile(f"[{changed}]")


@cache
def _width_table() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every BMP character that NFKC changes, with its replacement (full width, ①, ㈠ …)."""
    table: dict[str, str] = {}
    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if folded != char:
            table[char] = folded
    return re.compile("[" + "".join(map(re.escape, table)) + "]"), table


def to_simplified(text: str) -> str:
    """Convert traditional Chinese to simplified (OpenCC t2s, phrase-aware); cheap when none."""
    if _traditional_pattern().search(text) is None:
        return text
    return _converter().convert(text)


def clean(text: str) -> str:
    """Fold widths (NFKC per character), drop spreadsheet escapes and zero-width characters,
    collapse whitespace runs (tabs, newlines, ``\\u3000``) to one space."""
    if "_x00" in text:
        text = _EXCEL_ESCAPE.sub(" ", text)
    pattern, table = _width_table()
    # Per-character NFKC via a table is about five times faster than unicodedata on whole texts.
    text = pattern.sub(lambda match: table[match.group()], text)
    if _ZERO_WIDTH.search(text):
        text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()


def normalize(text: str, *, mask_entities: bool = True) -> str:
    """Return the canonical form of ``text``.

    Steps: spreadsheet escapes (``_x000D_``) and zero-width characters removed, full-width
    forms folded to half width (NFKC, so ``\\u3000`` becomes a space), traditional characters
    converted to simplified, runs of whitespace collapsed to one space. With ``mask_entities``
    each URL, e-mail, phone, QQ or WeChat id and masked digit run (``138****1234``) becomes its
    token from ``ENTITY_TOKENS`` surrounded by spaces. Placeholders such as ``A市`` or ``A1区``
    are kept as they are.
    """
    text = to_simplified(clean(text))
    if not mask_entities:
        return text
    entities = find_entities(text)
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
