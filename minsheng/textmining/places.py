"""Places and groups of people named in a citizen's message (step 2 of ``hot_issues``).

``extract_places`` finds the anonymised administrative units (``A市``, ``A3区``, ``K8县``) and the
places named by their Chinese suffixes — estates, schools, firms, roads, streets and towns,
communities and villages — with the words in front of the name trimmed off; ``_groups`` the
groups of people (业主, 学生, 受害人 …). The vocabularies below decide what counts as a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["SPECIFIC_KINDS", "Place", "extract_places"]

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
