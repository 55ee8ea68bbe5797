"""Hot issues: group messages about one problem at one place (or for one group) within a period,
and rank the groups by a documented heat index.

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
4. **Linking** (up to ``exact_block`` = 5,000 messages, all pairs): two messages at most
   ``window_days`` = 365 apart are linked when they name the same estate/school/firm/community
   and have similarity ≥ 0.10, share a topic word (≥ 0.15), the same road or street (≥ 0.30),
   or nothing in particular (≥ 0.35); naming *different* places or districts needs ≥ 0.60
   (near-duplicates only). Linked components over ``max_split`` are broken by raising the
   level in steps of 0.05.
5. **Splitting**: each component is split by average-linkage clustering at
   ``average_threshold`` = 0.18, where a shared place adds ``PLACE_BONUS`` = 0.10, a shared topic
   word ``TOPIC_BONUS`` = 0.05 and different districts subtract ``DISTRICT_PENALTY`` = 0.10.
   Single links find all the messages of a problem; average linkage undoes their chaining
   (one estate's fumes complaints stay apart from its cracked-floor complaints).
6. **At scale** (more than ``exact_block`` messages): preparation runs on every core, and the
   candidate groups are simply "same place key", or else "same district and same
   highest-weight word"; each group (cut in time order at ``max_block``) goes through step 5.
   Linear in the number of messages; cross-place problems without a place are found only
   through their shared key word.
7. **Heat index** (``heat``) and, for each issue, period, place or group, a one-line description
   (the subject of the most central message), keywords and member ids.

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
import multiprocessing
import os
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import numpy as np
import rjieba
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from minsheng.textmining.normalize import clean, to_simplified
from minsheng.textmining.segment import default_stop_words

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

REQUIRED_COLUMNS = ("message_id", "subject", "posted_at", "detail")

# --- places ------------------------------------------------------------------------------------

_KIND_SUFFIXES: dict[str, tuple[str, ...]] = {
    "street": ("街道", "镇", "乡"),
    "community": ("社区", "村"),
    "school": ("学院", "大学", "中学", "小学", "幼儿园", "学校", "职校"),
    "firm": ("公司", "集团", "物业", "医院", "银行", "超市"),
    "estate": (
        "小区",
        "花园",
        "家园",
        "公寓",
        "新城",
        "新村",
        "山庄",
        "广场",
        "大厦",
        "楼盘",
        "苑",
        "湾",
        "庭",
        "城",
    ),
    "road": ("大道", "路", "街"),
}
_SUFFIX_KIND = {s: k for k, ss in _KIND_SUFFIXES.items() for s in ss}
_SUFFIX_RE = re.compile("|".join(sorted(map(re.escape, _SUFFIX_KIND), key=len, reverse=True)))
_GENERIC_TAIL = ("小区", "社区")  # dropped from an estate key: 丽发新城小区 → 丽发新城
_ADMIN_RE = re.compile(r"[A-Z][0-9]{0,2}[省市区县州]|西地省")
# Words after which a place name starts (the name is what follows the last of them).
_LEFT_MARKERS = (
    "反映",
    "关于",
    "投诉",
    "举报",
    "位于",
    "地处",
    "请问",
    "咨询",
    "建议",
    "要求",
    "希望",
    "对于",
    "针对",
    "我是",
    "我们",
    "业主",
    "本人",
    "购买",
    "居住",
    "住在",
    "附近",
    "旁边",
    "周边",
    "对面",
    "门口",
    "楼下",
    "所在",
    "整个",
    "万科",
    "的",
    "在",
    "和",
    "与",
    "及",
    "对",
    "向",
    "给",
    "是",
    "了",
    "把",
    "将",
    "从",
    "到",
    "为",
    "被",
    "请",
    "让",
    "由",
    "等",
    "个",
    "家",
    "号",
    "栋",
    "期",
    "这",
    "那",
    "该",
    "各",
    "有",
    "无",
    "买",
    "住",
    "去",
    "来",
    "至",
    "省",
    "市",
    "区",
    "县",
)
_LEFT_RE = re.compile("|".join(sorted(map(re.escape, _LEFT_MARKERS), key=len, reverse=True)))
_CUT_RE = re.compile(
    f"(?P<admin>{_ADMIN_RE.pattern})|(?P<left>{_LEFT_RE.pattern})|(?P<suffix>{_SUFFIX_RE.pattern})"
)
_BAD_NAMES = frozenset(
    {
        "小区",
        "我们小区",
        "该小区",
        "本小区",
        "城市",
        "进城",
        "县城",
        "农村",
        "城乡",
        "马路",
        "道路",
        "公路",
        "铁路",
        "学校",
        "小学",
        "中学",
        "大学",
        "公司",
        "物业",
        "医院",
        "银行",
        "社区",
        "村",
        "新城",
        "全城",
        "主城",
        "城区",
        "老城",
        "省城",
        "广场",
        "一路",
        "二路",
        "三路",
        "出路",
        "思路",
        "线路",
        "上路",
        "走路",
        "修路",
        "水泥路",
        "村村",
        "本村",
        "我村",
        "该村",
        "乡镇",
        "城镇",
        "集镇",
        "商城",
        "影城",
        "长城",
        "卫生院",
        "幼儿园",
        "学院",
        "开发公司",
        "物业公司",
        "房地产公司",
    }
)
# Stems that make a generic phrase, not a name, with any suffix (政府, 马路, 公交线路 …).
_BAD_STEM_PARTS = (
    "政",
    "影响",
    "马",
    "线",
    "道",
    "公交",
    "联系",
    "大型",
    "快速",
    "断头",
    "必经",
    "十字",
    "文明",
    "中心",
    "配套",
    "普惠",
    "民办",
    "公办",
    "实验",
    "培训",
    "外国语",
    "地产",
    "开发",
    "房产",
    "物业",
    "附近",
    "周边",
    "一条",
    "这条",
    "那条",
    "条",
    "所有",
    "全",
    "很多",
    "多个",
    "其他",
    "高速",
)
_BAD_STEM_RE = re.compile("|".join(map(re.escape, _BAD_STEM_PARTS)))
_RUN_BEFORE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+$")
#: Kinds precise enough that two messages naming one are likely about the same thing.
SPECIFIC_KINDS = frozenset({"estate", "school", "firm", "community"})
_GROUP_RE = re.compile(
    r"(业主|学生|家长|教师|老师|职工|员工|村民|居民|司机|车主|商户|受害人|投资人|出借人|退休人员|患者|"
    r"农民工|残疾人|老人|租户|住户)"
)


@dataclass(frozen=True, slots=True)
class Place:
    """A place or organisation named in a message: ``kind`` (district, street, community,
    estate, school, firm, road), the surface ``name`` and the canonical ``key``."""

    kind: str
    name: str
    key: str


def _trim_left(window: str) -> str:
    cut = 0
    for match in _CUT_RE.finditer(window):
        end = match.end()
        if end < len(window) or match.lastgroup != "suffix":
            cut = max(cut, end)
    return window[cut:]


def extract_places(text: str) -> list[Place]:
    """Administrative units and named places in ``text`` (already normalised), in order.

    >>> [p.key for p in extract_places("反映A市A2区丽发新城小区附近搅拌站扰民")]
    ['A市', 'A2区', '丽发新城']
    """
    found: list[Place] = []
    seen: set[str] = set()
    for match in _ADMIN_RE.finditer(text):
        name = match.group()
        if name != "西地省" and name not in seen and not name.endswith("省"):
            seen.add(name)
            found.append(Place("district", name, name))
    for match in _SUFFIX_RE.finditer(text):
        suffix = match.group()
        start = match.start()
        run = _RUN_BEFORE.search(text, max(0, start - 10), start)
        if run is None:
            continue
        stem = _trim_left(run.group())
        if len(stem) < 2 or len(stem) > (4 if suffix in _KIND_SUFFIXES["road"] else 6) or stem.isdigit():
            continue
        name = stem + suffix
        kind = _SUFFIX_KIND[suffix]
        key = stem if suffix in _GENERIC_TAIL else name
        if name in _BAD_NAMES or key in _BAD_NAMES or len(key) < 3 and kind != "community":
            continue
        if _BAD_STEM_RE.search(stem) or (kind == "road" and "铁" in stem):
            continue
        if key not in seen:
            seen.add(key)
            found.append(Place(kind, name, key))
    return found


def _groups(text: str) -> list[str]:
    return [m.group() for m in _GROUP_RE.finditer(text)]


# --- messages ----------------------------------------------------------------------------------

_TIME_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\D+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
)


def parse_time(value: str) -> datetime | None:
    """Parse ``2019/2/28 11:25:05``, ``2019-07-21 10:29:36``, ``2019年7月21日`` …; ``None`` if not."""
    match = _TIME_RE.search(value or "")
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


@dataclass(slots=True)
class Message:
    """One message for hot-issue discovery (``resolved`` / ``satisfaction`` only for tickets)."""

    message_id: str
    subject: str
    detail: str
    posted_at: datetime
    user: str = ""
    likes: int = 0
    dislikes: int = 0
    resolved: float | None = None
    satisfaction: float | None = None


def _int(value: object) -> int:
    try:
        return int(float(str(value).strip() or 0))
    except ValueError:
        return 0


def _float_or_none(value: object) -> float | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def messages_from_rows(rows: Iterable[Mapping[str, str]]) -> list[Message]:
    """Build messages from CSV rows with the columns of ``hot_issue_messages.csv``.

    Raises ``ValueError`` naming the row when ``posted_at`` cannot be read. ``user``, ``likes``,
    ``dislikes``, ``resolved`` and ``satisfaction`` are optional.
    """
    out: list[Message] = []
    for number, row in enumerate(rows, start=2):
        posted = parse_time(row.get("posted_at") or "")
        if posted is None:
            raise ValueError(f"row {number}: posted_at {row.get('posted_at')!r} is not a date")
        out.append(
            Message(
                message_id=str(row.get("message_id") or "").strip(),
                subject=str(row.get("subject") or ""),
                detail=str(row.get("detail") or ""),
                posted_at=posted,
                user=str(row.get("user") or "").strip(),
                likes=_int(row.get("likes")),
                dislikes=_int(row.get("dislikes")),
                resolved=_float_or_none(row.get("resolved")),
                satisfaction=_float_or_none(row.get("satisfaction")),
            )
        )
    return out


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


@dataclass(frozen=True, slots=True)
class _Thresholds:
    place: float
    coarse: float
    topic: float
    text: float
    duplicate: float
    window_days: float
    average: float


@dataclass(slots=True)
class _Prepared:
    vocab: dict[str, int]
    indices: array
    indptr: array
    keys: list[frozenset[str]]
    coarse: list[frozenset[str]]
    districts: list[frozenset[str]]
    bigram_ids: dict[str, int]
    bigrams: list[array]
    places: list[list[Place]]
    groups: list[list[str]]


_Row = tuple[list[str], list[tuple[str, str, str]], list[str], frozenset[str]]


def _prepare_one(subject: str, detail: str) -> _Row:
    subject = to_simplified(clean(subject))
    detail = to_simplified(clean(detail))
    head = detail[:PLACE_CHARS]
    found = extract_places(subject + "。" + head)
    places = [(p.kind, p.name, p.key) for p in found]
    # The problem, not the place, decides similarity: the place is matched through its key.
    names = [p.name for p in found if p.kind in SPECIFIC_KINDS] if DROP_PLACE_WORDS else []
    sub_words = [w for w in _words(subject) if not any(w in name for name in names)]
    doc = sub_words * SUBJECT_WEIGHT + [
        w for w in _words(detail[:DETAIL_CHARS]) if not any(w in name for name in names)
    ]
    return doc, places, _groups(subject + head), _subject_bigrams(subject)


def _prepare_chunk(pairs: list[tuple[str, str]]) -> list[_Row]:
    # Plain tuples: they cross process boundaries far faster than dataclasses.
    return [_prepare_one(subject, detail) for subject, detail in pairs]


#: Above this many messages preparation runs in worker processes (one per core, at most 4).
PARALLEL_FROM = 50_000


def _prepare(messages: Sequence[Message], progress: Callable[[int], None] | None) -> _Prepared:
    prepared = _Prepared({}, array("i"), array("q", [0]), [], [], [], {}, [], [], [])
    pairs = [(m.subject, m.detail) for m in messages]
    step = 5000
    chunks = [pairs[i : i + step] for i in range(0, len(pairs), step)]
    workers = min(4, os.cpu_count() or 1)
    if len(pairs) >= PARALLEL_FROM and workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results: Iterable[list[_Row]] = pool.imap(_prepare_chunk, chunks)
            _collect(prepared, results, progress)
    else:
        _collect(prepared, map(_prepare_chunk, chunks), progress)
    _merge_key_variants(prepared.keys)
    return prepared


def _collect(
    prepared: _Prepared,
    results: Iterable[list[_Row]],
    progress: Callable[[int], None] | None,
) -> None:
    for chunk in results:
        for doc, raw_places, groups, bigrams in chunk:
            found = [Place(*p) for p in raw_places]
            # Words become ids at once: a million token lists of str would not fit in memory.
            vocab = prepared.vocab
            prepared.indices.extend([vocab.setdefault(w, len(vocab)) for w in doc])
            prepared.indptr.append(len(prepared.indices))
            prepared.places.append(found)
            prepared.keys.append(frozenset(p.key for p in found if p.kind in SPECIFIC_KINDS))
            prepared.coarse.append(frozenset(p.key for p in found if p.kind in ("road", "street")))
            prepared.districts.append(
                frozenset(p.key for p in found if p.kind == "district" and p.key[-1] in "区县")
            )
            prepared.groups.append(groups)
            ids = prepared.bigram_ids
            prepared.bigrams.append(array("i", [ids.setdefault(g, len(ids)) for g in bigrams]))
        if progress is not None:
            progress(len(chunk))


def _merge_key_variants(keys: list[frozenset[str]]) -> None:
    """Map a key to a shorter key that ends it (万科魅力之城 → 魅力之城), when that is seen."""
    counts = Counter(k for ks in keys for k in ks)
    vocabulary = set(counts)
    mapping: dict[str, str] = {}
    for key in vocabulary:
        best = key
        for size in range(3, len(key)):
            tail = key[-size:]
            if tail in vocabulary:
                best = tail
                break
        if best != key:
            mapping[key] = best
    if mapping:
        for i, ks in enumerate(keys):
            if any(k in mapping for k in ks):
                keys[i] = frozenset(mapping.get(k, k) for k in ks)


def _tfidf(prepared: _Prepared) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
    vocab = prepared.vocab
    indices = np.frombuffer(prepared.indices, dtype=np.int32)
    indptr = np.frombuffer(prepared.indptr, dtype=np.int64)
    data = np.ones(len(indices), dtype=np.float32)
    counts = sparse.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, max(1, len(vocab))))
    counts.sum_duplicates()
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sparse.diags((1.0 / norms).astype(np.float32)) @ counts
    words = [""] * len(vocab)
    for word, index in vocab.items():
        words[index] = word
    return x.tocsr(), words, idf


#: A subject word is a topic word when at most this share of messages (and at least 2) use it.
TOPIC_SHARE = 0.015
#: Added to the similarity of two messages sharing a topic word when splitting components.
TOPIC_BONUS = 0.05
#: Subtracted from the similarity of two messages naming different districts and no common one.
DISTRICT_PENALTY = 0.1
#: Added to the similarity of two messages naming the same estate, school, firm or community.
PLACE_BONUS = 0.1


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}|[0-9]+[\u4e00-\u9fff]")


def _subject_bigrams(subject: str) -> frozenset[str]:
    found: set[str] = set()
    for run in _CJK_RUN.findall(_SPLIT_RE.sub(" ", subject)):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(found)


def _topic_keys(prepared: _Prepared, max_share: float) -> list[frozenset[int]]:
    """Rare character bigrams of the subjects shared by a few messages (车贷, 搅拌 …): a
    problem's own vocabulary, robust to segmentation (``58车贷案`` → 58车, 车贷, 贷案). Bigrams
    are kept as ids."""
    grams = prepared.bigrams
    df = np.bincount(
        np.frombuffer(b"".join(g.tobytes() for g in grams), dtype=np.int32),
        minlength=len(prepared.bigram_ids),
    )
    limit = max(5, int(max_share * len(grams)))
    rare = (df >= 2) & (df <= limit)
    return [frozenset(g for g in gs if rare[g]) for gs in grams]


def _edges_for(
    rows: np.ndarray,
    x: sparse.csr_matrix,
    prepared: _Prepared,
    topics: list[frozenset[int]],
    days: np.ndarray,
    t: _Thresholds,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys, coarse, districts = prepared.keys, prepared.coarse, prepared.districts
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
        elif topics[a[i]] & topics[b[i]]:
            good[i] = sim >= t.topic
        elif coarse[a[i]] & coarse[b[i]]:
            good[i] = sim >= t.coarse
        else:
            good[i] = sim >= t.text
    return a[good], b[good], s[good]


def _groups_at_scale(
    x: sparse.csr_matrix, prepared: _Prepared, days: np.ndarray, max_size: int
) -> Iterator[np.ndarray]:
    """Candidate groups for large inputs, in linear time: messages naming the same place (their
    first estate / school / firm / community key) form a group; the others are grouped by
    district and their highest-weight word. Groups over ``max_size`` are cut in time order.
    Average linkage then splits each group by problem (see ``find_hot_issues``)."""
    n = x.shape[0]
    rows, cols = _top_words(x, 1)
    top = np.full(n, -1, dtype=np.int64)
    top[rows] = cols
    ids: dict[tuple[object, ...], int] = {}
    group = np.empty(n, dtype=np.int64)
    for i in range(n):
        keys = prepared.keys[i]
        if keys:
            label: tuple[object, ...] = ("k", min(keys))
        else:
            label = ("w", min(prepared.districts[i]) if prepared.districts[i] else "", int(top[i]))
        group[i] = ids.setdefault(label, len(ids))
    order = np.lexsort((days, group))
    cuts = np.flatnonzero(np.diff(group[order])) + 1
    for part in np.split(order, cuts):
        for start in range(0, len(part), max_size):
            yield part[start : start + max_size]


def _top_words(x: sparse.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's ``k`` highest-weight entries, vectorised."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    order = np.lexsort((-x.data, rows))
    rank = np.arange(len(order)) - np.repeat(x.indptr[:-1], np.diff(x.indptr))
    keep = rank < k
    return rows[order][keep], x.indices[order][keep]


def _split_average(
    idx: list[int],
    x: sparse.csr_matrix,
    topics: list[frozenset[int]],
    threshold: float,
    max_size: int,
    keys: list[frozenset[str]] | None = None,
    districts: list[frozenset[str]] | None = None,
) -> list[list[int]]:
    """Split one linked component by average-linkage clustering: a cluster's members must be
    similar on average (≥ ``threshold``), which undoes the chaining of single links. Sharing a
    rare subject word adds ``TOPIC_BONUS`` to a pair's similarity."""
    if len(idx) <= 2:
        return [idx]
    if len(idx) > max_size:  # keep memory bounded: cut in time order (idx is sorted by time)
        return [
            part
            for start in range(0, len(idx), max_size)
            for part in _split_average(
                idx[start : start + max_size], x, topics, threshold, max_size, keys, districts
            )
        ]
    sub = x[idx]
    sims = (sub @ sub.T).toarray()
    for sets, bonus in ((topics, TOPIC_BONUS), (keys, PLACE_BONUS)):
        if sets is None or not bonus:
            continue
        vocab: dict[object, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for r, i in enumerate(idx):
            for w in sets[i]:
                rows.append(r)
                cols.append(vocab.setdefault(w, len(vocab)))
        if vocab:
            member = sparse.csr_matrix(
                (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(idx), len(vocab))
            )
            sims += bonus * ((member @ member.T).toarray() > 0)
    if districts is not None and DISTRICT_PENALTY:
        # Two messages naming different districts (and no common one) are about different places.
        vocab = {}
        rows, cols = [], []
        for r, i in enumerate(idx):
            for w in districts[i]:
                rows.append(r)
                cols.append(vocab.setdefault(w, len(vocab)))
        if vocab:
            member = sparse.csr_matrix(
                (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(idx), len(vocab))
            )
            has = np.asarray(member.sum(axis=1)).ravel() > 0
            disjoint = np.outer(has, has) & ~((member @ member.T).toarray() > 0)
            sims -= DISTRICT_PENALTY * disjoint
    np.clip(sims, 0.0, 1.0, out=sims)
    dist = 1.0 - sims
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in zip(idx, labels.tolist(), strict=True):
        groups[label].append(i)
    return list(groups.values())


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
    in time order as a last resort, so that no average-linkage step exceeds ``max_size``."""
    index = np.full(len(days), -1, dtype=np.int64)
    index[nodes] = np.arange(len(nodes))
    keep = (sim >= level) & (index[a] >= 0) & (index[b] >= 0)
    a, b, sim = a[keep], b[keep], sim[keep]
    graph = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (index[a], index[b])), shape=(len(nodes),) * 2)
    count, labels = connected_components(graph, directed=False)
    order = np.lexsort((days[nodes], labels))
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    for part in np.split(nodes[order], cuts):
        if len(part) <= max_size:
            yield part
        elif level < 0.95:
            inside = np.isin(a, part)
            yield from _components(
                part, a[inside], b[inside], sim[inside], max(level, 0.1) + 0.05, max_size, days
            )
        else:
            for start in range(0, len(part), max_size):
                yield part[start : start + max_size]


#: Two messages at least this similar are the same text (an echo when the users differ).
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
    exact_block: int = 5000,
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
    days = np.array([m.posted_at.timestamp() / 86400 for m in messages], dtype=np.float64)
    n = len(messages)
    t = _Thresholds(
        place_threshold,
        coarse_threshold,
        topic_threshold,
        text_threshold,
        duplicate_threshold,
        window_days,
        average_threshold,
    )
    clusters: list[list[int]] = []
    if n <= exact_block:
        a, b, sim = _edges_for(np.arange(n, dtype=np.int64), x, prepared, topics, days, t)
        parts: Iterable[np.ndarray] = _components(
            np.arange(n, dtype=np.int64), a, b, sim, 0.0, max_split, days
        )
    else:
        parts = _groups_at_scale(x, prepared, days, max_block)
    for part in parts:
        idx = part.tolist()
        if len(idx) <= 2:
            clusters.append(idx)
            continue
        clusters.extend(
            _split_average(idx, x, topics, average_threshold, max_split, prepared.keys, prepared.districts)
        )
    now = max(m.posted_at for m in messages)
    scored: list[tuple[float, list[int]]] = []
    _, users = np.unique(
        np.array([m.user or m.message_id for m in messages], dtype=object), return_inverse=True
    )
    for idx in clusters:
        echoes = _echoes(idx, x, users, ECHO_SIMILARITY)
        scored.append((heat([messages[i] for i in idx], now=now, weights=weights, echoes=echoes), idx))
    scored.sort(key=lambda item: (-item[0], min(messages[i].posted_at for i in item[1])))
    chosen = scored if top <= 0 else scored[:top]
    return [
        _describe(rank, value, idx, messages, prepared, x, words)
        for rank, (value, idx) in enumerate(chosen, 1)
    ]


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
    central = int(np.argmax(sub @ centroid)) if len(idx) > 1 else 0
    key_counts = Counter(k for i in idx for k in prepared.keys[i])
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
            return best
    return ""


_CJK_RUN_LONG = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")


def _label(
    idx: list[int], prepared: _Prepared, key_counts: Counter[str], subjects: list[str], central: str
) -> str:
    districts = Counter(
        p.name for i in idx for p in prepared.places[i] if p.kind == "district" and p.name[-1] in "区县"
    )
    top_district = districts.most_common(1)[0] if districts else ("", 0)
    district = top_district[0] if top_district[1] * 3 >= len(idx) else ""  # named by a third at least
    city = Counter(
        p.name for i in idx for p in prepared.places[i] if p.kind == "district" and p.name.endswith("市")
    )
    prefix = (city.most_common(1)[0][0] if city else "") + district
    if key_counts:
        key, count = key_counts.most_common(1)[0]
        if count * 2 >= len(idx) or len(idx) <= 2:
            names = Counter(
                p.name for i in idx for p in prepared.places[i] if p.key == key or p.key.endswith(key)
            )
            name = names.most_common(1)[0][0] if names else key
            return prefix + name
    groups = Counter(g for i in idx for g in prepared.groups[i])
    group = groups.most_common(1)[0][0] if groups else ""
    common = _common_name(subjects, central) if len(idx) > 1 else ""
    if common:
        return prefix + common + ("·" + group if group else "")
    if group:
        return prefix + group
    return prefix or "—"
