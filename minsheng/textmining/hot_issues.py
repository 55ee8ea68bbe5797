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
6. **At scale** (more than ``exact_block`` messages): preparation runs on every core, and the
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
import multiprocessing
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache, partial
from typing import NamedTuple

import numpy as np
import rjieba
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from minsheng.textmining.normalize import clean, normalize_many, to_simplified
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
    # Longer suffixes first take the words every such name has (湖南交通职业技术学院, 雅礼实验中学):
    # the stem before them is the name's own part, short enough to be read whole.
    "school": (
        "职业技术学院",
        "职业学院",
        "实验学校",
        "实验中学",
        "实验小学",
        "学院",
        "大学",
        "中学",
        "小学",
        "幼儿园",
        "学校",
        "职校",
    ),
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
_ROAD_SUFFIXES = frozenset(_KIND_SUFFIXES["road"])
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
# A clause, not a name, in front of the suffix: a count with its classifier (附近还有一所幼儿园,
# 这一片属于老旧小区; only 一, 两, 几 and 每: 三家村 and 十间房 are names), or a verb phrase
# (我们多次找过社区).
_CLAUSE_STEM_RE = re.compile(
    r"^[一两几每][所片个家条栋座处些]|[找问去到过了着]过|找过|找了|属于|多次|几次|老旧|每个|那个|这个"
)
# A road suffix that starts a common word instead (冬天路面结冰, 路灯, 路况 …): no road there.
# (路口, 路段, 路上 stay: 金星路口 and 黄兴大道段 name their road.)
_ROAD_WORD_NEXT = frozenset("面况灯费程径")
# Stems of a road that are words of a sentence, not names (交叉路口, 其余路段, 小区路面 …).
_BAD_ROAD_STEM_RE = re.compile("交叉|其余|上述|部分|之间|主要|增加|小区|红绿灯|沥青|导致|T字")
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
        start = match.start()
        run = _RUN_BEFORE.search(text, max(0, start - 10), start)
        if run is None:
            continue
        if match.group() in _ROAD_SUFFIXES and text[match.end() : match.end() + 1] in _ROAD_WORD_NEXT:
            continue
        place = _named_place(run.group(), match.group())
        if place is not None and place.key not in seen:
            seen.add(place.key)
            found.append(place)
    return found


@lru_cache(maxsize=1 << 17)
def _named_place(run: str, suffix: str) -> Place | None:
    """The place named by ``run`` (the letters in front of a suffix) and ``suffix``, or ``None``.

    Depends only on its arguments, so it is cached: a place is usually named many times."""
    stem = _trim_left(run)
    if len(stem) < 2 or len(stem) > (4 if suffix in _KIND_SUFFIXES["road"] else 6) or stem.isdigit():
        return None
    name = stem + suffix
    kind = _SUFFIX_KIND[suffix]
    key = stem if suffix in _GENERIC_TAIL else name
    if name in _BAD_NAMES or key in _BAD_NAMES or len(key) < 3 and kind != "community":
        return None
    if (
        _BAD_STEM_RE.search(stem)
        or _CLAUSE_STEM_RE.search(stem)
        or (kind == "road" and ("铁" in stem or _BAD_ROAD_STEM_RE.search(stem)))
    ):
        return None
    return Place(kind, name, key)


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
    """A count cell (``likes``, ``dislikes``): empty, not a number, negative, infinite or beyond
    ``_MAX_COUNT`` (a sum of such counts would overflow a float) → 0."""
    number = _float_or_none(value)
    return int(number) if number is not None and 0 < number <= _MAX_COUNT else 0


#: The largest like or dislike count read as such (2⁵³: exact in float64).
_MAX_COUNT = float(2**53)


def _float_or_none(value: object) -> float | None:
    """A number cell: empty, not a number, NaN or infinite → ``None`` (unknown)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def messages_from_rows(rows: Iterable[Mapping[str, str]]) -> list[Message]:
    """Build messages from CSV rows with the columns of ``hot_issue_messages.csv``.

    Rows whose cells are all empty are skipped. Raises ``ValueError`` naming the row when
    ``posted_at`` cannot be read, or when ``message_id`` is empty, contains ``;`` (the separator
    of an issue's ids) or repeats an earlier row's. ``user``, ``likes``, ``dislikes``,
    ``resolved`` and ``satisfaction`` are optional.
    """
    out: list[Message] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(str(cell or "").strip() for cell in row.values()):
            continue
        message_id = str(row.get("message_id") or "").strip()
        if not message_id:
            raise ValueError(f"row {number}: message_id is empty")
        if ";" in message_id:
            raise ValueError(f"row {number}: message_id {message_id!r} contains ';', which separates the ids of an issue")
        if message_id in first_row:
            raise ValueError(f"row {number}: message_id {message_id!r} repeats row {first_row[message_id]}")
        first_row[message_id] = number
        posted = parse_time(row.get("posted_at") or "")
        if posted is None:
            raise ValueError(f"row {number}: posted_at {row.get('posted_at')!r} is not a date")
        out.append(
            Message(
                message_id=message_id,
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


def _sets(m: sparse.csr_matrix) -> list[frozenset[int]]:
    """Each row's column ids as a set (for the exact path, a few thousand rows)."""
    indptr, indices = m.indptr, m.indices.tolist()
    return [frozenset(indices[indptr[i] : indptr[i + 1]]) for i in range(m.shape[0])]


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
