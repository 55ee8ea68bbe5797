"""Word segmentation: rjieba plus the platform's own names, stop words and a bigram fallback.

``Segmenter(user_words=…)`` adds names the general dictionary does not know (districts, streets,
communities, units, topics) so that ``望月湖街道`` stays one word. Runs of CJK characters that
rjieba leaves as single characters (unknown names, rare words) become overlapping bigrams, which
keeps their information for a classifier without guessing word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

import rjieba

__all__ = ["TOKEN_SEPARATOR", "Segmenter", "default_stop_words", "tokens"]

# Anonymised places in the data ("A市", "K2区", "A8县") split into "A1" + "区" otherwise.
_PLACEHOLDER_HEAD = re.compile(r"[A-Z][0-9]{0,2}")
_PLACEHOLDER_TAILS = frozenset("市区县省镇乡村")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Starts with a literal, so the regex engine skips quickly to candidate positions.
_JOINED_PLACEHOLDER = re.compile(r"\x01([A-Z][0-9]{0,2})\x01([市区县省镇乡村])(?=\x01|$)")
TOKEN_SEPARATOR = "\x01"
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@cache
def default_stop_words() -> frozenset[str]:
    """The stop words shipped with the package (``stopwords.txt``)."""
    text = resources.files(__package__).joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


class Segmenter:
    """Segment (normalised) Chinese text into content words.

    ``user_words`` are added to a private rjieba dictionary, so several segmenters with different
    names can coexist. ``stop_words`` defaults to the shipped list; pass ``()`` to keep every word.
    """

    def __init__(self, user_words: Iterable[str] = (), stop_words: Iterable[str] | None = None) -> None:
        words = sorted({word.strip() for word in user_words if word and word.strip()})
        if words:
            self._jieba = rjieba.Jieba()
            for word in words:
                self._jieba.add_word(word, None, None)
            self._cut = self._jieba.cut
        else:
            self._cut = rjieba.cut
        self.user_words = frozenset(words)
        self.stop_words = default_stop_words() if stop_words is None else frozenset(stop_words)

    def raw(self, text: str) -> list[str]:
        """rjieba's tokens with placeholders (``A1区``) rejoined; spaces and punctuation kept."""
        pieces = self._cut(text)
        merged: list[str] = []
        for piece in pieces:
            if (
                merged
                and piece in _PLACEHOLDER_TAILS
                and _PLACEHOLDER_HEAD.fullmatch(merged[-1]) is not None
            ):
                merged[-1] += piece
            else:
                merged.append(piece)
        return merged

    def joined(self, text: str) -> str:
        """``raw`` tokens joined by ``TOKEN_SEPARATOR`` (the fast path for ``features``)."""
        joined = TOKEN_SEPARATOR + TOKEN_SEPARATOR.join(self._cut(text))
        return _JOINED_PLACEHOLDER.sub("\x01\\1\\2", joined)[1:]

    def tokens(self, text: str) -> list[str]:
        """Content words of ``text``: no spaces, punctuation or stop words; unknown single-character
        runs become bigrams (``杨 村`` → ``杨村``)."""
        out: list[str] = []
        run: list[str] = []
        for piece in self.raw(text):
            if len(piece) == 1 and piece not in self.stop_words and _CJK.match(piece):
                run.append(piece)
                continue
            _flush(run, out)
            if piece in self.stop_words or not _WORDLIKE.search(piece):
                continue
            out.append(piece)
        _flush(run, out)
        return out


def _flush(run: list[str], out: list[str]) -> None:
    """Append a run of single characters: alone as itself, longer as overlapping bigrams."""
    if len(run) == 1:
        out.append(run[0])
    elif run:
        out.extend(a + b for a, b in zip(run, run[1:], strict=False))
    run.clear()


@cache
def _default() -> Segmenter:
    return Segmenter()


def tokens(text: str) -> list[str]:
    """Content words of ``text`` with the default segmenter (no user words, shipped stop words)."""
    return _default().tokens(text)
