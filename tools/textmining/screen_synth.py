"""Synthetic citizens' messages, written from hand-made vocabularies (no real data inside).

A development tool, not part of the product: ``bench/hot_issues_scale.py`` generates a million
messages with planted hot issues from it, and the hot-issue tests a few thousand.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

__all__ = ["civic_messages", "civic_texts"]

_DISTRICTS = [f"A{i}区" for i in range(1, 10)] + [f"A{i}县" for i in range(7, 10)] + ["B市", "C市", "K8县"]
_STREETS = [
    "东风",
    "桂花坪",
    "洋湖",
    "星沙",
    "泉塘",
    "暮云",
    "望岳",
    "学士",
    "月湖",
    "湘湖",
    "清水",
    "长青",
    "新河",
    "南湖",
    "金霞",
    "雨花亭",
    "左家塘",
    "圭塘",
    "洞井",
    "黎托",
]
_ESTATE_HEADS = [
    "锦绣",
    "阳光",
    "金色",
    "翠湖",
    "紫薇",
    "恒泰",
    "嘉和",
    "福星",
    "华府",
    "碧桂",
    "滨江",
    "丽景",
    "鑫苑",
    "万家",
    "和平",
    "幸福",
    "盛世",
    "龙湖",
    "海棠",
    "凤凰",
    "春天",
    "御景",
    "书香",
    "兰亭",
]
# Heads must not contain characters that place extraction treats as the end of a preceding word.
_ESTATE_HEADS = [
    h
    for h in _ESTATE_HEADS
    if not set(h) & set("家和的在与及对向给是了把将从到为被请让由等个号栋期这那该各有无买住去来至省市区县")
]
_ESTATE_TAILS = ["小区", "花园", "家园", "新城", "华庭", "苑", "公寓", "山庄"]
_SCHOOL_TAILS = ["小学", "中学", "实验学校", "职业技术学院", "幼儿园"]
_ROADS = [
    "人民",
    "劳动",
    "韶山",
    "芙蓉",
    "五一",
    "解放",
    "曙光",
    "车站",
    "万家丽",
    "东二环",
    "湘江",
    "麓山",
    "桐梓坡",
    "枫林",
    "岳麓",
    "银盆",
    "开福",
    "中山",
    "黄兴",
    "雨花",
]
_PROBLEMS = [
    ("噪音扰民", "晚上施工噪音太大，严重影响居民休息", ["噪音", "施工", "夜间"]),
    ("油烟扰民", "楼下餐馆油烟直排，家里窗户都不敢开", ["油烟", "餐馆", "排烟"]),
    ("停车难", "小区车位严重不足，车辆乱停乱放堵塞消防通道", ["车位", "停车", "消防通道"]),
    ("路灯不亮", "路灯坏了好几个月，晚上出行很不安全", ["路灯", "照明", "出行"]),
    ("垃圾清运不及时", "垃圾站满了没人清理，天热臭气熏天", ["垃圾", "清运", "臭气"]),
    ("物业乱收费", "物业公司擅自提高物业费，每平方米多收0.5元", ["物业费", "收费", "物业公司"]),
    ("学位紧张", "孩子今年上小学，划片学校说学位已满", ["学位", "入学", "划片"]),
    ("公交线路调整", "公交线路调整后到地铁站要多走两公里", ["公交", "线路", "站点"]),
    ("房屋漏水", "交房不到两年外墙渗水，开发商推诿不修", ["漏水", "渗水", "开发商"]),
    ("拖欠工资", "公司拖欠我们农民工工资三个月，共计两万多元", ["工资", "拖欠", "农民工"]),
    ("社保转移", "社保关系转移手续办了两个月还没有办好", ["社保", "转移", "手续"]),
    ("医保报销", "住院费用医保报销比例太低，自付部分负担很重", ["医保", "报销", "住院"]),
    ("违章建筑", "一楼业主私自搭建阳光房，占用公共绿地", ["违建", "搭建", "绿地"]),
    ("道路破损", "路面坑洼不平，下雨天积水很深，电动车经常摔倒", ["路面", "积水", "坑洼"]),
    ("供水不稳定", "最近经常停水，也没有提前通知，水压也很低", ["停水", "水压", "供水"]),
    ("电梯故障", "电梯三天两头坏，老人上下楼非常困难", ["电梯", "故障", "维修"]),
    ("拆迁补偿", "拆迁补偿标准和周边差距太大，希望公开补偿依据", ["拆迁", "补偿", "标准"]),
    ("校外培训退费难", "培训机构突然关门，预交的学费一万二退不回来", ["培训", "退费", "学费"]),
]
_FILLERS = [
    "这个情况大家都很着急。",
    "我们多次找过社区，没有结果。",
    "家里有老人身体不好。",
    "孩子马上要考试了。",
    "周边的居民意见都很大。",
    "打过好几次电话都说在处理。",
    "上个月开始越来越严重。",
    "附近还有一所幼儿园。",
    "晚上十点以后尤其明显。",
    "物业说这不归他们管。",
    "开发商一直在推脱责任。",
    "我们都是普通的上班族。",
    "已经向街道办反映过两次。",
    "下雨天情况更糟糕。",
    "不少邻居准备联名反映。",
    "希望领导能到现场看一看。",
    "相关照片和视频都有留存。",
    "这个问题影响了上千户居民。",
    "之前答应的整改没有落实。",
    "年初的时候还好一些。",
]
_OBJECTS = [
    "路灯",
    "垃圾站",
    "电梯",
    "下水道",
    "停车场",
    "菜市场",
    "公交站",
    "消防通道",
    "健身器材",
    "绿化带",
    "围墙",
    "排水沟",
    "变电箱",
    "污水管",
    "人行道",
    "红绿灯",
    "井盖",
    "外墙",
    "楼顶",
    "地下室",
    "单元门",
    "门禁",
    "监控",
    "快递柜",
    "充电桩",
    "篮球场",
    "公厕",
    "健身步道",
    "烧烤摊",
    "麻将馆",
    "工地",
    "搅拌站",
    "餐馆",
    "歌厅",
    "洗车店",
    "培训机构",
    "诊所",
    "药店",
    "养老院",
    "农贸市场",
    "自来水",
    "燃气管道",
    "热水器",
    "窨井",
    "化粪池",
    "地铁口",
    "天桥",
    "隧道",
    "桥梁",
    "河道",
    "水库",
    "公园",
    "图书馆",
    "体育馆",
    "游泳池",
    "托儿所",
    "职工食堂",
    "校车",
    "医保窗口",
    "社保窗口",
]
_DEFECTS = [
    "坏了很久",
    "噪音很大",
    "长期漏水",
    "散发臭味",
    "无人管理",
    "乱收费",
    "违规搭建",
    "占道经营",
    "夜间施工",
    "经常堵塞",
    "出现裂缝",
    "大量积水",
    "突然停用",
    "被私自拆除",
    "车辆乱停",
    "灰尘很大",
    "收费不透明",
    "服务态度差",
    "排队时间太长",
    "设施老化",
    "存在漏电",
    "油烟直排",
    "深夜营业",
    "没有验收",
    "久拖不决",
    "质量很差",
    "被挪作他用",
    "规划不合理",
    "位置设置不便",
    "开放时间太短",
    "没有无障碍设施",
    "价格过高",
    "长期无人维修",
    "影响采光",
    "安全措施不到位",
    "指示牌缺失",
    "信号很差",
    "停水停电",
    "频繁故障",
    "关闭",
]
_CONSEQUENCES = [
    "严重影响老人出行",
    "孩子晚上无法休息",
    "存在很大的安全隐患",
    "污染了周边环境",
    "给居民生活带来不便",
    "已经有人因此受伤",
    "上班族苦不堪言",
    "附近商户生意受影响",
    "居民反映强烈",
    "病人看病很不方便",
    "学生上下学很危险",
    "夏天蚊虫滋生",
    "冬天路面结冰",
    "周末人流量很大时更加混乱",
    "影响了小区形象",
]
_FILLERS2 = [
    "物业费一直按时交。",
    "小区入住率已经很高。",
    "街道工作人员来看过一次。",
    "我们联系了城管。",
    "十二三四五热线也打过。",
    "业委会还没有成立。",
    "开发商已经撤场。",
    "有邻居拍了视频。",
    "很多住户是外地来的。",
    "学校离这里不到五百米。",
    "旁边就是主干道。",
    "这一片属于老旧小区。",
    "附近正在修地铁。",
    "年底还有一批新房交付。",
    "居民自发组织过清理。",
    "白天也经常出现这种情况。",
    "有关部门说正在协调。",
    "施工方说手续齐全。",
    "已经过了承诺的期限。",
    "周边没有别的替代选择。",
]
_OPENINGS = ["尊敬的领导：您好！", "您好，", "领导好，", "", "尊敬的书记：", "各位领导："]
_DEMANDS = [
    "希望相关部门尽快处理。",
    "请政府给个说法。",
    "恳请领导关注，谢谢！",
    "请问什么时候能解决？",
    "希望能尽快协调解决，还居民一个安宁的环境。",
    "请有关部门依法查处。",
]
_EXTRAS = [
    "我的联系电话是138{:08d}，欢迎核实。",
    "此前已拨打12345热线反映过，工单号{:08d}。",
    "相关照片已上传，详见https://baidu.com/。",
    "每月还要多交{}元，大家意见很大。",
    "小区有{}户居民，很多是老人和小孩。",
    "去年{}月就反映过，至今没有回复。",
]


# City-wide messages naming no place (``placeless_share``) and planted issues of that kind
# (``hot_placeless``: a collapsed lending platform, like the real data's 58车贷).
_CITY_TOPICS = [
    "公积金贷款",
    "人才购房补贴",
    "社保转移",
    "医保异地报销",
    "地铁票价",
    "网约车管理",
    "出租车拒载",
    "驾照考试预约",
    "户口迁移",
    "居住证办理",
    "新能源车牌",
    "供暖收费",
    "燃气价格",
    "养老金发放",
    "失业金申领",
]
_CITY_DEFECTS = [
    "办理太慢",
    "政策不明确",
    "收费不合理",
    "网上系统经常出错",
    "要求的材料太多",
    "窗口排队时间太长",
    "标准前后不一致",
    "咨询电话一直打不通",
]
# Platform names: heads and tails without a character in common, so that two planted platforms
# share no subject bigram.
_PLATFORM_HEADS = ["聚财", "鑫源", "汇通", "嘉盈"]
_PLATFORM_TAILS = ["车贷", "金服", "钱包", "理财"]
_CASE_SUBJECTS = [
    "{name}案件进展如何",
    "请问{where}公安对{name}一案办案的进度如何了",
    "严惩{where}{name}集资诈骗案",
    "{name}立案已久毫无进展",
    "恳请{where}经侦公正办理{name}案件，还受害人一个公道",
    "{where}{name}老板跑路，经侦拖延办案",
]
_CASE_DETAILS = [
    "我在平台投入了{amount}元，",
    "去年{month}月就报了案，",
    "受害人有几千人，",
    "至今没有发布任何案情通报，",
    "追赃挽损工作毫无动静，",
    "很多受害人是退休老人，",
    "承办民警说还在侦查，",
    "平台的资金去向至今不明，",
]


def _placeless(rng: random.Random, district: str) -> tuple[str, str]:
    """Subject and detail of a city-wide message naming no place (``district`` may be empty)."""
    topic, defect = rng.choice(_CITY_TOPICS), rng.choice(_CITY_DEFECTS)
    subject = rng.choice([f"{topic}{defect}", f"关于{topic}{defect}的问题", f"{district}{topic}{defect}"])
    fillers = "".join(rng.sample(_FILLERS + _FILLERS2, 2))
    detail = f"{rng.choice(_OPENINGS)}我想反映{district}{topic}的问题，{defect}。{fillers}"
    return subject, detail + rng.choice(_DEMANDS)


def _case(rng: random.Random, name: str, district: str) -> tuple[str, str]:
    """Subject and detail of a message about the planted platform ``name``."""
    where = district if rng.random() < 0.7 else "A市"
    subject = rng.choice(_CASE_SUBJECTS).format(name=name, where=where)
    amount, month = rng.randrange(1, 200) * 1000, rng.randrange(1, 13)
    story = "".join(part.format(amount=amount, month=month) for part in rng.sample(_CASE_DETAILS, 3))
    detail = f"{rng.choice(_OPENINGS)}我是{name}的受害人，{story}{rng.choice(_DEMANDS)}"
    return subject, detail


def _place(rng: random.Random) -> tuple[str, str]:
    district = rng.choice(_DISTRICTS)
    kind = rng.random()
    if kind < 0.55:
        name = rng.choice(_ESTATE_HEADS) + rng.choice(_ESTATE_HEADS) + rng.choice(_ESTATE_TAILS)
    elif kind < 0.7:
        name = rng.choice(_STREETS) + rng.choice(_ESTATE_HEADS) + rng.choice(_SCHOOL_TAILS)
    elif kind < 0.85:
        name = rng.choice(_STREETS) + rng.choice(_ROADS) + rng.choice(["路", "大道", "东路", "中路"])
    else:
        name = rng.choice(_STREETS) + "街道" + rng.choice(_ESTATE_HEADS) + rng.choice(_STREETS) + "社区"
    return district, name


def civic_messages(
    n: int,
    *,
    seed: int = 0,
    start: datetime = datetime(2019, 1, 1),
    days: int = 365,
    hot: int = 0,
    hot_share: float = 0.0,
    hot_placeless: int = 0,
    placeless_share: float = 0.0,
) -> Iterator[dict[str, str]]:
    """Yield ``n`` synthetic messages with the columns of ``hot_issue_messages.csv``.

    ``hot`` planted issues (one place, one problem, many users, within ~60 days) and
    ``hot_placeless`` planted issues naming no place (a lending platform's collapse, its name
    and mostly one district) share a ``hot_share`` of the messages; their ids start with
    ``H<k>-``. A ``placeless_share`` of the other messages are city-wide complaints naming no
    place (公积金贷款, 社保转移 …). With the last two at 0 the output is as it always was.
    """
    rng = random.Random(seed)
    planted = []
    for k in range(hot):
        district, place = _place(rng)
        planted.append(
            (
                k,
                district,
                place,
                (rng.choice(_OBJECTS), rng.choice(_DEFECTS), rng.choice(_CONSEQUENCES)),
                rng.randrange(days - 60),
            )
        )
    if hot_placeless > len(_PLATFORM_HEADS):
        raise ValueError(f"at most {len(_PLATFORM_HEADS)} planted issues without a place")
    heads = rng.sample(_PLATFORM_HEADS, hot_placeless) if hot_placeless else []
    tails = rng.sample(_PLATFORM_TAILS, hot_placeless) if hot_placeless else []
    names = [h + t for h, t in zip(heads, tails, strict=True)]
    for k, name in enumerate(names, len(planted)):
        planted.append((k, rng.choice(_DISTRICTS), name, None, rng.randrange(days - 60)))
    for i in range(n):
        is_hot = planted and rng.random() < hot_share
        if is_hot:
            k, district, place, problem, offset = rng.choice(planted)
            posted = start + timedelta(days=offset + rng.random() * 60, seconds=rng.randrange(86400))
            mid = f"H{k}-{i}"
        else:
            district, place = _place(rng)
            problem = (rng.choice(_OBJECTS), rng.choice(_DEFECTS), rng.choice(_CONSEQUENCES))
            posted = start + timedelta(days=rng.random() * days, seconds=rng.randrange(86400))
            mid = str(i)
        if problem is None:  # a planted issue naming no place
            subject, detail = _case(rng, place, district)
        elif not is_hot and placeless_share and rng.random() < placeless_share:
            subject, detail = _placeless(rng, district if rng.random() < 0.5 else "")
        else:
            subject, detail = _about_place(rng, district, place, problem)
        yield {
            "message_id": mid,
            "user": f"U{rng.randrange(n * 2):08d}",
            "subject": subject,
            "posted_at": posted.strftime("%Y/%m/%d %H:%M:%S"),
            "detail": detail,
            "dislikes": str(rng.randrange(3) if rng.random() < 0.1 else 0),
            "likes": str(rng.randrange(50) if rng.random() < 0.05 else rng.randrange(3)),
        }


def _about_place(
    rng: random.Random, district: str, place: str, problem: tuple[str, str, str]
) -> tuple[str, str]:
    """Subject and detail of a message about ``problem`` at ``place``."""
    thing, defect, consequence = problem
    subject = rng.choice(
        [
            f"{district}{place}{thing}{defect}",
            f"反映{district}{place}{thing}{defect}的问题",
            f"{place}的{thing}{defect}，何时解决",
            f"关于{place}{thing}{defect}的投诉",
        ]
    )
    extra = rng.choice(_EXTRAS).format(rng.randrange(1, 10**4)) if rng.random() < 0.5 else ""
    fillers = "".join(rng.sample(_FILLERS + _FILLERS2, 3))
    who = rng.choice(["居民", "业主", "租户", "家长", "住户"])
    detail = (
        f"{rng.choice(_OPENINGS)}我是A市{district}{place}的{who}，{place}的{thing}{defect}，"
        f"{consequence}。{fillers}{extra}{rng.choice(_DEMANDS)}"
    )
    return subject, detail


def civic_texts(n: int, *, seed: int = 7) -> list[str]:
    """``n`` synthetic legitimate texts (subject + detail)."""
    return [f"{m['subject']} {m['detail']}" for m in civic_messages(n, seed=seed)]
