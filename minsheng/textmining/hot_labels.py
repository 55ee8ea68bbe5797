"""The place-or-group label of a hot issue (``_label``): the place most of its messages name, else
the run of words at least half its subjects share (``_common_name``, trimmed to whole words by
``_at_words``), with the group of people and the district in front."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import rjieba

from minsheng.textmining.hot_prepare import _SPLIT_RE, _Prepared, _stop_words
from minsheng.textmining.segment import default_stop_words


def _common_name(subjects: list[str], central: str) -> str:
    """The longest run of the central subject (3–8 characters, no placeholder) that at least
    half of the subjects contain: 58车贷, 五矿万境, 绿地海外滩 … for issues without a place key."""
    runs = [r for r in _CJK_RUN_LONG.findall(_SPLIT_RE.sub(" ", central)) if len(r) >= 3]
    need = max(2, (len(subjects) + 1) // 2)
    for size in range(8, 2, -1):
        best = ""
        best_count = 0
        for run in runs:
            for i in range(len(run) - size + 1):
                piece = run[i : i + size]
                count = sum(1 for s in subjects if piece in s)
                if count >= need and count > best_count:
                    best, best_count = piece, count
        if best:
            return _at_words(best, central)
    return ""


def _at_words(piece: str, central: str) -> str:
    """``piece`` cut back to the end of a word of ``central`` when it stops inside one
    (泉星公园项 of 泉星公园项目 → 泉星公园), and without its first character when that is the
    last one of a word (房公积金 of 购房公积金 → 公积金), and without function words at either end
    (洪山公园的 → 洪山公园); each cut only when at least 3 characters remain.
    The words are rjieba's of ``central`` with the administrative units (A市, K9县) blanked, so
    that they do not join the next word (A市经开区 is cut 市经 / 开区 otherwise)."""
    start = central.find(piece)
    if start < 0:
        return piece
    end = start + len(piece)
    masked = _SPLIT_RE.sub(lambda m: " " * len(m.group()), central)
    bounds = np.cumsum([0] + [len(word) for word in rjieba.cut(masked)])
    if end not in bounds:
        inside = bounds[(bounds > start) & (bounds < end)]
        if len(inside) and int(inside[-1]) - start >= 3:
            end = int(inside[-1])
    if start not in bounds and start + 1 in bounds and end - start > 3:
        # One stray character of the word before (房 of 购房公积金): dropped, unless what follows
        # is a function word (师的待遇, 资格与职称). A longer move would cut into names that
        # rjieba joins to the word before (营盘路六堆子 → 路六堆 / 子).
        following = masked[start + 1 : int(bounds[bounds > start + 1][0])]
        if following not in _stop_words():
            start += 1
    # Function words at either end go (洪山公园的 → 洪山公园, 旧城改造要 → 旧城改造), when the word
    # next to one is a word of two characters or more (和包支付, cut 和 / 包 / 支付, is a name)
    # and no function word itself (什么时候 stays whole); a negation opening the name stays
    # (无犯罪记录证明). Only function words: the corpus's own stop words (西地省) are names.
    stop = default_stop_words()
    while end in bounds and (lower := bounds[(bounds >= start) & (bounds < end)]).size >= 2:
        previous, before = int(lower[-2]), int(lower[-1])  # where the last two words start
        word, inner = masked[before:end], masked[previous:before]
        if word not in stop or inner in stop or before - start < 3 or before - previous < 2:
            break
        end = before
    # A lone direction character after a longer word starts the next name (东 of 东六线:
    # 经开区东 → 经开区); other lone characters often end one (保利大都汇, 劝导员, 2017年).
    if end in bounds and (lower := bounds[(bounds >= start) & (bounds < end)]).size >= 2:
        previous, before = int(lower[-2]), int(lower[-1])
        if masked[before:end] in _NAME_START and before - previous >= 2 and before - start >= 3:
            end = before
    while start in bounds and (upper := bounds[(bounds > start) & (bounds <= end)]).size >= 2:
        after, following = int(upper[0]), int(upper[1])  # where the first two words end
        word, inner = masked[start:after], masked[after:following]
        if (
            word not in stop
            or word[0] in _NEGATION
            or inner in stop
            or end - after < 3
            or following - after < 2
        ):
            break
        start = after
    return central[start:end]


_CJK_RUN_LONG = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")
#: Lone characters that begin a name rather than end one (东六线, 西外环, 南延线, 北延线).
_NAME_START = frozenset("东西南北")
#: A name may open with a negation (无犯罪记录证明, 不动产登记): it is never trimmed.
_NEGATION = frozenset("无不未没非")


def _label(
    idx: list[int], prepared: _Prepared, key_counts: Counter[str], subjects: list[str], central: str
) -> str:
    places = [p for i in idx for p in prepared.places_of(i)]
    districts = Counter(p.name for p in places if p.kind == "district" and p.name[-1] in "区县")
    top_district = districts.most_common(1)[0] if districts else ("", 0)
    district = top_district[0] if top_district[1] * 3 >= len(idx) else ""  # named by a third at least
    city = Counter(p.name for p in places if p.kind == "district" and p.name.endswith("市"))
    prefix = (city.most_common(1)[0][0] if city else "") + district
    if key_counts:
        key, count = key_counts.most_common(1)[0]
        if count * 2 >= len(idx) or len(idx) <= 2:
            names = Counter(p.name for p in places if p.key == key or p.key.endswith(key))
            name = names.most_common(1)[0][0] if names else key
            return prefix + name
    groups = Counter(g for i in idx for g in prepared.groups_of(i))
    group = groups.most_common(1)[0][0] if groups else ""
    common = _common_name(subjects, central) if len(idx) > 1 else ""
    if common:
        return prefix + common + ("·" + group if group else "")
    if group:
        return prefix + group
    return prefix or "—"
